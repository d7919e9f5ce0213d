"""Instructions, not seconds: cleaner's default pipeline against ftfy.fix_text,
counted by valgrind's callgrind.

Wall and process time on a shared machine drift by a third between runs of the
same code; an instruction count does not (same binary, same input, same count).
For each of the two contenders this runs two processes under callgrind (all four at
once, one per core): one that only sets up (reads the corpus, loads the pack or imports ftfy, cleans one line)
and one that also cleans the corpus; the difference is the cleaning. It prints the
counts and the ratio ftfy / cleaner (above 1: cleaner needs fewer instructions).

cleaner keeps its pattern readings in a cache folder between runs
(cleaner/core/disk_cache.py). The counted processes share one that a plain run fills
first, so they all start alike; one more set-up process, with an empty folder, shows
what the first run on a machine costs.

Usage (needs valgrind; about 50 times slower than a plain run, so keep --mb small):

    python bench/instructions.py ../shared/bench --mb 1
    python bench/instructions.py ../shared/bench --mb 1 --packs   # issue 24: packs / default

The corpus is the same pool as bench/speed.py's, shuffled with seed 5 and cut after
--mb megabytes. Instructions are a proxy: a cache miss or a slow system call costs
more than its count says, so bench/speed.py stays the measure of MB/s.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from corpus import text_pool, warm_up  # bench/ is on sys.path when run as a script

CONTENDERS = ("cleaner", "ftfy", "packs")  # packs: the default pipeline plus gopher, c4 and fineweb (--packs)


def sample(bench_dir: Path | None, megabytes: float) -> tuple[list[str], int]:
    pool = text_pool(bench_dir)
    random.Random(5).shuffle(pool)
    docs, size = [], 0
    for text in pool:
        docs.append(text)
        size += len(text.encode("utf-8"))
        if size > megabytes * 1e6:
            break
    return docs, size


def contender(name: str):
    if name in ("cleaner", "packs"):
        from cleaner import default_pipeline
        from cleaner.loading.pack import load_pack

        pipeline = default_pipeline() if name == "cleaner" else load_pack(["gopher", "c4", "fineweb"])
        warm_up(pipeline)
        return pipeline.clean
    import ftfy

    from cleaner.rules.encoding import MOJIBAKE_CONFIG

    return lambda text: ftfy.fix_text(text, MOJIBAKE_CONFIG)


def child(name: str, bench_dir: Path | None, megabytes: float, clean: bool) -> None:
    """What runs under callgrind: set up, and clean the sample when ``clean``."""
    docs, _ = sample(bench_dir, megabytes)
    fn = contender(name)
    fn("warm up\n")
    if clean:
        for text in docs:
            fn(text)


def child_command(name: str, bench_dir: Path | None, megabytes: float, clean: bool) -> list[str]:
    command = [sys.executable, __file__, "--child", name, "--mb", str(megabytes)]
    command += [str(bench_dir)] if bench_dir else []
    return command + ([] if clean else ["--setup-only"])


def counted(name: str, bench_dir: Path | None, megabytes: float, clean: bool, cache: Path) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *child_command(name, bench_dir, megabytes, clean)],
        capture_output=True, text=True, check=True,
        # the same set and dict orders in every run; the given cache folder
        env={**os.environ, "PYTHONHASHSEED": "0", "CLEANER_CACHE_DIR": str(cache)},
    )
    m = re.search(r"Collected : (\d+)", done.stderr)
    if m is None:
        raise SystemExit(f"no instruction count in callgrind's output:\n{done.stderr[-2000:]}")
    return int(m.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, nargs="?", help="a folder in the layout of shared/bench")
    parser.add_argument("--mb", type=float, default=1.0, help="sample size in MB of UTF-8 text (default 1)")
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--packs", action="store_true", help="instead of ftfy: the default pipeline plus the "
                        "gopher, c4 and fineweb packs against the default pipeline (issue 24's cost, counted)")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.bench_dir, args.mb, clean=not args.setup_only)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")

    _, size = sample(args.bench_dir, args.mb)
    print(f"sample: {size / 1e6:.2f} MB; counting with callgrind (slow)...", flush=True)
    with tempfile.TemporaryDirectory() as warm, tempfile.TemporaryDirectory() as empty:
        filling = child_command("cleaner", args.bench_dir, 0.001, clean=False)
        subprocess.run(filling, check=True, env={**os.environ, "CLEANER_CACHE_DIR": warm})
        names = ("cleaner", "packs") if args.packs else ("cleaner", "ftfy")
        runs = [(name, clean, warm) for name in names for clean in (False, True)]
        runs += [] if args.packs else [("cleaner", False, empty)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # counts do not depend on load
            found = pool.map(lambda run: counted(run[0], args.bench_dir, args.mb, run[1], Path(run[2])), runs)
            counts = {(name, clean, cache == warm): n for (name, clean, cache), n in zip(runs, found)}
    cleaning = {}
    for name in names:
        setup, total = counts[(name, False, True)], counts[(name, True, True)]
        cleaning[name] = total - setup
        print(f"{name:<8} set-up {setup / 1e9:7.2f} G   cleaning {cleaning[name] / 1e9:7.2f} G instructions "
              f"({cleaning[name] / size:,.0f} per byte)", flush=True)
    if args.packs:
        print(f"packs / default: {cleaning['packs'] / cleaning['cleaner']:.3f}x (issue 24's target: at most 1.3x)")
        return
    print(f"cleaner  set-up with an empty cache folder (a machine's first run): {counts[('cleaner', False, False)] / 1e9:.2f} G")
    print(f"ftfy / cleaner: {cleaning['ftfy'] / cleaning['cleaner']:.2f}x (above 1: cleaner needs fewer)")


if __name__ == "__main__":
    sys.exit(main())
