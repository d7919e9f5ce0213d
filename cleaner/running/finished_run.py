"""A finished run's OUT as evidence for one of its documents (``cleaner explain
FILE --corpus OUT``): which run made OUT, where the document sits in it, and the
document judged as that run judged it.

OUT names its run in ``OUT/.cleaner/state.json``: the fingerprint of inputs, pack
and options, and its parts in words (:mod:`cleaner.running.state`). The document is found
in ``OUT/provenance.jsonl`` (one line per document, in input order, so the line's
index is the document's place, by which a run keys its duplicates' verdicts): the
line whose ``source.path`` ends FILE's path and whose ``source.sha256`` (and
``source.line``, for a record) are FILE's. That also gives the run's input folder:
FILE's path without ``source.path``.

The pack is the run's own, loaded again from OUT's state (its *recipe*, see
:mod:`cleaner.running.state`), unless the caller gives one. The statistics come from OUT
(``corpus-stats.pickle``, which a run keeps), else (an OUT of an older cleaner)
from scanning the run's inputs again (:mod:`cleaner.corpus.within`), after
checking that they are the ones the run read. A pack given that differs from the
run's is not refused: the document is judged with it within the run's inputs,
scanned again with it (the run's statistics are its pack's), and
:attr:`RunJudged.pack_differs` says how it differs. Reading options or inputs
other than the run's are refused with what differs (:class:`RunMismatch`): a
verdict judged otherwise would not be the run's.

Nothing here writes files or prints.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from cleaner.corpus.within import (
    Judged, NotInCorpus, OnScan, Place, corpus_files, judge, locate, scan_inputs, spec_for,
)
from cleaner.core.engine import Pipeline
from cleaner.loading.pack import load_pack
from cleaner.core.rule import RuleError
from cleaner.io.html import DEFAULT_EXTRACTOR
from cleaner.io.readers import InputFile, format_of, iter_raw_items, load_document, text_name
from cleaner.running.outputs import OutputOptions, plan_targets
from cleaner.corpus.scan import corpus_rules
from cleaner.io.provenance import light_steps, provenance_lines, provenance_name
from cleaner.running.assemble import MANIFEST
from cleaner.running.plan import RunOptions, _identity, _run_options, _size
from cleaner.running.state import RunState, differences

#: The options of a run that decide how a document is read (the rest decide outputs).
READ_OPTIONS = ("text_field", "html_seconds", "html_metadata", "extractor", "input_format", "keep_error_pages")


class NotARun(ValueError):
    """The folder holds no finished cleaner run to explain from."""


class RunMismatch(ValueError):
    """The rules, options or inputs given differ from the run's: its verdicts
    cannot be reproduced with them."""


@dataclass(frozen=True)
class RunJudged:
    """A document judged within a finished run: what was judged now, the line
    the run wrote for it, where its input folder is (None: the statistics came
    from OUT and the inputs were not needed), the pack it was judged with, and
    how that pack differs from the run's (empty: it is the run's)."""

    judged: Judged
    record: dict[str, Any]
    place: Place
    root: Path | None
    pipeline: Pipeline
    pack_differs: tuple[str, ...] = ()
    provenance_level: str = "full"  # the run's: "light" lines keep no removed text
    corpus_rules: frozenset[str] = frozenset()  # their steps keep their why at the light level

    def differences(self) -> list[str]:
        """Where this judgement differs from the line the run wrote (status,
        reason, steps, as much of them as the run's provenance level keeps):
        empty when explain shows what the run did."""
        outcome = self.judged.cleaned.outcome
        # a filter's judgement of a kept document is a step of traced runs alone, unless it noted something
        steps = [s.to_dict() for s in outcome.steps if s.action != "kept" or s.why]
        if self.provenance_level == "light":
            steps = light_steps(steps, self.corpus_rules)
        now = {"status": outcome.status, "reason": outcome.reason, "steps": steps}
        return [key for key, value in now.items() if self.record.get(key) != value]


class FinishedRun:
    """OUT of a run that completed: its state, manifest and provenance."""

    def __init__(self, out: Path) -> None:
        self.out = out
        state_file = RunState(out).file
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise NotARun(
                f"{out} holds no cleaner run ({state_file} is missing or unreadable); give --corpus the OUT "
                "of a finished `cleaner run`, or the input folder to scan"
            ) from None
        if not isinstance(state.get("identity"), dict):
            raise NotARun(f"{out} was made by an older cleaner that does not record its run's options; run it again")
        self.identity: dict[str, Any] = state["identity"]
        #: The run's provenance file (``provenance.jsonl``, or compressed: ``.zst``, ``.gz``).
        self.provenance = out / provenance_name(self.options.get("provenance_compress"))
        if not state.get("complete") or not self.provenance.is_file():
            raise NotARun(
                f"{out} holds a run that has not finished; finish it (run the same command again), "
                "or give --corpus the input folder to scan"
            )
        self.fingerprint: str = state.get("fingerprint", "")
        recipe = state.get("recipe")
        self.recipe: dict[str, Any] | None = recipe if isinstance(recipe, dict) else None
        try:
            self.manifest: dict[str, Any] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = {}

    # --- which run ---------------------------------------------------------------

    @property
    def options(self) -> dict[str, Any]:
        """The run's options as its state records them."""
        found: dict[str, Any] = self.identity.get("options") or {}
        return found

    def pipeline(self) -> Pipeline | None:
        """The run's pack, loaded again as the run loaded it (OUT's recipe); None
        when OUT does not say (an older cleaner, a pipeline built by hand). Raises
        :class:`RunMismatch` when it no longer loads (a pack file gone or broken)."""
        recipe = self.recipe
        if recipe is None:
            return None
        try:
            return load_pack(recipe.get("packs") or (), options=recipe.get("options") or None,
                             disable=recipe.get("disable") or (), enable=recipe.get("enable") or (), warn=False)
        except RuleError as exc:
            raise RunMismatch(f"the pack of the run in {self.out} no longer loads ({exc}); give explain its --pack") from None

    def rule_options_given(self) -> dict[str, Any]:
        """The rule options the run was given on the command line (``--headings``,
        ``--disable``, ``--enable``), as its state records them: the ``extra`` of
        :meth:`run_options` for the run's own pack."""
        standard = set(_run_options(RunOptions()))
        return {name: value for name, value in self.options.items() if name not in standard}

    def run_options(self, **given: Any) -> RunOptions:
        """Options for this run, as a run with ``given`` would have them: the
        reading and output options are the run's unless given (``text_field``,
        ``input_format``); ``extra`` is the rule options given on the command line."""
        o = self.options
        extra = given.pop("extra", {})
        read = {name: o.get(name) for name in READ_OPTIONS}
        read.update({name: value for name, value in given.items() if value is not None})
        output = OutputOptions(format=o.get("output_format"), shard_size=o.get("shard_size"), compress=o.get("compress"))
        return RunOptions(
            provenance_compress=o.get("provenance_compress"), provenance_level=o.get("provenance_level") or "full",
            text_field=read["text_field"] or "text", html_seconds=read["html_seconds"],
            html_metadata=bool(read["html_metadata"]), extractor=read["extractor"] or DEFAULT_EXTRACTOR,
            input_format=read["input_format"], keep_error_pages=bool(read["keep_error_pages"]), output=output, extra=extra,
        )

    def command(self) -> str:
        """The run's command line, as the manifest recorded it ("" if it was no
        ``cleaner run``: the Python API)."""
        argv = self.manifest.get("command") or []
        if len(argv) < 2 or argv[1] != "run":
            return ""
        return "cleaner " + " ".join(shlex.quote(str(a)) for a in argv[1:])

    def changes(self, pipeline: Pipeline, options: RunOptions, *, reading_only: bool = False) -> list[str]:
        """How these rules and options differ from the run's, in words (empty:
        they are the run's). ``reading_only``: only the options that decide how a
        document is read, and cleaner's version (what a pack given cannot change)."""
        mine = _identity([], pipeline, options)
        if reading_only:
            ran, now = self.options, mine["options"]
            found = [f"option {name}: {ran.get(name)} -> {now.get(name)}" for name in READ_OPTIONS
                     if ran.get(name) != now.get(name)]
            if self.identity.get("cleaner") != mine["cleaner"]:
                found.append(f"cleaner: {self.identity.get('cleaner')} -> {mine['cleaner']}")
            return found
        return differences({k: v for k, v in self.identity.items() if k != "inputs"},
                           {k: v for k, v in mine.items() if k != "inputs"})

    def check(self, pipeline: Pipeline, options: RunOptions, *, reading_only: bool = False) -> None:
        """Refuse rules or options other than the run's (``reading_only``: reading
        options), naming the differences."""
        changes = self.changes(pipeline, options, reading_only=reading_only)
        if changes:
            ran = self.command()
            raise RunMismatch(
                f"{self.out} was made with other rules or options than these (the run's -> these): {'; '.join(changes)}. "
                "Give explain the run's --pack, --disable, --enable and --headings"
                + (f" (the run was: {ran})" if ran else "")
                + ", or --corpus the input folder to judge the document with these"
            )

    # --- where the document is ---------------------------------------------------

    def records(self) -> Iterator[tuple[int, str]]:
        """``(place, raw line)`` of every provenance line, in input order."""
        yield from enumerate(provenance_lines(self.provenance))

    def find(self, file: Path, *, line: int, input_format: str | None, text_field: str = "text") -> tuple[int, dict[str, Any]]:
        """The place and provenance line of FILE's document (record ``line`` of a
        record file): the longest ``source.path`` that ends FILE's path and whose
        hash (and record number) are FILE's. Raises :class:`NotInCorpus`."""
        parts = tuple(text_name(p) for p in Path(os.path.abspath(file)).parts)
        name = parts[-1]
        marks = {json.dumps(name)[1:-1], json.dumps(name, ensure_ascii=False)[1:-1]}
        hashes: dict[str, str | None] = {}
        best: tuple[int, dict[str, Any]] | None = None
        for position, raw_line in self.records():
            if not any(mark in raw_line for mark in marks):
                continue
            record = json.loads(raw_line)
            source = record.get("source") or {}
            rel = source.get("path") or ""
            rel_parts = PurePosixPath(rel).parts
            if not rel_parts or parts[-len(rel_parts):] != rel_parts:
                continue
            if source.get("line") not in (None, line):  # records: the one asked for
                continue
            if rel not in hashes:
                hashes[rel] = _sha_of(file, rel, input_format or source.get("format"), line, text_field)
            recorded = source.get("sha256")
            if recorded and hashes[rel] and recorded != hashes[rel]:
                continue
            if best is None or len(rel_parts) > len(PurePosixPath(best[1]["source"]["path"]).parts):
                best = (position, record)
        if best is None:
            raise NotInCorpus(
                f"{file} is not a document of the run in {self.out} (no line of its {self.provenance.name} has this "
                "path and these bytes: a file added or changed since the run?); give --corpus the input "
                "folder to judge it within the corpus as it is now"
            )
        return best

    def root_of(self, file: Path, rel: str) -> list[Path]:
        """Where the run's input can be, given that FILE is its ``rel``: the folder
        FILE's path ends in ``rel`` under, or (a run on one file) FILE itself."""
        absolute = Path(os.path.abspath(file))
        depth = len(PurePosixPath(rel).parts)
        found = [absolute.parents[depth - 1]]
        if depth == 1:
            found.append(absolute)
        return found

    def inputs_at(self, root: Path, pipeline: Pipeline, options: RunOptions) -> list[InputFile] | None:
        """The run's input files under ``root`` if they are the ones the run read
        (the same names, sizes and times), else None."""
        files = corpus_files(root, skip=self.out, input_format=options.input_format)
        targets = plan_targets(files, [_size(f.path) for f in files], options.output)
        return files if _identity(targets, pipeline, options)["inputs"] == self.identity.get("inputs") else None

    def inputs_changed(self, root: Path, pipeline: Pipeline, options: RunOptions) -> str:
        files = corpus_files(root, skip=self.out, input_format=options.input_format)
        targets = plan_targets(files, [_size(f.path) for f in files], options.output)
        now = _identity(targets, pipeline, options)
        return "; ".join(differences({"inputs": self.identity.get("inputs")}, {"inputs": now["inputs"]})) or "the inputs differ"


def _sha_of(file: Path, rel: str, fmt: str | None, line: int, text_field: str) -> str | None:
    """The ``source.sha256`` a run gives FILE's document (record ``line``): the
    file's bytes for text and HTML, the record's for record files."""
    if fmt in (None, "txt", "md", "html"):
        try:
            return hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            return None
    raw = next((r for r in iter_raw_items(InputFile(file, rel, fmt)) if r.position in (None, line)), None)
    return None if raw is None else load_document(raw, text_field=text_field).source.sha256 or None


def judge_in_run(
    file: Path,
    out: Path,
    pipeline: Pipeline | None = None,
    *,
    line: int = 1,
    text_field: str | None = None,
    input_format: str | None = None,
    extractor: str | None = None,
    extra: dict[str, Any] | None = None,
    trace: bool = False,
    on_scan: OnScan | None = None,
) -> RunJudged:
    """FILE's document judged as the run in ``out`` judged it: with the run's
    pack (``pipeline`` None; the default pack for an OUT that does not record
    it) and the statistics OUT keeps, or with ``pipeline`` (and ``extra``, the
    rule options given on the command line) within the run's inputs, scanned
    again when it differs from the run's pack. Raises :class:`NotARun`,
    :class:`RunMismatch` (other reading options or inputs, or, without a
    pipeline given, a pack that changed since) or :class:`NotInCorpus` (FILE is
    not one of the run's documents)."""
    run = FinishedRun(out)
    given = pipeline is not None
    if pipeline is None:
        pipeline = run.pipeline()
        extra = run.rule_options_given() if pipeline is not None else extra
        pipeline = pipeline or load_pack()
    options = run.run_options(text_field=text_field, input_format=input_format, extractor=extractor, extra=extra or {})
    run.check(pipeline, options, reading_only=given)
    differs = tuple(run.changes(pipeline, options))
    position, record = run.find(file, line=line, input_format=options.input_format, text_field=options.text_field)
    rel = record["source"]["path"]
    spec = spec_for(pipeline, text_field=options.text_field, html_seconds=options.html_seconds,
                    html_metadata=options.html_metadata, extractor=options.extractor,
                    keep_error_pages=options.keep_error_pages)
    saved = RunState(out).load_stats() if not differs else None  # the run's statistics are its pack's
    root: Path | None = None
    if saved is not None:
        stats, failures = saved
        fmt = options.input_format or format_of(file.name) or record["source"].get("format")
        raws = iter_raw_items(InputFile(file, rel, fmt), keep_error_pages=options.keep_error_pages)
        raw = next(r for r in raws if r.position in (None, line))
        place = Place(raw, position)
    else:
        root, files = _run_inputs(run, file, rel, pipeline, options, differs)
        place = locate(files, rel, line, keep_error_pages=options.keep_error_pages)
        if place.position != position:
            raise RunMismatch(
                f"{rel} is document {place.position + 1} of the inputs at {root} but document {position + 1} "
                f"of the run in {out}; the run's documents cannot be told apart: judge it with --corpus {root}"
            )
        stats, failures = scan_inputs(files, pipeline, spec, on_scan)
    judged = judge(place, pipeline, spec, stats, failures, trace=trace)
    return RunJudged(judged, record, place, root, pipeline, differs, provenance_level=options.provenance_level,
                     corpus_rules=frozenset(r.id for r in corpus_rules(pipeline.rules)))


def _run_inputs(
    run: FinishedRun, file: Path, rel: str, pipeline: Pipeline, options: RunOptions, differs: tuple[str, ...]
) -> tuple[Path, list[InputFile]]:
    """The run's input folder and files, found from FILE (whose path in the run is
    ``rel``); :class:`RunMismatch` when they are not those the run read."""
    candidates = run.root_of(file, rel)
    found = next(((root, files) for root in candidates if (files := run.inputs_at(root, pipeline, options))), None)
    if found is None:
        why = "the pack given differs from the run's" if differs else "OUT no longer holds the run's statistics"
        raise RunMismatch(
            f"the inputs at {candidates[0]} are not those the run in {run.out} read "
            f"({run.inputs_changed(candidates[0], pipeline, options)}), and {why}; give --corpus {candidates[0]} "
            "to judge the document within the corpus as it is now"
        )
    return found
