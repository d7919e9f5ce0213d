"""Write outputs atomically: a reader never sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


#: Mode of output files: what a plain ``open()`` would give (mkstemp gives 0600).
FILE_MODE = 0o666 & ~_umask()


def temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder (same file system, so the final
    ``os.replace`` is atomic), with ordinary permissions. Returns ``(fd, name)``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, FILE_MODE)
    return fd, tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_line(obj: Any) -> str:
    """One JSON object on one line, keys in insertion order, UTF-8 kept readable.

    Strings with lone surrogates (``"\\ud800"`` in an input record's JSON, a file name
    with bytes that are not UTF-8) cannot be written as UTF-8: such a line is written
    with every non-ASCII character escaped, which is still valid JSON and reads back
    to the same strings."""
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n"
    return line
