"""Provenance at scale (issue 21, item 23): `--provenance-compress zst` writes
provenance.jsonl.zst, which every reader of a run's provenance reads (a finished run
run again, resume, explain --corpus OUT, the template counts); `--provenance-level
light` keeps each step's rule, line and lengths but not the removed text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.loading.pack import load_pack
from cleaner.running.run import RunOptions, run_corpus

from test_explain_corpus import FOOTER, MENU, SITE, TOPICS
from test_inputs import _Crash, _CrashAfterOneUnit

runner = CliRunner()

def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def lines_of(path: Path) -> list[dict]:
    data = path.read_bytes()
    if path.suffix == ".zst":
        data = zstandard.ZstdDecompressor().stream_reader(data).read()
    return [json.loads(x) for x in data.decode("utf-8").splitlines()]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture()
def site(tmp_path) -> Path:
    """Four pages of one site with its menu and footer (template lines for --pack corpus);
    one has a "You may also like" list (lines removed with a reason of their own)."""
    src = tmp_path / "in"
    (src / SITE).mkdir(parents=True)
    for n, topic in enumerate(TOPICS):
        related = "\n\nYou may also like\nA bridge reopened in the north after repairs" if n == 1 else ""
        text = f"{MENU}{topic}\n\nShare this article\n\nReported by the desk on day {n}.{related}{FOOTER}"
        (src / SITE / f"p{n}.txt").write_text(text, encoding="utf-8")
    return src


def run(src: Path, out: Path, *options: str):
    result = invoke("run", src, out, "--pack", "corpus", "--jobs", "1", *options)
    assert result.exit_code == 0, result.output
    return result


def test_compressed_provenance_holds_the_same_lines_and_every_reader_reads_it(site, tmp_path):
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    run(site, plain)
    result = run(site, packed, "--provenance-compress", "zst")
    assert not (packed / "provenance.jsonl").exists()
    assert lines_of(packed / "provenance.jsonl.zst") == lines_of(plain / "provenance.jsonl")
    assert "provenance.jsonl.zst · manifest.json" in result.stdout
    found = manifest(packed)
    assert found["options"]["provenance_compress"] == "zst"
    # the template rule's removals are counted from the compressed provenance, as from the plain one
    assert found["corpus"] == manifest(plain)["corpus"]
    assert found["corpus"]["corpus/site-template"]["removed"]["lines"] == 28
    # the same command on the finished OUT reports the run from its compressed provenance
    again = invoke("run", site, packed, "--pack", "corpus", "--jobs", "1", "--provenance-compress", "zst")
    assert "already holds this run" in again.stdout and "4 documents: 4 ok" in again.stdout
    # explain --corpus OUT finds the document in it
    explained = invoke("explain", site / SITE / "p2.txt", "--corpus", packed, "--pack", "corpus", "--json")
    assert explained.exit_code == 0, explained.output
    assert json.loads(explained.stdout)["steps"] == lines_of(plain / "provenance.jsonl")[2]["steps"]


def test_a_resumed_run_writes_the_same_compressed_light_provenance(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = "".join(json.dumps({"id": f"r{n}", "text": f"{TOPICS[n % 4]} ({n})\n\nShare this article\n"}) + "\n"
                    for n in range(350))
    (src / "shard.jsonl").write_text(lines, encoding="utf-8")  # several units of 100 records
    options = dict(provenance_compress="zst", provenance_level="light")
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    run_corpus(src, whole, load_pack(), RunOptions(**options))
    with pytest.raises(_Crash):
        run_corpus(src, resumed, load_pack(), RunOptions(**options), progress=_CrashAfterOneUnit())
    report = run_corpus(src, resumed, load_pack(), RunOptions(**options))
    assert report.resumed_units >= 1 and report.documents == 350
    assert (resumed / "provenance.jsonl.zst").read_bytes() == (whole / "provenance.jsonl.zst").read_bytes()


def test_light_provenance_keeps_rule_line_and_lengths_but_not_the_removed_text(site, tmp_path):
    full, light = tmp_path / "full", tmp_path / "light"
    run(site, full)
    result = run(site, light, "--provenance-level", "light")
    full_lines, light_lines = lines_of(full / "provenance.jsonl"), lines_of(light / "provenance.jsonl")
    removed = [s for r in light_lines for s in r["steps"] if s["action"] == "removed"]
    assert removed and all("text" not in s and {"rule", "line", "chars_before", "chars_after"} <= s.keys() for s in removed)
    # the corpus rules' reasons stay (they name the site); the other rules' go, with the text
    assert all(s["why"].startswith("on 4 of 4 pages of news.example") for s in removed if s["rule"] == "corpus/site-template")
    assert any("why" in s for r in full_lines for s in r["steps"] if not s["rule"].startswith("corpus/"))
    assert not any("why" in s for r in light_lines for s in r["steps"] if not s["rule"].startswith("corpus/"))

    def lightened(step: dict) -> dict:
        return {k: v for k, v in step.items() if k != "text" and (k != "why" or step["rule"].startswith("corpus/"))}

    # everything else is as the full level has it
    assert light_lines == [{**r, "steps": [lightened(s) for s in r["steps"]]} for r in full_lines]
    assert (light / "provenance.jsonl").stat().st_size < (full / "provenance.jsonl").stat().st_size
    for name in ("p0.txt", "p3.txt"):  # the outputs do not change
        assert (light / SITE / name).read_bytes() == (full / SITE / name).read_bytes()
    assert manifest(light)["options"]["provenance_level"] == "light"
    assert manifest(light)["corpus"] == manifest(full)["corpus"]  # the template counts need no removed text
    assert "Share this article" not in (light / "provenance.jsonl").read_text(encoding="utf-8")
    assert "documents" in result.stdout
    # explain --corpus OUT compares its judgement with the light lines as they are: no false "differs"
    explained = invoke("explain", site / SITE / "p1.txt", "--corpus", light, "--pack", "corpus", "--no-text")
    assert explained.exit_code == 0, explained.output
    assert "differs" not in explained.output
    assert "- Share this article  line" in explained.stdout  # explain itself still shows the text


def test_another_provenance_choice_is_another_run_and_overwrite_leaves_no_stale_file(site, tmp_path):
    out = tmp_path / "out"
    run(site, out)
    refused = invoke("run", site, out, "--pack", "corpus", "--jobs", "1", "--provenance-compress", "zst")
    assert refused.exit_code == 2 and "provenance_compress" in refused.output
    run(site, out, "--provenance-compress", "zst", "--overwrite")
    assert (out / "provenance.jsonl.zst").is_file() and not (out / "provenance.jsonl").exists()


def test_a_runs_compressed_provenance_is_not_read_as_input_when_its_folder_is_cleaned(site, tmp_path):
    out = tmp_path / "out"
    run(site, out, "--provenance-compress", "zst")
    again = tmp_path / "again"
    result = invoke("run", out, again, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert all("provenance" not in r["source"]["path"] for r in lines_of(again / "provenance.jsonl"))
