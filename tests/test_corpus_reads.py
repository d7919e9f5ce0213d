"""A corpus run on HTML reads each page once (issue 22): the scan of each corpus rule
and the clean used to extract every page again, three trafilatura runs a page with
`--pack corpus`. The first pass keeps what it read in OUT/.cleaner/read/, the later
passes take it from there, and the output is byte for byte that of a run that
extracts the pages in every pass, whatever --jobs, and after an interrupted run is
resumed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import cleaner.io.page_text
import cleaner.io.readers
from cleaner.loading.pack import load_pack
from cleaner.running.run import RunInterrupted, RunOptions, run_corpus
from cleaner.running.state import RunState

from test_corpus_html import FOOTER, MENU
from test_corpus_run import _CtrlCIn
from test_run_scale import snapshot


WORDS = ("river trail bridge council budget school market farmer harbour ferry meadow orchard lantern "
         "village mill quarry glacier summit valley canyon forest island lighthouse station library").split()


def page(n: int) -> str:
    """A story page: the site's menu and footer around three paragraphs of its own."""
    import random

    rng = random.Random(n)
    nav = "<nav><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in MENU) + "</ul></nav>"
    foot = "<footer><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in FOOTER) + "</ul></footer>"
    body = "".join("<p>The " + " ".join(rng.choice(WORDS) for _ in range(40)) + ".</p>" for _ in range(3))
    return f"<html><head><title>Story {n}</title></head><body>{nav}<main><h1>Story {n}</h1>{body}</main>{foot}</body></html>"


def html_sites(root: Path, pages: int = 24) -> Path:
    """Two sites of HTML pages sharing a menu and a footer, and a copy of one page
    (for the duplicates rule): 10 pages a unit, so three units."""
    for n in range(pages):
        site = root / ("trails.example" if n % 2 else "huts.example")
        site.mkdir(parents=True, exist_ok=True)
        (site / f"story{n:02d}.html").write_text(page(n), encoding="utf-8")
    (root / "huts.example" / "story99.html").write_text(page(0), encoding="utf-8")
    return root


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """How often the run extracted a page's main text and computed a page's whole text."""
    counted: Counter = Counter()
    extract, whole = cleaner.io.readers.extract_main_text, cleaner.io.page_text.page_lines

    def counting_extract(*args, **kwargs):
        counted["extract"] += 1
        return extract(*args, **kwargs)

    def counting_page_text(*args, **kwargs):
        counted["page_text"] += 1
        return whole(*args, **kwargs)

    monkeypatch.setattr(cleaner.io.readers, "extract_main_text", counting_extract)
    monkeypatch.setattr(cleaner.io.page_text, "page_lines", counting_page_text)
    return counted


def every_pass_reads(monkeypatch) -> None:
    """The run as before issue 22: nothing kept is found, every pass reads the inputs."""
    monkeypatch.setattr(RunState, "load_reads", lambda self, key, ids: None)


def test_a_corpus_run_on_html_extracts_each_page_once_and_writes_the_same_bytes(tmp_path, calls, monkeypatch):
    src = html_sites(tmp_path / "in")
    pages = len(list(src.rglob("*.html")))
    once = tmp_path / "once"
    report = run_corpus(src, once, load_pack(["corpus"]), RunOptions(jobs=1))
    assert report.status["ok"] == pages - 1 and report.status["dropped"] == 1  # the copy
    largest = report.corpus["corpus/site-template"]["largest"]  # counted on the pages' whole texts
    assert {site["site"] for site in largest} == {"huts.example", "trails.example"}
    assert all(site["recurring_lines"] >= len(MENU) + len(FOOTER) for site in largest)
    assert calls == {"extract": pages, "page_text": pages}
    assert not (once / ".cleaner" / "read").exists()  # removed once the run is done

    calls.clear()
    every_pass_reads(monkeypatch)
    each = tmp_path / "each"
    before = run_corpus(src, each, load_pack(["corpus"]), RunOptions(jobs=1))
    assert calls["extract"] == 3 * pages  # two scans and the clean
    assert snapshot(once) == snapshot(each)
    assert report.corpus == before.corpus and report.rules == before.rules


def test_without_corpus_rules_nothing_is_kept(tmp_path, calls):
    src = html_sites(tmp_path / "in")
    with pytest.raises(RunInterrupted):
        run_corpus(src, tmp_path / "out", load_pack(), RunOptions(jobs=1), progress=_CtrlCIn("", 1))
    assert calls["extract"] >= 10 and not (tmp_path / "out" / ".cleaner" / "read").exists()


def test_two_jobs_give_the_same_bytes(tmp_path):
    src = html_sites(tmp_path / "in")
    one, two = tmp_path / "one", tmp_path / "two"
    run_corpus(src, one, load_pack(["corpus"]), RunOptions(jobs=1))
    run_corpus(src, two, load_pack(["corpus"]), RunOptions(jobs=2))
    assert snapshot(one) == snapshot(two)


@pytest.mark.parametrize("phase", ["scanning for corpus/site-template", "scanning for corpus/duplicates", "cleaning"])
def test_an_interrupted_run_resumes_with_the_pages_read_to_the_same_bytes(tmp_path, calls, phase):
    """Stopped after one unit of a pass, the run keeps the pages the first pass read;
    resumed, it reads only the pages of the units the first pass did not reach."""
    src = html_sites(tmp_path / "in")
    pages = len(list(src.rglob("*.html")))
    clean = tmp_path / "clean"
    run_corpus(src, clean, load_pack(["corpus"]), RunOptions(jobs=1))
    out = tmp_path / "out"
    calls.clear()
    with pytest.raises(RunInterrupted):
        run_corpus(src, out, load_pack(["corpus"]), RunOptions(jobs=1), progress=_CtrlCIn(phase, 1))
    read_before = calls["extract"]
    kept = list((out / ".cleaner" / "read").glob("*.pickle.zst"))
    assert kept  # what the first pass read
    run_corpus(src, out, load_pack(["corpus"]), RunOptions(jobs=1))
    assert calls["extract"] == pages  # each page once over both runs
    assert (read_before < pages) == (phase == "scanning for corpus/site-template")
    assert snapshot(out) == snapshot(clean)
    assert not (out / ".cleaner" / "read").exists()


def test_kept_pages_that_cannot_be_read_back_are_read_from_the_input_again(tmp_path, calls):
    """A kept unit cut short (a disk full), or that belongs to other documents, is
    not trusted: its pages are extracted again and the output is the same."""
    src = html_sites(tmp_path / "in")
    clean = tmp_path / "clean"
    run_corpus(src, clean, load_pack(["corpus"]), RunOptions(jobs=1))
    out = tmp_path / "out"
    with pytest.raises(RunInterrupted):
        run_corpus(src, out, load_pack(["corpus"]), RunOptions(jobs=1),
                   progress=_CtrlCIn("scanning for corpus/duplicates", 1))
    first, second, *_ = sorted((out / ".cleaner" / "read").glob("*.pickle.zst"))
    first.write_bytes(first.read_bytes()[:100])  # cut short
    RunState(out).save_reads(second.name.split(".")[0], ["other.html"], [None])  # another unit's documents
    calls.clear()
    run_corpus(src, out, load_pack(["corpus"]), RunOptions(jobs=1))
    # the second unit's 10 pages read again in the duplicates scan (and kept anew), the first's in the clean
    assert calls["extract"] == 20
    assert snapshot(out) == snapshot(clean)


def test_kept_pages_of_other_documents_are_not_taken(tmp_path):
    state = RunState(tmp_path)
    state.save_reads("00000000", ["a.html", "b.html"], [None, None])
    assert state.load_reads("00000000", ["a.html", "b.html"]) == [None, None]
    assert state.load_reads("00000000", ["a.html", "c.html"]) is None
    assert state.load_reads("00000001", ["a.html", "b.html"]) is None
