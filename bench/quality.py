"""Cleaning quality on pages labelled by others: residue removed, content kept.

Takes one or more dataset folders in the layout of shared/bench (``html/<id>.html.gz``,
``gold.jsonl``, ``naive_text.jsonl``, ``trafilatura_default.jsonl``, and for
trafilatura-eval ``snippets.jsonl``) and prints, per dataset:

* HTML path: trafilatura alone, its stored default output and with comments off
  (``include_comments=False``, computed from the HTML with the installed trafilatura
  and cached, bench/trafilatura_runs.py: the anchor at its best setting), vs cleaner on
  the same HTML, and beside them the resiliparse path: ``extract_plain_text(main_content=True)`` with
  cleaner's options alone, and ``cleaner --extractor resiliparse`` (also with
  ``--pack corpus``), so that the two extractors can be chosen between with figures;
* text path: the residue-laden naive text as is vs cleaner on it, with the default
  pack and with the opt-in ``page-dump`` pack;
* do-no-harm: cleaner on the gold texts, the share of gold tokens it removed, and
  the rules that removed them (``--show-harm N`` prints the removed lines);
* snippets: ``with`` strings kept and ``without`` strings gone, for the HTML path;
* the corpus mode (bench/corpus_quality.py): the pages grouped by site as a user would
  store them (the host of the page's URL, else a site of its own) and cleaned as one
  corpus, scan then clean: ``--pack corpus`` on trafilatura's texts (HTML path) and on
  the naive texts, and ``--pack page-dump --pack corpus`` on the naive texts. Duplicates
  are measured apart: corpus/duplicates runs with ``mark = true``, so every page is
  scored with its own text, and the pages it would drop are a table of their own
  (the copy kept, the rule's Jaccard estimate, and how alike the two gold texts are).
  Do-no-harm of ``--pack corpus`` runs each site's gold texts together, beside the
  default pack's, with the template rule's own part;
* with ``page_type`` in gold.jsonl (sites, news-sites), every row's F1 per page type;
* at the end, issue 22's "Done when" checks on the datasets given (see ``TARGETS``):
  per page type, page-dump + corpus vs page-dump and HTML + corpus vs HTML (a type
  where corpus is below by more than 0.005 is flagged), the issue's figures, and the
  corpus pack's do-no-harm.

Metric (the datasets' README): bag of words over whitespace tokens, multiset overlap,
precision/recall/F1 per page, then the mean. Cleaner's output is scored with headings
written plain, so that Markdown markers do not count as tokens.

    python bench/quality.py ../shared/bench/scrapinghub ../shared/bench/readability ../shared/bench/sites \
        ../shared/bench/news-sites --jobs 1

``--set RULE:KEY=VALUE`` gives every pipeline a rule option (a candidate setting), and
``--page-scores FILE.json`` writes every row's F1 per page: bench/lodo.py ``--runs``
chooses among such runs leave-one-dataset-out.

``--by-site`` adds, per site with 3+ pages, page-dump and HTML with and without the corpus
pack (where the template rule acts), the largest loss first.

``--html-only`` prints the HTML rows alone (no text path, no do-no-harm): the
extractors side by side in about a third of the time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from collections import Counter, defaultdict
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from statistics import mean
from typing import NamedTuple

from cleaner.io.decode import decode_html
from cleaner.io.html import extract_main_text
from cleaner.io.resiliparse_html import OPTIONS as RESILIPARSE_OPTIONS
from cleaner.loading.pack import PackError, load_pack
from corpus_quality import (  # bench/ is on sys.path when run as a script
    MARK,
    Duplicate,
    Harm,
    PageResult,
    as_corpus,
    clean_as_corpus,
    duplicates_dropped,
    duplicates_found,
    evidence,
    harm,
    scored_texts,
    site_map,
)
from trafilatura_runs import texts as trafilatura_texts

PLAIN = {"headings/normalise": {"style": "plain"}}
OPTIONS: dict[str, dict] = PLAIN  # every pipeline's rule options: PLAIN and the command line's --set


def merged(*layers: dict[str, dict]) -> dict[str, dict]:
    """Rule options, later layers winning key by key within a rule."""
    out: dict[str, dict] = {}
    for layer in layers:
        for rule_id, values in layer.items():
            out.setdefault(rule_id, {}).update(values)
    return out


def parse_set(item: str) -> dict[str, dict]:
    """``RULE:KEY=VALUE`` (VALUE read as JSON, else as a string) as rule options."""
    target, sep, raw = item.partition("=")
    rule_id, colon, key = target.rpartition(":")
    if not (sep and colon and rule_id and key):
        raise argparse.ArgumentTypeError(f"--set RULE:KEY=VALUE, not {item!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return {rule_id: {key: value}}
CORPUS = ("corpus",)  # cleaner --pack corpus
DUMP_CORPUS = ("page-dump", "corpus")  # cleaner --pack page-dump --pack corpus
TRAF_DEFAULT = "HTML: trafilatura default (stored)"
TRAF_NO_COMMENTS = "HTML: trafilatura, comments off"
HTML = "HTML: cleaner"
HTML_CORPUS = "HTML: cleaner --pack corpus"
DUMP = "text: cleaner page-dump on naive"
DUMP_CORPUS_ROW = "text: page-dump + corpus on naive"
SNIPPET_LABELS = {
    TRAF_DEFAULT: "snippets: trafilatura default",
    TRAF_NO_COMMENTS: "snippets: trafilatura, comments off",
    "HTML: cleaner": "snippets: cleaner (HTML path)",
    "HTML: cleaner --pack corpus": "snippets: cleaner --pack corpus (HTML)",
    "HTML: resiliparse alone": "snippets: resiliparse alone",
    "HTML: cleaner --extractor resiliparse": "snippets: cleaner, resiliparse",
    "HTML: resiliparse + --pack corpus": "snippets: cleaner, resiliparse, corpus",
    "text: naive as is": "snippets: naive as is",
    "text: cleaner on naive": "snippets: cleaner on naive",
    "text: cleaner page-dump on naive": "snippets: cleaner page-dump on naive",
    "text: cleaner --pack corpus on naive": "snippets: corpus on naive",
    "text: page-dump + corpus on naive": "snippets: page-dump + corpus on naive",
}


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


def _init(options: dict[str, dict]) -> None:
    global _pipeline, _page_dump
    _pipeline = load_pack(options=options)
    _page_dump = load_pack(["page-dump"], options=options)


class HtmlRun(NamedTuple):
    """One page through both HTML paths: each extractor's text and cleaner's output on it."""

    page: str
    html: str
    text: str  # trafilatura's, as cleaner lays it out
    cleaned: str
    resiliparse_alone: str  # extract_plain_text(main_content=True) with cleaner's options, as it comes
    resiliparse_text: str  # as cleaner lays it out
    resiliparse_cleaned: str


def _extracted(html: str, extractor: str) -> str:
    try:
        return extract_main_text(html, seconds=None, extractor=extractor)[0]
    except Exception:
        return ""


def clean_html(path: Path) -> HtmlRun:
    """One page through cleaner's HTML path (decode, extract, the default pack) with
    each extractor; also the extracted texts and the page, for the corpus runs."""
    from resiliparse.extract.html2text import extract_plain_text

    html = decode_html(gzip.decompress(path.read_bytes())).text
    text, resili = _extracted(html, "trafilatura"), _extracted(html, "resiliparse")
    return HtmlRun(
        path.name[: -len(".html.gz")], html, text, _pipeline.clean(text).text if text.strip() else "",
        extract_plain_text(html, **RESILIPARSE_OPTIONS), resili, _pipeline.clean(resili).text if resili.strip() else "",
    )


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


class Summary(NamedTuple):
    """What the "Done when" checks need of one dataset: each row's F1 per page type
    ("all" for every page), and the do-no-harm shares (None when not run); and each
    row's F1 per page (for ``--page-scores``, bench/lodo.py's input)."""

    name: str
    f1: dict[str, dict[str, float]]
    counts: dict[str, int]
    harm_default: float | None
    harm_corpus: Harm | None
    pages: dict[str, dict[str, float]]


def run_dataset(folder: Path, jobs: int, show_harm: int, html_only: bool = False,
                by_site: bool = False) -> Summary:
    gold = read_jsonl(folder / "gold.jsonl")
    naive = read_jsonl(folder / "naive_text.jsonl")
    traf = read_jsonl(folder / "trafilatura_default.jsonl")
    snippets = read_jsonl(folder / "snippets.jsonl")
    pages = sorted((folder / "html").glob("*.html.gz"))
    print(f"{folder.name}: {len(pages)} pages, {len(gold)} gold texts")
    naive_texts = {i: r["text"] for i, r in naive.items()}
    gold_texts = {i: g["text"] for i, g in gold.items()}
    page_ids = sorted({*naive_texts, *gold, *(p.name[: -len(".html.gz")] for p in pages)})
    sites = site_map(page_ids, {**snippets, **gold})
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(OPTIONS,)) as pool:
        # the corpus runs are long single tasks: submitted first, the page maps fill the other workers
        corpus = {}
        if not html_only:
            corpus["text"] = submit_corpus(pool, CORPUS, naive_texts, sites)
            corpus["dump"] = submit_corpus(pool, DUMP_CORPUS, naive_texts, sites)
            if gold:
                corpus["gold"] = submit_corpus(pool, CORPUS, gold_texts, sites)
        html_runs = list(pool.map(clean_html, pages, chunksize=4))
        pages_html = {r.page: r.html for r in html_runs}
        corpus["html"] = submit_corpus(pool, CORPUS, {r.page: r.text for r in html_runs}, sites, pages_html)
        corpus["resiliparse"] = submit_corpus(
            pool, CORPUS, {r.page: r.resiliparse_text for r in html_runs}, sites, pages_html
        )
        naive_items = list(naive_texts.items()) if not html_only else []
        naive_out = {p: t for p, t, _ in pool.map(clean_text, naive_items, chunksize=4)}
        dump_out = {p: t for p, t, _ in pool.map(clean_page_dump, naive_items, chunksize=4)}
        gold_items = [(i, r["text"]) for i, r in gold.items()] if not html_only else []
        gold_runs = list(pool.map(clean_text, gold_items, chunksize=4))
        no_comments = trafilatura_texts(folder, ["comments-off"], pool=pool)["comments-off"]
        runs = {mode: future.result() for mode, future in corpus.items()}
    traf_out = {i: r.get("text") or "" for i, r in traf.items()}
    rows = {  # label -> page -> text, in the order printed
        TRAF_DEFAULT: traf_out,
        TRAF_NO_COMMENTS: no_comments,
        HTML: {r.page: r.cleaned for r in html_runs},
        HTML_CORPUS: scored_texts(runs["html"]),
        "HTML: resiliparse alone": {r.page: r.resiliparse_alone for r in html_runs},
        "HTML: cleaner --extractor resiliparse": {r.page: r.resiliparse_cleaned for r in html_runs},
        "HTML: resiliparse + --pack corpus": scored_texts(runs["resiliparse"]),
    }
    if not html_only:
        rows.update(text_rows(naive_texts, naive_out, dump_out, runs))
    print_corpus_shape(sites, runs)
    harm_default = harm_corpus = None
    if gold:
        print_scores(rows, gold)
        if not html_only:
            harm_default = print_harm(gold, gold_runs, show_harm)
            harm_corpus = harm(runs["gold"], gold_texts)
            print_corpus_harm(harm_corpus, harm_default)
    if snippets:
        print_snippets(rows, snippets)
    if any(g.get("page_type") for g in gold.values()):
        print_page_types(rows, gold)
    if by_site and gold:
        print_sites(rows, gold, sites)
    print_duplicates(runs, rows, gold, sites)
    counts = Counter(g.get("page_type") or "?" for g in gold.values())
    counts["all"] = len(gold)
    return Summary(folder.name, {label: f1_by_type(out, gold) for label, out in rows.items()} if gold else {},
                   dict(counts), harm_default, harm_corpus,
                   {label: {i: prf(out.get(i, ""), g["text"])[2] for i, g in sorted(gold.items())}
                    for label, out in rows.items()})


def text_rows(naive_texts: dict[str, str], naive_out: dict[str, str], dump_out: dict[str, str],
              runs: dict[str, list[PageResult]]) -> dict[str, dict[str, str]]:
    """The text path's rows: label -> page -> text."""
    return {
        "text: naive as is": naive_texts,
        "text: cleaner on naive": naive_out,
        DUMP: dump_out,
        "text: cleaner --pack corpus on naive": scored_texts(runs["text"]),
        DUMP_CORPUS_ROW: scored_texts(runs["dump"]),
    }


def submit_corpus(pool: ProcessPoolExecutor, packs: tuple[str, ...], texts: dict[str, str],
                  sites: dict[str, str], pages: dict[str, str] | None = None) -> Future[list[PageResult]]:
    """One corpus run (scan, then clean) of ``texts`` grouped by ``sites``, in a
    worker; ``pages``: the HTML page of each text (the HTML path's corpus run)."""
    # the pages travel apart: a pickled CorpusDoc leaves its page behind (as a scan's sketch does)
    # duplicates marked, not dropped: each page is scored as itself
    return pool.submit(clean_as_corpus, packs, merged(OPTIONS, MARK), as_corpus(texts, sites), pages)


def print_corpus_shape(sites: dict[str, str], runs: dict[str, list[PageResult]]) -> None:
    """How the pages group into a corpus: sites, those with evidence, duplicates marked."""
    big, on_big = evidence(sites)
    marked = ", ".join(f"{mode} {duplicates_dropped(results)}" for mode, results in runs.items())
    print(f"  corpus: {len(set(sites.values()))} sites, {big} with 3+ pages ({on_big} pages); "
          f"duplicates the rule would drop (marked, scored as themselves, table below): {marked}")


def print_scores(rows: dict[str, dict[str, str]], gold: dict[str, dict]) -> None:
    for label, outputs in rows.items():
        print(line(label, *score(outputs, gold)))


def print_harm(gold: dict[str, dict], gold_runs: list[tuple[str, str, list[dict]]], show_harm: int) -> float:
    """Do-no-harm of the default pack, each gold text alone; returns the share removed."""
    removed: Counter[str] = Counter()
    total = removed_tokens = 0
    lines: list[tuple[str, str, str]] = []
    for page, cleaned, steps in gold_runs:
        ref, out = Counter(gold[page]["text"].split()), Counter(cleaned.split())
        total += sum(ref.values())
        lost = sum((ref - out).values())
        removed_tokens += lost
        for step in steps:
            if step["action"] == "removed":
                removed[step["rule"]] += len(step["text"].split())
                lines.append((page, step["rule"], step["text"]))
    share = removed_tokens / total if total else 0.0
    print(f"  do-no-harm: {removed_tokens} of {total} gold tokens removed ({share:.3%})")
    for rule_id, n in removed.most_common(8):
        print(f"    {rule_id}: {n} tokens in removed lines")
    for page, rule_id, text in lines[:show_harm]:
        print(f"    [{rule_id}] {page}: {text[:100]}")
    return share


def print_corpus_harm(found: Harm, default_share: float) -> None:
    """Do-no-harm of ``--pack corpus``, the gold texts of each site run together
    (duplicates marked, so every gold text counts), beside the default pack's."""
    print(f"  do-no-harm, --pack corpus, gold texts grouped by site: {found.lost} of {found.total} "
          f"gold tokens removed ({found.share:.3%}; the default pack alone {default_share:.3%}; "
          f"the template rule's own part {found.template_share:.3%})")
    top = found.by_rule.most_common(8)
    shown = top + [(r, n) for r, n in found.by_rule.items() if r.startswith("corpus/") and (r, n) not in top]
    for rule_id, n in shown:
        print(f"    {rule_id}: {n} tokens in removed lines")
    if found.dropped:
        print(f"    corpus/duplicates dropped {found.dropped} gold texts repeating another "
              f"({found.dropped_tokens} tokens, not counted above: the copy stays)")


def print_sites(rows: dict[str, dict[str, str]], gold: dict[str, dict], sites: dict[str, str],
                min_pages: int = 3) -> None:
    """F1 with and without the corpus pack on each site with ``min_pages`` pages or more
    (the sites where the template rule has evidence), the largest losses first."""
    members: dict[str, list[str]] = defaultdict(list)
    for page in gold:
        members[sites.get(page, page)].append(page)
    pairs = [(a, b) for a, b in ((DUMP, DUMP_CORPUS_ROW), (HTML, HTML_CORPUS)) if a in rows and b in rows]
    big = {site: pages for site, pages in members.items() if len(pages) >= min_pages}
    if not big or not pairs:
        return

    def f1(label: str, pages: list[str]) -> float:
        return mean(prf(rows[label].get(p, ""), gold[p]["text"])[2] for p in pages)

    table = []
    for site, pages in big.items():
        cells = [(f1(a, pages), f1(b, pages)) for a, b in pairs]
        table.append((min(after - before for before, after in cells), site, len(pages), cells))
    print(f"\n  corpus vs no corpus per site with {min_pages}+ pages (largest loss first):\n")
    head = " | ".join(f"{'page-dump' if a == DUMP else 'HTML'} | + corpus | Δ" for a, _ in pairs)
    print(f"| site (pages) | {head} |")
    print("|---|" + "---|---|---|" * len(pairs))
    for _, site, n, cells in sorted(table):
        print(f"| {site} ({n}) | " + " | ".join(f"{a:.3f} | {b:.3f} | {b - a:+.3f}" for a, b in cells) + " |")


RUN_LABELS = {"html": "HTML", "resiliparse": "resiliparse", "text": "naive", "dump": "page-dump",
              "gold": "gold"}
RUN_ROWS = {"html": HTML_CORPUS, "resiliparse": "HTML: resiliparse + --pack corpus",
            "text": "text: cleaner --pack corpus on naive", "dump": DUMP_CORPUS_ROW}


def _short(page: str) -> str:
    return page if len(page) <= 30 else page[:28] + "…"


def print_duplicates(runs: dict[str, list[PageResult]], rows: dict[str, dict[str, str]],
                     gold: dict[str, dict], sites: dict[str, str]) -> None:
    """The documents corpus/duplicates would drop in each corpus run, as a table of
    their own: the copy kept, the rule's verdict per run ("exact" or its Jaccard
    estimate), and the F1 of the copy's gold text against the kept page's gold (near
    1: a true copy; low: dropping it would lose content). Then, per run, the mean F1
    of those pages scored with their own text, and with the kept copy's text (what
    a drop would leave of them)."""
    found = {mode: {(d.page, d.kept): d for d in duplicates_found(results)} for mode, results in runs.items()}
    pairs = sorted({pair for by_pair in found.values() for pair in by_pair})
    if not pairs:
        print("  duplicates: none in any corpus run")
        return
    modes = [m for m in runs if found[m]]
    pages = len({page for page, _ in pairs})
    print(f"\n  duplicates the rule would drop ({pages} pages; a row per page and kept copy; marked, "
          "not dropped, in the rows above):\n")
    runs_head = " | ".join(RUN_LABELS.get(m, m) for m in modes)
    print(f"| page | kept copy | site | {runs_head} | gold F1, copy vs kept |")
    print("|---|---|---|" + "---|" * len(modes) + "---|")
    for page, kept in pairs:
        verdicts = []
        for m in modes:
            d = found[m].get((page, kept))
            verdicts.append("" if d is None else "exact" if d.jaccard is None else f"{d.jaccard:.2f}")
        both = page in gold and kept in gold
        alike = f"{prf(gold[page]['text'], gold[kept]['text'])[2]:.3f}" if both else "?"
        same = sites.get(page) if sites.get(page) == sites.get(kept) else "(two sites)"
        print(f"| {_short(page)} | {_short(kept)} | {same} | " + " | ".join(verdicts) + f" | {alike} |")
    if gold:
        print()
        for m in modes:
            if m not in RUN_ROWS or RUN_ROWS[m] not in rows:
                continue
            out = rows[RUN_ROWS[m]]
            flagged = [d for d in found[m].values() if d.page in gold]
            own = mean(prf(out.get(d.page, ""), gold[d.page]["text"])[2] for d in flagged)
            as_kept = mean(prf(out.get(d.kept, ""), gold[d.page]["text"])[2] for d in flagged)
            print(f"  {RUN_LABELS[m]} + corpus: {len(flagged)} pages flagged, "
                  f"F1 with their own text {own:.3f}, "
                  f"with the kept copy's text {as_kept:.3f}")


def print_snippets(rows: dict[str, dict[str, str]], snippets: dict[str, dict]) -> None:
    for label, outputs in rows.items():
        print(line(SNIPPET_LABELS[label], *snippet_score(outputs, snippets)))


def f1_by_type(outputs: dict[str, str], gold: dict[str, dict]) -> dict[str, float]:
    """Mean F1 over all pages and per ``page_type``."""
    by: dict[str, list[float]] = defaultdict(list)
    for page, g in gold.items():
        f = prf(outputs.get(page, ""), g["text"])[2]
        by["all"].append(f)
        by[g.get("page_type") or "?"].append(f)
    return {k: mean(v) for k, v in by.items()}


def print_page_types(rows: dict[str, dict[str, str]], gold: dict[str, dict]) -> None:
    """F1 of every row per page type, as a Markdown table (largest types first)."""
    counts = Counter(g.get("page_type") or "?" for g in gold.values())
    columns = ["all", *(t for t, _ in counts.most_common())]
    counts["all"] = len(gold)
    print("\n  F1 by page type:\n")
    print("| | " + " | ".join(f"{c} ({counts[c]})" for c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label, outputs in rows.items():
        f = f1_by_type(outputs, gold)
        print(f"| {label} | " + " | ".join(f"{f[c]:.3f}" for c in columns) + " |")


#: issue 22's "Done when" figures, by dataset folder name: (row, page type) -> the F1 to reach
TARGETS: dict[str, dict[tuple[str, str], float]] = {
    "news-sites": {(DUMP_CORPUS_ROW, "all"): 0.94, (HTML_CORPUS, "all"): 0.90},
    "sites": {(DUMP_CORPUS_ROW, "all"): 0.76, (HTML_CORPUS, "all"): 0.78,
              (HTML, "forum"): 0.70, (HTML_CORPUS, "forum"): 0.70,
              (HTML, "article"): 0.934, (HTML_CORPUS, "article"): 0.934},
    # unchanged: today's figures
    "scrapinghub": {(HTML, "all"): 0.956, (DUMP, "all"): 0.864},
    "readability": {(HTML, "all"): 0.931, (DUMP, "all"): 0.886},
}
#: page types on which the HTML path must reach the better of the two trafilatura settings (item 3)
AT_LEAST_TRAFILATURA = {"sites": ("forum", "article")}
TOLERANCE = 0.005  # corpus may cost this much F1 on a page type, no more
HARM_CORPUS, HARM_TEMPLATE = 0.005, 0.0025  # do-no-harm ceilings: the corpus pack, the template rule's part


def _mark(ok: bool) -> str:
    return "ok" if ok else "**NOT MET**"


def print_done_when(summaries: list[Summary]) -> None:
    """Issue 22's "Done when" checks on the datasets run (those it names; held-out
    sets are not here): corpus vs no corpus per page type, the figures, do-no-harm."""
    summaries = [s for s in summaries if s.f1]
    if not summaries:
        return
    print("\nDone when (issue 22), on the datasets given:")
    typed = [s for s in summaries if DUMP in s.f1 and len(s.counts) > 1 and set(s.counts) != {"all", "?"}]
    if typed:
        print("\n  corpus vs no corpus, per page type (Δ below -0.005 flagged):\n")
        print("| set | page type | page-dump | + corpus | Δ | HTML | + corpus | Δ "
              "| trafilatura, better setting | |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for s in typed:
            for t in sorted(s.counts, key=lambda t: (t != "all", -s.counts[t], t)):
                d0, d1 = s.f1[DUMP][t], s.f1[DUMP_CORPUS_ROW][t]
                h0, h1 = s.f1[HTML][t], s.f1[HTML_CORPUS][t]
                traf = max(s.f1[TRAF_DEFAULT][t], s.f1[TRAF_NO_COMMENTS][t])
                deltas = (("page-dump", d1 - d0), ("HTML", h1 - h0))
                bad = [name for name, delta in deltas if delta < -TOLERANCE]
                flag = "**corpus below: " + ", ".join(bad) + "**" if bad else "ok"
                print(f"| {s.name} | {t} ({s.counts[t]}) | {d0:.3f} | {d1:.3f} | {d1 - d0:+.3f} | {h0:.3f} | "
                      f"{h1:.3f} | {h1 - h0:+.3f} | {traf:.3f} | {flag} |")
    print("\n  figures:\n")
    for s in summaries:
        for (label, t), target in TARGETS.get(s.name, {}).items():
            if label in s.f1 and t in s.f1[label]:
                f = s.f1[label][t]
                met = round(f, 3) >= target
                print(f"  - {s.name}, {label}, {t}: {f:.3f} (target {target:.3f}) {_mark(met)}")
        for t in AT_LEAST_TRAFILATURA.get(s.name, ()):
            if t in s.counts:
                best = max(s.f1[TRAF_DEFAULT][t], s.f1[TRAF_NO_COMMENTS][t])
                for label in (HTML, HTML_CORPUS):
                    f = s.f1[label][t]
                    print(f"  - {s.name}, {label}, {t}: {f:.3f} vs trafilatura's better setting {best:.3f} "
                          f"{_mark(round(f, 3) >= round(best, 3))}")
    harmed = [s for s in summaries if s.harm_corpus is not None]
    if harmed:
        print("\n  do-no-harm (gold texts run together by site, duplicates marked apart):\n")
        print("| set | default pack alone | --pack corpus (≤ 0.5 %) "
              "| template rule's part (≤ 0.25 %) | |")
        print("|---|---|---|---|---|")
        for s in harmed:
            h = s.harm_corpus
            assert h is not None
            ok = h.share <= HARM_CORPUS and h.template_share <= HARM_TEMPLATE
            print(f"| {s.name} | {s.harm_default or 0:.3%} | {h.share:.3%} | {h.template_share:.3%} "
                  f"| {_mark(ok)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="+", type=Path, help="dataset folders (shared/bench layout)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--show-harm", type=int, default=0, help="print this many gold lines that rules removed")
    parser.add_argument("--html-only", action="store_true", help="the HTML rows only (both extractors)")
    parser.add_argument("--by-site", action="store_true",
                        help="corpus vs no corpus per site with 3+ pages (where the template rule acts)")
    parser.add_argument("--set", dest="options", action="append", type=parse_set, default=[],
                        metavar="RULE:KEY=VALUE",
                        help="a rule option for every pipeline (repeatable; VALUE as JSON), e.g. a candidate "
                             "setting whose --page-scores bench/lodo.py --runs compares")
    parser.add_argument("--page-scores", type=Path, metavar="FILE.json",
                        help="write each row's F1 per page and dataset here (bench/lodo.py --runs reads it)")
    args = parser.parse_args()
    global OPTIONS
    OPTIONS = merged(PLAIN, *args.options)
    try:  # an unknown rule or option is refused here, not in a worker
        load_pack(list(DUMP_CORPUS), options=merged(OPTIONS, MARK))
    except PackError as error:
        parser.error(str(error))
    summaries = [run_dataset(folder, args.jobs, args.show_harm, args.html_only, args.by_site)
                 for folder in args.datasets]
    print_done_when(summaries)
    if args.page_scores:
        rows: dict[str, dict[str, dict[str, float]]] = {}
        for s in summaries:
            for label, by_page in s.pages.items():
                rows.setdefault(label, {})[s.name] = by_page
        found = {"options": OPTIONS, "rows": rows}
        args.page_scores.write_text(json.dumps(found, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
