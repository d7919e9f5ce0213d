"""Corpus rules: what only shows across documents (see :mod:`cleaner.corpus.model`).

They run in the built-in ``corpus`` pack (``--pack corpus``), which places them
before the residue rules: their scans then need only the cheap character and
whitespace stages, and the residue and page rules work on what they leave. The
site template goes first: pages that are mostly template (a newspaper's naive dumps)
would otherwise look like copies of each other.
"""

from __future__ import annotations

from typing import Any, Sequence

from cleaner.corpus import duplicates, own_text, templates
from cleaner.corpus.line_counts import SiteLineCounts
from cleaner.corpus.model import NOTHING, CorpusDoc, CorpusExample, CorpusVerdict
from cleaner.core.rule import corpus_rule

_STORY = (
    "The council approved the new budget on Tuesday after a long debate about school funding.\n\n"
    "Teachers had asked for more money for classrooms, and the mayor said the city would hire forty more.\n\n"
    "The vote was seven to two, and the new budget takes effect in July after a final reading next month.\n"
)
_OTHER = (
    "Heavy rain closed three roads in the valley on Sunday, and the river rose above its banks near the old mill.\n\n"
    "Emergency crews moved families from twelve houses, and the weather service expects more rain on Monday.\n"
)


def _counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


#: Clusters (duplicates) and sites (templates) a manifest lists by name, the largest first.
REPORT_LIMIT = 100


class DuplicateStats:
    """The scan's verdicts: which documents repeat an earlier one, by place in the
    corpus (with the duplicate's own id, for the report). The index of kept
    documents is needed only while scanning; the clean phase gets the verdicts
    alone (a few bytes per duplicate)."""

    def __init__(self, *, threshold: float = duplicates.THRESHOLD, mark: bool = False) -> None:
        self.index: duplicates.DuplicateIndex | None = duplicates.DuplicateIndex(threshold)
        self.verdicts: dict[int, duplicates.Verdict] = {}
        self.ids: dict[int, str] = {}

    def add(self, doc: CorpusDoc, sketch: duplicates.Sketch) -> None:
        assert self.index is not None, "statistics from a finished scan take no more documents"
        verdict = self.index.offer(doc.id, sketch)
        if verdict is not None:
            self.verdicts[doc.position] = verdict
            self.ids[doc.position] = doc.id

    def __getstate__(self) -> dict[str, Any]:
        return {"index": None, "verdicts": self.verdicts, "ids": self.ids}

    def report(self, limit: int = REPORT_LIMIT) -> dict[str, Any]:
        """For the manifest: how many duplicates, in how many clusters, and the
        largest ``limit`` clusters: the document each keeps and its copies."""
        clusters: dict[str, list[str]] = {}
        for position in sorted(self.verdicts):
            clusters.setdefault(self.verdicts[position].kept, []).append(self.ids[position])
        largest = sorted(clusters.items(), key=lambda kv: -len(kv[1]))[:limit]
        return {"duplicates": len(self.verdicts), "clusters": len(clusters),
                "largest": [{"kept": kept, "copies": copies} for kept, copies in largest]}

    def summary(self) -> str:
        found = self.report(limit=0)
        return f"{_counted(found['duplicates'], 'duplicate')} in {_counted(found['clusters'], 'cluster')}"


def _sketch(text: str, doc: CorpusDoc) -> duplicates.Sketch:
    return duplicates.sketch(text)


@corpus_rule(
    "corpus/duplicates",
    "Drop documents that repeat an earlier one: the same normalised text, or word 5-gram Jaccard ≈ 0.8 or more",
    scan=_sketch,
    statistics=DuplicateStats,
    after="corpus/site-template",  # on the pages without their template (else template-heavy pages look alike)
    examples=[
        CorpusExample((_STORY, _OTHER, _STORY.upper().replace("\n\n", "\n\n\n")), (_STORY, _OTHER, None),
                      note="an exact copy (case and blank lines aside) goes; the first stays"),
        CorpusExample((_STORY, _STORY.replace("forty", "fifty") + "\nShare this story\n"),
                      (_STORY, None), note="an edited copy with other residue is a near-duplicate (Jaccard ≈ 0.80)"),
        CorpusExample((_STORY, _OTHER), note="different stories both stay"),
    ],
)
def drop_duplicates(
    text: str, doc: CorpusDoc, stats: DuplicateStats, *, threshold: float = duplicates.THRESHOLD, mark: bool = False
) -> CorpusVerdict:
    """Drop a document that repeats one earlier in input order: an *exact
    duplicate* (the same text once case, width and whitespace are folded) or a
    *near-duplicate* (MinHash of word 5-grams, 14 bands × 8 rows as in datatrove
    and FineWeb, estimated Jaccard ≥ ``threshold``). The reason names the copy
    its cluster keeps, the first in input order ("near-duplicate of a.txt, Jaccard
    ≈ 0.91"; never a dropped copy, even when the match was with one), and
    ``duplicate_of`` in the metadata is that kept copy too. ``mark = true`` keeps
    the document and only records the two.

    Leaves alone: the first document of each group (input order decides), the same
    story rewritten by another outlet (low word 5-gram overlap), documents under
    five words (exact copies only). How the threshold was chosen: docs/duplicates.md.
    """
    verdict = stats.verdicts.get(doc.position)
    if verdict is None:
        return NOTHING
    meta = {"duplicate_of": verdict.kept}  # where the text is: a matched copy may be dropped itself
    if mark:
        return CorpusVerdict(meta={**meta, "duplicate": verdict.reason})
    return CorpusVerdict(drop=verdict.reason, meta=meta)


class TemplateStats:
    """Each site's :class:`~cleaner.corpus.templates.SiteStats`: on how many of its
    pages each line is. Pickled (for the clean phase's workers) in the finished
    form: only the lines on ``min_pages`` pages or more, a few bytes each."""

    def __init__(self, *, min_pages: int = templates.MIN_PAGES, min_run: int = templates.MIN_RUN) -> None:
        self.min_pages = min_pages
        self.sites: dict[str, templates.SiteStats] = {}
        # the lines of the sites' pages, counted in bounded memory (a dict per site took ~75 bytes a line)
        self.lines: SiteLineCounts | None = SiteLineCounts()
        self._site_count: int | None = None  # set when pickled: the sites without evidence are left out

    def add(self, doc: CorpusDoc, sketch: templates.Sketch) -> None:
        if doc.site:  # a document with no site (a record without a URL) gives no evidence
            site = self.sites.setdefault(doc.site, templates.SiteStats(doc.site))
            if site.add(templates.Sketch(sketch.fingerprint, b"")):  # a page not counted yet: count its lines
                if self.lines is None:
                    raise ValueError("statistics from a finished scan take no more pages")
                self.lines.add(doc.site, sketch.keys)

    def _count_lines(self) -> None:
        """The sites fed by :meth:`add` get their line counts (once; finished sites,
        such as a cluster's, are kept as they are)."""
        lines = getattr(self, "lines", None)
        if lines is not None:
            counts, self.lines = lines.counted(self.min_pages), None
            self.sites = {s: stats if stats.is_finished else stats.finished_with(counts.get(s, {}), self.min_pages)
                          for s, stats in self.sites.items()}

    def of(self, site: str) -> templates.SiteStats:
        self._count_lines()
        return self.sites.get(site) or templates.SiteStats(site)

    def knows_template(self, site: str) -> bool:
        """Whether ``site`` has the ``min_pages`` distinct pages that make evidence."""
        return self.of(site).pages >= self.min_pages

    def report(self, limit: int = REPORT_LIMIT) -> dict[str, Any]:
        """For the manifest: per site with evidence (``min_pages`` distinct pages),
        its pages and how many distinct lines recur on ``min_pages`` of them (the
        candidates for template), the ``limit`` sites with most pages first."""
        self._count_lines()
        with_evidence = [s for s in self.sites.values() if s.pages >= self.min_pages]
        with_evidence.sort(key=lambda s: (-s.pages, s.site))
        return {
            "sites": self.site_count, "sites_with_evidence": len(with_evidence),
            "largest": [{"site": s.site, "pages": s.pages, "copies": s.copies, "recurring_lines": s.recurring()}
                        for s in with_evidence[:limit]],
        }

    def summary(self) -> str:
        found = self.report(limit=0)
        return (f"{found['sites_with_evidence']} of {_counted(found['sites'], 'site')} with "
                f"{self.min_pages}+ pages for template evidence")

    def __getstate__(self) -> dict[str, Any]:
        # only the sites with evidence: the others judge nothing (of() gives them empty
        # statistics), and on a crawl most hosts have a page or two
        self._count_lines()
        sites = {s: stats if stats.is_finished else stats.finished(self.min_pages)
                 for s, stats in self.sites.items() if stats.pages >= self.min_pages}
        return {"min_pages": self.min_pages, "sites": sites, "lines": None, "_site_count": self.site_count}

    @property
    def site_count(self) -> int:
        """Sites seen in the scan, with evidence or not (kept when pickled)."""
        return len(self.sites) if self._site_count is None else self._site_count


def _page(site: str, n: int) -> str:
    return (f"Home\nShop\nNews\nAbout us\n\nPage {n} of {site}: the council approved budget number {n} on Tuesday "
            f"after a long debate about school funding.\n\nContact\nPrivacy policy\nTerms of use\n")


def _page_body(site: str, n: int) -> str:
    return (f"Page {n} of {site}: the council approved budget number {n} on Tuesday "
            f"after a long debate about school funding.\n\n")


def _template_sketch(text: str, doc: CorpusDoc) -> templates.Sketch:
    """The page's lines: of the whole page for an HTML page (where its template is;
    the extractor's text has little of it), else of the text."""
    return templates.sketch(doc.page_text if doc.page_text is not None else text)


def _outside_own_main_text(
    text: str, page_lines: Sequence[tuple[str, float]], template: list[tuple[int, str]], removed: set[int]
) -> list[tuple[int, str]]:
    """The lines of the extractor's ``text`` that the page's own text (its lines less
    ``template``, with their link text) puts outside its main text
    (:func:`cleaner.corpus.own_text.lines_outside`), other than those in ``removed``."""
    gone = {i for i, _ in template}
    own = [line for i, line in enumerate(page_lines) if i not in gone]
    return [(i, why) for i, why in own_text.lines_outside(text, own) if i not in removed]


@corpus_rule(
    "corpus/site-template",
    "Remove lines a site prints in blocks on 3 or more of its pages (menus, footers, sidebars)",
    scan=_template_sketch,
    statistics=TemplateStats,
    after="whitespace/trailing-spaces",  # before the residue pass: its scan needs only the cheap stages
    examples=[
        CorpusExample(tuple(_page("x.org", n) for n in range(3)), tuple("\n" + _page_body("x.org", n) for n in range(3)),
                      sites=("x.org",) * 3, note="the menu and footer blocks on every page go"),
        CorpusExample(tuple(_page("x.org", n) for n in range(2)), sites=("x.org",) * 2,
                      note="two pages are no evidence: nothing goes"),
        CorpusExample(
            tuple(f"The baker on page {n} weighed the flour this morning.\nWeight\n{n + 1} kg\n"
                  f"The dough rose well on day {n}.\n" for n in range(4)),
            sites=("y.org",) * 4, note="a lone recurring label among the page's own lines is content"),
    ],
)
def remove_site_template(
    text: str, doc: CorpusDoc, stats: TemplateStats, *, min_pages: int = templates.MIN_PAGES,
    min_run: int = templates.MIN_RUN,
) -> CorpusVerdict:
    """Remove the lines of a page that its site repeats: a line on at least
    ``min_pages`` distinct pages of the site (a sentence: on more than half of
    them), in a block of ``min_run`` or more such lines or at the top or end of the
    page. The reason says how often: "on 9 of 12 pages of rei.com, in a block of 40
    such lines". The site is the host of the document's URL, else (text and HTML
    files) its folder.

    HTML pages are counted by their whole visible text (where the template is).
    Where the main-text extractor kept less than 40 % of the page's own text (the
    page minus its template, in words), that own text replaces the extractor's:
    trafilatura keeps the intro of a listing, collection or product page and drops
    its items ("the extractor kept 12 % of the page's own text …"). Otherwise, with
    that evidence, a line of the extractor's text goes when the page's own text puts
    it outside its main text (:mod:`cleaner.corpus.own_text`: the two agree on the
    story, the line's words are not the main text's, and the page prints it as
    links or as prose outside its main text: related links, menus, comments; its
    headings, labels, spec rows and code stay): "outside the page's main text: 0 of
    6 words in it, the page prints it as links (100% link text) …". news-sites
    0.847 → 0.894 F1.

    Leaves alone: pages of a site with fewer than ``min_pages`` distinct pages (no
    evidence: today's rules do the work), records without a URL (no site), a
    lone recurring line between the page's own lines (a spec label, a recipe
    heading, a quote shared by syndicated stories), sentences on half the pages
    or fewer. How each threshold was chosen:
    docs/corpus.md, "Site templates" and "The HTML path"."""
    site = stats.of(doc.site)
    removed = templates.template_lines(text, site, min_pages=min_pages, min_run=min_run)
    page, page_lines = doc.page_text, doc.page_lines
    if page is not None and page_lines is not None and site.pages >= min_pages:
        template = templates.template_lines(page, site, min_pages=min_pages, min_run=min_run)
        own = templates.without_lines(page, template)
        kept = templates.without_lines(text, removed)
        if templates.prefer_own_text(kept, own, site, min_pages=min_pages):
            share = len(kept.split()) / len(own.split())
            dropped = len(page.split("\n")) - len(own.split("\n"))
            return CorpusVerdict(replace=(own, (
                f"the extractor kept {share:.0%} of the page's own text: the page's text without its site template "
                f"instead ({site.pages} pages of {templates.site_label(site.site)}, {dropped} template lines)")))
        removed = removed + _outside_own_main_text(text, page_lines, template, {i for i, _ in removed})
    return CorpusVerdict(remove=tuple(sorted(removed))) if removed else NOTHING
