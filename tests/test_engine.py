"""The engine: provenance of every change, position-aware line removal, failures."""

from __future__ import annotations

import pytest

from cleaner import Example, Pipeline, clean, line_rule, rule
from cleaner.core.engine import apply_rules
from cleaner.core.lines import is_prose

BODY = "The minister signed the agreement in Moscow on Friday, officials said.\n"


def test_removed_lines_are_recorded_with_rule_text_and_sizes(pipeline):
    text = f"{BODY}\nSource:- The Print\n\nYou may also like...\n"
    outcome = pipeline.clean(text)
    removed = [s for s in outcome.steps if s.action == "removed"]
    assert [(s.rule, s.text, s.line) for s in removed] == [
        ("residue/source-attribution", "Source:- The Print", 3),
        ("residue/you-may-also-like", "You may also like...", 5),
    ]
    assert outcome.meta["source_name"] == "The Print"
    assert outcome.text == BODY
    for s in outcome.steps:
        assert s.chars_before >= 0 and s.chars_after >= 0
    # sizes chain: each step starts where the previous ended
    for a, b in zip(outcome.steps, outcome.steps[1:]):
        assert b.chars_before == a.chars_after


def test_same_words_inside_the_article_are_content(pipeline):
    text = (
        "Source: The Print\n\n"
        f"{BODY}\n"
        "You may also like...\n\n"
        "The deal was announced after two days of talks between both delegations.\n"
    )
    outcome = pipeline.clean(text)
    assert "You may also like..." in outcome.text  # in the body: kept
    assert "Source: The Print" in outcome.text  # at the top: not a closing attribution
    assert not [s for s in outcome.steps if s.action == "removed"]


def test_changed_text_is_recorded_as_a_step(pipeline):
    outcome = pipeline.clean("The governmentâ€™s request was   rejected.\n")
    assert outcome.text == "The government’s request was rejected.\n"
    assert [s.rule for s in outcome.steps] == ["encoding/fix-mojibake", "whitespace/collapse-inline-runs"]
    assert all(s.action == "changed" for s in outcome.steps)


def test_nothing_changes_without_a_step(pipeline):
    text = "A clean paragraph that needs no work at all.\n"
    outcome = pipeline.clean(text)
    assert outcome.text == text and outcome.steps == []


def test_a_failing_rule_fails_the_document_not_the_caller():
    @rule("test/explodes", "Raise", examples=[Example("a", "b"), Example("b")])
    def explodes(text: str) -> str:
        """Raises on purpose."""
        raise RuntimeError("boom")

    outcome = Pipeline([explodes]).clean("some text")
    assert outcome.status == "failed"
    assert "test/explodes" in outcome.reason and "boom" in outcome.reason


def test_documents_without_text_are_dropped_with_a_reason(pipeline):
    assert pipeline.clean("  \n\n ").status == "dropped"
    residue_only = pipeline.clean("Advertisement\n\nExit mobile version\n")
    assert residue_only.status == "dropped"
    assert residue_only.reason == "no text left after cleaning"
    assert clean("Exit mobile version\n") == ""


def test_block_rule_takes_the_teaser_list_with_it(pipeline):
    text = f"{BODY}\nYou may also like...\nIndia buys S-400 systems\nPakistan seeks new tanks\n"
    outcome = pipeline.clean(text)
    assert outcome.text == BODY
    assert {s.rule for s in outcome.steps if s.action == "removed"} == {"residue/you-may-also-like"}


def test_line_rules_see_positions_as_a_group():
    @line_rule("test/footer", "Remove 'Footer'", where="tail", examples=[
        Example(f"{BODY}\nFooter\n", f"{BODY}\n"), Example(f"Footer\n\n{BODY}")])
    def footer(line, ctx):
        """Test rule."""
        return line == "Footer"

    @line_rule("test/long-footer", "Remove a long footer sentence", where="anywhere", examples=[
        Example("This long footer sentence is residue, not content.\n", "")
        , Example(BODY)])
    def long_footer(line, ctx):
        """Test rule."""
        return line.startswith("This long footer")

    text = f"{BODY}\nFooter\n\nThis long footer sentence is residue, not content.\n"
    # alone, the footer line sits above a prose line: not tail
    assert apply_rules([footer], text).text == text
    # together, the long footer is claimed, so 'Footer' is in the tail
    assert apply_rules([footer, long_footer], text).text == f"{BODY}\n\n"


def test_prose_detection():
    assert is_prose(BODY.strip())
    assert not is_prose("Russia rejects Pakistan request for 50,000 AK rifles")
    assert not is_prose("You may also like...")
    assert is_prose(" ".join(["word"] * 30))


def test_trace_keeps_before_and_after(pipeline):
    outcome = pipeline.clean("a  b c d e f g h.\n", trace=True)
    step = outcome.steps[0]
    assert step.before == "a  b c d e f g h.\n" and step.after == "a b c d e f g h.\n"


@pytest.mark.parametrize("value", [None, b"bytes", 3])
def test_a_pipeline_given_something_other_than_text_raises_type_error_naming_the_type(pipeline, value):
    with pytest.raises(TypeError, match=type(value).__name__):
        pipeline(value)


def test_a_removed_line_step_built_fast_equals_the_dataclass_one():
    """Step.removed (the line pass's fast constructor) builds the same step as the
    dataclass: equal, same hash, same repr and provenance record."""
    from cleaner.core.engine import Step

    slow = Step("c4/lines", "removed", 120, 100, line=3, text="Home | News", why="c4: no terminal punctuation")
    fast = Step.removed("c4/lines", 120, 100, 3, "Home | News", "c4: no terminal punctuation")
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert fast.to_dict() == slow.to_dict() and fast.__dict__ == slow.__dict__
