"""JSONL input: the lines of a ``.jsonl`` file, plain or compressed, streamed.

Only splitting happens here; decoding and parsing a line is the caller's
(:func:`cleaner.io.readers.load_document`), so that a bad line is reported as that
line's failure and the others go on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from cleaner.io.compression import open_binary


def iter_jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` for each non-blank line of a ``.jsonl``, ``.jsonl.gz`` or
    ``.jsonl.zst`` file (compression told by :func:`~cleaner.io.compression.open_binary`).
    Numbers are 1-based and count blank lines too (they point into the file); a line is
    blank when it holds only whitespace.

    The raw line is the bytes without their line break: trailing ``\\r`` and ``\\n`` are
    stripped, as :mod:`cleaner.io.readers` does before hashing a line. Nothing is decoded
    or parsed here, so a bad line is the caller's to report. A truncated or corrupt
    compressed file raises :class:`~cleaner.io.errors.CorruptInputError` after the lines
    before the damage.
    """
    with open_binary(path) as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                yield number, raw.rstrip(b"\r\n")
