r"""Which rules could claim a line, told by the line's first few characters.

The line pass asks a residue rule about a line only when the line could match it: its
first characters are one of the pattern's leading strings and it holds the strings the
pattern needs (both read from the pattern by :mod:`cleaner.core.pattern_reading`, which
also says why this is exact). For most lines of an article, deciding that no residue
rule applies then costs one trie match and a search instead of a regex call per rule.

The verdict depends on the line alone, so each screen remembers it (up to
:data:`MEMORY` lines): the line pass repeats after a removal and the engine's
check pass reads every line again, and a remembered line costs a dictionary
look-up done in C for the whole text (:meth:`LineScreen.masks`).

Python line rules declare where they could fire with ``may_claim``, a stdlib
pattern matched at the start of the line (``residue/gallery-caption``: a slide
number ``k/N``); those without one are asked on every line.

``tests/test_line_screen.py`` checks the screen on every rule example line and variants
of them, and each ``may_claim`` pattern against its rule on generated tag lines and
galleries. The reference path (``fast=False``) does not use this module;
``tests/test_fast_paths.py`` compares both paths.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import getitem, is_
from typing import Any, Callable, Iterable

import ahocorasick

from cleaner.core.pattern_reading import (
    LEADING,
    SPACE,
    fold,
    has_newer_characters,
    save_readings,
    screen_alternatives,
    screen_pattern,
)

# whitespace, as ``str.isspace`` knows it (a superset of ``regex``'s ``\s``), read as one marker
_SPACES = {c: SPACE for c in range(0x3001) if chr(c).isspace()}
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
        if c != SPACE:
            return re.escape(c)
        return r"\s" if spaces is None else "".join(map(re.escape, spaces))

    def char(c: str) -> str:
        return f"[{in_class(c)}]" if c == SPACE and spaces is not None else in_class(c)

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
    save_readings()
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
