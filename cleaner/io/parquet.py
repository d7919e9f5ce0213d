"""Parquet input and output: rows read and written in record batches, with pyarrow.

Memory stays flat whatever the size of the file: what is held is one batch of rows.
Values are made JSON-safe on the way in (a row becomes a JSONL-like record) and keep
their types on the way out where a schema allows it; nothing is silently cast, parsed
or dropped (see :func:`iter_parquet_rows` and :func:`write_parquet`).
"""

from __future__ import annotations

import base64
import json
import math
import os
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaner.io.writers import temp_beside

#: pyarrow's read buffer for a Parquet file (column chunks are read through it).
READ_BUFFER = 1 << 20


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
    with pq.ParquetFile(path, pre_buffer=False, buffer_size=READ_BUFFER) as parquet:
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
    path: Path, rows: Iterable[dict[str, Any]], batch_rows: int = 1024, *, schema: pa.Schema | None = None,
    compression: str | None = None,
) -> int:
    """Write ``rows`` to a Parquet file, ``batch_rows`` at a time (one row group each),
    through a temporary file in the same folder and a rename; returns the rows written.
    On any error the temporary file is removed and ``path`` is left as it was.
    ``compression`` is the codec of every column (pyarrow's names: ``"zstd"``,
    ``"gzip"``, ...); None keeps pyarrow's default (snappy).

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
    codec = {"compression": compression} if compression else {}
    writer: pq.ParquetWriter | None = None
    written = 0
    try:
        for rows_batch in _batches(rows, batch_rows):
            batch = batcher.convert(rows_batch)
            if writer is None:
                writer = pq.ParquetWriter(tmp, batch.schema, **codec)
            writer.write_batch(batch)
            written += batch.num_rows
        if writer is None:
            writer = pq.ParquetWriter(tmp, batcher.schema or pa.schema([]), **codec)
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
