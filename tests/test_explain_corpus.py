"""`cleaner explain FILE --corpus OUT|IN` shows what the corpus rules did to a
document of a corpus, as the run did it (issue 14, item 7); the manifest and the
summary say per site how many template lines went, from how many pages."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus.removals import TOP_FOLDER_LABEL, site_in_reason
from cleaner.corpus.scan import clean_corpus, corpus_of
from cleaner.corpus.within import scan_inputs, spec_for, corpus_files
from cleaner.loading.pack import load_pack
from cleaner.running.state import RunState

runner = CliRunner()

SITE = "news.example"
MENU = "Home\nWorld\nSport\nWeather\n\n"
FOOTER = "\n\nAbout us\nContact the newsroom\nPrivacy policy\n"
TOPICS = [
    "The council approved the new budget on Tuesday after a long debate about school funding, and teachers "
    "who had asked for more money for classrooms welcomed the vote of seven to two.",
    "Heavy rain closed three roads in the valley on Sunday, the river rose above its banks near the old mill, "
    "and emergency crews moved families from twelve houses before nightfall.",
    "The museum opened a hall of old maps and ship models to visitors on Saturday, and the curator said the "
    "collection took ten years to gather from families along the coast.",
    "Farmers sold the first strawberries of the year at the market for a good price, helped by a warm spring "
    "and a new cooling shed the cooperative built last autumn.",
]


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def provenance(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]


def record_of(out: Path, doc_id: str) -> dict:
    return next(r for r in provenance(out) if r["id"] == doc_id)


@pytest.fixture()
def corpus(tmp_path):
    """IN: four pages of one site (a folder) with its menu and footer, a copy of
    the first page's story on another site, and a JSONL shard of records with
    URLs in which the third repeats the first. OUT: `cleaner run IN OUT --pack
    corpus`."""
    src = tmp_path / "in"
    (src / SITE).mkdir(parents=True)
    for n, topic in enumerate(TOPICS):
        (src / SITE / f"p{n}.txt").write_text(f"{MENU}{topic}\n\nReported by the desk on day {n}.{FOOTER}", encoding="utf-8")
    (src / "other.example").mkdir()
    (src / "other.example" / "copy.txt").write_text(f"{TOPICS[0]}\n\nReported by the desk on day 0.\n\nShare this story\n",
                                                    encoding="utf-8")
    records = [{"id": f"r{n}", "url": f"https://shop.example/item/{n}", "text": TOPICS[(n + 1) % 4]} for n in range(2)]
    records.append({"id": "r2", "url": "https://shop.example/item/2", "text": TOPICS[1].upper()})  # repeats r0
    (src / "z-shard.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", src, out, "--pack", "corpus", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return src, out


def explain_json(*args: object) -> dict:
    result = invoke("explain", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- explain within a finished run or its inputs -----------------------------------


def test_explain_from_a_finished_run_shows_the_template_lines_with_the_runs_reasons(corpus):
    src, out = corpus
    page = src / SITE / "p2.txt"
    result = invoke("explain", page, "--corpus", out, "--pack", "corpus", "--no-text")
    assert result.exit_code == 0, result.output
    for line in ("Home", "World", "Sport", "Weather", "About us", "Contact the newsroom", "Privacy policy"):
        assert f"- {line}  line" in result.stdout
    assert f"corpus/site-template  on 4 of 4 pages of {SITE}, in a block of 4 such lines" in result.stdout
    assert f"document 3 in input order, site {SITE}" in result.stdout
    assert "corpus of one" not in result.output

    explained = explain_json(page, "--corpus", out, "--pack", "corpus")
    run = record_of(out, f"{SITE}/p2.txt")
    assert run["steps"] == explained["steps"]
    assert sum(s["rule"] == "corpus/site-template" for s in run["steps"]) == 7
    assert {k: explained[k] for k in ("id", "status", "reason", "source", "meta")} == {
        k: run[k] for k in ("id", "status", "reason", "source", "meta")}
    assert explained["text"] == (out / SITE / "p2.txt").read_text(encoding="utf-8")
    assert explained["corpus"] == {"from": "run", "path": str(out), "position": 2, "site": SITE}


def test_explain_within_the_input_folder_judges_as_the_run_did(corpus):
    src, out = corpus
    for doc in (src / SITE / "p0.txt", src / "other.example" / "copy.txt"):
        from_run = explain_json(doc, "--corpus", out, "--pack", "corpus")
        from_inputs = explain_json(doc, "--corpus", src, "--pack", "corpus")
        assert from_inputs.pop("corpus") == {**from_run.pop("corpus"), "from": "inputs", "path": str(src)}
        assert from_inputs == from_run


def test_a_runs_output_inside_the_input_folder_is_not_taken_for_part_of_the_corpus(corpus):
    """Its cleaned pages would be pages of the site too (and copies of the inputs)."""
    src, _ = corpus
    inner = src / "cleaned"
    assert invoke("run", src, inner, "--pack", "corpus", "--jobs", "1").exit_code == 0
    page = src / SITE / "p1.txt"
    from_inputs = explain_json(page, "--corpus", src, "--pack", "corpus")
    from_run = explain_json(page, "--corpus", inner, "--pack", "corpus")
    assert from_inputs["steps"] == from_run["steps"] == record_of(inner, f"{SITE}/p1.txt")["steps"]
    assert from_inputs["status"] == "ok"


def test_a_duplicate_shows_its_drop_reason_and_what_it_repeats(corpus):
    src, out = corpus
    copy = src / "other.example" / "copy.txt"
    result = invoke("explain", copy, "--corpus", out, "--pack", "corpus")
    assert result.exit_code == 0, result.output
    run = record_of(out, "other.example/copy.txt")
    assert run["status"] == "dropped" and run["reason"].startswith(f"near-duplicate of {SITE}/p0.txt, Jaccard ≈ ")
    assert f"dropped by corpus/duplicates: {run['reason']}" in result.stdout
    assert "duplicate_of" in result.stdout


def test_a_record_is_found_at_its_place_among_every_input_before_it(corpus):
    """Duplicates' verdicts are keyed by place in input order: record 3 of the
    shard comes after the five text files and two records."""
    src, out = corpus
    shard = src / "z-shard.jsonl"
    dropped = explain_json(shard, "--line", 3, "--corpus", out, "--pack", "corpus")
    assert dropped["status"] == "dropped" and dropped["reason"] == "exact duplicate of r0"
    assert dropped["corpus"]["position"] == 7 and dropped["corpus"]["site"] == "shop.example"
    assert dropped["steps"] == record_of(out, "r2")["steps"]
    kept = explain_json(shard, "--line", 1, "--corpus", src, "--pack", "corpus")
    assert kept["status"] == "ok" and kept["steps"] == record_of(out, "r0")["steps"]


def test_without_a_pack_explain_takes_the_runs_pack_and_statistics_from_out(corpus, tmp_path):
    """explain FILE --corpus OUT alone judges with the run's pack and the statistics
    its scan kept in OUT: no scan, and the inputs may have moved (it refused, naming
    the corpus rules missing, and scanned the inputs again)."""
    src, out = corpus
    moved = tmp_path / "moved"
    src.rename(moved)
    for page in ("p1.txt", "p3.txt"):
        result = invoke("explain", moved / SITE / page, "--corpus", out, "--no-text")
        assert result.exit_code == 0, result.output
        assert "scanning" not in result.output and "warning" not in result.output
        explained = explain_json(moved / SITE / page, "--corpus", out)
        assert explained["steps"] == record_of(out, f"{SITE}/{page}")["steps"]
        assert sum(s["rule"] == "corpus/site-template" for s in explained["steps"]) == 7
    copy = explain_json(moved / "other.example" / "copy.txt", "--corpus", out)
    assert copy["status"] == "dropped" and copy["reason"] == record_of(out, "other.example/copy.txt")["reason"]


def test_a_pack_given_that_differs_from_the_runs_is_said_and_judged_within_the_runs_inputs(corpus):
    src, out = corpus
    page = src / SITE / "p1.txt"
    same = invoke("explain", page, "--corpus", out, "--pack", "corpus", "--no-text")
    assert same.exit_code == 0 and "warning" not in same.output and "scanning" not in same.output
    other = invoke("explain", page, "--corpus", out, "--pack", "corpus", "--disable", "corpus/duplicates")
    assert other.exit_code == 0, other.output
    said = other.output.replace("\n", " ")
    assert "the pack or options given differ from the run's" in said and "removed corpus/duplicates" in said
    assert f"within the run's inputs at {src}, scanned again" in said
    assert "scanning 6 input files for corpus/site-template" in said  # the run's statistics are its pack's
    assert "corpus/duplicates" not in other.stdout.split("cleaned text")[0].split("\n", 1)[1]
    assert "on 4 of 4 pages" in other.stdout  # the site's template still goes
    default = invoke("explain", page, "--corpus", out, "--headings", "plain", "--no-text")
    assert default.exit_code == 0 and "differ from the run's" in default.output
    assert "added corpus/" not in default.output  # --headings alone: the default pack, not the run's


def test_the_runs_own_pack_files_and_rule_options_are_found_from_anywhere(tmp_path, monkeypatch):
    """A run given a pack file by a relative path, --disable and --headings: explain
    without them, from another folder, judges as the run did."""
    src = tmp_path / "in" / SITE
    src.mkdir(parents=True)
    for n, topic in enumerate(TOPICS):
        follow = "\n\nFollow us on Twitter" * (n == 2)
        (src / f"p{n}.txt").write_text(f"{MENU}Latest news\n\n{topic}{follow}{FOOTER}", encoding="utf-8")
    (tmp_path / "mine.toml").write_text('[options."corpus/site-template"]\nmin_pages = 4\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ran = invoke("run", "in", "out", "--pack", "corpus", "--pack", "mine.toml", "--disable", "residue/follow-us",
                 "--headings", "plain", "-j", "1")
    assert ran.exit_code == 0, ran.output
    monkeypatch.chdir(src)
    explained = explain_json("p2.txt", "--corpus", tmp_path / "out")
    run = record_of(tmp_path / "out", f"{SITE}/p2.txt")
    assert explained["steps"] == run["steps"] and explained["text"] == (tmp_path / "out" / SITE / "p2.txt").read_text()
    assert "Follow us on Twitter" in explained["text"]  # the run's --disable
    assert any("on 4 of 4 pages" in (s.get("why") or "") for s in explained["steps"])  # its pack file's min_pages


def test_inputs_changed_since_the_run_are_refused_and_the_input_folder_offered(corpus):
    """When the inputs must be scanned again (OUT of an older cleaner, without the
    statistics; or another pack given), they must be the ones the run read."""
    src, out = corpus
    page = src / SITE / "p1.txt"
    (src / SITE / "p9.txt").write_text(f"{MENU}A page added after the run.{FOOTER}", encoding="utf-8")
    kept = explain_json(page, "--corpus", out)  # the run's statistics, kept in OUT: the new page changes nothing
    assert kept["steps"] == record_of(out, f"{SITE}/p1.txt")["steps"]
    other = invoke("explain", page, "--corpus", out, "--pack", "corpus", "--disable", "corpus/duplicates")
    assert other.exit_code == 2 and "the pack given differs from the run's" in other.output.replace("\n", " ")
    RunState(out).stats_file.unlink()
    result = invoke("explain", page, "--corpus", out, "--pack", "corpus")
    assert result.exit_code == 2
    assert "not those the run" in result.output and "inputs: 6 files" in result.output
    assert f"--corpus {src}" in result.output.replace("\n", "")
    assert invoke("explain", page, "--corpus", src, "--pack", "corpus").exit_code == 0


def test_a_file_that_is_not_in_the_corpus_is_refused(corpus, tmp_path):
    src, out = corpus
    stranger = tmp_path / "elsewhere" / SITE / "p0.txt"
    stranger.parent.mkdir(parents=True)
    stranger.write_text("A page no run has seen, with a sentence of its own.\n", encoding="utf-8")
    result = invoke("explain", stranger, "--corpus", out, "--pack", "corpus")
    assert result.exit_code == 2 and "is not a document of the run" in result.output
    result = invoke("explain", stranger, "--corpus", src, "--pack", "corpus")
    assert result.exit_code == 2 and "is not inside the corpus" in result.output
    result = invoke("explain", src / "z-shard.jsonl", "--line", 9, "--corpus", src, "--pack", "corpus")
    assert result.exit_code == 2 and "no record number 9" in result.output


def test_an_unfinished_or_foreign_folder_is_not_taken_for_a_run(corpus, tmp_path):
    src, out = corpus
    state = RunState(out)
    data = json.loads(state.file.read_text(encoding="utf-8"))
    state.file.write_text(json.dumps({**data, "complete": False}), encoding="utf-8")
    result = invoke("explain", src / SITE / "p0.txt", "--corpus", out, "--pack", "corpus")
    assert result.exit_code == 2 and "has not finished" in result.output


def test_when_out_keeps_the_statistics_the_inputs_are_not_needed(corpus, tmp_path):
    """A run's OUT that holds its scan (corpus-stats.pickle, saved here as it was
    before runs kept it) is judged with it: the inputs may have moved."""
    src, out = corpus
    pipeline = load_pack(["corpus"])
    RunState(out).save_stats(scan_inputs(corpus_files(src, skip=out), pipeline, spec_for(pipeline)))
    moved = tmp_path / "moved"
    src.rename(moved)
    explained = explain_json(moved / SITE / "p3.txt", "--corpus", out, "--pack", "corpus")
    assert explained["steps"] == record_of(out, f"{SITE}/p3.txt")["steps"]
    assert any(s["rule"] == "corpus/site-template" for s in explained["steps"])


def test_without_corpus_the_warning_points_at_the_corpus_option(corpus):
    src, _ = corpus
    result = invoke("explain", src / SITE / "p0.txt", "--pack", "corpus", "--no-text")
    assert result.exit_code == 0
    assert "corpus of one" in result.output and "--corpus" in result.output
    assert "corpus/site-template" not in result.stdout  # alone, nothing recurs


# --- the manifest and the summary: template lines per site --------------------------


def test_manifest_and_summary_count_the_template_lines_removed_per_site(tmp_path, corpus):
    src, out = corpus
    removed = [s for r in provenance(out) for s in r["steps"] if s["rule"] == "corpus/site-template"]
    touched = {r["id"] for r in provenance(out) if any(s["rule"] == "corpus/site-template" for s in r["steps"])}
    found = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["corpus"]
    template = found["corpus/site-template"]
    assert template["removed"] == {"lines": len(removed), "pages": len(touched), "replaced": 0} and len(touched) == 4
    site = next(s for s in template["largest"] if s["site"] == SITE)
    assert (site["lines_removed"], site["pages_touched"], site["pages"]) == (len(removed), 4, 4)
    clusters = found["corpus/duplicates"]["largest"]
    assert {"kept": f"{SITE}/p0.txt", "copies": ["other.example/copy.txt"]} in clusters
    assert {"kept": "r0", "copies": ["r2"]} in clusters

    again = invoke("run", src, tmp_path / "again", "--pack", "corpus", "--jobs", "1")
    assert f"{len(removed)} lines removed from 4 pages" in again.stdout
    assert f"{SITE}: {len(removed)} lines removed from 4 of 4 pages" in again.stdout
    assert f"{SITE}/p0.txt kept; 1 copy: other.example/copy.txt" in again.stdout


def test_the_site_is_read_back_from_the_template_rules_own_reasons():
    """The per-site count reads the site from the reason the rule writes; this
    pins the two together (a folder at the top of IN is "this site")."""
    pipeline = load_pack(["corpus"], disable=["corpus/duplicates"])
    for site in ("x.org", "a, b/c", "."):
        docs = corpus_of([f"{MENU}{topic}{FOOTER}" for topic in TOPICS], [site] * len(TOPICS))
        steps = [s for o in clean_corpus(pipeline, docs) for s in o.steps if s.rule == "corpus/site-template"]
        assert steps and {site_in_reason(s.why) for s in steps} == {site}
    assert TOP_FOLDER_LABEL in steps[0].why
    assert site_in_reason("listed under “You may also like”") is None


def test_a_page_given_its_own_text_counts_as_touched_and_replaced_not_as_removed_lines():
    from cleaner.corpus.removals import TemplateRemovals

    found = TemplateRemovals()
    why = ("the extractor kept 8% of the page's own text: the page's text without its site template instead "
           "(12 pages of rei.com, 40 template lines)")
    found.add({"steps": [{"rule": "corpus/site-template", "action": "changed", "why": why}]})
    found.add({"steps": [{"rule": "corpus/site-template", "action": "removed", "line": 1, "text": "Home",
                          "why": "on 9 of 12 pages of rei.com, in a block of 40 such lines"}]})
    assert found.totals() == {"lines": 1, "pages": 2, "replaced": 1}
    assert found.replaced["rei.com"] == 1 and found.pages["rei.com"] == 2
