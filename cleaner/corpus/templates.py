"""Site templates: the lines a site prints on many of its pages (menus, footers,
cookie text, "Add to cart"), told from content by how often, where and in what
company they recur. Pure functions and plain data; the corpus rule that runs them,
its scan and its provenance live elsewhere (:mod:`cleaner.rules.corpus`).

How a line is judged (measured on ``shared/bench/sites``: docs/corpus.md, "Site templates"):

1. **Evidence.** A line *recurs* when it is on at least :data:`MIN_PAGES` (3) distinct
   pages of its site. Two pages can share lines for reasons other than a template (a
   page and its copy, two scrapes of one URL, a story and its follow-up); three is a
   pattern. A site with fewer distinct pages has no evidence, and nothing is removed.
   Exact copies of a page (the same set of normalised lines) count once.
2. **Sentences need more.** A line that reads as prose (:func:`cleaner.core.lines.is_prose`)
   recurs only when it is on more than :data:`PROSE_SHARE` (half) of the site's pages:
   a sentence on most pages is the site talking (a newsletter pitch, a cookie notice),
   a sentence on a few is a quote or background shared by related stories.
3. **Blocks, not lone lines.** A recurring line is template when it sits in a *block*
   (a run of consecutive recurring lines; blank lines do not break it) that holds at
   least :data:`MIN_RUN` (3) lines, or that starts or ends the page. Menus, footers
   and sidebars are lists; a lone recurring line between lines of the page's own (a
   spec label such as "Weight", a recipe heading such as "Ingredients", a quote) is
   content.
4. **A block needs widespread lines.** Only the lines on more than
   :data:`BLOCK_SHARE` (half) of the site's pages count towards a block's
   :data:`MIN_RUN`; at the top or end of the page, half of the block's lines must be
   such lines. A menu or footer is on most of a site's pages; a list on a few of
   them is a product grid, a "bestsellers" strip or a series' table of contents that
   those pages share: their content. Lines on fewer pages still go inside a block
   made by widespread lines (a section's own entries after the site menu), so a
   large site's section menus, on a share of its pages no fixed value can name, go
   with the menu they extend. Measured (docs/corpus.md, "Site templates"): the
   template rule's do-no-harm on ``sites`` 0.278 % -> 0.155 % (Amazon's department
   menu, on half of the site's gold texts, is what stays), F1 of page-dump + corpus
   and HTML + corpus unchanged on ``sites`` and +0.002 on ``news-sites``.

What it leaves alone: every line of a page whose site has too little evidence, lone
recurring lines inside the page's own text, sentences on half the pages or fewer,
lists that recur on half the site's pages or fewer unless beside its widespread
template, and the text of the lines it keeps (it removes whole lines only).
"""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from array import array
from dataclasses import dataclass
from typing import Sequence

from cleaner.corpus.line_counts import FrozenCounts
from cleaner.core.lines import is_prose

#: Distinct pages a line must be on to recur, and a site must have to give evidence.
MIN_PAGES = 3
#: Consecutive recurring lines that make a block of template.
MIN_RUN = 3
#: A sentence recurs only when on more than this share of the site's pages.
PROSE_SHARE = 0.5
#: A block of recurring lines is template only when :data:`MIN_RUN` of its lines (one,
#: at the top or end of the page) are on more than this share of the site's pages.
BLOCK_SHARE = 0.5
#: HTML path: the page's own text minus the template replaces the main-text extractor's
#: output when the extractor kept less than this share of it (:func:`prefer_own_text`).
MAIN_TEXT_SHARE = 0.4


def normalise(line: str) -> str:
    """The form in which two lines count as the same: Unicode NFKC, case folded,
    whitespace runs as one space, no space at either end. Digits and punctuation are
    kept: prices, ranks and counts differ between pages, and folding them made
    product and chart lines look like template (docs/corpus.md)."""
    return " ".join(unicodedata.normalize("NFKC", line).casefold().split())


def line_key(line: str) -> int:
    """A stable 64-bit hash of the normalised line (BLAKE2b, 8 bytes, unsigned), the
    same in every process, run and platform; scans and judges compare these keys
    instead of strings."""
    digest = hashlib.blake2b(normalise(line).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _pack(keys: Sequence[int]) -> bytes:
    packed = array("Q", keys)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def _unpack(data: bytes) -> array[int]:
    keys: array[int] = array("Q")
    keys.frombytes(data)
    if sys.byteorder == "big":
        keys.byteswap()
    return keys


@dataclass(frozen=True)
class Sketch:
    """What the scan keeps of one page: the keys of its distinct non-blank lines,
    sorted and packed (8 bytes a line, little-endian), and a fingerprint of that set,
    by which copies of a page are counted once. No strings: the judge reads the
    page's own text again for position and shape."""

    fingerprint: int
    keys: bytes

    def line_keys(self) -> array[int]:
        """The sorted distinct line keys."""
        return _unpack(self.keys)


def sketch(text: str) -> Sketch:
    """The sketch of a page's text (lines as ``text.split("\\n")``, blank ones skipped)."""
    keys = sorted({line_key(line) for line in text.split("\n") if line.strip()})
    packed = _pack(keys)
    fingerprint = int.from_bytes(hashlib.blake2b(packed, digest_size=8).digest(), "little")
    return Sketch(fingerprint, packed)


class SiteStats:
    """The pages of one site, merged from their sketches: how many distinct pages
    (``pages``), how many were copies of a page already counted (``copies``), and on
    how many pages each line is (:meth:`pages_with`).

    Sketches of one site go to one ``SiteStats``, in any order (the result is the
    same). Partial statistics are not merged: a copy of a page counted in two of them
    would be counted twice, and no sketch says which lines to take back.
    :meth:`finished` gives the compact form the clean phase needs: only the lines on
    :data:`MIN_PAGES` pages or more. Pickled, a line costs 12 bytes (its key and its
    count) and a counted page 8 (its fingerprint, until finished)."""

    def __init__(self, site: str = "") -> None:
        self.site = site
        self.pages = 0
        self.copies = 0
        self.floor = 0  # finished statistics: lines on fewer pages than this were dropped
        self._seen: set[int] | None = set()
        self._counts: dict[int, int] = {}

    def add(self, page: Sketch) -> bool:
        """Count a page; False (and only ``copies`` grows) for a copy of one counted."""
        if self._seen is None:
            raise ValueError(
                f"the statistics of {self.site or 'this site'} are finished and take no more pages; "
                "add every sketch before calling finished()"
            )
        if page.fingerprint in self._seen:
            self.copies += 1
            return False
        self._seen.add(page.fingerprint)
        self.pages += 1
        counts = self._counts
        for key in page.line_keys():
            counts[key] = counts.get(key, 0) + 1
        return True

    def pages_with(self, key: int) -> int:
        """On how many distinct pages the line with this key is (0 when unknown;
        in finished statistics, 0 also for lines on fewer than ``floor`` pages)."""
        return self._counts.get(key, 0)

    def __len__(self) -> int:
        """Distinct lines counted."""
        return len(self._counts)

    @property
    def is_finished(self) -> bool:
        return self._seen is None

    def finished(self, min_pages: int = MIN_PAGES) -> SiteStats:
        """A compact copy for judging: the lines on ``min_pages`` pages or more,
        without the fingerprints of the pages. It takes no more pages."""
        done = SiteStats(self.site)
        done.pages, done.copies, done._seen, done.floor = self.pages, self.copies, None, min_pages
        done._counts = FrozenCounts.of(self._counts, min_pages)  # type: ignore[assignment]  # compact, read-only
        return done

    def finished_with(self, counts: dict[int, int], min_pages: int = MIN_PAGES) -> SiteStats:
        """:meth:`finished`, with the lines' page counts given (counted outside,
        e.g. in bounded memory by :class:`cleaner.corpus.line_counts.SiteLineCounts`)
        instead of this object's own."""
        done = self.finished(min_pages)
        done._counts = FrozenCounts.of(counts, min_pages)  # type: ignore[assignment]
        return done

    def recurring(self) -> int:
        """How many distinct lines are on :data:`MIN_PAGES` pages or more."""
        return sum(1 for n in self._counts.values() if n >= MIN_PAGES)

    def __getstate__(self) -> dict[str, object]:
        keys = sorted(self._counts)
        return {
            "site": self.site, "pages": self.pages, "copies": self.copies, "floor": self.floor,
            "seen": None if self._seen is None else _pack(sorted(self._seen)),
            "keys": _pack(keys), "counts": array("I", (self._counts[k] for k in keys)).tobytes(),
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.site, self.pages, self.copies = state["site"], state["pages"], state["copies"]  # type: ignore[assignment]
        self.floor = state["floor"]  # type: ignore[assignment]
        seen = state["seen"]
        self._seen = None if seen is None else set(_unpack(seen))  # type: ignore[arg-type]
        counts = array("I")
        counts.frombytes(state["counts"])  # type: ignore[arg-type]
        keys = _unpack(state["keys"])  # type: ignore[arg-type]
        self._counts = FrozenCounts(keys, counts) if self._seen is None else dict(zip(keys, counts))  # type: ignore[assignment]

    def __repr__(self) -> str:
        state = "finished" if self.is_finished else "open"
        return f"SiteStats({self.site!r}, pages={self.pages}, copies={self.copies}, lines={len(self)}, {state})"


def site_label(site: str) -> str:
    """How reasons name a site: its name, "this site" for the files at the top of IN."""
    return site if site and site != "." else "this site"


def template_lines(
    text: str,
    stats: SiteStats,
    *,
    min_pages: int = MIN_PAGES,
    min_run: int = MIN_RUN,
    prose_share: float = PROSE_SHARE,
    block_share: float | None = None,
    at_edges: bool = True,
) -> list[tuple[int, str]]:
    """The lines of ``text`` that are its site's template, as ``(line index, reason)``
    with 0-based indexes into ``text.split("\\n")``, e.g. ``(0, "on 9 of 12 pages of
    rei.com, in a block of 40 such lines")``. Empty when the site has fewer than
    ``min_pages`` distinct pages. The method and its thresholds: the module docs;
    ``block_share`` None is :data:`BLOCK_SHARE`, read at each call (benches sweep it).

    Judging the kept text again with the same statistics removes nothing more: the
    lines next to a block are, by the block's definition, lines that do not recur."""
    if min_pages < stats.floor:
        raise ValueError(
            f"these statistics were finished with min_pages={stats.floor} and no longer know the lines on "
            f"fewer pages; judge with min_pages >= {stats.floor} or call finished({min_pages})"
        )
    if stats.pages < min_pages:
        return []
    lines = text.split("\n")
    label = site_label(stats.site)
    counts: list[tuple[int, int]] = []  # (line index, pages) of each non-blank line; pages 0 = does not recur
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        pages = stats.pages_with(line_key(stripped))
        if pages < min_pages or (pages <= prose_share * stats.pages and is_prose(stripped)):
            pages = 0
        counts.append((index, pages))
    strong = widespread(stats.pages, BLOCK_SHARE if block_share is None else block_share)
    return [(index, f"on {pages} of {stats.pages} pages of {label}, {where}")
            for index, pages, where in recurring_blocks(counts, min_run=min_run, at_edges=at_edges, strong=strong)]


def widespread(pages: int, share: float = BLOCK_SHARE) -> int:
    """The fewest pages of a site of ``pages`` distinct pages that are more than
    ``share`` of them: 4 of 6, 7 of 12, 3 of 3."""
    return int(share * pages) + 1


def recurring_blocks(
    counts: Sequence[tuple[int, int]], *, min_run: int = MIN_RUN, at_edges: bool = True, strong: int = 1
) -> list[tuple[int, int, str]]:
    """The recurring lines that are template by their place and company (rules 3
    and 4 of the module docs). ``counts`` has one ``(line index, count)`` per
    non-blank line of a page, in order, with count 0 for a line that does not
    recur; a *block* is a run of recurring lines, and its *strong* lines those
    with a count of ``strong`` or more. The result is ``(line index, count,
    where)`` for each line of a block with ``min_run`` or more strong lines ("in a
    block of 5 such lines"; "in a block of 20 such lines, 12 of them on 4 pages or
    more" when some are not strong) or, with ``at_edges``, of a block that
    starts or ends the page and is at least half strong lines ("at the top of the
    page", "at the end of the page"). With ``strong`` 1 (the default) every recurring line is
    strong. Shared by :func:`template_lines` and ``corpus/repeated-lines``, which
    count recurrence differently (pages of a site, sites of the corpus)."""
    found: list[tuple[int, int, str]] = []
    start = 0
    while start < len(counts):
        if not counts[start][1]:
            start += 1
            continue
        end = start
        while end < len(counts) and counts[end][1]:
            end += 1
        size = end - start
        backed = sum(1 for _, n in counts[start:end] if n >= strong)
        if backed >= min_run:
            where = f"in a block of {size} such lines"
            if backed < size:
                where += f", {backed} of them on {strong} pages or more"
        elif at_edges and backed and 2 * backed >= size and start == 0:
            where = "at the top of the page"
        elif at_edges and backed and 2 * backed >= size and end == len(counts):
            where = "at the end of the page"
        else:
            where = ""
        if where:
            found.extend((index, n, where) for index, n in counts[start:end])
        start = end
    return found


def without_lines(text: str, removed: Sequence[tuple[int, str]]) -> str:
    """``text`` without the lines at the given indexes (what the engine does with
    the verdict; for benchmarks and callers outside a pipeline)."""
    gone = {index for index, _ in removed}
    return "\n".join(line for i, line in enumerate(text.split("\n")) if i not in gone)


def prefer_own_text(
    main_text: str, own_text: str, stats: SiteStats, *, share: float = MAIN_TEXT_SHARE, min_pages: int = MIN_PAGES
) -> bool:
    """HTML path: True when the page's own text minus its site template
    (``own_text``, e.g. every visible text node of the page less
    :func:`template_lines`) should replace what the main-text extractor kept
    (``main_text``): the site gives evidence and the extractor kept less than
    ``share`` of that text, in words. That is how trafilatura fails on collection,
    listing and product pages: it keeps a paragraph and drops the product grid.
    Without evidence the own text still holds the template, so the extractor's
    output stays. Measured: docs/corpus.md, "The HTML path"."""
    if stats.pages < min_pages:
        return False
    own = len(own_text.split())
    return own > 0 and len(main_text.split()) < share * own
