"""Assemble a run's outputs from its finished units: the record outputs and ``provenance.jsonl``
(written as the units finish, in input order), the :class:`RunReport` counted from provenance,
and ``manifest.json`` (versions, pack, options, counts).

Used by :mod:`cleaner.running.run`; see its docstring for the output contract.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterator

from cleaner.core.engine import Pipeline
from cleaner.core.version import __version__
from cleaner.io.provenance import PROVENANCE, PROVENANCE_NAMES, provenance_lines
from cleaner.io.writers import json_line
from cleaner.running.char_account import CharAccount
from cleaner.running.commit import record_key
from cleaner.running.outputs import OutputOptions, Target, inside
from cleaner.running.plan import RunError, RunOptions, _run_options, plugins_of, rule_options
from cleaner.running.state import RunState

MANIFEST = "manifest.json"


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


class Assembly:
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
        # where IN was, whatever folder the run started in: cleaner report reads documents back there
        "input_absolute": str(in_path.absolute()),
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
        "characters": report.chars.to_dict(),  # chars_in and chars_out taken apart (cleaner.running.char_account)
        "bytes_read": report.bytes_read,
        "seconds": round(report.seconds, 3),
        "resumed_units": report.resumed_units,
        "resumed_scan_units": report.resumed_scan_units,
        "cpu_count": os.cpu_count(),
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
