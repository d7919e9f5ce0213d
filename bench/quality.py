"""Cleaning quality on pages labelled by others: residue removed, content kept.

Takes one or more dataset folders in the layout of shared/bench (``html/<id>.html.gz``,
``gold.jsonl``, ``naive_text.jsonl``, ``trafilatura_default.jsonl``, and for
trafilatura-eval ``snippets.jsonl``) and prints, per dataset:

* HTML path: trafilatura alone (its stored default output) vs cleaner on the same HTML;
* text path: the residue-laden naive text as is vs cleaner on it, with the default
  pack and with the opt-in ``page-dump`` pack;
* do-no-harm: cleaner on the gold texts, the share of gold tokens it removed, and
  the rules that removed them (``--show-harm N`` prints the removed lines);
* snippets: ``with`` strings kept and ``without`` strings gone, for the HTML path.

Metric (the datasets' README): bag of words over whitespace tokens, multiset overlap,
precision/recall/F1 per page, then the mean. Cleaner's output is scored with headings
written plain, so that Markdown markers do not count as tokens.

    python bench/quality.py ../shared/bench/scrapinghub ../shared/bench/readability
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

from cleaner.io.decode import decode_html
from cleaner.io.html import extract_main_text
from cleaner.pack import load_pack

PLAIN = {"headings/normalise": {"style": "plain"}}


def read_jsonl(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: row for row in map(json.loads, filter(str.strip, handle))}


def prf(output: str, gold: str) -> tuple[float, float, float]:
    out, ref = Counter(output.split()), Counter(gold.split())
    overlap = sum((out & ref).values())
    p = overlap / max(sum(out.values()), 1) if out else 0.0
    r = overlap / max(sum(ref.values()), 1)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(outputs: dict[str, str], gold: dict[str, dict]) -> tuple[float, float, float]:
    rows = [prf(outputs.get(i, ""), g["text"]) for i, g in gold.items()]
    return tuple(mean(col) for col in zip(*rows)) if rows else (0.0, 0.0, 0.0)  # type: ignore[return-value]


def _fold(text: str) -> str:
    return " ".join(text.split())


def snippet_score(outputs: dict[str, str], snippets: dict[str, dict]) -> tuple[float, float, float]:
    tp = fn = fp = 0
    for page, row in snippets.items():
        text = _fold(outputs.get(page, ""))
        for s in row.get("with", []):
            tp, fn = (tp + 1, fn) if _fold(s) in text else (tp, fn + 1)
        fp += sum(1 for s in row.get("without", []) if _fold(s) in text)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


_pipeline = None
_page_dump = None


def _init() -> None:
    global _pipeline, _page_dump
    _pipeline = load_pack(options=PLAIN)
    _page_dump = load_pack(["page-dump"], options=PLAIN)


def clean_html(path: Path) -> tuple[str, str]:
    """One page through cleaner's HTML path: decode, trafilatura, the default pack."""
    html, _ = decode_html(gzip.decompress(path.read_bytes()))
    try:
        text, _meta = extract_main_text(html, seconds=None)
    except Exception:
        text = ""
    return path.name[: -len(".html.gz")], _pipeline.clean(text).text if text.strip() else ""


def clean_text(item: tuple[str, str]) -> tuple[str, str, list[dict]]:
    page, text = item
    outcome = _pipeline.clean(text)
    return page, outcome.text if outcome.status == "ok" else "", [s.to_dict() for s in outcome.steps]


def clean_page_dump(item: tuple[str, str]) -> tuple[str, str, list[dict]]:
    page, text = item
    outcome = _page_dump.clean(text)
    return page, outcome.text if outcome.status == "ok" else "", [s.to_dict() for s in outcome.steps]


def line(label: str, p: float, r: float, f: float) -> str:
    return f"  {label:<38} P {p:.3f}  R {r:.3f}  F1 {f:.3f}"


def run_dataset(folder: Path, jobs: int, show_harm: int) -> None:
    gold = read_jsonl(folder / "gold.jsonl")
    naive = read_jsonl(folder / "naive_text.jsonl")
    traf = read_jsonl(folder / "trafilatura_default.jsonl")
    snippets = read_jsonl(folder / "snippets.jsonl")
    pages = sorted((folder / "html").glob("*.html.gz"))
    print(f"{folder.name}: {len(pages)} pages, {len(gold)} gold texts")
    with ProcessPoolExecutor(jobs, initializer=_init) as pool:
        html_out = dict(pool.map(clean_html, pages, chunksize=4))
        naive_items = [(i, r["text"]) for i, r in naive.items()]
        naive_out = {p: t for p, t, _ in pool.map(clean_text, naive_items, chunksize=4)}
        dump_out = {p: t for p, t, _ in pool.map(clean_page_dump, naive_items, chunksize=4)}
        gold_runs = list(pool.map(clean_text, [(i, r["text"]) for i, r in gold.items()], chunksize=4))
    traf_out = {i: r.get("text") or "" for i, r in traf.items()}
    if gold:
        print(line("HTML: trafilatura alone", *score(traf_out, gold)))
        print(line("HTML: cleaner", *score(html_out, gold)))
        print(line("text: naive as is", *score({i: r["text"] for i, r in naive.items()}, gold)))
        print(line("text: cleaner on naive", *score(naive_out, gold)))
        print(line("text: cleaner page-dump on naive", *score(dump_out, gold)))
        removed = Counter()
        total = removed_tokens = 0
        harm: list[tuple[str, str, str]] = []
        for page, cleaned, steps in gold_runs:
            ref, out = Counter(gold[page]["text"].split()), Counter(cleaned.split())
            total += sum(ref.values())
            lost = sum((ref - out).values())
            removed_tokens += lost
            for step in steps:
                if step["action"] == "removed":
                    removed[step["rule"]] += len(step["text"].split())
                    harm.append((page, step["rule"], step["text"]))
        share = removed_tokens / total if total else 0.0
        print(f"  do-no-harm: {removed_tokens} of {total} gold tokens removed ({share:.3%})")
        for rule_id, n in removed.most_common(8):
            print(f"    {rule_id}: {n} tokens in removed lines")
        for page, rule_id, text in harm[:show_harm]:
            print(f"    [{rule_id}] {page}: {text[:100]}")
    if snippets:
        print(line("snippets: trafilatura alone", *snippet_score(traf_out, snippets)))
        print(line("snippets: cleaner (HTML path)", *snippet_score(html_out, snippets)))
        print(line("snippets: naive as is", *snippet_score({i: r["text"] for i, r in naive.items()}, snippets)))
        print(line("snippets: cleaner on naive", *snippet_score(naive_out, snippets)))
        print(line("snippets: cleaner page-dump on naive", *snippet_score(dump_out, snippets)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="+", type=Path, help="dataset folders (shared/bench layout)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--show-harm", type=int, default=0, help="print this many gold lines that rules removed")
    args = parser.parse_args()
    for folder in args.datasets:
        run_dataset(folder, args.jobs, args.show_harm)


if __name__ == "__main__":
    main()
