"""Language identification (issue 24, item 1): ``language/identify`` gives every
document ``meta.language`` and ``meta.language_score`` from a model installed with
the package (CLD2's tables in the pycld2 wheel; no network, tested with sockets
that fail); ``language/keep`` drops the documents in other languages with the
reason, and gives texts too short to judge no verdict. The Done-when piece: a run
with a pack adding ``language/keep`` (languages ["en"]) keeps both seeds with
``language: en`` and drops a German news paragraph with its reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.loading.pack import load_pack
from cleaner.rules import _langid
from conftest import SEEDS

GERMAN_NEWS = (
    "Berlin. Der Bundestag hat am Donnerstagabend nach einer langen und teils hitzigen Debatte das neue "
    "Heizungsgesetz beschlossen. Die Koalition setzte sich mit knapper Mehrheit durch, die Opposition kündigte "
    "eine Klage vor dem Bundesverfassungsgericht an. Nach Angaben des Wirtschaftsministeriums sollen Hausbesitzer "
    "beim Austausch alter Öl- und Gasheizungen bis zu siebzig Prozent der Kosten erstattet bekommen. Verbände der "
    "Immobilienwirtschaft kritisierten die Pläne als zu teuer, Umweltverbände dagegen als nicht ehrgeizig genug.\n"
)
KEEP_EN = '[pack]\nadd = ["language/keep"]\n\n[options."language/keep"]\nlanguages = ["en"]\n'


def test_the_model_is_installed_and_nothing_reaches_the_network():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network use in a test')\n"
        "socket.socket.connect = socket.socket.connect_ex = refuse\n"
        "socket.create_connection = socket.getaddrinfo = refuse\n"
        "from cleaner.loading.pack import load_pack\n"
        f"out = load_pack().clean({GERMAN_NEWS!r})\n"
        "print(out.meta['language'], out.meta['language_score'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr
    language, score = done.stdout.split()
    assert language == "de" and float(score) >= 0.9


def test_identify_is_last_in_the_default_pack_and_gives_language_and_score():
    pipeline = load_pack()
    assert pipeline.rules[-1].id == "language/identify"
    assert "language/keep" not in [r.id for r in pipeline.rules]  # opt-in
    meta = pipeline.clean(GERMAN_NEWS).meta
    assert meta["language"] == "de" and 0.9 <= meta["language_score"] <= 1
    assert "language" not in pipeline.clean("Thanks, see you!\n").meta  # too short: no language, not a guess


def test_keep_drops_other_languages_with_the_reason_and_keeps_short_texts_with_a_step(tmp_path):
    pack = tmp_path / "en.toml"
    pack.write_text(KEEP_EN, encoding="utf-8")
    pipeline = load_pack([pack])
    dropped = pipeline.clean(GERMAN_NEWS)
    assert dropped.status == "dropped" and dropped.reason.startswith("language de (0.9")
    assert dropped.reason.endswith("), not in [en]")
    step = dropped.steps[-1].to_dict()
    assert step["rule"] == "language/keep" and step["label"] == "language de, not in [en]"
    assert step["measures"][0] == {"name": "language", "value": "de", "bound": "in [en]", "passed": False}
    short = pipeline.clean("Danke schön!\n")
    assert short.status == "ok"
    assert [(s.rule, s.action, s.why) for s in short.steps] == [
        ("language/keep", "kept", "too short to identify its language (11 non-space characters < 20)")]
    mixed = load_pack([pack], options={"language/keep": {"min_score": 0.99}}).clean(
        "The minister signed the agreement in Moscow on Friday, officials said.\n" + GERMAN_NEWS[:120] + "\n")
    assert mixed.status == "dropped"


def test_a_run_keeps_the_english_seeds_and_drops_a_german_paragraph_with_its_reason(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src, ignore=shutil.ignore_patterns("README*"))
    (src / "de-news.txt").write_text(GERMAN_NEWS, encoding="utf-8")
    pack = tmp_path / "en.toml"
    pack.write_text(KEEP_EN, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", str(pack), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, (out / "provenance.jsonl").read_text().splitlines())}
    seeds = [name for name in records if name != "de-news.txt"]
    assert len(seeds) == 2
    for name in seeds:
        assert records[name]["status"] == "ok" and records[name]["meta"]["language"] == "en"
        assert (out / name).is_file()
    german = records["de-news.txt"]
    assert german["status"] == "dropped" and german["reason"].startswith("language de (")
    assert german["meta"]["language"] == "de" and not (out / "de-news.txt").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["dropped_reasons"] == {"language de, not in [en]": 1}
    assert manifest["dropped_by_rule"] == {"language/keep": 1}
    assert "dropped 1 × language de, not in [en]" in result.output
    shown = CliRunner().invoke(app, ["explain", str(src / "de-news.txt"), "--pack", str(pack)])
    assert "dropped by language/keep: language de (" in shown.output
    assert "✗ language de  (bound in [en])" in shown.output


def test_what_the_model_reads_is_bounded_and_readable():
    text = "word \x85 \ud800 " * 1000
    assert len(_langid.prepared(text)) <= _langid.MAX_CHARS
    assert "\x85" not in _langid.prepared(text) and "\ud800" not in _langid.prepared(text)
    _langid.identify(text)  # CLD2 refuses C1 controls and surrogates as invalid UTF-8: they never reach it


def test_a_noncharacter_in_the_text_does_not_cost_it_its_language():
    # CLD2 raised on Unicode's noncharacters, and the whole text got no language (so
    # language/keep let it through)
    english = "The minister signed the agreement in Moscow on Friday, officials said after the meeting. "
    for odd in ("\uffff", "\ufdd5", "\U0010fffe"):
        assert _langid.identify(english + odd + english) == ("en", 0.99)


def test_the_hugging_face_helper_runs_the_same_filter(tmp_path):
    """Issue 24, item 6: the integrations run the same rules; the HF helper's batch
    function (no ``datasets`` needed) drops the German row with the run's reason."""
    from cleaner.integrations.hf import clean_batch

    pack = tmp_path / "en.toml"
    pack.write_text(KEEP_EN, encoding="utf-8")
    english = "The minister signed the agreement in Moscow on Friday, officials said after the meeting.\n"
    out = clean_batch({"text": [english, GERMAN_NEWS], "n": [1, 2]}, load_pack([pack]))
    assert out["cleaner_status"] == ["ok", "dropped"]
    assert out["cleaner_reason"][1].startswith("language de (") and out["text"][1] == ""
    assert json.loads(out["cleaner_meta"][0])["language"] == "en"
    assert json.loads(out["cleaner_steps"][1])[-1]["label"] == "language de, not in [en]"
