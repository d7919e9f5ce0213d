"""Start-up of a small run: ``cleaner run seeds/ OUT`` against starting Python with
the libraries a text run needs (``python -c "import cleaner, ftfy, regex, typer,
rich"``), in one invocation, the two taking turns.

The cache of pack checks and pattern readings (the user's cache folder, see
cleaner/core/disk_cache.py) is filled by one run first, as on any machine after its
first run. Each run writes a fresh OUT (a finished OUT would make the run return
at once). Printed: the median and range of each, and the ratio of the medians.

Usage:

    python bench/startup.py [--repeat 7] [--jobs N]

Also called by bench/speed.py (``startup_figures``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = "import cleaner, ftfy, regex, typer, rich"


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def startup_figures(repeat: int = 7, jobs: int | None = None) -> dict[str, list[float]]:
    """Wall seconds of each turn: ``{"imports": [...], "seeds run": [...]}``."""
    cleaner = [sys.executable, "-c", "from cleaner.cli import main; main()"]
    extra = ["--jobs", str(jobs)] if jobs else []
    seconds: dict[str, list[float]] = {"imports": [], "seeds run": []}
    with tempfile.TemporaryDirectory(prefix="cleaner-startup-") as scratch:
        out = Path(scratch) / "out"
        subprocess.run([*cleaner, "run", str(ROOT / "seeds"), str(out), "-q", *extra], check=True)  # fills the cache
        for _ in range(repeat):
            seconds["imports"].append(_seconds([sys.executable, "-c", IMPORTS]))
            shutil.rmtree(out, ignore_errors=True)
            seconds["seeds run"].append(_seconds([*cleaner, "run", str(ROOT / "seeds"), str(out), "-q", *extra]))
    return seconds


def report(seconds: dict[str, list[float]]) -> list[str]:
    """Lines for people: each median (range), then the ratio of the medians."""
    lines = []
    for name, turns in seconds.items():
        what = f'python -c "{IMPORTS}"' if name == "imports" else "cleaner run seeds/ OUT (cache filled)"
        lines.append(f"{what:<55} {statistics.median(turns):6.2f} s  (range {min(turns):.2f}-{max(turns):.2f}, "
                     f"{len(turns)} turns)")
    ratio = statistics.median(seconds["seeds run"]) / statistics.median(seconds["imports"])
    lines.append(f"{'seeds run / imports':<55} {ratio:6.2f}x  (target: 3x or less)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="turns of each (default 7)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for the run (default: cleaner's own)")
    args = parser.parse_args()
    for line in report(startup_figures(args.repeat, args.jobs)):
        print(line)


if __name__ == "__main__":
    main()
