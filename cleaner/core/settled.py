"""Which stages the engine's check pass may leave out, because they provably
have nothing to do.

The engine runs every stage again on the cleaned text (the check pass, see
:func:`cleaner.core.engine.apply_rules`) until a whole pass changes nothing. On most
texts that second pass changes nothing and costs a fifth of the time. A stage
can be left out of it when its verdict is already known:

* the stage is **idempotent**: what it returns is a text it leaves alone;
* every change made to the text since the stage last ran is of a **kind** (below)
  that the stage declares cannot give it work: a text it leaves alone stays one
  it leaves alone after such a change. A meta rule declares instead that its
  result stays the same, so merging it again adds nothing.

Then the stage's input is a text it leaves alone, and running it would change
nothing. A rule declares both with ``settles`` (the kinds; an empty set: only
idempotent); a rule that declares nothing, as every plugin rule, runs in every
pass as before. A line pass settles a kind when every rule in it does;
declarative pattern rules do by construction for the kinds of blank lines (their
verdict is the stripped line's alone, and blank lines are never anchors).

The kinds, each a fact about one change the engine has seen, never a guess:

``lines``
    Whole lines were removed with their line breaks; every other line is as it
    was. A line pass and a corpus rule's removed lines make only such changes
    (the engine builds the new text from the kept lines).
``blank-runs``
    Lines holding only spaces and tabs were removed or emptied, and every run of
    them keeps at least one line: no other line loses the blank line before or
    after it. Declared by ``whitespace/blank-line-runs`` (``changes``), which
    folds runs of two or more into one empty line.
``final-newline``
    One line feed was added at the end of a text that ended in a character other
    than whitespace (``whitespace/document-edges`` on most texts). Seen by
    comparing the texts, whichever stage made the change.

Any other change has no kind, and every stage that ran before it runs again.

A text rule may also declare ``idle_settles``: kinds of change after which a text
that its ``can_change`` test rules out stays ruled out (no line indented, for
``whitespace/strip-indent``, stays so when lines are removed). When the engine
skipped the stage because ``can_change`` ruled its input out, and every change
since is of those kinds, the stage is left out too, and its input is still ruled
out: a weaker claim than ``settles`` (which holds whatever the text), for rules
whose ``settles`` must leave a kind out for texts they do change (removing lines
may end a block of code whose indentation strip-indent kept).
``tests/test_settled.py`` checks each declaration on the test data and on
generated text: the declared rules are idempotent, stay settled after changes of
each declared kind, and ``changes`` holds; ``tests/test_fast_paths.py`` compares
the whole engine against the reference path, which always runs the check pass.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from cleaner.core.lines import PatternMatcher

if TYPE_CHECKING:  # rule.py sits above the engine, which uses this module
    from cleaner.core.rule import Rule

LINES = "lines"
BLANK_RUNS = "blank-runs"
FINAL_NEWLINE = "final-newline"
#: Every kind of change the engine can name.
KINDS = frozenset({LINES, BLANK_RUNS, FINAL_NEWLINE})
#: What a stage that only looks at each line on its own settles: removing lines,
#: blank lines or adding an empty last line leaves every other line as it was.
LINE_BY_LINE = KINDS
#: What a stage that looks at blank lines around a line (not at removed text) settles.
BLANK_LINES = frozenset({BLANK_RUNS, FINAL_NEWLINE})


def change_kind(stage: Sequence[Rule], before: str, after: str) -> str | None:
    """The kind of the change ``stage`` just made (``before`` != ``after``), or
    None when it has none of the named kinds."""
    first = stage[0]
    if first.kind == "line":
        return LINES
    if first.changes is not None:
        return first.changes
    if (
        len(after) == len(before) + 1
        and after[-1] == "\n"
        and before
        and not before[-1].isspace()
        and after.startswith(before)
    ):
        return FINAL_NEWLINE
    return None


@lru_cache(maxsize=256)
def stage_settles(stage: tuple[Rule, ...]) -> frozenset[str] | None:
    """The kinds of change after which ``stage`` stays settled, or None when it
    declares nothing (then it always runs again)."""
    first = stage[0]
    if first.kind == "corpus":
        return None  # runs in the first pass only; the engine never asks
    if first.kind != "line":
        return first.settles
    kinds = KINDS
    for r in stage:
        declared = r.settles
        if declared is None and isinstance(r.fn, PatternMatcher):
            declared = BLANK_LINES
        if declared is None:
            return None
        kinds &= declared
    return kinds


def stage_idle_settles(stage: Sequence[Rule]) -> frozenset[str] | None:
    """The kinds of change after which a text that the stage's ``can_change``
    ruled out stays ruled out, or None when not declared."""
    first = stage[0]
    return first.idle_settles if first.kind == "text" and first.can_change is not None else None


class CheckLog:
    """The changes one text has seen, in order, and where each stage last ran:
    :meth:`settled` tells whether a stage may be left out now."""

    def __init__(self, stages: Sequence[tuple[Rule, ...]]) -> None:
        self._settles = [stage_settles(stage) for stage in stages]
        self._idle_settles = [stage_idle_settles(stage) for stage in stages]
        self._changes: list[str | None] = []  # kinds, in the order the changes were made
        self._since: dict[int, int] = {}  # stage position -> changes made before its last run ended
        self._idle: set[int] = set()  # stages whose input ``can_change`` ruled out at their last run

    def ran(self, position: int, stage: Sequence[Rule], before: str, after: str, idle: bool = False) -> None:
        """Stage ``position`` ran (or was settled) and turned ``before`` into
        ``after``; ``idle``: its ``can_change`` ruled ``before`` out (or
        :meth:`settled` found it still ruled out)."""
        if after is not before and after != before:
            self._changes.append(change_kind(stage, before, after))
        self._since[position] = len(self._changes)
        if idle:
            self._idle.add(position)
        else:
            self._idle.discard(position)

    def settled(self, position: int) -> bool:
        """True when stage ``position`` would leave the text as it is: it is
        idempotent and every change since it last ran is of a kind it settles."""
        kinds = self._settles[position]
        since = self._since.get(position)
        if kinds is None or since is None:
            return False
        return all(kind in kinds for kind in self._changes[since:])

    def still_idle(self, position: int) -> bool:
        """True when the stage's ``can_change`` ruled out its input at its last
        run, and every change since is of a kind after which it stays ruled out
        (``idle_settles``): then it still rules the text out."""
        kinds = self._idle_settles[position]
        if kinds is None or position not in self._idle:
            return False
        since = self._since[position]
        return all(kind in kinds for kind in self._changes[since:])
