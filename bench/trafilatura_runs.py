"""trafilatura alone at named settings, computed from a dataset's HTML and cached.

The anchor of bench/quality.py is trafilatura itself. Its stored output in a dataset
folder (``trafilatura_default.jsonl``) is ``trafilatura.extract(html)`` with its
defaults, which keep a page's comments; cleaner's HTML path calls it with comments
off. To compare against the anchor at its best setting, the other settings are
computed here from the same HTML (decoded as cleaner decodes it) with the installed
trafilatura, and cached under ``CACHE`` (one JSONL per dataset and setting, keyed by
trafilatura's version), so that a second run, or bench/lodo.py's example, extracts
nothing again. ``default`` is computed too: it checks that the stored output is what
this trafilatura gives (:func:`stored_mismatches`).

    python bench/trafilatura_runs.py ../shared/bench/sites --settings default comments-off

prints, per dataset and setting, the mean bag-of-words F1 (quality.py's metric) and
fills the cache.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Mapping, Sequence

#: name -> keyword arguments of ``trafilatura.extract`` (plain text output)
SETTINGS: dict[str, dict[str, Any]] = {
    "default": {},
    "comments-off": {"include_comments": False},
    "precision": {"favor_precision": True},
    "precision, comments-off": {"favor_precision": True, "include_comments": False},
    "recall": {"favor_recall": True},
    "recall, comments-off": {"favor_recall": True, "include_comments": False},
}

CACHE = Path(os.environ.get("CLEANER_BENCH_CACHE", "/tmp/cleaner-bench-cache"))


def _version() -> str:
    import trafilatura

    return str(trafilatura.__version__)


def cache_file(folder: Path, setting: str) -> Path:
    slug = setting.replace(", ", "+").replace(" ", "_")
    return CACHE / f"trafilatura-{_version()}" / folder.resolve().name / f"{slug}.jsonl"


def _page_id(path: Path) -> str:
    return path.name[: -len(".html.gz")]


def extract(item: tuple[Path, tuple[str, ...]]) -> tuple[str, dict[str, str]]:
    """One page's text at each of the settings named (decoded as cleaner decodes it)."""
    import trafilatura

    from cleaner.io.decode import decode_html

    path, names = item
    html = decode_html(gzip.decompress(path.read_bytes())).text
    texts = {}
    for name in names:
        try:
            texts[name] = trafilatura.extract(html, **SETTINGS[name]) or ""
        except Exception:  # a page trafilatura cannot read is an empty output, as for the stored one
            texts[name] = ""
    return _page_id(path), texts


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: row["text"] for row in map(json.loads, filter(str.strip, handle))}


def texts(folder: Path, names: Sequence[str], pool: ProcessPoolExecutor | None = None,
          jobs: int = 1) -> dict[str, dict[str, str]]:
    """setting -> page -> text for every page of ``folder``; pages missing from the
    cache are extracted (in ``pool`` if given, else in ``jobs`` processes) and added."""
    pages = sorted((folder / "html").glob("*.html.gz"))
    found = {name: _read(cache_file(folder, name)) for name in names}
    todo: dict[Path, tuple[str, ...]] = {}
    for path in pages:
        missing = tuple(n for n in names if _page_id(path) not in found[n])
        if missing:
            todo[path] = missing
    if todo:
        if pool is None:
            with ProcessPoolExecutor(jobs) as own:
                done = list(own.map(extract, todo.items(), chunksize=4))
        else:
            done = list(pool.map(extract, todo.items(), chunksize=4))
        added: dict[str, dict[str, str]] = {n: {} for n in names}
        for page, by_setting in done:
            for name, text in by_setting.items():
                added[name][page] = text
        for name, rows in added.items():
            if rows:
                target = cache_file(folder, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("a", encoding="utf-8") as handle:
                    for page, text in sorted(rows.items()):
                        handle.write(json.dumps({"id": page, "text": text}, ensure_ascii=False) + "\n")
                found[name].update(rows)
    wanted = {_page_id(p) for p in pages}
    return {name: {p: t for p, t in found[name].items() if p in wanted} for name in names}


def stored_mismatches(computed: Mapping[str, str], stored: Mapping[str, Mapping[str, Any]]) -> int:
    """Pages whose stored default output differs from the one computed here."""
    return sum(1 for page, text in computed.items()
               if page in stored and (stored[page].get("text") or "") != text)


def main() -> None:
    from quality import read_jsonl, score  # bench/ is on sys.path when run as a script

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    for folder in args.datasets:
        gold = read_jsonl(folder / "gold.jsonl")
        runs = texts(folder, args.settings, jobs=args.jobs)
        print(f"{folder.name} (trafilatura {_version()}):")
        for name, outputs in runs.items():
            p, r, f = score(outputs, gold)
            print(f"  {name:<26} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        if "default" in runs:
            stored = read_jsonl(folder / "trafilatura_default.jsonl")
            differ = stored_mismatches(runs["default"], stored)
            print(f"  stored default output differs on {differ} pages")


if __name__ == "__main__":
    main()
