"""Fuzz target for the readers (atheris / libFuzzer).

Each input is one file: its first byte picks the format (txt, html, jsonl, gzip and
zstd JSONL, parquet, WARC, gzip WARC), the rest is the file's bytes. The file goes
through what a run does with it: :func:`iter_raw_items` in the main process, then
:func:`clean_item` (decode, parse, extract, clean, provenance) for every item. The
property: nothing raises, every item ends as a provenance record with a status, and
that record can be written as UTF-8 JSON. Any exception is a crash.

Run it briefly (``tests/test_fuzz.py`` does, in CI)::

    python tests/fuzz/fuzz_readers.py -max_total_time=30 CORPUS_DIR
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["cleaner"]):
    from cleaner.io.readers import InputFile, iter_raw_items
    from cleaner.io.writers import json_line
    from cleaner.loading.pack import load_pack
    from cleaner.running.worker import WorkSpec, clean_item

#: The format each value of the first byte (modulo their number) selects.
FORMATS = [
    ("txt", "doc.txt"),
    ("md", "doc.md"),
    ("html", "page.html"),
    ("jsonl", "shard.jsonl"),
    ("jsonl", "shard.jsonl.gz"),
    ("jsonl", "shard.jsonl.zst"),
    ("parquet", "table.parquet"),
    ("warc", "crawl.warc"),
    ("warc", "crawl.warc.gz"),
]

PIPELINE = load_pack()
SPEC = WorkSpec((), {}, PIPELINE.sha256, "text", html_seconds=2.0)
WORKDIR = Path(tempfile.mkdtemp(prefix="fuzz-readers-"))


def one_input(data: bytes) -> None:
    if not data:
        return
    fmt, name = FORMATS[data[0] % len(FORMATS)]
    path = WORKDIR / name
    path.write_bytes(data[1:])
    try:
        for raw in iter_raw_items(InputFile(path, name, fmt)):
            result = clean_item(raw, fmt in ("jsonl", "parquet", "warc"), PIPELINE, SPEC)
            record = result.record
            assert record["status"] in ("ok", "dropped", "failed"), record
            assert (result.payload is not None) == (record["status"] == "ok"), record
            json.loads(json_line(record).encode("utf-8"))
            if result.payload is not None:
                result.payload.encode("utf-8")
    finally:
        path.unlink(missing_ok=True)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    try:
        atheris.Fuzz()
    finally:
        for leftover in WORKDIR.iterdir():
            leftover.unlink()
        os.rmdir(WORKDIR)


if __name__ == "__main__":
    main()
