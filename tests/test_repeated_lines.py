"""``corpus/repeated-lines`` (issue 14, item 2): lines pages of many different sites
print go, counted in distinct sites, in blocks or at a page's edges; a site's own
template is not this rule's, and the rule runs only when enabled."""

from __future__ import annotations

import json
import pickle
import random
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus import templates
from cleaner.corpus.line_counts import SiteLineCounts
from cleaner.corpus.model import CorpusDoc
from cleaner.corpus.repeated import RepeatedLineStats, repeated_lines
from cleaner.corpus.scan import clean_corpus, scan_corpus
from cleaner.loading.pack import load_pack

RULE = "corpus/repeated-lines"
GENERIC = ["Skip to main content", "Sign in", "Share on Facebook"]
BIG_MENU = ["Garden tools", "Seed catalogue", "Our nurseries"]
SMALL_SITES = ("a.org", "b.net", "c.com", "d.io")
REASON = "on pages of 4 sites, in a block of 3 such lines"


BIRDS = ["herons", "geese", "plovers", "curlews", "egrets", "swans"]
PLACES = ["marsh", "estuary", "reed beds", "old quarry", "harbour wall", "water meadow"]
EVENTS = ["the storm arrived", "the tide turned", "the ferry left", "the frost set in", "the fair", "dawn"]


def own_text(site: str, n: int) -> str:
    """A page's own text: two sentences, different on every page (not near-duplicates)."""
    return (f"The volunteers of {site} counted {n + 3} {BIRDS[n]} on the {PLACES[n]} before {EVENTS[n]}.\n\n"
            f"Their {PLACES[-1 - n]} survey found {BIRDS[-1 - n]} nesting again after {EVENTS[-1 - n]} "
            "last year.\n")


def page(block: list[str], site: str, n: int) -> str:
    return "\n".join(block) + "\n\n" + own_text(site, n)


def small_sites_and_a_big_one() -> list[tuple[CorpusDoc, str]]:
    """Four sites of one page each, all printing the generic block; one site of six
    pages printing its own menu block (its template, on no other site)."""
    texts = [(site, page(GENERIC, site, 0)) for site in SMALL_SITES]
    texts += [("big.org", page(BIG_MENU, "big.org", n)) for n in range(6)]
    return [(CorpusDoc(f"doc{n}", n, site), text) for n, (site, text) in enumerate(texts)]


def without_site_template(**options):
    """The corpus pack with the rule, without the site rule (a big site's template stays for this rule)."""
    return load_pack(["corpus"], enable=[RULE], disable=["corpus/site-template"], **options)


def steps_of(outcome, rule_id=RULE):
    return [s for s in outcome.steps if s.rule == rule_id]


def test_generic_lines_on_four_sites_go_and_one_big_sites_menu_stays():
    corpus = small_sites_and_a_big_one()
    outcomes = clean_corpus(without_site_template(), corpus, trace=True)
    for (doc, _), outcome in zip(corpus, outcomes):
        lines = outcome.text.split("\n")
        if doc.site == "big.org":  # six pages, one site: its template is the site rule's, not this one's
            assert all(line in lines for line in BIG_MENU) and not steps_of(outcome)
        else:
            assert not any(line in lines for line in GENERIC), outcome.text
            assert [s.why for s in steps_of(outcome)] == [REASON] * 3
        assert f"The volunteers of {doc.site} counted" in outcome.text  # the page's own text stays


def test_min_sites_is_tunable_and_a_line_on_fewer_sites_stays():
    corpus = small_sites_and_a_big_one()
    outcomes = clean_corpus(without_site_template(options={RULE: {"min_sites": 5}}), corpus, trace=True)
    assert not any(steps_of(o) for o in outcomes)


def test_min_sites_below_two_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="min_sites must be 2 or more"):
        RepeatedLineStats(min_sites=1)


def test_the_rule_is_opt_in_and_enable_places_it_after_the_other_corpus_rules():
    assert RULE not in [r.id for r in load_pack(["corpus"]).rules]
    for packs in (["corpus"], ["page-dump", "corpus"]):
        ids = [r.id for r in load_pack(packs, enable=[RULE]).rules]
        assert ids.index("corpus/site-template") < ids.index("corpus/duplicates") < ids.index(RULE)
        assert ids.index(RULE) < min(i for i, r in enumerate(ids) if r.startswith("residue/"))


def random_pages(n: int, seed: int = 3) -> list[tuple[str, list[int]]]:
    """Pages of seven sites and pages without a site, drawing from shared and own lines."""
    rng = random.Random(seed)
    shared = [rng.getrandbits(64) for _ in range(40)]
    found = []
    for _ in range(n):
        site = rng.choice(["", "", "a", "b", "c", "d", "e", "f", "g"])
        own = {rng.getrandbits(64) for _ in range(rng.randint(0, 20))}
        keys = set(rng.sample(shared, rng.randint(0, 15))) | own
        found.append((site, sorted(keys)))
    return found


def sites_per_line(pages: list[tuple[str, list[int]]]) -> dict[int, int]:
    """The reference: a set of sites per line, each page without a site a site of its own."""
    on: dict[int, set[str]] = defaultdict(set)
    for n, (site, keys) in enumerate(pages):
        for key in keys:
            on[key].add(site or f"page {n}")
    return {key: len(sites) for key, sites in on.items()}


@pytest.mark.parametrize("buffer", [1 << 19, 64], ids=["in memory", "spilled"])
def test_sites_are_counted_exactly_in_memory_and_spilled(tmp_path, buffer):
    pages = random_pages(600)
    counts = SiteLineCounts(buffer=buffer, folder=tmp_path)
    for site, keys in pages:
        counts.add(site, templates._pack(keys))
    want = {key: n for key, n in sites_per_line(pages).items() if n >= 3}
    assert counts.counted_sites(3, each_page_a_site="") == want
    assert not list(tmp_path.iterdir())  # the spilled shards are removed once counted


def test_pickled_statistics_keep_only_the_repeated_lines_and_judge_the_same():
    pipeline = without_site_template()
    corpus = small_sites_and_a_big_one()
    stats = scan_corpus(pipeline, corpus)[RULE]
    copy = pickle.loads(pickle.dumps(stats))
    assert len(copy) == len(stats) == len(GENERIC)  # the big site's menu is on one site: not kept
    assert copy.report() == stats.report() == {"pages": 10, "sites": 5, "min_sites": 3, "repeated_lines": 3}
    for _, text in corpus:
        assert repeated_lines(text, copy) == repeated_lines(text, stats)
    with pytest.raises(ValueError, match="take no more pages"):
        copy.add(CorpusDoc("late", 99, "e.org"), templates.sketch("Sign in"))


def write_sites(root: Path) -> Path:
    """One folder per site: four sites of one page each printing the generic block,
    and a site of four pages with its own menu."""
    for site in SMALL_SITES:
        (root / site).mkdir(parents=True)
        (root / site / "page.txt").write_text(page(GENERIC, site, 0), encoding="utf-8")
    (root / "big.org").mkdir()
    for n in range(4):
        (root / "big.org" / f"p{n}.txt").write_text(page(BIG_MENU, "big.org", n), encoding="utf-8")
    return root


def provenance(out: Path) -> dict[str, dict]:
    lines = (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def test_cleaner_run_with_the_corpus_pack_and_the_rule_enabled_says_on_how_many_sites(tmp_path):
    src = write_sites(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "--enable", RULE, "-q"])
    assert result.exit_code == 0, result.output
    records = provenance(out)
    page = records["a.org/page.txt"]
    removed = [s for s in page["steps"] if s["rule"] == RULE]
    assert [s["why"] for s in removed] == [REASON] * 3
    kept = (out / "a.org" / "page.txt").read_text(encoding="utf-8")
    assert kept.lstrip().startswith("The volunteers of a.org")
    # the big site's menu went as its template, not as lines repeated across sites
    big = records["big.org/p0.txt"]
    assert {s["rule"] for s in big["steps"] if s["action"] == "removed"} >= {"corpus/site-template"}
    assert not [s for s in big["steps"] if s["rule"] == RULE]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus"][RULE]["repeated_lines"] == len(GENERIC)


def test_cleaner_run_with_the_corpus_pack_alone_does_not_run_it(tmp_path):
    src = write_sites(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    assert not any(s["rule"] == RULE for r in provenance(out).values() for s in r["steps"])
