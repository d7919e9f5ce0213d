"""Scraper residue that needs logic beyond a phrase pattern.

Phrase residue ("You may also like...", "Exit mobile version", share widgets) is
declarative and lives in the packs under ``rules/residue/``; see ``rules/README.md``.
"""

from __future__ import annotations

import regex

from cleaner.lines import is_prose
from cleaner.rule import Example, LineContext, line_rule
from cleaner.settled import BLANK_LINES

_TAG = regex.compile(r"[\p{Lu}\p{Lt}\p{N}#][\p{L}\p{N}&'’.+#-]*(?: [\p{L}\p{N}&'’.+#-]+){0,3}")
_CONNECTIVES = regex.compile(r"\b(?:and|or|by|the|of|in|on|at|to|with|for|is|are|was|were)\b")

#: Fewest comma-separated items for a line to read as tags rather than a phrase.
MIN_TAGS = 3


@line_rule(
    "residue/tag-line",
    "Turn the comma-separated tag line under a title into the 'tags' metadata",
    where="head",
    # the first item (one to four words), then two more commas at least
    may_claim=r"^\s*[^\s,]+(?: [^\s,]+){0,3}\s*,[^,]*,",
    settles=BLANK_LINES,  # reads the line and its place among non-blank lines
    examples=[
        Example(
            "Russia says no to military deals with Pakistan\n\nRussia, Pakistan, AK\n\nEven as India has moved closer to the United States, Russia has said no.\n",
            "Russia says no to military deals with Pakistan\n\n\nEven as India has moved closer to the United States, Russia has said no.\n",
        ),
        Example(
            "Budget 2024\n\nBy Asha Rao, Vikram Shah and Li Wei\n\nThe finance minister presented the budget on Thursday morning.\n",
            note="a byline is not a tag line",
        ),
        Example(
            "Budget 2024\n\nThe finance minister presented the budget on Thursday morning.\n\nRussia, Pakistan, AK\n",
            note="the same shape inside or after the article is content",
        ),
        Example(
            "Budget 2024\n\nTax, spending, and debt: what changed\n\nThe finance minister presented the budget on Thursday morning.\n",
            note="a subtitle with lower-case words is a phrase, not tags",
        ),
    ],
)
def tag_line(line: str, ctx: LineContext) -> dict[str, list[str]] | None:
    """Remove a line such as ``Russia, Pakistan, AK`` that stands right under the
    title, and keep its items as ``tags``.

    Why: CMS templates print the article's tags under the headline; scraped into
    the text they read as a broken sentence.

    Fires only on the second non-blank line of the document, in the head, when it
    has at least three comma-separated items of one to four words, each starting
    with a capital letter, digit or ``#``, without sentence punctuation or
    connecting words. Leaves alone: bylines ("By ... and ..."), subtitles and
    lists inside or after the article.
    """
    if ctx.nonblank_index != 1 or is_prose(line) or _CONNECTIVES.search(line):
        return None
    items = [item.strip() for item in line.split(",")]
    if len(items) < MIN_TAGS or not all(_TAG.fullmatch(item) for item in items):
        return None
    return {"tags": items}


_GALLERY_ITEM = regex.compile(r"(?:[-•*]\s+)?(\d{1,3})\s*/\s*(\d{1,3})\s+\S")

#: Fewest slides for a numbered run of lines to read as a gallery, not fractions.
MIN_GALLERY_SLIDES = 5


def _slide(line: str | None) -> tuple[int, int] | None:
    m = _GALLERY_ITEM.match(line.strip()) if line else None
    return (int(m[1]), int(m[2])) if m else None


@line_rule(
    "residue/gallery-caption",
    "Remove the numbered captions of a photo gallery ('1/50 United goin down ...')",
    where="anywhere",
    # how ``_GALLERY_ITEM`` starts (stdlib ``\s`` and ``\d`` cover what regex matches)
    may_claim=r"^\s*(?:[-•*]\s+)?\d{1,3}\s*/",
    settles=BLANK_LINES,  # reads the line and its non-blank neighbours
    examples=[
        Example(
            "5. Beware the wall-mounted hairdryer\n\nIt contains the most germs of anything in the room.\n\n"
            "- 1/50 United goin down Manchester United's absence from the Champions League hurt more than pride.\n"
            "- 2/50 Star Wars boosts economy Production of the next Star Wars movie has brought £150 million to Britain.\n",
            "5. Beware the wall-mounted hairdryer\n\nIt contains the most germs of anything in the room.\n\n",
            note="readability test page bug-1255978",
        ),
        Example(
            "Mix the batter well.\n\n1/2 cup sugar\n1/4 cup butter\n",
            note="fractions in a recipe: not numbered slides",
        ),
        Example(
            "The scores were close all season.\n\n3/10 for the first match, then 4/10 in the second.\n",
            note="one line alone is not a gallery",
        ),
    ],
)
def gallery_caption(line: str, ctx: LineContext) -> bool:
    """Remove a line that starts with a slide number ``k/N`` when the line before
    or after it is slide ``k-1/N`` or ``k+1/N`` of the same gallery.

    Why: a scraped photo gallery becomes dozens of "k/N headline caption" lines,
    often between the article and its footer, that read like prose to every other
    test.

    Fires only on runs of numbered slides out of at least :data:`MIN_GALLERY_SLIDES`
    (``N >= 5``) that count up by one. Leaves alone: fractions ("1/2 cup sugar"),
    a lone score or rating ("3/10 for the first match"), and dates.
    """
    here = _slide(line)
    if here is None or here[1] < MIN_GALLERY_SLIDES or here[0] > here[1]:
        return False
    k, n = here
    return _slide(ctx.previous_nonblank()) == (k - 1, n) or _slide(ctx.next_nonblank()) == (k + 1, n)
