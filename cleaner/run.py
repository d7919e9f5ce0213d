"""Clean a corpus: read every input, clean each document, write the outputs, and
account for every document in ``provenance.jsonl`` and ``manifest.json``.

Output contract (see README):

* text and HTML inputs: ``OUT/<relative path>.txt``, one cleaned file per document;
* JSONL inputs: ``OUT/<relative path>.jsonl`` with the same records, the cleaned text
  in the text field and ``"cleaner": {"id", "meta"}`` added; dropped and failed
  records are left out (provenance has them);
* ``OUT/provenance.jsonl``: one line per input document, in input order;
* ``OUT/manifest.json``: versions, pack, options, counts by status and per rule.

Outputs and provenance are deterministic: the same inputs and pack give the same bytes.
The manifest adds timings and so differs between runs.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from cleaner import __version__
from cleaner.document import Document, ReadFailure
from cleaner.engine import Outcome, Pipeline
from cleaner.io.html import DEFAULT_TIME_LIMIT
from cleaner.io.readers import InputFile, discover, read_documents
from cleaner.io.writers import AtomicLines, json_line, write_atomic

PROVENANCE = "provenance.jsonl"
MANIFEST = "manifest.json"


class RunError(ValueError):
    """The run cannot start (bad paths); nothing has been written."""


@dataclass
class RunOptions:
    text_field: str = "text"
    html_seconds: float | None = DEFAULT_TIME_LIMIT
    extra: dict[str, Any] = field(default_factory=dict)  # recorded in the manifest (e.g. --headings)


@dataclass
class RunReport:
    """What a run did; also the body of ``manifest.json``."""

    documents: int = 0
    status: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    bytes_read: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    drops: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when every document is ok or dropped, 1 when some failed."""
        return 1 if self.status["failed"] else 0


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _versions() -> dict[str, str]:
    found = {"cleaner": __version__, "python": platform.python_version()}
    for dist in ("ftfy", "trafilatura", "regex", "charset-normalizer"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return found


class _TextOutputs:
    """Maps a text or HTML input to its ``.txt`` output; a second input that would
    land on the same path (``a.html`` and ``a.txt``) keeps its full name (``a.html.txt``)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def path_for(self, rel: str) -> str:
        p = PurePosixPath(rel)
        out = p.with_suffix(".txt").as_posix()
        if out in self.taken:
            out = f"{rel}.txt"
        self.taken.add(out)
        return out


def check_paths(in_path: Path, out_path: Path) -> None:
    """Refuse paths that cannot work, before anything is written."""
    if not in_path.exists():
        raise RunError(f"input {in_path} does not exist")
    if out_path.exists() and not out_path.is_dir():
        raise RunError(f"output {out_path} exists and is not a folder")
    if out_path.resolve() == in_path.resolve():
        raise RunError("the output folder must differ from the input folder")
    if in_path.is_file() and out_path.resolve() == in_path.resolve().parent:
        raise RunError("write the output to a folder other than the input file's own folder")


def run_corpus(
    in_path: Path,
    out_path: Path,
    pipeline: Pipeline,
    options: RunOptions | None = None,
    *,
    on_file: Callable[[InputFile, int, int], None] | None = None,
    on_start: Callable[[list[InputFile]], None] | None = None,
) -> RunReport:
    """Clean everything under ``in_path`` into ``out_path``; see the module docs.

    ``on_start(files)`` is called once with the inputs found, ``on_file(file,
    documents, bytes)`` after each input file, for progress display.
    """
    options = options or RunOptions()
    check_paths(in_path, out_path)
    started = time.perf_counter()
    files = discover(in_path, skip=out_path)
    if on_start:
        on_start(files)
    out_path.mkdir(parents=True, exist_ok=True)
    report = RunReport()
    text_outputs = _TextOutputs()
    with AtomicLines(out_path / PROVENANCE) as provenance:
        for f in files:
            before = report.documents
            if f.format == "jsonl":
                _run_jsonl(f, out_path, pipeline, options, report, provenance)
            else:
                for item in read_documents(f, text_field=options.text_field, html_seconds=options.html_seconds):
                    out_rel = text_outputs.path_for(f.rel)
                    record = _process(item, pipeline, report)
                    if record["status"] == "ok":
                        data = record.pop("_text").encode("utf-8")
                        write_atomic(out_path / out_rel, data)
                        record["output"] = {"path": out_rel, "sha256": hashlib.sha256(data).hexdigest()}
                    provenance.write(json_line(record))
            if on_file:
                on_file(f, report.documents - before, _size(f.path))
            report.bytes_read += _size(f.path)
    report.seconds = time.perf_counter() - started
    write_atomic(out_path / MANIFEST, _manifest(in_path, out_path, pipeline, options, report).encode("utf-8"))
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _run_jsonl(
    f: InputFile, out_path: Path, pipeline: Pipeline, options: RunOptions, report: RunReport, provenance: AtomicLines
) -> None:
    out_rel = f.rel
    written = 0
    with AtomicLines(out_path / out_rel) as out:
        for item in read_documents(f, text_field=options.text_field):
            record = _process(item, pipeline, report)
            if record["status"] == "ok":
                text = record.pop("_text")
                assert isinstance(item, Document) and item.record is not None
                cleaned = {**item.record, options.text_field: text, "cleaner": {"id": item.id, "meta": record["meta"]}}
                out.write(json_line(cleaned))
                written += 1
                record["output"] = {"path": out_rel, "line": written, "sha256": _sha256_text(text)}
            provenance.write(json_line(record))


def _process(item: Document | ReadFailure, pipeline: Pipeline, report: RunReport) -> dict[str, Any]:
    """Clean one document and build its provenance record (with the text under
    ``_text`` when it is ok, for the caller to write)."""
    report.documents += 1
    if isinstance(item, ReadFailure):
        outcome = Outcome(text="", status="failed", reason=item.reason)
        doc_meta: dict[str, Any] = {}
        chars_in = 0
    else:
        outcome = pipeline.clean(item.text)
        if outcome.status == "dropped" and not item.text.strip() and item.source.format == "html":
            outcome.reason = "trafilatura found no main text in the page"
        doc_meta = {**item.meta}
        for key, value in outcome.meta.items():
            doc_meta.setdefault(key, value)
        chars_in = len(item.text)
    report.status[outcome.status] += 1
    for step in outcome.steps:
        report.rules[step.rule] += 1
    report.chars_in += chars_in
    if outcome.status == "ok":
        report.chars_out += len(outcome.text)
    elif outcome.status == "failed":
        report.failures.append({"id": item.id, "reason": outcome.reason or ""})
    else:
        report.drops[outcome.reason or ""] += 1
    record: dict[str, Any] = {
        "id": item.id,
        "status": outcome.status,
        "reason": outcome.reason,
        "source": item.source.to_dict(),
        "output": None,
        "pack": pipeline.sha256[:16],
        "cleaner": __version__,
        "chars_before": chars_in,
        "chars_after": len(outcome.text) if outcome.status == "ok" else 0,
        "steps": [s.to_dict() for s in outcome.steps],
        "meta": doc_meta,
    }
    if outcome.status == "ok":
        record["_text"] = outcome.text
    return record


def _manifest(in_path: Path, out_path: Path, pipeline: Pipeline, options: RunOptions, report: RunReport) -> str:
    manifest = {
        "cleaner_version": __version__,
        "versions": _versions(),
        "command": sys.argv,
        "input": str(in_path),
        "output": str(out_path),
        "pack": {"name": pipeline.name, "sha256": pipeline.sha256, "steps": [r.id for r in pipeline.rules]},
        "options": {**asdict(options), **options.extra},
        "counts": {
            "documents": report.documents,
            **{s: report.status[s] for s in ("ok", "dropped", "failed")},
        },
        "rules": dict(report.rules.most_common()),
        "dropped_reasons": dict(report.drops.most_common()),
        "failures": report.failures,
        "chars_in": report.chars_in,
        "chars_out": report.chars_out,
        "bytes_read": report.bytes_read,
        "seconds": round(report.seconds, 3),
    }
    manifest["options"].pop("extra", None)
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
