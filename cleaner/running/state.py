"""The working state of a run inside OUT, which makes it resumable and crash-safe.

``OUT/.cleaner/state.json`` names the run (a fingerprint of inputs, pack and
options). Work is done in *units* (consecutive batches of documents); a unit is
finished when its provenance part ``OUT/.cleaner/parts/<unit>.prov.jsonl``
exists. Every file is written to a temporary name and renamed, and the provenance
part is written last, so a run killed at any moment leaves either a finished unit
or nothing of it that counts. Finishing the run assembles the parts into the final
outputs, marks the state complete and removes the parts.

A run with corpus rules scans first. Each unit's sketches for a rule are kept in
``OUT/.cleaner/scan/<rule>/<unit>.pickle`` as the workers compute them, and each
rule's finished statistics in ``OUT/.cleaner/scan/finished.pickle``, so a run
killed in the scan resumes it at the first unit not done; the whole scan's
statistics, once complete, go to ``OUT/.cleaner/corpus-stats.pickle`` and the
sketches are removed. The statistics stay once the run completes: ``cleaner
explain FILE --corpus OUT`` judges a document with them instead of scanning the
inputs again (they are compact: templates' recurring lines, duplicates' verdicts).
HTML pages are read once per run, not once per pass (issue 22: the scan of each
corpus rule and the clean each read every page again, and trafilatura was nine
tenths of a corpus run on HTML). The first pass keeps each unit's pages as it read
them (main text, metadata, source, and the page's whole text once a rule has read
it, else the page) in ``OUT/.cleaner/read/<unit>.pickle.zst``; the later passes
read them back instead, the clean phase removes a unit's once the unit is
committed, and finishing the run removes what is left. Like the scan's parts they
belong to the run whose fingerprint ``state.json`` holds, so they survive a kill
and a resume, and a file that cannot be read back is read from the input again.

``state.json`` also keeps how the run's pack was loaded (its *recipe*: packs,
options, rules disabled and enabled), so that explain can load the same pack.
"""

from __future__ import annotations

import io
import json
import pickle
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

from cleaner.io.writers import write_atomic

WORK_DIR = ".cleaner"
#: The page ``cleaner report`` writes in OUT (:mod:`cleaner.report`): a run started over
#: removes the previous run's, which no longer describes OUT.
REPORT = "report.html"


class StateError(ValueError):
    """OUT holds something this run must not mix with; nothing was written."""


class RunState:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.work = out / WORK_DIR
        self.parts = self.work / "parts"
        self.file = self.work / "state.json"

    def _read(self) -> dict | None:
        try:
            return json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def prepare(
        self, fingerprint: str, pack_sha: str, *, overwrite: bool, identity: dict[str, Any] | None = None,
        recipe: dict[str, Any] | None = None,
    ) -> str:
        """Decide how to start: ``"fresh"``, ``"resume"`` or ``"complete"``.

        Refuses (:class:`StateError`) an OUT that holds a different run, or files
        that are not a cleaner run at all, unless ``overwrite``. ``identity`` is the
        fingerprint's parts in words; kept in the state, it lets the refusal say
        what differs. ``recipe``: how the pack was loaded (see the module docs).
        """
        state = self._read()
        if overwrite:
            report = self.out / REPORT
            if report.is_dir() and not report.is_symlink():  # checked first: nothing removed yet
                raise StateError(
                    f"{report} is a folder, not the report of a previous run: --overwrite replaces that page "
                    "and will not remove a folder; move or remove it, or choose another OUT"
                )
            shutil.rmtree(self.work, ignore_errors=True)
            try:
                report.unlink(missing_ok=True)
            except OSError as exc:
                raise StateError(f"cannot remove the previous run's {report} ({exc.strerror or exc}): "
                                 "remove it yourself, or choose another OUT") from None
            state = None
        elif state is None and self.out.exists() and any(self.out.iterdir()):
            raise StateError(
                f"{self.out} is not empty and holds no cleaner run state; "
                "choose an empty folder, or pass --overwrite to write into it anyway"
            )
        elif state is not None and state.get("fingerprint") != fingerprint:
            changes = differences(state.get("identity"), identity)
            what = "; ".join(changes) if changes else f"other inputs, pack or options (pack {state.get('pack', '?')[:12]})"
            raise StateError(
                f"{self.out} holds a run that differs from this one: {what}. "
                "Pass --overwrite to start over there, or choose another folder"
            )
        if state is not None and state.get("complete"):
            shutil.rmtree(self.parts, ignore_errors=True)  # a kill between completing and cleaning up
            shutil.rmtree(self.reads_dir, ignore_errors=True)
            return "complete"
        self.parts.mkdir(parents=True, exist_ok=True)
        if state is None:
            self._write({"fingerprint": fingerprint, "pack": pack_sha, "identity": identity, "recipe": recipe,
                         "complete": False})
            return "fresh"
        return "resume"

    def _write(self, state: dict) -> None:
        write_atomic(self.file, (json.dumps(state, indent=2) + "\n").encode("utf-8"))

    @property
    def stats_file(self) -> Path:
        """The scan's statistics (corpus rules); kept when the run completes, for explain."""
        return self.work / "corpus-stats.pickle"

    def save_stats(self, found: tuple[dict[str, Any], dict[int, str]]) -> None:
        """Keep what the scan found (each rule's statistics, and the documents whose
        scan failed), so that a resumed run does not scan again."""
        write_atomic(self.stats_file, pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))

    def load_stats(self) -> tuple[dict[str, Any], dict[int, str]] | None:
        """What a finished scan of this run saved, or None (no scan finished yet,
        or a file that cannot be read or has another shape: the run scans again)."""
        return _stats_shaped(_load(self.stats_file))

    @property
    def scan_dir(self) -> Path:
        """Where a scan that has not finished keeps its work (see the module docs)."""
        return self.work / "scan"

    def scan_part(self, rule_id: str, key: str) -> Path:
        """One unit's sketches for one corpus rule."""
        return self.scan_dir / re.sub(r"[^\w.-]", "_", rule_id) / f"{key}.pickle"

    def save_scan_part(self, rule_id: str, key: str, sketches: list[Any]) -> None:
        """Keep one unit's sketches (a worker calls this as it finishes the unit)."""
        path = self.scan_part(rule_id, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pickle.dumps(sketches, protocol=pickle.HIGHEST_PROTOCOL))

    def load_scan_part(self, rule_id: str, key: str) -> list[Any] | None:
        """A unit's kept sketches, or None when there are none (or they cannot be
        read back with cleaner's classes only)."""
        found = _load(self.scan_part(rule_id, key))
        return found if isinstance(found, list) else None

    def drop_scan_parts(self, rule_id: str) -> None:
        """Remove a rule's unit sketches once its statistics are kept."""
        shutil.rmtree(self.scan_part(rule_id, "x").parent, ignore_errors=True)

    def save_scan_progress(self, found: tuple[dict[str, Any], dict[int, str]]) -> None:
        """Keep the statistics of the corpus rules whose scan has finished (and the
        documents whose scan failed so far), before the next rule's scan."""
        self.scan_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.scan_dir / "finished.pickle", pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))

    def load_scan_progress(self) -> tuple[dict[str, Any], dict[int, str]] | None:
        """What :meth:`save_scan_progress` kept, or None."""
        return _stats_shaped(_load(self.scan_dir / "finished.pickle"))

    @property
    def reads_dir(self) -> Path:
        """Where the run keeps the pages its first pass read (see the module docs)."""
        return self.work / "read"

    def reads_part(self, key: str) -> Path:
        """One unit's pages as read."""
        return self.reads_dir / f"{key}.pickle.zst"

    def save_reads(self, key: str, ids: list[str], reads: list[Any]) -> None:
        """Keep one unit's reads (``ids``: its documents' ids, to check them against on
        the way back), compressed: a page's text is a tenth of its size or less."""
        import zstandard

        path = self.reads_part(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps((ids, reads), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, zstandard.ZstdCompressor(level=3).compress(data))

    def load_reads(self, key: str, ids: list[str]) -> list[Any] | None:
        """The unit's kept reads when they are there and are those of ``ids`` (the
        unit's documents' ids, in order), else None: the caller reads the inputs."""
        import zstandard

        try:
            data = zstandard.ZstdDecompressor().decompress(self.reads_part(key).read_bytes())
            found = _StatsUnpickler(io.BytesIO(data)).load()
        except Exception:  # missing, cut short, or not what a run writes
            return None
        shaped = isinstance(found, tuple) and len(found) == 2 and found[0] == ids and isinstance(found[1], list)
        return found[1] if shaped and len(found[1]) == len(ids) else None

    def drop_reads(self, key: str) -> None:
        """Remove a unit's kept reads (its clean is committed: nothing reads them again)."""
        self.reads_part(key).unlink(missing_ok=True)

    def unit_done(self, key: str) -> bool:
        return self.prov_part(key).exists()

    def prov_part(self, key: str) -> Path:
        return self.parts / f"{key}.prov.jsonl"

    def record_part(self, key: str, output_key: str) -> Path:
        """One unit's records for one output (an input's file or a shard)."""
        return self.parts / f"{key}.out-{output_key}.jsonl"

    def prov_parts(self) -> list[Path]:
        return sorted(self.parts.glob("*.prov.jsonl"))

    def record_parts(self, output_key: str) -> list[Path]:
        return sorted(self.parts.glob(f"*.out-{output_key}.jsonl"))

    def record_keys(self) -> set[str]:
        return {p.name.split(".out-", 1)[1][: -len(".jsonl")] for p in self.parts.glob("*.out-*.jsonl")}

    def lines(self, part: Path) -> Iterator[str]:
        with part.open(encoding="utf-8") as handle:
            yield from handle

    def complete(self) -> None:
        state = self._read() or {}
        state["complete"] = True
        self._write(state)
        shutil.rmtree(self.parts, ignore_errors=True)
        shutil.rmtree(self.scan_dir, ignore_errors=True)  # the sketches; the statistics stay (see the module docs)
        shutil.rmtree(self.reads_dir, ignore_errors=True)


def _load(path: Path) -> Any:
    """A pickle a run kept in OUT, read with :class:`_StatsUnpickler`; None when it
    is missing or cannot be read that way."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _StatsUnpickler(io.BytesIO(data)).load()
    except Exception:
        return None


def _stats_shaped(found: Any) -> tuple[dict[str, Any], dict[int, str]] | None:
    shaped = isinstance(found, tuple) and len(found) == 2 and all(isinstance(x, dict) for x in found)
    return found if shaped else None


class _StatsUnpickler(pickle.Unpickler):
    """Reads back only what a scan saves: cleaner's own statistics classes and
    plain containers. A pickle in OUT that names anything else (say, a function
    of another module) is refused instead of run."""

    ALLOWED = {("builtins", name) for name in ("dict", "list", "set", "frozenset", "tuple", "int", "float",
                                               "str", "bytes", "bytearray", "bool", "NoneType")}
    ALLOWED |= {("array", "array"), ("array", "_array_reconstructor"), ("collections", "Counter"),
                ("copyreg", "_reconstructor"), ("builtins", "object")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED or module.startswith("cleaner."):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a scan's statistics")


def differences(before: Any, now: Any) -> list[str]:
    """What differs between two run identities, in words: ``option html_metadata:
    True -> False``, ``plugin cleaner-x: 0.1 (code 1a2b) -> 0.1 (code 3c4d)``,
    ``steps: added residue/x``. Empty when either is unknown (an older OUT)."""
    if not isinstance(before, dict) or not isinstance(now, dict):
        return []
    found = []
    for key in now.keys() | before.keys():
        old, new = before.get(key), now.get(key)
        if old == new:
            continue
        if key == "steps" and isinstance(old, list) and isinstance(new, list):
            added = [s for s in new if s not in old]
            gone = [s for s in old if s not in new]
            parts = [f"added {', '.join(added)}"] * bool(added) + [f"removed {', '.join(gone)}"] * bool(gone)
            found.append("steps: " + ("; ".join(parts) or "the same rules in another order"))
        elif isinstance(old, dict) and isinstance(new, dict):
            noun = {"options": "option", "plugins": "plugin", "rule options": "options of"}.get(key, key)
            for name in sorted(old.keys() | new.keys()):
                if old.get(name) != new.get(name):
                    found.append(f"{noun} {name}: {_shown(old.get(name))} -> {_shown(new.get(name))}")
        else:
            found.append(f"{key}: {_shown(old)} -> {_shown(new)}")
    return sorted(found)


def _shown(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
