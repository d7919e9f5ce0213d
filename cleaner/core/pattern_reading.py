r"""What a line must start with, or hold, to match a pattern: read once from the parsed pattern.

A declarative residue rule matches a whole (stripped) line, and nearly every one of
their patterns starts with words: "advertisement", "read more", "share on", "©".
The strings every match of a pattern must start with (its *leading strings*, at
most :data:`LEADING` characters each) are read from the parsed pattern
(:func:`screen_pattern`); :mod:`cleaner.core.line_screen` then offers a line to a
pattern only when the line starts with one of them.

A pattern that may start with anything (``[^\n©]{1,80}?(?:©|\(c\))...``) is
read instead for strings every match must *contain* (``©``, ``(c)``), from
its later parts and from its look-aheads (``(?=[^\n]{0,1000}?cookie)``); patterns
with leading strings may have such strings too, and a line must then have both.
A pattern whose top level is a choice (``photo:...|©...|...getty images``) is read
one alternative at a time, each a *unit* with its own strings
(:func:`screen_alternatives`).

Reading the patterns costs ~20 ms each, in every process that loads a pack, so the
readings (and the list of characters newer than Python's tables) are kept on disk
between runs (:mod:`cleaner.core.disk_cache`), keyed by this module's source and the
Python, Unicode and ``regex`` versions they depend on.

Why the screen built on these readings is exact:

* Strings and lines are both compared case-folded (:func:`fold`). When ``regex``
  matches a character case-insensitively (simple or full case folding) the two
  fold to the same string, so the folded line holds the folded literal; a
  case-sensitive pattern is screened as if it ignored case, which only lets more
  lines through. Whitespace in both is read as one marker character (:data:`SPACE`).
* Lines holding a character that Python's (older) Unicode tables do not know but
  ``regex``'s give a case, a digit value or a space are not screened at all
  (:func:`has_newer_characters`).
* Every match of a pattern is a match of one of its top-level alternatives, so a
  line no unit lets through matches none of them.
* The pattern is read with the standard library's parser after replacing the
  syntax only ``regex`` knows (``\p{..}`` properties) by a character that the
  reading treats as "any character". Patterns the stdlib cannot read, or could
  read differently from ``regex`` (nested sets and set operations), are asked on
  every line.
* The reading stops, shortening the strings, wherever it meets what it does not
  enumerate: wide character classes (``\w``, ``[^,]``), ``.``, back-references;
  a digit class is kept only as "starts with a digit". Anchors and look-arounds
  are read as matching nothing. A shorter string or a skipped condition lets more
  lines through, never fewer.

``tests/test_line_screen.py`` checks the claim on every rule example line, on
variants of them and on the Unicode facts above, over all code points.
"""

from __future__ import annotations

import re
import re._constants as sre_c  # the stdlib's regex parser, to read pattern text
import re._parser as sre_parse
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import regex

from cleaner.core.disk_cache import JsonCache, version_key

#: The longest leading string read from a pattern.
LEADING = 6
#: Most leading strings kept per pattern node; more are cut to shorter strings.
MAX_STRINGS = 512
#: Character classes of at most this many characters are enumerated; wider ones stop the reading.
SMALL_CLASS = 24

# A (text, complete) pair: ``complete`` when the whole match of the node is exactly
# ``text``; otherwise ``text`` is only how every such match begins.
_Piece = tuple[str, bool]
_STOP: frozenset[_Piece] = frozenset({("", False)})  # could start with anything
_NOTHING: frozenset[_Piece] = frozenset({("", True)})  # consumes no character

# ``\p{..}`` / ``\P{..}`` / ``\pL`` become this private-use character, read as "any character".
_ANY = "\ue000"
# In leading strings, these stand for "a whitespace character" (``\s``) and "a digit" (``\d``).
SPACE = "\ue001"
_DIGIT = "\ue002"
_MARKERS = SPACE + _DIGIT
_ESCAPE = re.compile(r"\\(?:[pP](?:\{[^}]*\}|[A-Za-z])|.)", re.S)


def _stdlib_syntax(pattern: str) -> str | None:
    """``pattern`` in a form the stdlib parser reads as a superset of what ``regex``
    matches, or None when that cannot be guaranteed (nested sets, set operations)."""
    out, in_class, class_start, i = [], False, False, 0
    while i < len(pattern):
        m = _ESCAPE.match(pattern, i)
        if m:
            token = m.group()
            out.append(_ANY if token[1] in "pP" else token)
            class_start = False
            i = m.end()
            continue
        c = pattern[i]
        if not in_class and pattern.startswith("(?P<", i):
            # a named group: regex allows a name twice, the stdlib does not
            out.append("(?:")
            i = pattern.index(">", i) + 1
            continue
        if in_class:
            if c == "[" or pattern.startswith(("--", "&&", "||", "~~"), i):
                return None  # a nested set or a set operation: regex V1 syntax
            if c == "]" and not class_start:
                in_class = False
            class_start = class_start and c == "^"
        elif c == "[":
            in_class, class_start = True, True
        out.append(c)
        i += 1
    return "".join(out)


def fold(text: str) -> str:
    """Case-fold as ``regex`` compares case-insensitively: it matches ``i`` to ``İ``
    (which ``str.casefold`` turns into ``i`` and a combining dot)."""
    return text.replace("\u0130", "i").casefold()


def _fold(chars: Iterable[str]) -> frozenset[_Piece] | None:
    folded = set()
    for c in chars:
        if c == _ANY or (c not in _MARKERS and unicodedata.category(c) == "Cn"):
            return None  # a character newer than Python's Unicode tables: not compared
        folded.add((c if c in _MARKERS else SPACE if c.isspace() else fold(c), True))
    return frozenset(folded)


def _class(items: list) -> frozenset[_Piece]:
    chars: list[str] = []
    for op, av in items:
        if op is sre_c.CATEGORY and av is sre_c.CATEGORY_SPACE:
            chars.append(SPACE)
        elif op is sre_c.CATEGORY and av is sre_c.CATEGORY_DIGIT:
            chars.append(_DIGIT)
        elif op is sre_c.LITERAL:
            chars.append(chr(av))
        elif op is sre_c.RANGE and av[1] - av[0] < SMALL_CLASS:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY (\s, \w, \d), wide ranges
            return _STOP
        if len(chars) > SMALL_CLASS:
            return _STOP
    return _fold(chars) or _STOP


def _limit(pieces: set[_Piece]) -> frozenset[_Piece]:
    """At most :data:`MAX_STRINGS` pieces: cut the strings shorter until they fit."""
    length = LEADING
    while len(pieces) > MAX_STRINGS and length > 0:
        length -= 1
        pieces = {(text[:length], False) if len(text) > length else (text, c) for text, c in pieces}
    return frozenset(pieces)


def _then(first: Iterable[_Piece], second: frozenset[_Piece]) -> set[_Piece]:
    """Pieces of a match of ``first`` followed by a match of ``second``."""
    out: set[_Piece] = set()
    for text, complete in first:
        if not complete:
            out.add((text, False))
            continue
        for more, done in second:
            joined = text + more
            cut = joined.find(_DIGIT, 1)
            if 0 < cut < LEADING:  # "a digit" inside the string: read no further
                out.add((joined[:cut], False))
            else:
                out.add((joined[:LEADING], False) if len(joined) >= LEADING else (joined, done))
    return out


def _sequence(items: list) -> frozenset[_Piece]:
    pieces: set[_Piece] = set(_NOTHING)
    for item in items:
        if not any(complete for _, complete in pieces):
            break
        pieces = set(_limit(_then(pieces, _node(item))))
    return frozenset(pieces)


def _repeat(low: int, high: int, body: frozenset[_Piece]) -> frozenset[_Piece]:
    out: set[_Piece] = set()
    current: set[_Piece] = set(_NOTHING)
    for count in range(LEADING + 1):
        out |= {p for p in current if not p[1] or count >= low}
        if count == high or not any(complete for _, complete in current):
            return _limit(out)
        current = set(_limit(_then(current, body)))
    # more repetitions than the strings are long: what follows is not read
    return _limit(out | {(text, False) for text, _ in current})


# What a parsed item reads as, by identity, while one pattern is read: the suffixes
# that ``_contained`` reads share their items (and a big group is met many times).
_read_items: dict[int, tuple[tuple, frozenset[_Piece]]] = {}


def _node(item: tuple) -> frozenset[_Piece]:
    known = _read_items.get(id(item))
    if known is not None and known[0] is item:
        return known[1]
    pieces = _read_node(item)
    _read_items[id(item)] = (item, pieces)  # holding the item keeps its id from being reused
    return pieces


def _read_node(item: tuple) -> frozenset[_Piece]:
    op, av = item
    if op is sre_c.LITERAL:
        return _fold(chr(av)) or _STOP
    if op is sre_c.IN:
        return _class(av)
    if op is sre_c.BRANCH:
        return _limit(set().union(*(_sequence(branch) for branch in av[1])))
    if op is sre_c.SUBPATTERN:
        return _sequence(av[3])
    if op is sre_c.ATOMIC_GROUP:
        return _sequence(av)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        low, high, body = av
        return _repeat(low, high, _sequence(body))
    if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
        return _NOTHING  # zero-width: read as if it were not there
    return _STOP  # ANY, NOT_LITERAL, back-references, conditionals, anything new


def _strings(pieces: Iterable[_Piece]) -> tuple[frozenset[str], bool] | None:
    """Leading strings of a pattern from its pieces, and whether a match may start
    with a digit; None if it may start with anything."""
    strings, digit = set(), False
    for text, complete in pieces:
        if text.startswith(SPACE):
            continue  # the line pass asks about stripped lines: none starts with a space
        if text.startswith(_DIGIT):
            digit = True
        elif text:
            strings.add(text)
        elif not complete:
            return None
        # ("", True) matches only the empty line, which the line pass never asks about
    return frozenset(strings), digit


def _inner_strings(pieces: Iterable[_Piece]) -> frozenset[str] | None:
    """Strings every match contains (pieces read inside a pattern, markers dropped)."""
    strings = set()
    for text, _ in pieces:
        text = text.lstrip(_MARKERS)
        cut = min((k for k in (text.find(SPACE), text.find(_DIGIT)) if k >= 0), default=len(text))
        if cut == 0:
            return None
        strings.add(text[:cut])
    # a string that contains another of the set adds nothing to "contains one of"
    return frozenset(s for s in strings if not any(o != s and o in s for o in strings)) or None


def _selectivity(strings: frozenset[str]) -> tuple[int, float, int]:
    # rarer first: the shortest string's non-digit characters ("19" is in most texts),
    # then the mean length, then fewer strings
    shortest = min(sum(not c.isdigit() for c in s) for s in strings)
    return shortest, sum(map(len, strings)) / len(strings), -len(strings)


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two sets of needed strings."""
    if a is None or b is None:
        return a if b is None else b
    return a if _selectivity(a) >= _selectivity(b) else b


def _contained(items: list, start: int = 0) -> frozenset[str] | None:
    """Strings one of which every match of ``items`` contains, or None. Looks at
    what every match of ``items[j:]`` starts with for ``j >= start``, inside the
    mandatory groups, and inside positive look-arounds (on a whole-line match they
    look at the line)."""
    best = None
    for j, (op, av) in enumerate(items):
        if j >= start:
            best = _better(best, _inner_strings(_sequence(items[j:])))
        if op is sre_c.ASSERT:
            best = _better(best, _contained(list(av[1])))
        elif op is sre_c.SUBPATTERN:
            best = _better(best, _contained(av[3]))
        elif op is sre_c.BRANCH:
            alternatives = [_contained(branch) for branch in av[1]]
            if all(a is not None for a in alternatives):
                best = _better(best, frozenset().union(*alternatives))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT) and av[0] >= 1:
            best = _better(best, _contained(list(av[2])))
    return best


@dataclass(frozen=True)
class PatternScreen:
    """What a stripped line needs for a whole-line pattern to be worth asking: to
    start (case-folded) with one of ``starts``, or with a digit when ``digit``; and
    to contain (case-folded) one of ``contains``. None: no such condition."""

    starts: frozenset[str] | None = None
    digit: bool = False
    contains: frozenset[str] | None = None


def _read(items: list) -> PatternScreen | None:
    leading = _strings(_sequence(items))
    contains = _contained(items, start=1 if leading else 0)
    if leading is None and contains is None:
        return None
    starts, digit = leading if leading is not None else (None, False)
    return PatternScreen(starts, digit, contains)


def _parse(pattern: str) -> list | None:
    readable = _stdlib_syntax(pattern)
    if readable is None:
        return None
    try:
        return list(sre_parse.parse(readable))
    except (re.error, RecursionError, OverflowError):
        return None


def _read_safely(items: list) -> PatternScreen | None:
    """:func:`_read`, with None for a pattern too deep to read, and the memo of
    read items emptied afterwards."""
    try:
        return _read(items)
    except (RecursionError, OverflowError):
        return None
    finally:
        _read_items.clear()


@lru_cache(maxsize=1024)
def screen_pattern(pattern: str) -> PatternScreen | None:
    """Read ``pattern``; None when no line can be ruled out (ask it every line)."""
    parsed = _parse(pattern)
    return None if parsed is None else _read_safely(parsed)


@lru_cache(maxsize=1024)
def screen_alternatives(pattern: str) -> tuple[PatternScreen, ...] | None:
    """Screens of a pattern's top-level alternatives, read one by one: a line is
    worth asking when it passes any of them. Sharper than one screen for the
    whole: in ``photo:...|...getty images`` the second alternative no longer
    makes every line with "photo" in it a candidate. Falls back to the whole
    pattern's screen; None when no line can be ruled out.

    Readings are kept on disk between runs (:data:`_READINGS`; ~20 ms a pattern)."""
    kept = _READINGS.get(pattern, _UNREAD)
    if kept is not _UNREAD:
        try:
            return _screens_from_json(kept)
        except (TypeError, ValueError, KeyError):
            pass  # not a reading this code wrote: read the pattern again
    screens = _read_alternatives(pattern)
    _READINGS.put(pattern, _screens_to_json(screens))
    return screens


def _read_alternatives(pattern: str) -> tuple[PatternScreen, ...] | None:
    parsed = _parse(pattern)
    if parsed is None:
        return None
    body = parsed
    while len(body) == 1 and body[0][0] is sre_c.SUBPATTERN:
        body = list(body[0][1][3])  # a group around everything
    if len(body) == 1 and body[0][0] is sre_c.BRANCH:
        screens = tuple(_read_safely(list(branch)) for branch in body[0][1][1])
        if all(s is not None for s in screens):
            return screens
    whole = _read_safely(parsed)
    return None if whole is None else (whole,)


def _reader_version() -> str | None:
    """What a reading depends on besides the pattern: this module's code (the
    reading and its limits), and Python's parser and Unicode tables."""
    try:
        code = Path(__file__).read_bytes()
    except OSError:
        return None  # no source to key the readings by: keep none
    return version_key(code, sys.version, unicodedata.unidata_version, str(sys.maxunicode))


_VERSION = _reader_version()
_READINGS = JsonCache("screen-readings", _VERSION)
# which characters Python's tables do not know and regex's do depends on both
_NEWER = JsonCache("newer-characters", _VERSION and version_key(_VERSION, regex.__version__))
_UNREAD = object()


def _screens_to_json(screens: tuple[PatternScreen, ...] | None) -> list[dict] | None:
    def strings(found: frozenset[str] | None) -> list[str] | None:
        return None if found is None else sorted(found)

    if screens is None:
        return None
    return [{"starts": strings(s.starts), "digit": s.digit, "contains": strings(s.contains)} for s in screens]


def _screens_from_json(kept: Any) -> tuple[PatternScreen, ...] | None:
    """The screens written by :func:`_screens_to_json`; TypeError, ValueError or
    KeyError for anything else."""

    def strings(found: Any) -> frozenset[str] | None:
        if found is None:
            return None
        if not isinstance(found, list) or not all(isinstance(s, str) for s in found):
            raise TypeError("not a list of strings")
        return frozenset(found)

    if kept is None:
        return None
    if not isinstance(kept, list) or not kept:
        raise TypeError("not a list of screens")
    screens = []
    for one in kept:
        if not isinstance(one["digit"], bool):
            raise TypeError("digit is not a boolean")
        screens.append(PatternScreen(strings(one["starts"]), one["digit"], strings(one["contains"])))
    return tuple(screens)


def leading_strings(pattern: str) -> frozenset[str] | None:
    """The leading strings of ``pattern`` (None if a match may start anywhere)."""
    screen = screen_pattern(pattern)
    return None if screen is None else screen.starts


@lru_cache(maxsize=1)
def _newer_characters() -> tuple[frozenset[str], re.Pattern[str]]:
    """Characters that Python's Unicode tables do not know but ``regex``'s newer
    ones give a case, or make a digit or a space, and a fast search for them and
    for every character beyond the BMP (a stdlib class of many astral ranges is slow).
    Kept on disk between runs (~0.2 s to find)."""
    kept = _NEWER.get("characters")
    if isinstance(kept, str) and all(unicodedata.category(c) == "Cn" for c in kept):
        newer = frozenset(kept)
    else:
        everything = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, sys.maxunicode + 1)))
        judged = regex.findall(r"[\p{Cased}\p{Lu}\p{Ll}\p{Lt}\d\s]", everything)  # a few thousand
        newer = frozenset(c for c in judged if unicodedata.category(c) == "Cn")
        _NEWER.put("characters", "".join(sorted(newer)))
        _NEWER.save()
    bmp = "".join(re.escape(c) for c in sorted(newer) if c <= "\uffff")
    return newer, re.compile(f"[{bmp}\U00010000-\U0010ffff]")


def has_newer_characters(text: str) -> bool:
    """True if ``text`` holds a character whose case or digit value Python's
    Unicode tables do not know (the screen cannot judge such a text)."""
    newer, candidates = _newer_characters()
    return any(m.group() in newer for m in candidates.finditer(text))


def save_readings() -> None:
    """Write the readings made in this process to disk (once a pack's screen is built)."""
    _READINGS.save()
