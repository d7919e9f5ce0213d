"""The error every streaming reader raises for a damaged file (see :mod:`cleaner.io.compression`,
:mod:`cleaner.io.jsonl`, :mod:`cleaner.io.warc`)."""

from __future__ import annotations


class CorruptInputError(ValueError):
    """A file is truncated or corrupt. Everything before the damage was read; the
    message says which file and where."""
