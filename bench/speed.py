"""Single-core throughput of cleaner's default text pipeline against its peers.

Builds one corpus of real-looking text in memory (the seeds, the tests' golden files
and the gold and naive texts of a benchmark folder, cycled up to --mb megabytes of
UTF-8), pins the process to one core, and times on that same corpus:

* cleaner's default pipeline (``default_pipeline().clean``), with its exact fast
  paths, and the same pipeline in reference mode (``fast=False``);
* ``ftfy.fix_text`` with the configuration cleaner uses (encoding repair only);
* clean-text's ``clean()`` (defaults) and datatrove's ``FTFYFormatter``, when the
  ``bench`` extra is installed (each peer is skipped with a message otherwise);

then prints MB/s and the ratios between them. The HTML path (bench/speed_html.py):
the pages of every dev set (scrapinghub, readability, sites), in documents/s,
through ``trafilatura.extract`` without and with metadata and through cleaner as
``cleaner run`` does it by default, with ``--no-html-metadata`` and with
``--extractor resiliparse``, with the ratios issue 15 asks for. Last, start-up
(bench/startup.py): ``cleaner run seeds/ OUT`` against starting Python with the
libraries a text run needs, taking turns (``--skip startup`` leaves it out).

Usage:

    python bench/speed.py ../shared/bench --mb 100

The corpus pack's cost on HTML (issue 22), alone: ``cleaner run`` on a set's pages,
one folder per site, without and with ``--pack corpus`` in turns, and the ratio
(median and range); PYTHONPATH chooses the cleaner measured:

    python bench/speed.py --corpus-html ../shared/bench/sites/html --turns 3

The cost of filter packs (issue 24's target: gopher, c4 and fineweb together add
at most 30 % to the default pipeline): the default pipeline and the default plus
the packs take turns on the same corpus, --turns times, and the ratio is given
per turn with its median and range, then where the added time goes (each added
rule alone on the texts that reach it):

    python bench/speed.py ../shared/bench --mb 20 --packs gopher,c4,fineweb --turns 3

(add ``--process-time`` to time with the process's CPU time: on a busy shared machine
the wall-clock turns vary with the other processes' load)

The cost of some rules of the default pack (issue 24: language identification
must add at most 10 %), alone: the default pipeline with and without them, in
turns on the same corpus, --turns times, and the ratio (median and range):

    python bench/speed.py ../shared/bench --mb 15 --cost-of language/identify --turns 5

The contenders take turns: the corpus is cut into --rounds slices and every
contender cleans a slice before the next slice starts, so that a slow spell of a
shared machine falls on all of them alike and the ratios stay fair.

The corpus cycles its pool of documents (15.9 MB with shared/bench). cleaner
remembers the screening of up to ``cleaner.core.line_screen.MEMORY`` lines (32,768)
and pattern verdicts for 65,536 lines; the pool holds about 164,000 distinct lines,
so a line met again one cycle later has been forgotten. Compare --mb 15 and
--mb 100 to see it: the rates are alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Callable

from corpus import text_pool, warm_up  # bench/ is on sys.path when run as a script


def build_corpus(pool: list[str], megabytes: float) -> tuple[list[str], int]:
    """Documents cycled from the pool until they hold ``megabytes`` MB of UTF-8."""
    target, docs, size = megabytes * 1_000_000, [], 0
    while size < target:
        text = pool[len(docs) % len(pool)]
        docs.append(text)
        size += len(text.encode("utf-8"))
    return docs, size


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


#: the clock of :func:`timed`: wall time, or the process's CPU time with --process-time
CLOCK: Callable[[], float] = time.perf_counter


def timed(fn: Callable[[str], object], docs: list[str]) -> float:
    started = CLOCK()
    for text in docs:
        fn(text)
    return CLOCK() - started


def in_turns(contenders: dict[str, Callable[[str], object]], docs: list[str], rounds: int) -> dict[str, float]:
    """Seconds each contender takes on ``docs``, measured in turns: the documents
    are cut into ``rounds`` slices and every contender cleans a slice before the
    next one starts, so that a slow spell of the machine falls on all of them.
    Each is warmed up on the first document first (first-call set-up such as
    building screens or lazy imports is not throughput)."""
    for fn in contenders.values():
        fn(docs[0])
    seconds = dict.fromkeys(contenders, 0.0)
    rounds = max(1, min(rounds, len(docs)))
    for k in range(rounds):
        piece = docs[k * len(docs) // rounds : (k + 1) * len(docs) // rounds]
        for name, fn in contenders.items():
            seconds[name] += timed(fn, piece)
    return seconds


def contenders() -> list[tuple[str, Callable[[str], object] | None, str]]:
    """(name, function, why skipped) for every text cleaner measured."""
    import ftfy

    from cleaner import Pipeline, default_pipeline
    from cleaner.rules.encoding import MOJIBAKE_CONFIG

    pipeline = default_pipeline()
    warm_up(pipeline)  # patterns compile on first use: all of them before the timing
    reference = Pipeline(pipeline.rules, pipeline.name, pipeline.sha256, fast=False)
    out: list[tuple[str, Callable[[str], object] | None, str]] = [
        ("cleaner default pipeline", pipeline.clean, ""),
        ("cleaner reference mode (fast=False)", reference.clean, ""),
        ("ftfy.fix_text (cleaner's config)", lambda t: ftfy.fix_text(t, MOJIBAKE_CONFIG), ""),
    ]
    try:
        from cleantext import clean as clean_text

        out.append(("clean-text clean()", clean_text, ""))
    except ImportError as exc:
        out.append(("clean-text clean()", None, f"not installed ({exc}); pip install 'cleaner[bench]'"))
    try:
        from datatrove.pipeline.formatters import FTFYFormatter

        out.append(("datatrove FTFYFormatter", FTFYFormatter().format, ""))
    except ImportError as exc:
        out.append(("datatrove FTFYFormatter", None, f"not installed ({exc}); pip install 'cleaner[bench]'"))
    return out


def packs_cost(bench_dir: Path | None, packs: list[str], megabytes: float, rounds: int, turns: int) -> list[float]:
    """Print the default pipeline's seconds against the default plus ``packs``,
    turn by turn, the ratio's median and range, and the seconds of each rule the
    packs add, alone, on the texts that reach it. Returns the ratios."""
    from cleaner import default_pipeline
    from cleaner.core.engine import apply_rules
    from cleaner.loading.pack import load_pack
    from speed_html import spread

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores ({pin_one_core()}), "
          f"Python {platform.python_version()}")
    pool = text_pool(bench_dir)
    docs, size = build_corpus(pool, megabytes)
    print(f"corpus: {len(docs)} documents, {size / 1e6:.1f} MB")
    base, packed = default_pipeline(), load_pack(packs)
    for p in (base, packed):
        warm_up(p)
    contenders = {"default": base.clean, "default + " + "+".join(packs): packed.clean}
    ratios = []
    for turn in range(1, turns + 1):
        seconds = in_turns(contenders, docs, rounds)
        a, b = seconds.values()
        ratios.append(b / a)
        print(f"turn {turn}: default {a:.2f}s ({size / 1e6 / a:.2f} MB/s), with packs {b:.2f}s: {b / a:.3f}x")
    print(f"ratio: {spread(ratios)}")
    # where the added time goes: each added rule alone, on the texts as they reach it
    known = {r.id for r in base.rules}
    added = [r for r in packed.rules if r.id not in known]
    inputs = [apply_rules(base.rules, t).text for t in pool]  # the cleaned texts the filters judge
    default_s = timed(base.clean, pool)
    print(f"\nadded rules alone, on the pool's cleaned texts (default pipeline on the pool: {default_s:.2f}s):")
    from cleaner.rules import _measures

    for r in added:
        if r.kind == "line":
            fn = lambda t, r=r: apply_rules([r], t)  # noqa: E731
        else:
            fn = lambda t, r=r: r.fn(t, {}, **r.options) if r.kind == "filter" else r.fn(t, **r.options)  # noqa: E731
        _measures._LAST.clear()
        spent = timed(lambda t: (_measures._LAST.clear(), fn(t)), inputs)
        print(f"  {r.id:<20} {spent:6.2f}s  {spent / default_s:6.1%} of the default (its own analysis of each text)")
    filters = [r for r in added if r.kind == "filter"]
    together = timed(lambda t: [_measures._LAST.clear()] + [r.fn(t, {}, **r.options) for r in filters], inputs)
    print(f"  {'all filters':<20} {together:6.2f}s  {together / default_s:6.1%} of the default (one analysis shared)")
    return ratios

def rule_cost(rule_ids: list[str], bench_dir: Path | None, mb: float, rounds: int, turns: int, pinned: str) -> None:
    """The default pipeline with ``rule_ids`` (those it lacks added, as a pack's
    ``add`` would) against the same pipeline without them, on the same corpus,
    ``turns`` times; prints each turn's ratio and their median and range.

    Both pipelines are built of the same rule objects, so they share the caches
    keyed by rules (the line screen's memory of lines it has judged); the two take
    turns on slices of the corpus and the one that goes first alternates from slice
    to slice (the first to meet a slice fills those caches for the other)."""
    import statistics

    from cleaner import Pipeline, load_pack

    full = load_pack(enable=rule_ids)
    base = Pipeline([r for r in full.rules if r.id not in rule_ids], "without", "")
    for pipeline in (base, full):
        warm_up(pipeline)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores ({pinned}), "
          f"Python {platform.python_version()}")
    docs, size = build_corpus(text_pool(bench_dir), mb)
    print(f"corpus: {len(docs)} documents, {size / 1e6:.1f} MB; with: {', '.join(rule_ids)} "
          f"({len(full.rules)} steps against {len(base.rules)})")
    ratios = []
    rounds = max(1, min(rounds, len(docs)))
    for turn in range(1, turns + 1):
        seconds = {"without": 0.0, "with": 0.0}
        for k in range(rounds):
            piece = docs[k * len(docs) // rounds : (k + 1) * len(docs) // rounds]
            order = [("without", base.clean), ("with", full.clean)]
            for name, fn in order if (k + turn) % 2 else order[::-1]:
                seconds[name] += timed(fn, piece)
        ratios.append(seconds["with"] / seconds["without"])
        print(f"  turn {turn}: without {seconds['without']:.2f}s, with {seconds['with']:.2f}s, "
              f"ratio {ratios[-1]:.3f}", flush=True)
    print(f"with / without: median {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f}, "
          f"{turns} turns)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, nargs="?", help="a folder in the layout of shared/bench")
    parser.add_argument("--mb", type=float, default=100, help="corpus size in MB of UTF-8 text (default 100)")
    parser.add_argument("--html-pages", type=int, default=0, help="pages of each dev set for the HTML path (0: all)")
    parser.add_argument("--rounds", type=int, default=10, help="slices the contenders take turns on (default 10)")
    parser.add_argument("--skip", default="", help="comma-separated name prefixes to leave out, e.g. 'clean-text,cleaner reference'")
    parser.add_argument("--corpus-html", type=Path, metavar="DIR",
                        help="only the corpus pack's cost on HTML (issue 22): `cleaner run` on the pages of DIR "
                        "(e.g. ../shared/bench/sites/html, grouped by site as gold.jsonl beside it says) without "
                        "and with --pack corpus, side by side, as a ratio; nothing else is measured")
    parser.add_argument("--turns", type=int, default=3, help="turns of --corpus-html (default 3)")
    parser.add_argument("--jobs", type=int, default=1, help="--jobs of the runs of --corpus-html (default 1)")
    parser.add_argument("--cost-of", default="", metavar="RULES",
                        help="only the cost of these comma-separated rules of the default pack (or rules to add to "
                        "it): the default pipeline with and without them, in turns, --turns times; nothing else is measured")
    parser.add_argument("--startup-turns", type=int, default=7, help="turns of the start-up comparison (default 7; "
                        "--skip startup leaves it out)")
    parser.add_argument("--packs", metavar="A,B", help="only the cost of these packs: the default pipeline "
                        "against the default plus the packs, in turns, --turns times, as a ratio; then each added "
                        "rule's share (e.g. gopher,c4,fineweb)")
    parser.add_argument("--process-time", action="store_true", help="time with the process's CPU time, not wall "
                        "time: on a shared machine other processes' load then slows the turns less unevenly")
    args = parser.parse_args()
    if args.process_time:
        global CLOCK
        CLOCK = time.process_time
    if args.packs:
        packs_cost(args.bench_dir, [p.strip() for p in args.packs.split(",") if p.strip()], args.mb, args.rounds,
                   args.turns)
        return
    if args.corpus_html:
        import speed_html  # bench/ is on sys.path when run as a script

        speed_html.corpus_cost(args.corpus_html, args.turns, args.jobs)
        return

    pinned = pin_one_core()
    if args.cost_of:
        rule_cost([r.strip() for r in args.cost_of.split(",") if r.strip()], args.bench_dir, args.mb, args.rounds,
                  args.turns, pinned)
        return
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores ({pinned}), "
          f"Python {platform.python_version()}, {platform.system()}")
    pool = text_pool(args.bench_dir)
    docs, size = build_corpus(pool, args.mb)
    print(f"corpus: {len(docs)} documents, {size / 1e6:.1f} MB (pool of {len(pool)} documents, "
          f"{sum(len(t.encode()) for t in pool) / 1e6:.1f} MB)")

    skip = [s.strip() for s in args.skip.split(",") if s.strip()]
    measured: dict[str, Callable[[str], object]] = {}
    print(f"\n{'text':<34} {'seconds':>9} {'MB/s':>8}")
    for name, fn, why in contenders():
        if fn is None:
            print(f"{name:<34} skipped: {why}")
        elif any(name.startswith(s) for s in skip):
            print(f"{name:<34} skipped: --skip")
        else:
            measured[name] = fn
    seconds = in_turns(measured, docs, args.rounds)
    rates = {name: size / 1e6 / s for name, s in seconds.items()}
    for name in measured:
        print(f"{name:<34} {seconds[name]:9.1f} {rates[name]:8.2f}", flush=True)

    main_name = "cleaner default pipeline"
    if main_name in rates:
        print("\nratios (cleaner default pipeline / other):")
        for name, rate in rates.items():
            if name != main_name:
                print(f"  vs {name:<32} {rates[main_name] / rate:6.2f}x")

    if args.bench_dir:
        import speed_html  # bench/ is on sys.path when run as a script

        speed_html.run(args.bench_dir, args.html_pages, args.rounds)

    if not any("startup".startswith(s) for s in skip):
        import startup  # bench/ is on sys.path when run as a script

        print("\nstart-up (bench/startup.py; not pinned: the run's workers need the other core):")
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, range(os.cpu_count() or 1))
        for line in startup.report(startup.startup_figures(args.startup_turns)):
            print(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
