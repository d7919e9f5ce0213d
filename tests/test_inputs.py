"""Which files a run reads, and how it says so: compressed text and HTML (told by their
first bytes, whatever the name or --input-format), files it does not read listed as
``skipped`` in the report and the manifest, and failure reasons that do not repeat
the place the document's id already names."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from typer.testing import CliRunner

from cleaner import load_pack
from cleaner.cli import app
from cleaner.io.compression import compression_of
from cleaner.io.readers import discover
from cleaner.running.run import Progress, RunError, RunOptions, run_corpus

from conftest import SEEDS

runner = CliRunner()
BODY = "The minister signed the agreement in Moscow on Friday, officials said after the talks."
TEXT = f"{BODY}\n\nShare this:\n"
PAGE = f"""<html><head><title>Deal signed</title></head><body><nav>Home | World | Sport</nav>
<article><h1>Deal signed in Moscow</h1><p>{BODY} The agreement covers rifles, tanks and air defence.</p>
<p>Both sides said the talks had been long but friendly, and that more meetings would follow.</p></article>
<footer>Share this: Facebook Twitter</footer></body></html>"""


def provenance(out: Path) -> dict[str, dict]:
    records = [json.loads(x) for x in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r for r in records}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def cli(*args: object) -> object:
    return runner.invoke(app, ["run", *map(str, args), "-j", "1"])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- compressed text and HTML


def test_gzipped_text_markdown_and_html_are_read_and_named_like_their_plain_selves(tmp_path):
    src = tmp_path / "in"
    (src / "site").mkdir(parents=True)
    (src / "site" / "page.html.gz").write_bytes(gzip.compress(PAGE.encode()))
    (src / "a.txt.gz").write_bytes(gzip.compress(TEXT.encode()))
    (src / "notes.md.gz").write_bytes(gzip.compress(("# Notes\n\n" + TEXT).encode()))
    (src / "b.TXT.ZST").write_bytes(zstandard.ZstdCompressor().compress(TEXT.encode()))
    out = tmp_path / "out"
    result = cli(src, out)
    assert result.exit_code == 0, result.output
    records = provenance(out)
    assert set(records) == {"site/page.html.gz", "a.txt.gz", "notes.md.gz", "b.TXT.ZST"}
    expected = {"site/page.html.gz": ("site/page.txt", "html", "gzip"), "a.txt.gz": ("a.txt", "txt", "gzip"),
                "notes.md.gz": ("notes.txt", "md", "gzip"), "b.TXT.ZST": ("b.txt", "txt", "zstd")}
    for doc_id, (output, fmt, compression) in expected.items():
        record = records[doc_id]
        assert record["status"] == "ok", record
        assert record["source"]["path"] == doc_id  # the real input name
        assert record["source"]["sha256"] == sha256(src / doc_id)  # the bytes on disk, compressed
        assert (record["source"]["format"], record["source"]["compression"]) == (fmt, compression)
        assert record["source"]["encoding"] == "utf-8"
        assert record["output"]["path"] == output
        cleaned = (out / output).read_text(encoding="utf-8")
        assert BODY in cleaned and "Share this" not in cleaned
    assert records["site/page.html.gz"]["meta"]["title"].startswith("Deal signed")
    assert manifest(out)["skipped"] == {"count": 0, "files": [], "reasons": {}}


def test_a_gzipped_page_beside_its_plain_twin_keeps_its_full_name(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_text(PAGE, encoding="utf-8")
    (src / "page.html.gz").write_bytes(gzip.compress(PAGE.replace("Moscow", "Delhi").encode()))
    out = tmp_path / "out"
    assert cli(src, out).exit_code == 0
    records = provenance(out)
    assert records["page.html"]["output"]["path"] == "page.txt"
    assert records["page.html.gz"]["output"]["path"] == "page.html.gz.txt"
    assert "Delhi" in (out / "page.html.gz.txt").read_text() and "Moscow" in (out / "page.txt").read_text()


def test_gzip_is_told_by_its_bytes_in_a_misnamed_file_and_under_input_format(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "misnamed.txt").write_bytes(gzip.compress(TEXT.encode()))
    (src / "page.html").write_bytes(gzip.compress(PAGE.encode()))
    out = tmp_path / "out"
    assert cli(src, out).exit_code == 0
    records = provenance(out)
    assert records["misnamed.txt"]["source"]["compression"] == "gzip"
    assert BODY in (out / "misnamed.txt").read_text() and BODY in (out / "page.txt").read_text()

    forced = tmp_path / "forced"
    forced.mkdir()
    (forced / "dump.data").write_bytes(gzip.compress(TEXT.encode()))
    out_txt = tmp_path / "out-txt"
    assert cli(forced, out_txt, "--input-format", "txt").exit_code == 0
    assert provenance(out_txt)["dump.data"]["status"] == "ok"
    assert BODY in (out_txt / "dump.txt").read_text()

    (forced / "dump.data").write_bytes(gzip.compress((json.dumps({"id": "r1", "text": TEXT}) + "\n").encode()))
    out_jsonl = tmp_path / "out-jsonl"
    assert cli(forced, out_jsonl, "--input-format", "jsonl").exit_code == 0
    assert provenance(out_jsonl)["r1"]["status"] == "ok"
    assert json.loads((out_jsonl / "dump.data").read_text())["text"] == BODY + "\n"


def test_a_truncated_or_false_gz_fails_that_document_with_the_reason(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    whole = gzip.compress((TEXT * 200).encode())
    (src / "cut.txt.gz").write_bytes(whole[: len(whole) // 2])
    (src / "plain.txt.gz").write_text(TEXT, encoding="utf-8")  # named .gz, not gzip
    (src / "fine.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    result = cli(src, out)
    assert result.exit_code == 1, result.output
    records = provenance(out)
    assert records["fine.txt"]["status"] == "ok"
    cut, plain = records["cut.txt.gz"], records["plain.txt.gz"]
    assert cut["status"] == plain["status"] == "failed"
    assert cut["reason"].startswith("cannot read file: gzip data is truncated or corrupt (Compressed file ended")
    assert plain["reason"].startswith("cannot read file: gzip data is truncated or corrupt (Not a gzipped file")
    assert cut["source"]["sha256"] == sha256(src / "cut.txt.gz") and cut["output"] is None
    assert "failed cut.txt.gz: cannot read file: gzip data is truncated" in result.output


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\x1f\x8b\x08\x00", "a.txt", "gzip"),
        (b"\x28\xb5\x2f\xfd", "a.jsonl", "zstd"),
        (b"\x1f\x8b\x08\x00", "a.zst", "gzip"),  # the bytes win over the name
        (b"plai", "a.txt.GZ", "gzip"),  # no magic: the name decides (and reading fails loudly)
        (b"plai", "a.zst", "zstd"),
        (b"plai", "a.txt", None),
        (b"", "empty.txt", None),
    ],
)
def test_compression_is_told_by_the_first_bytes_then_the_name(head, name, expected):
    assert compression_of(head, name) == expected


# --------------------------------------------------------------------------- skipped files


def make_mixed(src: Path) -> None:
    """Files cleaner reads, files it does not, and files it leaves out by convention."""
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "sub" / "b.md").write_text(TEXT, encoding="utf-8")
    (src / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (src / "sub" / "image.png").write_bytes(b"\x89PNG\r\n")
    (src / "sub" / "notes.gz").write_bytes(gzip.compress(TEXT.encode()))  # gzip of what? unknown
    (src / "README").write_text("no ending\n", encoding="utf-8")
    (src / ".hidden.txt").write_text(TEXT, encoding="utf-8")  # hidden: by convention, not listed
    (src / ".git").mkdir()
    (src / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    os.symlink(src / "sub", src / "linked")  # a folder link: not followed, listed


SKIPPED = ["README", "data.csv", "linked/", "sub/image.png", "sub/notes.gz"]


def test_files_cleaner_does_not_read_are_listed_in_the_report_and_the_manifest(tmp_path):
    src = tmp_path / "in"
    make_mixed(src)
    out = src / "out"  # OUT inside IN: left out without a word, now and on a rerun
    report = run_corpus(src, out, load_pack(), RunOptions())
    assert report.documents == 2
    assert list(report.skipped) == SKIPPED
    assert report.skipped["linked/"] == "a symbolic link to a folder, not followed"
    assert report.skipped["data.csv"] == "not a kind of file cleaner reads"
    assert manifest(out)["skipped"] == {"count": len(SKIPPED), "files": SKIPPED, "reasons": report.skipped}

    again = run_corpus(src, out, load_pack(), RunOptions())  # complete: rebuilt from provenance
    assert again.already_complete and again.skipped == report.skipped


def test_input_format_reads_every_file_so_nothing_is_skipped(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.data").write_text(TEXT, encoding="utf-8")
    (src / "b").write_text(TEXT, encoding="utf-8")
    found = discover(src, input_format="txt")
    assert [f.rel for f in found.files] == ["a.data", "b"] and found.skipped == {}
    assert list(discover(src).skipped) == ["a.data", "b"]


def test_a_single_input_file_of_unknown_kind_is_refused_before_any_output(tmp_path):
    """IN is one file cleaner does not read: an error that says what to do, not an
    empty run that exits 0 (in a folder, such a file is listed as skipped)."""
    (tmp_path / "table.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(RunError, match=r"table\.csv: cleaner does not read this kind of file .*--input-format"):
        run_corpus(tmp_path / "table.csv", tmp_path / "out", load_pack(), RunOptions())
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root lists a folder of mode 000 anyway")
def test_a_folder_that_cannot_be_listed_is_listed_as_skipped(tmp_path):
    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    (src / "locked" / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "b.txt").write_text(TEXT, encoding="utf-8")
    os.chmod(src / "locked", 0)
    try:
        found = discover(src)
    finally:
        os.chmod(src / "locked", 0o755)
    assert [f.rel for f in found.files] == ["b.txt"]
    assert found.skipped == {"locked/": "cannot be listed: Permission denied"}


class _Crash(Exception):
    pass


class _CrashAfterOneUnit(Progress):
    def __init__(self) -> None:
        self.units = 0

    def advance(self, documents: int, nbytes: int) -> None:
        self.units += 1
        if self.units == 2:
            raise _Crash


def test_a_resumed_run_reports_the_same_skipped_files(tmp_path):
    src = tmp_path / "in"
    make_mixed(src)
    lines = "".join(json.dumps({"id": f"r{n}", "text": TEXT}) + "\n" for n in range(450))
    (src / "shard.jsonl").write_text(lines, encoding="utf-8")  # several units of 100 records
    out = tmp_path / "out"
    with pytest.raises(_Crash):
        run_corpus(src, out, load_pack(), RunOptions(), progress=_CrashAfterOneUnit())
    assert not (out / "manifest.json").exists()
    report = run_corpus(src, out, load_pack(), RunOptions())
    assert report.resumed_units >= 1
    assert list(report.skipped) == SKIPPED
    assert manifest(out)["skipped"] == {"count": len(SKIPPED), "files": SKIPPED, "reasons": report.skipped}


def test_an_earlier_runs_output_inside_in_is_not_read_again_and_is_listed(tmp_path):
    """``cleaner run s2 s2/out; cleaner run s2 s2/out2``: the second run reads s2's
    own texts, not out/'s cleaned copies of them, and says it left out/ out."""
    src = tmp_path / "s2"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "b.txt").write_text(TEXT.replace("Moscow", "Delhi"), encoding="utf-8")
    assert cli(src, src / "out").exit_code == 0
    result = cli(src, src / "out2")
    assert result.exit_code == 0, result.output
    assert set(provenance(src / "out2")) == {"a.txt", "b.txt"}
    assert "out/ (earlier cleaner output" in result.stdout
    skipped = manifest(src / "out2")["skipped"]
    assert skipped["files"] == ["out/"] and skipped["reasons"]["out/"].startswith("earlier cleaner output")
    assert not (src / "out2" / "out").exists()

    deeper = tmp_path / "deeper"  # an OUT further down is found too; IN itself is read as named
    (deeper / "runs").mkdir(parents=True)
    (deeper / "c.txt").write_text(TEXT, encoding="utf-8")
    assert cli(src, deeper / "runs" / "first").exit_code == 0
    assert list(discover(deeper).skipped) == ["runs/first/"]
    assert {f.rel for f in discover(src / "out").files} == {"a.txt", "b.txt"}


# --------------------------------------------------------------------------- reasons


def test_a_failure_reason_does_not_repeat_the_place_its_id_names(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = [json.dumps({"id": "r1", "text": TEXT}), "{not json", json.dumps([1, 2]), json.dumps({"text": 5}),
             json.dumps({"id": "own-id"})]
    (src / "shard.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    out = tmp_path / "out"
    result = cli(src, out)
    assert result.exit_code == 1, result.output
    records = provenance(out)
    assert records["shard.jsonl.gz:2"]["reason"].startswith("not valid JSON: ")
    assert records["shard.jsonl.gz:3"]["reason"] == "a record must be a JSON object"
    assert records["shard.jsonl.gz:4"]["reason"] == "record has a non-string (int) field 'text' (see --text-field)"
    # an id of the record's own does not say where it is: the reason does, once
    assert records["own-id"]["reason"] == (
        "shard.jsonl.gz line 5: record has no field 'text' (its fields: id; see --text-field)")
    assert "failed shard.jsonl.gz:2: not valid JSON" in result.output
    assert "shard.jsonl.gz:2: shard.jsonl.gz" not in result.output


def test_a_file_that_breaks_part_way_names_its_place_once(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    whole = gzip.compress("".join(json.dumps({"id": f"r{n}", "text": TEXT}) + "\n" for n in range(3000)).encode())
    (src / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    out = tmp_path / "out"
    assert cli(src, out).exit_code == 1
    failed = [r for r in provenance(out).values() if r["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["id"] == f"cut.jsonl.gz:{failed[0]['source']['line']}"
    assert failed[0]["reason"].startswith("cannot read file further: CorruptInputError: gzip data is truncated")
    assert str(src) not in failed[0]["reason"] and "cut.jsonl.gz" not in failed[0]["reason"]


# --------------------------------------------------------------------------- remote paths


REMOTE = ["s3://bucket/scraped", "gs://bucket/x", "hf://datasets/org/name", "https://example.org/a.jsonl"]


@pytest.mark.parametrize("remote", REMOTE)
def test_a_remote_input_is_refused_as_remote_not_as_missing(tmp_path, remote):
    out = tmp_path / "out"
    result = cli(remote, out)
    assert result.exit_code == 2
    assert f"input {remote}: remote paths are not supported" in result.stderr
    assert "docs/ray.md" in result.stderr
    assert "does not exist" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [["explain", "s3://bucket/page.txt"], ["explain", "SEED", "--corpus", "s3://bucket/out"]])
def test_explain_refuses_a_remote_file_or_corpus_as_remote(args):
    args = [str(SEEDS / "001_a2c57fd55e7515d8.txt") if a == "SEED" else a for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "s3://bucket/" in result.stderr and "remote paths are not supported" in result.stderr
    assert "does not exist" not in result.stderr and "no such file" not in result.stderr


def test_clean_refuses_a_remote_file_as_remote():
    result = runner.invoke(app, ["clean", "s3://bucket/page.txt"])
    assert result.exit_code == 2
    assert "s3://bucket/page.txt: remote paths are not supported" in result.stderr
    assert "no such file" not in result.stderr


def test_a_remote_output_is_refused_instead_of_made_a_local_folder(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("a.txt", "s3://bucket/clean")
    assert result.exit_code == 2
    assert "output s3://bucket/clean: remote paths are not supported" in result.stderr
    assert not (tmp_path / "s3:").exists()


# --------------------------------------------------------------------------- JSON Lines by other names


def records_text(n: int, prefix: str) -> str:
    return "".join(json.dumps({"id": f"{prefix}{i}", "text": TEXT, "source": "c4"}) + "\n" for i in range(n))


def test_json_lines_named_json_ndjson_and_dolma_json_gz_are_read_and_keep_their_names(tmp_path):
    src = tmp_path / "in"
    (src / "documents").mkdir(parents=True)
    (src / "documents" / "c4-0000.json.gz").write_bytes(gzip.compress(records_text(2, "g").encode()))
    zstd = zstandard.ZstdCompressor()
    (src / "documents" / "c4-0001.json.zst").write_bytes(zstd.compress(records_text(1, "z").encode()))
    (src / "a.ndjson").write_text(records_text(1, "n"), encoding="utf-8")
    (src / "b.ndjson.gz").write_bytes(gzip.compress(records_text(1, "ng").encode()))
    (src / "c.json").write_text(records_text(1, "j"), encoding="utf-8")
    out = tmp_path / "out"
    result = cli(src, out)
    assert result.exit_code == 0, result.output
    records = provenance(out)
    assert set(records) == {"g0", "g1", "z0", "n0", "ng0", "j0"}
    assert all(r["status"] == "ok" and r["source"]["format"] == "jsonl" for r in records.values())
    assert manifest(out)["skipped"]["files"] == []
    unzstd = zstandard.ZstdDecompressor().decompressobj().decompress
    outputs = {"documents/c4-0000.json.gz": gzip.decompress, "documents/c4-0001.json.zst": unzstd,
               "a.ndjson": bytes, "b.ndjson.gz": gzip.decompress, "c.json": bytes}
    for name, unpack in outputs.items():  # dolma's names and compression kept
        lines = [json.loads(x) for x in unpack((out / name).read_bytes()).decode().splitlines()]
        assert lines, name
        for line in lines:
            assert BODY in line["text"] and "Share this" not in line["text"] and line["source"] == "c4"
    assert (records["g1"]["output"]["path"], records["g1"]["output"]["line"]) == ("documents/c4-0000.json.gz", 2)


def test_a_json_file_that_is_one_json_document_fails_alone_and_says_how_to_convert_it(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "array.json").write_text(json.dumps([{"id": "x", "text": TEXT}]), encoding="utf-8")
    (src / "pretty.json").write_text(json.dumps({"id": "y", "text": TEXT}, indent=2), encoding="utf-8")
    (src / "good.json").write_text(records_text(2, "r"), encoding="utf-8")
    # somebody else's manifest.json (no provenance.jsonl beside it): read, not taken for a run's
    (src / "manifest.json").write_text('{\n  "crawl": "2024-10"\n}\n', encoding="utf-8")
    out = tmp_path / "out"
    result = cli(src, out)
    assert result.exit_code == 1
    records = provenance(out)
    assert records["manifest.json"]["reason"].startswith("not JSON Lines")
    assert [records[f"r{i}"]["status"] for i in range(2)] == ["ok", "ok"]
    assert records["array.json"]["status"] == "failed"
    assert records["array.json"]["reason"].startswith("not JSON Lines: the file is one JSON array")
    assert "jq -c '.[]'" in records["array.json"]["reason"]
    assert records["pretty.json"]["reason"].startswith("not JSON Lines: the file is one JSON object written")
    assert "failed array.json: not JSON Lines" in result.stdout


def test_a_run_whose_inputs_give_no_documents_says_so_and_exits_1(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = cli(src, tmp_path / "out")
    assert result.exit_code == 1
    assert "no documents: " in result.stderr
    assert "table.csv" in result.stderr and "--input-format" in result.stderr

    (src / "table.csv").unlink()
    (src / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    quiet = runner.invoke(app, ["run", str(src), str(tmp_path / "out2"), "-j", "1", "--quiet"])
    assert quiet.exit_code == 1 and "no documents: " in quiet.stderr


# --------------------------------------------------------------------------- --text-field


def test_a_wrong_text_field_is_refused_before_any_output_naming_the_fields(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = [{"id": "r1", "url": "https://example.org/1", "body": TEXT}, {"id": "r2", "body": TEXT}]
    (src / "shard.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "out"
    result = cli(src, out)  # the default field, text, is not there
    assert result.exit_code == 2
    assert "--text-field 'text': no such field in the first records of shard.jsonl" in result.stderr
    assert "(its fields: id, url, body)" in result.stderr
    assert not out.exists()

    parquet = tmp_path / "pq"
    parquet.mkdir()
    pq.write_table(pa.table({"id": ["a"], "content": [TEXT]}), parquet / "rows.parquet")
    refused = cli(parquet, tmp_path / "out-pq", "--text-field", "txt")
    assert refused.exit_code == 2 and "(its fields: id, content)" in refused.stderr
    assert not (tmp_path / "out-pq").exists()

    right = cli(src, out, "--text-field", "body")
    assert right.exit_code == 0, right.output
    assert [r["status"] for r in provenance(out).values()] == ["ok", "ok"]


def test_a_text_field_later_records_or_files_hold_is_not_refused(tmp_path):
    """A stray file without the field (a metadata record) sorted first does not
    refuse a corpus whose shards have it: that file's records fail, with the fields."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a-meta.jsonl").write_text(json.dumps({"crawl": "2024-10"}) + "\n", encoding="utf-8")
    (src / "b.jsonl").write_text(json.dumps({"id": "r1", "text": TEXT}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = cli(src, out)
    assert result.exit_code == 1
    records = provenance(out)
    assert records["r1"]["status"] == "ok"
    reason = records["a-meta.jsonl:1"]["reason"]
    assert reason == "record has no field 'text' (its fields: crawl; see --text-field)"


def test_a_null_text_says_it_is_null_not_that_the_field_is_missing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = [{"id": "r1", "text": TEXT}, {"id": "r2", "text": None}]
    (src / "shard.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "out"
    result = cli(src, out)
    assert result.exit_code == 1
    reason = provenance(out)["r2"]["reason"]
    assert reason == "shard.jsonl line 2: record field 'text' is null (it holds no text)"
    assert "no field" not in reason


# --------------------------------------------------------------------------- --compress


@pytest.mark.parametrize("compress, codec", [("zst", "ZSTD"), ("gz", "GZIP")])
def test_compress_applies_to_parquet_outputs_by_their_codec(tmp_path, compress, codec):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    pq.write_table(pa.table({"id": ["r1"], "text": [TEXT]}), src / "rows.parquet")
    sharded, mirrored = tmp_path / "sharded", tmp_path / "mirrored"
    assert cli(src, sharded, "--output-format", "parquet", "--compress", compress).exit_code == 0
    assert cli(src / "rows.parquet", mirrored, "--compress", compress).exit_code == 0
    for written in (sharded / "part-00000.parquet", mirrored / "rows.parquet"):
        meta = pq.ParquetFile(written).metadata
        columns = [meta.row_group(0).column(i) for i in range(meta.num_columns)]
        assert {c.compression for c in columns} == {codec}, written
        assert BODY in pq.read_table(written).column("text")[0].as_py()
    assert manifest(sharded)["options"]["compress"] == compress


def test_compress_on_txt_outputs_is_refused_before_any_output(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "shard.jsonl").write_text(json.dumps({"id": "r1", "text": TEXT}) + "\n", encoding="utf-8")
    as_txt = cli(src, tmp_path / "out", "--output-format", "txt", "--compress", "gz")
    assert as_txt.exit_code == 2 and "--compress gz needs a record output format" in as_txt.stderr
    assert not (tmp_path / "out").exists()

    (src / "shard.jsonl").unlink()  # only text files, followed: every output is a .txt
    followed = cli(src, tmp_path / "out", "--compress", "zst")
    assert followed.exit_code == 2 and "this run writes only .txt files" in followed.stderr
    assert not (tmp_path / "out").exists()
