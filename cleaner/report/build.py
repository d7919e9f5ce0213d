"""Building ``OUT/report.html`` from a finished run's OUT: find its manifest and
provenance, gather in one streaming pass (:mod:`~cleaner.report.collect`), read the
sampled documents' texts back (:mod:`~cleaner.report.sources`), write the page
(:mod:`~cleaner.report.render`) atomically."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from cleaner.core.engine import Pipeline
from cleaner.io.errors import CorruptInputError
from cleaner.io.provenance import PROVENANCE_NAMES, provenance_lines
from cleaner.io.writers import write_atomic
from cleaner.report import render
from cleaner.report.collect import collect
from cleaner.report.sources import Texts, private_mask, texts
from cleaner.running.state import REPORT, WORK_DIR

REPORT_NAME = REPORT
MANIFEST = "manifest.json"


class NotAReport(ValueError):
    """OUT holds no finished run to report on (no manifest or no provenance)."""


class ReportNotWritten(OSError):
    """The page was built but could not be written into OUT."""


@dataclass
class Built:
    path: Path
    documents: int
    seconds: float
    size: int


def find_provenance(out: Path) -> Path:
    """The run's provenance file in ``out`` (plain or compressed)."""
    for name in PROVENANCE_NAMES:
        if (out / name).is_file():
            return out / name
    raise NotAReport(f"{out} holds no provenance.jsonl (nor .gz, .zst): give the OUT of a finished `cleaner run`")


def unfinished(out: Path) -> None:
    """Refuse an OUT whose run has not finished (killed, or still running): its state says so.
    A run started over there (``--overwrite``) leaves the previous run's manifest and provenance
    until it finishes: reporting them would show the old run as this one. An OUT without
    state (copied without ``.cleaner/``, or from a cleaner before the state) is reported."""
    try:
        state = json.loads((out / WORK_DIR / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(state, dict) and state.get("complete") is False:
        raise NotAReport(
            f"{out} holds a run that has not finished (stopped, or still running): run the same `cleaner run` "
            "command again to finish it, then `cleaner report` it"
            + ("; the manifest.json there may be an earlier run's" if (out / MANIFEST).is_file() else "")
        )


def read_manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotAReport(f"{out} holds no manifest.json: give the OUT of a finished `cleaner run`") from None
    except (OSError, ValueError) as exc:
        raise NotAReport(f"{path} is not readable JSON ({exc})") from None
    if not isinstance(found, dict) or "counts" not in found:
        raise NotAReport(f"{path} is not a cleaner run's manifest")
    return found


def run_pipeline(out: Path, manifest: dict[str, Any]) -> tuple[Pipeline | None, bool]:
    """The run's pack, for its private rules (``private=True``: ``pii/*`` and any plugin's),
    and whether the run had any: loaded again from OUT's state, else from the manifest's steps
    (their private ones with their options). ``(None, True)`` when neither tells (a step not
    known here may be private): then no before-text is shown."""
    try:
        from cleaner.running.finished_run import FinishedRun

        pipeline = FinishedRun(out).pipeline()
        if pipeline is not None:
            return pipeline, bool(pipeline.private)
    except Exception:  # an older OUT, a pack gone: fall back on the manifest
        pass
    pack = manifest.get("pack") or {}
    steps = pack.get("steps")
    if not isinstance(steps, list):
        return None, True
    try:
        from cleaner.loading.pack import load_pack
        from cleaner.loading.registry import default_registry

        registry = default_registry()
        if not all(isinstance(s, str) and s in registry for s in steps):
            return None, True
        private = [s for s in steps if registry.get(s).private]
        if not private:
            return None, False
        options = {k: v for k, v in (pack.get("options") or {}).items() if k in private}
        return load_pack(enable=private, options=options or None, warn=False), True
    except Exception:
        return None, True


def build_report(
    out: Path,
    *,
    input_root: Path | None = None,
    on_start: Callable[[int], None] | None = None,
    on_line: Callable[[], None] | None = None,
    documents: tuple[str, ...] = (),
    on_phase: Callable[[str], None] | None = None,
) -> Built:
    """Write ``out/report.html``. ``input_root``: where the run's inputs are now
    (default: the manifest's ``input``). ``on_start(documents)`` is called once with
    the manifest's document count, ``on_line()`` after each provenance line.
    ``on_phase(name)`` when the
    pass over provenance is done and the next step begins. ``documents``: ids of documents to show side by side before the sampled ones.
    Raises :class:`NotAReport` when ``out`` is not a finished run's folder."""
    started = time.perf_counter()
    if out.is_file():
        raise NotAReport(f"{out} is a file: give the folder of a finished `cleaner run` (its OUT)")
    if not out.is_dir():
        raise NotAReport(f"{out}: no such folder")
    unfinished(out)
    manifest = read_manifest(out)
    provenance = find_provenance(out)
    total = int((manifest.get("counts") or {}).get("documents") or 0)
    if on_start is not None:
        on_start(total)
    try:
        found = collect(provenance_lines(provenance), total, on_line, frozenset(documents))
    except (ValueError, CorruptInputError) as exc:  # a truncated or damaged file: said, not a traceback
        raise NotAReport(f"{provenance}: {exc}") from None
    pipeline, needs_mask = run_pipeline(out, manifest)
    mask = private_mask(pipeline, needs_mask)
    root = input_root if input_root is not None else run_input(manifest, out)
    options = manifest.get("options") or {}
    shown = _shown(found, documents)
    if on_phase is not None:
        on_phase(f"reading {render.counted(len(shown), 'document')} again, before and after")
    diffs: list[tuple[dict[str, Any], Texts]] = [(r, texts(r, out, root, options, mask)) for r in shown]
    notes = []
    missing = sorted(set(documents) - {str(r.get("id")) for r in found.chosen})
    if missing:
        notes.append(f"No document has the id {', '.join(missing)} (asked for with --diff).")
    if found.documents != total:
        notes.append(f"provenance has {found.documents:,} documents, the manifest {total:,}: the figures at the top "
                     "are the manifest's, the rest provenance's")
    if root is not None and not root.exists():
        given = str(manifest.get("input") or "")
        if input_root is None and not Path(given).is_absolute() and run_folder(manifest, out) is None:
            notes.append(f"The run was given its input as a relative path ({given}) and the folder it was started "
                         f"in is not recorded: {root} is not it, so the texts before cleaning cannot be shown "
                         "(give --input IN, or run `cleaner report` from the folder the run was started in).")
        else:
            notes.append(f"The run's input {root} is no longer there: the texts before cleaning cannot be shown "
                         "(give --input IN where it is now).")
    # a note names the input's path: masked as the page's header masks it (withheld with it)
    notes = [mask(note) if mask is not None else _without(note, (str(root), str(manifest.get("input") or ""),
                                                                   str(manifest.get("input_absolute") or "")))
             for note in notes]
    html = render.page(manifest, found, diffs, name=out.resolve().name, mask=mask or _withheld, notes=notes,
                       input_root=root)
    path = out / REPORT_NAME
    data = html.encode("utf-8")
    try:
        write_atomic(path, data)
    except OSError as exc:  # a read-only OUT, a full disk, a folder in the way
        raise ReportNotWritten(f"cannot write {path}: {exc.strerror or exc}") from None
    return Built(path, found.documents, time.perf_counter() - started, len(data))


def run_input(manifest: dict[str, Any], out: Path) -> Path | None:
    """Where the run's input is: the manifest's ``input`` as given to the run; a relative one is
    the manifest's ``input_absolute`` (a run since that key was added), or else taken from the
    folder the run was started in, known when the manifest's ``output`` is relative too (OUT's
    absolute path ends with it), else from the current folder."""
    given = manifest.get("input")
    if not given:
        return None
    path = Path(str(given))
    if path.is_absolute():
        return path
    if manifest.get("input_absolute"):
        return Path(str(manifest["input_absolute"]))
    started = run_folder(manifest, out)
    return Path(os.path.normpath(started / path if started is not None else path.absolute()))


def run_folder(manifest: dict[str, Any], out: Path) -> Path | None:
    """The folder ``cleaner run`` was started in, when the manifest tells it (a relative ``output``)."""
    output = Path(str(manifest.get("output") or ""))
    if not manifest.get("output") or output.is_absolute():
        return None
    here = out.resolve()
    parts = [p for p in output.parts if p not in (".", "")]
    if ".." in parts or not parts or list(here.parts[-len(parts):]) != parts:
        return None
    return Path(*here.parts[: -len(parts)])


def _shown(found: Any, documents: tuple[str, ...]) -> list[dict[str, Any]]:
    """The documents shown side by side: those asked for, in the order asked, the one that
    lost most characters, then the sampled ones; each once."""
    chosen = {str(r.get("id")): r for r in found.chosen}
    shown = [chosen[d] for d in dict.fromkeys(documents) if d in chosen]
    for record in ([found.most] if found.most is not None else []) + found.samples:
        if str(record.get("id")) not in {str(r.get("id")) for r in shown}:
            shown.append(record)
    return shown


def _withheld(text: str) -> str:
    """What shows of a string from outside provenance when the run masked personal
    data and its pack cannot be loaded to mask it: nothing of it."""
    return "(withheld: personal data may be in it)"


def _without(note: str, paths: tuple[str, ...]) -> str:
    """``note`` with the paths it names withheld (see :func:`_withheld`)."""
    for path in sorted(filter(None, paths), key=len, reverse=True):
        note = note.replace(path, _withheld(path))
    return note
