"""Site templates on a benchmark folder: what removing them does, per page type.

Takes a dataset folder in the layout of shared/bench (``gold.jsonl`` with ``site``
or ``url`` and ``page_type``, ``naive_text.jsonl``, ``trafilatura_default.jsonl``),
groups the pages by site as a corpus run would, and prints bag-of-words F1 (the
metric of bench/quality.py) per page type for:

* the naive whole-page text as is, minus the lines on 2+ pages of its site (the
  blunt count), and minus the template (:mod:`cleaner.corpus.templates`);
* trafilatura's text as is and minus the template (statistics from trafilatura's
  texts), and the HTML-path choice: the page's own text (naive) minus the template
  where trafilatura kept little of it (:func:`~cleaner.corpus.templates.prefer_own_text`);
* for scale, the ceiling of line removal by recurrence: the naive text minus every
  line on 3+ pages of its site that is not mostly (>= 70 %) gold words;

then do-no-harm: the gold texts of each site run together through the method, and
the share of gold tokens it removed. ``--sensitivity`` adds F1 and do-no-harm at
neighbouring values of each threshold; ``--page-dump`` shows where the template
rule belongs with the page-dump pack (before page/main-text, or instead of it on
pages whose site gives evidence). The column "evid." is the mean over the pages
whose site gives evidence (3+ distinct pages): the others are left as they are.

    python bench/templates.py ../shared/bench/sites --sensitivity
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path
from statistics import mean
from typing import Any, Callable
from urllib.parse import urlsplit

from quality import prf, read_jsonl  # bench/ is on sys.path when run as a script
from cleaner.corpus.templates import (
    BLOCK_SHARE,
    MAIN_TEXT_SHARE,
    MIN_PAGES,
    MIN_RUN,
    PROSE_SHARE,
    SiteStats,
    line_key,
    normalise,
    prefer_own_text,
    sketch,
    template_lines,
    without_lines,
)

TYPES = ("article", "documentation", "collection", "product", "service", "forum", "listing")


def site_of(row: dict[str, Any]) -> str:
    if row.get("site") is not None:
        return str(row["site"])
    host = urlsplit(row.get("url") or "").hostname or ""
    return host[4:] if host.startswith("www.") else host


def gather(texts: dict[str, str], sites: dict[str, str], min_pages: int = MIN_PAGES) -> dict[str, SiteStats]:
    """Each site's finished statistics over ``texts`` (page id -> text)."""
    stats: dict[str, SiteStats] = {}
    for page, text in texts.items():
        site = sites[page]
        stats.setdefault(site, SiteStats(site)).add(sketch(text))
    return {site: s.finished(min_pages) for site, s in stats.items()}


def minus_template(texts: dict[str, str], sites: dict[str, str], **options: Any) -> dict[str, str]:
    stats = gather(texts, sites, options.get("min_pages", MIN_PAGES))
    return {p: without_lines(t, template_lines(t, stats[sites[p]], **options)) for p, t in texts.items()}


def minus_blunt(texts: dict[str, str], sites: dict[str, str]) -> dict[str, str]:
    """Every line that is on 2+ pages of its site goes (the issue's quick check:
    no evidence threshold, copies counted as pages)."""
    pages_with: dict[str, Counter[str]] = defaultdict(Counter)
    for page, text in texts.items():
        pages_with[sites[page]].update({normalise(x) for x in text.split("\n") if x.strip()})
    return {
        p: "\n".join(x for x in t.split("\n") if not (x.strip() and pages_with[sites[p]][normalise(x)] >= 2))
        for p, t in texts.items()
    }


def ceiling(texts: dict[str, str], sites: dict[str, str], gold: dict[str, dict[str, Any]]) -> dict[str, str]:
    stats = gather(texts, sites)
    out = {}
    for page, text in texts.items():
        words = Counter(gold[page]["text"].split())
        keep = []
        for line in text.split("\n"):
            tokens = line.split()
            recurs = stats[sites[page]].pages_with(line_key(line)) >= MIN_PAGES if tokens else False
            if recurs and sum(1 for w in tokens if words[w]) < 0.7 * len(tokens):
                continue
            keep.append(line)
        out[page] = "\n".join(keep)
    return out


def html_choice(naive: dict[str, str], traf: dict[str, str], sites: dict[str, str], share: float) -> dict[str, str]:
    """Trafilatura minus the template, or the page's own text minus the template
    where trafilatura kept less than ``share`` of it and the site gives evidence."""
    own, main = minus_template(naive, sites), minus_template(traf, sites)
    stats = gather(naive, sites)
    return {p: own[p] if prefer_own_text(main[p], own[p], stats[sites[p]], share=share) else main[p] for p in naive}


class Scorer:
    def __init__(self, gold: dict[str, dict[str, Any]], evidence: set[str]) -> None:
        self.gold, self.evidence = gold, evidence
        present = {g.get("page_type") for g in gold.values()}
        self.types = [t for t in TYPES if t in present] + sorted(t for t in present - set(TYPES) if t)

    def f1(self, outputs: dict[str, str]) -> dict[str, float]:
        by: dict[str, list[float]] = defaultdict(list)
        for page, g in self.gold.items():
            f = prf(outputs.get(page, ""), g["text"])[2]
            by["all"].append(f)
            by[g.get("page_type") or "?"].append(f)
            if page in self.evidence:
                by["evid."].append(f)
        return {k: mean(v) for k, v in by.items()}

    def header(self) -> str:
        counts = Counter(g.get("page_type") for g in self.gold.values())
        cols = [f"all ({len(self.gold)})"] + [f"{t} ({counts[t]})" for t in self.types] + [f"evid. ({len(self.evidence)})"]
        return "| | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols)

    def row(self, label: str, outputs: dict[str, str]) -> str:
        f = self.f1(outputs)
        cells = [f.get(k, 0.0) for k in ["all", *self.types, "evid."]]
        return f"| {label} | " + " | ".join(f"{c:.3f}" for c in cells) + " |"


def do_no_harm(gold: dict[str, dict[str, Any]], sites: dict[str, str], **options: Any) -> tuple[int, int, Counter[str]]:
    """Gold tokens the method removes from the gold texts grouped by site."""
    texts = {p: g["text"] for p, g in gold.items()}
    cleaned = minus_template(texts, sites, **options)
    lost, total, by_site = 0, 0, Counter[str]()
    for page, text in texts.items():
        ref = Counter(text.split())
        gone = sum((ref - Counter(cleaned[page].split())).values())
        total += sum(ref.values())
        lost += gone
        by_site[sites[page]] += gone
    return lost, total, by_site


def sensitivity(scorer: Scorer, naive: dict[str, str], traf: dict[str, str], gold: dict[str, dict[str, Any]],
                sites: dict[str, str]) -> None:
    print("\nSensitivity (naive minus template; one threshold moved, the others at their defaults):\n")
    print("| setting | all | evid. | do-no-harm |\n|---|---|---|---|")
    grid: list[tuple[str, dict[str, Any]]] = (
        [(f"min_pages {v}", {"min_pages": v}) for v in (2, 3, 4)]
        + [(f"min_run {v}", {"min_run": v}) for v in (1, 2, 3, 4, 5)]
        + [(f"prose_share {v}", {"prose_share": v}) for v in (0.0, 0.25, 0.5, 0.75)]
        + [(f"block_share {v}", {"block_share": v}) for v in (0.0, 0.25, 0.4, 0.5, 0.6, 0.75)]
        + [("at_edges off", {"at_edges": False})]
    )
    for label, options in grid:
        f = scorer.f1(minus_template(naive, sites, **options))
        lost, total, _ = do_no_harm(gold, sites, **options)
        mark = " (default)" if all(
            options.get(k, d) == d for k, d in (("min_pages", MIN_PAGES), ("min_run", MIN_RUN), ("prose_share", PROSE_SHARE),
                                                ("block_share", BLOCK_SHARE))
        ) and options.get("at_edges", True) else ""
        print(f"| {label}{mark} | {f['all']:.3f} | {f['evid.']:.3f} | {lost / total:.3%} |")
    print("\nHTML path, the share of the own text below which trafilatura's output is replaced:\n")
    print(scorer.header())
    for share in (0.2, 0.3, 0.35, 0.4, 0.5, 0.6):
        mark = " (default)" if share == MAIN_TEXT_SHARE else ""
        print(scorer.row(f"share {share}{mark}", html_choice(naive, traf, sites, share)))


def with_page_dump(scorer: Scorer, naive: dict[str, str], sites: dict[str, str], evidence: set[str]) -> None:
    """The template rule next to the page-dump pack (its page/main-text keeps the
    best prose runs of a page): which order, and whether page/main-text should run
    at all where the template is known."""
    from cleaner.loading.pack import load_pack  # only here: the rest of this script needs no pack

    plain = {"headings/normalise": {"style": "plain"}}
    packs = {"default": load_pack(options=plain), "page-dump": load_pack(["page-dump"], options=plain)}

    def run(pack: str, texts: dict[str, str]) -> dict[str, str]:
        outcomes = {p: packs[pack].clean(t) for p, t in texts.items()}
        return {p: o.text if o.status == "ok" else "" for p, o in outcomes.items()}

    dump = run("page-dump", naive)
    own = minus_template(naive, sites)
    then_dump, then_default = run("page-dump", own), run("default", own)
    print("\nWith the page-dump pack (naive text):\n")
    print(scorer.header())
    print(scorer.row("page-dump", dump))
    print(scorer.row("page-dump, then template", minus_template(dump, sites)))
    print(scorer.row("template, then page-dump", then_dump))
    print(scorer.row("template, then default pack", then_default))
    print(scorer.row("template + default where evidence, else page-dump",
                     {p: then_default[p] if p in evidence else dump[p] for p in naive}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path, help="dataset folder (shared/bench layout, with site or url per page)")
    parser.add_argument("--sensitivity", action="store_true", help="also print F1 at neighbouring thresholds")
    parser.add_argument("--page-dump", action="store_true", help="also run the page-dump pack with the template rule")
    parser.add_argument("--top", type=int, default=6, help="sites listed under do-no-harm")
    args = parser.parse_args()
    gold = read_jsonl(args.dataset / "gold.jsonl")
    if not gold:
        parser.error(f"{args.dataset / 'gold.jsonl'} is missing or empty: give a folder in the shared/bench layout")
    naive_rows = read_jsonl(args.dataset / "naive_text.jsonl")
    naive = {p: (naive_rows.get(p) or {}).get("text") or "" for p in gold}
    traf_rows = read_jsonl(args.dataset / "trafilatura_default.jsonl")
    traf = {p: (traf_rows.get(p) or {}).get("text") or "" for p in gold}
    sites = {p: site_of(g) for p, g in gold.items()}
    stats = gather(naive, sites)
    evidence = {p for p in gold if stats[sites[p]].pages >= MIN_PAGES}
    scorer = Scorer(gold, evidence)
    with_evidence = sum(1 for s in stats.values() if s.pages >= MIN_PAGES)
    print(f"{args.dataset.name}: {len(gold)} pages, {len(stats)} sites, {with_evidence} with evidence "
          f"({len(evidence)} pages); copies counted once: {sum(s.copies for s in stats.values())}\n")
    print(scorer.header())
    print(scorer.row("naive as is", naive))
    print(scorer.row("naive minus blunt count (2+ pages)", minus_blunt(naive, sites)))
    print(scorer.row("naive minus template", minus_template(naive, sites)))
    print(scorer.row("trafilatura", traf))
    print(scorer.row("trafilatura minus template", minus_template(traf, sites)))
    print(scorer.row(f"HTML choice (own text if trafilatura < {MAIN_TEXT_SHARE:.0%})",
                     html_choice(naive, traf, sites, MAIN_TEXT_SHARE)))
    print(scorer.row("ceiling: naive minus non-gold recurring lines", ceiling(naive, sites, gold)))
    lost, total, by_site = do_no_harm(gold, sites)
    print(f"\ndo-no-harm (gold texts grouped by site): {lost} of {total} gold tokens removed ({lost / total:.3%})")
    for site, n in by_site.most_common(args.top):
        if n:
            print(f"  {site or '(no site)'}: {n}")
    if args.sensitivity:
        sensitivity(scorer, naive, traf, gold, sites)
    if args.page_dump:
        with_page_dump(scorer, naive, sites, evidence)


if __name__ == "__main__":
    main()
