"""Leave-one-dataset-out: choose a setting on three dev sets, report it on the fourth.

Every threshold, weight or switch of the project is fitted this way (issue 22, Method).
The caller computes, for each candidate setting (a point of a grid of named parameter
values, :func:`grid`), a score per page of each dataset, and caches them
(:func:`cached_scores`); :func:`leave_one_out` then, for each dataset in turn, picks
the candidate that scores best on the other datasets and reports its score on the one
left out, beside the in-sample figure (the candidate picked on all datasets, scored
on the same one) and the best any candidate reaches on that dataset alone (a ceiling,
not a result). :func:`print_report` prints them side by side with the worst left-out
figure, the one to compare methods by: prefer the method whose worst left-out figure
is best (:func:`print_comparison`).

Fitting on several datasets: each dataset's mean page score counts once
(``weighting="datasets"``, the default, so that a large set does not outvote the
others), or every page counts once (``weighting="pages"``). Ties go to the candidate
listed first, so the result does not depend on dictionary order elsewhere.

The worked example chooses trafilatura's settings (``include_comments`` on or off, and
its precision/recall focus) from the dev sets, scored by bag-of-words F1 as in
bench/quality.py, its texts computed and cached by bench/trafilatura_runs.py:

    python bench/lodo.py ../shared/bench/scrapinghub ../shared/bench/readability \\
        ../shared/bench/sites ../shared/bench/news-sites

``--scores FILE.json`` runs on scores computed elsewhere: ``{"candidates": {name:
{param: value}}, "scores": {name: {dataset: {page: score}}}}``. ``--runs`` takes
bench/quality.py runs as the candidates, one ``--page-scores`` file each (a run per
setting, ``--set RULE:KEY=VALUE``), and compares them on one of its rows:

    python bench/quality.py DATASETS... --set page/main-text:KEY=0.3 --page-scores /tmp/a.json
    python bench/quality.py DATASETS... --set page/main-text:KEY=0.5 --page-scores /tmp/b.json
    python bench/lodo.py --runs low=/tmp/a.json high=/tmp/b.json --row "HTML: cleaner --pack corpus"

``--rows FILE.json ROW ROW...`` takes the rows of one such file as the candidates, e.g.
which extractor to choose, the choice made on three sets and scored on the fourth:

    python bench/lodo.py --rows /tmp/a.json "HTML: cleaner" "HTML: cleaner --extractor resiliparse"
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from statistics import mean
from typing import Any, Callable, Mapping, NamedTuple, Sequence

#: candidate -> dataset -> page -> score
Scores = Mapping[str, Mapping[str, Mapping[str, float]]]


def grid(**axes: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """Every combination of the named values, by name: ``grid(a=[1, 2], b=["x"])`` ->
    ``{"a=1, b=x": {"a": 1, "b": "x"}, "a=2, b=x": {...}}``, in the axes' order."""
    names = list(axes)
    return {", ".join(f"{n}={v}" for n, v in zip(names, values)): dict(zip(names, values))
            for values in itertools.product(*(axes[n] for n in names))}


def check(scores: Scores) -> list[str]:
    """The datasets, in order; every candidate must score the same pages of each."""
    if not scores:
        raise ValueError("no candidates")
    first = next(iter(scores.values()))
    datasets = list(first)
    for name, by_set in scores.items():
        if list(by_set) != datasets:
            raise ValueError(f"{name}: datasets {list(by_set)}, expected {datasets}")
        for d in datasets:
            if set(by_set[d]) != set(first[d]):
                raise ValueError(f"{name}: other pages of {d} than the first candidate's")
            if not by_set[d]:
                raise ValueError(f"{name}: no pages of {d}")
    return datasets


def fit_score(by_set: Mapping[str, Mapping[str, float]], datasets: Sequence[str],
              weighting: str = "datasets") -> float:
    """One candidate's score on ``datasets``: the mean of their page means, or of all pages."""
    if weighting == "datasets":
        return mean(mean(by_set[d].values()) for d in datasets)
    if weighting == "pages":
        return mean(v for d in datasets for v in by_set[d].values())
    raise ValueError(f"weighting: 'datasets' or 'pages', not {weighting!r}")


def choose(scores: Scores, datasets: Sequence[str], weighting: str = "datasets") -> str:
    """The candidate that scores best on ``datasets`` (the first listed on a tie)."""
    best, best_score = "", float("-inf")
    for name, by_set in scores.items():
        s = fit_score(by_set, datasets, weighting)
        if s > best_score:
            best, best_score = name, s
    return best


class Fold(NamedTuple):
    """One dataset left out: the candidate chosen on the others and its score there;
    the in-sample figure (the candidate chosen on all datasets, on this one); the best
    candidate on this dataset alone and its score."""

    left_out: str
    chosen: str
    left_out_score: float
    in_sample: float
    best_alone: str
    best_alone_score: float


class Report(NamedTuple):
    chosen_on_all: str
    folds: list[Fold]

    @property
    def worst_left_out(self) -> Fold:
        return min(self.folds, key=lambda f: f.left_out_score)

    @property
    def mean_left_out(self) -> float:
        return mean(f.left_out_score for f in self.folds)

    @property
    def mean_in_sample(self) -> float:
        return mean(f.in_sample for f in self.folds)


def leave_one_out(scores: Scores, weighting: str = "datasets") -> Report:
    """For each dataset: choose on the others (:func:`choose`), score on it."""
    datasets = check(scores)
    if len(datasets) < 2:
        raise ValueError("leave-one-dataset-out needs two datasets or more")
    on_all = choose(scores, datasets, weighting)
    folds = []
    for d in datasets:
        chosen = choose(scores, [o for o in datasets if o != d], weighting)
        alone = choose(scores, [d], weighting)
        folds.append(Fold(d, chosen, mean(scores[chosen][d].values()), mean(scores[on_all][d].values()),
                          alone, mean(scores[alone][d].values())))
    return Report(on_all, folds)


def print_report(report: Report, title: str = "") -> None:
    """The folds as a Markdown table, then the worst and mean left-out figures."""
    if title:
        print(f"\n{title}\n")
    print(f"| left out | chosen on the other sets | left out | in-sample ({report.chosen_on_all}) "
          "| best on this set alone |")
    print("|---|---|---|---|---|")
    for f in report.folds:
        print(f"| {f.left_out} | {f.chosen} | {f.left_out_score:.3f} | {f.in_sample:.3f} "
              f"| {f.best_alone_score:.3f} ({f.best_alone}) |")
    worst = report.worst_left_out
    print(f"\nworst left-out: {worst.left_out_score:.3f} ({worst.left_out}); mean left-out "
          f"{report.mean_left_out:.3f}, in-sample {report.mean_in_sample:.3f}")


def print_comparison(reports: Mapping[str, Report]) -> str:
    """The methods by worst left-out figure, best first (on a tie, the one listed
    first: list the simpler method first); returns the preferred one."""
    ranked = sorted(reports.items(), key=lambda kv: -round(kv[1].worst_left_out.left_out_score, 9))
    print("\n| method | worst left-out | mean left-out | mean in-sample |")
    print("|---|---|---|---|")
    for name, r in ranked:
        w = r.worst_left_out
        print(f"| {name} | {w.left_out_score:.3f} ({w.left_out}) | {r.mean_left_out:.3f} "
              f"| {r.mean_in_sample:.3f} |")
    tie = len(ranked) > 1 and round(ranked[0][1].worst_left_out.left_out_score, 9) == round(
        ranked[1][1].worst_left_out.left_out_score, 9)
    how = "; a tie, the one listed first" if tie else ""
    print(f"\npreferred (best worst left-out{how}): {ranked[0][0]}")
    return ranked[0][0]


def cached_scores(path: Path, compute: Callable[[], dict[str, dict[str, dict[str, float]]]]) -> Scores:
    """Scores from ``path`` if it exists, else ``compute()``, written there first."""
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    scores = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(scores, sort_keys=True), encoding="utf-8")
    return scores


# the worked example: trafilatura's settings, chosen on the dev sets
COMMENTS = {True: "", False: "comments-off"}
FOCUS = {"balanced": "", "precision": "precision", "recall": "recall"}


def trafilatura_setting(params: Mapping[str, Any]) -> str:
    """A grid point's name in bench/trafilatura_runs.SETTINGS."""
    parts = [p for p in (FOCUS[params.get("focus", "balanced")], COMMENTS[params["include_comments"]]) if p]
    return ", ".join(parts) or "default"


def trafilatura_scores(folders: Sequence[Path], candidates: Mapping[str, Mapping[str, Any]],
                       jobs: int = 1) -> dict[str, dict[str, dict[str, float]]]:
    """Per-page F1 of trafilatura at each candidate setting, on each dataset."""
    from quality import prf, read_jsonl
    from trafilatura_runs import texts

    settings = {name: trafilatura_setting(params) for name, params in candidates.items()}
    scores: dict[str, dict[str, dict[str, float]]] = {name: {} for name in candidates}
    for folder in folders:
        gold = read_jsonl(folder / "gold.jsonl")
        outputs = texts(folder, sorted(set(settings.values())), jobs=jobs)
        for name, setting in settings.items():
            scores[name][folder.name] = {page: prf(outputs[setting].get(page, ""), g["text"])[2]
                                         for page, g in sorted(gold.items())}
    return scores


def quality_runs(runs: Sequence[str], row: str) -> dict[str, dict[str, dict[str, float]]]:
    """Candidates from bench/quality.py ``--page-scores`` files (``NAME=FILE``): each
    one's F1 per page on ``row``, per dataset. The file is after the last ``=``."""
    scores = {}
    for item in runs:
        name, sep, path = item.rpartition("=")  # at the last "=": a name may be "min_pages=3"
        if not sep:
            raise ValueError(f"--runs NAME=FILE, not {item!r}")
        rows = json.loads(Path(path).read_text(encoding="utf-8"))["rows"]
        if row not in rows:
            raise ValueError(f"{path}: no row {row!r} (rows: {', '.join(rows)})")
        scores[name] = rows[row]
    return scores


def quality_rows(path: Path, rows: Sequence[str]) -> dict[str, dict[str, dict[str, float]]]:
    """Candidates from the rows of one bench/quality.py ``--page-scores`` file: each
    row's F1 per page, per dataset, by the row's name."""
    found = json.loads(path.read_text(encoding="utf-8"))["rows"]
    missing = [row for row in rows if row not in found]
    if missing:
        raise ValueError(f"{path}: no row {', '.join(map(repr, missing))} (rows: {', '.join(found)})")
    return {row: found[row] for row in rows}


def example(folders: Sequence[Path], jobs: int) -> None:
    from trafilatura_runs import CACHE, _version

    full = grid(include_comments=[True, False], focus=["balanced", "precision", "recall"])
    key = "+".join(f.resolve().name for f in folders)
    scores = cached_scores(CACHE / f"lodo-trafilatura-{_version()}-{key}.json",
                           lambda: trafilatura_scores(folders, full, jobs))
    comments_only = {n: scores[n] for n, p in full.items() if p["focus"] == "balanced"}
    reports = {
        "include_comments on/off": leave_one_out(comments_only),
        "include_comments × focus": leave_one_out(scores),
    }
    for name, report in reports.items():
        print_report(report, f"trafilatura, {name} (bag-of-words F1, each set's mean counts once):")
    print_comparison(reports)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="*", type=Path, help="dataset folders for the worked example")
    parser.add_argument("--scores", type=Path, help="candidates' scores, JSON (see above)")
    parser.add_argument("--runs", nargs="+", metavar="NAME=FILE", help="bench/quality.py --page-scores files")
    parser.add_argument("--rows", nargs="+", metavar="FILE_THEN_ROWS",
                        help="a bench/quality.py --page-scores file, then two or more of its rows: the candidates")
    parser.add_argument("--row", default="HTML: cleaner --pack corpus", help="the quality.py row --runs compares")
    parser.add_argument("--weighting", choices=["datasets", "pages"], default="datasets")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    if args.scores:
        data = json.loads(args.scores.read_text(encoding="utf-8"))
        print_report(leave_one_out(data["scores"], args.weighting))
    elif args.rows:
        if len(args.rows) < 3:
            parser.error("--rows FILE.json ROW ROW ...: a file and two rows at least")
        print_report(leave_one_out(quality_rows(Path(args.rows[0]), args.rows[1:]), args.weighting),
                     "rows of one run, as candidates:")
    elif args.runs:
        print_report(leave_one_out(quality_runs(args.runs, args.row), args.weighting), f"{args.row}:")
    elif args.datasets:
        example(args.datasets, args.jobs)
    else:
        parser.error("give dataset folders (the worked example), --scores FILE.json, "
                     "--runs NAME=FILE ... or --rows FILE.json ROW ROW ...")


if __name__ == "__main__":
    main()
