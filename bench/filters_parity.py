"""The Gopher, C4 and FineWeb filters on the bench: agreement with datatrove, and
what cleaning first changes (issue 24 items 3 and 5).

Default: datatrove's ``GopherQualityFilter``, ``GopherRepetitionFilter``,
``C4QualityFilter`` and ``FineWebQualityFilter`` next to cleaner's rules on every
page's naive text and gold text of a bench folder; prints the keep/drop agreement
per filter and each difference.

``--clean-first``: for every page that has a gold text, how many each filter drops

* on the naive text as it was scraped (the whole page dumped),
* on the naive text after ``--pack page-dump`` cleaned it (the filter in the
  pipeline, at the end of the order, as ``--pack gopher`` puts it), and
* on the gold text (the article alone: the pages a filter should keep, mostly).

    python bench/filters_parity.py ../shared/bench
    python bench/filters_parity.py ../shared/bench --clean-first
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cleaner.core.engine import Pipeline  # noqa: E402
from cleaner.loading.pack import load_pack  # noqa: E402
from cleaner.rules import c4, fineweb, gopher  # noqa: E402

SETS = ("scrapinghub", "readability", "sites", "news-sites")
FILTERS = {
    "gopher-quality": ([gopher.quality], "GopherQualityFilter"),
    "gopher-repetition": ([gopher.repetition], "GopherRepetitionFilter"),
    "c4": ([c4.lines, c4.document], "C4QualityFilter"),
    "fineweb": ([fineweb.quality], "FineWebQualityFilter"),
}


def read(path: Path) -> dict[str, str]:
    out = {}
    if path.exists():
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            out[record["id"]] = record.get("text") or ""
    return out


def pages(bench: Path) -> list[tuple[str, str, str]]:
    """(name, naive text, gold text) of every page with both."""
    found = []
    for name in SETS:
        naive, gold = read(bench / name / "naive_text.jsonl"), read(bench / name / "gold.jsonl")
        found += [(f"{name}/{i}", naive[i], gold[i]) for i in sorted(naive) if i in gold and gold[i].strip()]
    return found


def agreement(bench: Path) -> None:
    from datatrove.data import Document
    from datatrove.pipeline import filters as dt

    rows = pages(bench)
    texts = [(f"{n} naive", t) for n, t, _ in rows] + [(f"{n} gold", g) for n, _, g in rows]
    print(f"{len(texts)} texts ({len(rows)} pages, naive and gold)")
    for name, (rules, cls) in FILTERS.items():
        flt, pipeline = getattr(dt, cls)(), Pipeline(rules)
        agree, diffs, t_dt, t_cl = 0, [], 0.0, 0.0
        for label, text in texts:
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = flt.filter(Document(text=text, id=label)) is True
            t1 = time.perf_counter()
            outcome = pipeline.clean(text)
            t_cl += time.perf_counter() - t1
            t_dt += t1 - t0
            ours = outcome.status == "ok"
            if ours == theirs:
                agree += 1
            else:
                diffs.append(f"    {label}: datatrove {'keeps' if theirs else 'drops'}, cleaner {outcome.reason or 'keeps'}")
        print(f"{name:18} {agree}/{len(texts)} agree ({agree / len(texts):.2%}); "
              f"datatrove {t_dt:.1f}s, cleaner {t_cl:.1f}s")
        print("\n".join(diffs[:20]))


def clean_first(bench: Path) -> None:
    rows = pages(bench)
    print(f"{len(rows)} pages with a gold text; documents each filter drops")
    print("| filter | naive text | naive text after page-dump | gold text |")
    print("|---|---:|---:|---:|")
    for name, (rules, _) in FILTERS.items():
        alone = Pipeline(rules)
        # as the packs place them: c4/lines in its own line pass before the residue pass, filters last
        cleaned = (load_pack(["page-dump", "c4"]) if name == "c4"
                   else load_pack(["page-dump"], enable=tuple(r.id for r in rules)))
        ids = {r.id for r in rules}
        naive = sum(alone.clean(t).status == "dropped" for _, t, _ in rows)
        after = 0
        for _, text, _ in rows:
            outcome = cleaned.clean(text)
            after += outcome.status == "dropped" and bool(outcome.steps) and outcome.steps[-1].rule in ids
        gold = sum(alone.clean(g).status == "dropped" for _, _, g in rows)
        print(f"| {name} | {naive} | {after} | {gold} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench", type=Path, help="a folder in the layout of shared/bench")
    parser.add_argument("--clean-first", action="store_true",
                        help="the table of pages each filter drops before and after cleaning, and on gold")
    args = parser.parse_args()
    clean_first(args.bench) if args.clean_first else agreement(args.bench)


if __name__ == "__main__":
    main()
