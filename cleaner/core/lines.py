"""Position-aware line removal: where a line sits decides whether it is residue.

"Source: Reuters" alone after the last paragraph is an attribution line; the same
words inside the article are content. The engine therefore runs consecutive line
rules of a pack together, as one *line pass*:

1. Every non-blank line is offered to the pass's rules in pack order; a line that
   some rule matches is *claimed*.
2. *Anchors* are the prose lines (see :func:`is_prose`) that no rule claims: the
   article itself. Lines before the first anchor are the **head**, lines after the
   last anchor the **tail**, the rest the **body**. With no anchor at all, every
   line is both head and tail.
3. A claimed line is removed by the first rule that matched it and whose ``where``
   allows its position: ``head``, ``tail``, ``edge`` (head or tail) or ``anywhere``.
4. A ``block`` rule matched in the tail also removes every line after it, e.g.
   the headlines under "You may also like...".

5. The pass repeats until it removes nothing more, since a removal can move
   another line into the head or tail.

Removing a line removes it with its line break; blank lines around it stay for the
whitespace rules to fold. Removed lines are reported with their 1-based number in
the text the pass received, so provenance can point at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Sequence

import regex

from cleaner.core.line_screen import MEMORY, LineScreen, build_screen, positions

if TYPE_CHECKING:  # rule.py sits above this module: a Rule is only read here
    from cleaner.core.rule import Rule

@dataclass(frozen=True)
class LineContext:
    """What a line rule may know about a line besides its text."""

    index: int  # position among all lines, 0-based
    nonblank_index: int  # position among non-blank lines, 0-based
    lines: tuple[str, ...]  # every line of the text, for rules that look around
    corpus: CorpusContext | None = field(default=None, compare=False)  # in a corpus run; None: the text alone

    def previous_nonblank(self) -> str | None:
        for line in reversed(self.lines[: self.index]):
            if line.strip():
                return line
        return None

    def next_nonblank(self) -> str | None:
        for line in self.lines[self.index + 1 :]:
            if line.strip():
                return line
        return None



_TERMINAL = regex.compile(r"[.!?…:;]['\"”’»)\]]*$")
_WORD = regex.compile(r"\w+")

#: A line with this many words or more counts as prose even without final punctuation.
LONG_LINE_WORDS = 25
#: A line ending like a sentence counts as prose from this many words on.
SENTENCE_WORDS = 7


@lru_cache(maxsize=1 << 16)
def is_prose(line: str) -> bool:
    """True for lines that read like running text: a sentence of some length, or a
    long line. Headlines, menu entries and widget labels are not prose.

    Remembered per line: the line pass looks for the first and last prose lines
    again after every removal and in the engine's check pass."""
    if len(line) < 2 * SENTENCE_WORDS - 1:
        return False  # too short to hold SENTENCE_WORDS words and the gaps between them
    words = len(_WORD.findall(line))
    if words >= LONG_LINE_WORDS:
        return True
    return words >= SENTENCE_WORDS and bool(_TERMINAL.search(line.rstrip()))


#: Seconds a declarative pattern may spend on one line before the document fails.
PATTERN_TIMEOUT = 1.0
_BACKREFERENCE = regex.compile(r"\\[1-9]|\(\?P=|\\g<")


class PatternTimeout(TimeoutError):
    """A declarative pattern ran longer than :data:`PATTERN_TIMEOUT` on a line
    (catastrophic backtracking); the document fails, naming the rule."""

    def __init__(self, rule_id: str, line: str) -> None:
        shown = line if len(line) <= 60 else line[:57] + "..."
        super().__init__(
            f"its pattern ran longer than {PATTERN_TIMEOUT:g}s on the line {shown!r} "
            "(catastrophic backtracking?); the document was left as it was"
        )
        self.rule_id = rule_id


@dataclass(frozen=True)
class PatternMatcher:
    """The line test of a declarative rule: the whole (stripped) line must match.
    Named groups become metadata; a group named ``tags`` is split on commas."""

    pattern: regex.Pattern[str]
    rule_id: str = ""

    def __call__(self, line: str, ctx: LineContext | None) -> dict[str, Any] | bool:
        try:
            return _match_line(self.pattern, line)
        except TimeoutError:
            raise PatternTimeout(self.rule_id, line) from None


@lru_cache(maxsize=1 << 16)
def _match_line(pattern: regex.Pattern[str], line: str) -> dict[str, Any] | bool:
    """A pattern's verdict on a line depends on nothing else, so it is remembered:
    the line pass repeats after removals and the engine's second pass re-reads
    every line. (The metadata dict is shared; callers only read it.)"""
    m = pattern.fullmatch(line, timeout=PATTERN_TIMEOUT)
    if m is None:
        return False
    meta: dict[str, Any] = {}
    for name, value in m.groupdict().items():
        if value is None or not value.strip():
            continue
        if name == "tags":
            meta[name] = [t.strip() for t in value.split(",") if t.strip()]
        else:
            meta[name] = value.strip()
    return meta or True


@lru_cache(maxsize=1 << 16)
def _any_match(combined: regex.Pattern[str], line: str) -> bool:
    return combined.fullmatch(line, timeout=PATTERN_TIMEOUT) is not None


@lru_cache(maxsize=64)
def _prefilter(rules: tuple[Rule, ...]) -> tuple[regex.Pattern[str] | None, frozenset[int]]:
    """One pattern that matches a line if any of the group's declarative patterns
    does, so the many lines that no residue pattern matches cost one regex call
    instead of one per rule. Returns it and the positions of the rules it covers
    (patterns with back-references, and Python rules, are always asked)."""
    pieces, covered = [], set()
    for n, r in enumerate(rules):
        if isinstance(r.fn, PatternMatcher) and not _BACKREFERENCE.search(r.fn.pattern.pattern):
            scoped = "(?i:" if r.fn.pattern.flags & regex.IGNORECASE else "(?-i:"
            pieces.append(f"{scoped}{r.fn.pattern.pattern})")
            covered.add(n)
    if len(pieces) < 2:
        return None, frozenset()
    try:
        return regex.compile("|".join(pieces), regex.V1), frozenset(covered)
    except regex.error:
        return None, frozenset()


class Removal(NamedTuple):
    """A line a pass removes. A named tuple, not a dataclass: a pack like c4
    removes most lines of a web text, and a tuple is built several times faster."""

    rule: Rule
    line_no: int  # 1-based, in the text the pass received
    text: str  # the line, stripped
    meta: dict[str, Any] | None
    width: int  # characters the removal takes out: the raw line and its line break
    why: str | None = None  # the rule's own reason, when it gave one


def _verdict(result: Any) -> tuple[bool, dict[str, Any] | str | None]:
    """A line rule's answer: keep (None/False), remove (True), remove and keep
    metadata (a dict) or remove for a stated reason (a string)."""
    if isinstance(result, (dict, str)):
        return True, result
    return bool(result), None


def _allowed(rule: Rule, head: bool, tail: bool) -> bool:
    if rule.where == "anywhere":
        return True
    if rule.where == "head":
        return head
    if rule.where == "tail":
        return tail
    return head or tail  # edge


def _claims(
    rules: Sequence[Rule], lines: list[str], corpus: CorpusContext | None = None
) -> dict[int, list[tuple[Rule, dict[str, Any] | str | None]]]:
    """Which rules match which lines (by index), in pack order: the reference."""
    frozen = tuple(lines)
    group = tuple(rules)
    combined, covered = _prefilter(group)
    matches: dict[int, list[tuple[Rule, dict[str, Any] | str | None]]] = {}
    nonblank = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        ctx = LineContext(index=i, nonblank_index=nonblank, lines=frozen, corpus=corpus)
        nonblank += 1
        try:
            skip = covered if combined and not _any_match(combined, stripped) else ()
        except TimeoutError:  # ask each rule alone, so that the slow one is named
            skip = ()
        for n, r in enumerate(group):
            if n in skip:
                continue
            hit, detail = _verdict(r.fn(stripped, ctx))
            if hit:
                matches.setdefault(i, []).append((r, detail))
    return matches


@lru_cache(maxsize=64)
def _screen(rules: tuple[Rule, ...]) -> LineScreen:
    """The line screen of a group: declarative rules by their patterns, Python
    rules by their ``claim_pattern`` read as a pattern, else by their ``may_claim``
    tests (asked on every line without either)."""
    patterns = [r.fn.pattern.pattern if isinstance(r.fn, PatternMatcher) else r.claim_pattern for r in rules]
    return build_screen(patterns, [r.may_claim for r in rules])


@lru_cache(maxsize=64)
def _claim_matcher(pattern: str) -> Callable[[str], Any]:
    """How a Python rule's ``claim_pattern`` is matched against a stripped line."""
    return regex.compile(pattern, regex.IGNORECASE).fullmatch


@lru_cache(maxsize=64)
def _claims_memory(rules: tuple[Rule, ...]) -> dict[str, tuple[tuple[int, Any], ...]]:
    """Per line (as it stands in the text): what :func:`_claims_fast` found the
    group's patterns to claim, in pack order, with the Python rules to ask
    (marked :data:`_ASK`) in their places. A pattern's verdict depends on the
    line alone; a Python rule's on its context, so those are asked every time."""
    return {}


_ASK = object()  # in a remembered claim list: a Python rule, asked with the line's context


def _claims_fast(
    rules: Sequence[Rule], lines: list[str], corpus: CorpusContext | None = None
) -> dict[int, list[tuple[Rule, dict[str, Any] | str | None]]]:
    """:func:`_claims`, asking a line only the rules that the line screen
    (:mod:`cleaner.core.line_screen`) cannot rule out, in the same order, and building
    a line's context only when a Python rule is asked (patterns need none).
    The patterns' verdicts on a line are remembered (:func:`_claims_memory`): the
    line pass repeats after a removal and the engine's check pass reads the
    lines again."""
    group = tuple(rules)
    masks = _screen(group).masks(lines)
    asked = list(compress(range(len(lines)), masks))
    if not asked:
        return {}
    memory = _claims_memory(group)
    if len(memory) >= MEMORY:
        memory.clear()
    frozen = tuple(lines)
    nonblank: list[int] | None = None  # non-blank lines before each line, once a context needs it
    matches: dict[int, list[tuple[Rule, dict[str, Any] | str | None]]] = {}
    for i in asked:
        line = lines[i]
        found = memory.get(line)
        if found is None:
            found = memory[line] = _pattern_claims(group, masks[i], line.strip())
        ctx = None
        for n, detail in found:
            r = group[n]
            if detail is _ASK:
                if ctx is None:
                    # C-level iteration over the lines: no Python call per line
                    nonblank = nonblank or list(accumulate(map(bool, map(str.strip, lines)), initial=0))
                    ctx = LineContext(index=i, nonblank_index=nonblank[i], lines=frozen, corpus=corpus)
                hit, detail = _verdict(r.fn(line.strip(), ctx))
                if not hit:
                    continue
            matches.setdefault(i, []).append((r, detail))
    return matches


def _pattern_claims(group: tuple[Rule, ...], mask: int, stripped: str) -> tuple[tuple[int, Any], ...]:
    """The rules of ``mask`` that claim ``stripped``, in pack order: a pattern
    rule with its verdict's detail when it matches, every Python rule as
    :data:`_ASK`."""
    out: list[tuple[int, Any]] = []
    for n in positions(mask, len(group)):
        r = group[n]
        if isinstance(r.fn, PatternMatcher):
            hit, detail = _verdict(r.fn(stripped, None))
            if hit:
                out.append((n, detail))
        elif r.claim_pattern is None or _claim_matcher(r.claim_pattern)(stripped) is not None:
            out.append((n, _ASK))  # a line its claim pattern rules out is not asked
    return tuple(out)


@lru_cache(maxsize=64)
def _placeless(rules: tuple[Rule, ...]) -> bool:
    """True when where a line sits cannot matter to the group: every rule may
    fire ``anywhere`` and none removes a block."""
    return all(r.where == "anywhere" and not r.block for r in rules)


@lru_cache(maxsize=64)
def _alone(rules: tuple[Rule, ...]) -> bool:
    """True when the group can be run line by line with nothing else: one pass
    settles it (:func:`_one_pass_settles`) and every rule judges a line alone
    (``alone``), so no screen, context or anchor is needed (:func:`_alone_pass`)."""
    return _one_pass_settles(rules) and all(r.alone for r in rules)


def _alone_pass(rules: tuple[Rule, ...], lines: list[str]) -> dict[int, Removal]:
    """:func:`_one_pass` for a group of :func:`_alone` rules: each non-blank line
    asked of each rule in pack order, with ``ctx=None``, until one removes it.
    Exact: such a group's screen asks every rule about every non-blank line, no
    rule reads its context, and every rule fires anywhere."""
    removed: dict[int, Removal] = {}
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        for r in rules:
            result = r.fn(stripped, None)
            if result is None or result is False:
                continue
            if isinstance(result, str):
                removed[i] = Removal(r, i + 1, stripped, None, len(line) + 1, result)
            elif isinstance(result, dict):
                removed[i] = Removal(r, i + 1, stripped, result, len(line) + 1, None)
            elif result:
                removed[i] = Removal(r, i + 1, stripped, None, len(line) + 1, None)
            else:
                continue
            break
    return removed


@lru_cache(maxsize=64)
def _one_pass_settles(rules: tuple[Rule, ...]) -> bool:
    """True when a second pass of the group could remove nothing more: where a
    line sits cannot matter (:func:`_placeless`) and every rule declares that
    removing lines cannot change its verdict on another (``settles`` holds
    ``lines``, see :mod:`cleaner.core.settled`; tests/test_settled.py checks it)."""
    return _placeless(rules) and all(r.settles is not None and "lines" in r.settles for r in rules)


def _one_pass(
    rules: Sequence[Rule], lines: list[str], fast: bool = False, corpus: CorpusContext | None = None
) -> dict[int, Removal]:
    """Decide which of ``lines`` the rules remove, by index (line numbers in the
    returned removals are 1-based indices into ``lines``)."""
    matches = _claims_fast(rules, lines, corpus) if fast else _claims(rules, lines, corpus)
    if not matches:
        return {}

    if fast and _placeless(tuple(rules)):  # every rule fires anywhere, none takes a block: no anchors needed
        first, last = len(lines), -1
    elif fast:  # only the first and last anchors matter: look for them from each end
        n = len(lines)
        first = next((i for i in range(n) if i not in matches and is_prose(lines[i])), n)
        last = next((i for i in range(n - 1, first - 1, -1) if i not in matches and is_prose(lines[i])), -1)
    else:
        anchors = [i for i, line in enumerate(lines) if i not in matches and is_prose(line)]
        first = anchors[0] if anchors else len(lines)
        last = anchors[-1] if anchors else -1

    removed: dict[int, Removal] = {}
    block_from: tuple[int, Rule] | None = None
    for i in sorted(matches):
        head, tail = i < first, i > last
        for r, detail in matches[i]:
            if _allowed(r, head, tail):
                meta, why = (detail, None) if not isinstance(detail, str) else (None, detail)
                removed[i] = Removal(r, i + 1, lines[i].strip(), meta, len(lines[i]) + 1, why)
                if r.block and tail and block_from is None:
                    block_from = (i, r)
                break
    if block_from is not None:
        start, r = block_from
        why = f"listed under “{lines[start].strip()}”"
        for i in range(start + 1, len(lines)):
            if i not in removed and lines[i].strip():
                removed[i] = Removal(r, i + 1, lines[i].strip(), None, len(lines[i]) + 1, why)
    return removed


_last_split: tuple[str, tuple[str, ...]] = ("", ("",))


def split_lines(text: str) -> list[str]:
    """``text.split("\n")``, a new list each call; the lines of the last text
    asked about are remembered. Stages that left a text as it was hand the next
    one the same object, and the line pass, ``headings/normalise`` and
    ``meta/title`` each split it: the string is split once."""
    global _last_split
    last = _last_split  # one read: the pair stays consistent even across threads
    if last[0] is not text:
        last = _last_split = (text, tuple(text.split("\n")))
    return list(last[1])


def run_line_pass(
    rules: Sequence[Rule], text: str, *, fast: bool = False, corpus: CorpusContext | None = None
) -> tuple[str, list[Removal]]:
    """Apply a group of line rules to ``text``; return the new text and what went.

    Removing a line can move another into a position where a rule applies (the tag
    line under a title once an ad line above the title is gone), so the pass repeats
    until it removes nothing more: cleaning cleaned text must change nothing.
    Reported line numbers always refer to ``text`` as received. ``fast`` takes the
    shortcuts of :func:`_claims_fast` and the anchor search; the outcome is the same.
    ``corpus``: the corpus the text belongs to, handed to the rules in their context.
    """
    lines = split_lines(text)
    if fast and _alone(tuple(rules)):  # one pass, line by line: its line numbers are those of ``text``
        removed = _alone_pass(tuple(rules), lines)
        if not removed:
            return text, []
        return "\n".join([line for i, line in enumerate(lines) if i not in removed]), list(removed.values())
    origin = list(range(1, len(lines) + 1))  # current index -> line number in ``text``
    removals: list[Removal] = []
    once = fast and _one_pass_settles(tuple(rules))  # exact: a second pass would remove nothing
    while True:
        removed = _one_pass(rules, lines, fast, corpus)
        if not removed:
            break
        if once:  # the first pass: its line numbers are already those of ``text``
            removals = list(removed.values())
            lines = [line for i, line in enumerate(lines) if i not in removed]
            break
        removals.extend(  # each with its line number in ``text`` (dataclasses.replace, without its cost)
            Removal(rem.rule, origin[i], rem.text, rem.meta, rem.width, rem.why) for i, rem in removed.items()
        )
        lines = [line for i, line in enumerate(lines) if i not in removed]
        origin = [n for i, n in enumerate(origin) if i not in removed]
    if not removals:
        return text, []
    removals.sort(key=lambda rem: rem.line_no)
    return "\n".join(lines), removals
