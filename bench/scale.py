"""Throughput, scaling and memory of `cleaner run` on corpora of a chosen size.

Builds JSONL corpora from real-looking text (the seeds, the tests' golden files and,
with --bench-dir, the gold and naive texts of a benchmark folder), then runs the
installed `cleaner` command on them in subprocesses and prints, in one invocation:

* scaling: the same corpus with --jobs 1 and --jobs N (documents/s, MB/s, speed-up);
* memory: peak resident memory of the whole process tree (main + workers, sampled
  every 0.1 s with psutil) on corpora of growing size, to show it stays flat;
* the HTML path: pages of <bench-dir>/scrapinghub/html with --jobs 1 and N.

Usage (needs the `bench` extra for psutil):

    python bench/scale.py --bench-dir ../shared/bench --scaling-mb 100 --memory-mb 100,1000

Figures depend on the machine; the script prints what it ran on.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from corpus import text_pool  # bench/ is on sys.path when run as a script


def build_corpus(path: Path, megabytes: int, pool: list[str]) -> tuple[int, int]:
    """Write a JSONL corpus of about ``megabytes`` MB cycling through the pool."""
    target = megabytes * 1_000_000
    if path.exists() and path.stat().st_size >= target:
        with path.open("rb") as handle:
            return sum(1 for _ in handle), path.stat().st_size
    path.parent.mkdir(parents=True, exist_ok=True)
    written = docs = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            text = pool[docs % len(pool)]
            line = json.dumps({"id": f"doc-{docs}", "text": text}, ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            docs += 1
    return docs, written


@dataclass
class Measure:
    seconds: float
    peak_tree_mb: float
    peak_main_mb: float
    exit_code: int


def measure(cmd: list[str]) -> Measure:
    """Run a command; sample the resident memory of it and all its children."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    main = psutil.Process(proc.pid)
    peak_tree = peak_main = 0
    while proc.poll() is None:
        try:
            rss_main = main.memory_info().rss
            rss = rss_main + sum(c.memory_info().rss for c in main.children(recursive=True))
        except psutil.Error:
            rss_main = rss = 0
        peak_tree, peak_main = max(peak_tree, rss), max(peak_main, rss_main)
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.read().decode(errors="replace"))
    return Measure(seconds, peak_tree / 1e6, peak_main / 1e6, proc.returncode)


def cleaner_cmd(src: Path, out: Path, jobs: int) -> list[str]:
    exe = shutil.which("cleaner") or str(Path(sys.executable).parent / "cleaner")
    return [exe, "run", str(src), str(out), "--jobs", str(jobs), "--quiet", "--overwrite"]


def row(label: str, jobs: int, docs: int, nbytes: int, m: Measure, base: Measure | None) -> str:
    speedup = f"{base.seconds / m.seconds:5.2f}x" if base else "    -"
    return (f"{label:<14} {jobs:>4} {m.seconds:9.1f} {docs / m.seconds:9.1f} {nbytes / 1e6 / m.seconds:8.2f} "
            f"{speedup:>8} {m.peak_tree_mb:10.0f} {m.peak_main_mb:9.0f}  exit {m.exit_code}")


HEADER = f"{'corpus':<14} {'jobs':>4} {'seconds':>9} {'docs/s':>9} {'MB/s':>8} {'speed-up':>8} {'peak MB':>10} {'main MB':>9}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, help="a folder in the layout of shared/bench (gold/naive texts, html/)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cleaner-bench"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="N for the parallel runs")
    parser.add_argument("--scaling-mb", type=int, default=100, help="corpus size for --jobs 1 vs N (0: skip)")
    parser.add_argument("--memory-mb", default="100,1000", help="corpus sizes for the memory runs at --jobs N ('' to skip)")
    parser.add_argument("--html-pages", type=int, default=0, help="HTML pages for the HTML path (0: all of scrapinghub)")
    args = parser.parse_args()

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, {platform.system()}")
    pool = text_pool(args.bench_dir)
    print(f"text pool: {len(pool)} documents, {sum(len(t.encode()) for t in pool) / 1e6:.1f} MB")
    print(HEADER)
    if args.scaling_mb:
        src = args.workdir / f"corpus-{args.scaling_mb}mb.jsonl"
        docs, nbytes = build_corpus(src, args.scaling_mb, pool)
        base = measure(cleaner_cmd(src, args.workdir / "out-j1", 1))
        print(row(f"jsonl {args.scaling_mb} MB", 1, docs, nbytes, base, None), flush=True)
        par = measure(cleaner_cmd(src, args.workdir / f"out-j{args.jobs}", args.jobs))
        print(row(f"jsonl {args.scaling_mb} MB", args.jobs, docs, nbytes, par, base), flush=True)
    for size in [int(s) for s in args.memory_mb.split(",") if s.strip()]:
        src = args.workdir / f"corpus-{size}mb.jsonl"
        docs, nbytes = build_corpus(src, size, pool)
        m = measure(cleaner_cmd(src, args.workdir / f"out-mem-{size}", args.jobs))
        print(row(f"jsonl {size} MB", args.jobs, docs, nbytes, m, None), flush=True)
    html_src = args.bench_dir / "scrapinghub" / "html" if args.bench_dir else None
    if html_src and html_src.is_dir():
        pages = sorted(html_src.glob("*.html.gz"))[: args.html_pages or None]
        folder = args.workdir / "html"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for page in pages:
            (folder / page.name[: -len(".gz")]).write_bytes(gzip.decompress(page.read_bytes()))
        nbytes = sum(p.stat().st_size for p in folder.iterdir())
        base = measure(cleaner_cmd(folder, args.workdir / "out-html-j1", 1))
        print(row(f"html {len(pages)} pages", 1, len(pages), nbytes, base, None), flush=True)
        par = measure(cleaner_cmd(folder, args.workdir / f"out-html-j{args.jobs}", args.jobs))
        print(row(f"html {len(pages)} pages", args.jobs, len(pages), nbytes, par, base), flush=True)


if __name__ == "__main__":
    main()
