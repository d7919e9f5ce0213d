"""Every example of every rule — built-in, plug-in or from the default packs — is a test.

A rule's examples say what it must change and what it must leave alone; here each
one runs through the rule alone, and again on its own output (idempotence).
"""

from __future__ import annotations

import pytest

from cleaner.core.engine import apply_rule
from cleaner.loading.pack import load_pack
from cleaner.loading.registry import builtin_rules
from cleaner.core.rule import RULE_ID


def _all_rules():
    seen = {}
    for r in [*builtin_rules(), *load_pack().rules]:
        seen.setdefault(r.id, r)
    return list(seen.values())


ALL_RULES = _all_rules()
CASES = [(r, n, ex) for r in ALL_RULES for n, ex in enumerate(r.examples)]


@pytest.mark.parametrize("rule,n,example", CASES, ids=[f"{r.id}#{n}" for r, n, _ in CASES])
def test_example(rule, n, example):
    if rule.kind == "filter":  # keep or drop, and the metadata given
        from cleaner.registry import failing_judgement

        assert failing_judgement(rule, example) is None
        assert apply_rule(rule, example.input).text == example.expected
        return
    if rule.kind == "meta":
        assert rule.fn(example.input, **rule.options) == example.meta
        return
    got = apply_rule(rule, example.input).text
    assert got == example.expected, example.note
    assert apply_rule(rule, got).text == got, "applying the rule to its own output must change nothing"


CORPUS_CASES = [(r, n, ex) for r in ALL_RULES for n, ex in enumerate(r.corpus_examples)]


@pytest.mark.parametrize("rule,n,example", CORPUS_CASES, ids=[f"{r.id}#{n}" for r, n, _ in CORPUS_CASES])
def test_corpus_example(rule, n, example):
    """A corpus rule's example is a small corpus: documents in, documents out
    (None: dropped); cleaning the output corpus again changes nothing."""
    from cleaner.corpus.scan import example_outputs

    got = example_outputs(rule, example.corpus())
    assert got == example.outputs, example.note
    kept = [text for text in got if text is not None]
    sites = [s for s, text in zip(example.sites or [""] * len(got), got) if text is not None]
    from cleaner.corpus.model import corpus_of

    assert example_outputs(rule, corpus_of(kept, sites)) == tuple(kept), "cleaning the output again must change nothing"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.id for r in ALL_RULES])
def test_rule_contract(rule):
    assert RULE_ID.fullmatch(rule.id)
    assert rule.summary and "\n" not in rule.summary
    assert rule.doc, f"{rule.id} needs a docstring saying what it does, why, and what it leaves alone"
    if rule.kind == "corpus":
        assert any(e.changes for e in rule.corpus_examples) and any(not e.changes for e in rule.corpus_examples)
    elif rule.kind == "filter":
        assert any(e.drops or e.meta for e in rule.examples) and any(not e.drops and not e.meta for e in rule.examples)
    elif rule.kind != "meta":
        assert any(e.changes for e in rule.examples) and any(not e.changes for e in rule.examples)


def test_rules_are_callable_on_their_own():
    from cleaner.rules.whitespace import collapse_inline_runs

    assert collapse_inline_runs("a  \t b") == "a b"


def test_there_are_rules_in_every_area():
    areas = {r.id.split("/")[0] for r in ALL_RULES}
    assert {"encoding", "unicode", "whitespace", "sentences", "headings", "residue", "meta"} <= areas
