"""Words and sentences as spaCy's English rule-based tokenizer finds them, without spaCy.

datatrove's Gopher and FineWeb filters count words with ``spacy.blank("en")``
and its C4 filter counts sentences with spaCy's ``sentencizer``; to decide as
they do, cleaner must split the same way. This module re-implements the
tokenizer's algorithm (``spacy/tokenizer.pyx``: whitespace runs, prefixes,
suffixes, infixes, URLs, tokenizer exceptions and the special-case matcher) over
spaCy's own tables, shipped in ``spacy_en.json`` (spaCy is MIT-licensed, (c)
ExplosionAI GmbH; ``bench/spacy_tables.py`` writes the file from an installed
spaCy). tests/test_filters.py compares it with spaCy on every test document
when spaCy is installed.

Why not spaCy itself: a whole-text call builds a ``Doc`` of every token, which
costs more than the rest of the filters together (docs/filters.md gives the
figures). Here each whitespace-separated chunk is split once and remembered
(most chunks of a corpus are words seen before), so splitting a text is a
``str.split`` and a dictionary look-up per chunk.

What it leaves alone: tokens' attributes other than their text (norms, lexeme
flags), which no filter reads.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Iterable

# The tables are read on first use (load()): importing cleaner, as every command and
# worker does, should not pay for them when no filter runs.
_TABLES: dict | None = None
_PREFIX = _SUFFIX = _INFIX = _URL = _TOKEN_MATCH = None  # type: ignore[var-annotated]
#: tokenizer exceptions: chunk -> its tokens ("don't" -> "do", "n't"); filled by load()
SPECIALS: dict[str, tuple[str, ...]] = {}
_MATCHER: dict[tuple[str, ...], str] = {}
_MATCHER_LENGTHS: list[int] = []
_SENT_PUNCT: set[str] = set()


def load() -> None:
    """Read spaCy's tables and build the special-case matcher, once."""
    global _TABLES, _PREFIX, _SUFFIX, _INFIX, _URL, _TOKEN_MATCH
    if _TABLES is not None:
        return
    tables = json.loads((Path(__file__).with_name("spacy_en.json")).read_text(encoding="utf-8"))
    flags = tables["flags"]
    _PREFIX = re.compile(tables["prefix"], flags["prefix"]).search
    _SUFFIX = re.compile(tables["suffix"], flags["suffix"]).search
    _INFIX = re.compile(tables["infix"], flags["infix"]).finditer
    _URL = re.compile(tables["url"], flags["url"]).match
    _TOKEN_MATCH = re.compile(tables["token_match"]).match if tables["token_match"] else None
    SPECIALS.update((k, tuple(v)) for k, v in tables["specials"].items())
    _SENT_PUNCT.update(tables.get("sentence_punct", ()))
    _TABLES = tables
    _MATCHER.update(_matcher_specials())
    _MATCHER_LENGTHS[:] = sorted({len(k) for k in _MATCHER}, reverse=True)


def _find_prefix(s: str) -> int:
    m = _PREFIX(s)
    return m.end() - m.start() if m is not None else 0


def _find_suffix(s: str) -> int:
    m = _SUFFIX(s)
    return m.end() - m.start() if m is not None else 0


def _split(chunk: str, specials: bool) -> list[str]:
    """``Tokenizer._split_affixes`` then ``_attach_tokens`` on one chunk."""
    prefixes: list[str] = []
    suffixes: list[str] = []
    string = chunk
    last_size = 0
    while string and len(string) != last_size:
        if _TOKEN_MATCH is not None and _TOKEN_MATCH(string):
            break
        if specials and string in SPECIALS:
            break
        last_size = len(string)
        pre_len = _find_prefix(string)
        if pre_len:
            prefix, minus_pre = string[:pre_len], string[pre_len:]
            if minus_pre and specials and minus_pre in SPECIALS:
                string = minus_pre
                prefixes.append(prefix)
                break
        suf_len = _find_suffix(string[pre_len:])
        if suf_len:
            suffix, minus_suf = string[-suf_len:], string[:-suf_len]
            if minus_suf and specials and minus_suf in SPECIALS:
                string = minus_suf
                suffixes.append(suffix)
                break
        if pre_len and suf_len and pre_len + suf_len <= len(string):
            string = string[pre_len:-suf_len]
            prefixes.append(prefix)
            suffixes.append(suffix)
        elif pre_len:
            string = minus_pre
            prefixes.append(prefix)
        elif suf_len:
            string = minus_suf
            suffixes.append(suffix)
    out = prefixes
    if string:
        if specials and string in SPECIALS:
            out.extend(SPECIALS[string])
        elif (_TOKEN_MATCH is not None and _TOKEN_MATCH(string)) or _URL(string):
            out.append(string)
        else:
            start = 0
            for m in _INFIX(string):
                i0, i1 = m.start(), m.end()
                if i0 == 0:  # spaCy's start_before_infixes
                    continue
                if i0 != start:
                    out.append(string[start:i0])
                if i0 != i1:
                    out.append(string[i0:i1])
                start = i1
            if string[start:]:
                out.append(string[start:])
    out.extend(reversed(suffixes))
    return out


def _matcher_specials() -> dict[tuple[str, ...], str]:
    """The exceptions spaCy's special-case matcher finds after affix splitting:
    the tokens each splits into without exceptions -> the exception."""
    found: dict[tuple[str, ...], str] = {}
    for key in SPECIALS:
        if key.isspace():
            continue  # whitespace tokens never reach the words
        if not _TABLES["faster_heuristics"] or _find_prefix(key) or list(_INFIX(key)) or _find_suffix(key) or " " in key:
            found.setdefault(tuple(_split(key, False)), key)
    return found




def _apply_matcher(tokens: list[str]) -> list[str]:
    """``Tokenizer._apply_special_cases`` within one chunk: a run of tokens that
    spells an exception's affix split becomes the exception's tokens; longer
    matches first, then later ones, never overlapping."""
    if len(tokens) < 2:
        return tokens
    spans: list[tuple[int, int, str]] = []
    for n in _MATCHER_LENGTHS:
        for i in range(len(tokens) - n + 1):
            key = _MATCHER.get(tuple(tokens[i : i + n]))
            if key is not None:
                spans.append((i, i + n, key))
    if not spans:
        return tokens
    spans.sort(key=lambda s: (s[1] - s[0], -s[0]))  # spaCy: longest first, then the earliest
    seen: set[int] = set()
    kept = []
    for start, end, key in reversed(spans):
        if start not in seen and end - 1 not in seen:
            kept.append((start, end, key))
        seen.update(range(start, end))
    out: list[str] = []
    i = 0
    for start, end, key in sorted(kept):
        out.extend(tokens[i:start])
        out.extend(SPECIALS[key])
        i = end
    out.extend(tokens[i:])
    return out


def split_chunk(chunk: str) -> tuple[str, ...]:
    """The tokens of one chunk of non-whitespace characters, as spaCy gives them."""
    if _TABLES is None:
        load()
    special = SPECIALS.get(chunk)
    if special is not None:
        return special
    if chunk.isalpha():
        # no prefix, suffix, infix or URL pattern matches letters alone (tests/test_filters.py
        # checks every letter of Unicode): a word of letters is one token
        return (chunk,)
    last = chunk[-1]
    if (last in ",;:!?" or (last == "." and "a" <= chunk[-2:-1] <= "z")) and chunk[:-1].isalpha():
        # letters and one mark (a comma, a full stop after a small letter): the mark is a suffix
        # of its own, the letters one token or an exception (tests/test_filters.py checks it)
        head = chunk[:-1]
        special = SPECIALS.get(head)
        return (head, last) if special is None else tuple(_apply_matcher([*special, last]))
    return tuple(_apply_matcher(_split(chunk, True)))


class _Chunks(dict[str, tuple[str, ...]]):
    """chunk -> its tokens, split on first sight (bounded: cleared when full)."""

    LIMIT = 1 << 18

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        if len(self) >= self.LIMIT:
            self.clear()
        tokens = self[chunk] = split_chunk(chunk)
        return tokens


CHUNKS = _Chunks()


def words(text: str) -> list[str]:
    """The words of ``text`` as datatrove's ``split_into_words`` gives them for
    English: spaCy's tokens without whitespace tokens."""
    return list(chain.from_iterable(map(CHUNKS.__getitem__, text.split())))


def chunk_words(chunks: Iterable[str]) -> list[str]:
    """:func:`words` of text already split on whitespace."""
    return list(chain.from_iterable(map(CHUNKS.__getitem__, chunks)))


_RUNS = re.compile(r"\S+|\s+")


@lru_cache(maxsize=1 << 14)
def _is_punct(token: str) -> bool:
    """spaCy's ``is_punct``: every character is Unicode punctuation (P*)."""
    return all(unicodedata.category(c).startswith("P") for c in token)


def count_sentences(text: str) -> int:
    """How many sentences spaCy's ``sentencizer`` finds in ``text`` (as datatrove's
    ``split_into_sentences`` counts them for English): a sentence starts at the
    first token that is not punctuation after a sentence-ending character."""
    if not text:
        return 0
    if _TABLES is None:
        load()
    count = 1
    seen_period = False
    after_word = False
    for run in _RUNS.findall(text):
        if run[0].isspace():
            if after_word and run[0] == " ":
                run = run[1:]  # a single space after a token is that token's trailing space
            after_word = False
            if run and seen_period:  # a whitespace token: not punctuation
                count += 1
                seen_period = False
            continue
        after_word = True
        for token in CHUNKS[run]:
            in_punct = token in _SENT_PUNCT
            if seen_period and not in_punct and not _is_punct(token):
                count += 1
                seen_period = False
            elif in_punct:
                seen_period = True
    return count
