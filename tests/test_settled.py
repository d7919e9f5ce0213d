"""The check pass leaves a stage out only when it provably has nothing to do.

:mod:`cleaner.core.settled` trusts what rules declare: ``settles`` (idempotent, and
still settled after changes of these kinds) and ``changes`` (the one kind of
change a rule makes). Here every declaration of the packs' rules is checked
against the rule's reference implementation, on the test data and on generated
documents, with changes of each declared kind made every way the kind allows;
and the engine is checked to leave out exactly the stages it may.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings

from cleaner import Example, Pipeline, rule
from cleaner.core.engine import apply_rules, _stages_of
from cleaner.core.lines import run_line_pass
from cleaner.loading.registry import default_registry
from cleaner.core.rule import RuleError
from cleaner.rules.headings import normalise_headings
from cleaner.rules.whitespace import fold_blank_line_runs, trim_document_edges
from cleaner.core.settled import BLANK_RUNS, FINAL_NEWLINE, KINDS, LINES, change_kind, stage_settles

from test_fast_paths import _documents, _test_texts


def _blank(line: str) -> bool:
    return line.strip(" \t") == ""


def _without_lines(text: str, rng: random.Random, tries: int = 6) -> list[str]:
    """``text`` with whole lines removed: each single line at the edges, and some
    chosen at random (one or several)."""
    lines = text.split("\n")
    if len(lines) < 2:
        return []
    picks = [{0}, {len(lines) - 1}]
    for _ in range(tries):
        picks.append(set(rng.sample(range(len(lines)), rng.randint(1, min(3, len(lines) - 1)))))
    return ["\n".join(line for i, line in enumerate(lines) if i not in gone) for gone in picks]


def _blank_runs(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of lines holding only spaces and tabs."""
    runs, i = [], 0
    while i < len(lines):
        if _blank(lines[i]):
            j = i
            while j < len(lines) and _blank(lines[j]):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _with_blank_runs_changed(text: str, rng: random.Random, tries: int = 6) -> list[str]:
    """``text`` after changes of the kind ``blank-runs``: in every run of blank
    lines some lines go and some are emptied, at least one staying; and folded
    as ``whitespace/blank-line-runs`` folds it."""
    lines = text.split("\n")
    runs = _blank_runs(lines)
    out = [fold_blank_line_runs.fn(text)]
    if not runs:
        return out
    for _ in range(tries):
        new = list(lines)
        for start, end in reversed(runs):
            keep = rng.randint(1, end - start)
            kept = ["" if rng.random() < 0.5 else line for line in lines[start : start + keep]]
            new[start:end] = kept
        out.append("\n".join(new))
    return out


def _with_final_newline(text: str) -> list[str]:
    return [text + "\n"] if text and not text[-1].isspace() else []


def changed(kind: str, text: str, rng: random.Random) -> list[str]:
    """Texts made from ``text`` by one change of ``kind`` (or, for blank runs, several)."""
    if kind == LINES:
        return _without_lines(text, rng)
    if kind == BLANK_RUNS:
        return _with_blank_runs_changed(text, rng)
    assert kind == FINAL_NEWLINE
    return _with_final_newline(text)


def is_blank_runs_change(before: str, after: str) -> bool:
    """True when ``after`` is ``before`` with lines of spaces and tabs removed or
    emptied, every run of them keeping at least one line."""
    old, new = before.split("\n"), after.split("\n")
    i = j = 0
    while i < len(old):
        if not _blank(old[i]):
            if j >= len(new) or new[j] != old[i]:
                return False
            i, j = i + 1, j + 1
            continue
        start = i
        while i < len(old) and _blank(old[i]):
            i += 1
        kept = 0
        while j < len(new) and _blank(new[j]) and kept < i - start:
            if new[j] not in ("", *old[start:i]):
                return False
            j, kept = j + 1, kept + 1
        if kept == 0:
            return False
    return j == len(new)


def _declared(kind_of_rule: str) -> list:
    return [r for r in default_registry() if r.kind == kind_of_rule and r.settles is not None]


def _texts(pipeline) -> list[str]:
    texts = _test_texts(pipeline)
    # blank-line structure the data may lack: runs, whitespace-only lines, edges
    texts += ["\n\n  \nTitle\n\n\n\t\nThe minister signed the agreement in Moscow on Friday, officials said.\n \n",
              "Background\n\n \n\nRussia and Pakistan had in 2015 signed a deal for helicopters.\n\n\n\n",
              "Russia, Pakistan, AK\n\n\nOne\n \n2/6 Slide two\n\n3/6 Slide three\n\n\n4/6 Slide four"]
    return texts


def test_declarations_name_known_kinds_and_cover_the_costly_stages(pipeline):
    declared = {r.id for r in default_registry() if r.settles is not None}
    assert {"headings/normalise", "sentences/split-glued", "meta/title", "whitespace/document-edges",
            "whitespace/blank-line-runs", "residue/tag-line"} <= declared
    for r in default_registry():
        assert r.settles is None or r.settles <= KINDS, r.id
    line_pass = next(s for s in _stages_of(pipeline.rules) if s[0].kind == "line")
    assert stage_settles(line_pass) == {BLANK_RUNS, FINAL_NEWLINE}


def _check_text_rule(r, text: str, rng: random.Random) -> None:
    settled = r.fn(text, **r.options)
    assert r.fn(settled, **r.options) == settled, f"{r.id} is not idempotent on {text!r}"
    for kind in r.settles:
        for after in changed(kind, settled, rng):
            assert r.fn(after, **r.options) == after, f"{r.id} has work again after a {kind} change: {after[:120]!r}"


def _check_meta_rule(r, text: str, rng: random.Random) -> None:
    found = r.fn(text, **r.options)
    for kind in r.settles:
        for after in changed(kind, text, rng):
            assert r.fn(after, **r.options) == found, f"{r.id} says otherwise after a {kind} change: {after[:120]!r}"


def _check_line_rules(rules, text: str, rng: random.Random) -> None:
    settled, _ = run_line_pass(rules, text)
    kinds = stage_settles(tuple(rules))
    assert kinds is not None
    for kind in kinds:
        for after in changed(kind, settled, rng):
            new, removed = run_line_pass(rules, after)
            assert not removed, f"{[r.id for r in rules]} remove lines again after a {kind} change: {after[:120]!r}"


def _check_idle_rule(r, text: str, rng: random.Random) -> int:
    """``idle_settles``: from a text that ``can_change`` rules out (``text``, or
    the rule's output), every change of a declared kind leaves one it rules out,
    and that the rule leaves alone. Returns how many such texts were checked."""
    checked = 0
    for start in dict.fromkeys((text, r.fn(text, **r.options))):
        if r.can_change(start):
            continue
        for kind in r.idle_settles:
            for after in changed(kind, start, rng):
                assert not r.can_change(after), f"{r.id}: can_change lets through after a {kind} change: {after[:120]!r}"
                assert r.fn(after, **r.options) == after, f"{r.id} has work after a {kind} change: {after[:120]!r}"
                checked += 1
    return checked


def _idle_declared() -> list:
    return [r for r in default_registry() if r.kind == "text" and r.idle_settles is not None]


def _check_everything(pipeline, text: str, rng: random.Random) -> None:
    for r in _declared("text"):
        _check_text_rule(r, text, rng)
    for r in _idle_declared():
        _check_idle_rule(r, text, rng)
    _check_text_rule(normalise_headings.bound(style="plain"), text, rng)  # its other style that changes text
    for r in _declared("meta"):
        _check_meta_rule(r, text, rng)
    line_pass = next(s for s in _stages_of(pipeline.rules) if s[0].kind == "line")
    _check_line_rules(line_pass, text, rng)
    for r in _declared("line"):
        _check_line_rules((r,), text, rng)


def test_declarations_hold_on_the_test_data(pipeline):
    rng = random.Random(15)
    for text in _texts(pipeline):
        _check_everything(pipeline, text, rng)


def test_idle_declarations_are_checked_on_texts_they_rule_out(pipeline):
    """strip-indent and collapse-inline-runs declare ``idle_settles``; the check
    above meets many texts their ``can_change`` rules out, with lines that could
    come to start a text or meet each other ("a \n \n b", tabs, indented code)."""
    assert {r.id for r in _idle_declared()} >= {"whitespace/strip-indent", "whitespace/collapse-inline-runs"}
    rng = random.Random(15)
    extra = ["a \nX\n b", "flush\n\n\nleft \n", " x\ny", "a\tb\nc", "one\n \n\n two  three\n",
             "def f():\n    return 1\n\nprose  here\n", "```\n  code\n```\nplain\n"]
    for r in _idle_declared():
        assert sum(_check_idle_rule(r, text, rng) for text in _texts(pipeline) + extra) > 100, r.id


def test_a_false_idle_declaration_fails_the_check():
    """A ``can_change`` that removing lines can make true again (the first line is
    upper-case) must not declare ``idle_settles`` for removed lines."""

    @rule(
        "test/upper-first-line", "Write the first line in capitals",
        examples=[Example("ab\ncd", "AB\ncd"), Example("AB\ncd")],
        can_change=lambda text: text.split("\n", 1)[0] != text.split("\n", 1)[0].upper(),
        idle_settles=frozenset({LINES}),
    )
    def upper_first_line(text: str) -> str:
        """Test rule."""
        first, _, rest = text.partition("\n")
        return first.upper() + _ + rest

    with pytest.raises(AssertionError, match="can_change lets through after a lines change"):
        _check_idle_rule(upper_first_line, "AB\ncd\nef", random.Random(15))


def test_declarations_hold_on_generated_documents(pipeline):
    rng = random.Random(15)

    @settings(max_examples=150, deadline=None)
    @given(_documents(pipeline))
    def check(text):
        _check_everything(pipeline, text, rng)

    check()


def test_blank_line_runs_makes_only_the_change_it_declares(pipeline):
    assert fold_blank_line_runs.changes == BLANK_RUNS
    texts = _texts(pipeline) + ["a\n\n\n  ", "\n\n\nabc", "a\n \n\t\n\nb", "a\n\n\n"]
    folded = 0
    for text in texts:
        after = fold_blank_line_runs.fn(text)
        folded += after != text
        assert is_blank_runs_change(text, after), repr(text)
    assert folded > 5


def test_the_kind_checker_refuses_other_changes():
    assert is_blank_runs_change("a\n\n\nb", "a\n\nb")
    assert not is_blank_runs_change("a\n\nb", "a\nb")  # the run lost every line
    assert not is_blank_runs_change("a\n\nb", "a\n\nc")
    assert not is_blank_runs_change("a\n\nb", "a\n\nb\n\nc")


def test_document_edges_adds_a_final_newline_of_that_kind():
    assert change_kind((trim_document_edges,), "Text", trim_document_edges.fn("Text")) == FINAL_NEWLINE
    # blank lines at the edges or trailing spaces: another change, no kind
    assert change_kind((trim_document_edges,), "\nText ", trim_document_edges.fn("\nText ")) is None


# --- the engine ------------------------------------------------------------------


def _counting(settles):
    calls = []

    @rule("test/upper-x", "Write x as X", examples=[Example("x", "X"), Example("y")], settles=settles)
    def upper_x(text: str) -> str:
        """Test rule."""
        calls.append(text)
        return text.replace("x", "X")

    return upper_x, calls


def test_a_settled_stage_is_left_out_of_the_check_pass():
    upper_x, calls = _counting(frozenset(KINDS))
    outcome = apply_rules([upper_x, trim_document_edges], "a note")
    assert outcome.text == "a note\n"
    assert calls == ["a note"]  # the final line feed gave it nothing to do


def test_an_undeclared_rule_runs_in_every_pass():
    upper_x, calls = _counting(None)
    apply_rules([upper_x, trim_document_edges], "a note")
    assert calls == ["a note", "a note\n"]


def test_a_change_of_another_kind_sends_the_stage_back():
    upper_x, calls = _counting(frozenset({LINES}))  # settles removed lines, not a final line feed
    apply_rules([upper_x, trim_document_edges], "a note")
    assert len(calls) == 2

    @rule("test/wrap", "Wrap in brackets", examples=[Example("a", "[a]"), Example("[a]")])
    def wrap(text: str) -> str:
        """Test rule."""
        return text if text.startswith("[") else f"[{text}]"

    upper_x, calls = _counting(frozenset(KINDS))
    apply_rules([upper_x, wrap], "a note")
    assert len(calls) == 2  # a change of no kind


def test_a_stage_ruled_out_stays_out_after_changes_it_declares():
    asked = []

    def can_change(text: str) -> bool:
        asked.append(text)
        return "x" in text

    @rule("test/upper-x2", "Write x as X", examples=[Example("x", "X"), Example("y")],
          can_change=can_change, idle_settles=frozenset({FINAL_NEWLINE}))
    def upper_x(text: str) -> str:
        """Test rule."""
        return text.replace("x", "X")

    assert apply_rules([upper_x, trim_document_edges], "a note").text == "a note\n"
    assert asked == ["a note"]  # ruled out, and a final line feed keeps it so
    asked.clear()
    apply_rules([upper_x, trim_document_edges], "a x note")  # it ran: no longer ruled out
    assert asked == ["a x note", "a X note\n"]
    asked.clear()
    apply_rules([upper_x, trim_document_edges], "a note", fast=False)
    assert asked == []  # the reference path asks no fast path


def test_the_reference_path_runs_every_stage_again():
    upper_x, calls = _counting(frozenset(KINDS))
    apply_rules([upper_x, trim_document_edges], "a note", fast=False)
    assert len(calls) == 2


def test_a_declaration_of_an_unknown_kind_is_refused():
    with pytest.raises(RuleError, match="unknown kinds of change: sideways"):
        _counting(frozenset({"sideways"}))


def test_leaving_stages_out_changes_no_outcome(pipeline):
    fast = Pipeline(pipeline.rules)
    reference = Pipeline(pipeline.rules, fast=False)
    for text in _texts(pipeline)[:80]:
        a, b = fast.clean(text), reference.clean(text)
        assert (a.text, a.status, [s.to_dict() for s in a.steps], a.meta) == (
            b.text, b.status, [s.to_dict() for s in b.steps], b.meta
        )
