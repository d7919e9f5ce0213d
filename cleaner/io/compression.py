"""gzip and zstd: which files are compressed, reading them as a stream, and writing
compressed lines deterministically.

A file is compressed when its first bytes say so (gzip ``1f 8b``, zstd ``28 b5 2f fd``),
whatever its name: a ``.txt`` that is really gzip is read as the text inside. A file
without such bytes is taken by its last suffix (``.gz``, ``.zst``), so that a ``.gz``
that is not gzip fails as corrupt instead of being read as garbage.

Reading streams, chunk by chunk: memory stays flat whatever the size of the file. A
truncated or damaged stream raises :class:`~cleaner.io.errors.CorruptInputError` on
the read that reaches the damage, after everything before it has been handed out;
nothing ends quietly short. The formats themselves (JSONL lines, WARC records) are read
by :mod:`cleaner.io.jsonl` and :mod:`cleaner.io.warc` on top of this.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from cleaner.io.errors import CorruptInputError
from cleaner.io.writers import temp_beside

#: Bytes read from, or handed to, a compressor at a time.
CHUNK_SIZE = 1 << 16

#: Compression levels of :class:`CompressedLineWriter`: gzip's and zstd's own defaults.
GZIP_LEVEL = 6
ZSTD_LEVEL = 3

#: The first bytes of a gzip member and of a zstd frame.
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

_SUFFIXES = {".gz": "gzip", ".zst": "zstd"}


def compression_of(head: bytes, name: str | Path) -> str | None:
    """``"gzip"``, ``"zstd"`` or None (not compressed) for a file whose first bytes are
    ``head`` (four are enough) and whose name is ``name``: the magic bytes decide,
    then the last suffix (case-insensitive)."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return _SUFFIXES.get(Path(name).suffix.lower())


def sniff(path: Path) -> str | None:
    """:func:`compression_of` for a file on disk (reads its first four bytes)."""
    with path.open("rb") as handle:
        return compression_of(handle.read(len(ZSTD_MAGIC)), path)


class _GzipReader(io.RawIOBase):
    """:class:`gzip.GzipFile` (all members of a multi-member file), with a truncated or
    damaged stream reported as :class:`CorruptInputError` instead of ``EOFError`` or
    ``BadGzipFile``: warcio takes an ``EOFError`` for the end of the archive.

    Each read returns what one step of decompression gives, so the data before the
    damage is handed out before the error is raised. Owns (and closes) ``handle``."""

    def __init__(self, handle: BinaryIO, label: str) -> None:
        self._label = label
        self._handle = handle
        self._gz = gzip.GzipFile(fileobj=handle, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._gz.read1(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise CorruptInputError(f"{self._label}: gzip data is truncated or corrupt ({exc})") from exc

    def close(self) -> None:
        if not self.closed:
            self._gz.close()
            self._handle.close()
        super().close()


class _ZstdReader(io.RawIOBase):
    """Every zstd frame of a file, one after the other. Owns (and closes) ``handle``.

    Why not ``ZstdDecompressor.stream_reader``: it ends quietly when the file stops in
    the middle of a frame. Here each frame gets its own ``decompressobj``, and input that
    runs out before a frame's end is reported. Output is produced per input chunk, so
    memory is bounded by what one chunk decompresses to.
    """

    def __init__(self, handle: BinaryIO, label: str) -> None:
        self._label = label
        self._file = handle
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
                    raise CorruptInputError(f"{self._label}: zstd data is truncated (it ends inside a frame)")
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
            raise CorruptInputError(f"{self._label}: zstd data is corrupt ({exc})") from exc
        return b"".join(out)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


_READERS = {"gzip": _GzipReader, "zstd": _ZstdReader}


def open_raw(path: Path) -> BinaryIO:
    """Like :func:`open_binary`, unbuffered: a read returns what is available, so data
    before damage is returned before the error (a buffered ``read(n)`` drops the bytes
    it gathered when a later step fails)."""
    kind = sniff(path)
    if kind is None:
        return path.open("rb")
    return _READERS[kind](path.open("rb"), str(path))  # type: ignore[return-value]


def open_binary(path: Path) -> BinaryIO:
    """Open a file for reading, transparently decompressing gzip and zstd (told by
    :func:`compression_of`: the magic bytes, else a ``.gz`` or ``.zst`` suffix). Other
    files are opened as they are.

    Multi-member gzip and multi-frame zstd files are read to the end. A truncated or
    corrupt compressed stream raises :class:`CorruptInputError` on the read that reaches
    the damage. zstd frames must fit zstd's default decoding window (128 MiB; files made
    with ``zstd --long=31`` are refused) and use no dictionary.
    """
    raw = open_raw(path)
    if isinstance(raw, io.RawIOBase):
        return io.BufferedReader(raw, CHUNK_SIZE)  # type: ignore[return-value]
    return raw


def decompress(data: bytes, kind: str, label: str) -> bytes:
    """The whole content of ``data``, compressed as ``kind`` (``"gzip"`` or ``"zstd"``),
    for a document that is read whole anyway (a ``.txt.gz``). Damage raises
    :class:`CorruptInputError`, its message starting with ``label``."""
    with _READERS[kind](io.BytesIO(data), label) as reader:  # type: ignore[abstract]
        return reader.read()


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
