"""One document judged within its corpus, outside a run (``cleaner explain FILE
--corpus IN``): its corpus rules' verdicts are the ones ``cleaner run`` gives it.

Three steps, each the run's own: the inputs are found as a run finds them
(:func:`cleaner.io.readers.discover`, sorted by relative path); the document's
*place* is its index among every raw item of every input in that order (a text
file is one item, a JSONL line or parquet row one each, an unreadable rest of a
file one), which is how a run numbers documents for the corpus rules (the
duplicates' verdicts are keyed by it); the statistics are gathered by streaming
over the inputs once per corpus rule with the workers' own scan
(:func:`cleaner.running.worker.scan_unit`), one document in memory at a time, and finished
as a run hands them to its clean phase (pickled: only the compact form is kept).

A document that is not among the inputs is refused (:class:`NotInCorpus`) rather
than judged as an extra one at the end: its verdict would then depend on where
it was put, and would not be what any run writes.

Nothing here writes files or prints; this process's worker state is set up
(:func:`cleaner.running.worker.init_worker`), as an in-process run does.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from cleaner.corpus.model import CorpusContext, CorpusDoc
from cleaner.corpus.scan import corpus_rules
from cleaner.document import Document, ReadFailure
from cleaner.core.engine import Pipeline
from cleaner.running.state import WORK_DIR
from cleaner.io.html import DEFAULT_EXTRACTOR, DEFAULT_TIME_LIMIT
from cleaner.io.readers import InputFile, RawItem, discover, iter_raw_items, text_name
from cleaner.running.worker import Cleaned, ScanFailure, WorkSpec, clean_document, corpus_doc, init_worker, read_item, scan_unit

#: A rule's scan is about to start: ``(rule id, input files)``, for a message to people.
OnScan = Callable[[str, int], None]


class NotInCorpus(ValueError):
    """The document is not one of the corpus's inputs (outside it, hidden, of a
    kind a run does not read, or no such record)."""


@dataclass(frozen=True)
class Place:
    """Where a document sits in its corpus: its raw item (``raw.rel``: its path
    relative to the corpus root) and its 0-based place in input order."""

    raw: RawItem
    position: int


def spec_for(
    pipeline: Pipeline, *, text_field: str = "text", html_seconds: float | None = None, html_metadata: bool = True,
    extractor: str = DEFAULT_EXTRACTOR, keep_error_pages: bool = False,
) -> WorkSpec:
    """The work spec a run builds for this pipeline and these reading options."""
    return WorkSpec(
        pipeline.packs or (), pipeline.options, pipeline.sha256, text_field, html_seconds, html_metadata, extractor,
        disable=pipeline.disable, enable=pipeline.enable, keep_error_pages=keep_error_pages,
    )


def corpus_files(root: Path, *, skip: Path | None = None, input_format: str | None = None) -> list[InputFile]:
    """The files a run on ``root`` reads, in its order (``skip``: its OUT). Without
    ``skip``, the outputs of any run inside ``root`` (a folder holding
    ``.cleaner/state.json``) are left out too, as the run that wrote them left
    them out of its own inputs."""
    files = discover(root, skip=skip, input_format=input_format).files
    if skip is not None or not root.is_dir():
        return files
    runs: dict[Path, bool] = {}

    def in_a_run(folder: Path) -> bool:
        if folder not in runs:
            runs[folder] = (folder / WORK_DIR / "state.json").is_file() or (
                folder != root and folder.parent != folder and in_a_run(folder.parent))
        return runs[folder]

    return [f for f in files if not in_a_run(f.path.parent)]


def relative_path(root: Path, file: Path) -> str:
    """``file``'s path relative to ``root`` as a run names it (POSIX, names that
    are not UTF-8 escaped); raises :class:`NotInCorpus` when it is not under it.
    ``root`` may be the file itself (a run on one file)."""
    absolute, top = Path(os.path.abspath(file)), Path(os.path.abspath(root))
    if root.is_file():
        if absolute == top or file.resolve() == root.resolve():
            return text_name(root.name)
        raise NotInCorpus(f"{file} is not the corpus {root} (a file: the corpus is that one file)")
    for inner, outer in ((absolute, top), (file.resolve(), root.resolve())):
        try:
            return text_name(inner.relative_to(outer).as_posix())
        except ValueError:
            continue
    raise NotInCorpus(f"{file} is not inside the corpus {root}: give the folder (or run) it belongs to")


def items(files: list[InputFile], *, keep_error_pages: bool = False) -> Iterator[tuple[int, RawItem]]:
    """Every raw item of the corpus with its place, in input order, streaming
    (``keep_error_pages``: the run's option, which decides what a WARC file holds)."""
    position = 0
    for f in files:
        for raw in iter_raw_items(f, keep_error_pages=keep_error_pages):
            yield position, raw
            position += 1


def locate(files: list[InputFile], rel: str, line: int = 1, *, keep_error_pages: bool = False) -> Place:
    """The document at ``rel`` (for a record file, record number ``line``) and its
    place. Items before it are counted, not read (a record file's lines are split
    off, not parsed)."""
    if not any(f.rel == rel for f in files):
        raise NotInCorpus(
            f"{rel} is not among the inputs a run reads there (hidden, of a kind cleaner does not read, "
            "or inside the run's output)"
        )
    passed = False
    for position, raw in items(files, keep_error_pages=keep_error_pages):
        if raw.rel != rel:
            if passed:  # the file's items are over
                break
            continue
        passed = True
        if raw.position in (None, line):
            return Place(raw, position)
    raise NotInCorpus(f"{rel}: no record number {line}")


def scan_inputs(
    files: list[InputFile], pipeline: Pipeline, spec: WorkSpec, on_scan: OnScan | None = None
) -> tuple[dict[str, Any], dict[int, str]]:
    """Each corpus rule's statistics over ``files``, and the places whose scan
    raised (with the reason): what a run's scan phase finds, rule after rule in
    pack order, each rule scanning the text as the rules before it (corpus rules
    included) leave it. The statistics come back finished, as a run's clean phase
    receives them."""
    stats: dict[str, Any] = {}
    failures: dict[int, str] = {}
    for rule in corpus_rules(pipeline.rules):
        assert rule.statistics is not None
        if on_scan is not None:
            on_scan(rule.id, len(files))
        gathered = rule.statistics(**rule.options)
        init_worker(replace(spec, corpus_stats=dict(stats)), pipeline)
        for position, raw in items(files, keep_error_pages=spec.keep_error_pages):
            entry = scan_unit([raw], position, rule.id)[0]
            if isinstance(entry, ScanFailure):
                failures.setdefault(position, entry.reason)
            elif entry is not None:
                gathered.add(*entry)
        stats[rule.id] = pickle.loads(pickle.dumps(gathered, protocol=pickle.HIGHEST_PROTOCOL))  # the finished form
    init_worker(spec, pipeline)
    return stats, failures


@dataclass(frozen=True)
class Judged:
    """A document cleaned within its corpus, and what the corpus rules knew of it
    (id, place, site; None when it could not be read)."""

    cleaned: Cleaned
    doc: CorpusDoc | None


def judge(
    place: Place, pipeline: Pipeline, spec: WorkSpec, stats: dict[str, Any], failures: dict[int, str], *, trace: bool = False
) -> Judged:
    """Clean the document at ``place`` with the corpus's statistics, as a run's
    clean phase does (a document whose scan raised fails with that reason).
    ``trace``: keep each text change's before and after, for ``explain``."""
    item: Document | ReadFailure = read_item(place.raw, spec)
    doc = corpus_doc(item, place.position) if isinstance(item, Document) else None
    corpus = CorpusContext(doc, stats) if doc is not None else None
    if place.position in failures and isinstance(item, Document):
        item = ReadFailure(item.id, item.source, failures[place.position])
    return Judged(clean_document(item, pipeline, trace=trace, corpus=corpus), doc)


def judge_in_inputs(
    file: Path,
    root: Path,
    pipeline: Pipeline,
    *,
    line: int = 1,
    text_field: str = "text",
    input_format: str | None = None,
    html_seconds: float | None = DEFAULT_TIME_LIMIT,
    html_metadata: bool = True,
    extractor: str = DEFAULT_EXTRACTOR,
    trace: bool = False,
    on_scan: OnScan | None = None,
) -> Judged:
    """FILE's document (record ``line`` of a record file) judged within the corpus
    at ``root``, as ``cleaner run root OUT`` with this pipeline and these reading
    options would judge it. Raises :class:`NotInCorpus` before any scan when FILE
    is not one of the corpus's documents."""
    files = corpus_files(root, input_format=input_format)
    place = locate(files, relative_path(root, file), line)
    spec = spec_for(pipeline, text_field=text_field, html_seconds=html_seconds, html_metadata=html_metadata,
                    extractor=extractor)
    stats, failures = scan_inputs(files, pipeline, spec, on_scan)
    return judge(place, pipeline, spec, stats, failures, trace=trace)
