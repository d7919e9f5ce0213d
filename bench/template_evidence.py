"""Template evidence and the page's own judgement: the four corpus rows of
bench/quality.py per page type, one process, with cached extractions.

For each dataset folder (shared/bench layout) it prints bag-of-words F1 (the metric
of bench/quality.py) per page type for

* ``dump``: ``--pack page-dump`` on the naive texts, page by page;
* ``dump+corpus``: ``--pack page-dump --pack corpus`` on the naive texts, grouped by site;
* ``html``: the default pack on cleaner's trafilatura text;
* ``html+corpus``: ``--pack corpus`` on the same texts, with each page's HTML;

plus the column ``evid.`` (pages whose site has 3+ pages) and do-no-harm of ``--pack
corpus`` on the gold texts run together by site (all rules, and the template rule's part).

Trafilatura's texts are cached under ``--cache`` (they do not depend on the rules
measured here). ``--set page.NAME=VALUE`` (repeatable) sets a module constant of
``cleaner.rules.page``, ``cleaner.corpus.templates`` or ``cleaner.rules.corpus`` before
the runs (a JSON value: ``--set 'page.OWN_PROSE_SHARE=[0.3,0.5]'``), so that a threshold
can be swept; ``--run`` picks the rows computed (``dump,dump+corpus,html,html+corpus,harm``;
a sweep of page/main-text needs ``dump+corpus`` alone, ~20 s for sites and news-sites);
``--save FILE`` writes every page's F1 and precision per row as JSON, which ``--lodo
FILE...`` reads back: per setting each dataset's mean F1 over ``--rows``, then for each
dataset left out the setting best on the others (mean over them) and its left-out figure.

    python bench/template_evidence.py ../shared/bench/sites ../shared/bench/news-sites --save /tmp/a.json
    python bench/template_evidence.py ../shared/bench/sites ../shared/bench/news-sites --run dump+corpus \
        --set 'page.OWN_PROSE_SHARE=[0.3,0.5]' --save /tmp/sweep/r0.3_0.5.json
    python bench/template_evidence.py --lodo /tmp/sweep/*.json --rows dump+corpus
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
from collections import Counter, defaultdict
from pathlib import Path
from statistics import mean

from corpus_quality import as_corpus, clean_as_corpus, harm, scored_texts, site_map  # bench/ on sys.path
from quality import PLAIN, prf, read_jsonl

from cleaner.io.decode import decode_html
from cleaner.io.html import extract_main_text
from cleaner.loading.pack import load_pack

ROWS = ("dump", "dump+corpus", "html", "html+corpus")
CORPUS = ("corpus",)


def trafilatura_texts(folder: Path, cache: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each page's decoded HTML and cleaner's trafilatura text (cached)."""
    cache.mkdir(parents=True, exist_ok=True)
    stored = cache / f"{folder.name}.trafilatura.json"
    known = json.loads(stored.read_text()) if stored.exists() else {}
    pages, texts = {}, {}
    for path in sorted((folder / "html").glob("*.html.gz")):
        page = path.name[: -len(".html.gz")]
        pages[page] = decode_html(gzip.decompress(path.read_bytes())).text
        if page not in known:
            try:
                known[page] = extract_main_text(pages[page], seconds=None, extractor="trafilatura")[0]
            except Exception:
                known[page] = ""
        texts[page] = known[page]
    stored.write_text(json.dumps(known))
    return pages, texts


def run(folder: Path, cache: Path, rows: tuple[str, ...] = ROWS) -> dict[str, object]:
    gold = read_jsonl(folder / "gold.jsonl")
    naive = {i: r["text"] for i, r in read_jsonl(folder / "naive_text.jsonl").items()}
    html, traf = trafilatura_texts(folder, cache) if {"html", "html+corpus"} & set(rows) else ({}, {})
    ids = sorted({*naive, *gold, *traf})
    sites = site_map(ids, gold)
    dump_pack, plain_pack = load_pack(["page-dump"], options=PLAIN), load_pack(options=PLAIN)

    def each(pack, texts):
        out = {}
        for page, text in texts.items():
            outcome = pack.clean(text) if text.strip() else None
            out[page] = outcome.text if outcome is not None and outcome.status == "ok" else ""
        return out

    outputs = {}
    if "dump" in rows:
        outputs["dump"] = each(dump_pack, naive)
    if "dump+corpus" in rows:
        corpus = as_corpus(naive, sites)
        outputs["dump+corpus"] = scored_texts(clean_as_corpus(("page-dump", "corpus"), PLAIN, corpus))
    if "html" in rows:
        outputs["html"] = each(plain_pack, traf)
    if "html+corpus" in rows:
        outputs["html+corpus"] = scored_texts(clean_as_corpus(CORPUS, PLAIN, as_corpus(traf, sites), html))
    outputs = {row: outputs[row] for row in ROWS if row in outputs}
    gold_texts = {i: g["text"] for i, g in gold.items()}
    found = None
    if "harm" in rows:
        found = harm(clean_as_corpus(CORPUS, PLAIN, as_corpus(gold_texts, sites)), gold_texts)
    site_pages = Counter(sites.values())
    return {
        "types": {i: g.get("page_type") or "page" for i, g in gold.items()},
        "evidence": {i: site_pages[sites[i]] >= 3 for i in gold},
        "f1": {row: {i: prf(out.get(i, ""), g["text"])[2] for i, g in gold.items()}
               for row, out in outputs.items()},
        "precision": {row: {i: prf(out.get(i, ""), g["text"])[0] for i, g in gold.items()}
                      for row, out in outputs.items()},
        "harm": found and {"lost": found.lost, "total": found.total,
                           "template": found.by_rule.get("corpus/site-template", 0)},
    }


def table(name: str, result: dict) -> None:
    types, evid = result["types"], result["evidence"]
    counts = Counter(types.values())
    columns = ["all", *(t for t, _ in counts.most_common()), "evid."]
    size = {"all": len(types), "evid.": sum(evid.values()), **counts}
    print(f"\n{name}\n| | " + " | ".join(f"{c} ({size[c]})" for c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for row in result["f1"]:
        f1 = result["f1"][row]
        groups: dict[str, list[float]] = defaultdict(list)
        for page, f in f1.items():
            groups["all"].append(f)
            groups[types[page]].append(f)
            if evid[page]:
                groups["evid."].append(f)
        cells = (f"{mean(groups[c]):.3f}" if groups[c] else "-" for c in columns)
        print(f"| {row} | " + " | ".join(cells) + " |")
    h = result["harm"]
    if not h:
        return
    share = h["lost"] / h["total"] if h["total"] else 0.0
    template = h["template"] / h["total"] if h["total"] else 0.0
    print(f"do-no-harm (--pack corpus, gold by site): {share:.3%}; "
          f"corpus/site-template's part {template:.3%}")


def apply_settings(settings: list[str]) -> None:
    modules = {"page": "cleaner.rules.page", "templates": "cleaner.corpus.templates",
               "corpus": "cleaner.rules.corpus"}
    for setting in settings:
        name, value = setting.split("=", 1)
        module, attr = name.split(".", 1)
        target = importlib.import_module(modules[module])
        if not hasattr(target, attr):
            raise SystemExit(f"{modules[module]} has no {attr}")
        setattr(target, attr, type(getattr(target, attr))(json.loads(value)))


def lodo(files: list[Path], rows: tuple[str, ...]) -> None:
    """Per setting file: each dataset's mean F1 on ``rows``; then leave-one-dataset-out:
    the setting best on the other datasets (mean over them), scored on the one left out."""
    runs = {f.stem: json.loads(f.read_text()) for f in files}
    datasets = sorted({d for r in runs.values() for d in r["results"]})

    def figure(setting: str, dataset: str) -> float:
        f1 = runs[setting]["results"][dataset]["f1"]
        return mean(mean(f1[row].values()) for row in rows)

    print("setting | " + " | ".join(datasets))
    for setting in runs:
        print(f"{setting} | " + " | ".join(f"{figure(setting, d):.4f}" for d in datasets))
    for left in datasets:
        rest = [d for d in datasets if d != left]
        best = max(runs, key=lambda s: (mean(figure(s, d) for d in rest), s))
        print(f"left out {left}: fitted {best} on {', '.join(rest)}; left-out {figure(best, left):.4f}, "
              f"in-sample best {max(figure(s, left) for s in runs):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/template_evidence"))
    parser.add_argument("--set", action="append", default=[], help="module.CONSTANT=json value")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--lodo", type=Path, nargs="+")
    parser.add_argument("--rows", default="dump+corpus,html+corpus", help="rows fitted by --lodo")
    parser.add_argument("--run", default=",".join(ROWS + ("harm",)), help="rows to compute")
    args = parser.parse_args()
    if args.lodo:
        lodo(args.lodo, tuple(args.rows.split(",")))
        return
    apply_settings(args.set)
    results = {}
    for folder in args.datasets:
        results[folder.name] = run(folder, args.cache, tuple(args.run.split(",")))
        table(folder.name, results[folder.name])
    if args.save:
        args.save.write_text(json.dumps({"settings": args.set, "results": results}))


if __name__ == "__main__":
    main()
