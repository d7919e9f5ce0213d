"""Write outputs atomically: a reader never sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_line(obj: Any) -> str:
    """One JSON object on one line, keys in a stable order, UTF-8 kept readable."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n"


class AtomicLines:
    """A text file written line by line to a temporary name and renamed on close."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self._handle: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, line: str) -> None:
        self._handle.write(line)

    def close(self) -> None:
        self._handle.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._handle.close()
        Path(self._tmp).unlink(missing_ok=True)

    def __enter__(self) -> AtomicLines:
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        self.abort() if kind else self.close()
