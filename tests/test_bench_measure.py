"""The measurement tooling of bench/ that decisions rest on (issue 22): the
leave-one-dataset-out helper and the corpus mode's duplicates measured apart.

Synthetic scores and documents only: nothing here reads the benchmark datasets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import corpus_quality  # noqa: E402
import lodo  # noqa: E402

STORY = (
    "The council approved the new budget on Tuesday after a long debate about school funding.\n\n"
    "Teachers had asked for more money for classrooms, and the mayor said the city would hire forty "
    "more.\n\n"
    "The vote was seven to two, and the new budget takes effect in July after a final reading next "
    "month.\n"
)
OTHER = (
    "Heavy rain closed three roads in the valley on Sunday, and the river rose above its banks near "
    "the old mill.\n\n"
    "Emergency crews moved families from twelve houses, and the weather service expects more rain "
    "on Monday.\n"
)


def test_grid_names_every_combination_in_order():
    g = lodo.grid(include_comments=[True, False], focus=["balanced", "precision"])
    assert list(g) == [
        "include_comments=True, focus=balanced", "include_comments=True, focus=precision",
        "include_comments=False, focus=balanced", "include_comments=False, focus=precision",
    ]
    assert g["include_comments=False, focus=precision"] == {"include_comments": False, "focus": "precision"}


def _scores(table: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, dict[str, float]]]:
    return {c: {d: {f"p{i}": v for i, v in enumerate(vals)} for d, vals in by.items()}
            for c, by in table.items()}


def test_a_setting_that_wins_only_on_one_set_is_not_chosen_when_that_set_is_left_out():
    # "special" wins on a (by far) and so in-sample; left out, a is scored with "steady"
    scores = _scores({
        "steady": {"a": [0.6, 0.6], "b": [0.8, 0.8], "c": [0.8, 0.8]},
        "special": {"a": [1.0, 1.0], "b": [0.7, 0.7], "c": [0.75, 0.75]},
    })
    report = lodo.leave_one_out(scores)
    assert report.chosen_on_all == "special"
    fold = {f.left_out: f for f in report.folds}
    assert fold["a"].chosen == "steady"
    assert fold["a"].left_out_score == pytest.approx(0.6)
    assert fold["a"].in_sample == pytest.approx(1.0)
    assert fold["a"].best_alone == "special"
    # leaving b or c out, "special" still wins on the other two
    assert fold["b"].chosen == "special" and fold["b"].left_out_score == pytest.approx(0.7)
    assert report.worst_left_out.left_out == "a"


def test_datasets_count_once_unless_pages_are_asked_for():
    # "big" wins on the large set, "small" on the two small ones by more
    scores = _scores({
        "big": {"large": [0.9] * 10, "s1": [0.5], "s2": [0.5]},
        "small": {"large": [0.8] * 10, "s1": [0.7], "s2": [0.7]},
    })
    assert lodo.choose(scores, ["large", "s1", "s2"]) == "small"
    assert lodo.choose(scores, ["large", "s1", "s2"], weighting="pages") == "big"


def test_a_tie_goes_to_the_candidate_listed_first():
    scores = _scores({"first": {"a": [0.5], "b": [0.5]}, "second": {"a": [0.5], "b": [0.5]}})
    assert lodo.choose(scores, ["a", "b"]) == "first"
    reordered = {"second": scores["second"], "first": scores["first"]}
    assert lodo.choose(reordered, ["a", "b"]) == "second"


def test_candidates_scored_on_other_pages_are_refused():
    scores = _scores({"x": {"a": [0.5, 0.5], "b": [0.5]}, "y": {"a": [0.5], "b": [0.5]}})
    with pytest.raises(ValueError, match="other pages"):
        lodo.leave_one_out(scores)


def test_the_method_with_the_best_worst_left_out_figure_is_preferred(capsys):
    good = lodo.leave_one_out(_scores({"x": {"a": [0.7], "b": [0.7]}, "y": {"a": [0.6], "b": [0.6]}}))
    bad = lodo.leave_one_out(_scores({"x": {"a": [0.9], "b": [0.2]}, "y": {"a": [0.1], "b": [0.3]}}))
    assert lodo.print_comparison({"bad": bad, "good": good}) == "good"
    assert "preferred (best worst left-out): good" in capsys.readouterr().out
    assert lodo.print_comparison({"simple": good, "same": good}) == "simple"


def test_cached_scores_are_computed_once(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return _scores({"x": {"a": [0.5]}})

    path = tmp_path / "scores.json"
    first = lodo.cached_scores(path, compute)
    again = lodo.cached_scores(path, compute)
    assert first == again and len(calls) == 1


def test_rows_of_one_run_are_candidates_and_a_missing_row_is_named(tmp_path):
    rows = {"HTML: cleaner": {"a": {"p1": 0.9}, "b": {"p2": 0.5}},
            "HTML: cleaner --extractor resiliparse": {"a": {"p1": 0.8}, "b": {"p2": 0.7}}}
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"rows": rows}), encoding="utf-8")
    candidates = lodo.quality_rows(path, list(rows))
    report = lodo.leave_one_out(candidates)
    # left out a, chosen on b: resiliparse (0.7 > 0.5) scores 0.8 on a
    assert [(f.left_out, f.chosen, f.left_out_score) for f in report.folds] == [
        ("a", "HTML: cleaner --extractor resiliparse", 0.8), ("b", "HTML: cleaner", 0.5)]
    with pytest.raises(ValueError, match="no row 'HTML: nothing'"):
        lodo.quality_rows(path, ["HTML: cleaner", "HTML: nothing"])


def _corpus_run(texts: list[str]) -> list[corpus_quality.PageResult]:
    from cleaner.corpus.model import CorpusDoc

    corpus = [(CorpusDoc(f"p{i}", i, "example.org"), t) for i, t in enumerate(texts)]
    return corpus_quality.clean_as_corpus(("corpus",), dict(corpus_quality.MARK), corpus)


def test_a_marked_copy_keeps_its_own_text_and_is_listed_with_the_rules_jaccard():
    edited = STORY.replace("forty", "fifty")
    results = _corpus_run([STORY, OTHER, edited, STORY])
    scored = corpus_quality.scored_texts(results)
    assert "fifty" in scored["p2"] and "forty" not in scored["p2"]  # its own text, not the kept copy's
    found = {d.page: d for d in corpus_quality.duplicates_found(results)}
    assert set(found) == {"p2", "p3"}
    assert found["p2"].kept == "p0" and found["p2"].kind == "near" and 0.5 < found["p2"].jaccard < 1
    assert found["p3"].kind == "exact" and found["p3"].jaccard is None
    assert not any(r.dropped for r in results)


def test_do_no_harm_counts_every_marked_gold_text():
    texts = [STORY, OTHER, STORY]
    found = corpus_quality.harm(_corpus_run(texts), {f"p{i}": t for i, t in enumerate(texts)})
    assert found.dropped == 0
    assert found.total == sum(len(t.split()) for t in texts)


def test_a_dropped_copy_is_scored_with_the_kept_text_when_not_marked():
    from cleaner.corpus.model import CorpusDoc

    corpus = [(CorpusDoc(f"p{i}", i, "example.org"), t) for i, t in enumerate([STORY, OTHER, STORY])]
    results = corpus_quality.clean_as_corpus(("corpus",), {}, corpus)
    assert results[2].dropped and results[2].text == ""
    assert corpus_quality.scored_texts(results)["p2"] == results[0].text


def test_a_candidate_setting_reaches_every_pipeline_and_keeps_the_plain_headings():
    import quality

    options = quality.merged(quality.PLAIN, quality.parse_set("corpus/site-template:min_pages=5"),
                             quality.parse_set("headings/normalise:style=plain"))
    assert options == {"headings/normalise": {"style": "plain"}, "corpus/site-template": {"min_pages": 5}}
    assert quality.merged(options, corpus_quality.MARK)["corpus/duplicates"] == {"mark": True}


def test_quality_runs_become_candidates_on_one_row(tmp_path):
    for name, value in (("low", 0.5), ("high", 0.7)):
        rows = {"HTML: cleaner": {"a": {"p": value}, "b": {"p": value}}}
        (tmp_path / f"{name}.json").write_text(json.dumps({"options": {}, "rows": rows}))
    runs = [f"k=low={tmp_path / 'low.json'}", f"k=high={tmp_path / 'high.json'}"]
    report = lodo.leave_one_out(lodo.quality_runs(runs, "HTML: cleaner"))
    assert report.chosen_on_all == "k=high"
    with pytest.raises(ValueError, match="no row"):
        lodo.quality_runs(runs, "HTML: nothing")
