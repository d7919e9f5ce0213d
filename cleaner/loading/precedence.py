"""Which line rule wins a line, and warnings when a user's rule never gets one.

In a line pass every rule may claim a line, and the line is removed by the first
rule in pack order that claims it and may fire where the line sits (see
:mod:`cleaner.core.lines`). A rule placed after a broader one can therefore never fire
on the lines it was written for: a pack's "Follow us on Mastodon" rule loses every
such line to the built-in ``residue/follow-us``. Its own examples still pass (they
run the rule alone), so nothing would say so. :func:`shadowing_warnings` runs each
of a pack's or plugin's line rules' must-change examples through the whole line
pass it belongs to and names the rule that takes the lines instead.

It warns and changes nothing: the order stays what the pack says. (Which rule
wins changes the provenance, and can change more: a ``block`` rule also removes
the rest of the tail, and the winner's metadata is the one kept.)
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from cleaner.core.lines import run_line_pass
from cleaner.core.rule import Rule


def line_pass_of(order: Sequence[Rule], rule: Rule) -> list[Rule]:
    """The consecutive line rules around ``rule`` in ``order``: the pass it runs in."""
    at = next(i for i, r in enumerate(order) if r is rule)
    start, end = at, at + 1
    while start > 0 and order[start - 1].kind == "line":
        start -= 1
    while end < len(order) and order[end].kind == "line":
        end += 1
    return list(order[start:end])


def winners_over(rule: Rule, line_pass: Sequence[Rule]) -> dict[str, str]:
    """For each line that ``rule``'s must-change examples remove when it runs
    alone, but that another rule of ``line_pass`` removes in the pass: the line's
    text and the id of the rule that removes it."""
    taken: dict[str, str] = {}
    for example in rule.examples:
        if not example.changes:
            continue
        _, alone = run_line_pass([rule], example.input)
        _, together = run_line_pass(line_pass, example.input)
        winner = {removal.line_no: removal.rule.id for removal in together}
        for removal in alone:
            other = winner.get(removal.line_no)
            if other is not None and other != rule.id:
                taken[removal.text] = other
    return taken


def shadowing_warnings(order: Sequence[Rule], own: Iterable[Rule], labels: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each rule of ``own`` (a pack's or plugin's line rules in
    ``order``) whose example lines another rule of its pass removes first.
    ``labels``: how to name where a rule comes from (default: its origin)."""
    warnings = []
    present = {id(r) for r in order}
    for rule in own:
        if rule.kind != "line" or id(rule) not in present:
            continue
        taken = winners_over(rule, line_pass_of(order, rule))
        for winner in sorted(set(taken.values())):
            lines = [text for text, w in taken.items() if w == winner]
            warnings.append(
                f"rule {rule.id!r} ({(labels or {}).get(rule.id, rule.origin)}) never removes {lines[0]!r}"
                + (f" and {len(lines) - 1} more of its example lines" if len(lines) > 1 else "")
                + f": {winner!r} comes earlier in the order and removes it first. "
                f"To make yours win, place it before: [pack] add = [{{ rule = \"{rule.id}\", before = \"{winner}\" }}]"
                f", or disable {winner}"
            )
    return warnings
