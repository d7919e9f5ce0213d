"""Where the default text pipeline spends its time on text it has not seen before.

bench/speed.py cycles a pool of documents, so from the second cycle on a line may
already be remembered by the line screen and the pattern verdicts. A real corpus
repeats far less. This script cleans every document of the pool once (the seeds,
the golden files and the gold and naive texts of a benchmark folder; see
bench/corpus.py), after warming the pipeline up on one short text (pack load and
screen building are not throughput), and prints:

* the time spent in each stage (rule id, or ``line pass``), in the first engine
  pass and in the later ones (the idempotence check), without the profiler;
* the cProfile top functions, by internal and by cumulative time.

Usage:

    python bench/profile_text.py ../shared/bench [--top 25] [--reference]

``--reference`` profiles ``fast=False`` instead. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

from corpus import text_pool, warm_up  # bench/ is on sys.path when run as a script


def stage_times(clean, docs: list[str]) -> tuple[dict[tuple[int, str], float], float, int]:
    """Seconds per (engine pass, stage) over ``docs``, measured by wrapping the
    engine's stage call (a stage met again within one text is a later engine
    pass); the total wall time and how many documents ran a later pass."""
    from cleaner.core import engine

    seconds: dict[tuple[int, str], float] = defaultdict(float)
    original = engine._apply_stage
    seen: set[str] = set()
    later = 0

    def timed(stage, outcome, *args, **kwargs):
        nonlocal later
        name = "line pass" if stage[0].kind == "line" else stage[0].id
        number = 1 if name in seen else 0
        if number and "(later)" not in seen:
            seen.add("(later)")
            later += 1
        seen.add(name)
        started = time.process_time()
        try:
            return original(stage, outcome, *args, **kwargs)
        finally:
            seconds[(number, name)] += time.process_time() - started

    engine._apply_stage = timed
    try:
        started = time.process_time()
        for text in docs:
            seen.clear()
            clean(text)
        total = time.process_time() - started
    finally:
        engine._apply_stage = original
    return seconds, total, later


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, nargs="?", help="a folder in the layout of shared/bench")
    parser.add_argument("--top", type=int, default=25, help="profile lines to print (default 25)")
    parser.add_argument("--reference", action="store_true", help="profile fast=False instead")
    parser.add_argument("--no-profile", action="store_true", help="stage times only")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from cleaner import Pipeline, default_pipeline

    pipeline = default_pipeline()
    if args.reference:
        pipeline = Pipeline(pipeline.rules, pipeline.name, pipeline.sha256, fast=False)
    pool = text_pool(args.bench_dir)
    size = sum(len(t.encode()) for t in pool)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {len(pool)} documents, {size / 1e6:.1f} MB, each cleaned once")

    # one process does one of the two (stage times, or the profile), so that each
    # meets every line for the first time (the screens' memory is per process)
    warm_up(pipeline)  # every rule's examples, so that patterns compiled on first use are compiled
    if args.no_profile:
        seconds, total, later = stage_times(pipeline.clean, pool)
        print(f"\nwithout the profiler: {total:.2f} s of process time, {size / 1e6 / total:.2f} MB/s; "
              f"{later} of {len(pool)} documents ran a later engine pass")
        staged = sum(seconds.values())
        print(f"{'share':>7} {'seconds':>8}  pass  stage   (outside stages: {total - staged:.2f} s)")
        for (number, name), s in sorted(seconds.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"{100 * s / total:6.1f}% {s:8.3f}  {number + 1:>4}  {name}")
        return

    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    for text in pool:
        pipeline.clean(text)
    profile.disable()
    took = time.process_time() - started
    print(f"\nunder cProfile: {took:.2f} s ({size / 1e6 / took:.2f} MB/s profiled)")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        body = out.getvalue()
        print(f"\n--- by {order} ---")
        print(body[body.find("   ncalls"):].rstrip())


if __name__ == "__main__":
    sys.exit(main())
