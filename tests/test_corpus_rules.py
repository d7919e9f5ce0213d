"""Corpus rules in the rule abstraction (issue 14, item 1): a scan gathers
statistics over the corpus, then each document is judged with them; examples are
small corpora; the text judged is the text scanned."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest

from cleaner import Pipeline
from cleaner.corpus.model import NOTHING, CorpusDoc, CorpusExample, CorpusVerdict, corpus_of
from cleaner.corpus.scan import clean_corpus, example_outputs, scan_corpus
from cleaner.loading.registry import failing_example
from cleaner.core.rule import Example, RuleError, corpus_rule, rule

BODY = "The council approved the new budget on Tuesday after a long debate.\n"


class LineCounts:
    """Pages per line per site (test statistics: strings, for readability)."""

    def __init__(self, **options: Any) -> None:
        self.pages: Counter[tuple[str, str]] = Counter()
        self.sites: Counter[str] = Counter()

    def add(self, doc: CorpusDoc, sketch: frozenset[str]) -> None:
        self.sites[doc.site] += 1
        for line in sketch:
            self.pages[doc.site, line] += 1


def _lines(text: str, doc: CorpusDoc) -> frozenset[str]:
    return frozenset(line for line in text.split("\n") if line.strip())


def _on_every_page(text: str, doc: CorpusDoc, stats: LineCounts) -> CorpusVerdict:
    """Lines on every page of a site of 3 or more pages (test rule)."""
    n = stats.sites[doc.site]
    if n < 3:
        return NOTHING
    gone = tuple((i, f"on {n} of {n} pages of {doc.site}") for i, line in enumerate(text.split("\n"))
                 if line.strip() and stats.pages[doc.site, line] == n)
    return CorpusVerdict(remove=gone)


every_page = corpus_rule(
    "test/on-every-page", "Remove lines on every page of a site (test)", scan=_lines, statistics=LineCounts,
    examples=[
        CorpusExample((BODY + "Menu\n", BODY.replace("Tuesday", "Monday") + "Menu\n", "Other page text.\nMenu\n"),
                      (BODY, BODY.replace("Tuesday", "Monday"), "Other page text.\n"), sites=("a", "a", "a")),
        CorpusExample((BODY + "Menu\n", "Other page text.\nMenu\n"), sites=("a", "a"), note="two pages: no evidence"),
    ],
)(_on_every_page)


class Seen:
    def __init__(self, **options: Any) -> None:
        self.first: dict[str, str] = {}

    def add(self, doc: CorpusDoc, sketch: str) -> None:
        self.first.setdefault(sketch, doc.id)


def _copy_of_earlier(text: str, doc: CorpusDoc, stats: Seen) -> CorpusVerdict:
    """Drop a document whose text an earlier one had (test rule)."""
    first = stats.first.get(text.strip().lower(), doc.id)
    if first == doc.id:
        return NOTHING
    return CorpusVerdict(drop=f"exact duplicate of {first}", meta={"duplicate_of": first})


copies = corpus_rule(
    "test/copies", "Drop copies (test)", scan=lambda text, doc: text.strip().lower(), statistics=Seen,
    examples=[CorpusExample((BODY, BODY.upper()), (BODY, None)), CorpusExample((BODY, "Another text.\n"))],
)(_copy_of_earlier)


@rule("test/menu-to-nav", "Rename Menu lines (test)", examples=[Example("Menu\n", "Nav\n"), Example("x\n")])
def menu_to_nav(text: str) -> str:
    """Test rule that runs before the corpus rule."""
    return text.replace("Menu", "Nav")


def test_the_examples_are_small_corpora_and_are_checked():
    assert failing_example(every_page) is None and failing_example(copies) is None
    wrong = CorpusExample((BODY, "Another text.\n"), (BODY, None), note="claims a distinct text is a copy")
    broken = dataclasses.replace(copies, corpus_examples=(wrong, copies.corpus_examples[1]))
    assert "example corpus fails (claims a distinct text is a copy)" in failing_example(broken)


def test_a_corpus_rule_needs_examples_that_change_and_leave_alone():
    with pytest.raises(RuleError, match="example corpus it must leave alone"):
        corpus_rule("test/x", "x", scan=_lines, statistics=LineCounts,
                    examples=[CorpusExample((BODY, BODY), (BODY, None))])(_copy_of_earlier)


def test_lines_on_every_page_of_a_site_go_with_their_reason():
    corpus = corpus_of([BODY + "Menu\n", "Second page text here.\nMenu\n", "Third page.\nMenu\n", BODY + "Menu\n"],
                       ["x.org", "x.org", "x.org", "y.org"])
    outcomes = clean_corpus(Pipeline([every_page]), corpus)
    assert [o.text for o in outcomes] == [BODY, "Second page text here.\n", "Third page.\n", BODY + "Menu\n"]
    step = outcomes[0].steps[0]
    assert (step.rule, step.action, step.line, step.text, step.why) == (
        "test/on-every-page", "removed", 2, "Menu", "on 3 of 3 pages of x.org")


def test_the_text_judged_is_the_text_scanned_after_the_rules_before():
    """The scan sees 'Nav' (after test/menu-to-nav), as the judge does."""
    corpus = corpus_of([BODY + "Menu\n", "Second page.\nMenu\n", "Third page.\nMenu\n"], ["s"] * 3)
    pipeline = Pipeline([menu_to_nav, every_page])
    stats = scan_corpus(pipeline, corpus)
    assert stats["test/on-every-page"].pages["s", "Nav"] == 3 and stats["test/on-every-page"].pages["s", "Menu"] == 0
    assert [o.text for o in clean_corpus(pipeline, corpus)] == [BODY, "Second page.\n", "Third page.\n"]


def test_a_dropped_document_says_why_and_keeps_duplicate_of():
    outcomes = clean_corpus(Pipeline([copies]), corpus_of([BODY, "Other text.\n", BODY.upper()]))
    assert [o.status for o in outcomes] == ["ok", "ok", "dropped"]
    assert outcomes[2].reason == "exact duplicate of doc1" and outcomes[2].meta == {"duplicate_of": "doc1"}
    assert outcomes[2].steps[-1].to_dict() == {"rule": "test/copies", "action": "dropped", "chars_before": len(BODY),
                                               "chars_after": 0, "why": "exact duplicate of doc1"}


def test_a_document_dropped_by_one_corpus_rule_is_not_scanned_by_the_next():
    corpus = corpus_of([BODY + "Menu\n", BODY + "Menu\n", "Second.\nMenu\n", "Third.\nMenu\n"], ["s"] * 4)
    stats = scan_corpus(Pipeline([copies, every_page]), corpus)
    assert stats["test/on-every-page"].sites["s"] == 3


def test_one_text_alone_is_a_corpus_of_one():
    pipeline = Pipeline([menu_to_nav, copies, every_page])
    assert pipeline.clean(BODY + "Menu\n").text == BODY + "Nav\n"
    assert every_page(BODY + "Menu\n") == BODY + "Menu\n"  # a rule is callable on its own


def test_example_outputs_are_what_the_rule_alone_makes():
    assert example_outputs(copies, corpus_of([BODY, BODY])) == (BODY, None)


def test_rules_show_prints_a_corpus_rules_example_corpora():
    from typer.testing import CliRunner

    from cleaner.cli import app

    shown = CliRunner().invoke(app, ["rules", "show", "corpus/duplicates"])
    assert shown.exit_code == 0 and "a corpus of 3" in shown.output and "doc3 out: dropped" in shown.output
    as_json = CliRunner().invoke(app, ["rules", "show", "corpus/duplicates", "--json"])
    assert [c["outputs"][-1] for c in __import__("json").loads(as_json.output)["corpus_examples"]][0] is None
