r"""Which rules could claim a line, told by the line's first few characters.

A declarative residue rule matches a whole (stripped) line, and nearly every one of
their patterns starts with words: "advertisement", "read more", "share on", "©".
The strings every match of a pattern must start with (its *leading strings*, at
most :data:`LEADING` characters each) are read once from the parsed pattern. A
line whose first characters are none of them cannot match, so the line pass does
not offer it to that pattern: for most lines of an article, deciding that no
residue rule applies costs one trie match and a search instead of a regex call
per rule.

A pattern that may start with anything (``[^\n©]{1,80}?(?:©|\(c\))...``) is
screened instead by strings every match must *contain* (``©``, ``(c)``), read from
its later parts and from its look-aheads (``(?=[^\n]{0,1000}?cookie)``); patterns
with leading strings may have such strings too, and a line must then have both.
A pattern whose top level is a choice (``photo:...|©...|...getty images``) is read
one alternative at a time, each a *unit* with its own strings: a line is worth
asking when it passes any unit of the pattern.

The verdict depends on the line alone, so each screen remembers it (up to
:data:`MEMORY` lines): the line pass repeats after a removal and the engine's
check pass reads every line again, and a remembered line costs a dictionary
look-up done in C for the whole text (:meth:`LineScreen.masks`).

Reading the patterns costs ~20 ms each, in every process that loads a pack, so the
readings (and the list of characters newer than Python's tables) are kept on disk
between runs (:mod:`cleaner.core.disk_cache`), keyed by this module's source and the
Python, Unicode and ``regex`` versions they depend on.

Python line rules declare where they could fire with ``may_claim``, a stdlib
pattern matched at the start of the line (``residue/gallery-caption``: a slide
number ``k/N``); those without one are asked on every line.

Why it is exact:

* Strings and lines are both compared case-folded (:func:`fold`). When ``regex``
  matches a character case-insensitively (simple or full case folding) the two
  fold to the same string, so the folded line holds the folded literal; a
  case-sensitive pattern is screened as if it ignored case, which only lets more
  lines through. Whitespace in both is read as one marker character.
* Lines holding a character that Python's (older) Unicode tables do not know but
  ``regex``'s give a case, a digit value or a space are not screened at all.
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
variants of them and on the Unicode facts above, over all code points; and each
``may_claim`` pattern against its rule on generated tag lines and galleries. The reference path (``fast=False``)
does not use this module; ``tests/test_fast_paths.py`` compares both paths.
"""

from __future__ import annotations

import re
import re._constants as sre_c  # the stdlib's regex parser, to read pattern text
import re._parser as sre_parse
import sys
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import getitem, is_
from pathlib import Path
from typing import Any, Callable, Iterable

import ahocorasick
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
_SPACE = "\ue001"
_DIGIT = "\ue002"
_MARKERS = _SPACE + _DIGIT
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
        folded.add((c if c in _MARKERS else _SPACE if c.isspace() else fold(c), True))
    return frozenset(folded)


def _class(items: list) -> frozenset[_Piece]:
    chars: list[str] = []
    for op, av in items:
        if op is sre_c.CATEGORY and av is sre_c.CATEGORY_SPACE:
            chars.append(_SPACE)
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
        if text.startswith(_SPACE):
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
        cut = min((k for k in (text.find(_SPACE), text.find(_DIGIT)) if k >= 0), default=len(text))
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


# whitespace, as ``str.isspace`` knows it (a superset of ``regex``'s ``\s``), read as one marker
_SPACES = {c: _SPACE for c in range(0x3001) if chr(c).isspace()}
#: Lines whose screening is remembered per screen, at most (then it starts afresh).
#: Each of the memos bounded by it (here and in cleaner.core.lines) holds about that many
#: lines per worker: at 1 << 17 they cost a worker ~40 MB (a 300 MB run of
#: bench/scale.py, largest worker 160 MB against 128 MB at 1 << 15), for ~3 % of
#: speed on text seen for the first time now that the check pass seldom reads a
#: line again (cleaner.core.settled). 32,768 lines still hold a site's template lines
#: across the last hundred pages or so.
MEMORY = 1 << 15


@dataclass(frozen=True)
class LineScreen:
    """For one group of line rules: which of them to ask about a line, as a bit
    mask over the group's positions (pack order); -1 for all of them.

    The answer depends on the line alone, so it is remembered: the line pass
    repeats after removals and the engine's check pass reads every line again,
    and those lines then cost one dictionary look-up.
    """

    # Patterns are screened by *units*, one per top-level alternative (bits below).
    by_start: dict[str, int]  # leading string -> units that need it
    lengths: tuple[int, ...]  # lengths of the leading strings present
    leads: Callable[[str], re.Match[str] | None]  # matches what starts with a leading string
    digit: int  # units whose matches may start with a digit
    free: int  # units without leading strings, screened by needed strings
    needs: dict[int, Callable[[str], bool]]  # unit -> does the (folded) line hold a string it needs?
    any_free_need: Callable[[str], bool] | None  # does it hold any string a unit in ``free`` needs?
    owners: tuple[int, ...]  # unit (a pattern's alternative) -> bit of its rule
    always: int  # rules asked about every non-blank line
    claimable: tuple[tuple[int, re.Pattern[str]], ...]  # (bit, may_claim) of Python rules
    scan: DocumentScan | None = field(default=None, compare=False, repr=False)  # for lines seen together
    need_bits: int = -1  # units with needed strings (in ``needs``)
    # what a line's head says (units), and which rules a set of units belongs to: both remembered
    head_units: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    rules_of_units: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    memory: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def rules_for(self, line: str) -> int:
        """The rules that could claim ``line`` (as it stands in the text, unstripped);
        0 for a blank line."""
        mask = self.memory.get(line)
        if mask is None:
            if len(self.memory) >= MEMORY:
                self.memory.clear()
            mask = self.memory[line] = self._judge(line)
        return mask

    def masks(self, lines: list[str]) -> list[int]:
        """:meth:`rules_for` of each of ``lines``; the remembered ones are looked up
        without a Python call per line, and lines seen for the first time are
        screened together (:meth:`_judge_together`) when there are many."""
        found = list(map(self.memory.get, lines))
        if None not in found:
            return found
        unknown = list(dict.fromkeys(compress(lines, map(is_, found, repeat(None)))))
        if len(unknown) < TOGETHER or self.scan is None:
            rules_for = self.rules_for
            return [rules_for(line) if mask is None else mask for mask, line in zip(found, lines)]
        judged = dict(zip(unknown, self._judge_together(unknown)))
        if len(self.memory) + len(judged) > MEMORY:
            self.memory.clear()
            self.memory.update(judged)
            return [judged[line] if mask is None else mask for mask, line in zip(found, lines)]
        self.memory.update(judged)
        return list(map(self.memory.__getitem__, lines))

    def _judge_together(self, lines: list[str]) -> list[int]:
        """:meth:`_judge` of each of ``lines``, with the line-by-line work done once
        for all of them: the lines are joined and case-folded once; the head test
        (``leads``, and ``str.isdigit`` for the digit units) is mapped over the
        stripped folded lines in C; one Aho-Corasick pass over the folded text
        finds the strings the free units need; each ``may_claim`` pattern is
        mapped, in C, over the lines holding a character every match of it holds.
        Only the lines one of these finds (about a fifth of an article's) are
        judged one by one, by :meth:`_verdict` as :meth:`_judge` does; every other
        line gets what :meth:`_judge` would give it, the rules asked about every
        non-blank line (``always``). Exact: each test finds a superset of the
        lines where the corresponding test of :meth:`_verdict` passes (see
        :class:`DocumentScan`); ``tests/test_document_screen.py`` compares both."""
        scan = self.scan
        assert scan is not None
        joined = "\n".join(lines)
        if joined.isascii():
            folded = joined.lower()
        elif has_newer_characters(joined):
            return [self._judge(line) for line in lines]
        else:
            folded = fold(joined)
        folded_lines = folded.split("\n")
        # where each folded line starts in ``folded``
        offsets = list(accumulate(map((1).__add__, map(len, folded_lines)), initial=0))
        candidates: set[int] = set()
        heads = list(map(str.lstrip, folded_lines))
        if self.by_start:  # the head tests of _verdict (leading strings, digits), mapped in C
            candidates.update(compress(range(len(lines)), map(self.leads, heads)))
        if self.digit:
            candidates.update(compress(range(len(lines)), map(str.isdigit, map(getitem, heads, repeat(_FIRST)))))
        present: dict[int, int] = {}  # line -> units (of scan.covered) whose needed strings it holds
        if scan.needs is not None:
            for end, units in scan.needs.iter(folded):
                i = bisect_right(offsets, end) - 1
                present[i] = present.get(i, 0) | units
            candidates.update(i for i, units in present.items() if units & self.free)
        claims: dict[int, int] = {}
        for (bit, may_claim), needs in zip(self.claimable, scan.claim_needs):
            asked = range(len(lines))
            if needs is not None:  # only lines holding one of the characters every match holds
                asked = sorted(set().union(*(compress(asked, map(str.__contains__, lines, repeat(c))) for c in needs)))
            for i in compress(asked, map(may_claim.match, map(lines.__getitem__, asked))):
                claims[i] = claims.get(i, 0) | bit
        candidates.update(claims)
        always = self.always
        out = list(map(bool, map(str.strip, lines))) if always else [0] * len(lines)
        if always:
            out = [always if nonblank else 0 for nonblank in out]
        for i in candidates:
            out[i] = self._verdict(lines[i], folded_lines[i], claims.get(i, 0), present.get(i, 0), scan.covered)
        return out

    def _judge(self, line: str) -> int:
        if not line.strip():
            return 0  # a blank line: never asked
        if line.isascii():
            folded = line.lower()
        elif has_newer_characters(line):
            return -1 if line.strip() else 0  # case or digits Python cannot judge: ask all
        else:
            folded = fold(line)
        claims = 0
        for bit, may_claim in self.claimable:
            if may_claim.match(line):
                claims |= bit
        return self._verdict(line, folded, claims)

    def _verdict(self, line: str, folded: str, claims: int, present: int = 0, covered: int = 0) -> int:
        """The rules to ask about ``line`` (``folded``: its case fold), given which
        ``may_claim`` patterns match it. For the units in ``covered`` the needed
        strings were looked for already: ``present`` holds those the line has;
        the others' are searched for here."""
        head = folded.lstrip()[:LEADING]
        if not head:
            return 0  # a blank line: never asked
        mask = self.head_units.get(head)
        if mask is None:
            mask = self._units_of_head(head)
        check = mask & self.need_bits & ~self.free
        while check:  # rules that also need a string somewhere in the line
            low = check & -check
            check ^= low
            if low & covered:
                if not low & present:
                    mask ^= low
                continue
            needed = self.needs.get(low)
            if needed is not None and not needed(folded):
                mask ^= low
        if self.free & covered == self.free:
            mask |= present & self.free
        elif self.any_free_need is not None and self.any_free_need(folded):
            for bit, needed in self.needs.items():
                if bit & self.free and needed(folded):
                    mask |= bit
        rules = self.rules_of_units.get(mask)
        if rules is None:
            rules = self._rules_of(mask)
        return rules | self.always | claims

    def _units_of_head(self, head: str) -> int:
        """The units whose leading strings (or digit) a line starting with
        ``head`` (its first :data:`LEADING` folded characters) may start with;
        remembered in :attr:`head_units`."""
        mask = 0
        head_key = head
        if self.leads(head) is not None:  # which strings: one look-up per length
            head = head.translate(_SPACES)
            get = self.by_start.get
            for n in self.lengths:
                mask |= get(head[:n], 0)
        if self.digit and head[0].isdigit():
            mask |= self.digit
        if len(self.head_units) >= MEMORY:
            self.head_units.clear()
        self.head_units[head_key] = mask
        return mask

    def _rules_of(self, units: int) -> int:
        """The rules the ``units`` belong to; remembered in :attr:`rules_of_units`."""
        rules, mask = 0, units
        while mask:  # from units to their rules
            low = mask & -mask
            rules |= self.owners[low.bit_length() - 1]
            mask ^= low
        if len(self.rules_of_units) >= MEMORY:
            self.rules_of_units.clear()
        self.rules_of_units[units] = rules
        return rules


_FIRST = slice(0, 1)

#: Lines seen for the first time from which :meth:`LineScreen.masks` screens them together.
TOGETHER = 8


@dataclass(frozen=True)
class DocumentScan:
    """The searches with which :meth:`LineScreen._judge_together` finds, in the
    case fold of many lines joined by line feeds, the lines worth judging one by one.

    * ``needs``: an Aho-Corasick automaton of the strings that the units in
      ``covered`` need, each string's value the units that need it (no needed
      string holds a line feed, so each hit lies inside one line), or None.
      ``covered`` holds the free units. (Units with leading strings search for
      theirs line by line, on the few lines whose head passed: putting their
      strings, "read", "more", "new", here too found so many hits that it was
      slower.)
    * ``claim_needs``: per ``may_claim`` pattern, characters one of which every
      match holds (read with :func:`screen_pattern`; only ASCII characters that
      are not letters, which case folding leaves alone and no other character
      folds to), or None to try the pattern on every line.
    """

    needs: Any  # ahocorasick.Automaton | None
    covered: int
    claim_needs: tuple[tuple[str, ...] | None, ...]


def _document_scan(
    free: int,
    needed: dict[int, frozenset[str]],
    claims: list[tuple[int, re.Pattern[str]]],
) -> DocumentScan:
    covered = 0
    by_string: dict[str, int] = {}
    for bit, strings in needed.items():
        if bit & free:
            covered |= bit
            for s in strings:
                by_string[s] = by_string.get(s, 0) | bit
    automaton = None
    if by_string:
        automaton = ahocorasick.Automaton()
        for s, units in sorted(by_string.items()):
            automaton.add_word(s, units)
        automaton.make_automaton()
    return DocumentScan(automaton, covered, tuple(_claim_needs(claim.pattern) for _, claim in claims))


def _claim_needs(may_claim: str) -> tuple[str, ...] | None:
    """Characters one of which every match of ``may_claim`` holds, when they are
    ASCII characters other than letters; None otherwise."""
    screen = screen_pattern(may_claim)
    needs = None if screen is None else screen.contains
    if not needs or not all(len(c) == 1 and c.isascii() and not c.isalpha() for c in needs):
        return None
    return tuple(sorted(needs))


def _trie(strings: Iterable[str], spaces: str | None = None) -> str:
    """A stdlib pattern matching any of ``strings`` (the whitespace marker as one
    whitespace character: ``\\s``, or one of the characters ``spaces`` when given),
    written as a trie: the engine tries alternatives one by one, and a trie lets it
    reject most positions at the first character (about 2.5 times faster than a
    plain alternation of the ~70 needed strings of the default pack)."""
    root: dict = {}
    for s in strings:
        node = root
        for c in s:
            node = node.setdefault(c, {})
        node[""] = {}  # a string ends here: what follows does not matter

    def in_class(c: str) -> str:
        if c != _SPACE:
            return re.escape(c)
        return r"\s" if spaces is None else "".join(map(re.escape, spaces))

    def char(c: str) -> str:
        return f"[{in_class(c)}]" if c == _SPACE and spaces is not None else in_class(c)

    def alternatives(node: dict) -> str:
        if "" in node:
            return ""
        ends = sorted(c for c, child in node.items() if "" in child)
        out = ["[" + "".join(map(in_class, ends)) + "]"] if ends else []
        out += [char(c) + alternatives(child) for c, child in sorted(node.items()) if c not in ends]
        return out[0] if len(out) == 1 else "(?:" + "|".join(out) + ")"

    return alternatives(root) if root else "(?!)"


def _needed(strings: frozenset[str]) -> Callable[[str], bool]:
    """A test for whether a text holds any of ``strings`` (one trie search),
    compiled when first asked: many units' tests are never needed in a run, and
    compiling them all cost every process that loads a pack ~0.1 s."""
    search: Callable[[str], re.Match[str] | None] | None = None

    def holds(text: str) -> bool:
        nonlocal search
        if search is None:
            search = re.compile(_trie(strings)).search
        return search(text) is not None

    return holds


def _implied(starts: frozenset[str] | None, contains: frozenset[str]) -> bool:
    """True when every line that starts with one of ``starts`` holds one of
    ``contains``: each leading string has a needed string in it (needed strings
    hold no whitespace or digit marker, so they are compared with the line's own
    characters). Then the test of the needed strings can never fail."""
    return bool(starts) and all(any(n in s for n in contains) for s in starts)  # type: ignore[union-attr]


def build_screen(patterns: list[str | None], claims: list[str | None]) -> LineScreen:
    """A screen for rules given, by position, as a pattern (declarative rules) or
    None, and a ``may_claim`` pattern or None (Python rules). A pattern becomes
    one screened *unit* per top-level alternative (:func:`screen_alternatives`)."""
    by_start: dict[str, int] = {}
    digit = free = always = 0
    needs: dict[int, Callable[[str], bool]] = {}
    needed: dict[int, frozenset[str]] = {}  # the strings behind ``needs``
    free_needs: set[str] = set()
    claimable = []
    owners: list[int] = []  # unit -> bit of its rule
    for n, (pattern, claim) in enumerate(zip(patterns, claims)):
        rule_bit = 1 << n
        screens = screen_alternatives(pattern) if pattern is not None else None
        for screen in screens or ():
            bit = 1 << len(owners)
            owners.append(rule_bit)
            for s in screen.starts or ():
                by_start[s] = by_start.get(s, 0) | bit
            if screen.digit:
                digit |= bit
            if screen.contains is not None and not _implied(screen.starts, screen.contains):
                needs[bit] = _needed(screen.contains)
                needed[bit] = screen.contains
                if screen.starts is None:
                    free |= bit
                    free_needs |= screen.contains
        if screens:
            continue
        if claim is not None:  # a Python rule whose claim pattern (if any) could not be read
            claimable.append((rule_bit, re.compile(claim)))
        else:  # a pattern that could match anything, or a Python rule without may_claim
            always |= rule_bit
    lengths = tuple(sorted({len(s) for s in by_start}))
    any_free_need = _needed(frozenset(free_needs)) if free_needs else None
    leads = re.compile(_trie(by_start)).match
    _READINGS.save()
    return LineScreen(
        by_start, lengths, leads, digit, free, needs, any_free_need, tuple(owners), always, tuple(claimable),
        _document_scan(free, needed, claimable),
        sum(needs),
    )


def positions(mask: int, count: int) -> Iterable[int]:
    """The set bits of ``mask`` below ``count``, lowest first (pack order); all
    ``count`` positions for -1."""
    if mask < 0:
        yield from range(count)
        return
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
