"""Plan a run before anything is written: refuse paths and options that cannot work, say what
makes a run this run (its fingerprint, and the same in words for a refusal to resume), and cut
the inputs into *units*, the batches of documents that are the grain of parallel work and of
resuming. Unit boundaries depend only on the inputs, so a resumed run cuts the same units.

Used by :mod:`cleaner.running.run` (which runs the units) and :mod:`cleaner.running.finished_run`
(which checks a finished run against the same identity).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from cleaner.core.engine import Pipeline
from cleaner.core.version import __version__
from cleaner.document import extracted_from_html
from cleaner.io.html import DEFAULT_EXTRACTOR, DEFAULT_TIME_LIMIT
from cleaner.io.provenance import LEVELS, provenance_name
from cleaner.io.readers import RawItem, iter_raw_items
from cleaner.running.commit import Unit, record_key
from cleaner.running.outputs import OutputOptions, Target

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
#: process holding a corpus's statistics (see :mod:`cleaner.running.parallel`).
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
    provenance_level: str = "full"  # "light": steps without removed text and reasons (cleaner.io.provenance)
    extra: dict[str, Any] = field(default_factory=dict)  # recorded in the manifest (e.g. --headings)


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
    """How :func:`cleaner.loading.pack.load_pack` built the pipeline, as its arguments
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


#: A unit of the clean phase: key, documents, input bytes, output shard, first document's place.
Job = tuple[str, Unit, int, int, int]


def _positioned(units: Iterator[tuple[str, Unit, int]]) -> Iterator[tuple[str, Unit, int, int]]:
    """Units with the place of their first document in the corpus (0-based)."""
    position = 0
    for key, unit, nbytes in units:
        yield key, unit, nbytes, position
        position += len(unit)


def _record_keys(unit: Unit, output: OutputOptions, shard: int) -> tuple[str, ...]:
    """The record outputs a unit's documents may join (see :func:`record_key`), in order."""
    return tuple(sorted({record_key(t, output, shard) for t, _ in unit if t.as_record}))
