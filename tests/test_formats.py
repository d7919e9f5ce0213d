"""Streaming readers and writers of cleaner.io.compression, .jsonl, .parquet and .warc, on fixtures made here."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.io.compression import CompressedLineWriter, open_binary
from cleaner.io.errors import CorruptInputError
from cleaner.io.jsonl import iter_jsonl_lines
from cleaner.io.parquet import iter_parquet_rows, write_parquet
from cleaner.io.warc import WarcItem, iter_warc_responses

LINES = ['{"id": 1, "text": "héllo"}\n', "\n", '{"id": 2, "text": "wörld"}\r\n', "   \n", '{"id": 3}\n']
EXPECTED = [
    (1, b'{"id": 1, "text": "h\xc3\xa9llo"}'),
    (3, b'{"id": 2, "text": "w\xc3\xb6rld"}'),
    (5, b'{"id": 3}'),
]


def _noise(n: int, seed: int = 0) -> bytes:
    """Text that does not compress, so that a cut lands where we aim it."""
    return base64.b64encode(random.Random(seed).randbytes(n))


def _files(tmp_path: Path) -> list[Path]:
    return sorted(p.name for p in tmp_path.iterdir())


# --------------------------------------------------------------------------- JSONL


@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.gz", "a.jsonl.zst"])
def test_writer_round_trip_and_numbering(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with CompressedLineWriter(path) as out:
        for line in LINES:
            out.write(line)
    assert list(iter_jsonl_lines(path)) == EXPECTED
    with open_binary(path) as handle:
        assert handle.read() == "".join(LINES).encode()
    assert _files(tmp_path) == [name]  # no temporary file left


def test_reads_files_made_by_other_tools(tmp_path: Path) -> None:
    data = "".join(LINES).encode()
    half = len(data) // 2
    # multi-member gzip and multi-frame zstd, as concatenating shards gives
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(data[:half]) + gzip.compress(data[half:]))
    cctx = zstandard.ZstdCompressor()
    (tmp_path / "a.jsonl.zst").write_bytes(cctx.compress(data[:half]) + cctx.compress(data[half:]))
    (tmp_path / "a.jsonl").write_bytes(data)
    for name in ("a.jsonl", "a.jsonl.gz", "a.jsonl.zst"):
        assert list(iter_jsonl_lines(tmp_path / name)) == EXPECTED, name


def test_written_files_open_with_standard_tools(tmp_path: Path) -> None:
    for name in ("a.jsonl.gz", "a.jsonl.zst"):
        with CompressedLineWriter(tmp_path / name) as out:
            for line in LINES:
                out.write(line)
    assert gzip.decompress((tmp_path / "a.jsonl.gz").read_bytes()) == "".join(LINES).encode()
    with zstandard.ZstdDecompressor().stream_reader((tmp_path / "a.jsonl.zst").read_bytes()) as reader:
        assert reader.read() == "".join(LINES).encode()


@pytest.mark.parametrize("name", ["a.jsonl.gz", "a.jsonl.zst", "a.jsonl"])
def test_writer_is_deterministic(tmp_path: Path, name: str) -> None:
    lines = [json.dumps({"n": i, "text": _noise(300, i).decode()}) + "\n" for i in range(1000)]
    blob = "".join(lines)

    def write(folder: str, pieces: list[str]) -> bytes:
        path = tmp_path / folder / name
        with CompressedLineWriter(path) as out:
            for piece in pieces:
                out.write(piece)
        return path.read_bytes()

    first = write("one", lines)
    assert write("two", lines) == first
    # the same text split into other write() calls gives the same bytes too
    assert write("three", [blob[i : i + 7777] for i in range(0, len(blob), 7777)]) == first
    if name.endswith(".gz"):
        assert first[3] == 0  # no flags: no file name, no comment
        assert first[4:8] == b"\0\0\0\0"  # mtime 0


def test_empty_output_is_valid(tmp_path: Path) -> None:
    for name in ("e.jsonl", "e.jsonl.gz", "e.jsonl.zst"):
        CompressedLineWriter(tmp_path / name).close()
        assert list(iter_jsonl_lines(tmp_path / name)) == []


def test_writer_abort_leaves_nothing(tmp_path: Path) -> None:
    for name in ("a.jsonl", "a.jsonl.gz", "a.jsonl.zst"):
        out = CompressedLineWriter(tmp_path / name)
        out.write("{}\n" * 100_000)
        out.abort()
        out.abort()  # twice is harmless
        with pytest.raises(ValueError):
            out.write("{}\n")
    assert _files(tmp_path) == []


def test_writer_exception_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.zst"
    with CompressedLineWriter(path) as out:
        out.write("old\n")
    old = path.read_bytes()
    with pytest.raises(RuntimeError), CompressedLineWriter(path) as out:
        out.write("new\n")
        raise RuntimeError("boom")
    assert path.read_bytes() == old
    assert _files(tmp_path) == ["a.jsonl.zst"]


@pytest.mark.parametrize("name", ["big.jsonl.gz", "big.jsonl.zst"])
def test_truncated_compressed_jsonl_raises_after_the_good_lines(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with CompressedLineWriter(path) as out:
        for i in range(2000):
            out.write(json.dumps({"n": i, "text": _noise(200, i).decode()}) + "\n")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    seen = []
    with pytest.raises(CorruptInputError, match="truncated"):
        for number, raw in iter_jsonl_lines(path):
            seen.append(number)
            json.loads(raw)  # every line yielded is whole
    assert seen and seen == list(range(1, len(seen) + 1))

    damaged = bytearray(data)
    damaged[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(CorruptInputError):
        for _ in iter_jsonl_lines(path):
            pass


def test_large_file_streams(tmp_path: Path) -> None:
    path = tmp_path / "large.jsonl.zst"
    with CompressedLineWriter(path) as out:
        for i in range(60_000):
            out.write(f'{{"n": {i}}}\n')
    count = 0
    for number, raw in iter_jsonl_lines(path):
        count += 1
        assert json.loads(raw)["n"] == number - 1
    assert count == 60_000


# --------------------------------------------------------------------------- Parquet


UTC_US = pa.timestamp("us", "UTC")


def _typed_table() -> pa.Table:
    return pa.table(
        {
            "text": pa.array(["a", None]),
            "n": pa.array([1, 2], pa.int64()),
            "score": pa.array([0.5, float("nan")]),
            "when": pa.array([dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC), None], UTC_US),
            "when_ns": pa.array([1_700_000_000_123_456_789, 0], pa.timestamp("ns")),
            "day": pa.array([dt.date(2024, 5, 1), dt.date(1999, 12, 31)]),
            "price": pa.array([Decimal("1.50"), Decimal("0.0000001")], pa.decimal128(10, 7)),
            "blob": pa.array([b"\x00\xff", b""]),
            "took": pa.array([dt.timedelta(seconds=1.5), None]),
            "tags": pa.array([["x", "y"], []]),
            "meta": pa.array([{"k": "v", "at": dt.date(2020, 1, 2)}, None]),
            "attrs": pa.array([[("a", 1)], []], pa.map_(pa.string(), pa.int64())),
        }
    )


def test_parquet_rows_are_json_safe(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    pq.write_table(_typed_table(), path)
    rows = list(iter_parquet_rows(path))
    assert [n for n, _ in rows] == [1, 2]
    first, second = rows[0][1], rows[1][1]
    assert first == {
        "text": "a",
        "n": 1,
        "score": 0.5,
        "when": "2024-05-01T12:30:00+00:00",
        "when_ns": "2023-11-14T22:13:20.123456789",
        "day": "2024-05-01",
        "price": "1.5000000",
        "blob": base64.b64encode(b"\x00\xff").decode(),
        "took": 1.5,
        "tags": ["x", "y"],
        "meta": {"k": "v", "at": "2020-01-02"},
        "attrs": [["a", 1]],
    }
    assert second["score"] is None  # NaN is not JSON
    assert second["price"] == "0.0000001"
    assert second["when_ns"] == "1970-01-01T00:00:00.000000000"
    for _, row in rows:
        json.dumps(row, allow_nan=False)


def test_parquet_reads_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "many.parquet"
    pq.write_table(pa.table({"i": list(range(2500))}), path, row_group_size=1000)
    sizes: list[int] = []
    real = pq.ParquetFile.iter_batches

    def spy(self: pq.ParquetFile, *args: object, **kwargs: object):
        for batch in real(self, *args, **kwargs):
            sizes.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    rows = iter_parquet_rows(path, batch_rows=300)
    assert next(rows) == (1, {"i": 0})
    assert sizes == [300]  # the first row came before the rest was read
    rest = list(rows)
    assert max(sizes) <= 300 and sum(sizes) == 2500
    assert [n for n, _ in rest] == list(range(2, 2501))
    assert [r["i"] for _, r in rest] == list(range(1, 2500))


def test_write_parquet_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out" / "rows.parquet"
    rows = [
        {"id": f"d{i}", "text": f"t{i}", "n": i, "score": i / 7, "ok": i % 2 == 0, "tags": ["a"] * (i % 3)}
        for i in range(2500)
    ]
    assert write_parquet(path, iter(rows), batch_rows=1000) == 2500
    assert [r for _, r in iter_parquet_rows(path)] == rows
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    schema = pq.read_schema(path)
    assert [schema.field(k).type for k in ("n", "score", "ok", "tags")] == [
        pa.int64(), pa.float64(), pa.bool_(), pa.list_(pa.string())
    ]
    assert _files(path.parent) == ["rows.parquet"]


def test_write_parquet_dicts_are_json_text(tmp_path: Path) -> None:
    # keys vary from row to row and batch to batch, as cleaner's meta does
    rows = [
        {"id": i, "cleaner": {"id": f"d{i}", "meta": {"title": "T"} if i < 3 else {"tags": ["x"]}}}
        for i in range(6)
    ]
    rows[1]["steps"] = [{"rule": "a", "line": 1}]
    path = tmp_path / "rows.parquet"
    assert write_parquet(path, rows, batch_rows=2) == 6
    assert pq.read_schema(path).field("cleaner").type == pa.string()
    got = [r for _, r in iter_parquet_rows(path)]
    assert [json.loads(r["cleaner"]) for r in got] == [row["cleaner"] for row in rows]
    assert got[1]["steps"] == '[{"rule":"a","line":1}]'
    assert got[0]["steps"] is None


def test_write_parquet_columns_untyped_in_the_first_batch_become_text(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    rows = [
        {"a": None, "b": 1, "c": [], "s": "x"},
        {"a": None, "b": "x", "c": [], "s": "y"},
        {"a": "s", "b": 2, "c": ["u"], "s": 3},
        {"a": 5, "b": True, "c": None, "s": {"k": [1]}},
    ]
    assert write_parquet(path, rows, batch_rows=2) == 4
    schema = pq.read_schema(path)
    assert schema.field("a").type == pa.string()  # null in the first batch
    assert schema.field("b").type == pa.string()  # mixed types in the first batch
    assert schema.field("c").type == pa.list_(pa.string())  # empty lists
    got = [r for _, r in iter_parquet_rows(path)]
    assert [r["a"] for r in got] == [None, None, "s", "5"]
    assert [r["b"] for r in got] == ["1", "x", "2", "true"]
    assert [r["c"] for r in got] == [[], [], ["u"], None]
    assert [r["s"] for r in got] == ["x", "y", "3", '{"k":[1]}']  # string columns take anything


def test_write_parquet_later_batches_fit_or_fail(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    # missing keys are nulls, integers go into float columns, whole floats into int ones
    ok = [{"x": 1.5, "y": 1, "z": "a"}, {"x": 2, "y": 3.0}]
    assert write_parquet(path, ok, batch_rows=1) == 2
    expected = [{"x": 1.5, "y": 1, "z": "a"}, {"x": 2.0, "y": 3, "z": None}]
    assert [r for _, r in iter_parquet_rows(path)] == expected
    old = path.read_bytes()

    struct = pa.schema([("m", pa.struct([("a", pa.int64())]))])
    bad_cases = {
        "lossy": ([{"y": 1}, {"y": 1.5}], None, "y"),
        "new key": ([{"y": 1}, {"y": 2, "w": 3}], None, "w"),
        "other type": ([{"y": 1}, {"y": "1"}], None, "y"),
        "bool into int": ([{"y": 1}, {"y": True}], None, "y"),
        "int into list": ([{"y": [1]}, {"y": 2}], None, "y"),
        "new struct field": ([{"m": {"a": 1}}, {"m": {"a": 2, "b": "x"}}], struct, "m"),
        "too big": ([{"y": 1}, {"y": 2**70}], None, "y"),
    }
    for label, (rows, schema, column) in bad_cases.items():
        with pytest.raises(ValueError, match=column):
            write_parquet(path, rows, batch_rows=1, schema=schema)
        assert path.read_bytes() == old, label
    assert _files(tmp_path) == ["rows.parquet"]


def test_write_parquet_with_a_schema_and_empty_input(tmp_path: Path) -> None:
    schema = pa.schema([("id", pa.string()), ("score", pa.float32()), ("m", pa.struct([("a", pa.int64())]))])
    path = tmp_path / "s.parquet"
    rows = [{"id": "a", "score": 1, "m": {"a": 1}}, {"id": 2, "m": {}}]
    assert write_parquet(path, rows, schema=schema) == 2
    assert pq.read_schema(path) == schema
    assert [r for _, r in iter_parquet_rows(path)] == [
        {"id": "a", "score": 1.0, "m": {"a": 1}},
        {"id": "2", "score": None, "m": {"a": None}},
    ]
    assert write_parquet(tmp_path / "e.parquet", [], schema=schema) == 0
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0
    assert write_parquet(tmp_path / "none.parquet", []) == 0
    assert list(iter_parquet_rows(tmp_path / "none.parquet")) == []


def test_write_parquet_streams_a_generator(tmp_path: Path) -> None:
    pulled = 0

    def rows():
        nonlocal pulled
        for i in range(5000):
            pulled += 1
            yield {"i": i}

    written = []
    real = pq.ParquetWriter.write_batch

    def spy(self: pq.ParquetWriter, batch: pa.RecordBatch, *args: object, **kwargs: object) -> None:
        written.append((batch.num_rows, pulled))
        real(self, batch, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pq.ParquetWriter, "write_batch", spy)
        assert write_parquet(tmp_path / "g.parquet", rows(), batch_rows=1000) == 5000
    # each batch was written before the next rows were pulled
    assert written == [(1000, 1000), (1000, 2000), (1000, 3000), (1000, 4000), (1000, 5000)]


# --------------------------------------------------------------------------- WARC


def _html(i: int) -> bytes:
    return b"<html><body><p>page %d " % i + _noise(3000, i) + b"</p></body></html>"


def _response(writer: WARCWriter, url: str, body: bytes, headers: list[tuple[str, str]]):
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)


def _write_warc(path: Path, gz: bool) -> dict[str, bytes]:
    """A WARC with HTML responses among records that must be skipped; returns url → payload
    of the HTML responses, in file order."""
    expected: dict[str, bytes] = {}
    with path.open("wb") as handle:
        w = WARCWriter(handle, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "cleaner tests"}))
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        w.write_record(w.create_warc_record("http://example.com/0", "request", http_headers=request))
        html = [("Content-Type", "text/html; charset=UTF-8")]
        w.write_record(_response(w, "http://example.com/0", _html(0), html))
        expected["http://example.com/0"] = _html(0)
        json_type = [("Content-Type", "application/json")]
        w.write_record(_response(w, "http://example.com/data.json", b'{"a": 1}', json_type))
        png = [("Content-Type", "image/png")]
        w.write_record(_response(w, "http://example.com/img.png", _noise(4000, 9), png))
        w.write_record(_response(w, "http://example.com/none", b"<p>no type</p>", []))
        gz_headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        w.write_record(_response(w, "http://example.com/gz", gzip.compress(_html(1), mtime=0), gz_headers))
        expected["http://example.com/gz"] = _html(1)
        resource = w.create_warc_record(
            "http://example.com/res", "resource", payload=io.BytesIO(b"<p>x</p>"),
            warc_content_type="text/html",
        )
        w.write_record(resource)
        xhtml = [("Content-Type", 'application/XHTML+xml; charset="ISO-8859-1"')]
        w.write_record(_response(w, "http://example.com/x", _html(2), xhtml))
        expected["http://example.com/x"] = _html(2)
    return expected


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    expected = _write_warc(path, gz=name.endswith(".gz"))
    items = list(iter_warc_responses(path))
    assert [(i.url, i.payload) for i in items] == list(expected.items())
    assert [i.index for i in items] == [3, 7, 9]
    assert [(i.content_type, i.charset) for i in items] == [
        ("text/html", "utf-8"),
        ("text/html", None),
        ("application/xhtml+xml", "iso-8859-1"),
    ]
    for item in items:
        assert isinstance(item, WarcItem)
        assert item.record_id and item.record_id.startswith("<urn:uuid:")
        assert item.date and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", item.date)


def test_truncated_warc_gz_yields_then_raises(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    expected = _write_warc(path, gz=True)
    data = path.read_bytes()
    path.write_bytes(data[:-200])  # inside the last record's gzip member
    got = []
    with pytest.raises(CorruptInputError, match="crawl.warc.gz"):
        for item in iter_warc_responses(path):
            got.append(item.url)
    assert got == list(expected)[:-1]


@pytest.mark.parametrize("gz", [False, True])
def test_warc_cut_anywhere_yields_whole_records_then_raises(tmp_path: Path, gz: bool) -> None:
    full = tmp_path / ("full.warc.gz" if gz else "full.warc")
    expected = list(_write_warc(full, gz=gz).values())
    data = full.read_bytes()
    ends = {0}  # where a record, with the blank lines after it, ends
    with full.open("rb") as handle:
        records = ArchiveIterator(handle)
        for _ in records:
            records.read_to_end()
            ends.add(records.get_record_offset() + records.get_record_length())
    # uncompressed, a cut among the blank lines after a record is harmless too
    quiet_ok = ends if gz else {end + k for end in ends for k in range(5)}
    cut = tmp_path / full.name.replace("full", "cut")
    for end in [*range(0, len(data), 37), *sorted(quiet_ok)]:
        cut.write_bytes(data[:end])
        got = []
        try:
            for item in iter_warc_responses(cut):
                got.append(item.payload)
        except CorruptInputError:
            pass
        else:
            assert end in quiet_ok, f"a cut at {end} went unnoticed"
        assert got == expected[: len(got)], end


def test_warc_wrong_content_length_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "crawl.warc"
    expected = _write_warc(path, gz=False)
    data = path.read_bytes()
    # shorten the declared length of the xhtml response (the last record) by 10 bytes
    start = data.index(b"WARC-Target-URI: http://example.com/x")
    at = data.index(b"Content-Length: ", start) + len(b"Content-Length: ")
    end = data.index(b"\r\n", at)
    length = int(data[at:end])
    path.write_bytes(data[:at] + str(length - 10).encode() + data[end:])
    got = []
    with pytest.raises(CorruptInputError, match="Content-Length"):
        for item in iter_warc_responses(path):
            got.append(item.url)
    assert got == list(expected)[:-1]  # the record with the wrong length is not yielded


def test_warc_zst_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="zstd"):
        next(iter_warc_responses(tmp_path / "a.warc.zst"))


def test_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / "a.warc"
    path.write_bytes(b"hello, this is not a WARC\r\n\r\n")
    with pytest.raises(CorruptInputError, match="a.warc"):
        list(iter_warc_responses(path))
