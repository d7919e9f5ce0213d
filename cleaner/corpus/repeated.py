"""Lines repeated across the whole corpus, whatever the site (CCNet-style): the
generic text many different sites print ("Skip to main content", "Sign in",
"Share on Facebook", "Accept all cookies"), told from content by how many *sites*
print it and where it stands. Pure functions and plain data; the corpus rule that
runs them is ``corpus/repeated-lines`` (:mod:`cleaner.rules.repeated`).

How a line is judged (docs/corpus.md, "Lines repeated across sites"):

1. **Counted in sites, not pages.** A line is *repeated* when pages of at least
   :data:`MIN_SITES` (3) distinct sites print it. A site counts once however many of
   its pages print the line, so one big site cannot make its own template look
   corpus-wide (that template is ``corpus/site-template``'s job). Why 3: two sites
   share lines for reasons other than generic UI (a site and its mirror, two hosts of
   one organisation such as ``x.com`` and ``docs.x.com``, a page and the aggregator
   that copied it); three independent sites are a pattern, as three pages are for
   a site's template (:data:`cleaner.corpus.templates.MIN_PAGES`).
2. **Pages without a site are a site each.** A record without a URL (``site`` "")
   counts as a site of its own: no evidence joins such pages to each other or to a site.
   Exact and near copies of a page are ``corpus/duplicates``' job, which runs first,
   so a copy does not count twice.
3. **Sentences stay.** A line that reads as prose (:func:`cleaner.core.lines.is_prose`) is
   never repeated here: a sentence printed by several sites is a syndicated story, a
   quote or a shared press release as often as it is a notice, and a syndicated
   story's sentences form blocks, so every copy would lose all of it (duplicate
   removal keeps one copy; this rule would keep none). A site's cookie sentence is on
   most of its pages: the site rule's.
4. **Lines without a word stay.** A line needs a word of two letters or more
   (:func:`may_repeat`): digits, punctuation and single letters ("1", "(", "}", "x")
   recur on every kind of site by chance (list numbers, table cells, code printed a
   token a line). Counted, they made blocks inside code listings: on the gold
   texts of the dev set, 1.0% of tokens were lost instead of 0.5%.
5. **Blocks, not lone lines**, as for site templates
   (:func:`cleaner.corpus.templates.recurring_blocks`): a repeated line goes when it
   sits in a block of :data:`~cleaner.corpus.templates.MIN_RUN` (3) consecutive
   repeated lines, or in a block that starts or ends the page. A lone "Overview" or
   "Reviews" between the page's own lines is a heading of the page.

Statistics hold 8-byte line keys (:func:`cleaner.corpus.templates.line_key`), counted
in bounded memory by :class:`cleaner.corpus.line_counts.SiteLineCounts` (spilled to
temporary shard files past its buffer); finished, only the keys on ``min_sites``
sites or more are kept, 12 bytes each pickled.
"""

from __future__ import annotations

import re
import sys
from array import array
from typing import Any

from cleaner.corpus import templates
from cleaner.corpus.line_counts import SiteLineCounts
from cleaner.corpus.model import CorpusDoc
from cleaner.core.lines import is_prose

#: Distinct sites whose pages must print a line for it to be repeated.
MIN_SITES = 3
#: A word of two letters or more (any script): a line without one is never repeated here.
_WORD = re.compile(r"[^\W\d_]{2,}")
#: The site name under which pages without a site are counted, each as a site of its own.
NO_SITE = ""


class RepeatedLineStats:
    """On how many distinct sites each line of the corpus is (see the module docs).
    Fed one sketch (:class:`cleaner.corpus.templates.Sketch`) a page; finished on
    first use or when pickled (for the clean phase's workers): then only the lines on
    ``min_sites`` sites or more are kept, and no more pages are taken."""

    def __init__(self, *, min_sites: int = MIN_SITES, min_run: int = templates.MIN_RUN) -> None:
        if min_sites < 2:
            raise ValueError(
                f"corpus/repeated-lines: min_sites must be 2 or more, not {min_sites}: every line is on the "
                "pages of one site, so every page would be removed"
            )
        self.min_sites = min_sites
        self.pages = 0  # pages counted
        self.site_count = 0  # distinct sites, a page without a site counting as one
        self._sites: set[str] | None = set()  # while scanning
        self._lines: SiteLineCounts | None = SiteLineCounts()
        self._repeated: dict[int, int] = {}

    def add(self, doc: CorpusDoc, sketch: templates.Sketch) -> None:
        if self._lines is None or self._sites is None:
            raise ValueError("statistics from a finished scan take no more pages")
        self.pages += 1
        if not doc.site:
            self.site_count += 1
        elif doc.site not in self._sites:
            self._sites.add(doc.site)
            self.site_count += 1
        self._lines.add(doc.site or NO_SITE, sketch.keys)

    def _finish(self) -> None:
        if self._lines is not None:
            lines, self._lines, self._sites = self._lines, None, None
            self._repeated = lines.counted_sites(self.min_sites, each_page_a_site=NO_SITE)

    def sites_with(self, key: int) -> int:
        """On how many distinct sites the line with this key is (0 when on fewer
        than ``min_sites``)."""
        self._finish()
        return self._repeated.get(key, 0)

    def __len__(self) -> int:
        """Distinct lines on ``min_sites`` sites or more."""
        self._finish()
        return len(self._repeated)

    def report(self) -> dict[str, Any]:
        """For the manifest: pages and sites counted, and how many distinct lines
        are on ``min_sites`` sites or more (the candidates; hashes, so not named)."""
        return {"pages": self.pages, "sites": self.site_count, "min_sites": self.min_sites,
                "repeated_lines": len(self)}

    def summary(self) -> str:
        return (f"{len(self):,} distinct lines on pages of {self.min_sites}+ of {self.site_count:,} "
                f"site{'' if self.site_count == 1 else 's'}")

    def __getstate__(self) -> dict[str, Any]:
        self._finish()
        keys = sorted(self._repeated)
        packed = array("Q", keys)
        counts = array("I", (self._repeated[k] for k in keys))
        if sys.byteorder == "big":
            packed.byteswap()
            counts.byteswap()
        return {"min_sites": self.min_sites, "pages": self.pages, "site_count": self.site_count,
                "keys": packed.tobytes(), "counts": counts.tobytes()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.min_sites, self.pages, self.site_count = state["min_sites"], state["pages"], state["site_count"]
        keys, counts = array("Q"), array("I")
        keys.frombytes(state["keys"])
        counts.frombytes(state["counts"])
        if sys.byteorder == "big":
            keys.byteswap()
            counts.byteswap()
        self._sites, self._lines = None, None
        self._repeated = dict(zip(keys, counts))


def may_repeat(line: str) -> bool:
    """Whether a (stripped) line can be repeated here: it has a word of two letters
    or more and is not a sentence (the module docs, 3 and 4)."""
    return bool(_WORD.search(line)) and not is_prose(line)


def sketch(text: str) -> templates.Sketch:
    """What the scan keeps of a page: the keys of its distinct lines that may be
    repeated (:func:`may_repeat`; the others are not counted: most of a corpus's
    distinct lines are sentences)."""
    return templates.sketch("\n".join(line for line in text.split("\n") if may_repeat(line.strip())))


def repeated_lines(
    text: str, stats: RepeatedLineStats, *, min_sites: int = MIN_SITES, min_run: int = templates.MIN_RUN
) -> list[tuple[int, str]]:
    """The lines of ``text`` repeated across the corpus, as ``(line index, reason)``
    with 0-based indexes into ``text.split("\\n")``, e.g. ``(0, "on pages of 14
    sites, in a block of 5 such lines")``. The method: the module docs."""
    if min_sites < stats.min_sites:
        raise ValueError(
            f"these statistics kept the lines on {stats.min_sites}+ sites and no longer know the lines "
            f"on fewer; judge with min_sites >= {stats.min_sites}"
        )
    found: list[tuple[int, int]] = []  # (line index, sites) of each non-blank line; 0 = not repeated
    for index, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        sites = stats.sites_with(templates.line_key(stripped))
        found.append((index, sites if sites >= min_sites and may_repeat(stripped) else 0))
    return [(index, f"on pages of {sites} sites, {where}")
            for index, sites, where in templates.recurring_blocks(found, min_run=min_run)]
