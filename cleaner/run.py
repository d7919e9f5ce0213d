"""Clean a corpus: read every input, clean each document, write the outputs, and
account for every document in ``provenance.jsonl`` and ``manifest.json``.

Output contract (see README):

* text and HTML inputs: ``OUT/<relative path>.txt``, one cleaned file per document;
* record inputs (JSONL, parquet, WARC): one output per input file with the same
  records, the cleaned text in the text field and ``"cleaner": {"id", "meta"}``
  added (JSONL keeps its compression, parquet stays parquet, WARC becomes JSONL);
  dropped and failed records are left out (provenance has them);
* ``OUT/provenance.jsonl``: one line per input document, in input order (as
  ``provenance.jsonl.zst`` or ``.gz`` when compressed; light: steps without the
  removed text and the rules' reasons, see :mod:`cleaner.provenance`);
* ``OUT/manifest.json``: versions, pack, options, counts by status and per rule.

How: the main process splits the inputs into *units* (batches of documents, in
order), workers clean them (:mod:`cleaner.worker`), and the main process writes
each unit's outputs as it comes back, in order. Finished units survive a crash
(:mod:`cleaner.state`), so the same command started again does only the rest.
Outputs and provenance are deterministic whatever ``jobs`` is; the manifest adds
timings and so differs between runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import time
from collections import Counter, deque
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Generator, Iterator

from cleaner import __version__
from cleaner.char_account import CharAccount
from cleaner.corpus.removals import with_removals
from cleaner.corpus.scan import corpus_rules
from cleaner.document import extracted_from_html
from cleaner.engine import Pipeline
from cleaner.io.html import DEFAULT_EXTRACTOR, DEFAULT_TIME_LIMIT, ExtractorUnavailable, require_extractor
from cleaner.io.readers import RawItem, check_text_field, discover, iter_raw_items, raw_id
from cleaner.io.writers import json_line, write_atomic
from cleaner.outputs import OutputOptions, Target, inside, plan_targets, unused_compression
from cleaner.provenance import LEVELS, PROVENANCE, PROVENANCE_NAMES, provenance_lines, provenance_name
from cleaner.parallel import Terminated, can_fork, ordered_map, warm_up, writing
from cleaner.state import RunState, StateError
from cleaner.commit import Unit, commit_unit, record_key
from cleaner.worker import (
    ItemResult, ScanFailure, WorkSpec, clean_unit, current_spec, failed_result, init_worker, scan_unit_keeping,
)

MANIFEST = "manifest.json"

#: A unit (the grain of parallel work and of resuming) holds documents worth at most
#: this much work, or this many bytes of input. A text document or record costs 1;
#: an HTML page or WARC response, which trafilatura must parse, costs HTML_COST.
UNIT_COST = 100
UNIT_BYTES = 4 << 20
HTML_COST = 10

#: An input of at most this many bytes (one unit's worth) has its workers forked
#: from the main process, which has loaded the pack already, instead of from the
#: forkserver, which must first import cleaner and load the pack itself (~0.5-1 s,
#: measured: as long as cleaning the whole input takes). A worker still cleans
#: every document, so one that kills its worker fails alone. Larger inputs keep
#: the forkserver: workers forked from a clean interpreter, not from a main
#: process holding a corpus's statistics (see :mod:`cleaner.parallel`).
SMALL_INPUT = UNIT_BYTES


def small_input(path: Path, *, limit: int | None = None) -> bool:
    """Whether the files under ``path`` hold ``limit`` (default :data:`SMALL_INPUT`)
    bytes or fewer (stops counting as soon as they hold more: cheap on a large
    corpus too)."""
    limit = SMALL_INPUT if limit is None else limit
    if path.is_file():
        return _size(path) <= limit
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            total += _size(Path(folder) / name)
            if total > limit:
                return False
    return True


class RunError(ValueError):
    """The run cannot start (bad paths, OUT holds another run); nothing was written."""


@dataclass(frozen=True)
class ScanKept:
    """What the scan of an interrupted run keeps in ``OUT/.cleaner/``: the corpus
    rules whose scan finished (their statistics), and the rule whose scan was
    under way when the run stopped (None: every scan had finished) with the
    units of it already scanned."""

    finished: tuple[str, ...]
    interrupted: str | None = None
    units: int = 0


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM: ``terminated``) during a run: the finished units
    (``units``, holding ``documents`` and ``bytes_done`` of ``bytes_total`` input
    bytes, resumed ones included) stay in ``OUT/.cleaner/``, and so does what the
    scan found (``scan``; None without corpus rules); the same run started again
    does only the rest. Units are cut lazily, so their total is not known here.
    Still a KeyboardInterrupt for callers that only know that."""

    def __init__(
        self, units: int, documents: int, bytes_done: int, bytes_total: int, *,
        terminated: bool = False, scan: ScanKept | None = None,
    ) -> None:
        super().__init__(f"interrupted: {units} units ({documents} documents) kept")
        self.units, self.documents = units, documents
        self.bytes_done, self.bytes_total = bytes_done, bytes_total
        self.terminated, self.scan = terminated, scan


@dataclass
class RunOptions:
    text_field: str = "text"
    html_seconds: float | None = DEFAULT_TIME_LIMIT
    html_metadata: bool = True
    extractor: str = DEFAULT_EXTRACTOR  # the HTML main-text extractor (cleaner.io.html.EXTRACTORS)
    input_format: str | None = None
    keep_error_pages: bool = False  # WARC: HTML responses with an HTTP error status (4xx, 5xx) are documents too
    jobs: int = 1
    overwrite: bool = False
    output: OutputOptions = field(default_factory=OutputOptions)
    provenance_compress: str | None = None  # "gz" or "zst": provenance.jsonl.gz / .zst
    provenance_level: str = "full"  # "light": steps without removed text and reasons (cleaner.provenance)
    extra: dict[str, Any] = field(default_factory=dict)  # recorded in the manifest (e.g. --headings)


@dataclass
class RunReport:
    """What a run did; also the body of ``manifest.json``. Counted from provenance,
    so a resumed run reports the whole corpus."""

    documents: int = 0
    status: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    #: chars_in and chars_out taken apart: read or extracted from HTML, removed, added, replaced, dropped
    chars: CharAccount = field(default_factory=CharAccount)
    #: The extractor that gave the HTML pages' text (None: not known, a report read back from provenance)
    extractor: str | None = None
    bytes_read: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    drops: Counter = field(default_factory=Counter)
    drops_by_rule: Counter = field(default_factory=Counter)  # rule id -> documents it dropped
    seconds: float = 0.0
    resumed_units: int = 0
    #: The file name of the run's provenance in OUT (compressed: ``provenance.jsonl.zst``).
    provenance: str = PROVENANCE
    #: Units of the scan (summed over the corpus rules) read back from a run killed in the scan.
    resumed_scan_units: int = 0
    already_complete: bool = False
    #: Files under IN that were not read (unknown kinds; folders not entered end in
    #: ``/``), relative to IN, sorted, each with the reason: see
    #: :func:`cleaner.io.readers.discover`.
    skipped: dict[str, str] = field(default_factory=dict)
    #: WARC records that are not documents, counted by kind (``{"request": 3,
    #: "resource image/png": 2, "response 404": 1}``), most first: see :mod:`cleaner.io.warc`.
    skipped_records: dict[str, int] = field(default_factory=dict)
    #: What each corpus rule's scan found (rule id -> report: duplicate clusters,
    #: sites and their recurring lines), and a line for people about each.
    corpus: dict[str, Any] = field(default_factory=dict)
    corpus_summaries: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every document is ok or dropped, 1 when some failed or when there
        were none at all (IN held nothing cleaner reads: surely not what was meant)."""
        return 1 if self.status["failed"] or not self.documents else 0

    def count(self, record: dict[str, Any]) -> None:
        self.documents += 1
        status = record["status"]
        self.status[status] += 1
        for step in record["steps"]:
            if step.get("action") != "kept":  # a filter's note on a document it kept is no change
                self.rules[step["rule"]] += 1
        self.chars_in += record["chars_before"]
        self.chars_out += record["chars_after"]
        self.chars.add(record)
        if status == "failed":
            self.failures.append({"id": record["id"], "reason": record["reason"] or ""})
        elif status == "dropped":
            last = record["steps"][-1] if record["steps"] else {}
            # a filter's drop counts by its label (the reason without this document's values)
            self.drops[last.get("label") or record["reason"] or ""] += 1
            if last.get("action") == "dropped":
                self.drops_by_rule[last["rule"]] += 1


class Progress:
    """What the caller's display needs; all optional. Also a (no-op) context manager,
    so displays that hold a terminal can clean up."""

    def start(self, files: int, total_bytes: int) -> None: ...
    def advance(self, documents: int, nbytes: int) -> None: ...
    def phase(self, name: str) -> None:
        """A new pass over the whole input begins ("scanning for corpus/duplicates",
        then "cleaning"): the count starts again."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None: ...


#: The schemes of remote paths (``s3://bucket/x``), as they stand once a ``Path`` has
#: folded their ``//`` into one ``/``.
_REMOTE = re.compile(r"(s3|s3a|gs|gcs|hf|https?|az|abfss?|hdfs|ftp)://?", re.IGNORECASE)


def remote(path: Path | str) -> bool:
    """Whether ``path`` names a remote location (``s3://…``, ``gs://…``, ``hf://…``,
    ``http(s)://…``) rather than a local file; a local folder that happens to be
    named ``s3:`` is local when it exists."""
    return bool(_REMOTE.match(str(path))) and not Path(path).exists()


def check_paths(in_path: Path, out_path: Path) -> None:
    """Refuse paths that cannot work, before anything is written. Remote paths are
    refused by name: read as local ones, IN would "not exist" and OUT would be
    created as a local folder ``s3:/bucket``."""
    for role, path in (("input", in_path), ("output", out_path)):
        if remote(path):
            raise RunError(
                f"{role} {scheme_path(path)}: remote paths are not supported; copy the files to a local "
                "folder first, or clean them where they are with Ray (see docs/ray.md)"
            )
    if not in_path.exists():
        raise RunError(f"input {in_path} does not exist")
    if out_path.exists() and not out_path.is_dir():
        raise RunError(f"output {out_path} exists and is not a folder")
    if out_path.resolve() == in_path.resolve():
        raise RunError("the output folder must differ from the input folder")
    if in_path.is_file() and out_path.resolve() == in_path.resolve().parent:
        raise RunError("write the output to a folder other than the input file's own folder")


def scheme_path(path: Path) -> str:
    """A remote path as the user wrote it: ``Path`` makes ``s3://b/x`` ``s3:/b/x``."""
    return re.sub(r"^([A-Za-z0-9]+):/(?!/)", r"\1://", str(path))


def _provenance_file(options: RunOptions) -> str:
    """The name of the run's provenance file; a compression or level cleaner does
    not offer is refused (:class:`RunError`)."""
    if options.provenance_level not in LEVELS:
        raise RunError(f"provenance level must be one of {', '.join(LEVELS)}, not {options.provenance_level!r}")
    try:
        return provenance_name(options.provenance_compress)
    except ValueError as exc:
        raise RunError(str(exc)) from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _fingerprint(targets: list[Target], pipeline: Pipeline, options: RunOptions) -> str:
    """What makes a run this run: an OUT made by another refuses to resume it."""
    what = {
        "cleaner": __version__,
        "pack": pipeline.sha256,
        "text_field": options.text_field,
        "html_seconds": options.html_seconds,
        "html_metadata": options.html_metadata,
        "extractor": options.extractor,
        "input_format": options.input_format,
        "keep_error_pages": options.keep_error_pages,
        "output": [options.output.format, options.output.shard_size, options.output.compress],
        "provenance": [options.provenance_compress, options.provenance_level],
        "inputs": [(t.file.rel, t.size, _mtime(t.file.path)) for t in targets],
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def _identity(targets: list[Target], pipeline: Pipeline, options: RunOptions) -> dict[str, Any]:
    """The parts of the fingerprint in words, kept in OUT's state so that a refusal
    can say which differ ("option html_metadata: true -> false", "plugin x: code
    changed"). Small whatever the corpus: the inputs are counted and hashed."""
    inputs = json.dumps([(t.file.rel, t.size, _mtime(t.file.path)) for t in targets]).encode()
    return {
        "cleaner": __version__,
        "pack": f"{pipeline.name} ({pipeline.sha256[:12]})",
        "steps": [r.id for r in pipeline.rules],
        "rule options": rule_options(pipeline),
        "plugins": {d: f"{v['version']} (code {v['code_sha256'][:12]})" for d, v in plugins_of(pipeline).items()},
        "options": _run_options(options),
        "inputs": f"{len(targets)} files ({hashlib.sha256(inputs).hexdigest()[:12]})",
    }


def pack_recipe(pipeline: Pipeline) -> dict[str, Any] | None:
    """How :func:`cleaner.pack.load_pack` built the pipeline, as its arguments
    (pack files as absolute paths, built-in packs by name), so that ``cleaner
    explain --corpus OUT`` loads the run's pack without being told it; None for
    a pipeline built by hand."""
    if pipeline.packs is None:
        return None
    packs = [str(Path(p).resolve()) if Path(p).exists() else p for p in pipeline.packs]
    return {"packs": packs, "options": pipeline.options, "disable": list(pipeline.disable),
            "enable": list(pipeline.enable)}


def rule_options(pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    """The options in effect, by rule: the defaults as the packs and the caller set them."""
    return {r.id: dict(r.options) for r in pipeline.rules if r.options}


def plugins_of(pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    """The plugin distributions whose rules the pipeline runs: version, code hash, rules."""
    found: dict[str, dict[str, Any]] = {}
    for r in pipeline.rules:
        impl = pipeline.implementations.get(r.id)
        if impl is not None and impl.kind == "plugin":
            entry = found.setdefault(
                impl.distribution, {"version": impl.version, "code_sha256": impl.code_sha256, "rules": []}
            )
            entry["rules"].append(r.id)
    return found


def _run_options(options: RunOptions) -> dict[str, Any]:
    return {
        "text_field": options.text_field,
        "html_seconds": options.html_seconds,
        "html_metadata": options.html_metadata,
        "extractor": options.extractor,
        "input_format": options.input_format,
        "keep_error_pages": options.keep_error_pages,
        "output_format": options.output.format,
        "shard_size": options.output.shard_size,
        "compress": options.output.compress,
        "provenance_compress": options.provenance_compress,
        "provenance_level": options.provenance_level,
        **options.extra,
    }


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0




def _units(
    targets: list[Target], *, keep_error_pages: bool = False, passed_over: Counter[str] | None = None
) -> Iterator[tuple[str, Unit, int]]:
    """Batches of consecutive documents across files: ``(key, items, input bytes)``.
    Boundaries depend only on the inputs, so a resumed run cuts the same units.
    ``passed_over`` counts the WARC records that are not documents, by kind
    (see :func:`cleaner.io.readers.iter_raw_items`)."""
    unit: Unit = []
    nbytes = cost = 0
    number = 0
    for t in targets:
        attributed = 0
        for raw in iter_raw_items(t.file, keep_error_pages=keep_error_pages, passed_over=passed_over):
            item_cost = _cost(raw)
            size = t.size if raw.data is None and raw.record is None else len(raw.data or b"") + 1
            size = min(size, t.size - attributed)
            attributed += size
            unit.append((t, raw))
            nbytes += size
            cost += item_cost
            if cost >= UNIT_COST or nbytes >= UNIT_BYTES:
                yield f"{number:08d}", unit, nbytes
                unit, nbytes, cost, number = [], 0, 0, number + 1
        nbytes += t.size - attributed  # compressed or columnar files: the rest at their end
    if unit or nbytes:
        yield f"{number:08d}", unit, nbytes


def _cost(raw: RawItem) -> int:
    """A document's work, in units of a text document: an HTML page or WARC response,
    which the extractor parses, costs :data:`HTML_COST`; a WARC conversion record is text."""
    if extracted_from_html(raw.format, (raw.meta or {}).get("warc_type")):
        return HTML_COST
    return 1


def run_corpus(
    in_path: Path,
    out_path: Path,
    pipeline: Pipeline,
    options: RunOptions | None = None,
    *,
    progress: Progress | None = None,
) -> RunReport:
    """Clean everything under ``in_path`` into ``out_path``; see the module docs.

    Raises :class:`RunError` before writing anything when the paths or OUT's state
    do not allow the run.
    """
    options = options or RunOptions()
    progress = progress or Progress()
    check_paths(in_path, out_path)
    try:
        require_extractor(options.extractor)
    except ExtractorUnavailable as exc:
        raise RunError(str(exc)) from None
    provenance = _provenance_file(options)
    fork = options.jobs > 1 and small_input(in_path) and can_fork()
    if options.jobs > 1 and pipeline.packs is not None and not fork:  # the forkserver loads the pack meanwhile
        warm_up({"packs": list(pipeline.packs), "options": pipeline.options,
                 "disable": list(pipeline.disable), "enable": list(pipeline.enable)})
    started = time.perf_counter()
    discovery = discover(in_path, skip=out_path, input_format=options.input_format)
    files = discovery.files
    if in_path.is_file() and not files:
        raise RunError(
            f"{in_path}: cleaner does not read this kind of file (by its name); "
            "say which format it is with --input-format"
        )
    wrong_field = check_text_field(files, options.text_field)
    if wrong_field:
        raise RunError(wrong_field)
    targets = plan_targets(files, [_size(f.path) for f in files], options.output)
    plain_only = unused_compression(targets, options.output)
    if plain_only:
        raise RunError(plain_only)
    if options.jobs > 1 and pipeline.packs is None:
        raise RunError("a pipeline built by hand runs with jobs=1 only; build it with load_pack() to run in parallel")
    state = RunState(out_path)
    try:
        mode = state.prepare(
            _fingerprint(targets, pipeline, options), pipeline.sha256, overwrite=options.overwrite,
            identity=_identity(targets, pipeline, options), recipe=pack_recipe(pipeline),
        )
    except StateError as exc:
        raise RunError(str(exc)) from None
    if mode == "complete":
        report = _report_from(out_path / provenance)
        report.provenance = provenance
        report.already_complete = True
        report.skipped = discovery.skipped  # discovered again: what IN holds now
        report.extractor = options.extractor
        report.skipped_records = _manifest_entry(out_path, "skipped_records", {})  # the inputs are the run's
        return report
    progress.start(len(targets), sum(t.size for t in targets))

    spec = WorkSpec(
        pipeline.packs or (), pipeline.options, pipeline.sha256, options.text_field, options.html_seconds,
        options.html_metadata, options.extractor, disable=pipeline.disable, enable=pipeline.enable,
        keep_error_pages=options.keep_error_pages, provenance_level=options.provenance_level,
        out=str(out_path), output=options.output, keep_reads=bool(corpus_rules(pipeline.rules)),
    )
    resumed = 0
    kept: Counter = Counter()  # units, documents and input bytes finished, resumed ones too
    issued: dict[str, tuple[int, int]] = {}  # units handed to workers and not yet collected: documents, bytes
    # WARC records that are not documents, by kind: counted as every unit is cut, resumed
    # ones too, in the main process, so the same whatever jobs is and however often resumed
    passed_over: Counter[str] = Counter()

    in_process = options.jobs <= 1
    scan_resumed = 0
    if corpus_rules(pipeline.rules):
        saved = state.load_stats() if mode == "resume" else None
        if saved is None:
            try:
                saved, scan_resumed = _scan(targets, pipeline, spec, options.jobs, progress, state, fork=fork)
            except KeyboardInterrupt as stop:
                raise RunInterrupted(0, 0, 0, sum(t.size for t in targets), terminated=isinstance(stop, Terminated),
                                     scan=_scan_kept(state, pipeline)) from None
            _give_back_memory()
        stats, failures = saved
        spec = replace(spec, corpus_stats=stats, scan_failures=failures)
        progress.phase("cleaning")
    corpus_found = {rule_id: s.report() for rule_id, s in (spec.corpus_stats or {}).items() if hasattr(s, "report")}
    corpus_said = {rule_id: s.summary() for rule_id, s in (spec.corpus_stats or {}).items() if hasattr(s, "summary")}

    def pending() -> Iterator[Job]:
        """Units still to do, each with its shard number (shards close at the first
        unit boundary past the shard size; skipped units count too) and the place
        of its first document in the corpus."""
        nonlocal resumed
        shard = in_shard = 0
        for key, unit, nbytes, first in _positioned(
            _units(targets, keep_error_pages=options.keep_error_pages, passed_over=passed_over)
        ):
            if in_shard >= options.output.docs_per_shard:
                shard, in_shard = shard + 1, 0
            in_shard += len(unit)
            order.append((key, _record_keys(unit, options.output, shard)))  # for the assembly, in input order
            if state.unit_done(key):
                resumed += 1
                kept.update(units=1, documents=len(unit), bytes=nbytes)
                progress.advance(len(unit), nbytes)
                continue
            issued[key] = (len(unit), nbytes)
            yield key, unit, nbytes, shard, first

    order: deque[tuple[str, tuple[str, ...]]] = deque()  # units cut so far and not assembled yet
    assembly = _Assembly(state, targets, out_path, options.output, provenance)
    results = ordered_map(
        _clean_job, pending(), jobs=options.jobs, initializer=init_worker,
        initargs=(spec, pipeline if in_process or fork else None), on_broken=partial(_isolate, spec), fork=fork,
    )
    try:
        for (key, unit, nbytes, shard, _), unit_results in results:
            if unit_results is not None:  # isolated after a worker died: this process commits it
                commit_unit(state, key, unit, unit_results, out_path, options.output, shard)
            issued.pop(key, None)
            state.drop_reads(key)  # committed: nothing reads its pages again
            kept.update(units=1, documents=len(unit), bytes=nbytes)
            progress.advance(len(unit), nbytes)
            while order:  # this unit, and the resumed ones before it
                done, record_keys = order.popleft()
                assembly.add(done, record_keys)
                if done == key:
                    break
        while order:  # resumed units after the last one cleaned
            assembly.add(*order.popleft())
        report = assembly.finish()
    except KeyboardInterrupt as stop:
        assembly.abort()
        results.close()  # stop the workers now, not when the generator is collected
        for key, (documents, nbytes) in issued.items():  # committed by a worker, not yet collected here
            if state.unit_done(key):
                kept.update(units=1, documents=documents, bytes=nbytes)
        scans = tuple(r.id for r in corpus_rules(pipeline.rules))  # all finished before the clean began
        raise RunInterrupted(kept["units"], kept["documents"], kept["bytes"], sum(t.size for t in targets),
                             terminated=isinstance(stop, Terminated), scan=ScanKept(scans) if scans else None) from None
    report.seconds = time.perf_counter() - started
    report.resumed_units = resumed
    report.resumed_scan_units = scan_resumed
    report.skipped = discovery.skipped
    report.extractor = options.extractor
    report.skipped_records = _by_count(passed_over)
    report.corpus, report.corpus_summaries = with_removals(corpus_found, corpus_said, out_path / provenance)
    write_atomic(out_path / MANIFEST, _manifest(in_path, out_path, pipeline, options, report).encode("utf-8"))
    state.complete()
    return report


#: A unit of the clean phase: key, documents, input bytes, output shard, first document's place.
Job = tuple[str, Unit, int, int, int]


def _positioned(units: Iterator[tuple[str, Unit, int]]) -> Iterator[tuple[str, Unit, int, int]]:
    """Units with the place of their first document in the corpus (0-based)."""
    position = 0
    for key, unit, nbytes in units:
        yield key, unit, nbytes, position
        position += len(unit)


def _clean_job(job: Job) -> list[ItemResult] | None:
    """What a worker runs for one unit (module level, so it pickles): clean it and,
    when the spec names OUT, commit it there itself (None back: nothing left for
    the main process to write); else hand the results back."""
    key, unit, _, shard, first = job
    spec = current_spec()
    kept = _kept_reads(spec, key, [raw for _, raw in unit])
    results = clean_unit([(raw, t.as_record) for t, raw in unit], first, kept)
    if spec.out is None or spec.output is None:
        return results
    out = Path(spec.out)
    with writing():
        commit_unit(RunState(out), key, unit, results, out, spec.output, shard)
    return None


def _give_back_memory() -> None:
    """Hand the memory the scan freed (the duplicates' index, the line buffers) back
    to the system: glibc keeps a process's freed heap as its own otherwise, and the
    main process would carry it through the clean phase."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _scan_kept(state: RunState, pipeline: Pipeline) -> ScanKept:
    """What a scan interrupted now leaves in OUT for the next run: the rules whose
    statistics are kept, and the first other one with its units scanned so far."""
    finished, _ = state.load_scan_progress() or ({}, {})
    rules = [r.id for r in corpus_rules(pipeline.rules)]
    done = tuple(rule_id for rule_id in rules if rule_id in finished)
    rest = [rule_id for rule_id in rules if rule_id not in finished]
    if not rest:
        return ScanKept(done)
    parts = state.scan_part(rest[0], "any").parent  # the folder of the rule's unit sketches
    return ScanKept(done, rest[0], len(list(parts.glob("*.pickle"))))


#: A unit of a scan: rule id, unit key, raw items, first document's place, input bytes.
ScanJob = tuple[str, str, list[RawItem], int, int]


def _scan_job(job: ScanJob) -> list[Any]:
    """What a worker runs for one unit of a scan: the sketches of its documents for
    the rule, kept in OUT when the spec names it (a killed scan resumes there).
    The unit's HTML pages are read once per run: the first pass keeps them in OUT
    as it read them, and the later passes take them from there."""
    rule_id, key, items, first, _ = job
    spec = current_spec()
    kept = _kept_reads(spec, key, items)
    sketches, reads = scan_unit_keeping(items, first, rule_id, kept)
    if spec.out is not None:
        state = RunState(Path(spec.out))
        with writing():
            if spec.keep_reads and kept is None and any(r is not None for r in reads):
                state.save_reads(key, [raw_id(raw) for raw in items], reads)  # before the sketches: a kept scan part has them
            state.save_scan_part(rule_id, key, sketches)
    return sketches


def _kept_reads(spec: WorkSpec, key: str, items: list[RawItem]) -> list[Any] | None:
    """The unit's documents as an earlier pass of the run read them, or None (none
    kept, or a run that keeps none: the caller reads the inputs)."""
    if not spec.keep_reads or spec.out is None:
        return None
    return RunState(Path(spec.out)).load_reads(key, [raw_id(raw) for raw in items])


def _scan(
    targets: list[Target], pipeline: Pipeline, spec: WorkSpec, jobs: int, progress: Progress, state: RunState,
    *, fork: bool = False,
) -> tuple[tuple[dict[str, Any], dict[int, str]], int]:
    """The scan phase: each corpus rule's statistics, rule after rule in pack order
    (a rule scans the text as the rules before it leave it, corpus rules included,
    see :mod:`cleaner.corpus.scan`). Workers compute the sketches unit by unit; the
    statistics take them here, in input order, so they do not depend on ``jobs``.
    A unit whose worker dies gives no sketches (the clean phase fails its documents);
    a document whose scan raises is returned among the failures, by place.

    Resumable: the rules whose scan finished, and each unit's sketches of the rule
    being scanned, are kept in OUT (:class:`~cleaner.state.RunState`), and only the
    rest is scanned; the sketches read back are fed in their place in input order,
    so the statistics are those of a scan never interrupted. Returns the
    statistics (kept in OUT as the complete scan) and the scan units read back."""
    stats, failures = state.load_scan_progress() or ({}, {})
    resumed = 0
    for rule in corpus_rules(pipeline.rules):
        if rule.id in stats:  # finished before the run was killed
            continue
        assert rule.statistics is not None
        gathered = rule.statistics(**rule.options)
        phase = replace(spec, corpus_stats=dict(stats))
        progress.phase(f"scanning for {rule.id}")
        # closed at once on Ctrl-C, which ends the workers (else they live as long as the traceback)
        with closing(_scan_units(rule.id, targets, pipeline, phase, jobs, state, fork)) as units:
            for (first, nbytes, kept), sketches in units:
                resumed += kept
                progress.advance(len(sketches), nbytes)
                for position, entry in enumerate(sketches, first):
                    if isinstance(entry, ScanFailure):
                        failures.setdefault(position, entry.reason)
                    elif entry is not None:
                        gathered.add(*entry)
        stats[rule.id] = gathered
        state.save_scan_progress((stats, failures))
        state.drop_scan_parts(rule.id)
        # the kept form from here on, as a resumed run has it (it is also smaller:
        # what only the scan needs, such as the duplicates' index, is left out)
        stats, failures = state.load_scan_progress() or (stats, failures)
    state.save_stats((stats, failures))
    return (stats, failures), resumed


def _scan_units(
    rule_id: str, targets: list[Target], pipeline: Pipeline, spec: WorkSpec, jobs: int, state: RunState,
    fork: bool = False,
) -> Generator[tuple[tuple[int, int, bool], list[Any]], None, None]:
    """Each unit's sketches for ``rule_id`` in input order, with (first document's
    place, input bytes, read back?): read back from OUT where a killed run kept
    them, computed by the workers for the other units."""
    order: deque[tuple[str, int, int, int, bool]] = deque()  # key, documents, first place, bytes, kept

    def todo() -> Iterator[ScanJob]:
        for key, unit, nbytes, first in _positioned(_units(targets, keep_error_pages=spec.keep_error_pages)):
            kept = state.scan_part(rule_id, key).exists()
            order.append((key, len(unit), first, nbytes, kept))
            if not kept:
                yield rule_id, key, [raw for _, raw in unit], first, nbytes

    def read_back(key: str, documents: int) -> list[Any]:
        sketches = state.load_scan_part(rule_id, key)
        if sketches is None or len(sketches) != documents:
            state.scan_part(rule_id, key).unlink(missing_ok=True)
            raise RunError(
                f"{state.scan_part(rule_id, key)} (sketches kept by the interrupted scan) cannot be read back; "
                "it is removed now: run the same command again to scan that unit anew"
            )
        return sketches

    results = ordered_map(
        _scan_job, todo(), jobs=jobs, initializer=init_worker,
        initargs=(spec, pipeline if jobs <= 1 or fork else None), on_broken=lambda job, _error: [None] * len(job[2]),
        fork=fork,
    )
    with closing(results):
        for job, sketches in results:
            while order[0][4]:  # kept units before this one
                key, documents, first, nbytes, _ = order.popleft()
                yield (first, nbytes, True), read_back(key, documents)
            key, _, first, nbytes, _ = order.popleft()
            assert key == job[1], "scan results out of order"
            yield (first, nbytes, False), sketches
    for key, documents, first, nbytes, _ in order:  # kept units after the last one scanned
        yield (first, nbytes, True), read_back(key, documents)


WORKER_DIED = (
    "the worker process died while cleaning this document (killed by the OS, out of memory?, "
    "or a crash in native code), and again when it was tried alone"
)


def _isolate(spec: WorkSpec, job: Job, error: BaseException) -> list[ItemResult]:
    """A unit whose worker died, twice: clean its documents one by one in a fresh
    worker, so that only the document that kills its worker fails, with the reason."""
    key, unit, _, shard, first = job

    def dead(single: Job, _error: BaseException) -> list[ItemResult]:
        return [failed_result(raw, WORKER_DIED, spec.pack_sha256) for _, raw in single[1]]

    if len(unit) == 1:
        return dead(job, error)
    singles = [(key, [pair], 0, shard, first + n) for n, pair in enumerate(unit)]
    alone = replace(spec, out=None)  # one document is not its unit: the caller commits the whole
    done = ordered_map(_clean_job, singles, jobs=2, window=1, initializer=init_worker, initargs=(alone,), on_broken=dead)
    return [result for _, results in done for result in results]


def _record_keys(unit: Unit, output: OutputOptions, shard: int) -> tuple[str, ...]:
    """The record outputs a unit's documents may join (see :func:`record_key`), in order."""
    return tuple(sorted({record_key(t, output, shard) for t, _ in unit if t.as_record}))


class _Assembly:
    """The final record outputs and ``provenance.jsonl`` (``provenance``: its name,
    compressed or not), assembled from the units' parts as the units finish, in input
    order (the main process is idle while the workers clean; assembling everything at
    the end took 0.6-0.8 s of a 40 MB run).

    Each output is written under a temporary name (:class:`CompressedLineWriter`) and
    renamed into place once no later unit writes to it (outputs are in input order);
    ``provenance.jsonl``, whose presence marks a finished run, only by :meth:`finish`.
    Parquet outputs need every row's fields first: :meth:`finish` writes them from
    their parts. Temporary files a killed run left behind are removed at the start."""

    def __init__(
        self, state: RunState, targets: list[Target], out: Path, output: OutputOptions, provenance: str = PROVENANCE
    ) -> None:
        from cleaner.io.compression import CompressedLineWriter

        self.state, self.targets, self.out, self.output = state, targets, out, output
        self.report = RunReport(bytes_read=sum(t.size for t in targets), provenance=provenance)
        self.written: Counter[str] = Counter()
        self.writers: dict[str, CompressedLineWriter] = {}  # open record outputs, by record key
        self.closed: set[str] = set()
        # every record input gets its output file, even when nothing in it was ok
        self.expected = {} if output.sharded else {record_key(t, output, 0): t.out_rel for t in targets if t.as_record}
        self._remove_leftovers()
        self.prov = CompressedLineWriter(out / provenance)

    def destination(self, record: str) -> str:
        return self.output.shard_name(int(record[1:])) if self.output.sharded else self.expected[record]

    def _remove_leftovers(self) -> None:
        names = [inside(self.out, rel) for rel in self.expected.values()] + [self.out / n for n in PROVENANCE_NAMES]
        if self.output.sharded:
            names.append(self.out / "part-*")
        for path in names:
            for left in path.parent.glob(f".{path.name}.*.tmp"):  # CompressedLineWriter's temporary names
                left.unlink(missing_ok=True)

    def add(self, key: str, records: tuple[str, ...]) -> None:
        """One finished unit's record lines and provenance (``records``: the record
        outputs its documents may join)."""
        from cleaner.io.compression import CompressedLineWriter

        state = self.state
        for record in records:
            part = state.record_part(key, record)
            if record in self.closed or not part.exists():
                continue
            rel = self.destination(record)
            if rel.lower().endswith(".parquet"):
                continue
            writer = self.writers.get(record)
            if writer is None:
                writer = self.writers[record] = CompressedLineWriter(inside(self.out, rel))
            for line in state.lines(part):
                writer.write(line)
        for record in [r for r in self.writers if records and r < records[-1]]:  # no later unit writes there
            self.writers.pop(record).close()
            self.closed.add(record)
        for line in state.lines(state.prov_part(key)):
            item = json.loads(line)
            output_ref = item.get("output")
            if output_ref and "line" in output_ref:
                self.written[output_ref["path"]] += 1
                output_ref["line"] = self.written[output_ref["path"]]
                line = json_line(item)
            self.report.count(item)
            self.prov.write(line)

    def finish(self) -> RunReport:
        """Close every output (empty ones and parquet ones written now), provenance last."""
        from cleaner.io.compression import CompressedLineWriter

        for record in sorted(self.writers):
            self.writers.pop(record).close()
            self.closed.add(record)
        records = set(self.expected) | (self.state.record_keys() if self.output.sharded else set())
        for record in sorted(records - self.closed):
            rel = self.destination(record)
            if not rel.lower().endswith(".parquet"):
                CompressedLineWriter(inside(self.out, rel)).close()  # no record of it was ok
                continue
            from cleaner.io.parquet import write_parquet  # here: pyarrow takes ~0.3 s to import

            try:
                rows = _uniform_rows(self.state, self.state.record_parts(record))
                write_parquet(inside(self.out, rel), rows, compression=self.output.parquet_compression)
            except ValueError as exc:
                self.abort()
                raise RunError(
                    f"cannot write {rel}: {exc}. Records whose fields differ in type cannot share a "
                    "parquet file; run again with --output-format jsonl --overwrite"
                ) from None
        self.prov.close()
        for name in PROVENANCE_NAMES:  # an earlier run's (--overwrite) under another name would pass for this one's
            if name != self.report.provenance:
                (self.out / name).unlink(missing_ok=True)
        return self.report

    def abort(self) -> None:
        """Remove the temporary files of the outputs not finished (Ctrl-C)."""
        for writer in self.writers.values():
            writer.abort()
        self.writers.clear()
        self.prov.abort()


def _uniform_rows(state: RunState, parts: list[Path]) -> Iterator[dict[str, Any]]:
    """Rows with every field any row has (in first-seen order, missing ones null):
    records from different inputs seldom share all their fields, and a parquet
    file has one schema. Two passes over the parts: one for the fields, one to write."""
    fields: dict[str, None] = {}
    for part in parts:
        for line in state.lines(part):
            fields.update(dict.fromkeys(json.loads(line)))
    for part in parts:
        for line in state.lines(part):
            row = json.loads(line)
            yield {name: row.get(name) for name in fields}


def _by_count(counts: Counter[str]) -> dict[str, int]:
    """Counts as a dict, most first, then by name: the same for the same counts."""
    return dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


def _manifest_entry(out: Path, key: str, default: Any) -> Any:
    """One entry of the manifest a finished run in ``out`` wrote (``default`` when
    it is missing or unreadable)."""
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8")).get(key, default)
    except (OSError, ValueError, AttributeError):
        return default


def _report_from(provenance: Path) -> RunReport:
    report = RunReport()
    for line in provenance_lines(provenance):
        report.count(json.loads(line))
    return report


#: Libraries whose version can change what a run writes, whatever its extractor:
#: decoding, encoding repair, patterns, jusText's stoplists (page rules), the whole
#: page's text (lxml), near-duplicate signatures and hashes, the input formats.
OUTPUT_LIBRARIES = ("ftfy", "regex", "charset-normalizer", "lxml", "justext", "datasketch", "numpy", "xxhash",
                    "pyarrow", "warcio", "zstandard")

#: What each HTML extractor brings (trafilatura finds dates with htmldate and
#: normalises URLs with courlan): listed for the extractor the run used alone.
EXTRACTOR_LIBRARIES = {"trafilatura": ("trafilatura", "htmldate", "courlan"), "resiliparse": ("resiliparse",)}


def _versions(pipeline: Pipeline, extractor: str) -> dict[str, str]:
    """cleaner's, Python's and the versions of the libraries that shape the output
    (:data:`OUTPUT_LIBRARIES`, and the run's extractor's, not the other one's),
    and those of the plugin distributions whose rules ran. A library that is not
    installed is left out."""
    found = {"cleaner": __version__, "python": platform.python_version()}
    for dist in (*OUTPUT_LIBRARIES, *EXTRACTOR_LIBRARIES[extractor]):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            pass
    for dist, plugin in plugins_of(pipeline).items():
        found[dist] = plugin["version"]
    return found


def _manifest(in_path: Path, out_path: Path, pipeline: Pipeline, options: RunOptions, report: RunReport) -> str:
    manifest = {
        "cleaner_version": __version__,
        "versions": _versions(pipeline, options.extractor),
        "command": sys.argv,
        "input": str(in_path),
        "output": str(out_path),
        "pack": {
            "name": pipeline.name,
            "sha256": pipeline.sha256,
            "steps": [r.id for r in pipeline.rules],
            "options": rule_options(pipeline),  # in effect: pack files, then the command line
            "plugins": plugins_of(pipeline),
        },
        "options": {**_run_options(options), "jobs": options.jobs},
        "counts": {"documents": report.documents, **{s: report.status[s] for s in ("ok", "dropped", "failed")}},
        "rules": dict(report.rules.most_common()),
        "dropped_reasons": dict(report.drops.most_common()),
        "dropped_by_rule": dict(report.drops_by_rule.most_common()),
        "failures": report.failures,
        "skipped": {"count": len(report.skipped), "files": list(report.skipped), "reasons": report.skipped},
        "skipped_records": report.skipped_records,
        **({"corpus": report.corpus} if report.corpus else {}),
        "chars_in": report.chars_in,
        "chars_out": report.chars_out,
        "characters": report.chars.to_dict(),  # chars_in and chars_out taken apart (cleaner.char_account)
        "bytes_read": report.bytes_read,
        "seconds": round(report.seconds, 3),
        "resumed_units": report.resumed_units,
        "resumed_scan_units": report.resumed_scan_units,
        "cpu_count": os.cpu_count(),
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
