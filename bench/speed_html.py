"""The HTML part of bench/speed.py: documents/s of cleaner's HTML paths against
trafilatura, on the pages of every dev set, and the ratios issue 15 asks for.

Every contender takes a page as the bytes served (gzip undone) and does the work a
user would call: ``trafilatura.extract`` without and with metadata (it decodes the
bytes itself), cleaner's default path (decode, trafilatura with metadata, the
default pack: ``cleaner run``), ``cleaner run --no-html-metadata`` and ``cleaner run
--extractor resiliparse`` (skipped with a message when resiliparse is missing), and
each extractor as cleaner calls it without the rules (what the rules cost). The
contenders take turns on slices of each set, so that the ratios are measured in the
same spell of a shared machine.

Each page is new to each contender, as in a real run. cleaner remembers its verdicts
on lines, trafilatura and htmldate cache theirs: the same page, extracted for another
contender a moment before, would be served partly from memory (on scrapinghub
cleaner's rules took 5.3 ms a page on lines never seen and 2.0 ms on lines seen
before; trafilatura's metadata search on readability ran up to twice as fast the
second time). So every contender does its slice in a forked child process
(:func:`timed_apart`), which starts from the state after the warm-up page and whose
caches die with it.
"""

from __future__ import annotations

import gzip
import os
import struct
import time
from pathlib import Path
from typing import Callable

#: Pages each contender cleans before the timing (compiled patterns, lazy imports).
WARM_UP = 3

#: The dev sets with HTML pages and gold text, as bench/quality.py scores them.
DEV_SETS = ("scrapinghub", "readability", "sites")

TRAFILATURA = "trafilatura.extract (no metadata)"
TRAFILATURA_META = "trafilatura.extract(with_metadata=True)"
DEFAULT = "cleaner default HTML path"
NO_META = "cleaner --no-html-metadata"
RESILIPARSE = "cleaner --extractor resiliparse"
TRAFILATURA_ONLY = "  its extraction alone (no rules)"
RESILIPARSE_ONLY = "  resiliparse extraction alone (no rules)"


def dev_pages(bench_dir: Path, limit: int) -> dict[str, list[bytes]]:
    """The pages of each dev set found under ``bench_dir`` (at most ``limit`` each; 0: all)."""
    found = {}
    for name in DEV_SETS:
        paths = sorted((bench_dir / name / "html").glob("*.html.gz"))[: limit or None]
        if paths:
            found[name] = [gzip.decompress(p.read_bytes()) for p in paths]
    return found


def contenders() -> tuple[dict[str, Callable[[bytes], object]], list[str]]:
    """The HTML contenders by name, and a line for each one skipped."""
    import trafilatura

    from cleaner import default_pipeline
    from cleaner.io import resiliparse_html
    from cleaner.io.decode import decode_html
    from cleaner.io.html import extract_main_text

    pipeline = default_pipeline()

    def cleaner_path(page: bytes, metadata: bool = True, extractor: str = "trafilatura", rules: bool = True) -> object:
        html = decode_html(page).text
        text, _meta = extract_main_text(html, metadata=metadata, extractor=extractor)
        return pipeline.clean(text) if text and rules else text

    found: dict[str, Callable[[bytes], object]] = {
        TRAFILATURA: trafilatura.extract,
        TRAFILATURA_META: lambda page: trafilatura.extract(page, with_metadata=True),
        DEFAULT: cleaner_path,
        TRAFILATURA_ONLY: lambda page: cleaner_path(page, rules=False),
        NO_META: lambda page: cleaner_path(page, metadata=False),
    }
    skipped = []
    if resiliparse_html.available():
        found[RESILIPARSE] = lambda page: cleaner_path(page, extractor="resiliparse")
        found[RESILIPARSE_ONLY] = lambda page: cleaner_path(page, extractor="resiliparse", rules=False)
    else:
        skipped.append(f"{RESILIPARSE:<40} skipped: {resiliparse_html.INSTALL}")
    return found, skipped


def timed_apart(fn: Callable[[bytes], object], pages: list[bytes]) -> float:
    """Seconds ``fn`` takes on ``pages`` in a forked child: what it remembers of
    these pages (caches filled on the way) dies with the child, so the next
    contender meets them new. POSIX only (os.fork)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: time, report, leave without running the parent's exit handlers
        os.close(read)
        code = 0
        try:
            started = time.perf_counter()
            for page in pages:
                fn(page)
            os.write(write, struct.pack("d", time.perf_counter() - started))
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as handle:
        data = handle.read()
    _, status = os.waitpid(pid, 0)
    if status or len(data) != 8:
        raise RuntimeError(f"a contender failed in its child process (status {status})")
    return float(struct.unpack("d", data)[0])


def in_turns(contenders: dict[str, Callable[[bytes], object]], pages: list[bytes], rounds: int) -> dict[str, float]:
    """Seconds each contender takes on ``pages``: the pages are cut into ``rounds``
    slices and every contender does a slice (in a child process of its own, after
    a warm-up on the first pages in this one) before the next slice starts."""
    for fn in contenders.values():
        for page in pages[:WARM_UP]:
            fn(page)
    seconds = dict.fromkeys(contenders, 0.0)
    rounds = max(1, min(rounds, len(pages)))
    for k in range(rounds):
        piece = pages[k * len(pages) // rounds : (k + 1) * len(pages) // rounds]
        for name, fn in contenders.items():
            seconds[name] += timed_apart(fn, piece)
    return seconds


def run(bench_dir: Path, limit: int, rounds: int) -> None:
    """Print documents/s of every contender on each dev set and the ratios."""
    sets = dev_pages(bench_dir, limit)
    if not sets:
        print(f"\nHTML: no pages under {bench_dir}/{{{','.join(DEV_SETS)}}}/html")
        return
    measured, skipped = contenders()
    rates: dict[str, dict[str, float]] = {}
    for name, pages in sets.items():
        nbytes = sum(map(len, pages))
        print(f"\nHTML: {name}, {len(pages)} pages, {nbytes / 1e6:.1f} MB")
        print(f"{'':<40} {'seconds':>8} {'docs/s':>8} {'MB/s':>7}")
        seconds = in_turns(measured, pages, rounds)
        rates[name] = {c: len(pages) / s for c, s in seconds.items()}
        for c, s in seconds.items():
            print(f"{c:<40} {s:8.1f} {len(pages) / s:8.1f} {nbytes / 1e6 / s:7.2f}", flush=True)
        for line in skipped:
            print(line)
    print("\nHTML ratios in documents/s (target):")
    print(f"  {'':<44}" + "".join(f"{n:>13}" for n in rates))
    pairs = [  # (a, b, label, target): a's documents/s over b's
        (DEFAULT, TRAFILATURA_META, "default path / extract(with_metadata=True)", "≥ 0.95"),
        (DEFAULT, TRAFILATURA, "default path / extract (no metadata)", ""),
        (NO_META, TRAFILATURA, "--no-html-metadata / extract (no metadata)", ""),
        (RESILIPARSE, DEFAULT, "--extractor resiliparse / default path", "≥ 10"),
        (RESILIPARSE_ONLY, TRAFILATURA_ONLY, "extraction alone: resiliparse / trafilatura", ""),
    ]
    for a, b, label, target in pairs:
        if a in measured and b in measured:
            cells = "".join(f"{rates[n][a] / rates[n][b]:12.2f}x" for n in rates)
            print(f"  {label:<44}{cells}  {target}")


# --- the corpus pack's cost on HTML (issue 22) ---------------------------------------------

#: Turns of the corpus pack's cost comparison: each turn runs ``cleaner run`` without and with
#: ``--pack corpus`` (in alternating order, so that a slow spell falls on both alike).
CORPUS_TURNS = 3


def site_of_page(page: str, rows: dict[str, dict]) -> str:
    """The folder a page goes to: its URL's host, else its ``site`` in gold.jsonl, else
    its own id (a site of its own), as bench/quality.py's corpus mode groups pages."""
    from urllib.parse import urlsplit

    row = rows.get(page) or {}
    host = (urlsplit(row.get("url") or "").hostname or "").removeprefix("www.")
    return host or row.get("site") or page


def lay_out_by_site(html_dir: Path, dest: Path) -> int:
    """Copy the pages of ``html_dir`` into ``dest``, one folder per site (the site is a
    page's folder for ``cleaner run``), read from ``gold.jsonl`` beside ``html_dir``;
    without one, every page keeps its place. Returns the number of pages."""
    import json
    import shutil

    gold = html_dir.parent / "gold.jsonl"
    rows = {}
    if gold.exists():
        with gold.open(encoding="utf-8") as handle:
            rows = {row["id"]: row for row in map(json.loads, handle) if "id" in row}
    pages = sorted(p for p in html_dir.iterdir() if p.is_file() and ".htm" in p.name)
    for page in pages:
        folder = dest / site_of_page(page.name.split(".")[0], rows) if rows else dest
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, folder / page.name)
    return len(pages)


def timed_run(pages: Path, out: Path, extra: list[str], jobs: int) -> float:
    """Wall-clock seconds of one ``cleaner run`` of ``pages`` into a fresh ``out``
    (a new process, as a user runs it, imports included; the cleaner it imports is the
    one PYTHONPATH names, so that the same script measures another tree)."""
    import shutil
    import subprocess
    import sys

    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-c", "import sys; from cleaner.entry import main; sys.exit(main())", "run", "-q", "--jobs", str(jobs), *extra, str(pages), str(out)]
    started = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if not (out / "manifest.json").exists():
        raise RuntimeError(f"{' '.join(cmd)} wrote no manifest")
    return seconds


def spread(values: list[float]) -> str:
    """Median and range of ``values``: ``1.23x (1.10-1.31)``."""
    ordered = sorted(values)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return f"{median:.2f}x ({ordered[0]:.2f}-{ordered[-1]:.2f})"


def corpus_cost(html_dir: Path, turns: int = CORPUS_TURNS, jobs: int = 1) -> list[float]:
    """Print the seconds of ``cleaner run`` on the HTML pages of ``html_dir`` (grouped
    by site) without and with ``--pack corpus``, turn by turn, and their ratio's median
    and range; returns the ratios. The target (issue 22): with it ≤ 1.5× without."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cleaner-corpus-cost-") as tmp:
        pages = Path(tmp) / "pages"
        count = lay_out_by_site(html_dir, pages)
        sites = sum(1 for p in pages.iterdir() if p.is_dir())
        print(f"\nHTML run with and without --pack corpus: {html_dir}, {count} pages"
              f"{f' in {sites} site folders' if sites else ''}, --jobs {jobs}, {turns} turns")
        print(f"  {'turn':<6}{'without (s)':>12}{'with (s)':>10}{'ratio':>8}")
        ratios = []
        for turn in range(turns):
            runs = [("without", []), ("with", ["--pack", "corpus"])]
            seconds = {}
            for name, extra in runs if turn % 2 == 0 else runs[::-1]:
                seconds[name] = timed_run(pages, Path(tmp) / f"out-{name}", extra, jobs)
            ratios.append(seconds["with"] / seconds["without"])
            print(f"  {turn + 1:<6}{seconds['without']:12.1f}{seconds['with']:10.1f}{ratios[-1]:7.2f}x", flush=True)
        print(f"  with / without: {spread(ratios)} median (range)  target ≤ 1.50x")
    return ratios
