"""The ``filter`` rule kind (issue 24): a document-level rule that keeps or drops
the whole document with a reason and the measures it took, and may keep metadata.
A drop is the engine's drop (status ``dropped``, the reason in provenance, the
manifest and the summary, counted per rule and per label); ``explain`` prints each
measure against its bound; a filter's examples say what it must drop and keep."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cleaner import Example, Judgement, Measure, Pipeline, filter_rule
from cleaner.cli import app
from cleaner.core.engine import apply_rule
from cleaner.loading.pack import load_pack
from cleaner.registry import failing_judgement
from cleaner.rule import RuleError
from tests.test_plugins import make_plugin, site  # noqa: F401  (the fixture)

LONG = "The minister signed the agreement in Moscow on Friday, officials said.\n"
SHORT = "Buy now\n"


@filter_rule("length/min-words", "Drop documents of fewer words than min_words (test filter)",
             examples=[Example(SHORT, drops=True), Example(LONG), Example("", note="too short to judge")])
def min_words(text: str, *, min_words: int = 5) -> Judgement:
    """Drops short documents; an empty text gets no verdict."""
    if not text.strip():
        return Judgement.kept("nothing to judge")
    words = len(text.split())
    measure = Measure("words", words, f">= {min_words}", words >= min_words)
    if words < min_words:
        return Judgement.drop(f"length: {words} words < {min_words}", measures=[measure],
                              label=f"length: fewer than {min_words} words", meta={"words": words})
    return Judgement.kept(measures=[measure], meta={"words": words})


def test_a_drop_is_the_engines_drop_with_reason_measures_and_metadata():
    out = Pipeline([min_words]).clean(SHORT)
    assert (out.status, out.reason, out.text) == ("dropped", "length: 2 words < 5", "")
    step = out.steps[-1].to_dict()
    assert step["rule"] == "length/min-words" and step["action"] == "dropped"
    assert step["label"] == "length: fewer than 5 words"
    assert step["measures"] == [{"name": "words", "value": 2, "bound": ">= 5", "passed": False}]
    assert out.meta == {"words": 2}


def test_a_kept_document_has_no_step_unless_traced_or_noted():
    out = Pipeline([min_words]).clean(LONG)
    assert (out.status, out.steps, out.meta) == ("ok", [], {"words": 11})
    traced = Pipeline([min_words]).clean(LONG, trace=True)
    assert [(s.action, s.measures[0].passed) for s in traced.steps] == [("kept", True)]
    noted = apply_rule(min_words, "   ")
    assert [(s.action, s.why) for s in noted.steps] == [("kept", "nothing to judge")]


def test_a_filter_stops_the_document_and_the_rules_after_it_do_not_run():
    seen = []

    @filter_rule("length/spy", "Records what it sees (test)", examples=[Example("a", drops=True), Example("b")])
    def spy(text: str) -> Judgement:
        """Drops 'a'."""
        seen.append(text)
        return Judgement.drop("a") if text == "a" else Judgement.kept()

    Pipeline([min_words.bound(min_words=1), min_words.bound(min_words=50), spy]).clean(LONG)
    assert seen == []


def test_a_filter_judges_a_text_once_when_a_later_pass_does_not_change_it():
    from cleaner.rules.whitespace import collapse_inline_runs

    calls = []

    @filter_rule("length/count", "Counts its calls (test)", examples=[Example("a", drops=True), Example("b")])
    def count(text: str) -> Judgement:
        """Drops 'a'."""
        calls.append(text)
        return Judgement.drop("a") if text == "a" else Judgement.kept()

    out = Pipeline([count, collapse_inline_runs]).clean("a  b  c")  # the text changes after the filter
    assert out.text == "a b c" and calls == ["a  b  c", "a b c"]
    calls.clear()
    Pipeline([collapse_inline_runs, count]).clean("a  b  c")  # the second pass leaves it as judged
    assert calls == ["a b c"]


def test_a_filter_needs_an_example_it_drops_and_one_it_keeps():
    with pytest.raises(RuleError, match="must drop or give metadata"):
        filter_rule("length/bad", "x", examples=[Example("a")])(lambda text: Judgement.kept())
    with pytest.raises(RuleError, match="keep without metadata"):
        filter_rule("length/bad", "x", examples=[Example("a", drops=True)])(lambda text: Judgement.kept())


def test_a_failing_filter_example_says_what_it_did():
    wrong = Example(LONG, drops=True)
    assert "must drop it, kept it" in failing_judgement(min_words, wrong)
    assert failing_judgement(min_words, Example(LONG, meta={"words": 11})) is None
    assert "expected meta" in failing_judgement(min_words, Example(LONG, meta={"words": 3}))


PLUGIN = '''
from cleaner import Example, Judgement, Measure, filter_rule


@filter_rule("length/min-words", "Drop documents of fewer words than min_words (test plugin)",
             examples=[Example("Buy now\\n", drops=True), Example("one two three four five six\\n")])
def min_words(text, *, min_words: int = 5):
    """Drops short documents."""
    words = len(text.split())
    measure = Measure("words", words, f">= {min_words}", words >= min_words)
    if words < min_words:
        return Judgement.drop(f"length: {words} words < {min_words}", measures=[measure],
                              label=f"length: fewer than {min_words} words")
    return Judgement.kept(measures=[measure])
'''


def test_a_pack_adds_a_filter_at_the_end_and_a_run_counts_its_drops(site, tmp_path):  # noqa: F811
    make_plugin(site, PLUGIN)
    pack = tmp_path / "short.toml"
    pack.write_text('[pack]\nadd = ["length/min-words"]\n\n[options."length/min-words"]\nmin_words = 6\n', encoding="utf-8")
    pipeline = load_pack([pack])
    assert pipeline.rules[-1].id == "length/min-words" and pipeline.rules[-1].options == {"min_words": 6}
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(LONG, encoding="utf-8")
    (src / "b.txt").write_text("Buy it now\n", encoding="utf-8")
    (src / "c.txt").write_text("Sold out today\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", str(pack), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "dropped 2 × length: fewer than 6 words" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["dropped"] == 2
    assert manifest["dropped_reasons"] == {"length: fewer than 6 words": 2}
    assert manifest["dropped_by_rule"] == {"length/min-words": 2}
    records = {r["id"]: r for r in map(json.loads, (out / "provenance.jsonl").read_text().splitlines())}
    b = records["b.txt"]
    assert (b["status"], b["reason"]) == ("dropped", "length: 3 words < 6")
    assert b["steps"][-1]["measures"] == [{"name": "words", "value": 3, "bound": ">= 6", "passed": False}]
    assert records["a.txt"]["status"] == "ok" and not (out / "b.txt").exists()

    shown = CliRunner().invoke(app, ["explain", str(src / "b.txt"), "--pack", str(pack)])
    assert shown.exit_code == 0, shown.output
    assert "dropped by length/min-words: length: 3 words < 6" in shown.output
    assert "✗ words 3  (bound >= 6)" in shown.output
    kept = CliRunner().invoke(app, ["explain", str(src / "a.txt"), "--pack", str(pack)])
    assert "kept by length/min-words" in kept.output and "✓ words 11  (bound >= 6)" in kept.output
