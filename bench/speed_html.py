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
