"""Compact stores for the duplicates' index (:class:`cleaner.corpus.duplicates.DuplicateIndex`).

The index keeps, for each document it indexes, 15 entries from a 64-bit hash to the
document's ordinal (its exact hash and its 14 LSH band hashes) and its 448-byte
MinHash signature, in the run's main process, until the scan ends. In dicts an entry
cost about 70 bytes (a 64-bit key is an int object of 36), some 1.1 kB a document with
the signature: 95 MB for 78,000 documents, 1.2 GB for a million.

* :class:`IntMap`: a map from 64-bit keys to ordinals with the dict methods the
  index uses (``get``, ``setdefault``, item assignment). New entries go to a small
  dict; when it holds a sixteenth of the rest (4,096 entries at least), it is merged into
  two sorted arrays (8 + 4 bytes an entry), searched by bisection.
* :class:`SpilledBytes`: an append-only byte string that keeps its first
  :data:`IN_MEMORY` bytes in memory and the rest in an unnamed temporary file, read
  back by slices (the index reads a signature only for an LSH candidate).

About 300 bytes a document in memory instead of 1,100 for 78,000 documents (less
the more there are: the signatures' first MB in memory is shared out), at some 70 µs a
document instead of 12 (bisection of arrays, not hashing); the answers are those of
the dicts and the bytearray they replace (``tests/test_compact_index.py``). Both pickle.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: it costs ~0.1 s, which every process paid
    import numpy as np

#: New entries an :class:`IntMap` holds in its dict before merging them, at least.
MERGE_AT = 4096
#: Bytes a :class:`SpilledBytes` keeps in memory before it writes to its file.
IN_MEMORY = 1 << 20


class IntMap:
    """Unsigned 64-bit keys to integers (see the module docs)."""

    __slots__ = ("_keys", "_values", "_recent", "_missed")

    def __init__(self) -> None:
        self._keys: array[int] = array("Q")  # sorted
        self._values: array[int] = array("i")  # ordinals: an index of 2**31 documents or more raises OverflowError
        self._recent: dict[int, int] = {}
        # the key the last get() did not find, until an entry is added: the index asks
        # for a document's hashes, then adds them, and the second search is skipped
        self._missed: int | None = None

    def get(self, key: int, default: int | None = None) -> int | None:
        found = self._recent.get(key)
        if found is not None:
            return found
        keys = self._keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return self._values[i]
        self._missed = key
        return default

    def setdefault(self, key: int, value: int) -> int:
        if key != self._missed:
            found = self.get(key)
            if found is not None:
                return found
        self._add(key, value)
        return value

    def __setitem__(self, key: int, value: int) -> None:
        if key != self._missed:
            keys = self._keys
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                self._values[i] = value
                return
        self._add(key, value)

    def __getitem__(self, key: int) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def __len__(self) -> int:
        return len(self._keys) + len(self._recent)

    def _add(self, key: int, value: int) -> None:
        self._missed = None
        self._recent[key] = value
        if len(self._recent) >= max(MERGE_AT, len(self._keys) >> 4):
            self._merge()

    def _merge(self) -> None:
        """The recent entries into the sorted arrays."""
        import numpy as np
        ordered = sorted(self._recent)
        new_keys = np.array(ordered, dtype=np.uint64)
        new_values = np.array([self._recent[k] for k in ordered], dtype=np.intc)
        old_keys = np.frombuffer(self._keys, dtype=np.uint64) if self._keys else np.empty(0, np.uint64)
        old_values = np.frombuffer(self._values, dtype=np.intc) if self._values else np.empty(0, np.intc)
        at = np.searchsorted(old_keys, new_keys)
        keys, values = array("Q"), array("i")
        keys.frombytes(np.insert(old_keys, at, new_keys).tobytes())
        values.frombytes(np.insert(old_values, at, new_values).tobytes())
        self._keys, self._values, self._recent = keys, values, {}

    def __reduce__(self) -> tuple[Any, ...]:
        self._merge()
        return _int_map, (self._keys.tobytes(), self._values.tobytes())


def _int_map(keys: bytes, values: bytes) -> IntMap:
    found = IntMap()
    found._keys.frombytes(keys)
    found._values.frombytes(values)
    return found


class SpilledBytes:
    """An append-only byte string, in memory up to :data:`IN_MEMORY` bytes and in a
    temporary file (removed when the object goes) beyond; ``folder``: where that
    file goes (the system's temporary folder by default)."""

    __slots__ = ("_head", "_file", "_size", "_dirty", "folder", "in_memory")

    def __init__(self, data: bytes = b"", *, folder: Path | None = None, in_memory: int = IN_MEMORY) -> None:
        self._head = bytearray()
        self._file: IO[bytes] | None = None
        self._size = 0
        self._dirty = False
        self.folder, self.in_memory = folder, in_memory
        self += data

    def __iadd__(self, data: bytes) -> SpilledBytes:
        if self._file is None and len(self._head) + len(data) <= self.in_memory:
            self._head += data
        else:
            if self._file is None:
                self._file = tempfile.TemporaryFile(dir=self.folder, prefix="cleaner-index-")
            self._file.write(data)
            self._dirty = True
        self._size += len(data)
        return self

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, part: slice) -> bytes:
        start, stop, step = part.indices(self._size)
        if step != 1:
            raise ValueError("SpilledBytes are read by contiguous slices only")
        head = len(self._head)
        if stop <= head:
            return bytes(self._head[start:stop])
        assert self._file is not None
        if self._dirty:
            self._file.flush()
            self._dirty = False
        begin = max(start, head)
        tail = os.pread(self._file.fileno(), max(0, stop - begin), begin - head)
        return bytes(self._head[start:head]) + tail if start < head else tail

    def __reduce__(self) -> tuple[Any, ...]:
        return SpilledBytes, (self[0:self._size],)
