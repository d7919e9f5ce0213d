"""Line rules declared ``alone`` (their verdict reads the stripped line only):
the fast line pass asks them without a context and without the line screen, the
reference mode with one; both remove the same lines with the same provenance."""

from __future__ import annotations

from cleaner.core.engine import Pipeline
from cleaner.core.rule import Example, line_rule
from cleaner.core.settled import LINE_BY_LINE

TEXT = "Keep this line.\n\nshort\n  short  \nAnother line to keep.\nx\n"
asked: list[object] = []


def _short(line, ctx):
    asked.append(ctx)
    return "under two words" if len(line.split()) < 2 else None


ALONE = line_rule("test/short-alone", "Remove one-word lines", where="anywhere", settles=LINE_BY_LINE, alone=True,
                  examples=[Example("x\nTwo words.\n", "Two words.\n"), Example("Two words.\n")])(_short)
NOT_ALONE = line_rule("test/short", "Remove one-word lines", where="anywhere", settles=LINE_BY_LINE,
                      examples=[Example("x\nTwo words.\n", "Two words.\n"), Example("Two words.\n")])(_short)


def _run(rule, fast):
    asked.clear()
    out = Pipeline([rule], fast=fast).clean(TEXT, trace=True)
    return out.text, [s.to_dict() for s in out.steps], list(asked)


def test_an_alone_rule_is_asked_without_a_context_on_the_fast_path():
    text, steps, contexts = _run(ALONE, fast=True)
    assert text == "Keep this line.\n\nAnother line to keep.\n"
    assert contexts and all(c is None for c in contexts)


def test_a_rule_not_alone_is_asked_with_its_context():
    _, _, contexts = _run(NOT_ALONE, fast=True)
    assert contexts and all(c is not None for c in contexts)


def test_the_alone_path_gives_the_reference_outcome():
    fast, reference = _run(ALONE, fast=True), _run(ALONE, fast=False)
    assert fast[:2] == reference[:2]
    assert all(c is not None for c in reference[2])
