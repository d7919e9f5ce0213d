"""``--extractor trafilatura|resiliparse``: the choice changes the extraction, is part of
the run (its fingerprint and manifest), reaches clean, explain and the corpus pack, and a
missing extra is a usage error that says what to install."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.cli import app
from cleaner.io import resiliparse_html
from cleaner.io.html import ExtractorUnavailable, extract_main_text
from cleaner.running.run import RunError, RunOptions, run_corpus
from cleaner.running.single import read_file
from test_corpus_html import STORIES
from test_corpus_html import page as story_page

#: The test extra installs resiliparse; without it only the tests of the error run.
needs_resiliparse = pytest.mark.skipif(not resiliparse_html.available(), reason="pip install 'cleaner[resiliparse]'")

PAGES = Path(__file__).parent / "pages"
#: nypost.com, "Chinese hunter catches bubonic plague after eating wild rabbit" (tests/pages/README.md)
NYPOST = PAGES / "scrapinghub-432362.html.gz"
HEADLINE = "Chinese hunter catches bubonic plague after eating wild rabbit"
FIRST_SENTENCE = "A case of the bubonic plague was reported in China over the weekend"
INSTALL = "pip install 'cleaner[resiliparse]'"


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def page_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plague.html").write_bytes(gzip.decompress(NYPOST.read_bytes()))
    return folder


@pytest.fixture
def without_resiliparse(monkeypatch):
    """As if the extra were not installed: importing resiliparse fails."""
    for name in [m for m in sys.modules if m == "resiliparse" or m.startswith("resiliparse.")] + ["resiliparse"]:
        monkeypatch.setitem(sys.modules, name, None)


@needs_resiliparse
def test_the_extractor_option_changes_the_extraction(page_dir, tmp_path):
    default, fast = tmp_path / "default", tmp_path / "fast"
    assert invoke("run", page_dir, default, "-q", "-j1").exit_code == 0
    result = invoke("run", page_dir, fast, "-q", "-j1", "--extractor", "resiliparse")
    assert result.exit_code == 0, result.output
    by_trafilatura = (default / "plague.txt").read_text(encoding="utf-8")
    by_resiliparse = (fast / "plague.txt").read_text(encoding="utf-8")
    # both find the article; resiliparse keeps its headline, which trafilatura leaves to the metadata
    assert FIRST_SENTENCE in by_trafilatura and FIRST_SENTENCE in by_resiliparse
    assert HEADLINE not in by_trafilatura and HEADLINE in by_resiliparse
    manifest = json.loads((fast / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["extractor"] == "resiliparse"
    assert "resiliparse" in manifest["versions"]
    (record,) = [json.loads(line) for line in (fast / "provenance.jsonl").read_text().splitlines()]
    assert record["meta"]["url"].startswith("https://nypost.com/2019/11/18/")  # the page's site, from <head>
    assert record["meta"]["title"] == HEADLINE


@needs_resiliparse
def test_a_resume_with_another_extractor_is_refused_naming_it(page_dir, tmp_path):
    out = tmp_path / "out"
    assert invoke("run", page_dir, out, "-q", "-j1").exit_code == 0
    result = invoke("run", page_dir, out, "-q", "-j1", "--extractor", "resiliparse")
    assert result.exit_code == 2
    assert "option extractor: trafilatura -> resiliparse" in result.output
    assert HEADLINE not in (out / "plague.txt").read_text(encoding="utf-8")  # the first run's output stands


@needs_resiliparse
def test_the_same_extractor_again_finds_the_run_complete(page_dir, tmp_path):
    out = tmp_path / "out"
    assert invoke("run", page_dir, out, "-q", "-j1", "--extractor", "resiliparse").exit_code == 0
    again = invoke("run", page_dir, out, "-j1", "--extractor", "resiliparse")
    assert again.exit_code == 0 and "already holds this run" in again.output


def test_a_missing_extra_is_a_usage_error_that_says_what_to_install(page_dir, tmp_path, without_resiliparse):
    out = tmp_path / "out"
    for args in (("run", page_dir, out, "-j1"), ("clean", page_dir / "plague.html"), ("explain", page_dir / "plague.html")):
        result = invoke(*args, "--extractor", "resiliparse")
        assert result.exit_code == 2, (args, result.output)
        assert INSTALL in " ".join(result.output.split()), result.output
    assert not out.exists()  # refused before anything was written
    with pytest.raises(RunError, match="resiliparse"):
        run_corpus(page_dir, out, _default_pipeline(), RunOptions(extractor="resiliparse"))
    # the Python API raises too: a page is not "failed" because the caller chose an absent extractor
    with pytest.raises(ExtractorUnavailable, match=r"cleaner\[resiliparse\]"):
        read_file(page_dir / "plague.html", extractor="resiliparse")
    assert invoke("run", page_dir, out, "-q", "-j1").exit_code == 0  # trafilatura needs nothing more


def test_an_unknown_extractor_is_refused():
    with pytest.raises(ExtractorUnavailable, match="trafilatura, resiliparse"):
        extract_main_text("<p>x</p>", extractor="justext")
    assert invoke("clean", "-", "--extractor", "justext").exit_code == 2


@needs_resiliparse
def test_clean_and_explain_take_the_option(page_dir):
    cleaned = invoke("clean", page_dir / "plague.html", "--extractor", "resiliparse")
    assert cleaned.exit_code == 0 and cleaned.output.startswith(f"# {HEADLINE}")
    assert HEADLINE not in invoke("clean", page_dir / "plague.html").output
    explained = invoke("explain", page_dir / "plague.html", "--extractor", "resiliparse", "--json")
    assert explained.exit_code == 0
    document = json.loads(explained.output)
    assert document["text"] == cleaned.output and document["meta"]["title"] == HEADLINE


@needs_resiliparse
def test_a_warc_response_gets_the_record_url_when_the_page_names_none(tmp_path):
    body = b"<html><body><article><p>" + b"The harbour ferry runs every hour in summer and twice a day in winter. " * 6 + b"</p></article></body></html>"
    warc = tmp_path / "in" / "crawl.warc"
    warc.parent.mkdir()
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://ferry.example/times", "response",
                                                      payload=io.BytesIO(body), http_headers=http))
    document = read_file(warc, extractor="resiliparse")
    assert document.text.startswith("The harbour ferry runs every hour")
    assert document.meta["url"] == "https://ferry.example/times"


@needs_resiliparse
def test_the_corpus_pack_runs_with_resiliparse_and_explain_keeps_the_runs_extractor(tmp_path):
    site = tmp_path / "in" / "trails.example"
    site.mkdir(parents=True)
    for n in range(4):
        (site / f"story{n}.html").write_text(story_page(n), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", tmp_path / "in", out, "--pack", "corpus", "-q", "-j1", "--extractor", "resiliparse")
    assert result.exit_code == 0, result.output
    template = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["corpus"]["corpus/site-template"]
    (found,) = template["largest"]
    assert found["site"] == "trails.example" and found["pages"] == 4  # counted on the whole page, as with trafilatura
    text = (out / "trails.example" / "story2.txt").read_text(encoding="utf-8")
    assert STORIES[2] in text and STORIES[3] in text and "Privacy policy" not in text
    page = site / "story2.html"
    same = invoke("explain", page, "--corpus", out, "--pack", "corpus", "--json")
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["text"] == text
    other = invoke("explain", page, "--corpus", out, "--pack", "corpus", "--extractor", "trafilatura")
    assert other.exit_code == 2 and "option extractor: resiliparse -> trafilatura" in other.output


def _default_pipeline():
    from cleaner import default_pipeline

    return default_pipeline()
