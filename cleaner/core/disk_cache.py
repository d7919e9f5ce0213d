"""Values worth keeping between runs, in the user's cache folder.

Reading the default pack's patterns for the line screen takes more than a second, in
every process that loads the pack: each ``cleaner`` command and each worker of a
parallel run. That is as much as cleaning a few megabytes. A reading depends on
nothing but the pattern and the code that reads it, so it can be kept: one JSON file
per *version*, a key that the caller derives from everything the values depend on
(:func:`version_key`), holding ``{key: value}``. A new version of the code, of Python
or of its Unicode tables gets a new file; old files are left for the user to delete.

Where: the folder named by ``$CLEANER_CACHE_DIR``, else the platform's user cache
folder for ``cleaner`` (``~/.cache/cleaner`` on Linux). ``CLEANER_CACHE_DIR=""``
turns the cache off.

What it leaves alone: a file that cannot be read, is not JSON, or cannot be written
is ignored, and the values are computed as if there were no cache; this module never
raises for the cache's sake. It stores JSON, not pickle, so a stray file cannot run
code; the caller checks each value's shape before using it. Several processes may
write at once: each writes a whole file under a temporary name and renames it, so a
reader sees one complete file (a value another process added at the same moment may
be lost, and is computed again next time).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

#: Environment variable naming the cache folder; empty turns the cache off.
ENV = "CLEANER_CACHE_DIR"


def cache_folder() -> Path | None:
    """The folder the cache lives in, or None when it is turned off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    return Path(platformdirs.user_cache_dir("cleaner", appauthor=False))


def version_key(*parts: str | bytes) -> str:
    """A short hash of everything a cached value depends on besides its key."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()[:16]


class JsonCache:
    """``{key: JSON value}`` of one kind (``name``) and one ``version``, read from
    disk on first use and written back by :meth:`save` when it learnt something."""

    def __init__(self, name: str, version: str | None) -> None:
        self.name = name
        self.version = version  # None: nothing to key the values by, keep nothing
        self._known: dict[str, Any] | None = None
        self._learnt: dict[str, Any] = {}

    @property
    def path(self) -> Path | None:
        folder = cache_folder()
        if folder is None or self.version is None:
            return None
        return folder / f"{self.name}-{self.version}.json"

    def get(self, key: str, default: Any = None) -> Any:
        """The value kept for ``key``, or ``default``."""
        if self._known is None:
            self._known = self._read()
        return self._known.get(key, default)

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON-serialisable) for ``key``; written by :meth:`save`."""
        if self._known is None:
            self._known = self._read()
        self._known[key] = value
        self._learnt[key] = value

    def save(self) -> None:
        """Write what was learnt since the last save, merged with the file as it is now."""
        path = self.path
        if not self._learnt or path is None:
            return
        merged = {**self._read(), **self._learnt}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(merged, out, ensure_ascii=False)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a read-only or full disk: keep working without the cache
        self._learnt.clear()

    def _read(self) -> dict[str, Any]:
        path = self.path
        if path is None:
            return {}
        try:
            with path.open(encoding="utf-8") as handle:
                found = json.load(handle)
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}
