"""On how many pages of its site each line is, counted in bounded memory.

``corpus/site-template`` needs, per site, the number of distinct pages each line is
on, but judging reads only the lines on ``min_pages`` pages or more: a few per site.
Counted in a dict per site, every distinct line of the corpus cost the run's main
process about 75 bytes while scanning: 8.8 kB a page on the benchmark's pages, some
750 MB for 1 GB of JSONL pages with URLs (``bench/scale.py``).

:class:`SiteLineCounts` keeps each page's line keys (the 8-byte keys of
:class:`cleaner.corpus.templates.Sketch`) as they come; when :data:`BUFFER` of them
are held, they are sorted, collapsed to ``(site, key, pages)`` rows and appended to
one of :data:`SHARDS` files in a temporary folder, chosen by the key's top bits.
:meth:`SiteLineCounts.counted` then reads one shard at a time and keeps the lines on
``floor`` pages or more. Memory: the buffer (4 MB of keys; some 30 MB for a moment
while it is sorted and written) and one shard while counting; a corpus with fewer
lines than the buffer never touches the disk. On disk: 16 bytes a line of a page
(less where a line recurs within a buffer), removed once counted.

The counts are exact and do not depend on the buffer size or on the order in which
pages come. What it leaves alone: which pages count (a copy of a page counted
already is the caller's to skip: :class:`cleaner.corpus.templates.SiteStats` does it).

:class:`FrozenCounts` holds finished counts (the lines on ``min_pages`` pages or
more) in two sorted arrays, 12 bytes a line where a dict took ~100: the main process
and every worker of a run's clean phase hold them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import weakref
from array import array
from bisect import bisect_left
from pathlib import Path
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where it is used: it costs ~0.1 s, which every process paid
    import numpy as np

#: Line keys held in memory before they are written out (8 bytes each, plus a site number).
BUFFER = 1 << 19
#: Files the written keys are spread over, by their top bits (a power of two).
SHARDS = 64



@cache
def _row() -> np.dtype:
    """The record of one counted line: site number, line key, pages."""
    import numpy as np
    return np.dtype([("site", "<u4"), ("key", "<u8"), ("pages", "<u4")])


#: Bits a line key is shifted right by to give its shard (its top bits).
_SHIFT = 64 - SHARDS.bit_length() + 1


class SiteLineCounts:
    """Each site's line keys, one page at a time; :meth:`counted` says on how many
    pages each line is, for the lines on ``floor`` pages or more (see the module
    docs). ``folder``: where the temporary files go (a new folder in the system's
    temporary folder by default), removed when counted or when the object goes."""

    def __init__(self, *, buffer: int = BUFFER, folder: Path | None = None) -> None:
        self.buffer = buffer
        self.folder = folder
        self._numbers: dict[str, int] = {}
        self._names: list[str] = []
        self._pages: list[tuple[int, np.ndarray]] = []  # (site number, the page's keys), not written yet
        self._held = 0
        self._dir: Path | None = None
        self._counted = False

    def add(self, site: str, keys: bytes) -> None:
        """Count each of one page's distinct line keys (packed little-endian, 8 bytes
        each, as in :attr:`cleaner.corpus.templates.Sketch.keys`) for ``site``."""
        import numpy as np
        if self._counted:
            raise ValueError("these line counts are counted already and take no more pages")
        number = self._numbers.get(site)
        if number is None:
            number = self._numbers[site] = len(self._names)
            self._names.append(site)
        page = np.frombuffer(keys, dtype="<u8")
        if page.size:
            self._pages.append((number, page))
            self._held += page.size
            if self._held >= self.buffer:
                self._write()

    def counted(self, floor: int) -> dict[str, FrozenCounts]:
        """Per site with any, the lines (by key) on ``floor`` pages or more and on
        how many pages each is (compact: :class:`FrozenCounts`). Once: the temporary
        files are removed and no pages are taken after."""
        import numpy as np
        kept = [rows[rows["pages"] >= floor] for rows in self._collapsed()]
        rows = np.concatenate(kept) if kept else np.empty(0, dtype=_row())
        rows = rows[np.lexsort((rows["key"], rows["site"]))]
        starts = np.flatnonzero(np.diff(rows["site"].astype(np.int64), prepend=-1))
        ends = np.append(starts[1:], rows.size)
        return {self._names[int(rows["site"][a])]: FrozenCounts.from_arrays(rows["key"][a:b], rows["pages"][a:b])
                for a, b in zip(starts.tolist(), ends.tolist())}

    def counted_sites(self, floor: int, *, each_page_a_site: str | None = None) -> dict[int, int]:
        """Per line key, on how many distinct sites it is (a site counts once, however
        many of its pages have the line), for the lines on ``floor`` sites or more;
        the pages of the site named ``each_page_a_site`` count as a site each (pages
        that have no site). What ``corpus/repeated-lines`` needs. Once, instead of
        :meth:`counted`: all rows of a key are in one shard, so shards are counted alone."""
        import numpy as np
        found: dict[int, int] = {}
        alone = self._numbers.get(each_page_a_site) if each_page_a_site is not None else None
        for rows in self._collapsed():  # one row per (site, key)
            if not rows.size:
                continue
            keys, which = np.unique(rows["key"], return_inverse=True)
            weight = np.ones(rows.size, dtype=np.int64) if alone is None else \
                np.where(rows["site"] == alone, rows["pages"], 1).astype(np.int64)
            sites = np.bincount(which.ravel(), weights=weight, minlength=keys.size).astype(np.int64)
            kept = sites >= floor
            found.update(zip(keys[kept].tolist(), sites[kept].tolist()))
        return found

    def _collapsed(self) -> Iterator[np.ndarray]:
        """The rows counted, collapsed, one shard at a time (all in one when nothing
        was written). Once: the temporary files are removed and no pages are taken after."""
        import numpy as np
        if self._counted:
            raise ValueError("these line counts are counted already")
        self._counted = True
        try:
            if self._dir is None:
                yield _collapse(self._collected())
            else:
                self._write()
                for shard in sorted(self._dir.iterdir()):
                    yield _collapse(np.fromfile(shard, dtype=_row()))
        finally:
            self._pages, self._held = [], 0
            self._remove()

    def _collected(self) -> np.ndarray:
        """The held keys as rows of one page each (``pages`` = 1)."""
        import numpy as np
        rows = np.empty(self._held, dtype=_row())
        if self._pages:
            rows["key"] = np.concatenate([keys for _, keys in self._pages])
            rows["site"] = np.repeat([n for n, _ in self._pages], [keys.size for _, keys in self._pages])
        rows["pages"] = 1
        return rows

    def _write(self) -> None:
        """Append the held keys, collapsed, to the shard files."""
        import numpy as np
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="cleaner-lines-", dir=self.folder))
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._dir, ignore_errors=True)
        rows = _collapse(self._collected())
        self._pages, self._held = [], 0
        shard = (rows["key"] >> np.uint64(_SHIFT)).astype(np.intp)
        order = np.argsort(shard, kind="stable")
        bounds = np.searchsorted(shard[order], np.arange(SHARDS + 1))
        rows = rows[order]
        for n in range(SHARDS):
            if bounds[n] < bounds[n + 1]:
                with (self._dir / f"{n:03d}.rows").open("ab") as handle:
                    handle.write(rows[bounds[n]:bounds[n + 1]].tobytes())

    def _remove(self) -> None:
        if self._dir is not None:
            self._finalizer()
            self._dir = None


def _collapse(rows: np.ndarray) -> np.ndarray:
    """Rows with the same site and key made one, their pages summed; sorted."""
    import numpy as np
    if not rows.size:
        return rows
    rows = rows[np.lexsort((rows["key"], rows["site"]))]
    new = np.empty(rows.size, dtype=bool)
    new[0] = True
    new[1:] = (rows["key"][1:] != rows["key"][:-1]) | (rows["site"][1:] != rows["site"][:-1])
    starts = np.flatnonzero(new)
    out = rows[starts]
    out["pages"] = np.add.reduceat(rows["pages"], starts)
    return out


class FrozenCounts(Mapping[int, int]):
    """Finished line counts, read-only and compact: the keys sorted in one array
    (8 bytes each), their counts in another (4 bytes), looked up by bisection."""

    __slots__ = ("_keys", "_counts")

    def __init__(self, keys: array[int] | None = None, counts: array[int] | None = None) -> None:
        self._keys: array[int] = keys if keys is not None else array("Q")
        self._counts: array[int] = counts if counts is not None else array("I")
        if len(self._keys) != len(self._counts):
            raise ValueError("as many counts as keys are needed")

    @classmethod
    def from_arrays(cls, keys: np.ndarray, counts: np.ndarray) -> FrozenCounts:
        """From sorted, distinct keys and their counts (numpy arrays)."""
        packed_keys, packed_counts = array("Q"), array("I")
        packed_keys.frombytes(keys.astype("=u8").tobytes())
        packed_counts.frombytes(counts.astype("=u4").tobytes())
        return cls(packed_keys, packed_counts)

    @classmethod
    def of(cls, counts: Mapping[int, int], floor: int = 0) -> FrozenCounts:
        """The counts of ``counts`` that are ``floor`` or more."""
        if isinstance(counts, FrozenCounts) and all(n >= floor for n in counts._counts):
            return counts
        keys = sorted(key for key, n in counts.items() if n >= floor)
        return cls(array("Q", keys), array("I", (counts[key] for key in keys)))

    def get(self, key: int, default: int | None = None) -> int | None:  # type: ignore[override]
        keys = self._keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return self._counts[i]
        return default

    def __getitem__(self, key: int) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __reduce__(self) -> tuple[object, tuple[bytes, bytes]]:
        return _frozen_from_bytes, (_little(self._keys), _little(self._counts))

    def __repr__(self) -> str:
        return f"FrozenCounts({len(self)} lines)"


def _little(values: array[int]) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _frozen_from_bytes(keys: bytes, counts: bytes) -> FrozenCounts:
    found = FrozenCounts()
    found._keys.frombytes(keys)
    found._counts.frombytes(counts)
    if sys.byteorder == "big":
        found._keys.byteswap()
        found._counts.byteswap()
    return found
