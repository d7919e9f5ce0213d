"""Writing one finished unit of a run into OUT: its outputs (one ``.txt`` per text
document, or its records' lines for each record output) and, last, its provenance
part, whose existence marks the unit done (:mod:`cleaner.running.state`).

Workers commit their own units, so the main process only plans and tracks the
run and assembles the parts at the end: it does not become the bottleneck as
workers get faster. Every file is written under a temporary name and renamed, so
a unit committed twice (a worker that died after writing, its unit run again)
ends with the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from cleaner.io.readers import RawItem
from cleaner.io.writers import json_line, write_atomic
from cleaner.running.outputs import OutputOptions, OutsideOutput, Target, inside
from cleaner.running.state import RunState
from cleaner.running.worker import ItemResult

#: A unit's documents: each with the target (input file and its outputs) it belongs to.
Unit = list[tuple[Target, RawItem]]


def record_key(target: Target, output: OutputOptions, shard: int) -> str:
    """Which record output a document joins: its shard, or its input's own file."""
    return f"s{shard:07d}" if output.sharded else f"f{target.index:07d}"


def commit_unit(
    state: RunState, key: str, unit: Unit, results: list[ItemResult], out: Path, output: OutputOptions, shard: int
) -> None:
    """Write one unit's outputs, then its provenance part, which marks it done."""
    records: dict[str, list[str]] = {}
    prov: list[str] = []
    for (target, raw), result in zip(unit, results):
        record = result.record
        if result.payload is not None:
            if target.as_record:
                part = record_key(target, output, shard)
                records.setdefault(part, []).append(result.payload)
                path = output.shard_name(shard) if output.sharded else target.out_rel
                record["output"] = {"path": path, "line": None, **record["output"]}
            else:
                path = target.txt_path(raw.position)
                try:
                    write_atomic(inside(out, path), result.payload.encode("utf-8"))
                except (OutsideOutput, OSError) as exc:  # e.g. a name the file system refuses
                    record.update(status="failed", reason=f"cannot write the output {path!r}: {exc}", output=None)
                    record["chars_after"] = 0
                else:
                    record["output"] = {"path": path, **record["output"]}
        prov.append(json_line(record))
    for part, lines in records.items():
        write_atomic(state.record_part(key, part), "".join(lines).encode("utf-8"))
    write_atomic(state.prov_part(key), "".join(prov).encode("utf-8"))
