"""The command line a user expects (issue 13, items 1, 7, 8, 9, 11): `cleaner clean`
for pipelines, --version/-V/-h, --disable/--enable, -v, JSON output, Ctrl-C that
says what it kept, -q that still reports failures, help that teaches, and a
pack's options that the command line does not silently override."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.running.plan import UNIT_COST

from conftest import GOLDEN, SEEDS
from test_run_scale import make_corpus, snapshot, wait_for_units

runner = CliRunner()

SEED0 = SEEDS / "000_66dfef1fddce4101.txt"  # ends with "Exit mobile version"; curly apostrophes
SEED1 = SEEDS / "001_a2c57fd55e7515d8.txt"
PLAIN_HEADINGS_PACK = '[options."headings/normalise"]\nstyle = "plain"\n'


def invoke(*args: object, input: bytes | str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def cleaner_exe() -> str:
    exe = shutil.which("cleaner", path=str(Path(sys.executable).parent))
    assert exe, "the `cleaner` script must be installed with the package"
    return exe


def provenance(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]


# --- cleaner clean ----------------------------------------------------------------


def test_clean_from_stdin_in_a_real_pipe_prints_the_golden_bytes():
    # the issue's own command: cat seeds/001_a2c57fd55e7515d8.txt | cleaner clean -
    done = subprocess.run(
        [cleaner_exe(), "clean", "-"], input=SEED1.read_bytes(), capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / SEED1.name).read_bytes()
    assert done.stderr == b""


@pytest.mark.parametrize("seed", [SEED0, SEED1], ids=["seed0", "seed1"])
def test_clean_a_file_and_stdin_without_argument_match_what_run_writes(seed, tmp_path):
    from_file = invoke("clean", seed)
    assert from_file.exit_code == 0
    assert from_file.stdout_bytes == (GOLDEN / seed.name).read_bytes()
    from_stdin = invoke("clean", input=seed.read_bytes())  # no argument: standard input
    assert from_stdin.stdout_bytes == (GOLDEN / seed.name).read_bytes()
    out = tmp_path / "out"
    assert invoke("run", seed, out).exit_code == 0
    assert (out / seed.name).read_bytes() == from_file.stdout_bytes


def test_clean_decodes_stdin_as_a_txt_file_is_decoded():
    text = "Ministerin unterschrieb den Vertrag am Freitag in Moskau, sagten Beamte.\n"
    result = invoke("clean", "-", input=text.encode("cp1252"))
    assert result.exit_code == 0
    assert result.stdout_bytes == text.encode("utf-8")


def test_clean_a_dropped_document_prints_nothing_and_says_why_on_stderr():
    result = invoke("clean", "-", input=b"Advertisement\n\nExit mobile version\n")
    assert result.exit_code == 0
    assert result.stdout_bytes == b""
    assert "dropped" in result.stderr and "no text left" in result.stderr


def test_clean_a_failed_document_exits_1_with_the_reason_on_stderr():
    result = invoke("clean", "-", input=b"\x00\x01\x02binary\x00\x00" * 50)
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert "failed" in result.stderr and "binary" in result.stderr


def test_clean_one_record_of_a_jsonl_file(tmp_path):
    shard = tmp_path / "shard.jsonl"
    body = "The minister signed the agreement in Moscow on Friday, officials said."
    shard.write_text(
        json.dumps({"text": "First record.\n"}) + "\n" + json.dumps({"body": f"{body}\n\nShare this:\n"}) + "\n"
    )
    result = invoke("clean", shard, "--line", 2, "--text-field", "body")
    assert result.exit_code == 0
    assert result.stdout_bytes == f"{body}\n".encode()
    missing = invoke("clean", shard, "--line", 9)
    assert missing.exit_code == 2 and "no record number 9" in missing.stderr


def test_clean_html_from_stdin_with_input_format():
    html = (
        "<html><head><title>Deal</title></head><body><nav><a href='/'>Home</a></nav><article>"
        "<p>The minister signed the agreement in Moscow on Friday, officials said after long talks.</p>"
        "<p>Both sides said the talks had been long but friendly, and that more meetings would follow.</p>"
        "</article></body></html>"
    )
    result = invoke("clean", "-", "--input-format", "html", input=html.encode())
    assert result.exit_code == 0
    assert "The minister signed" in result.stdout and "Home" not in result.stdout
    records = invoke("clean", "-", "--input-format", "jsonl", input=b'{"text": "x"}\n')
    assert records.exit_code == 2 and "give the file" in records.stderr


def test_clean_verbose_lists_the_steps_on_stderr_only():
    result = invoke("clean", SEED0, "-v")
    assert result.stdout_bytes == (GOLDEN / SEED0.name).read_bytes()
    assert "residue/exit-mobile-version" in result.stderr and "Exit mobile version" in result.stderr


# --- version, help ------------------------------------------------------------------


def test_version_and_short_options():
    for flag in ("--version", "-V"):
        result = invoke(flag)
        assert result.exit_code == 0 and re.fullmatch(r"cleaner \d+\.\d+\.\d+\S*\n", result.stdout)


HELP_OF = [[], ["run"], ["clean"], ["explain"], ["rules"], ["rules", "show"]]


@pytest.mark.parametrize("command", HELP_OF, ids=lambda c: " ".join(c) or "cleaner")
def test_h_is_help_everywhere_and_help_has_readable_metavars(command):
    short = invoke(*command, "-h")
    long = invoke(*command, "--help")
    assert short.exit_code == 0 == long.exit_code
    assert short.stdout == long.stdout and "Usage: cleaner" in short.stdout
    for unreadable in ("<list[", "{IN}", "{OUT}", "{FILE}", "<bool>", "<path>...", "<str>", "<int"):
        assert unreadable not in short.stdout, (unreadable, short.stdout)


def test_run_help_groups_options_in_panels_shows_defaults_and_examples():
    text = invoke("run", "--help").stdout
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())  # help texts wrap inside their panels
    for panel in ("Input", "Output", "Rules", "Performance"):
        assert re.search(rf"─ {panel} ─", text), panel
    assert "Usage: cleaner run [OPTIONS] IN OUT" in text
    assert "FILE|DIR|NAME" in text and "--jobs" in text
    assert "[default: all cores]" in flat and "[default: text]" in flat
    assert "[default: the pack's, else markdown]" in flat
    assert "Examples" in text and text.count("cleaner run ") >= 3



def test_help_prints_the_install_hint_whole_at_80_columns():
    """Rich markup ate ``[resiliparse]`` (the hint read ``pip install 'cleaner'``), and
    a narrow help column cut it to ``'cleaner[resilipa…``."""
    for command in (["run"], ["clean"], ["explain"]):
        text = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"}).stdout
        assert "'cleaner[resiliparse]'" in text, command
        flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())
        assert "needs pip install 'cleaner[resiliparse]'" in flat


@pytest.mark.parametrize("command", [["run"], ["clean"], ["explain"]], ids=" ".join)
def test_help_paragraphs_wrap_at_the_terminal_not_mid_sentence(command):
    """A docstring's paragraph is one line on a wide terminal: the source's own line
    breaks (at 80 columns) must not show as breaks mid-sentence."""
    wide = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "2000"}).stdout
    lines = {line.strip() for line in wide.splitlines()}
    docstring = typer.main.get_command(app).commands[command[0]].callback.__doc__  # type: ignore[attr-defined]
    paragraphs = [p for p in inspect.cleandoc(docstring).split("\n\n")[1:] if "[" not in p and "\n " not in p]
    assert paragraphs
    for paragraph in paragraphs:
        assert " ".join(paragraph.split()) in lines, paragraph

# --- item 1: a pack's options reach the command line's run --------------------------


def test_a_packs_heading_style_is_not_overridden_by_the_cli_default(tmp_path):
    pack = tmp_path / "plain.toml"
    pack.write_text(PLAIN_HEADINGS_PACK, encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("run", SEED0, out, "--pack", pack).exit_code == 0
    text = (out / SEED0.name).read_text(encoding="utf-8")
    assert text.startswith("Russia says no to military deals") and not text.startswith("#")
    # given on the command line, the option wins over the pack
    given = tmp_path / "given"
    assert invoke("run", SEED0, given, "--pack", pack, "--headings", "markdown").exit_code == 0
    assert (given / SEED0.name).read_text(encoding="utf-8").startswith("# Russia says no")
    # the same for clean, explain and rules
    assert invoke("clean", SEED0, "--pack", pack).stdout.startswith("Russia says no")
    explained = json.loads(invoke("explain", SEED0, "--pack", pack, "--json").stdout)
    assert explained["text"].startswith("Russia says no")
    listed = json.loads(invoke("rules", "--pack", pack, "--json").stdout)
    assert next(r for r in listed["rules"] if r["id"] == "headings/normalise")["options"]["style"] == "plain"


# --- --disable / --enable ---------------------------------------------------------


def test_disable_keeps_what_the_rule_would_remove_in_run_clean_explain_and_rules(tmp_path):
    gone = invoke("clean", SEED0).stdout
    assert "Exit mobile version" not in gone
    kept = invoke("clean", SEED0, "--disable", "residue/exit-*")  # a glob
    assert kept.exit_code == 0 and "Exit mobile version" in kept.stdout
    out = tmp_path / "out"
    assert invoke("run", SEED0, out, "--disable", "residue/exit-mobile-version").exit_code == 0
    assert "Exit mobile version" in (out / SEED0.name).read_text(encoding="utf-8")
    explained = invoke("explain", SEED0, "--disable", "residue/exit-mobile-version", "--no-text").stdout
    assert "residue/exit-mobile-version" not in explained
    listing = invoke("rules", "--disable", "residue/exit-mobile-version").stdout.splitlines()
    line = next(x for x in listing if x.startswith("residue/exit-mobile-version "))
    assert "opt-in:" in line


def test_enable_adds_an_opt_in_rule(tmp_path):
    assert "’" in invoke("clean", SEED0).stdout
    uncurled = invoke("clean", SEED0, "--enable", "encoding/uncurl-quotes")
    assert uncurled.exit_code == 0 and "’" not in uncurled.stdout and "India's" in uncurled.stdout
    out = tmp_path / "out"
    assert invoke("run", SEED0, out, "--enable", "encoding/uncurl-quotes").exit_code == 0
    assert (out / SEED0.name).read_bytes() == uncurled.stdout_bytes
    explained = invoke("explain", SEED0, "--enable", "encoding/uncurl-quotes", "--no-text").stdout
    assert "encoding/uncurl-quotes changed" in explained
    listed = json.loads(invoke("rules", "--enable", "encoding/uncurl-quotes", "--json").stdout)
    assert next(r for r in listed["rules"] if r["id"] == "encoding/uncurl-quotes")["in_pack"] is True
    unknown = invoke("clean", SEED0, "--enable", "nope/nothing")
    assert unknown.exit_code == 2 and "nope/nothing" in unknown.stderr


# --- explain --json, -v -------------------------------------------------------------

PROVENANCE_KEYS = ["id", "status", "reason", "source", "pack", "cleaner", "chars_before", "chars_after", "steps", "meta"]


def test_explain_json_is_the_provenance_line_with_the_text(tmp_path):
    result = invoke("explain", SEED1, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)  # one JSON document, nothing else on stdout
    assert list(doc) == [*PROVENANCE_KEYS, "text"]
    out = tmp_path / "out"
    assert invoke("run", SEED1, out).exit_code == 0
    (record,) = provenance(out)
    assert {k: doc[k] for k in PROVENANCE_KEYS} == {k: record[k] for k in PROVENANCE_KEYS}
    assert doc["text"] == (GOLDEN / SEED1.name).read_text(encoding="utf-8")
    assert json.loads(invoke("explain", SEED1, "--json", "--no-text").stdout)["text"] is None


def test_explain_verbose_shows_each_steps_characters():
    plain = invoke("explain", SEED1, "--no-text").stdout
    verbose = invoke("explain", SEED1, "--no-text", "-v").stdout
    removal = next(x for x in verbose.splitlines() if "residue/source-attribution" in x)
    assert re.search(r"2,052 → 2,033 chars", removal)
    assert "2,052 → 2,033" not in plain


# --- rules ------------------------------------------------------------------------

RULE_KEYS = [
    "id", "kind", "where", "summary", "in_pack", "position", "aliases", "block", "options", "origin",
    "implementation", "pattern", "case_sensitive",
]


def test_rules_json_lists_the_pack_in_order_then_the_opt_in_rules(pipeline):
    listed = json.loads(invoke("rules", "--json").stdout)
    assert listed["pack"] == {"name": pipeline.name, "sha256": pipeline.sha256}
    rules = listed["rules"]
    assert all(list(r) == RULE_KEYS for r in rules)
    in_pack = [r for r in rules if r["in_pack"]]
    assert [r["id"] for r in in_pack] == [r.id for r in pipeline.rules]
    assert [r["position"] for r in in_pack] == list(range(1, len(in_pack) + 1))
    opt_in = {r["id"] for r in rules if not r["in_pack"]}
    assert {"encoding/uncurl-quotes", "page/main-text"} <= opt_in
    follow = next(r for r in rules if r["id"] == "residue/follow-us")
    assert follow["pattern"] and follow["case_sensitive"] is False and follow["where"] == "anywhere"
    assert next(r for r in rules if r["id"] == "unicode/nfc")["pattern"] is None


def test_rules_show_json_has_doc_and_examples():
    shown = json.loads(invoke("rules", "show", "whitespace/collapse-inline-runs", "--json").stdout)
    assert list(shown) == [*RULE_KEYS, "doc", "examples"]
    assert {"input", "output", "changes", "note", "meta"} == set(shown["examples"][0])
    assert any(ex["changes"] for ex in shown["examples"]) and any(not ex["changes"] for ex in shown["examples"])


def test_rules_prints_one_greppable_line_per_rule_by_default_and_a_table_with_long(pipeline):
    listing = invoke("rules")
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert not any(ch in listing.stdout for ch in "│┃━─┏")  # no box table
    ids = [x.split()[0] for x in lines]
    assert ids[: len(pipeline.rules)] == [r.id for r in pipeline.rules]
    by_id = {x.split()[0]: x.split(maxsplit=3) for x in lines}
    assert by_id["residue/follow-us"][1:3] == ["line", "anywhere"]
    assert by_id["unicode/nfc"][1:3] == ["text", "-"]
    assert by_id["encoding/uncurl-quotes"][3].startswith("opt-in:")
    assert not any(x.split(maxsplit=3)[3].startswith("opt-in:") for x in lines[: len(pipeline.rules)])
    table = invoke("rules", "--long").stdout
    assert "Not in this pack" in table and "━" in table and "whitespace/collapse-inline-runs" in table


def test_rules_show_prints_a_declarative_rules_pattern():
    shown = invoke("rules", "show", "residue/follow-us")
    assert shown.exit_code == 0
    assert "case-insensitive" in shown.stdout and r"follow\s+(?:us|me)" in shown.stdout
    python_rule = invoke("rules", "show", "whitespace/collapse-inline-runs").stdout
    assert "pattern" not in python_rule



@pytest.mark.parametrize("args, suggestion", [
    (["rules", "show", "split-glued"], "did you mean 'sentences/split-glued'?"),
    (["rules", "show", "residue/folow-us"], "did you mean 'residue/follow-us'?"),
    (["run", "--pack", "pagedump", SEEDS, "OUT"], "did you mean 'page-dump'?"),
    (["clean", "--pack", "corpuss", SEED0], "did you mean 'corpus'?"),
])
def test_misspelt_rule_and_pack_names_get_a_suggestion(tmp_path, args, suggestion):
    args = [tmp_path / "out" if a == "OUT" else a for a in args]
    result = invoke(*args)
    assert result.exit_code == 2
    assert suggestion in result.stderr
    assert not (tmp_path / "out").exists()

# --- run: -q, plurals, Ctrl-C -----------------------------------------------------


def test_quiet_run_still_reports_failed_documents_in_one_line(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    body = "The minister signed the agreement in Moscow on Friday, officials said."
    (src / "a.jsonl").write_text(json.dumps({"text": body}) + "\n{broken\n{broken too\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", src, out, "-q")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == f"2 documents failed; see {out / 'provenance.jsonl'}"
    clean = invoke("run", SEED0, tmp_path / "ok", "-q")
    assert clean.exit_code == 0 and clean.stdout == clean.stderr == ""


def test_summary_counts_read_in_the_singular_and_plural(tmp_path):
    one = invoke("run", SEED0, tmp_path / "one")
    assert re.search(r"^1 document: 1 ok, 0 dropped, 0 failed", one.stdout, re.M)
    two = invoke("run", SEEDS, tmp_path / "two")
    assert re.search(r"^2 documents: 2 ok", two.stdout, re.M)


def test_summary_names_skipped_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEED0, src / SEED0.name)
    (src / "report.pdf").write_bytes(b"%PDF-1.4\n")
    result = invoke("run", src, tmp_path / "out")
    assert result.exit_code == 0
    said = "not read: 1 path of IN: report.pdf (not a kind of file cleaner reads) (listed in manifest.json)"
    assert said in result.stdout


def _interrupt_midway(src: Path, out: Path) -> subprocess.CompletedProcess:
    """Start a real run in its own session, wait until it has finished a few units,
    and send SIGINT to the whole process group, as Ctrl-C on a terminal does."""
    proc = subprocess.Popen(
        [cleaner_exe(), "run", str(src), str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    wait_for_units(proc, out)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout.decode(), stderr.decode())


def test_ctrl_c_says_what_was_kept_exits_130_and_the_same_command_resumes(tmp_path):
    src = make_corpus(tmp_path / "in", records=4000, texts=30)
    uninterrupted = tmp_path / "clean"
    assert invoke("run", src, uninterrupted, "-q").exit_code == 1  # the corpus has broken lines
    out = tmp_path / "out"
    stopped = _interrupt_midway(src, out)
    assert stopped.returncode == 130, stopped.stderr
    found = re.search(
        r"^interrupted: (\d+) units? \(([\d,]+) documents?, (\d+)% of the input\) kept in (\S+); "
        r"run the same command to resume$", stopped.stderr, re.M,
    )
    assert found, stopped.stderr
    kept = len(list((out / ".cleaner" / "parts").glob("*.prov.jsonl")))
    units = int(found.group(1))
    # a unit counts once its provenance part is written, so a signal landing right
    # between the two can leave one more part on disk than the message counted
    assert units in (kept, kept - 1) and kept >= 2
    assert int(found.group(2).replace(",", "")) == UNIT_COST * units  # the shard's units: 100 records each
    assert found.group(4) == str(out)
    assert "Traceback" not in stopped.stderr
    resumed = invoke("run", src, out, "--jobs", "2")
    assert resumed.exit_code == 1
    assert f"resumed: {kept} units were already done" in resumed.stdout
    assert snapshot(out) == snapshot(uninterrupted)
