"""Scale of `cleaner run` (issue 14, item 5): resuming after kill -9, parallel
speed-up and peak memory, on JSONL corpora of chosen sizes, in one invocation.

Corpora, built under --workdir from the seeds, the tests' golden files and, with
--bench-dir, the gold and naive texts of a benchmark folder (the pool):

* ``repeated``: the pool's documents over and over, without URLs (what this script
  measured before). Unlike a real corpus: from the second pass on every document is
  an exact copy (the duplicates' index stays small), records without a URL have no
  site (the template rule counts nothing), and lines come back again and again.
* ``varied``: each pass over the pool is new documents. A page keeps its site (the
  host of its gold URL, else its folder), prefixed with the pass number, so that each
  pass is new sites with their own templates; from the second pass on, lines of five
  words or more get the pass's marker word (letters) after every fourth word, so pages
  are not copies across passes (some are within the pool: a page's gold text and its
  naive text, pages that are mostly template). Every page is indexed and every line counted, as in a real crawl.

Sections (``--sections``, all by default):

* ``kill``: ``--pack corpus`` at ``--jobs N``, every process of the run killed with
  SIGKILL once two units of the scan (then, in a second try, of the clean phase) are
  kept in OUT; resumed at ``--jobs 1``; the outputs compared byte for byte with an
  uninterrupted run.
* ``stats``: what the corpus rules' statistics hold per document (tracemalloc, peak)
  and what a scan keeps on disk per document, on ``--stats-docs`` varied documents.
* ``speed``: ``--jobs 1`` and ``--jobs N``, with and without ``--pack corpus``, on
  each corpus of ``--corpora``, ``--repeat`` times in turns; wall seconds, CPU seconds
  of the main process and of the workers (to tell duplicated work from waiting), the
  load average before each run, and the speed-up's median and range.
* ``memory``: peak resident memory (summed over all processes of the run, and the
  largest single one) at ``--jobs N`` with ``--pack corpus`` on the ``--memory-mb``
  varied corpus, and without the corpus pack for comparison.
* ``html``: the pages of <bench-dir>/scrapinghub/html with --jobs 1 and N.
* ``wet``: a Common Crawl WET file (``.warc.wet.gz``: a warcinfo record, then one
  gzip member per ``conversion`` record) of ``--wet-records`` records, made from the
  benchmark pages' naive texts with their gold URLs, varied pass after pass as the
  ``varied`` corpus is; cleaned at ``--jobs N`` at a quarter of the size and at the
  full size: peak memory (it must not grow with the file: records are streamed),
  records/s and MB/s, and a check that every record came out as a document.
* ``provenance``: ``--pack page-dump`` on the varied ``--provenance-mb`` corpus with
  the full provenance, ``--provenance-compress zst``, ``--provenance-level light`` and
  both: the provenance file's size and its ratio to the input's.
* ``report``: ``cleaner report`` on the OUT of a ``--pack corpus`` run (``--report-pack
  page-dump`` adds page-dump) of the varied ``--report-mb`` corpus: the report's time
  beside the run's, and its peak resident memory (the 1 GB run: ``--report-mb 1000``; on a
  machine where that takes hours, ``--report-copies K`` reports on the run's provenance
  K times over, each copy with its own ids and sites).

Usage (needs the `bench` extra for psutil); the issue's figures, then a quick one:

    python bench/scale.py --bench-dir ../shared/bench --scaling-mb 40 --memory-mb 1000
    python bench/scale.py --bench-dir ../shared/bench --kill-mb 10 --scaling-mb 5 --memory-mb 20 --repeat 1

Figures depend on the machine and on what else it runs; the script prints both.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from corpus import REPO, text_pool  # bench/ is on sys.path when run as a script

SECTIONS = ("kill", "stats", "speed", "memory", "html", "wet", "provenance", "report")


# --- corpora -------------------------------------------------------------------------

def site_pool(bench_dir: Path | None) -> list[tuple[str, str]]:
    """``(site, text)`` for each document of the pool: a benchmark page's site is the
    host of its gold URL (else its folder), the seeds' and golden files' "seeds"."""
    from cleaner.corpus.site import host_of

    pool = [("seeds.example", p.read_text(encoding="utf-8")) for p in sorted((REPO / "seeds").glob("*.txt"))]
    pool += [("seeds.example", p.read_text(encoding="utf-8")) for p in sorted((REPO / "tests" / "golden").glob("*.txt"))]
    for folder in sorted(bench_dir.iterdir()) if bench_dir else []:
        urls: dict[str, str | None] = {}
        gold = folder / "gold.jsonl"
        if gold.is_file():
            with gold.open(encoding="utf-8") as handle:
                urls = {r["id"]: r.get("url") for r in map(json.loads, handle) if r}
        for name in ("gold.jsonl", "naive_text.jsonl"):
            path = folder / name
            if path.is_file():
                with path.open(encoding="utf-8") as handle:
                    for row in map(json.loads, filter(str.strip, handle)):
                        pool.append((host_of(urls.get(row["id"])) or f"{folder.name}.example", row["text"]))
    return [(site, text) for site, text in pool if text.strip()]


def marker(n: int) -> str:
    """Pass ``n``'s marker word, in letters: digits would not do, as the duplicates'
    shingles read every number as "0" (``v1`` and ``v2`` would be one word)."""
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters = chr(ord("a") + digit) + letters
        if not n:
            return "qz" + letters


def varied(text: str, n: int) -> str:
    """Pass ``n``'s version of a text: a marker word after every fourth word of
    each line of five words or more (none in pass 0)."""
    if n == 0:
        return text
    mark = marker(n)
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        if len(words) >= 5:
            words = [w if i % 4 != 3 else f"{w} {mark}" for i, w in enumerate(words)]
        lines.append(" ".join(words))
    return "\n".join(lines)


def build_corpus(path: Path, megabytes: float, pool: list[tuple[str, str]], kind: str) -> tuple[int, int]:
    """Write a JSONL corpus of about ``megabytes`` MB of the given kind (module docs)
    from ``(site, text)`` pairs; an existing one of that size is reused. Returns
    (documents, bytes)."""
    target = int(megabytes * 1_000_000)
    if path.exists() and target <= path.stat().st_size < target * 1.1 + 2_000_000:
        with path.open("rb") as handle:
            return sum(1 for _ in handle), path.stat().st_size
    path.parent.mkdir(parents=True, exist_ok=True)
    written = docs = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            passes, index = divmod(docs, len(pool))
            site, text = pool[index]
            if kind == "repeated":
                row = {"id": f"doc-{docs}", "text": text}
            else:
                row = {"id": f"doc-{docs}", "url": f"https://p{passes}.{site}/{index}", "text": varied(text, passes)}
            line = json.dumps(row, ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            docs += 1
    return docs, written


def repeated_pool(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The pool in the order the ``repeated`` corpus has always cycled it (bench/corpus.py)."""
    return [("", text) for text in text_pool(args.bench_dir)]


# --- measuring a run -----------------------------------------------------------------

@dataclass
class Measure:
    seconds: float
    exit_code: int
    peak_tree_mb: float = 0.0  # resident memory summed over every process of the run, at its highest
    peak_tree_pss_mb: float = 0.0  # the same in proportional set size (a page shared by k processes counts 1/k)
    peak_main_mb: float = 0.0
    peak_one_mb: float = 0.0  # the largest single process other than the main one
    cpu_main: float = 0.0  # CPU seconds (user + system) of the main process
    cpu_others: dict[int, float] = field(default_factory=dict)  # of each other process, by pid
    cpu_elsewhere: float = 0.0  # CPU seconds the machine spent on processes not of the run, meanwhile

    @property
    def cpu_workers(self) -> float:
        return sum(self.cpu_others.values())


def cleaner_cmd(src: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    exe = shutil.which("cleaner") or str(Path(sys.executable).parent / "cleaner")
    return [exe, "run", str(src), str(out), "--jobs", str(jobs), "--quiet", *extra]


def measure(cmd: list[str], *, every: float = 0.2, until=None) -> Measure:
    """Run ``cmd`` and sample, every ``every`` seconds, the resident memory and CPU
    time of it and of all its descendants (a process's CPU time is its last sample).
    ``until(proc)``: checked at each sample; when it returns True every process of
    the run is killed (SIGKILL) and the measure returned."""
    started, machine = time.perf_counter(), _busy()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    main = psutil.Process(proc.pid)
    m = Measure(0.0, 0)
    while proc.poll() is None:
        try:
            family = [main, *main.children(recursive=True)]
        except psutil.Error:
            family = []
        tree = tree_pss = 0
        for p in family:
            try:
                memory, cpu = p.memory_full_info(), p.cpu_times()
            except psutil.Error:
                continue
            rss = memory.rss
            tree += rss
            tree_pss += getattr(memory, "pss", rss)
            if p.pid == main.pid:
                m.cpu_main = cpu.user + cpu.system
                m.peak_main_mb = max(m.peak_main_mb, rss / 1e6)
            else:
                m.cpu_others[p.pid] = cpu.user + cpu.system
                m.peak_one_mb = max(m.peak_one_mb, rss / 1e6)
        m.peak_tree_mb = max(m.peak_tree_mb, tree / 1e6)
        m.peak_tree_pss_mb = max(m.peak_tree_pss_mb, tree_pss / 1e6)
        if until is not None and until(proc):
            for p in family:
                try:
                    p.send_signal(signal.SIGKILL)
                except psutil.Error:
                    pass
            proc.wait()
            break
        time.sleep(every)
    m.seconds = time.perf_counter() - started
    m.cpu_elsewhere = max(0.0, _busy() - machine - m.cpu_main - m.cpu_workers)
    m.exit_code = proc.returncode
    if until is None and proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.read().decode(errors="replace"))
    return m


def _busy() -> float:
    """CPU seconds the whole machine has been busy (all cores, all processes)."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0) + getattr(t, "steal", 0)


def load() -> str:
    return "load {:.1f}".format(os.getloadavg()[0])


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file's bytes (the manifest has timings, so it is left out)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and ".cleaner" not in p.parts}


# --- sections ------------------------------------------------------------------------

def kill_section(args: argparse.Namespace, pool: list[tuple[str, str]]) -> None:
    src = args.workdir / f"varied-{args.kill_mb:g}mb.jsonl"
    docs, nbytes = build_corpus(src, args.kill_mb, pool, "varied")
    print(f"\n## kill -9 and resume (--pack corpus, varied {nbytes / 1e6:.0f} MB, {docs:,} documents; "
          f"killed at --jobs {args.jobs}, resumed at --jobs 1)")
    reference = args.workdir / "kill-reference"
    shutil.rmtree(reference, ignore_errors=True)
    whole = measure(cleaner_cmd(src, reference, 1, "--pack", "corpus"))
    print(f"uninterrupted, --jobs 1: {whole.seconds:.1f} s, exit {whole.exit_code}")
    expected = snapshot(reference)
    for phase, parts in (("scan", "scan/*/*.pickle"), ("clean", "parts/*.prov.jsonl")):
        out = args.workdir / f"kill-{phase}"
        shutil.rmtree(out, ignore_errors=True)
        work = out / ".cleaner"
        killed = measure(cleaner_cmd(src, out, args.jobs, "--pack", "corpus"), every=0.05,
                         until=lambda proc: len(list(work.glob(parts))) >= 2)
        if killed.exit_code != -signal.SIGKILL:
            print(f"killed in the {phase}: the run ended before two units were kept (exit {killed.exit_code}); "
                  "make --kill-mb bigger")
            continue
        kept_scan = sorted({p.parent.name for p in work.glob("scan/*/*.pickle")})
        scan_bytes = sum(p.stat().st_size for p in work.glob("scan/**/*") if p.is_file())
        kept = f"{len(list(work.glob('scan/*/*.pickle')))} scan units ({', '.join(kept_scan) or '-'}; " \
               f"{scan_bytes / 1e6:.1f} MB), {len(list(work.glob('parts/*.prov.jsonl')))} clean units"
        resumed = measure(cleaner_cmd(src, out, 1, "--pack", "corpus"))
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        same = snapshot(out) == expected
        print(f"killed in the {phase} after {killed.seconds:.1f} s with {kept} kept; resumed in {resumed.seconds:.1f} s "
              f"(exit {resumed.exit_code}): {manifest.get('resumed_scan_units', 0)} scan units and "
              f"{manifest['resumed_units']} clean units read back, not redone; outputs "
              f"{'IDENTICAL' if same else 'DIFFERENT'} to the uninterrupted run ({len(expected)} files)")


def stats_section(args: argparse.Namespace, pool: list[tuple[str, str]]) -> None:
    import pickle
    import tracemalloc

    from cleaner.corpus import duplicates, templates
    from cleaner.corpus.model import CorpusDoc
    from cleaner.rules.corpus import DuplicateStats, TemplateStats

    n = args.stats_docs
    docs = []
    for k in range(n):
        passes, index = divmod(k, len(pool))
        site, text = pool[index]
        docs.append((CorpusDoc(f"doc-{k}", k, f"p{passes}.{site}"), varied(text, passes)))
    print(f"\n## the corpus rules' statistics, per document ({n:,} varied documents, "
          f"{sum(len(t.encode()) for _, t in docs) / n / 1e3:.1f} kB each)")
    for name, make, sketch in (("corpus/site-template", TemplateStats, templates.sketch),
                               ("corpus/duplicates", DuplicateStats, duplicates.sketch)):
        # as in a run: each sketch arrives pickled from a worker, is added, and only what the statistics keep stays
        sketches = [pickle.dumps((doc, sketch(text)), protocol=pickle.HIGHEST_PROTOCOL) for doc, text in docs]
        on_disk = sum(map(len, sketches)) / n
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        stats = make()
        for blob in sketches:
            stats.add(*pickle.loads(blob))
        held = tracemalloc.get_traced_memory()[0] - base
        kept = len(pickle.dumps(stats))  # the finished form the clean phase gets
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        print(f"{name:<22} held while scanning {held / n:7.0f} B/doc (peak with finishing {peak / 1e6:.1f} MB); "
              f"finished {kept / n:5.0f} B/doc; sketches kept on disk by the scan {on_disk:5.0f} B/doc")
    print("(held while scanning, per document, falls as documents grow: the template lines are buffered up to "
          "512k keys, then spilled; the duplicates' index keeps recent entries in small dicts and its signatures' "
          "first MB in memory)")


def speed_section(args: argparse.Namespace, pool: list[tuple[str, str]]) -> None:
    print(f"\n## speed-up, --jobs {args.jobs} against --jobs 1 ({args.repeat} turns, in alternation)")
    print("CPU: seconds of the run's main process, of its other processes (workers, forkserver), and of the "
          "machine's other processes meanwhile (others' work: the figures are fair when it is near 0)")
    print(f"{'corpus':<22} {'pack':<8} {'jobs':>4} {'seconds':>8} {'MB/s':>6} {'CPU main':>9} {'workers':>8} "
          f"{'others':>7}  load")
    for kind in args.corpora.split(","):
        src = args.workdir / f"{kind}-{args.scaling_mb:g}mb.jsonl"
        docs, nbytes = build_corpus(src, args.scaling_mb, pool if kind == "varied" else repeated_pool(args), kind)
        for pack in ((), ("--pack", "corpus")):
            label = "corpus" if pack else "default"
            seconds: dict[int, list[float]] = {1: [], args.jobs: []}
            for _ in range(args.repeat):
                for jobs in (1, args.jobs):
                    before = load()
                    m = measure(cleaner_cmd(src, args.workdir / "out-speed", jobs, "--overwrite", *pack))
                    seconds[jobs].append(m.seconds)
                    print(f"{kind + f' {nbytes / 1e6:.0f} MB':<22} {label:<8} {jobs:>4} {m.seconds:8.1f} "
                          f"{nbytes / 1e6 / m.seconds:6.2f} {m.cpu_main:9.1f} {m.cpu_workers:8.1f} "
                          f"{m.cpu_elsewhere:7.1f}  {before}"
                          f"{'' if m.exit_code in (0, 1) else f'  exit {m.exit_code}'}", flush=True)
            ratios = sorted(a / b for a, b in zip(seconds[1], seconds[args.jobs]))
            print(f"{'':<22} {label:<8} speed-up {statistics.median(ratios):.2f}x "
                  f"(range {ratios[0]:.2f}-{ratios[-1]:.2f}x over {len(ratios)} turns)", flush=True)


def memory_section(args: argparse.Namespace, pool: list[tuple[str, str]]) -> None:
    src = args.workdir / f"varied-{args.memory_mb:g}mb.jsonl"
    docs, nbytes = build_corpus(src, args.memory_mb, pool, "varied")
    print(f"\n## peak memory, --jobs {args.jobs}, varied {nbytes / 1e6:,.0f} MB ({docs:,} documents), "
          "sampled every 0.2 s. RSS summed over processes counts the pages they share (the modules the "
          "forkserver loaded before forking the workers) once per process; PSS shares them out")
    for pack in (("--pack", "corpus"), ()):
        before = load()
        m = measure(cleaner_cmd(src, args.workdir / "out-memory", args.jobs, "--overwrite", *pack))
        label = "--pack corpus" if pack else "default pack"
        print(f"{label:<14} all processes: RSS {m.peak_tree_mb:4.0f} MB, PSS {m.peak_tree_pss_mb:4.0f} MB (main "
              f"{m.peak_main_mb:.0f} MB, largest other {m.peak_one_mb:.0f} MB RSS); {m.seconds:.0f} s, "
              f"{nbytes / 1e6 / m.seconds:.2f} MB/s, exit {m.exit_code}; {before}", flush=True)


def html_section(args: argparse.Namespace) -> None:
    html_src = args.bench_dir / "scrapinghub" / "html" if args.bench_dir else None
    if not (html_src and html_src.is_dir()):
        print("\n## html: skipped (no --bench-dir with scrapinghub/html)")
        return
    pages = sorted(html_src.glob("*.html.gz"))[: args.html_pages or None]
    folder = args.workdir / "html"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for page in pages:
        (folder / page.name[: -len(".gz")]).write_bytes(gzip.decompress(page.read_bytes()))
    nbytes = sum(p.stat().st_size for p in folder.iterdir())
    print(f"\n## HTML path, {len(pages)} scrapinghub pages ({nbytes / 1e6:.1f} MB)")
    base = None
    for jobs in (1, args.jobs):
        m = measure(cleaner_cmd(folder, args.workdir / f"out-html-j{jobs}", jobs, "--overwrite"))
        ratio = f", {base.seconds / m.seconds:.2f}x" if base else ""
        print(f"--jobs {jobs}: {m.seconds:.1f} s, {len(pages) / m.seconds:.1f} pages/s, peak {m.peak_tree_mb:.0f} MB"
              f"{ratio}", flush=True)
        base = base or m


def naive_pool(bench_dir: Path | None) -> list[tuple[str, str, str]]:
    """``(host, page id, naive text)`` of every benchmark page: the host of its gold
    URL (else its folder's name), for the records' target URIs."""
    from cleaner.corpus.site import host_of

    pool = []
    for folder in sorted(bench_dir.iterdir()) if bench_dir else []:
        gold, naive = folder / "gold.jsonl", folder / "naive_text.jsonl"
        if not naive.is_file():
            continue
        urls: dict[str, str | None] = {}
        if gold.is_file():
            with gold.open(encoding="utf-8") as handle:
                urls = {r["id"]: r.get("url") for r in map(json.loads, filter(str.strip, handle))}
        with naive.open(encoding="utf-8") as handle:
            for row in map(json.loads, filter(str.strip, handle)):
                if row["text"].strip():
                    host = host_of(urls.get(row["id"])) or f"{folder.name}.example"
                    pool.append((host, str(row["id"]), row["text"]))
    return pool


def build_wet(path: Path, records: int, pool: list[tuple[str, str, str]]) -> tuple[int, int]:
    """Write a WET file of ``records`` conversion records (module docs), or reuse the
    one there. Returns (records, bytes of text in them)."""
    import io

    from warcio.warcwriter import WARCWriter

    done = path.with_name(path.name + ".text-bytes")
    if path.exists() and done.exists():
        return records, int(done.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    text_bytes = 0
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        info = {"software": "bench/scale.py", "format": "WET"}
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        for n in range(records):
            passes, index = divmod(n, len(pool))
            host, page, text = pool[index]
            body = varied(text, passes).encode("utf-8")
            text_bytes += len(body)
            record = writer.create_warc_record(
                f"https://p{passes}.{host}/{page}", "conversion", payload=io.BytesIO(body),
                warc_content_type="text/plain",
                warc_headers_dict={"WARC-Refers-To": f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"},
            )
            writer.write_record(record)
    done.write_text(str(text_bytes))
    return records, text_bytes


def wet_section(args: argparse.Namespace) -> None:
    pool = naive_pool(args.bench_dir)
    if not pool:
        print("\n## wet: skipped (no --bench-dir with naive_text.jsonl)")
        return
    print(f"\n## Common Crawl WET, --jobs {args.jobs}, default pack: {len(pool):,} naive page texts with "
          "their URLs, varied pass after pass; peak memory sampled every 0.2 s")
    for records in (args.wet_records // 4, args.wet_records):
        src = args.workdir / f"CC-MAIN-bench-{records}.warc.wet.gz"
        records, text_bytes = build_wet(src, records, pool)
        out = args.workdir / "out-wet"
        before = load()
        m = measure(cleaner_cmd(src, out, args.jobs, "--overwrite"))
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        counts = manifest["counts"]
        size = f"{src.stat().st_size / 1e6:.0f} MB gzip, {text_bytes / 1e6:.0f} MB text"
        print(f"{records:>7,} records ({size}): "
              f"{m.seconds:.0f} s, {records / m.seconds:,.0f} records/s, {text_bytes / 1e6 / m.seconds:.2f} MB/s of text; "
              f"peak RSS all processes {m.peak_tree_mb:.0f} MB, PSS {m.peak_tree_pss_mb:.0f} MB (main "
              f"{m.peak_main_mb:.0f} MB, largest other {m.peak_one_mb:.0f} MB); documents {counts['documents']:,} "
              f"(ok {counts['ok']:,}, dropped {counts['dropped']:,}, failed {counts['failed']:,}), passed over "
              f"{manifest.get('skipped_records')}; exit {m.exit_code}; {before}", flush=True)


def provenance_section(args: argparse.Namespace, pool: list[tuple[str, str]]) -> None:
    src = args.workdir / f"varied-{args.provenance_mb:g}mb.jsonl"
    docs, nbytes = build_corpus(src, args.provenance_mb, pool, "varied")
    print(f"\n## provenance size, --pack page-dump, varied {nbytes / 1e6:.0f} MB ({docs:,} documents), --jobs {args.jobs}")
    for choice in ((), ("--provenance-compress", "zst"), ("--provenance-level", "light"),
                   ("--provenance-level", "light", "--provenance-compress", "zst")):
        out = args.workdir / "out-provenance"
        m = measure(cleaner_cmd(src, out, args.jobs, "--overwrite", "--pack", "page-dump", *choice))
        (written,) = [p for p in out.iterdir() if p.name.startswith("provenance.jsonl")]
        size = written.stat().st_size
        print(f"{' '.join(choice) or 'full (default)':<58} {written.name:<22} {size / 1e6:7.1f} MB, "
              f"{size / nbytes:5.2f}x the input; {m.seconds:.0f} s, exit {m.exit_code}", flush=True)


def report_section(args: argparse.Namespace, pool: list[tuple[str, str]]) -> None:
    """``cleaner report`` on the OUT of a ``--pack corpus`` run of the varied ``--report-mb``
    corpus (``--report-pack page-dump`` adds page-dump: a provenance about 3 times the
    input): its time beside the run's, and its peak memory, which must not grow with
    the provenance (read streaming, a bounded amount kept)."""
    src = args.workdir / f"varied-{args.report_mb:g}mb.jsonl"
    docs, nbytes = build_corpus(src, args.report_mb, pool, "varied")
    out = args.workdir / "out-report"
    extra = ["--pack", "corpus", *(["--pack", args.report_pack] if args.report_pack else [])]
    print(f"\n## cleaner report, varied {nbytes / 1e6:,.0f} MB ({docs:,} documents), {' '.join(extra)}, --jobs {args.jobs}")
    before = load()
    run = measure(cleaner_cmd(src, out, args.jobs, "--overwrite", *extra))
    (written,) = [p for p in out.iterdir() if p.name.startswith("provenance.jsonl")]
    size = written.stat().st_size
    print(f"run:    {run.seconds:7.1f} s, exit {run.exit_code}; provenance {size / 1e6:,.0f} MB; {before}", flush=True)
    exe = shutil.which("cleaner") or str(Path(sys.executable).parent / "cleaner")
    if args.report_copies > 1:
        out, size = copied_run(out, written, args.report_copies)
        print(f"provenance copied {args.report_copies} times, each copy's ids and sites its own: {size / 1e6:,.0f} MB",
              flush=True)
    for turn in range(args.repeat):
        before = load()
        report = measure([exe, "report", str(out), "--quiet"])
        page = (out / "report.html").stat().st_size
        ratio = f"{report.seconds / run.seconds:.2f}x the run" if args.report_copies == 1 else \
            f"the run of one copy took {run.seconds:.0f} s"
        print(f"report: {report.seconds:7.1f} s ({ratio}), peak RSS "
              f"{report.peak_main_mb:.0f} MB, {size / 1e6 / report.seconds:.1f} MB/s of provenance; page "
              f"{page / 1e6:.2f} MB, exit {report.exit_code}; {before}", flush=True)


def copied_run(out: Path, provenance: Path, copies: int) -> tuple[Path, int]:
    """An OUT beside ``out`` whose provenance is ``out``'s ``copies`` times over, each copy's
    document ids and sites (in URLs and template reasons) prefixed with its number, and
    whose manifest counts as many documents: a provenance of 1 GB to report on where a
    1 GB run takes hours (a loaded machine). The report reads it as a real run's; the
    texts before cleaning are the run's inputs (same source, same sha256)."""
    big = out.with_name(f"{out.name}-x{copies}")
    shutil.rmtree(big, ignore_errors=True)
    big.mkdir(parents=True)
    for item in out.iterdir():
        if item.is_file() and not item.name.startswith("provenance") and item.name not in ("manifest.json", "report.html"):
            os.link(item, big / item.name)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["counts"] = {k: v * copies for k, v in manifest["counts"].items()}
    (big / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    with (big / "provenance.jsonl").open("w", encoding="utf-8") as target:
        for copy in range(copies):
            with provenance.open(encoding="utf-8") as lines:
                for line in lines:
                    target.write(line.replace('"doc-', f'"c{copy}-doc-').replace("//p", f"//c{copy}p")
                                 .replace(" of p", f" of c{copy}p"))
    return big, (big / "provenance.jsonl").stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, help="a folder in the layout of shared/bench (gold/naive texts, html/)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cleaner-bench"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="N for the parallel runs")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"which to run, of {','.join(SECTIONS)}")
    parser.add_argument("--kill-mb", type=float, default=20, help="corpus size for the kill -9 runs")
    parser.add_argument("--stats-docs", type=int, default=2000, help="documents for the statistics' sizes")
    parser.add_argument("--scaling-mb", type=float, default=40, help="corpus size for --jobs 1 against N")
    parser.add_argument("--corpora", default="varied,repeated", help="corpus kinds for the speed-up")
    parser.add_argument("--repeat", type=int, default=3, help="turns of the speed-up runs")
    parser.add_argument("--memory-mb", type=float, default=1000, help="corpus size for the memory runs")
    parser.add_argument("--html-pages", type=int, default=0, help="HTML pages for the HTML path (0: all of scrapinghub)")
    parser.add_argument("--wet-records", type=int, default=30000, help="records of the WET file (a quarter is run too)")
    parser.add_argument("--provenance-mb", type=float, default=40, help="corpus size for the provenance sizes")
    parser.add_argument("--report-mb", type=float, default=1000, help="corpus size for the report's time and memory")
    parser.add_argument("--report-copies", type=int, default=1,
                        help="report on the run's provenance this many times over (ids and sites varied per copy)")
    parser.add_argument("--report-pack", default="", help="a pack added to --pack corpus for the report's run (page-dump)")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if sections - set(SECTIONS):
        parser.error(f"unknown sections {', '.join(sorted(sections - set(SECTIONS)))}; choose from {', '.join(SECTIONS)}")

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, {platform.system()}; "
          f"{load()}")
    pool = site_pool(args.bench_dir)
    print(f"pool: {len(pool)} documents, {sum(len(t.encode()) for _, t in pool) / 1e6:.1f} MB")
    if "kill" in sections:
        kill_section(args, pool)
    if "stats" in sections:
        stats_section(args, pool)
    if "speed" in sections:
        speed_section(args, pool)
    if "memory" in sections:
        memory_section(args, pool)
    if "html" in sections:
        html_section(args)
    if "wet" in sections:
        wet_section(args)
    if "provenance" in sections:
        provenance_section(args, pool)
    if "report" in sections:
        report_section(args, pool)


if __name__ == "__main__":
    main()
