"""The pieces of a corpus rule, as plain data the engine and the run share.

A corpus rule works in two phases (DESIGN.md, principle 9):

1. **scan**: ``scan(text, doc) -> sketch`` for every document, in workers; a sketch
   is small and picklable (hashes, not strings). The run's main process offers the
   sketches to the rule's :class:`Statistics` in input order.
2. **judge**: ``fn(text, doc, stats, **options) -> CorpusVerdict`` for each document,
   with the statistics of the whole corpus: lines to remove (with a reason each),
   or the whole document to drop, and metadata to keep.

The text a rule judges is exactly the text it scanned: both are the document as
the rules before it leave it in the engine's first pass (see
:func:`cleaner.core.engine.apply_rules`), and corpus rules run in the first pass only.
A document judged with no corpus at all is a corpus of its own: it is scanned and
judged alone, so ``Pipeline.clean(text)`` works and a corpus rule then finds
nothing to do (no other page, no earlier copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Protocol


@dataclass(frozen=True)
class CorpusDoc:
    """What a corpus rule knows of a document besides its text: its id, its place
    in input order, its site (the host of its URL, else its input folder) and, for
    an HTML page, the page itself (``html``; its whole visible text is
    :attr:`page_text`).

    The page stays in the process that read it: a pickled CorpusDoc (a scan's
    sketch on its way to the statistics) leaves it behind."""

    id: str
    position: int = 0
    site: str = ""
    html: str | None = field(default=None, compare=False, repr=False)

    @cached_property
    def page_lines(self) -> tuple[tuple[str, float], ...] | None:
        """Every visible text node of the HTML page, one block per line, each with the
        share of its characters in links (None for a document that is not an HTML
        page): :func:`cleaner.io.page_text.page_lines`, parsed once per document."""
        if self.html is None:
            return None
        from cleaner.io.page_text import page_lines  # lxml: only when a rule reads a page

        return tuple(page_lines(self.html))

    @cached_property
    def page_text(self) -> str | None:
        """The page's lines (:attr:`page_lines`) as text, one a line (None for a
        document that is not an HTML page): :func:`cleaner.io.page_text.page_text`."""
        lines = self.page_lines
        return None if lines is None else "\n".join(line for line, _ in lines)

    @classmethod
    def of_page_lines(cls, id: str, position: int, site: str, page_lines: tuple[tuple[str, float], ...]) -> CorpusDoc:
        """An HTML page known by its lines alone: a run that read the page in an
        earlier pass keeps them instead of the page (cleaner.running.worker). ``html`` is then
        ``""``: the document is still an HTML page to the engine and the rules."""
        doc = cls(id, position, site, html="")
        doc.__dict__["page_lines"] = page_lines  # the cached_property's own slot: never computed from ""
        return doc

    @property
    def page_lines_read(self) -> tuple[tuple[str, float], ...] | None:
        """:attr:`page_lines` if a rule has read them already, else None (never computed here)."""
        found: tuple[tuple[str, float], ...] | None = self.__dict__.get("page_lines")
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {"id": self.id, "position": self.position, "site": self.site, "html": None}


class Statistics(Protocol):
    """What a corpus rule gathers in the scan: sketches offered in input order."""

    def add(self, doc: CorpusDoc, sketch: Any) -> None: ...


@dataclass(frozen=True)
class CorpusVerdict:
    """A corpus rule's judgement of one document.

    ``remove``: ``(line index, reason)`` pairs, 0-based in the text judged
    (``"on 9 of 12 pages of rei.com"``). ``drop``: a reason to drop the whole
    document (``"near-duplicate of a.txt, Jaccard ≈ 0.91"``). ``replace``: a text
    that takes the place of the one judged, with the reason (``(text, why)``; the
    HTML path's page text where the extractor kept too little of it); the rules
    after it, and the engine's next pass, clean it like any text. ``meta``:
    metadata to keep (``{"duplicate_of": "a.txt"}``)."""

    remove: tuple[tuple[int, str], ...] = ()
    drop: str | None = None
    replace: tuple[str, str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


NOTHING = CorpusVerdict()


@dataclass(frozen=True)
class CorpusExample:
    """A small corpus and what the rule must make of it: ``docs`` are the input
    texts in order (with ``sites`` beside them, "" for none), ``expected`` the
    output texts, ``None`` for a document the rule drops. ``expected=None`` means
    every document stays as it is."""

    docs: tuple[str, ...]
    expected: tuple[str | None, ...] | None = None
    sites: tuple[str, ...] = ()
    note: str = ""

    @property
    def outputs(self) -> tuple[str | None, ...]:
        return self.docs if self.expected is None else self.expected

    @property
    def changes(self) -> bool:
        return self.outputs != self.docs

    def corpus(self) -> list[tuple[CorpusDoc, str]]:
        return corpus_of(self.docs, self.sites or None)


def corpus_of(texts: Iterable[str], sites: Iterable[str] | None = None) -> list[tuple[CorpusDoc, str]]:
    """Documents ``doc1``, ``doc2`` … in input order, with their sites when given."""
    texts = list(texts)
    site_list = list(sites) if sites is not None else [""] * len(texts)
    return [(CorpusDoc(f"doc{n}", n, site), text) for n, (text, site) in enumerate(zip(texts, site_list), 1)]


@dataclass
class CorpusContext:
    """The corpus as the engine sees it while cleaning one document: the document,
    and each corpus rule's finished statistics by rule id."""

    doc: CorpusDoc
    stats: dict[str, Any] = field(default_factory=dict)

    def knows_site_template(self) -> bool:
        """Whether a corpus rule has seen enough pages of this document's site to
        tell the site's template from the page's own text (its statistics answer
        ``knows_template(site)``). Then the text a line rule sees has lost what the
        site repeats, and what is left is the page's own: ``page/main-text`` weighs its
        non-prose blocks by the page's shape instead of cutting them as on a raw dump."""
        if not self.doc.site:
            return False
        return any(callable(getattr(s, "knows_template", None)) and s.knows_template(self.doc.site)
                   for s in self.stats.values())
