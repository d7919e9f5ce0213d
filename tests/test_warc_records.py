"""WARC files as corpora hold them (issue 21, items 10 and 11): Common Crawl's WET
files are read, told by their records whatever their name, and every record that is
not a document is counted by kind, in the summary and in manifest.json."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.cli import app
from cleaner.loading.pack import load_pack
from cleaner.running.run import RunOptions, run_corpus

from test_inputs import _Crash, _CrashAfterOneUnit

runner = CliRunner()

ARTICLE = (
    "The minister signed the agreement in Moscow on Friday, officials said after the talks.\n"
    "Share this article\n\n"
    "Both sides said the talks had been long but friendly, and that more meetings would follow.\n"
)
FORECAST = "Rain is expected across the north of the country this weekend, forecasters said on Monday.\n"
PAGE = ("<html><head><title>Deal signed</title></head><body><article><h1>Deal signed</h1>"
        "<p>The minister signed the agreement in Moscow on Friday, officials said after the talks.</p>"
        "<p>Both sides said the talks had been long but friendly, and that more meetings would follow.</p>"
        "</article></body></html>")


def conversion(writer: WARCWriter, url: str, text: str, refers_to: str):
    return writer.create_warc_record(
        url, "conversion", payload=io.BytesIO(text.encode("utf-8")), warc_content_type="text/plain",
        warc_headers_dict={"WARC-Refers-To": refers_to},
    )


def response(writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html", status: str = "200 OK"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)


def write_wet(path: Path, pages: list[tuple[str, str]]) -> None:
    """A WET file as Common Crawl writes it: a warcinfo record, then one conversion
    record per page (url, text)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "cleaner tests"}))
        for n, (url, text) in enumerate(pages):
            writer.write_record(conversion(writer, url, text, f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"))


def provenance(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]


def records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- WET (item 10)


@pytest.mark.parametrize("name", ["CC-MAIN-20240101-00001.warc.wet.gz", "CC-MAIN-20240101-00001.warc.gz",
                                  "crawl.wet.gz", "crawl.wet"])
def test_a_wet_file_and_its_warc_gz_twin_give_their_documents_with_urls(tmp_path, name):
    src = tmp_path / "in"
    src.mkdir()
    write_wet(tmp_path / "made.warc.wet.gz", [("https://www.example.org/deal", ARTICLE), ("https://news.example.com/rain", FORECAST)])
    data = (tmp_path / "made.warc.wet.gz").read_bytes()
    if name.endswith(".wet"):  # an uncompressed WET file
        import gzip

        data = gzip.decompress(data)
    (src / name).write_bytes(data)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    lines = provenance(out)
    assert [r["source"]["url"] for r in lines] == ["https://www.example.org/deal", "https://news.example.com/rain"]
    assert [r["source"]["warc_refers_to"] for r in lines] == [
        "<urn:uuid:00000000-0000-0000-0000-000000000000>", "<urn:uuid:00000000-0000-0000-0000-000000000001>"]
    assert all(r["status"] == "ok" and r["id"] == r["source"]["warc_record_id"] and r["source"]["date"] for r in lines)
    assert [r["source"]["line"] for r in lines] == [2, 3]  # record numbers: the warcinfo record is the first
    # WET text was read, not extracted from HTML: the summary and the manifest say so
    assert "extracted from" not in result.output and "HTML" not in result.output
    assert manifest(out)["characters"]["html_documents"] == 0
    # the text rules ran on the text as it is (no HTML extractor): the share prompt is gone, the rest kept
    assert [s["text"] for s in lines[0]["steps"]] == ["Share this article"]
    (written,) = [p for p in out.iterdir() if p.name.endswith(".jsonl") and p.name != "provenance.jsonl"]
    cleaned = records(written)
    assert [(r["url"], r["text"]) for r in cleaned] == [
        ("https://www.example.org/deal", ARTICLE.replace("Share this article\n", "")),
        ("https://news.example.com/rain", FORECAST),
    ]
    assert manifest(out)["skipped_records"] == {"warcinfo": 1}


def test_wet_records_are_cleaned_as_the_same_texts_in_jsonl_records_with_their_urls(tmp_path):
    """The page-dump and corpus packs treat a conversion record as text with its URL's
    site: the outputs equal those of a JSONL file holding the same texts and URLs."""
    footer = "Subscribe to our newsletter\nAbout us | Contact | Privacy policy\n© 2024 Example Media"
    topics = ["harbour cranes", "orchard frost", "river ferries", "library funding", "bridge repairs", "school meals"]
    pages = [(f"https://www.example.org/story/{n}",
              f"The council met on day {n} to debate {topic}, and residents of ward {n * 7} spoke at length.\n\n"
              f"Officials promised a report on {topic} before the {n + 2}th of next month, {n * 13} pages long.\n\n"
              f"{footer}\n")
             for n, topic in enumerate(topics)]  # each its own story: the duplicates rule keeps all six
    wet_in, jsonl_in = tmp_path / "wet", tmp_path / "jsonl"
    wet_in.mkdir()
    jsonl_in.mkdir()
    write_wet(wet_in / "CC-MAIN-x.warc.wet.gz", pages)
    (jsonl_in / "CC-MAIN-x.jsonl").write_text(
        "".join(json.dumps({"id": f"p{n}", "url": url, "text": text}) + "\n" for n, (url, text) in enumerate(pages)),
        encoding="utf-8",
    )
    packs = ["--pack", "corpus", "--pack", "page-dump"]
    for src in (wet_in, jsonl_in):
        result = runner.invoke(app, ["run", str(src), str(tmp_path / f"out-{src.name}"), "-j", "1", *packs])
        assert result.exit_code == 0, result.output
    from_wet = [r["text"] for r in records(tmp_path / "out-wet" / "CC-MAIN-x.jsonl")]
    from_jsonl = [r["text"] for r in records(tmp_path / "out-jsonl" / "CC-MAIN-x.jsonl")]
    assert from_wet == from_jsonl
    assert len(from_wet) == 6 and all(footer.splitlines()[1] not in text for text in from_wet)  # the site's template went
    steps = [[s["rule"] for s in r["steps"]] for r in provenance(tmp_path / "out-wet")]
    assert steps == [[s["rule"] for s in r["steps"]] for r in provenance(tmp_path / "out-jsonl")]


def test_an_empty_conversion_record_is_not_blamed_on_the_html_extractor(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    write_wet(src / "x.warc.wet.gz", [("https://example.org/a", ""), ("https://example.org/b", FORECAST)])
    out = tmp_path / "out"
    runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    empty = provenance(out)[0]
    assert empty["status"] == "dropped" and "trafilatura" not in empty["reason"]


# --------------------------------------------------------------------------- records passed over (item 11)


def test_a_warc_of_two_image_records_reports_two_records_passed_over(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    with (src / "images.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n in range(2):
            writer.write_record(writer.create_warc_record(
                f"https://example.org/{n}.png", "resource", payload=io.BytesIO(b"\x89PNG\r\n\x1a\n"),
                warc_content_type="image/png",
            ))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert manifest(out)["skipped_records"] == {"resource image/png": 2}
    assert "2 WARC records" in result.output and "resource image/png 2" in result.output
    # no document at all: the run says why (not "no input file, or only empty ones") and exits 1
    assert result.exit_code == 1
    assert "none of the 2 WARC records" in result.stderr and "only empty ones" not in result.stderr


def write_mixed_warc(path: Path) -> None:
    """Every kind of record: warcinfo, request, a page (200), a 404 and a 503 page,
    a PDF response, a revisit, metadata and an image resource."""
    with path.open("wb") as handle:
        w = WARCWriter(handle, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "cleaner tests"}))
        request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        w.write_record(w.create_warc_record("https://example.org/a", "request", http_headers=request))
        w.write_record(response(w, "https://example.org/a", PAGE.encode()))
        w.write_record(response(w, "https://example.org/gone", PAGE.replace("Deal signed", "Page not found").encode(),
                                status="404 Not Found"))
        w.write_record(response(w, "https://example.org/busy", PAGE.encode(), status="503 Service Unavailable"))
        w.write_record(response(w, "https://example.org/a.pdf", b"%PDF-1.4", content_type="application/pdf"))
        w.write_record(w.create_revisit_record("https://example.org/a", "sha1:AAAA", "https://example.org/a",
                                               "2024-01-01T00:00:00Z"))
        w.write_record(w.create_warc_record("https://example.org/a", "metadata", payload=io.BytesIO(b"via: x\n"),
                                            warc_content_type="application/warc-fields"))
        w.write_record(w.create_warc_record("https://example.org/i.png", "resource", payload=io.BytesIO(b"\x89PNG"),
                                            warc_content_type="image/png"))


MIXED_PASSED_OVER = {
    "metadata": 1, "request": 1, "resource image/png": 1, "response 404": 1, "response 503": 1,
    "response application/pdf": 1, "revisit": 1, "warcinfo": 1,
}


def test_every_record_that_is_not_a_document_is_counted_by_kind_error_pages_too(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    write_mixed_warc(src / "crawl.warc.gz")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert [r["source"]["url"] for r in provenance(out)] == ["https://example.org/a"]
    assert manifest(out)["skipped_records"] == MIXED_PASSED_OVER
    assert "8 WARC records" in result.output


def test_keep_error_pages_cleans_them_as_documents_with_their_status(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    write_mixed_warc(src / "crawl.warc.gz")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1", "--keep-error-pages"])
    assert result.exit_code == 0, result.output
    lines = provenance(out)
    assert [(r["source"]["url"], r["source"].get("http_status")) for r in lines] == [
        ("https://example.org/a", None), ("https://example.org/gone", 404), ("https://example.org/busy", 503)]
    found = manifest(out)
    assert found["skipped_records"] == {k: v for k, v in MIXED_PASSED_OVER.items() if k not in ("response 404", "response 503")}
    assert found["options"]["keep_error_pages"] is True
    # another choice is another run: OUT refuses it, naming the option
    again = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert again.exit_code == 2 and "keep_error_pages" in again.output


def many_records_warc(path: Path) -> None:
    """350 conversion records (several units) with records passed over among them."""
    with path.open("wb") as handle:
        w = WARCWriter(handle, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "cleaner tests"}))
        for n in range(350):
            w.write_record(conversion(w, f"https://example.org/{n}", f"Page {n}: {FORECAST}", f"<urn:uuid:{n}>"))
            if n % 50 == 0:
                w.write_record(w.create_warc_record(f"https://example.org/{n}.png", "resource",
                                                    payload=io.BytesIO(b"\x89PNG"), warc_content_type="image/png"))
                w.write_record(response(w, f"https://example.org/{n}/gone", PAGE.encode(), status="404 Not Found"))


EXPECTED_MANY = {"resource image/png": 7, "response 404": 7, "warcinfo": 1}


def test_the_counts_are_the_same_after_a_resume_and_with_two_workers(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    many_records_warc(src / "crawl.warc.gz")
    out = tmp_path / "out"
    with pytest.raises(_Crash):
        run_corpus(src, out, load_pack(), RunOptions(), progress=_CrashAfterOneUnit())
    assert not (out / "manifest.json").exists()
    resumed = run_corpus(src, out, load_pack(), RunOptions())
    assert resumed.resumed_units >= 1
    assert resumed.skipped_records == EXPECTED_MANY
    assert manifest(out)["skipped_records"] == EXPECTED_MANY
    # run again on the finished OUT: nothing to do, the same counts reported
    assert run_corpus(src, out, load_pack(), RunOptions()).skipped_records == EXPECTED_MANY
    parallel = tmp_path / "out-j2"
    result = runner.invoke(app, ["run", str(src), str(parallel), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert manifest(parallel)["skipped_records"] == EXPECTED_MANY
    assert (parallel / "provenance.jsonl").read_bytes() == (out / "provenance.jsonl").read_bytes()
    shutil.rmtree(out)


def test_clean_of_a_record_passed_over_says_what_it_is(tmp_path):
    write_mixed_warc(tmp_path / "crawl.warc.gz")
    result = runner.invoke(app, ["clean", str(tmp_path / "crawl.warc.gz"), "--line", "4"])
    assert result.exit_code == 2
    assert "record 4 is a response 404 record, not a document" in result.output
    assert "Deal signed in" not in result.output
    page = runner.invoke(app, ["clean", str(tmp_path / "crawl.warc.gz"), "--line", "3"])
    assert page.exit_code == 0 and "signed the agreement in Moscow" in page.output


def test_clean_and_explain_without_line_take_the_first_document(tmp_path):
    """A WET file opens with its warcinfo record: without --line, clean and explain
    take the first document instead of refusing record 1."""
    write_wet(tmp_path / "CC-MAIN-x.warc.wet.gz", [("https://www.example.org/deal", ARTICLE),
                                                    ("https://news.example.com/rain", FORECAST)])
    cleaned = runner.invoke(app, ["clean", str(tmp_path / "CC-MAIN-x.warc.wet.gz")])
    assert cleaned.exit_code == 0, cleaned.output
    assert cleaned.stdout == ARTICLE.replace("Share this article\n", "")
    explained = runner.invoke(app, ["explain", str(tmp_path / "CC-MAIN-x.warc.wet.gz"), "--json"])
    assert explained.exit_code == 0, explained.output
    assert json.loads(explained.stdout)["source"]["url"] == "https://www.example.org/deal"
