"""The command line: run, explain, rules; the output contract; exit codes."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app

from conftest import SEEDS

runner = CliRunner()

BODY = "The minister signed the agreement in Moscow on Friday, officials said."
HTML = f"""<!doctype html><html><head><meta charset="utf-8"><title>Deal signed</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Deal signed in Moscow</h1>
<p>{BODY} The agreement covers rifles, tanks and air defence systems for the next ten years.</p>
<p>Both sides said the talks had been long but friendly, and that more meetings would follow in spring.</p>
</article><footer>© 2024 Example News. All rights reserved.</footer></body></html>"""


def provenance(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]


def run_cli(*args: str) -> "object":
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def seeds_out(tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", SEEDS, out)
    assert result.exit_code == 0, result.output
    return out


def test_run_on_seeds_writes_outputs_provenance_and_manifest(seeds_out, seed_files):
    records = provenance(seeds_out)
    assert [r["source"]["path"] for r in records] == [f.name for f in seed_files]
    for rec, src in zip(records, seed_files):
        assert rec["status"] == "ok"
        assert rec["source"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
        out_file = seeds_out / rec["output"]["path"]
        assert rec["output"]["sha256"] == hashlib.sha256(out_file.read_bytes()).hexdigest()
        assert all("rule" in s for s in rec["steps"])
    removed = {s["text"] for r in records for s in r["steps"] if s["action"] == "removed"}
    assert {"Russia, Pakistan, AK", "Exit mobile version", "Source:- The Print", "You may also like..."} <= removed
    assert records[0]["meta"]["tags"] == ["Russia", "Pakistan", "AK"]
    assert records[1]["meta"]["source_name"] == "The Print"
    assert records[1]["meta"]["title"].startswith("Russia rejects Pakistan request")
    manifest = json.loads((seeds_out / "manifest.json").read_text())
    assert manifest["counts"] == {"documents": 2, "ok": 2, "dropped": 0, "failed": 0}
    assert manifest["pack"]["name"] == "default" and len(manifest["pack"]["sha256"]) == 64
    assert manifest["rules"]["residue/you-may-also-like"] == 1


def test_run_is_deterministic_and_idempotent(seeds_out, tmp_path):
    again = tmp_path / "again"
    assert run_cli("run", SEEDS, again).exit_code == 0
    for name in ("000_66dfef1fddce4101.txt", "001_a2c57fd55e7515d8.txt", "provenance.jsonl"):
        assert (again / name).read_bytes() == (seeds_out / name).read_bytes()
    # cleaning the output changes no text, and its own run files are not inputs
    twice = tmp_path / "twice"
    assert run_cli("run", seeds_out, twice).exit_code == 0
    records = provenance(twice)
    assert len(records) == 2
    for rec in records:
        assert rec["steps"] == []
        assert (twice / rec["output"]["path"]).read_bytes() == (seeds_out / rec["output"]["path"]).read_bytes()


def test_html_and_jsonl_inputs(tmp_path):
    src = tmp_path / "in"
    (src / "site").mkdir(parents=True)
    (src / "site" / "page.html").write_text(HTML, encoding="utf-8")
    lines = [
        {"id": "a", "text": f"{BODY}\n\nExit mobile version\n", "url": "https://example.org/a"},
        {"id": "b", "text": "Advertisement\n"},
        {"text": 42},
    ]
    (src / "shard.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines) + "{not json\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", src, out)
    assert result.exit_code == 1, result.output  # some documents failed
    records = {r["id"]: r for r in provenance(out)}
    assert set(records) == {"site/page.html", "a", "b", "shard.jsonl:3", "shard.jsonl:4"}
    page = records["site/page.html"]
    assert page["status"] == "ok" and page["output"]["path"] == "site/page.txt"
    assert page["meta"]["title"] == "Deal signed in Moscow" or page["meta"]["title"] == "Deal signed"
    text = (out / "site" / "page.txt").read_text()
    assert BODY in text and "Home" not in text
    assert records["a"]["status"] == "ok" and records["b"]["status"] == "dropped"
    assert "non-string" in records["shard.jsonl:3"]["reason"]
    assert records["shard.jsonl:4"]["reason"].startswith("not valid JSON")  # the id says where, not the reason
    written = [json.loads(x) for x in (out / "shard.jsonl").read_text().splitlines()]
    meta = {"language": "en", "language_score": pytest.approx(0.98, abs=0.02)}  # language/identify, in the default pack
    assert written == [{"id": "a", "text": BODY + "\n", "url": "https://example.org/a", "cleaner": {"id": "a", "meta": meta}}]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"documents": 5, "ok": 2, "dropped": 1, "failed": 2}
    assert "failed" in result.output


def test_no_html_metadata_gives_the_same_text_without_trafilaturas_metadata(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_text(HTML, encoding="utf-8")
    with_meta, without = tmp_path / "with", tmp_path / "without"
    assert run_cli("run", src, with_meta).exit_code == 0
    assert run_cli("run", src, without, "--no-html-metadata").exit_code == 0
    assert (without / "page.txt").read_bytes() == (with_meta / "page.txt").read_bytes()
    assert "date" in provenance(with_meta)[0]["meta"]  # htmldate's guess, from the footer
    assert "date" not in provenance(without)[0]["meta"]
    assert json.loads((without / "manifest.json").read_text())["options"]["html_metadata"] is False


def test_text_field_option(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"body": f"{BODY}\n\nShare this:\n"}) + "\n")
    out = tmp_path / "out"
    assert run_cli("run", src, out, "--text-field", "body").exit_code == 0
    assert json.loads((out / "c.jsonl").read_text())["body"] == BODY + "\n"


def test_colliding_outputs_both_survive(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"{BODY}\n")
    (src / "a.md").write_text(f"{BODY} Again.\n")
    out = tmp_path / "out"
    assert run_cli("run", src, out).exit_code == 0
    paths = sorted(r["output"]["path"] for r in provenance(out))
    assert paths == ["a.md.txt", "a.txt"] or paths == ["a.txt", "a.txt.txt"]
    assert len({(out / p).read_text() for p in paths}) == 2


def test_records_written_one_txt_each_do_not_overwrite_a_file_of_the_same_path(tmp_path):
    # shard.jsonl with --output-format txt becomes a folder of 00000000.txt, 00000001.txt, ...;
    # an input shard/00000001.txt must not share an output with its second record
    src = tmp_path / "in"
    (src / "shard").mkdir(parents=True)
    records = [f"{BODY} Record {n}.\n" for n in range(2)]
    (src / "shard.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in records))
    (src / "shard" / "00000001.txt").write_text(f"{BODY} The file.\n")
    out = tmp_path / "out"
    assert run_cli("run", src, out, "--output-format", "txt").exit_code == 0
    paths = sorted(r["output"]["path"] for r in provenance(out))
    assert len(paths) == len(set(paths)) == 3
    texts = {(out / p).read_text() for p in paths}
    assert {t.strip() for t in texts} == {t.strip() for t in [*records, f"{BODY} The file."]}
    assert (out / "shard" / "00000001.txt").read_text().strip() == f"{BODY} The file."


def test_headings_option(tmp_path, seed_files):
    for style, first in (("markdown", "# Russia says no"), ("plain", "Russia says no")):
        out = tmp_path / style
        assert run_cli("run", seed_files[0], out, "--headings", style).exit_code == 0
        assert (out / seed_files[0].name).read_text().startswith(first + " to military deals")


def test_bad_pack_exits_2_before_any_output(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid = "residue/x"\nsummary = "x"\npattern = "x"\n')
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(SEEDS), str(out), "--pack", str(bad)])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "residue/x" in result.output and "no examples" in result.output
    assert not out.exists()


def test_missing_input_exits_2(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), str(tmp_path / "out")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_explain_names_the_rule_beside_each_removal(seed_files):
    result = run_cli("explain", seed_files[1], "--no-text")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any("Source:- The Print" in x and "residue/source-attribution" in x for x in lines)
    assert any("You may also like..." in x and "residue/you-may-also-like" in x for x in lines)
    assert any("sentences/split-glued" in x for x in lines)
    assert any("year.{+·+}The sources" in x for x in lines)  # the diff shows the inserted space


def test_rules_lists_and_shows(pipeline):
    listing = run_cli("rules")
    assert listing.exit_code == 0
    for r in pipeline.rules:
        assert r.id in listing.output
    assert "encoding/uncurl-quotes" in listing.output  # opt-in rules are listed too
    show = run_cli("rules", "show", "whitespace/collapse-inline-runs")
    assert show.exit_code == 0
    assert "Collapse runs of spaces" in show.output and "leaves alone" in show.output
    assert run_cli("rules", "show", "nope/nothing").exit_code == 2


def test_console_script_is_installed(tmp_path):
    exe = shutil.which("cleaner", path=str(Path(sys.executable).parent))
    assert exe, "the `cleaner` script must be installed with the package"
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("cleaner ")
