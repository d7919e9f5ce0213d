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
  removed text and the rules' reasons, see :mod:`cleaner.io.provenance`);
* ``OUT/manifest.json``: versions, pack, options, counts by status and per rule.

How: the main process splits the inputs into *units* (batches of documents, in
order: :mod:`cleaner.running.plan`), workers clean them (:mod:`cleaner.running.worker`), and
the main process commits each unit as it comes back and assembles the outputs from the
units in order (:mod:`cleaner.running.assemble`). Finished units survive a crash
(:mod:`cleaner.running.state`), so the same command started again does only the rest.
Outputs and provenance are deterministic whatever ``jobs`` is; the manifest adds
timings and so differs between runs.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from contextlib import closing
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Generator, Iterator

from cleaner.core.engine import Pipeline
from cleaner.corpus.removals import with_removals
from cleaner.corpus.scan import corpus_rules
from cleaner.io.html import ExtractorUnavailable, require_extractor
from cleaner.io.readers import RawItem, check_text_field, discover, raw_id
from cleaner.io.writers import write_atomic
from cleaner.running.assemble import MANIFEST, Assembly, RunReport, _by_count, _manifest, _manifest_entry, _report_from
from cleaner.running.commit import commit_unit
from cleaner.running.outputs import Target, plan_targets, unused_compression
from cleaner.running.parallel import Terminated, can_fork, ordered_map, warm_up, writing
from cleaner.running.plan import (
    Job, RunError, RunOptions, _fingerprint, _identity, _positioned, _provenance_file, _record_keys, _size, _units,
    check_paths, pack_recipe, small_input,
)
from cleaner.running.state import RunState, StateError
from cleaner.running.worker import (
    ItemResult, ScanFailure, WorkSpec, clean_unit, current_spec, failed_result, init_worker, scan_unit_keeping,
)

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
    assembly = Assembly(state, targets, out_path, options.output, provenance)
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
    being scanned, are kept in OUT (:class:`~cleaner.running.state.RunState`), and only the
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
