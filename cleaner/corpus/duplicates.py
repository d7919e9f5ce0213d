"""Exact and near-duplicate documents: a hash of the normalised text, and MinHash with LSH.

What it does. :func:`sketch` turns a document's text into a small, picklable
:class:`Sketch` (a hash of the normalised text, 14 LSH band hashes and the 112-value
MinHash signature); a :class:`DuplicateIndex` takes sketches in input order and says,
for each, whether it repeats an earlier document. The first document in input order
always stays; a later one is an *exact duplicate* when its normalised text
(:func:`normalise_for_exact`) is the same, and a *near-duplicate* when an LSH band
makes it a candidate and the signatures estimate the word 5-gram Jaccard similarity
near :data:`THRESHOLD` or above (:func:`confirmation_cut`).
``DuplicateIndex.add(doc_id, text)`` does both steps at once.

Why two steps. A corpus run computes sketches in parallel workers (the costly part:
tokenising, hashing every 5-gram) and feeds them, in input order, to one index (cheap
dictionary look-ups), so the verdicts do not depend on ``--jobs``.

Defaults, in line with datatrove's ``MinhashConfig`` and FineWeb: word 5-grams, 112
permutations = 14 bands x 8 rows, seed 1. Where we differ, and the threshold, see
:func:`words` and :data:`THRESHOLD`.

Clusters. A near-duplicate is indexed too, so a later copy of it is found even when
it is less like the kept original (C like B, B like A: C joins A's cluster), as
datatrove drops all but one document of every cluster of matched pairs; a verdict
holds the document matched and the one its cluster keeps, and its reason names the
kept one only (a dropped copy has no output to look at).

What it leaves alone. Documents of fewer than 5 words get no signature and are only
checked for exact copies; an empty text is never a duplicate. Nothing here drops,
writes or reports: the caller (a corpus rule) turns a :class:`Verdict` into a status.

Memory. Per indexed document (kept or near-duplicate), measured with tracemalloc in
``tests/test_duplicates.py``: about 1.2 kB plus its id string. That is the 448-byte
signature in one shared ``bytearray``, 8 bytes in an ``array`` for its cluster, and
up to 15 dict entries (14 bands, 1 exact hash; an int key of ~36 bytes and a slot
each). Exact copies cost nothing after their verdict. A million documents: ~1.3 GB,
so a run of that size must keep the index out of memory (sorted band files, as
datatrove writes them, or a key-value store); that is not done here.
"""

from __future__ import annotations

import math
import unicodedata
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: it costs ~0.1 s, which every process paid
    import numpy as np
import regex
import xxhash

from cleaner.corpus.compact_index import IntMap, SpilledBytes

SHINGLE_SIZE = 5
NUM_BANDS = 14
ROWS_PER_BAND = 8
NUM_PERM = NUM_BANDS * ROWS_PER_BAND
SEED = 1
THRESHOLD = 0.8
"""The word 5-gram Jaccard similarity at or above which two documents are near-duplicates.

Why 0.8. datatrove (and so FineWeb) confirms nothing: any shared band makes a pair
duplicates, so its threshold is the S-curve of 14 x 8 bands, P = 1 - (1 - J^8)^14,
centred near (1/14)^(1/8) = 0.72; FineWeb's stated aim is pairs "at least 75%
similar", but those bands find a pair at 0.75 only 77% of the time. 0.8 is the
lowest Jaccard they find reliably (92% at 0.8, 99% at 0.85), so it is what we can
promise. A shared band also happens by chance to pairs far below (20% of pairs at
0.6, 5% at 0.5): those are rejected by :func:`confirmation_cut`."""


def confirmation_cut(threshold: float) -> float:
    """The signature estimate at or above which an LSH candidate is confirmed.

    Two standard errors of the 112-value estimate below the threshold (0.72 for
    0.8): a pair *at* the threshold then passes 97% of the time instead of half,
    while pairs at 0.6 pass about 2% of the time (and share a band 20%). The price
    is that some pairs between about 0.7 and 0.8 are flagged too; their reason
    shows the estimate ("Jaccard ≈ 0.74")."""
    return threshold - 2.0 * math.sqrt(threshold * (1.0 - threshold) / NUM_PERM)


# MinHash scheme, named so that a datasketch release with another default cannot
# change verdicts (datasketch 2.0 changed it; "legacy" overestimates on large sets).
_SCHEME = "affine32"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def normalise_for_exact(text: str) -> str:
    """The text two documents must share to be exact duplicates.

    NFKC (full-width and compatibility forms fold, as scrapers of one page differ
    there), casefold (a title-cased or upper-cased copy is the same text), every run
    of whitespace, line breaks included, becomes one space, ends stripped (a
    reflowed copy is the same text). Punctuation and digits are kept: "$10" and
    "$100" are different texts, and texts that differ in small ways are the
    near-duplicate test's job. Residue lines are already gone when this runs, so
    they are not the concern here.
    """
    return " ".join(_fold(text).split())


# datatrove's NUMBERS_PATTERN: a number, with one decimal part, becomes "0"
_NUMBER = regex.compile(r"\p{Nd}+(?:[.,،٫⎖⎗⎘]\p{Nd}+)?")
_PUNCTUATION_SYMBOL_CONTROL = regex.compile(r"[\p{P}\p{S}\p{Cc}]+")
_COMBINING_MARK = regex.compile(r"\p{Mn}+")


def words(text: str) -> list[str]:
    """The words whose 5-grams are shingled, as datatrove's ``simplify_text`` makes them.

    Aligned with datatrove's defaults (``TextNormConfig``): lower case, numbers become
    "0" (so two shop pages that differ only in prices and sizes look alike),
    punctuation becomes a space, diacritics are removed (NFD, combining marks
    dropped), whitespace splits words. Different, on purpose: NFKC first and
    ``casefold`` instead of ``lower`` (full-width forms, "ß" = "ss"); punctuation is
    every Unicode punctuation, symbol and control character, where datatrove has a
    fixed list that misses some (``‘``, ``€``, ``©``); words are split on whitespace
    where datatrove runs NLTK's tokenizer, which on text without punctuation differs
    only in splitting "cannot" and "gonna" (no NLTK dependency). Left alone: scripts
    written without spaces (Chinese, Japanese, Thai) give one "word" per run, so
    near-duplicates among them are found only when long runs repeat.
    """
    return _words_of_folded(_fold(text))


def _words_of_folded(folded: str) -> list[str]:
    text: str = _PUNCTUATION_SYMBOL_CONTROL.sub(" ", _NUMBER.sub("0", folded))
    if not text.isascii():
        text = _COMBINING_MARK.sub("", unicodedata.normalize("NFD", text))
    return text.split()


def shingles(text: str, n: int = SHINGLE_SIZE) -> set[str]:
    """The set of word n-grams of ``text`` (each the words joined by one space).

    A text of fewer than ``n`` words has none, as in datatrove. This is the
    definition (tests and the benchmark measure true Jaccard with it); signatures
    hash the same n-grams without building the strings (:func:`shingle_hashes`)."""
    w = words(text)
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


_MIX = 0x9E3779B97F4A7C15  # the n-gram polynomial's multiplier (an odd 64-bit constant)
_LOW32 = 0xFFFFFFFF


def shingle_hashes(word_list: list[str], n: int = SHINGLE_SIZE) -> np.ndarray:
    """One 32-bit hash per word n-gram (uint64 array; repeats of an n-gram repeat).

    Each word is hashed once with xxHash32 and each n-gram's hash is a polynomial of
    its words' hashes, mod 2^64, folded to 32 bits: the same n-gram always gets the
    same hash, on any machine and in any process (unlike Python's ``hash``). Signing
    1,000 gold texts (9.5 kB each) this way took 1.7-2.0 CPU s, against 2.5-2.7 s with
    xxHash32 of each n-gram string and 4.1-4.4 s with datasketch's default SHA-1 of each
    (``bench/duplicates.py --compare-hashes``; docs/duplicates.md)."""
    import numpy as np
    count = len(word_list) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    word_hashes = np.fromiter((xxhash.xxh32_intdigest(w.encode("utf-8")) for w in word_list),
                              dtype=np.uint64, count=len(word_list))
    h = np.zeros(count, dtype=np.uint64)
    mix = np.uint64(_MIX)
    for k in range(n):
        h = h * mix + word_hashes[k:k + count]
    return ((h >> np.uint64(32)) ^ h) & np.uint64(_LOW32)


def _identity(value: int) -> int:
    return value


_MINHASH: tuple[Any, Any] | None = None


def _minhash() -> tuple[Any, Any]:
    """datasketch's MinHash class and the permutations, on first use: importing
    datasketch imports scipy (0.8-1.2 s), which every cleaner process, and every
    worker of a run, paid at start even when it sketched nothing."""
    global _MINHASH
    if _MINHASH is None:
        from datasketch import MinHash  # type: ignore[import-untyped]  # ships no type hints

        _MINHASH = MinHash, MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME).permutations
    return _MINHASH


def __getattr__(name: str) -> Any:
    """``_PERMUTATIONS``, drawn on first use (see :func:`_minhash`)."""
    if name == "_PERMUTATIONS":
        return _minhash()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def signature(hashes: np.ndarray) -> np.ndarray:
    """The 112-value MinHash signature (uint32) of 32-bit shingle hashes, by datasketch.

    datasketch's ``affine32`` scheme, seed 1, permutations drawn once per process
    (the same in every process: datasketch draws them from ``RandomState(seed)``)."""
    import numpy as np
    minhash, permutations = _minhash()
    mh = minhash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity, permutations=permutations,
                 scheme=_SCHEME)
    mh.update_batch(hashes.tolist())
    return np.asarray(mh.hashvalues, dtype="<u4")


def _hash64(data: bytes) -> int:
    return xxhash.xxh3_64_intdigest(data)


@dataclass(frozen=True, slots=True)
class Sketch:
    """What the index needs of one document: computed in a worker, pickled, offered.

    ``exact``: 64-bit hash of the normalised text, or None for an empty text.
    ``bands``: one 64-bit hash per LSH band of 8 signature values (empty under 5 words).
    ``signature``: the 112 uint32 MinHash values as 448 bytes (empty under 5 words),
    kept to estimate the Jaccard similarity of a candidate pair. About 670 bytes pickled.
    """

    exact: int | None
    bands: tuple[int, ...]
    signature: bytes


def sketch(text: str) -> Sketch:
    """The :class:`Sketch` of a document's text (pure: same text, same sketch, anywhere)."""
    folded = _fold(text)
    normalised = " ".join(folded.split())
    exact = _hash64(normalised.encode("utf-8")) if normalised else None
    hashes = shingle_hashes(_words_of_folded(folded))
    if not hashes.size:
        return Sketch(exact, (), b"")
    sig = signature(hashes).tobytes()
    width = ROWS_PER_BAND * 4
    bands = tuple(_hash64(sig[i * width:(i + 1) * width]) for i in range(NUM_BANDS))
    return Sketch(exact, bands, sig)


def estimated_jaccard(a: bytes, b: bytes) -> float:
    """The share of equal MinHash values of two signatures: the Jaccard estimate."""
    import numpy as np
    return float(np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4"))) / NUM_PERM


@dataclass(frozen=True, slots=True)
class Verdict:
    """A document repeats an earlier one: ``duplicate_of`` is the id of the one it matched.

    ``kind`` is "exact" or "near"; ``jaccard`` the estimate (None for exact); ``kept``
    the id of the document its cluster keeps, the first in input order (the same as
    ``duplicate_of`` unless that one is itself a duplicate)."""

    kind: str
    duplicate_of: str
    kept: str
    jaccard: float | None = None

    @property
    def reason(self) -> str:
        """The words provenance shows, naming the document the cluster keeps (where
        the copy's text is), never another dropped copy: "near-duplicate of <kept>,
        Jaccard ≈ 0.91", "exact duplicate of <kept>". A document matched through
        another copy says so, without naming it: "exact duplicate of another copy
        of <kept>", "near-duplicate of <kept>, through another of its copies
        (Jaccard ≈ 0.91 with that copy)" (the estimate is with the copy matched)."""
        through = self.duplicate_of != self.kept
        if self.kind == "exact":
            return f"exact duplicate of {'another copy of ' if through else ''}{self.kept}"
        if through:
            return f"near-duplicate of {self.kept}, through another of its copies (Jaccard ≈ {self.jaccard:.2f} with that copy)"
        return f"near-duplicate of {self.kept}, Jaccard ≈ {self.jaccard:.2f}"


#: How a duplicate's reason (:attr:`Verdict.reason`) begins, before the document it names;
#: the longest first.
REASON_LEADS = ("exact duplicate of another copy of ", "exact duplicate of ", "near-duplicate of ")


def kept_in_reason(why: str) -> str:
    """The kept document a duplicate's reason names ("exact duplicate of X",
    "near-duplicate of X, Jaccard ≈ 0.91"): :attr:`Verdict.reason` read back; ``why``
    itself when it is not such a reason."""
    for lead in REASON_LEADS:
        if why.startswith(lead):
            rest = why[len(lead):]
            for tail in (", through another of its copies", ", Jaccard ≈ "):
                if tail in rest:
                    rest = rest[: rest.rindex(tail)]
            return rest
    return why


class DuplicateIndex:
    """Documents seen so far, by exact hash and by LSH band hash, offered in input order.

    ``offer(doc_id, sketch)`` returns a :class:`Verdict` if the document repeats an
    earlier one, else None (it is kept). ``threshold`` is the true Jaccard to find
    (:data:`THRESHOLD`); candidates are confirmed at ``cut`` (:func:`confirmation_cut`).
    Every document but an exact copy is indexed
    (its hashes go where no earlier document holds them), near-duplicates included,
    so a copy of a dropped copy is found too and joins its cluster, as datatrove
    clusters all matched pairs. Among confirmed candidates the most
    similar wins, then the earliest. Verdicts depend only on the order of documents.
    State is plain dicts, lists, arrays and bytes: it pickles, for a run to save.
    """

    def __init__(self, threshold: float = THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}: it is a Jaccard similarity")
        self.threshold = threshold
        self.cut = confirmation_cut(threshold)
        self._ids: list[str] = []             # indexed documents, by ordinal
        self._kept = array("q")               # ordinal -> ordinal of its cluster's kept document
        # compact stores (cleaner.corpus.compact_index): dicts took ~70 bytes an entry, 1.1 kB a document
        self._signatures = SpilledBytes()     # NUM_PERM * 4 bytes per ordinal (zeros under 5 words)
        self._exact = IntMap()                # exact hash -> ordinal
        self._bands = [IntMap() for _ in range(NUM_BANDS)]  # band hash -> ordinal

    def __len__(self) -> int:
        """The number of documents indexed so far (kept ones and near-duplicates)."""
        return len(self._ids)

    def add(self, doc_id: str, text: str) -> Verdict | None:
        """``offer(doc_id, sketch(text))``: both phases in one call."""
        return self.offer(doc_id, sketch(text))

    def offer(self, doc_id: str, sk: Sketch) -> Verdict | None:
        """The verdict on the next document in input order, or None if it is kept."""
        if sk.exact is None:
            return None
        first = self._exact.get(sk.exact)
        if first is not None:
            return Verdict("exact", self._ids[first], self._ids[self._kept[first]])
        best = self._best_candidate(sk)
        ordinal = len(self._ids)
        self._ids.append(doc_id)
        self._kept.append(ordinal if best is None else self._kept[best[0]])
        self._exact[sk.exact] = ordinal
        self._signatures += sk.signature or bytes(NUM_PERM * 4)
        for band, h in zip(self._bands, sk.bands):
            band.setdefault(h, ordinal)
        if best is None:
            return None
        return Verdict("near", self._ids[best[0]], self._ids[self._kept[best[0]]], best[1])

    def _best_candidate(self, sk: Sketch) -> tuple[int, float] | None:
        candidates = sorted({c for c in (band.get(h) for band, h in zip(self._bands, sk.bands)) if c is not None})
        width = NUM_PERM * 4
        best: tuple[int, float] | None = None
        for ordinal in candidates:
            jaccard = estimated_jaccard(sk.signature, bytes(self._signatures[ordinal * width:(ordinal + 1) * width]))
            if jaccard >= self.cut and (best is None or jaccard > best[1]):
                best = (ordinal, jaccard)
        return best
