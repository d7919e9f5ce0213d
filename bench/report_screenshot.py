"""The README's picture of a report: ``cleaner run --report`` on a bench folder, then the
top of OUT/report.html as Debian's headless Chromium shows it, saved as a PNG.

The pages are laid out one folder per site (from ``gold.jsonl`` beside the html folder, as
bench/speed_html.py does), so that the corpus rules see the sites. Chromium runs with a
fresh profile and nothing that reaches out (no sync, updates or QUIC), driven by playwright
through ``executable_path`` (never a browser of its own): the same launch as
tests/test_report_browser.py. Only Apache- or MIT-licensed sets belong in the README's
picture (``sites``, ``scrapinghub``, ``readability``), never ``news-sites``.

Usage (docs/report.png):

    python bench/report_screenshot.py ../shared/bench/sites/html docs/report.png

Extra ``cleaner run`` options go after ``--`` (default ``--pack corpus``). Prints where the
run and the PNG went.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed_html import lay_out_by_site  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def run_with_report(pages: Path, out: Path, extra: list[str], jobs: int) -> float:
    """``cleaner run PAGES OUT --report`` in a new process; its wall seconds."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-c", "import sys; from cleaner.entry import main; sys.exit(main())",
           "run", "-q", "--jobs", str(jobs), "--report", *extra, str(pages), str(out)]
    started = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if not (out / "report.html").exists():
        raise SystemExit(f"{' '.join(cmd)} wrote no report (exit {done.returncode}):\n{done.stderr}")
    return seconds


def screenshot(report: Path, png: Path, width: int, height: int) -> None:
    """The top ``width`` x ``height`` CSS pixels of ``report``, as Chromium renders it."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CLEANER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="report-profile-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, args=CHROMIUM_ARGS, headless=True, offline=True,
            service_workers="block", viewport={"width": width, "height": height}, device_scale_factor=1)
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.resolve().as_uri(), wait_until="load")
            if errors:  # a broken page does not go into the README
                raise SystemExit("the page reported errors:\n  " + "\n  ".join(errors))
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png))
        finally:
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", type=Path, help="a bench html folder (shared/bench layout), e.g. .../sites/html")
    parser.add_argument("png", type=Path, help="where the screenshot goes, e.g. docs/report.png")
    parser.add_argument("--out", type=Path, help="the run's OUT (default: a temporary folder, kept)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("extra", nargs="*", help="cleaner run options, after -- (default: --pack corpus)")
    args = parser.parse_args()
    if "news-sites" in args.pages.resolve().parts:
        raise SystemExit("news-sites is research use only: its text never goes into the repo's pictures")

    work = Path(tempfile.mkdtemp(prefix="report-shot-"))
    pages = work / args.pages.resolve().parent.name  # the page header names this folder
    count = lay_out_by_site(args.pages, pages)
    out = args.out or work / f"{args.pages.resolve().parent.name}-report"
    seconds = run_with_report(pages, out, args.extra or ["--pack", "corpus"], args.jobs)
    print(f"cleaner run --report on {count} pages: {seconds:.1f} s, report {out / 'report.html'}")
    screenshot(out / "report.html", args.png, args.width, args.height)
    print(f"screenshot {args.png} ({args.png.stat().st_size / 1024:.0f} KB, {args.width}x{args.height})")


if __name__ == "__main__":
    main()
