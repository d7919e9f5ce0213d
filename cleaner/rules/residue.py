"""Scraper residue that needs logic beyond a phrase pattern.

Phrase residue ("You may also like...", "Exit mobile version", share widgets) is
declarative and lives in the packs under ``rules/residue/``; see ``rules/README.md``.
"""

from __future__ import annotations

import regex

from cleaner.lines import is_prose
from cleaner.rule import Example, LineContext, line_rule

_TAG = regex.compile(r"[\p{Lu}\p{Lt}\p{N}#][\p{L}\p{N}&'’.+#-]*(?: [\p{L}\p{N}&'’.+#-]+){0,3}")
_CONNECTIVES = regex.compile(r"\b(?:and|or|by|the|of|in|on|at|to|with|for|is|are|was|were)\b")

#: Fewest comma-separated items for a line to read as tags rather than a phrase.
MIN_TAGS = 3


@line_rule(
    "residue/tag-line",
    "Turn the comma-separated tag line under a title into the 'tags' metadata",
    where="head",
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
