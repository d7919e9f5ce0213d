"""The per-document work of a run, as plain functions of (raw item, pipeline): what
a worker process, a Ray task or any other engine executes.

:func:`clean_item` reads one raw item, cleans it and returns its provenance record
and the payload to write: the cleaned text (one ``.txt`` per document) or one JSON
line (record outputs). Nothing here writes files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cleaner import __version__
from cleaner.document import Document, ReadFailure, Source, document_meta
from cleaner.engine import Outcome, Pipeline
from cleaner.io.readers import RawItem, load_document, raw_id
from cleaner.io.writers import json_line


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
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemResult:
    record: dict[str, Any]  # provenance; the writer adds the output's path (and line)
    payload: str | None  # cleaned text or a JSON line; None unless status is ok


_state: dict[str, Any] = {}


def init_worker(spec: WorkSpec, pipeline: Pipeline | None = None) -> None:
    """Build the pipeline once per process (or take the caller's, in-process)."""
    if pipeline is None:
        import warnings

        from cleaner.pack import PackWarning, load_pack

        with warnings.catch_warnings():  # the main process has shown them once already
            warnings.simplefilter("ignore", PackWarning)
            pipeline = load_pack(spec.packs, options=spec.options, disable=spec.disable, enable=spec.enable)
        if pipeline.sha256 != spec.pack_sha256:
            raise RuntimeError("the worker's pack differs from the run's pack (files changed during the run?)")
    _state["spec"], _state["pipeline"] = spec, pipeline


#: Lines longer than this many characters make a document fail: they are not prose
#: (minified data, a dump, a page without line breaks at all), and the rules, which
#: work line by line, would take minutes on them.
MAX_LINE_CHARS = 1_000_000


def clean_unit(unit: list[tuple[RawItem, bool]]) -> list[ItemResult]:
    """Clean a batch of ``(raw item, as_record)`` pairs with this process's pipeline.
    An unexpected error in one item fails that item only."""
    spec: WorkSpec = _state["spec"]
    pipeline: Pipeline = _state["pipeline"]
    results = []
    for raw, as_record in unit:
        try:
            results.append(clean_item(raw, as_record, pipeline, spec))
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


def clean_item(raw: RawItem, as_record: bool, pipeline: Pipeline, spec: WorkSpec) -> ItemResult:
    """Read and clean one item. ``as_record``: the payload is a JSON line (the
    input record with the cleaned text and ``cleaner: {id, meta}``), not bare text."""
    item = load_document(
        raw, text_field=spec.text_field, html_seconds=spec.html_seconds, html_metadata=spec.html_metadata
    )
    if isinstance(item, ReadFailure):
        outcome, meta, chars_in = Outcome(text="", status="failed", reason=item.reason), {}, 0
    elif longest_line(item.text) > MAX_LINE_CHARS:
        reason = (
            f"a line of {longest_line(item.text):,} characters (the limit is {MAX_LINE_CHARS:,}): "
            "not prose the rules can clean (minified data or a dump?)"
        )
        outcome, meta, chars_in = Outcome(text="", status="failed", reason=reason), {}, len(item.text)
    else:
        outcome = pipeline.clean(item.text)
        if outcome.status == "dropped" and not item.text.strip() and item.source.format in ("html", "warc"):
            outcome.reason = "trafilatura found no main text in the page"
        meta = document_meta(item.meta, outcome.meta)
        chars_in = len(item.text)
    ok = outcome.status == "ok"
    record = {
        "id": item.id,
        "status": outcome.status,
        "reason": outcome.reason,
        "source": item.source.to_dict(),
        "output": None,
        "pack": pipeline.sha256[:16],
        "cleaner": __version__,
        "chars_before": chars_in,
        "chars_after": len(outcome.text) if ok else 0,
        "steps": [s.to_dict() for s in outcome.steps],
        "meta": meta,
    }
    if not ok:
        return ItemResult(record, None)
    record["output"] = {"sha256": hashlib.sha256(outcome.text.encode("utf-8")).hexdigest()}
    if not as_record:
        return ItemResult(record, outcome.text)
    assert isinstance(item, Document)
    text_field = spec.text_field if raw.format != "warc" else "text"
    base = item.record if item.record is not None else {"id": item.id, "path": item.source.path}
    cleaned = {**base, text_field: outcome.text, "cleaner": {"id": item.id, "meta": meta}}
    return ItemResult(record, json_line(cleaned))
