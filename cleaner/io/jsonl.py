"""JSONL input: the lines of a JSON Lines file, plain or compressed, streamed.

JSON Lines comes under several names: ``.jsonl``, ``.ndjson``, and ``.json`` (dolma's
shards are ``.json.gz``). A ``.json`` file may also be one JSON document (an array of
records, an object spread over lines), which is not JSON Lines: that is told by the
file's first line, and the whole file fails with :class:`NotJsonLines`, which says how
to convert it. It is not read as an array of records: that would hold the whole file in
memory, and a file read whole is not streamed.

Only splitting happens here; decoding and parsing a line is the caller's
(:func:`cleaner.io.readers.load_document`), so that a bad line is reported as that
line's failure and the others go on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Generator

from cleaner.io.compression import open_binary


class NotJsonLines(ValueError):
    """A file read as JSON Lines holds one JSON document instead; the message says
    which kind and how to make JSON Lines of it."""


def iter_jsonl_lines(path: Path) -> Generator[tuple[int, bytes], None, None]:
    """``(line number, raw line)`` for each non-blank line of a JSON Lines file (``.jsonl``,
    ``.ndjson``, ``.json``, each plain, ``.gz`` or ``.zst``: compression told by
    :func:`~cleaner.io.compression.open_binary`). Numbers are 1-based and count blank lines
    too (they point into the file); a line is blank when it holds only whitespace.

    The raw line is the bytes without their line break: trailing ``\\r`` and ``\\n`` are
    stripped, as :mod:`cleaner.io.readers` does before hashing a line. Nothing is decoded
    or parsed here, so a bad line is the caller's to report. A truncated or corrupt
    compressed file raises :class:`~cleaner.io.errors.CorruptInputError` after the lines
    before the damage; a file whose first line shows it is one JSON document raises
    :class:`NotJsonLines` before any line (see :func:`check_first_line`).
    """
    first = True
    with open_binary(path) as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                if first:
                    check_first_line(raw)
                    first = False
                yield number, raw.rstrip(b"\r\n")


def check_first_line(line: bytes) -> None:
    """Raise :class:`NotJsonLines` when a file's first non-blank ``line`` shows that the
    file is one JSON document: it opens an array (``[``: no line of JSON Lines of
    records does), or it is a lone ``{`` (an object written over several lines, as
    ``json.dump(indent=…)`` and ``jq .`` write it). Anything else is left to be parsed
    line by line, so one broken line fails alone and the lines after it are read."""
    text = line.strip().lstrip(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark is not content
    if text.startswith(b"["):
        raise NotJsonLines(
            "not JSON Lines: the file is one JSON array (it begins with '['), and cleaner reads one JSON "
            "object per line; convert it with: jq -c '.[]' FILE > FILE.jsonl"
        )
    if text == b"{":
        raise NotJsonLines(
            "not JSON Lines: the file is one JSON object written over several lines (its first line is '{'), "
            "and cleaner reads one JSON object per line; convert it with: jq -c . FILE > FILE.jsonl"
        )
