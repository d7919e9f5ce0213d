"""A short fuzz run of the readers (tests/fuzz/fuzz_readers.py) with atheris.

Seeded with one valid file per format so that the fuzzer starts inside JSON,
gzip, zstd, parquet and WARC rather than having to discover them. Deterministic
seed; about 20 s. Any crash, hang (over 20 s on one input) or leak of memory past
2 GB fails the test, and the input that caused it is kept under tmp_path.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris is in the test extra on Linux x86_64 only")

FUZZ = Path(__file__).resolve().parent / "fuzz" / "fuzz_readers.py"
SECONDS = 20
BODY = "The minister signed the agreement in Moscow on Friday, officials said.\n\nShare this:\n"


def seeds() -> list[bytes]:
    """One valid file per format, in the order of fuzz_readers.FORMATS."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    html = f"<html><head><title>T</title></head><body><article><p>{BODY}</p></article></body></html>".encode()
    jsonl = (json.dumps({"id": "a", "text": BODY}) + "\n" + json.dumps({"text": 1}) + "\n{bad\n").encode()
    table = io.BytesIO()
    pq.write_table(pa.table({"id": ["a", "b"], "text": [BODY, None]}), table)
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    warc = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        b"WARC-Target-URI: http://example.org/\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        + f"Content-Length: {len(http)}\r\n\r\n".encode() + http + b"\r\n\r\n"
    )
    files = [BODY.encode(), ("# Title\n\n" + BODY).encode("utf-16"), html, jsonl, gzip.compress(jsonl, mtime=0),
             zstandard.ZstdCompressor().compress(jsonl), table.getvalue(), warc, gzip.compress(warc, mtime=0)]
    return [bytes([n]) + data for n, data in enumerate(files)]


def test_short_fuzz_run_of_the_readers_finds_no_crash(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, data in enumerate(seeds()):
        (corpus / f"seed-{n}").write_bytes(data)
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    done = subprocess.run(
        [sys.executable, str(FUZZ), str(corpus), f"-max_total_time={SECONDS}", "-seed=1", "-timeout=20",
         "-rss_limit_mb=2048", "-max_len=4096", f"-artifact_prefix={artifacts}/"],
        capture_output=True, text=True, timeout=SECONDS + 120, cwd=tmp_path,
    )
    crashes = sorted(p.name for p in artifacts.iterdir())
    assert done.returncode == 0 and not crashes, f"{crashes}\n{done.stderr[-4000:]}"
    assert "Done" in done.stderr
