"""WARC, parquet and compressed JSONL inputs clean end to end through the CLI."""

from __future__ import annotations

import gzip
import io
import json
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.cli import app

runner = CliRunner()
BODY = "The minister signed the agreement in Moscow on Friday, officials said after the talks."
PAGE = f"""<html><head><title>Deal signed</title></head><body><nav>Home | World | Sport</nav>
<article><h1>Deal signed in Moscow</h1><p>{BODY} The agreement covers rifles, tanks and air defence.</p>
<p>Both sides said the talks had been long but friendly, and that more meetings would follow.</p></article>
<footer>Share this: Facebook Twitter</footer></body></html>"""


def provenance(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]


def write_warc(path: Path) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n, (ctype, body) in enumerate([("text/html; charset=utf-8", PAGE), ("image/png", "PNG"), ("text/html", PAGE.replace("Moscow", "Delhi"))]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://example.org/{n}", "response",
                                               payload=io.BytesIO(body.encode("utf-8")), http_headers=headers)
            writer.write_record(record)


def test_warc_html_responses_are_extracted_and_cleaned(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    write_warc(src / "crawl.warc.gz")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    records = provenance(out)
    assert [r["source"]["url"] for r in records] == ["https://example.org/0", "https://example.org/2"]
    assert all(r["status"] == "ok" and r["source"]["warc_record_id"] and r["source"]["date"] for r in records)
    assert [r["source"]["line"] for r in records] == [1, 3]  # record numbers in the WARC
    cleaned = [json.loads(x) for x in (out / "crawl.jsonl").read_text().splitlines()]
    assert BODY in cleaned[0]["text"] and "Home | World" not in cleaned[0]["text"]
    assert "Delhi" in cleaned[1]["text"]
    assert cleaned[0]["url"] == "https://example.org/0"


def test_parquet_in_parquet_out(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    table = pa.table({"id": ["a", "b", "c"], "text": [f"{BODY}\n\nYou may also like...\n", "Advertisement\n", None],
                      "lang": ["en", "en", "de"]})
    pq.write_table(table, src / "part.parquet")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert result.exit_code == 1, result.output  # the record without text failed
    assert [r["status"] for r in provenance(out)] == ["ok", "dropped", "failed"]
    rows = pq.read_table(out / "part.parquet").to_pylist()
    assert len(rows) == 1 and rows[0]["id"] == "a" and rows[0]["lang"] == "en"
    assert rows[0]["text"] == BODY + "\n"


def test_compressed_jsonl_keeps_its_compression(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = "".join(json.dumps({"id": n, "text": f"{BODY}\n\nShare this:\n"}) + "\n" for n in range(3)).encode()
    (src / "a.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines))
    (src / "b.jsonl.gz").write_bytes(gzip.compress(lines))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    zst = zstandard.ZstdDecompressor().stream_reader(io.BytesIO((out / "a.jsonl.zst").read_bytes())).read()
    for raw in (zst, gzip.decompress((out / "b.jsonl.gz").read_bytes())):
        texts = [json.loads(x)["text"] for x in raw.decode().splitlines()]
        assert texts == [BODY + "\n"] * 3
    assert len(provenance(out)) == 6


def test_input_format_forces_a_reader(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "dump.data").write_text(json.dumps({"text": f"{BODY}\n\nShare this:\n"}) + "\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), str(out), "-j", "1", "--input-format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert provenance(out)[0]["source"]["format"] == "jsonl"


def test_a_page_over_the_time_limit_fails_and_the_run_goes_on(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    slow = PAGE.replace("<article>", "<article>" + "<div><p>filler words here</p></div>" * 3000)
    (src / "slow.html").write_text(slow, encoding="utf-8")
    (src / "fine.txt").write_text(f"{BODY}\n", encoding="utf-8")
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = runner.invoke(app, ["run", str(src), str(out), "-j", jobs, "--html-timeout", "0.01"])
        assert result.exit_code == 1, result.output
        status = {r["id"]: (r["status"], r["reason"]) for r in provenance(out)}
        assert status["fine.txt"] == ("ok", None)
        assert status["slow.html"][0] == "failed"
        assert "longer than 0.01s" in status["slow.html"][1]


def test_the_time_limit_holds_when_the_extractor_swallows_the_timeout():
    """trafilatura logs and ignores broad exceptions in its lxml step; a time-out
    raised there must still fail the page rather than vanish."""
    from cleaner.io.html import ExtractionTimeout, time_limit

    def stubborn() -> None:
        for _ in range(50):
            try:
                time.sleep(0.01)
            except Exception:  # what trafilatura does with a failed parse
                pass

    with pytest.raises(ExtractionTimeout, match="longer than 0.05s"):
        with time_limit(0.05):
            stubborn()


def test_html_keywords_become_one_tag_per_item():
    """trafilatura hands meta keywords over as one comma-joined string; the
    document's tags are a list of single tags, as on the text path."""
    from cleaner.io.html import extract_main_text

    html = (
        '<html><head><title>Budget</title><meta name="keywords" content="Hotels, Hygiene, Business News">'
        '<meta property="article:tag" content="Hygiene"></head><body><article><p>'
        + "The council approved the new budget on Tuesday after a long debate. " * 6
        + "</p></article></body></html>"
    )
    _, meta = extract_main_text(html)
    assert meta["tags"] == ["Hotels", "Hygiene", "Business News"]
