"""The measures of the published quality heuristics (Gopher, C4, FineWeb), computed
once per text and shared by the rules that read them.

Each function takes a text (or its :class:`Analysis`) and the filter's options
and returns the filter's :class:`Measure` list in the order datatrove checks
them (datatrove 0.10: ``GopherQualityFilter``, ``GopherRepetitionFilter``,
``C4QualityFilter``, ``FineWebQualityFilter``), each with its value, its bound
and whether it passed; the first measure that fails is the filter's reason to
drop the document. A measure that cannot fail any more (an earlier one failed)
is still computed, so that ``cleaner explain`` shows all of them.

Cost is designed in (docs/filters.md has the figures):

* one :class:`Analysis` per text, remembered for the last few texts, holds what
  the filters share (the whitespace chunks, the words, the lines), each computed
  on first use;
* the word counts the quality filters need (words, words not of punctuation
  alone, their characters, words with a letter) are taken without a list of
  words: chunks of letters alone in C loops, the others from counts kept per
  chunk, packed in one integer;
* n-grams are 64-bit hashes in numpy arrays (:class:`NGrams`, from the words\'
  own string hashes), counted with ``numpy.unique``; the duplicated n-gram walk
  visits only the positions whose n-gram occurs more than once, and stops at the
  first n with none.

Punctuation tables: datatrove's ``PUNCTUATION`` and ``TERMINAL_PUNCTUATION``
(datatrove/utils/text.py, Apache-2.0), copied; tests/test_filters.py checks that
they still match the installed datatrove.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any, Iterable, Sequence


from cleaner.rules import _tokens
from cleaner.rules._tokens import CHUNKS, SPECIALS, count_sentences

TERMINAL = '!.?\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964\u0965\u104a\u104b\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u17d6\u17d9\u17da\u1803\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b5a\u1b5b\u1b5e\u1b5f\u1b7d\u1b7e\u1c3b\u1c3c\u1c7e\u1c7f\u203c\u203d\u2047\u2048\u2049\u2e2e\u2e3c\u2e53\u2e54\u3002\ua4ff\ua60e\ua60f\ua6f3\ua6f7\ua876\ua877\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb\ufe52\ufe56\ufe57\uff01\uff0e\uff1f\uff61\U00010a56\U00010a57\U00010f55\U00010f56\U00010f57\U00010f58\U00010f59\U00010f86\U00010f87\U00010f88\U00010f89\U00011047\U00011048\U000110be\U000110bf\U000110c0\U000110c1\U00011141\U00011142\U00011143\U000111c5\U000111c6\U000111cd\U000111de\U000111df\U00011238\U00011239\U0001123b\U0001123c\U000112a9\U0001144b\U0001144c\U000115c2\U000115c3\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd\U000115ce\U000115cf\U000115d0\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7\U00011641\U00011642\U0001173c\U0001173d\U0001173e\U00011944\U00011946\U00011a42\U00011a43\U00011a9b\U00011a9c\U00011c41\U00011c42\U00011ef7\U00011ef8\U00011f43\U00011f44\U00016a6e\U00016a6f\U00016af5\U00016b37\U00016b38\U00016b44\U00016e98\U0001bc9f\U0001da88'
OTHER_PUNCTUATION = '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"#$%&\'()*+,-/:;<=>@[\\]^_`{|}~\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xab\xb4\xbb\u2013\u2014\u2019\u201c\u201d\u201e\u2026\u2236\u2501\u25ba\u3001\u3008\u3009\u300a\u300b\u300c\u300d\u3010\u3011\uff05\uff08\uff09\uff0c\uff11\uff1a\uff1b\uff5e'

#: datatrove's ``PUNCTUATION_SET``: a word made only of these is a symbol, not a word
PUNCTUATION_SET = frozenset(TERMINAL) | frozenset(OTHER_PUNCTUATION)
#: line ends FineWeb counts as the end of a sentence (datatrove's ``TERMINAL_PUNCTUATION``)
TERMINAL_PUNCTUATION: tuple[str, ...] = tuple(TERMINAL)


@dataclass(frozen=True)
class Measure:
    """One heuristic measured on a text: ``value`` against ``bound``; the text
    fails it when ``value`` is ``op`` (``"<"`` or ``">"``) the bound."""

    name: str
    value: float
    bound: float
    op: str
    passed: bool

    def describe(self, prefix: str) -> str:
        """``gopher: mean word length 11.2 > 10``"""
        return f"{prefix}: {self.name} {_num(self.value)} {self.op} {_num(self.bound)}"


@lru_cache(maxsize=4096)
def _num(x: float) -> str:
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    return f"{x:.3g}" if abs(x) < 1 else f"{x:.1f}" if abs(x) < 1000 else f"{x:.0f}"


def _above(name: str, value: float, bound: float | None) -> Measure | None:
    """A measure that fails above its bound (none when the option is off: None or 0,
    as datatrove reads it)."""
    return None if not bound else Measure(name, value, bound, ">", not value > bound)


def _below(name: str, value: float, bound: float | None) -> Measure | None:
    return None if not bound else Measure(name, value, bound, "<", not value < bound)


def _ratio(a: int, b: int) -> float:
    """``a / b`` where datatrove would divide by zero (only when a filter's
    earlier check is switched off): no text, no ratio."""
    return a / b if b else (0.0 if a == 0 else float("inf"))


_FIELD = 40  # bits per packed count: exact up to 2**40 per text
_MASK = (1 << _FIELD) - 1


class _ChunkCounts(dict[str, int]):
    """chunk -> its words\' counts packed in one int: words, words that are not
    only punctuation, their characters, words with a letter."""

    def __missing__(self, chunk: str) -> int:
        if len(self) >= CHUNKS.LIMIT:
            self.clear()
        if chunk.isalpha() and chunk not in SPECIALS:  # one word of letters (see cleaner.rules._tokens)
            n = len(chunk)
            packed = self[chunk] = 1 | 1 << _FIELD | n << 2 * _FIELD | 1 << 3 * _FIELD
            return packed
        words = symbols = chars = alpha = 0
        for w in CHUNKS[chunk]:
            words += 1
            if not PUNCTUATION_SET.issuperset(w):  # a character that is not punctuation
                symbols += 1
                chars += len(w)
            if any(map(str.isalpha, w)):
                alpha += 1
        packed = self[chunk] = words | symbols << _FIELD | chars << 2 * _FIELD | alpha << 3 * _FIELD
        return packed


_COUNTS = _ChunkCounts()
#: tokenizer exceptions made of letters alone ("cannot", "gonna"): more than one word each (filled on first use)
_LETTER_SPECIALS: set[str] = set()


class Analysis:
    """What the filters read from one text, each part computed on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        if not _LETTER_SPECIALS:
            _tokens.load()
            _LETTER_SPECIALS.update(k for k in SPECIALS if k.isalpha())

    @cached_property
    def chunks(self) -> list[str]:
        return self.text.split()

    @cached_property
    def words(self) -> list[str]:
        """datatrove's ``split_into_words(text)`` for English (spaCy's tokens)."""
        return list(chain.from_iterable(map(CHUNKS.__getitem__, self.chunks)))

    @cached_property
    def one_word(self) -> Any:
        """For each chunk, whether it is one word as it stands: letters alone and
        no tokenizer exception ("cannot": "can", "not"), as most chunks are (see
        :mod:`cleaner.rules._tokens`). A numpy array taken with C loops, shared by
        the word counts and the n-grams, so that either pays for it once."""
        chunks = self.chunks
        n = len(chunks)
        one = np.fromiter(map(str.isalpha, chunks), dtype=bool, count=n)
        if n:
            one &= ~np.fromiter(map(_LETTER_SPECIALS.__contains__, chunks), dtype=bool, count=n)
        return one

    @cached_property
    def chunk_lengths(self) -> Any:
        """Each chunk's characters (a numpy array)."""
        return np.fromiter(map(len, self.chunks), dtype=np.int64, count=len(self.chunks))

    @cached_property
    def _counts(self) -> tuple[int, int, int, int]:
        """The packed counts of every chunk, summed. A chunk that is one word of
        letters (:attr:`one_word`, most of them) counts once in every field, its
        length in the characters': summed by numpy; the other chunks are looked up
        one by one."""
        chunks, one = self.chunks, self.one_word
        n, chars = int(one.sum()), int(self.chunk_lengths[one].sum())
        packed = n | n << _FIELD | chars << 2 * _FIELD | n << 3 * _FIELD
        others = np.flatnonzero(~one).tolist()
        packed += sum(map(_COUNTS.__getitem__, map(chunks.__getitem__, others)))
        return packed & _MASK, packed >> _FIELD & _MASK, packed >> 2 * _FIELD & _MASK, packed >> 3 * _FIELD

    @property
    def n_words(self) -> int:
        return self._counts[0]

    @property
    def n_non_symbol_words(self) -> int:
        """Words with a character that is not punctuation."""
        return self._counts[1]

    @property
    def non_symbol_chars(self) -> int:
        return self._counts[2]

    @property
    def n_alpha_words(self) -> int:
        """Words with a letter."""
        return self._counts[3]

    def has_words(self, wanted: Iterable[str], enough: int = 0) -> tuple[int, bool]:
        """How many of ``wanted`` are words of the text, and whether that is the
        exact count: once ``enough`` are found as whole chunks (the usual case:
        "the" alone between spaces), the rest are not looked for."""
        wanted = set(wanted)
        found = wanted.intersection(self.chunks)
        found = {w for w in found if w in CHUNKS[w]}  # a chunk that is the word
        if found == wanted:
            return len(found), True
        if enough and len(found) >= enough:
            return len(found), False
        return len(wanted.intersection(chain.from_iterable(map(CHUNKS.__getitem__, set(self.chunks))))), True

    @cached_property
    def lines(self) -> list[str]:
        """``str.splitlines()``, as Gopher\'s quality filter and C4 read lines."""
        return self.text.splitlines()


_LAST: list[Analysis] = []


def analyse(text: str) -> Analysis:
    """The :class:`Analysis` of ``text``, shared by every filter that reads the same
    text object (the last four texts are remembered)."""
    for a in _LAST:
        if a.text is text:
            return a
    a = Analysis(text)
    _LAST.insert(0, a)
    del _LAST[4:]
    return a


# --- Gopher quality (Rae et al. 2021, appendix A.1.1) --------------------------------

GOPHER_STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


def gopher_quality(
    text: str | Analysis,
    *,
    min_doc_words: int | None = 50,
    max_doc_words: int | None = 100000,
    min_avg_word_length: float | None = 3,
    max_avg_word_length: float | None = 10,
    max_symbol_word_ratio: float | None = 0.1,
    max_bullet_lines_ratio: float | None = 0.9,
    max_ellipsis_lines_ratio: float | None = 0.3,
    max_non_alpha_words_ratio: float | None = 0.8,
    min_stop_words: int | None = 2,
    stop_words: Sequence[str] = GOPHER_STOP_WORDS,
) -> list[Measure]:
    """Gopher\'s quality measures, as ``GopherQualityFilter`` computes them."""
    a = text if isinstance(text, Analysis) else analyse(text)
    t = a.text
    n_words, n_real = a.n_words, a.n_non_symbol_words
    mean = a.non_symbol_chars / n_real if n_real else float("nan")
    lines = a.lines
    n_lines = len(lines)
    bullets = sum(1 for s in lines if s.lstrip().startswith(("\u2022", "-"))) if max_bullet_lines_ratio else 0
    ellipsis_lines = sum(1 for s in lines if s.rstrip().endswith(("...", "\u2026"))) if max_ellipsis_lines_ratio else 0
    stops, exact = a.has_words(stop_words, min_stop_words or 0) if min_stop_words else (0, True)
    out = [
        _below("words", n_real, min_doc_words),
        _above("words", n_real, max_doc_words),
        # no words: datatrove's mean is NaN, which fails no bound; nothing to show
        _below("mean word length", mean, min_avg_word_length) if n_real else None,
        _above("mean word length", mean, max_avg_word_length) if n_real else None,
        _above("hash-to-word ratio", _ratio(t.count("#"), n_words), max_symbol_word_ratio),
        _above("ellipsis-to-word ratio", _ratio(t.count("...") + t.count("\u2026"), n_words), max_symbol_word_ratio),
        _above("bullet-line ratio", _ratio(bullets, n_lines), max_bullet_lines_ratio),
        _above("ellipsis-line ratio", _ratio(ellipsis_lines, n_lines), max_ellipsis_lines_ratio),
        _below("alphabetic-word ratio", _ratio(a.n_alpha_words, n_words), max_non_alpha_words_ratio),
        _below("stop words" if exact else "stop words (at least)", stops, min_stop_words),
    ]
    return [m for m in out if m is not None]


# --- Gopher repetition (Rae et al. 2021, table A1) ----------------------------------

_PARAGRAPHS = re.compile(r"\n{2,}")  # what datatrove splits on; :func:`_paragraphs` does the same, faster
_LINES = re.compile("\n+")  # likewise :func:`_lines`


def _paragraphs(stripped: str) -> list[str]:
    """``_PARAGRAPHS.split(stripped)`` for a text without leading or trailing
    newlines, with ``str.split`` (five times faster than the regex on long
    texts): splitting on "\n\n" leaves an empty part for each further pair of a
    run and one "\n" at the start of the next part when the run is odd."""
    parts = stripped.split("\n\n")
    if len(parts) == 1:
        return parts
    return [p[1:] if p[:1] == "\n" else p for p in parts if p]


def _lines(text: str) -> list[str]:
    """``_LINES.split(text)`` with ``str.split``: the empty lines between two
    line breaks go; an empty first or last part stays, as the regex leaves it."""
    parts = text.split("\n")
    if len(parts) < 3:
        return parts
    return [parts[0], *filter(None, parts[1:-1]), parts[-1]]

GOPHER_TOP_NGRAMS = ((2, 0.2), (3, 0.18), (4, 0.16))
GOPHER_DUP_NGRAMS = ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))


def _duplicates(items: list[str]) -> tuple[int, int]:
    """How many items repeat an earlier one, and their characters."""
    unique = set(items)
    return len(items) - len(unique), sum(map(len, items)) - sum(map(len, unique))


_MULTIPLIER = 0x9E3779B97F4A7C15  # odd: n-gram hashes wrap around 2**64


class _LazyNumpy:
    """numpy, imported when a filter first needs it: importing cleaner (every
    command, every worker) should not pay for it when no filter runs."""

    def __getattr__(self, name: str) -> Any:
        import numpy

        globals()["np"] = numpy
        return getattr(numpy, name)


np: Any = _LazyNumpy()


class NGrams:
    """The n-grams of a text\'s words as 64-bit hashes, one array per n, built
    incrementally from the words\' own string hashes (computed in C, and kept by
    each string); two different n-grams share a hash with probability about
    2**-64 per pair."""

    def __init__(self, words: list[str]) -> None:
        self.ids = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        self.chars = np.concatenate(([0], np.cumsum(lengths)))  # characters of words[:i]
        self._hashes = {1: self.ids}

    @classmethod
    def of_chunks(cls, chunks: list[str], one: Any = None, lengths: Any = None) -> NGrams:
        """The same as ``NGrams(words)`` for the words of ``chunks``, without the
        list of words: a chunk of letters alone that is no exception (most of
        them) is its one word, hashed in C; only the other chunks are split.
        ``one`` and ``lengths``: the chunks' :attr:`Analysis.one_word` and
        :attr:`Analysis.chunk_lengths`, when the text's analysis has them."""
        if one is None or lengths is None:
            a = Analysis("")  # also loads the tokenizer's tables and the letter-only exceptions
            a.chunks = chunks
            one, lengths = a.one_word, a.chunk_lengths
        n = len(chunks)
        hashes = np.fromiter(map(hash, chunks), dtype=np.int64, count=n)
        split = np.flatnonzero(~one)
        if not len(split):
            grams = cls([])
            grams.ids = hashes.view(np.uint64)
            grams.chars = np.concatenate(([0], np.cumsum(lengths)))
            grams._hashes = {1: grams.ids}
            return grams
        pieces = [CHUNKS[chunks[i]] for i in split.tolist()]
        counts = np.ones(n, dtype=np.int64)
        counts[split] = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))  # where each chunk's words begin
        total = int(counts.sum())
        ids = np.empty(total, dtype=np.int64)
        word_lengths = np.empty(total, dtype=np.int64)
        keep = np.flatnonzero(one)
        ids[starts[keep]] = hashes[keep]
        word_lengths[starts[keep]] = lengths[keep]
        words = list(chain.from_iterable(pieces))
        # the split chunks' words go to their chunk's start, then the positions after it
        at = np.repeat(starts[split], counts[split])
        offset = np.arange(len(words)) - np.repeat(np.cumsum(counts[split]) - counts[split], counts[split])
        at = at + offset
        ids[at] = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
        word_lengths[at] = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        grams = cls([])
        grams.ids = ids.view(np.uint64)
        grams.chars = np.concatenate(([0], np.cumsum(word_lengths)))
        grams._hashes = {1: grams.ids}
        return grams

    def hashes(self, n: int) -> np.ndarray:
        if n not in self._hashes:
            shorter = self.hashes(n - 1)
            # array arithmetic on integers wraps around silently (no errstate needed)
            self._hashes[n] = shorter[:-1] * np.uint64(_MULTIPLIER) + self.ids[n - 1 :]
        return self._hashes[n]

    def span_chars(self, start: int, n: int) -> int:
        """Characters of the n words from ``start``, joined without spaces."""
        return int(self.chars[start + n] - self.chars[start])


#: n-grams up to which a text's are counted in a dict rather than with numpy
_SMALL = 256


def _top_ngram_chars(grams: NGrams, n: int) -> int | None:
    """Characters of the most frequent n-gram (joined by spaces) times its count;
    the first one seen wins a tie, as ``Counter.most_common`` has it."""
    h = grams.hashes(n)
    if not len(h):
        return None
    if len(h) <= _SMALL:  # a short text: counted in a dict, without numpy's fixed costs
        hl = h.tolist()
        key, top = max(Counter(hl).items(), key=itemgetter(1))  # the first seen of the most frequent
        return (grams.span_chars(hl.index(key), n) + n - 1) * top
    _, first, counts = np.unique(h, return_index=True, return_counts=True)
    top = counts.max()
    start = int(first[counts == top].min())
    return (grams.span_chars(start, n) + n - 1) * int(top)


def _dup_ngram_chars(grams: NGrams, n: int) -> tuple[int, bool]:
    """datatrove\'s ``find_all_duplicate``: walking the words, an n-gram seen before
    adds its characters (joined without spaces) and the walk jumps past it. Only
    n-grams that occur twice or more can be seen before: the walk visits those.
    Returns the characters and whether any n-gram occurs twice."""
    h = grams.hashes(n)
    if not len(h):
        return 0, False
    if len(h) <= _SMALL:  # a short text: counted in a dict, without numpy's fixed costs
        hl = h.tolist()
        counts_of = Counter(hl)
        if len(counts_of) == len(hl):
            return 0, False
        walk = [(p, key) for p, key in enumerate(hl) if counts_of[key] > 1]
    else:
        _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
        candidates = np.flatnonzero(counts[inverse] > 1)
        if not len(candidates):
            return 0, False
        walk = zip(candidates.tolist(), h[candidates].tolist())
    seen: set[int] = set()
    repeated = 0
    upto = 0
    for p, key in walk:
        if p < upto:
            continue
        if key in seen:
            repeated += grams.span_chars(p, n)
            upto = p + n
        else:
            seen.add(key)
    return repeated, True


def _counts_among(h: Any, asked: Any) -> Any:
    """For each of the positions ``asked``, how often its n-gram (hash in ``h``)
    occurs at the positions asked."""
    keys = h[asked]
    if len(keys) <= _SMALL:  # a dict, without numpy's fixed costs
        kl = keys.tolist()
        counts_of = Counter(kl)
        return np.fromiter(map(counts_of.__getitem__, kl), dtype=np.int64, count=len(kl))
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)]


def _ngram_chars(grams: NGrams, top_ns: Sequence[int], dup_ns: Sequence[int]) -> tuple[dict[int, int | None], dict[int, int]]:
    """:func:`_top_ngram_chars` of each n of ``top_ns`` and the characters of
    :func:`_dup_ngram_chars` of each n of ``dup_ns``, each n counted only where
    it can repeat: an n-gram that occurs twice is made of m-grams (m < n) that
    each occur twice, so after the smallest n only the positions where the last
    n's m-grams repeat, at the n-gram's start and at its last m-gram, are counted
    (a repeated n-gram has every occurrence among them; when none repeats, the
    first n-gram is the most frequent). Exact, and on prose far fewer positions
    than the text's words after the smallest n."""
    top: dict[int, int | None] = {}
    dup: dict[int, int] = {}
    repeats: Any = None  # for the last n (``last``): does its n-gram at each position occur twice?
    last = 0
    dup_wanted = set(dup_ns)
    chars: list[int] | None = None
    for n in sorted({*top_ns, *dup_ns}):
        h = grams.hashes(n)
        if not len(h):
            top[n], dup[n] = None, 0
            repeats, last = np.zeros(0, dtype=bool), n
            continue
        if repeats is None:
            asked = np.arange(len(h))
        else:
            asked = np.flatnonzero(repeats[: len(h)] & repeats[n - last : n - last + len(h)])
        per = _counts_among(h, asked) if len(asked) else np.zeros(0, dtype=np.int64)
        best = int(per.argmax()) if len(per) else 0
        if len(per) and per[best] > 1:  # the first position of the most frequent: its first occurrence
            top[n] = (grams.span_chars(int(asked[best]), n) + n - 1) * int(per[best])
        else:  # no n-gram repeats: each occurs once, the first one seen wins
            top[n] = grams.span_chars(0, n) + n - 1
        candidates = asked[per > 1]
        repeats = np.zeros(len(h), dtype=bool)
        repeats[candidates] = True
        last = n
        if n not in dup_wanted:
            continue
        if chars is None:
            chars = grams.chars.tolist()  # Python ints: the walk reads them one by one
        seen: set[int] = set()
        repeated = 0
        upto = 0
        for p, key in zip(candidates.tolist(), h[candidates].tolist()):
            if p < upto:
                continue
            if key in seen:
                repeated += chars[p + n] - chars[p]  # grams.span_chars(p, n)
                upto = p + n
            else:
                seen.add(key)
        dup[n] = repeated
    return top, dup


def gopher_repetition(
    text: str | Analysis,
    *,
    dup_line_frac: float | None = 0.3,
    dup_para_frac: float | None = 0.3,
    dup_line_char_frac: float | None = 0.2,
    dup_para_char_frac: float | None = 0.2,
    top_n_grams: Sequence[Sequence[float]] = GOPHER_TOP_NGRAMS,
    dup_n_grams: Sequence[Sequence[float]] = GOPHER_DUP_NGRAMS,
) -> list[Measure]:
    """Gopher\'s repetition measures, as ``GopherRepetitionFilter`` computes them."""
    a = text if isinstance(text, Analysis) else analyse(text)
    t = a.text
    size = len(t)
    paragraphs = _paragraphs(t.strip())
    para_dups, para_chars = _duplicates(paragraphs)
    lines = _lines(t)
    line_dups, line_chars = _duplicates(lines)
    out = [
        _above("duplicate paragraph fraction", _ratio(para_dups, len(paragraphs)), dup_para_frac),
        _above("duplicate paragraph character fraction", _ratio(para_chars, size), dup_para_char_frac),
        _above("duplicate line fraction", _ratio(line_dups, len(lines)), dup_line_frac),
        _above("duplicate line character fraction", _ratio(line_chars, size), dup_line_char_frac),
    ]
    grams = NGrams.of_chunks(a.chunks, a.one_word, a.chunk_lengths) if (top_n_grams or dup_n_grams) else NGrams([])
    top_chars, dup_chars = _ngram_chars(grams, [int(n) for n, _ in top_n_grams], [int(n) for n, _ in dup_n_grams])
    for n, frac in top_n_grams:
        chars = top_chars[int(n)]
        if chars is not None:
            out.append(_above(f"top {int(n)}-gram character fraction", _ratio(chars, size), frac))
    for n, frac in dup_n_grams:
        out.append(_above(f"duplicate {int(n)}-gram character fraction", _ratio(dup_chars[int(n)], size), frac))
    return [m for m in out if m is not None]


# --- C4 (Raffel et al. 2020, section 2.2) ---------------------------------------------

#: Wikipedia-style citation marks, removed before a line is judged ("[1]", "[edit]")
CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
C4_END_PUNCTUATION = (".", "?", "!", '"', "'")
C4_POLICY_SUBSTRINGS = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
#: any of C4_POLICY_SUBSTRINGS, in one search (a generator over the six costs more than the rest of a line's checks)
_POLICY = re.compile("|".join(map(re.escape, C4_POLICY_SUBSTRINGS))).search


def c4_line(
    line: str,
    *,
    remove_citations: bool = True,
    filter_no_terminal_punct: bool = True,
    min_words_per_line: int = 3,
    max_word_length: int = 1000,
    filter_lorem_ipsum: bool = True,
    filter_javascript: bool = True,
    filter_curly_bracket: bool = True,
    filter_policy: bool = True,
) -> tuple[str, str]:
    """C4's verdict on one stripped line, as ``C4QualityFilter`` reaches it:
    ``("keep", line as judged)``, ``("remove", why)`` or ``("drop", why)`` (the
    whole document goes). The line as judged has its citation marks removed;
    sentences are counted on it."""
    raw = line  # words are counted before citations go, as datatrove does
    if max_word_length != -1 and len(line) > max_word_length and any(len(w) > max_word_length for w in line.split()):
        return "remove", f"c4: a word longer than {max_word_length} characters"
    if remove_citations and "[" in line:
        line = CITATION.sub("", line)
    if filter_no_terminal_punct and (not line.endswith(C4_END_PUNCTUATION) or line.endswith("...")):
        return "remove", "c4: no terminal punctuation"
    if min_words_per_line > 0 and len(raw.split(None, min_words_per_line - 1)) < min_words_per_line:
        return "remove", f"c4: fewer than {min_words_per_line} words"
    lower = line.lower()
    if filter_lorem_ipsum and "lorem ipsum" in lower:
        return "drop", "c4: lorem ipsum"
    if filter_javascript and "javascript" in lower:
        return "remove", "c4: mentions javascript"
    if filter_curly_bracket and "{" in line:
        return "drop", "c4: curly bracket"
    if filter_policy and _POLICY(lower):
        return "remove", "c4: policy or cookie notice"
    return "keep", line


def c4_document(
    text: str | Analysis,
    *,
    min_num_sentences: int = 5,
    **line_options: bool | int,
) -> list[Measure]:
    """C4's document verdict: a kept line with "lorem ipsum" or a curly bracket
    drops the document (the first such line decides which), and so do fewer than
    ``min_num_sentences`` sentences (spaCy's sentencizer) in the kept lines.

    Lines are judged as :func:`c4_line` judges them, so the verdict is the same
    whether or not ``c4/lines`` removed them first. Sentences are counted only
    while they could decide: with at least ``min_num_sentences`` kept lines there
    are at least as many sentences, and the measure says "at least"."""
    a = text if isinstance(text, Analysis) else analyse(text)
    kept: list[str] = []
    # only the options that differ from the defaults, so that c4/lines' verdicts are shared
    options = tuple(sorted((k, v) for k, v in line_options.items() if v != C4_LINE_DEFAULTS[k]))
    for raw in a.lines:
        verdict, detail = _c4_line_cached(raw.strip(), options)
        if verdict == "drop":
            what = detail.removeprefix("c4: ")
            return [Measure(f"lines with {what}", 1, 0, ">", False)]
        if verdict == "keep":
            kept.append(detail)
    if min_num_sentences == -1:
        return []
    if len(kept) >= min_num_sentences:
        return [Measure("sentences (at least)", len(kept), min_num_sentences, "<", True)]
    sentences = sum(map(count_sentences, kept))
    return [Measure("sentences", sentences, min_num_sentences, "<", not sentences < min_num_sentences)]


C4_LINE_DEFAULTS: dict[str, bool | int] = {
    k: p.default for k, p in __import__("inspect").signature(c4_line).parameters.items() if p.kind is p.KEYWORD_ONLY
}
#: options (those that differ from the defaults) -> line -> its :func:`c4_line` verdict
_C4_CACHE: dict[tuple[tuple[str, bool | int], ...], dict[str, tuple[str, str]]] = {}


def c4_line_verdicts(options: tuple[tuple[str, bool | int], ...] = ()) -> dict[str, tuple[str, str]]:
    """The remembered :func:`c4_line` verdicts for ``options`` (line -> verdict),
    the dictionary itself: the line rule looks lines up in it directly."""
    verdicts = _C4_CACHE.get(options)
    if verdicts is None:
        verdicts = _C4_CACHE[options] = {}
    return verdicts


def _c4_line_cached(line: str, options: tuple[tuple[str, bool | int], ...] = ()) -> tuple[str, str]:
    """:func:`c4_line`, remembered per options and line (16,384 lines each): a
    line's verdict is its own, and the line pass and ``c4/document`` both ask.
    One dictionary per options, so that a look-up builds no key."""
    verdicts = _C4_CACHE.get(options) or c4_line_verdicts(options)
    found = verdicts.get(line)
    return found if found is not None else judge_c4_line(line, options, verdicts)


def judge_c4_line(
    line: str, options: tuple[tuple[str, bool | int], ...], verdicts: dict[str, tuple[str, str]]
) -> tuple[str, str]:
    """:func:`c4_line` of a line not yet in ``verdicts`` (``c4_line_verdicts(options)``),
    remembered there."""
    if len(verdicts) >= 1 << 14:
        verdicts.clear()
    found = verdicts[line] = c4_line(line, **dict(options)) if options else c4_line(line)  # type: ignore[arg-type]
    return found


# --- FineWeb (Penedo et al. 2024, section 3.3) ----------------------------------------


def fineweb_quality(
    text: str | Analysis,
    *,
    line_punct_thr: float = 0.12,
    line_punct_exclude_zero: bool = False,
    stop_chars: Sequence[str] | None = None,
    short_line_thr: float = 0.67,
    short_line_length: int = 30,
    char_duplicates_ratio: float = 0.01,
    new_line_ratio: float = 0.3,
) -> list[Measure]:
    """FineWeb's quality measures, as ``FineWebQualityFilter`` computes them."""
    a = text if isinstance(text, Analysis) else analyse(text)
    t = a.text
    lines = [line for line in t.split("\n") if line.strip()]
    if not lines:
        return [Measure("non-blank lines", 0, 1, "<", False)]
    n = len(lines)
    ends = TERMINAL_PUNCTUATION if stop_chars is None else tuple(stop_chars)
    punct = sum(1 for line in lines if line.endswith(ends)) / n
    short = sum(1 for line in lines if len(line) <= short_line_length) / n
    dup_chars = _duplicates(lines)[1]
    return [
        Measure(
            "share of lines ending in punctuation", punct, line_punct_thr, "<",
            not (punct < line_punct_thr and not (punct == 0 and line_punct_exclude_zero)),
        ),
        Measure("share of short lines", short, short_line_thr, ">", not short > short_line_thr),
        Measure("duplicated line characters", _ratio(dup_chars, len(t) - t.count("\n")), char_duplicates_ratio, ">",
                not _ratio(dup_chars, len(t) - t.count("\n")) > char_duplicates_ratio),
        Measure("newlines per word", _ratio(t.count("\n"), a.n_words), new_line_ratio, ">",
                not _ratio(t.count("\n"), a.n_words) > new_line_ratio),
    ]


def verdict(measures: list[Measure]) -> Measure | None:
    """The first measure that failed: the filter's reason to drop the text."""
    return next((m for m in measures if not m.passed), None)
