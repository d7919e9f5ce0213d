"""Precision of ``headings/normalise`` on gold texts: lines it makes headings that are not.

Takes dataset folders in the layout of shared/bench (``gold.jsonl``, ``html/<id>.html.gz``)
and runs the headings rule's detection (:func:`cleaner.rules.headings.headings_of`, what
``headings/normalise`` writes as ``#`` lines and ``meta/title`` reads) over each gold
text. A gold text without a blank line (all of readability's) holds one block per line,
so it is read with a blank line between its lines, as cleaner's HTML path writes
blocks; otherwise the rule, which asks for blank lines around a heading, would see none.
Lines that were Markdown headings already are not counted: the rule made the
others headings. Each made heading is judged two ways, and the script prints, per
dataset, how many there are and the share judged right (the precision):

* **set apart**: in the gold, the line is a block of its own (a blank line or the
  text's edge before and after it) and short: at most 20 words and 150 characters (a
  title's bounds), without a sentence's final full stop. Detection asks for about as
  much, so on a gold text this can only fail where the gold runs the line into the
  text: it bounds the measure, it does not judge it;
* **marked**: the page's HTML (``html/<id>.html.gz``) marks the line as a heading: the
  text of an ``h1``-``h6``, an element with ``role="heading"``, the page's ``<title>``
  or ``og:title``; or, counted in the looser figure, a block whose whole text is bold
  (``<p><strong>Ingredients</strong></p>``), a ``dt``, ``th``, ``caption``, ``summary``
  or ``legend``. Texts are compared case-folded, punctuation as spaces; a line also
  matches a marked text it holds or that holds it when the shorter is half the longer
  at least (gold headlines glued to bylines, HTML headings split in two).

The document titles (``meta/title``) are judged the same way. ``--show N`` prints up
to N made headings per dataset that the HTML does not mark (looser figure).

    python bench/headings.py ../shared/bench/scrapinghub ../shared/bench/readability \\
        ../shared/bench/sites ../shared/bench/news-sites

To measure another version of the rule, point ``PYTHONPATH`` at its checkout.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import lxml.html

from cleaner.io.decode import decode_html
from cleaner.rules.headings import first_heading_title, headings_of

#: A title's bounds (``cleaner.rules.headings``): the longest line the gold may set apart.
MAX_WORDS = 20
MAX_CHARS = 150
_STRICT_XPATH = "//h1|//h2|//h3|//h4|//h5|//h6|//*[@role='heading']|//title|//meta[@property='og:title']"
_LOOSE_TAGS = ("dt", "th", "caption", "summary", "legend")
_NON_WORD = re.compile(r"[\W_]+")


def folded(text: str) -> str:
    """Case-folded words joined by single spaces: punctuation and quotes do not count."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


class Marked(NamedTuple):
    """The texts a page's HTML marks as headings: ``strict`` (heading elements,
    title) and ``loose`` (also bold-only blocks and table, list and form labels)."""

    strict: set[str]
    loose: set[str]


def marked_texts(html: str) -> Marked:
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return Marked(set(), set())
    strict = set()
    for el in tree.xpath(_STRICT_XPATH):
        strict.add(folded(el.get("content", "") if el.tag == "meta" else el.text_content()))
    loose = set(strict)
    for el in tree.iter(*_LOOSE_TAGS):
        loose.add(folded(el.text_content()))
    for el in tree.iter("b", "strong"):
        parent = el.getparent()
        own = folded(el.text_content())
        if parent is not None and own and folded(parent.text_content()) == own:
            loose.add(own)
    strict.discard("")
    loose.discard("")
    return Marked(strict, loose)


def matches(line: str, marked: set[str]) -> bool:
    """The line is one of the marked texts, holds one, or is held by one, the
    shorter being half the longer at least."""
    text = folded(line)
    if not text:
        return False
    if text in marked:
        return True
    for other in marked:
        shorter, longer = sorted((text, other), key=len)
        if 2 * len(shorter) >= len(longer) and f" {shorter} " in f" {longer} ":
            return True
    return False


def set_apart(lines: list[str], index: int) -> bool:
    """The gold sets the line apart: a short block of its own (see the module)."""
    line = lines[index].strip()
    if len(line.split()) > MAX_WORDS or len(line) > MAX_CHARS or line.endswith("."):
        return False
    before = index == 0 or not lines[index - 1].strip()
    after = index == len(lines) - 1 or not lines[index + 1].strip()
    return before and after


class Tally(NamedTuple):
    made: Counter  # kind -> headings made
    apart: Counter  # kind -> of them set apart in the gold
    strict: Counter  # kind -> marked by a heading element
    loose: Counter  # kind -> marked, looser
    titles: list[int]  # [titles, strict, loose]
    unmarked: list[tuple[str, str, str]]  # (page, kind, line)


def page_html(folder: Path, page: str) -> str:
    path = folder / "html" / f"{page}.html.gz"
    if not path.exists():
        return ""
    return decode_html(gzip.decompress(path.read_bytes()))[0]


def measure(folder: Path) -> Tally:
    tally = Tally(Counter(), Counter(), Counter(), Counter(), [0, 0, 0], [])
    for row in map(json.loads, (folder / "gold.jsonl").open(encoding="utf-8")):
        text = row["text"] or ""
        if "\n\n" not in text:
            text = text.replace("\n", "\n\n")  # one block per line: see the module
        made = [h for h in headings_of(text) if h.kind != "markdown"]
        title = first_heading_title.fn(text).get("title")
        if not made and title is None:
            continue
        marked = marked_texts(page_html(folder, row["id"]))
        lines = text.split("\n")
        for h in made:
            tally.made[h.kind] += 1
            tally.apart[h.kind] += set_apart(lines, h.index)
            tally.strict[h.kind] += matches(h.text, marked.strict)
            if matches(h.text, marked.loose):
                tally.loose[h.kind] += 1
            else:
                tally.unmarked.append((row["id"], h.kind, h.text))
        if title is not None:
            tally.titles[0] += 1
            tally.titles[1] += matches(title, marked.strict)
            tally.titles[2] += matches(title, marked.loose)
    return tally


def share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


def report(name: str, tally: Tally, show: int) -> None:
    made = sum(tally.made.values())
    apart, strict, loose = (sum(c.values()) for c in (tally.apart, tally.strict, tally.loose))
    print(
        f"{name:<12} made {made:>5}   set apart {share(apart, made)}   "
        f"marked {share(strict, made)} (loose {share(loose, made)})   "
        f"titles {tally.titles[0]:>4}: marked {share(tally.titles[1], tally.titles[0])} "
        f"(loose {share(tally.titles[2], tally.titles[0])})"
    )
    for kind, n in sorted(tally.made.items()):
        print(
            f"  {kind:<11} {n:>5}   set apart {share(tally.apart[kind], n)}   "
            f"marked {share(tally.strict[kind], n)} (loose {share(tally.loose[kind], n)})"
        )
    for page, kind, line in tally.unmarked[:show]:
        print(f"    not marked: {page} {kind}: {line[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="+", type=Path, help="dataset folders with gold.jsonl and html/")
    parser.add_argument(
        "--show", type=int, default=0, metavar="N", help="print N unmarked made headings per dataset"
    )
    args = parser.parse_args()
    totals = Tally(Counter(), Counter(), Counter(), Counter(), [0, 0, 0], [])
    for folder in args.datasets:
        tally = measure(folder)
        report(folder.name, tally, args.show)
        for mine, total in zip(tally[:4], totals[:4]):
            total.update(mine)
        totals.titles[:] = [a + b for a, b in zip(totals.titles, tally.titles)]
    if len(args.datasets) > 1:
        report("all", totals, 0)


if __name__ == "__main__":
    main()
