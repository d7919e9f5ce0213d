"""Streaming readers and writers for corpus formats: JSONL (plain, gzip, zstd), Parquet, WARC.

Memory stays flat whatever the size of the file: everything is read and written in
chunks, lines, record batches or WARC records, never a whole file at once. What is held
is one line, one batch of rows, or one HTML payload.

The formats are parsed by their libraries, not by hand: :mod:`gzip` and ``zstandard`` for
compression, ``pyarrow`` for Parquet, ``warcio`` for WARC. A truncated or corrupt file
raises :class:`CorruptInputError` at the point where the damage is found, after
everything before it has been yielded; nothing ends quietly short.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import math
import os
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from email.message import Message
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import zstandard
from warcio.archiveiterator import WARCIterator

from cleaner.io.writers import temp_beside

#: Bytes read from, or handed to, a compressor at a time.
CHUNK_SIZE = 1 << 16

#: Compression levels of :class:`CompressedLineWriter`: gzip's and zstd's own defaults.
GZIP_LEVEL = 6
ZSTD_LEVEL = 3

#: HTTP content types :func:`iter_warc_responses` yields.
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class CorruptInputError(ValueError):
    """A file is truncated or corrupt. Everything before the damage was read; the
    message says which file and where."""


# --------------------------------------------------------------------------- reading


class _GzipReader(io.RawIOBase):
    """:class:`gzip.GzipFile` (all members of a multi-member file), with a truncated or
    damaged stream reported as :class:`CorruptInputError` instead of ``EOFError`` or
    ``BadGzipFile``: warcio takes an ``EOFError`` for the end of the archive.

    Each read returns what one step of decompression gives, so the data before the
    damage is handed out before the error is raised."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._gz = gzip.open(path, "rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._gz.read1(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise CorruptInputError(f"{self._path}: gzip data is truncated or corrupt ({exc})") from exc

    def close(self) -> None:
        if not self.closed:
            self._gz.close()
        super().close()


class _ZstdReader(io.RawIOBase):
    """Every zstd frame of a file, one after the other.

    Why not ``ZstdDecompressor.stream_reader``: it ends quietly when the file stops in
    the middle of a frame. Here each frame gets its own ``decompressobj``, and input that
    runs out before a frame's end is reported. Output is produced per input chunk, so
    memory is bounded by what one chunk decompresses to.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file = path.open("rb")
        self._dctx = zstandard.ZstdDecompressor()
        self._frame: Any = None  # the decompressobj of a frame begun and not finished
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            data = self._file.read(CHUNK_SIZE)
            if not data:
                if self._frame is not None:
                    raise CorruptInputError(f"{self._path}: zstd data is truncated (it ends inside a frame)")
                return 0
            self._pending = memoryview(self._decompress(data))
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _decompress(self, data: bytes) -> bytes:
        out = []
        try:
            while data:
                if self._frame is None:
                    self._frame = self._dctx.decompressobj()
                out.append(self._frame.decompress(data))
                if not self._frame.eof:
                    break
                data, self._frame = self._frame.unused_data, None
        except zstandard.ZstdError as exc:
            raise CorruptInputError(f"{self._path}: zstd data is corrupt ({exc})") from exc
        return b"".join(out)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _open_raw(path: Path) -> BinaryIO:
    """Like :func:`open_binary`, unbuffered: a read returns what is available, so data
    before damage is returned before the error (a buffered ``read(n)`` drops the bytes
    it gathered when a later step fails)."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return _GzipReader(path)  # type: ignore[return-value]
    if suffix == ".zst":
        return _ZstdReader(path)  # type: ignore[return-value]
    return path.open("rb")


def open_binary(path: Path) -> BinaryIO:
    """Open a file for reading, transparently decompressing ``.gz`` and ``.zst`` (by suffix,
    case-insensitive). Other files are opened as they are.

    Multi-member gzip and multi-frame zstd files are read to the end. A truncated or
    corrupt compressed stream raises :class:`CorruptInputError` on the read that reaches
    the damage. zstd frames must fit zstd's default decoding window (128 MiB; files made
    with ``zstd --long=31`` are refused) and use no dictionary.
    """
    raw = _open_raw(path)
    if isinstance(raw, io.RawIOBase):
        return io.BufferedReader(raw, CHUNK_SIZE)  # type: ignore[return-value]
    return raw


def iter_jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` for each non-blank line of a ``.jsonl``, ``.jsonl.gz`` or
    ``.jsonl.zst`` file. Numbers are 1-based and count blank lines too (they point into
    the file); a line is blank when it holds only whitespace.

    The raw line is the bytes without their line break: trailing ``\\r`` and ``\\n`` are
    stripped, as :mod:`cleaner.io.readers` does before hashing a line. Nothing is decoded
    or parsed here, so a bad line is the caller's to report.
    """
    with open_binary(path) as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                yield number, raw.rstrip(b"\r\n")


# --------------------------------------------------------------------------- parquet


def _is_plain(t: pa.DataType) -> bool:
    """Whether pyarrow's Python values of type ``t`` are JSON-safe as they come."""
    if pa.types.is_dictionary(t):
        return _is_plain(t.value_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return _is_plain(t.value_type)
    if pa.types.is_struct(t):
        return all(_is_plain(t.field(i).type) for i in range(t.num_fields))
    return (
        pa.types.is_null(t) or pa.types.is_boolean(t) or pa.types.is_integer(t)
        or pa.types.is_string(t) or pa.types.is_large_string(t)
    )


def _jsonable(value: Any) -> Any:
    """A Python value from pyarrow made JSON-safe (see :func:`iter_parquet_rows`)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # maps come as lists of (key, value) tuples
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    return str(value)  # extension types, e.g. uuid.UUID


def _nanoseconds_as_text(column: pa.Array) -> pa.Array:
    """Top-level nanosecond columns converted by Arrow: Python's datetime and timedelta stop
    at microseconds, and pyarrow refuses to truncate."""
    t = column.type
    if pa.types.is_timestamp(t) and t.unit == "ns":
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S" + ("%Ez" if t.tz else ""))
    if pa.types.is_time64(t) and t.unit == "ns":
        return column.cast(pa.string())
    if pa.types.is_duration(t) and t.unit == "ns":
        return pc.divide(column.cast(pa.int64()).cast(pa.float64()), 1e9)
    return column


def iter_parquet_rows(path: Path, batch_rows: int = 1024) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(row number, row)`` for each row of a Parquet file, 1-based, read ``batch_rows``
    rows at a time with ``ParquetFile.iter_batches`` (buffered column reads, no
    pre-buffering of whole row groups).

    Rows are dicts of JSON-safe values. Strings, integers, booleans, lists and structs
    (dicts) come as pyarrow gives them; the rest is converted:

    - timestamps, dates, times → ISO 8601 strings (``datetime.isoformat()``; nanosecond
      columns are formatted by Arrow with nine fractional digits, same shape);
    - durations → seconds, a float;
    - decimals → exact strings in plain notation (``"1.50"``, never ``"1.5E+1"``);
    - binary → base64 strings (ASCII; binary data is not assumed to be text);
    - NaN and ±infinity → ``None`` (they are not JSON);
    - maps → lists of ``[key, value]`` pairs (keys need not be strings);
    - anything else (extension types such as UUID) → ``str(value)``.

    A nanosecond value nested inside a list or struct that is not a whole number of
    microseconds cannot be converted and raises pyarrow's ``ValueError``.
    """
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    number = 0
    with pq.ParquetFile(path, pre_buffer=False, buffer_size=CHUNK_SIZE * 16) as parquet:
        for batch in parquet.iter_batches(batch_size=batch_rows):
            columns = [_nanoseconds_as_text(c) for c in batch.columns]
            batch = pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
            to_convert = [f.name for f in batch.schema if not _is_plain(f.type)]
            for row in batch.to_pylist():
                for name in to_convert:
                    row[name] = _jsonable(row[name])
                number += 1
                yield number, row


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t)


def _holds_struct(t: pa.DataType) -> bool:
    return pa.types.is_struct(t) or _is_list(t) and _holds_struct(t.value_type)


def _column_type(t: pa.DataType) -> pa.DataType:
    """The type of a column whose first-batch values pyarrow inferred as ``t``: ``t``
    itself, or a string (JSON text) column when ``t`` is null or holds structs. Lists of
    nulls (empty lists) become lists of strings."""
    if pa.types.is_null(t) or _holds_struct(t):
        return pa.string()
    if _is_list(t):
        item = pa.string() if pa.types.is_null(t.value_type) else _column_type(t.value_type)
        return pa.list_(item) if pa.types.is_list(t) else pa.large_list(item)
    return t


def _fits(src: pa.DataType, dst: pa.DataType) -> bool:
    """Whether values inferred as ``src`` may go into a column of type ``dst`` without
    losing anything; a safe cast then checks the values themselves (1.5 into an integer
    column fails, 2.0 passes). Arrow's cast alone would turn ``"12"`` into 12, 2 into
    True, and drop struct fields it does not know, so only these pairs are allowed."""
    if src == dst or pa.types.is_null(src):
        return True
    if _is_text(dst):
        return _is_text(src)
    if pa.types.is_integer(src) or pa.types.is_floating(src):
        return pa.types.is_integer(dst) or pa.types.is_floating(dst)
    if pa.types.is_timestamp(src):
        return pa.types.is_timestamp(dst)
    if _is_list(src) and _is_list(dst):
        return _fits(src.value_type, dst.value_type)
    if pa.types.is_struct(src) and pa.types.is_struct(dst):  # only with a schema given
        names = {dst.field(i).name: dst.field(i).type for i in range(dst.num_fields)}
        return all(
            src.field(i).name in names and _fits(src.field(i).type, names[src.field(i).name])
            for i in range(src.num_fields)
        )
    return False


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        if not isinstance(row, dict):
            raise TypeError(f"write_parquet: rows must be dicts, got {type(row).__name__}")
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _ParquetBatcher:
    """Rows to record batches of one schema, by the rule in :func:`write_parquet`."""

    def __init__(self, schema: pa.Schema | None) -> None:
        self.schema = schema
        self.first_row = 1

    def convert(self, rows: list[dict[str, Any]]) -> pa.RecordBatch:
        where = f"rows {self.first_row}-{self.first_row + len(rows) - 1}"
        if self.schema is None:
            self.schema = self._infer(rows)
        names = set(self.schema.names)
        for offset, row in enumerate(rows):
            extra = row.keys() - names
            if extra:
                raise ValueError(
                    f"write_parquet: row {self.first_row + offset} has keys that are not columns: "
                    f"{sorted(extra)} (columns: {self.schema.names})"
                )
        arrays = [self._column(field, [row.get(field.name) for row in rows], where) for field in self.schema]
        self.first_row += len(rows)
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    @staticmethod
    def _infer(rows: list[dict[str, Any]]) -> pa.Schema:
        fields = []
        for name in dict.fromkeys(key for row in rows for key in row):
            try:
                inferred = _column_type(pa.array([row.get(name) for row in rows]).type)
            except (pa.ArrowException, OverflowError):
                inferred = pa.string()  # mixed types in one column
            fields.append(pa.field(name, inferred))
        return pa.schema(fields)

    @staticmethod
    def _column(field: pa.Field, values: list[Any], where: str) -> pa.Array:
        if _is_text(field.type):
            return pa.array([_json_text(v) for v in values], field.type)
        try:
            array = pa.array(values)
        except (pa.ArrowException, OverflowError) as exc:
            raise ValueError(f"write_parquet: {where}, column {field.name!r}: {exc}") from exc
        if not _fits(array.type, field.type):
            raise ValueError(
                f"write_parquet: {where}, column {field.name!r}: values of type {array.type} do not fit "
                f"the column's type {field.type}; pass schema= to set it"
            )
        try:
            return array.cast(field.type, safe=True)
        except pa.ArrowException as exc:
            raise ValueError(f"write_parquet: {where}, column {field.name!r}: {exc}") from exc


def write_parquet(
    path: Path, rows: Iterable[dict[str, Any]], batch_rows: int = 1024, *, schema: pa.Schema | None = None
) -> int:
    """Write ``rows`` to a Parquet file, ``batch_rows`` at a time (one row group each),
    through a temporary file in the same folder and a rename; returns the rows written.
    On any error the temporary file is removed and ``path`` is left as it was.

    The schema is ``schema`` if given, else pyarrow's inference from the first batch
    (columns are the keys of its rows, in first-seen order), with two exceptions that
    keep later rows from breaking it:

    - dicts, and lists of dicts, are written as JSON text: their keys vary from row to
      row (``meta``), and a Parquet struct cannot gain fields after the first row group;
    - a column with no type in the first batch (all null) or several (``1`` and ``"a"``)
      is a string column. Empty lists make lists of strings.

    A string column takes anything: non-string values are written as JSON text (``5`` →
    ``"5"``, ``{"a": 1}`` → ``'{"a":1}'``). Other columns — numbers, booleans, timestamps,
    lists of them, structs of a given schema — keep their type: a missing key is a null,
    integers go into float columns and whole floats into integer ones, but any other
    value (a string in a number column, 1.5 in an integer column, a struct field the
    schema lacks) raises ``ValueError`` naming the column, and so does a key that is not
    a column. Nothing is silently cast, parsed or dropped.
    """
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    fd, tmp = temp_beside(path)
    os.close(fd)
    batcher = _ParquetBatcher(schema)
    writer: pq.ParquetWriter | None = None
    written = 0
    try:
        for rows_batch in _batches(rows, batch_rows):
            batch = batcher.convert(rows_batch)
            if writer is None:
                writer = pq.ParquetWriter(tmp, batch.schema)
            writer.write_batch(batch)
            written += batch.num_rows
        if writer is None:
            writer = pq.ParquetWriter(tmp, batcher.schema or pa.schema([]))
        writer.close()
        os.replace(tmp, path)
    except BaseException:
        if writer is not None:
            try:
                writer.close()
            except Exception:
                pass
        Path(tmp).unlink(missing_ok=True)
        raise
    return written


# --------------------------------------------------------------------------- WARC


@dataclass(frozen=True)
class WarcItem:
    """One HTML response of a WARC file."""

    index: int  # 1-based position among all records of the file
    record_id: str | None  # WARC-Record-ID
    url: str | None  # WARC-Target-URI
    date: str | None  # WARC-Date
    content_type: str  # HTTP Content-Type, lower-cased, without parameters; '' if none
    charset: str | None  # charset parameter of the HTTP Content-Type, lower-cased
    payload: bytes  # the HTTP body, de-chunked and content-decoded by warcio


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    message = Message()
    message["Content-Type"] = header
    return header.split(";", 1)[0].strip().lower(), message.get_content_charset() or None


def _finish_record(record: Any, index: int, path: Path) -> WarcItem | None:
    """Read one record to its end and check it is whole; the item if it is an HTML response."""
    declared = record.rec_headers.get_header("Content-Length") if record.format == "warc" else record.length
    try:
        length = int(declared)
    except (TypeError, ValueError):
        length = -1
    if length < 0 or record.length is None:
        raise CorruptInputError(
            f"{path}: WARC record {index} has no valid Content-Length ({declared!r}): "
            "truncated or corrupt header"
        )
    item = None
    http = record.http_headers
    try:
        if record.rec_type == "response" and http is not None:
            content_type, charset = _content_type(http.get_header("Content-Type"))
            if content_type in HTML_CONTENT_TYPES:
                headers = record.rec_headers
                item = WarcItem(
                    index=index,
                    record_id=headers.get_header("WARC-Record-ID"),
                    url=headers.get_header("WARC-Target-URI"),
                    date=headers.get_header("WARC-Date"),
                    content_type=content_type,
                    charset=charset,
                    payload=record.content_stream().read(),
                )
        while record.raw_stream.read(CHUNK_SIZE):
            pass
    except CorruptInputError as exc:
        raise CorruptInputError(f"{exc} (in WARC record {index})") from exc
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise CorruptInputError(
            f"{path}: WARC record {index} is truncated: {missing} of its {length} bytes are missing"
        )
    return item


def iter_warc_responses(path: Path) -> Iterator[WarcItem]:
    """Each ``response`` record of a ``.warc`` or ``.warc.gz`` file whose HTTP content type
    is HTML (``text/html``, ``application/xhtml+xml``), as a :class:`WarcItem`. Other
    records (requests, metadata, revisits, resources, non-HTML responses) are skipped
    silently, but still read and checked.

    Records are parsed by warcio's ``ArchiveIterator``, as its ``WARCIterator`` subclass:
    WARC only, since almost any line of garbage passes for an ARC header. The file is
    gunzipped here, not by warcio, whose gunzip ends quietly on a truncated file and
    only prints zlib errors. Damage raises :class:`CorruptInputError` where it is
    found: a record shorter than its Content-Length, a header without one, a record not
    followed by the blank lines that end it (a wrong Content-Length; warcio also prints
    a warning), a record that does not parse. Each item is yielded once the next
    record's header has been read, so a record whose length turns out wrong is never
    yielded; all items before the damage are. A file cut exactly between records looks
    whole and ends quietly.

    The payload is read whole (one document); other records are streamed through.
    ``.warc.zst`` is refused: zstd WARCs rely on a dictionary.
    """
    if path.suffix.lower() == ".zst":
        raise ValueError(f"{path}: zstd-compressed WARC files are not supported; use .warc or .warc.gz")
    with _open_raw(path) as stream:
        records = WARCIterator(stream)
        index = 0
        pending: WarcItem | None = None
        while True:
            try:
                record = next(records, None)
            except CorruptInputError as exc:
                raise CorruptInputError(f"{exc} (after WARC record {index})") from exc
            except Exception as exc:  # warcio's ArchiveLoadFailed, or AttributeError on a damaged header
                detail = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                message = f"{path}: cannot read the WARC record after record {index}: {detail}"
                raise CorruptInputError(message) from exc
            if records.err_count:
                raise CorruptInputError(
                    f"{path}: WARC record {index} is not followed by the blank lines that end a record: "
                    f"its Content-Length is probably wrong"
                )
            if pending is not None:
                yield pending
                pending = None
            if record is None:
                # warcio takes an EOFError inside a record's first lines for the end of
                # the archive; bytes read past the last whole record betray the cut
                leftover = records.fh.tell() - records.offset
                if leftover:
                    raise CorruptInputError(
                        f"{path}: the file ends inside the WARC record after record {index} "
                        f"({leftover} bytes of it are there)"
                    )
                return
            index += 1
            pending = _finish_record(record, index, path)


# --------------------------------------------------------------------------- writing


class CompressedLineWriter:
    """Lines written to ``path`` through a temporary file in the same folder, renamed into
    place by :meth:`close`; :meth:`abort` (or an exception inside ``with``) removes the
    temporary file and leaves ``path`` as it was.

    The format follows the last suffix: ``.gz`` gzip, ``.zst`` zstd, anything else
    plain. Lines are encoded as UTF-8 and written as given (add the ``\\n`` yourself).

    Output is deterministic, the same lines give the same bytes however they are split
    into :meth:`write` calls: the compressor is fed fixed-size chunks; gzip at level
    :data:`GZIP_LEVEL` with ``mtime=0`` and no file name in the header; zstd at level
    :data:`ZSTD_LEVEL`, single-threaded, one frame with a checksum and no content size.
    Byte-identity across machines holds for the same zlib and zstd library versions.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, self._tmp = temp_beside(path)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        suffix = path.suffix.lower()
        self._sink: Any
        if suffix == ".gz":
            self._sink = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._file, compresslevel=GZIP_LEVEL, mtime=0
            )
        elif suffix == ".zst":
            compressor = zstandard.ZstdCompressor(
                level=ZSTD_LEVEL, write_checksum=True, write_content_size=False, threads=0
            )
            self._sink = compressor.stream_writer(self._file, closefd=False)
        else:
            self._sink = self._file
        self._buffer = bytearray()
        self._done = False

    def write(self, line: str) -> None:
        if self._done:
            raise ValueError(f"{self.path}: write after close or abort")
        self._buffer += line.encode("utf-8")
        if len(self._buffer) >= CHUNK_SIZE:
            self._drain(final=False)

    def _drain(self, final: bool) -> None:
        end = len(self._buffer) if final else len(self._buffer) - len(self._buffer) % CHUNK_SIZE
        data = bytes(self._buffer[:end])
        del self._buffer[:end]
        for start in range(0, end, CHUNK_SIZE):
            self._sink.write(data[start : start + CHUNK_SIZE])

    def close(self) -> None:
        if self._done:
            return
        try:
            self._drain(final=True)
            if self._sink is not self._file:
                self._sink.close()
            self._file.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise
        self._done = True

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        for handle in (self._sink, self._file):
            try:
                handle.close()
            except Exception:
                pass
        Path(self._tmp).unlink(missing_ok=True)

    def __enter__(self) -> CompressedLineWriter:
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        self.abort() if kind else self.close()
