"""Scraper residue that needs logic beyond a phrase pattern.

Phrase residue ("You may also like...", "Exit mobile version", share widgets) is
declarative and lives in the packs under ``rules/residue/``; see ``rules/README.md``.
"""

from __future__ import annotations

import regex

from cleaner.core.lines import is_prose
from cleaner.core.rule import Example, LineContext, line_rule
from cleaner.core.settled import BLANK_LINES

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


_COUNTER = regex.compile(
    r"(?:[-•*]\s+)?(?P<label>(?:image|photo|picture|slide|bild|foto|zdjęcie)\s+)?"
    r"(?P<n>\d{1,3})\s*(?:of|/|von|sur|de|z)\s*(?P<m>\d{1,3})"
    r"(?P<unit>\s+(?:images|photos|pictures|slides|bilder|fotos))?",
    regex.IGNORECASE,
)
#: Words of a slideshow's frame: its caption, credit and controls.
SLIDESHOW_WORDS = (
    "gallery", "galerie", "galería", "slide", "slides", "slideshow", "photo", "photos", "image",
    "images", "picture", "pictures", "pics", "foto", "fotos", "bild", "bilder", "zdjęcie",
    "zdjęcia", "credit", "credits", "crédit", "crédits", "getty", "shutterstock", "istock",
    "reuters", "afp", "fullscreen", "full screen", "autoplay", "thumbnails", "enlarge",
)
_SLIDESHOW_CUE = regex.compile(
    r"©|\b(?:" + "|".join(w.replace(" ", r"\s*") for w in SLIDESHOW_WORDS) + r")\b", regex.IGNORECASE
)
#: How many non-blank lines on each side may hold a slideshow's words.
CUE_REACH = 2
#: How many non-blank lines on each side may hold the counter before or after.
SEQUENCE_REACH = 5
#: A line of a slideshow's frame has at most this many words.
CUE_MAX_WORDS = 12


def _counter(line: str) -> tuple[int, int, bool] | None:
    """``(n, m, labelled)`` of a line that is only a counter ``n/m`` or ``n of m``
    with 1 <= n <= m ("Image 3 of 12" is labelled), else None."""
    m = _COUNTER.fullmatch(line.strip())
    if m is None:
        return None
    n, total = int(m["n"]), int(m["m"])
    if not 1 <= n <= total:
        return None  # 23/16, 24/7, 0/3: values, not a place in a sequence
    return n, total, bool(m["label"] or m["unit"])


def _nonblank_around(ctx: LineContext, reach: int) -> list[str]:
    """Up to ``reach`` non-blank lines before the line and ``reach`` after it."""
    before: list[str] = []
    for line in reversed(ctx.lines[: ctx.index]):
        if len(before) == reach:
            break
        if line.strip():
            before.append(line)
    after: list[str] = []
    for line in ctx.lines[ctx.index + 1 :]:
        if len(after) == reach:
            break
        if line.strip():
            after.append(line)
    return before + after


def _slideshow_cue(line: str) -> bool:
    return len(line.split()) <= CUE_MAX_WORDS and _SLIDESHOW_CUE.search(line) is not None


@line_rule(
    "residue/slide-counter",
    "Remove a slideshow counter such as '1 of 5' or 'Bild 3 von 12'",
    where="anywhere",
    # how ``_COUNTER`` starts: a bullet, a word (the label), digits, the separator, a digit
    # (the stdlib's (?i:...) folds these letters as regex does, "ſ" for "s" too)
    may_claim=r"^\s*(?:[-•*]\s+)?(?:\S+\s+)?\d+\s*(?:/|(?i:of|von|sur|de|z))\s*\d",
    # the rule claims only lines that are a counter in full: the line screen reads this as it
    # read the TOML pattern the rule once was (a bullet, a label word or a digit first)
    claim_pattern=_COUNTER.pattern,
    settles=BLANK_LINES,  # reads the line and its non-blank neighbours
    examples=[
        Example(
            "Featured Slide Shows\n1 of 5\nThe sharing economy is a lie, the author argues.\n",
            "Featured Slide Shows\nThe sharing economy is a lie, the author argues.\n",
            note="readability test page salon-1",
        ),
        Example(
            "The five companies join nine others selected last year.\nImage 1 of 5\n"
            "NASA has picked SpaceX and Blue Origin for the next round of lunar deliveries.\n",
            "The five companies join nine others selected last year.\n"
            "NASA has picked SpaceX and Blue Origin for the next round of lunar deliveries.\n",
            note="a labelled counter needs no context",
        ),
        Example(
            "2/50\nStar Wars boosts economy\nProduction of the new film has brought money to Britain.\n"
            "3/50\nNatalie Massenet leaves Net-a-Porter\n",
            "Star Wars boosts economy\nProduction of the new film has brought money to Britain.\n"
            "Natalie Massenet leaves Net-a-Porter\n",
            note="counters that count up, captions between (readability test page bug-1255978)",
        ),
        Example(
            "Average high/low (°C)\nAuckland\n23/16\n14/7\nWellington\n20/13\n11/6\n",
            note="temperature cells of a table (readability test page wikipedia-2): high above low",
        ),
        Example("Open hours\n24/7\nCall us any time of the day.\n", note="24/7 is no place in a sequence"),
        Example("Anniversaries\n9/11\nThe towers fell on a Tuesday morning.\n", note="a date"),
        Example(
            "Chapters:\n14/14\nComments:\n1664\n",
            note="a count in a table of facts, no slideshow around (readability test page archive-of-our-own)",
        ),
        Example("1 of 5 adults said they had never voted in a local election.\n", note="a sentence"),
        Example("1/2 cup of sugar\n", note="a recipe line"),
    ],
)
def slide_counter(line: str, ctx: LineContext) -> bool:
    """Remove a line that is only a slideshow's counter: "1 of 5", "4/50",
    "Image 3 of 12", "Bild 2 von 8".

    Why: a scraped slideshow leaves its counter on a line of its own, between the
    captions; it is never content.

    Fires only when the counter can be a place in a sequence (1 <= n <= m) and
    stands where a slideshow's counter stands: labelled ("Image 3 of 12", "3 of
    12 photos"), or with a slideshow's words (:data:`SLIDESHOW_WORDS`: gallery,
    photo, credit, ©, Getty, full screen...) on a short line among the
    :data:`CUE_REACH` non-blank lines on either side, or with the counter just
    before or after it (n-1 or n+1 of the same m) among the
    :data:`SEQUENCE_REACH` non-blank lines on either side. Leaves alone: the
    same numbers as values, such as the cells of a table ("23/16" high/low,
    "14/14" chapters), "24/7", dates ("9/11"), fractions ("1/2 cup"), and
    counters inside sentences ("1 of 5 adults said...").
    """
    here = _counter(line)
    if here is None:
        return False
    n, total, labelled = here
    if labelled:
        return True
    if any(map(_slideshow_cue, _nonblank_around(ctx, CUE_REACH))):
        return True
    neighbours = {(k, m) for k, m, _ in filter(None, map(_counter, _nonblank_around(ctx, SEQUENCE_REACH)))}
    return (n - 1, total) in neighbours or (n + 1, total) in neighbours
