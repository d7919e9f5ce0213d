"""The per-document work of a run, as plain functions of (raw item, pipeline): what
a worker process, a Ray task or any other engine executes.

:func:`clean_item` reads one raw item, cleans it and returns its provenance record
and the payload to write: the cleaned text (one ``.txt`` per document) or one JSON
line (record outputs). Nothing here writes files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from cleaner.core.version import __version__
from cleaner.corpus.model import CorpusContext, CorpusDoc
from cleaner.corpus.scan import corpus_rules, scan_text
from cleaner.corpus.site import site_of
from cleaner.document import Document, ReadFailure, Source, document_meta, extracted_from_html
from cleaner.core.engine import Outcome, Pipeline, apply_rules
from cleaner.io.html import DEFAULT_EXTRACTOR
from cleaner.io.readers import RawItem, load_document, raw_id
from cleaner.io.writers import json_line
from cleaner.running.outputs import OutputOptions
from cleaner.io.provenance import at_level
from cleaner.core.rule import Rule

#: An HTML page's visible lines, each with the share of its characters in links (CorpusDoc.page_lines).
PageLines = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class WorkSpec:
    """Everything a worker needs to rebuild the run's pipeline and read items.
    Plain data, so it crosses process boundaries."""

    packs: tuple[str, ...]
    options: dict[str, dict[str, Any]]
    pack_sha256: str
    text_field: str = "text"
    html_seconds: float | None = None
    html_metadata: bool = True
    extractor: str = DEFAULT_EXTRACTOR  # the HTML main-text extractor (cleaner.io.html.EXTRACTORS)
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    # WARC: HTML responses with an HTTP error status are documents too (read in the main process)
    keep_error_pages: bool = False
    # how much of each step provenance keeps: "full", or "light" (no removed text; cleaner.io.provenance)
    provenance_level: str = "full"
    # the corpus rules' statistics from the scan (rule id -> statistics), for the clean phase
    corpus_stats: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # documents whose corpus-rule scan raised, by place in the corpus: they fail with the reason
    scan_failures: dict[int, str] = field(default_factory=dict, compare=False, repr=False)
    # where a worker commits the units it cleans (cleaner.running.commit); None: the caller commits
    out: str | None = None
    # keep each unit's HTML pages as the first pass reads them in OUT, for the later passes
    # (a run with corpus rules: see cleaner.running.state); needs ``out``
    keep_reads: bool = False
    output: OutputOptions | None = None


@dataclass(frozen=True)
class ItemResult:
    record: dict[str, Any]  # provenance; the writer adds the output's path (and line)
    payload: str | None  # cleaned text or a JSON line; None unless status is ok


_state: dict[str, Any] = {}


def init_worker(spec: WorkSpec, pipeline: Pipeline | None = None) -> None:
    """Build the pipeline once per process (or take the caller's, in-process)."""
    if pipeline is None:
        from cleaner.loading.pack import load_pack

        # the main process has checked and shown the pack's warnings already
        pipeline = load_pack(spec.packs, options=spec.options, disable=spec.disable, enable=spec.enable, warn=False)
        if pipeline.sha256 != spec.pack_sha256:
            raise RuntimeError("the worker's pack differs from the run's pack (files changed during the run?)")
    _state["spec"], _state["pipeline"] = spec, pipeline


def current_spec() -> WorkSpec:
    """The spec this process was started with (:func:`init_worker`)."""
    spec: WorkSpec = _state["spec"]
    return spec


#: Lines longer than this many characters make a document fail: they are not prose
#: (minified data, a dump, a page without line breaks at all), and the rules, which
#: work line by line, would take minutes on them.
MAX_LINE_CHARS = 1_000_000


def clean_unit(
    unit: list[tuple[RawItem, bool]], first_position: int = 0, kept: list[KeptRead | None] | None = None
) -> list[ItemResult]:
    """Clean a batch of ``(raw item, as_record)`` pairs with this process's pipeline;
    ``first_position`` is the first item's place in the corpus (for corpus rules);
    ``kept``: the pages as an earlier pass read them (one entry per item, None: read
    it). An unexpected error in one item fails that item only."""
    spec: WorkSpec = _state["spec"]
    pipeline: Pipeline = _state["pipeline"]
    results = []
    for n, (raw, as_record) in enumerate(unit):
        position = first_position + n
        try:
            results.append(clean_item(raw, as_record, pipeline, spec, position, kept[n] if kept else None))
        except Exception as exc:  # a bug or a resource limit: this document only
            reason = f"internal error while cleaning: {type(exc).__name__}: {exc}"
            results.append(failed_result(raw, reason, pipeline.sha256))
    return results


def failed_result(raw: RawItem, reason: str, pack_sha256: str) -> ItemResult:
    """The result of an item that could not be cleaned at all (its worker died, or an
    unexpected error), built from what the main process knows of it."""
    return ItemResult(
        {
            "id": raw_id(raw),
            "status": "failed",
            "reason": reason,
            "source": Source(raw.rel, "", raw.format, line=raw.position).to_dict(),
            "output": None,
            "pack": pack_sha256[:16],
            "cleaner": __version__,
            "chars_before": 0,
            "chars_after": 0,
            "steps": [],
            "meta": {},
        },
        None,
    )


def longest_line(text: str) -> int:
    """Length of the longest line of ``text`` (cheap for the usual short texts)."""
    if len(text) <= MAX_LINE_CHARS:
        return len(text)  # an upper bound is all the caller needs
    longest = start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        longest = max(longest, end - start)
        start = end + 1
    return longest


def read_item(raw: RawItem, spec: WorkSpec) -> Document | ReadFailure:
    """One raw item read into a document, as the spec says (text field, HTML limits)."""
    return load_document(raw, text_field=spec.text_field, html_seconds=spec.html_seconds, html_metadata=spec.html_metadata,
                         extractor=spec.extractor)


def corpus_doc(item: Document, position: int, page_lines: PageLines | None = None) -> CorpusDoc:
    """What corpus rules know of a document: id, place in the corpus, site, and
    an HTML page's page (or, kept by an earlier pass, the page's lines)."""
    if page_lines is not None:
        return CorpusDoc.of_page_lines(item.id, position, site_of(item), page_lines)
    return CorpusDoc(item.id, position, site_of(item), html=item.html)


@dataclass(frozen=True)
class KeptRead:
    """An HTML page as the first pass of a run with corpus rules read it, for the
    passes after it (the other corpus rules' scans, the clean), which would
    otherwise extract it again: trafilatura is nine tenths of the time a pass takes
    on a page (issue 22; docs/speed.md). ``item`` is the document read, without
    its page (or the page's failure to read); ``page_lines`` the page's visible
    lines with their link shares when a rule has read them (the template rule's
    scan does; its judge needs the link shares too), else ``html`` the page itself,
    so that a later rule can read it. Text documents are not kept: reading
    them again costs less than keeping them."""

    item: Document | ReadFailure
    page_lines: PageLines | None = None
    html: str | None = None

    def read(self) -> tuple[Document | ReadFailure, PageLines | None]:
        """The document as read, and its page's lines when they are kept."""
        if isinstance(self.item, ReadFailure):
            return self.item, None
        return replace(self.item, html="" if self.page_lines is not None else self.html), self.page_lines


def keep_read(raw: RawItem, item: Document | ReadFailure, doc: CorpusDoc | None) -> KeptRead | None:
    """What a later pass takes instead of reading ``raw`` again: an HTML page's
    extraction (``doc``: the page as the corpus rules saw it, with its whole text
    if they read it); None for a document whose text is read, not extracted."""
    if not extracted_from_html(raw.format, (raw.meta or {}).get("warc_type")):
        return None
    if isinstance(item, ReadFailure):
        return KeptRead(item)
    page_lines = doc.page_lines_read if doc is not None else None
    return KeptRead(replace(item, html=None), page_lines, None if page_lines is not None else item.html)


def read_kept(raw: RawItem, spec: WorkSpec, kept: KeptRead | None) -> tuple[Document | ReadFailure, PageLines | None]:
    """``raw`` read, or as an earlier pass kept it, and its page's lines when kept."""
    return (read_item(raw, spec), None) if kept is None else kept.read()


@dataclass(frozen=True)
class ScanFailure:
    """A corpus rule's scan raised on one document: the clean phase fails it with
    this reason instead of judging it with statistics it is missing from."""

    reason: str


Sketch = tuple[CorpusDoc, Any] | ScanFailure | None


def scan_unit(unit: list[RawItem], first_position: int, rule_id: str) -> list[Sketch]:
    """The scan of one corpus rule over a batch: each item's document and sketch;
    None for an item that cannot be read, is too long, or is dropped or fails
    before the rule (the clean phase says why, as without corpus rules); a
    :class:`ScanFailure` when the rule's own scan raises. The statistics of the
    corpus rules before it are in the spec."""
    return scan_unit_keeping(unit, first_position, rule_id)[0]


def sketch_of(rule: Rule, text: str, doc: CorpusDoc) -> Sketch:
    """The rule's sketch of a document, or the :class:`ScanFailure` its scan raised."""
    assert rule.scan is not None
    try:
        return doc, rule.scan(text, doc)
    except Exception as exc:
        return ScanFailure(f"rule {rule.id} failed in the scan: {type(exc).__name__}: {exc}")


def scan_unit_keeping(
    unit: list[RawItem], first_position: int, rule_id: str, kept: list[KeptRead | None] | None = None
) -> tuple[list[Sketch], list[KeptRead | None]]:
    """:func:`scan_unit`, taking the pages an earlier pass ``kept`` (one entry per
    item, None: read it) instead of reading them, and returning beside the
    sketches what a later pass may take (:func:`keep_read`)."""
    spec: WorkSpec = _state["spec"]
    pipeline: Pipeline = _state["pipeline"]
    rule = next(r for r in pipeline.rules if r.id == rule_id)
    assert rule.scan is not None
    sketches: list[Sketch] = []
    reads: list[KeptRead | None] = []
    for position, raw in enumerate(unit, first_position):
        item: Document | ReadFailure | None = None
        doc, text = None, None
        try:
            item, page_lines = read_kept(raw, spec, kept[position - first_position] if kept else None)
            if not isinstance(item, ReadFailure) and not too_long(item.text):
                doc = corpus_doc(item, position, page_lines)
                text = scan_text(pipeline, rule, doc, item.text, spec.corpus_stats or {})
        except Exception:  # the clean phase meets the same error and fails the document with it
            text = None
        sketches.append(None if text is None or doc is None else sketch_of(rule, text, doc))
        reads.append(None if item is None else keep_read(raw, item, doc))
    return sketches, reads


def clean_item(
    raw: RawItem, as_record: bool, pipeline: Pipeline, spec: WorkSpec, position: int = 0, kept: KeptRead | None = None
) -> ItemResult:
    """Read and clean one item. ``as_record``: the payload is a JSON line (the
    input record with the cleaned text and ``cleaner: {id, meta}``), not bare text.
    ``position``: the item's place in the corpus, for the corpus rules; ``kept``:
    the item as an earlier pass read it (None: read it now)."""
    item, page_lines = read_kept(raw, spec, kept)
    corpus = None
    if spec.corpus_stats is not None and isinstance(item, Document):
        corpus = CorpusContext(corpus_doc(item, position, page_lines), spec.corpus_stats)
    if position in spec.scan_failures and isinstance(item, Document):
        item = ReadFailure(item.id, item.source, spec.scan_failures[position])
    cleaned = clean_document(item, pipeline, corpus=corpus)
    outcome, meta = cleaned.outcome, cleaned.meta
    ok = outcome.status == "ok"
    record = cleaned.provenance(pipeline)
    if spec.provenance_level != "full":
        record = at_level(record, spec.provenance_level, {r.id for r in corpus_rules(pipeline.rules)})
    if not ok:
        return ItemResult(record, None)
    record["output"] = {"sha256": hashlib.sha256(outcome.text.encode("utf-8")).hexdigest()}
    if not as_record:
        return ItemResult(record, outcome.text)
    assert isinstance(item, Document)
    text_field = spec.text_field if raw.format != "warc" else "text"
    base = masked(item.record, pipeline) if item.record is not None else {"id": item.id, "path": item.source.path}
    row = {**base, text_field: outcome.text, "cleaner": {"id": item.id, "meta": meta}}
    return ItemResult(record, json_line(row))


@dataclass
class Cleaned:
    """A cleaned document: what was read, what the pipeline made of it, and its
    metadata (what reading found wins over what the rules found)."""

    item: Document | ReadFailure
    outcome: Outcome
    meta: dict[str, Any] = field(default_factory=dict)
    chars_in: int = 0

    @property
    def id(self) -> str:
        return self.item.id

    def provenance(self, pipeline: Pipeline) -> dict[str, Any]:
        """The document's provenance line as a run writes it, ``output`` still
        None (the writer fills it in)."""
        ok = self.outcome.status == "ok"
        return {
            "id": self.item.id,
            "status": self.outcome.status,
            "reason": self.outcome.reason,
            "source": self.item.source.to_dict(),
            "output": None,
            "pack": pipeline.sha256[:16],
            "cleaner": __version__,
            "chars_before": self.chars_in,
            "chars_after": len(self.outcome.text) if ok else 0,
            "steps": [s.to_dict() for s in self.outcome.steps],
            "meta": self.meta,
        }

    def record(self, pipeline: Pipeline, *, text: bool = True) -> dict[str, Any]:
        """The provenance line without ``output``, plus ``text``: the cleaned text,
        or None when the document was not ok or ``text`` is False (``explain --json``)."""
        found = self.provenance(pipeline)
        del found["output"]
        found["text"] = self.outcome.text if self.outcome.status == "ok" and text else None
        return found


def too_long(text: str) -> str | None:
    """Why a text is refused for a line over :data:`MAX_LINE_CHARS`, or None."""
    longest = longest_line(text)
    if longest <= MAX_LINE_CHARS:
        return None
    return (
        f"a line of {longest:,} characters (the limit is {MAX_LINE_CHARS:,}): "
        "not prose the rules can clean (minified data or a dump?)"
    )


def clean_document(
    item: Document | ReadFailure, pipeline: Pipeline, *, trace: bool = False, corpus: CorpusContext | None = None
) -> Cleaned:
    """Clean one document with the decisions of a run: an unreadable document
    fails, a line over :data:`MAX_LINE_CHARS` fails, an HTML page with no main
    text is dropped with that reason. ``trace``: keep each text change's before
    and after; ``corpus``: the corpus rules' statistics and the document's place."""
    if isinstance(item, ReadFailure):
        return Cleaned(item, Outcome(text="", status="failed", reason=item.reason))
    refused = too_long(item.text)
    if refused:
        return Cleaned(item, Outcome(text="", status="failed", reason=refused), chars_in=len(item.text))
    outcome = pipeline.clean(item.text, trace=trace, corpus=corpus)
    empty = outcome.status == "dropped" and not item.text.strip()
    if empty and extracted_from_html(item.source.format, item.source.extra.get("warc_type")):
        outcome.reason = "trafilatura found no main text in the page"
    return Cleaned(item, outcome, document_meta(masked(item.meta, pipeline), outcome.meta), len(item.text))


def masked(value: Any, pipeline: Pipeline) -> Any:
    """``value`` (a document's metadata as read, an input record) with every
    string in it cleaned by the pipeline's private rules (``pii/*``), so that what
    they mask in the text is masked in what the run writes beside it too (an
    HTML page's URL, an input record's other fields); ``value`` itself when the
    pipeline has none."""
    private = pipeline.private
    if not private:
        return value

    def mask(v: Any) -> Any:
        if isinstance(v, str):
            return apply_rules(private, v).text if v.strip() else v
        if isinstance(v, list):
            return [mask(x) for x in v]
        if isinstance(v, dict):
            return {k: mask(x) for k, x in v.items()}
        return v

    return mask(value)
