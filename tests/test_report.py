"""``cleaner report OUT`` and ``cleaner run --report``: the page's figures are the
manifest's, each rule shows at most ten of its removals with their documents, every
string from the corpus is escaped, personal data the run masked never shows (not
even in the texts read back from the input), the page is the same for the same OUT,
it says when the input is gone or changed, and it reads compressed and light
provenance. An OUT with no run is refused with exit code 2."""

from __future__ import annotations

import json
import random
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.report.collect import EXAMPLES, Collector

from conftest import SEEDS
from test_pii import HTML  # the letters page: a meta author and a link that hold personal data

runner = CliRunner()

SCRIPT = "<script>alert(1)</script>"
ADDRESSES = ["jane.doe@mail-host.de", "tips@newsroom.io", "81.2.69.160", "151.101.1.69"]
#: An address written as an entity: the run masks it once encoding/unescape-html-entities decoded it.
HIDDEN = "ops&#64;hidden-desk.org"
FOOTER = ["Subscribe to the weekly digest of our newsroom today",
          "About us and the team of editors behind this site", "Terms of use and the privacy notice of the site"]
BODIES = [
    "The council approved the new budget on Tuesday after a long debate about school funding and roads.",
    "Rain is expected across the region for most of the week, with clearer skies returning on Sunday.",
    "The museum opens a new wing next month, showing paintings that have not been seen in public before.",
    "Local farmers report a strong harvest this year despite the dry spring and the late frost in May.",
]
WORDS = ("harbour ships night winter captain cargo crane storm pier tide fishermen market lighthouse ferry dock "
         "sailors morning weather coast boats nets anchor gulls waves rope deck engine island bay")


def corpus(root: Path) -> Path:
    """Text files, an HTML page, and records: a site with a template, duplicates, a
    short page a filter drops, a line ``residue/share-on-network`` removes from
    twelve documents, a script and personal data."""
    src = root / "in"
    (src / "pages").mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, src / seed.name)
    (src / "pages" / "letters.html").write_text(HTML, encoding="utf-8")
    records = []
    for i, body in enumerate(BODIES):
        records.append({"id": f"news-{i}", "url": f"https://news.example.org/{i}",
                        "text": "\n".join([body, f"{body} More on this story later today, number {i}.", *FOOTER])})
    records.append({"id": "risky", "url": "https://other.example.net/x",
                    "text": f"Hello {SCRIPT} world.\nReaders wrote to tips@newsroom.io about the outage at 81.2.69.160 on Monday.\n"
                            "The report was filed on Monday by the desk and sent to every reader who asked.\n"
                            f"Corrections go to {HIDDEN} or to the clerk of the newsroom desk this week."})
    records.append({"id": "risky-copy", "url": "https://other.example.net/y", "text": records[-1]["text"]})
    records.append({"id": "tiny", "text": "ok"})
    for i in range(12):
        words = WORDS.split()
        random.Random(i).shuffle(words)
        records.append({"id": f"shared-{i:02d}", "url": f"https://site{i}.example.com/{i}",
                        "text": f"{' '.join(words[:14]).capitalize()}.\nShare on Facebook\n{' '.join(words[14:]).capitalize()}."})
    (src / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return src


def cli(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


PACKS = ["--pack", "pii", "--pack", "corpus", "--pack", "fineweb", "--jobs", "1"]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("report")
    src = corpus(root)
    out = root / "out"
    done = cli("run", src, out, *PACKS, "--report")
    assert done.exit_code == 0, done.output
    assert "report: " in done.output and "report.html" in done.output
    assert re.search(r"run [0-9.]+s · report [0-9.]+s", done.output)  # the report's time beside the run's
    return src, out


class Page(HTMLParser):
    """The elements of a page, each with its attributes, text and ancestors' attributes."""

    VOID = {"meta", "col", "br", "img", "input", "link", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = []
        self.elements: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "up": [e["attrs"] for e in self.stack]}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": "", "up": [e["attrs"] for e in self.stack]})

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def all(self, attr: str, value: str | None = None) -> list[dict]:
        return [e for e in self.elements if attr in e["attrs"] and (value is None or e["attrs"][attr] == value)]

    def figures(self, row_attr: str) -> dict[str, dict[str, int]]:
        """``{row key: {figure name: value}}`` for the rows marked with ``row_attr``."""
        found: dict[str, dict[str, int]] = {}
        for e in self.all("data-figure"):
            row = next((a[row_attr] for a in reversed(e["up"]) if row_attr in a), None)
            if row is not None:
                found.setdefault(row, {})[e["attrs"]["data-figure"]] = int(e["attrs"]["data-value"])
        return found


def page_of(out: Path) -> tuple[str, Page]:
    html = (out / "report.html").read_text(encoding="utf-8")
    return html, Page(html)


def manifest_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_the_headline_figures_are_the_manifests_shown_with_separators(made):
    _, out = made
    manifest = manifest_of(out)
    _, page = page_of(out)
    shown = {e["attrs"]["data-figure"]: e for e in page.all("data-figure") if not any(
        k in a for a in e["up"] for k in ("data-rule", "data-reason", "data-dropped-by", "data-language", "data-bin",
                                           "data-site", "data-cluster"))}
    expected = {**manifest["counts"], "chars_in": manifest["chars_in"], "chars_out": manifest["chars_out"]}
    for name, value in expected.items():
        assert int(shown[name]["attrs"]["data-value"]) == value, name
        assert shown[name]["text"] == f"{value:,}"
    assert manifest["chars_in"] >= 1000  # so that the separator shows
    assert next(e for e in page.elements if e["tag"] == "title")["text"] == "cleaner report — out"
    for key in ("summary", "rules", "removed-share", "most-removed", "sites", "duplicates", "languages", "filters", "diffs"):
        assert page.all("id", key), key


def test_each_rule_fired_as_the_manifest_counts_and_removed_what_it_counts(made):
    _, out = made
    manifest = manifest_of(out)
    rows = page_of(out)[1].figures("data-rule")
    assert {rule: f["fired"] for rule, f in rows.items()} == manifest["rules"]
    assert sum(f["chars_removed"] for f in rows.values()) == manifest["characters"]["removed_by_rules"]
    reasons = page_of(out)[1].figures("data-reason")
    assert {r: f["count"] for r, f in reasons.items()} == manifest["dropped_reasons"]
    by_rule = page_of(out)[1].figures("data-dropped-by")
    assert {r: f["count"] for r, f in by_rule.items()} == manifest["dropped_by_rule"]
    assert set(manifest["dropped_by_rule"]) >= {"corpus/duplicates", "fineweb/quality"}


def test_a_rule_shows_ten_examples_with_their_documents_spread_over_sites(made):
    _, out = made
    _, page = page_of(out)
    rule = "residue/share-on-network"
    assert manifest_of(out)["rules"][rule] == 12
    box = page.all("data-examples", rule)[0]
    examples = [e for e in page.elements if "example" in e["attrs"].get("class", "").split()
                and {"data-examples": rule} in [{"data-examples": a.get("data-examples")} for a in e["up"]]]
    assert len(examples) == EXAMPLES
    assert all("Share on Facebook" in x["text"] and "shared-" in x["text"] for x in examples)
    assert "Share on Facebook" in box["text"]
    template = page.all("data-examples", "corpus/site-template")
    assert template and "Subscribe to the weekly digest" in template[0]["text"]


def test_examples_are_bounded_and_spread_across_sites():
    collector = Collector()
    for i in range(100):
        collector.add({"id": f"d{i}", "status": "ok", "chars_before": 10, "chars_after": 5,
                       "meta": {"url": f"https://s{0 if i < 50 else i}.org/"},
                       "steps": [{"rule": "r/x", "action": "removed", "line": 1, "text": "x" * 1000,
                                  "chars_before": 10, "chars_after": 5}]})
    examples = collector.found.rules["r/x"].examples
    assert len(examples) == EXAMPLES and collector.found.rules["r/x"].fired == 100
    assert all(len(x.text) <= 400 and x.cut for x in examples)
    assert len({x.site for x in examples}) == EXAMPLES  # the other sites took the places of s0's copies
    assert len(collector.found.top) == 20
    for i in range(200):  # each reason its own (a value in it): counted, the reasons kept few
        collector.add({"id": f"x{i}", "status": "dropped", "chars_before": 5, "chars_after": 0,
                       "steps": [{"rule": "f/x", "action": "dropped", "why": f"score {i}"}]})
    labels = {label: n for (rule, label), n in collector.found.drop_labels.items() if rule == "f/x"}
    assert len(labels) == 51 and sum(labels.values()) == 200 and labels["(other reasons)"] == 150


def test_a_script_in_a_document_shows_as_text(made):
    _, out = made
    html, page = page_of(out)
    assert "<script" not in html.lower() and SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert any(SCRIPT in e["text"] for e in page.all("class", "example"))
    assert not page.all("src") and "@import" not in html and "url(" not in html  # nothing fetched
    assert [e["attrs"] for e in page.elements if e["tag"] == "link"] == [{"rel": "icon", "href": "data:,"}]


def test_no_personal_data_of_the_input_reaches_the_page(made, tmp_path):
    src, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    done = cli("report", copy, "--diff", "risky", "--diff", "pages/letters.html")
    assert done.exit_code == 0, done.output
    html, page = page_of(copy)
    raw = (src / "records.jsonl").read_text() + HTML
    assert all(a in raw for a in ADDRESSES)
    for address in ADDRESSES + ["ops@letters-desk.org", "hidden-desk.org"]:
        assert address not in html, address
    # the document's text before cleaning was read back from the input and masked
    diffs = {e["attrs"]["data-doc"]: e["text"] for e in page.all("data-doc")}
    assert "risky" in diffs and "email@example.com" in diffs["risky"] and SCRIPT in diffs["risky"]
    assert "email@example.com" in diffs["pages/letters.html"] and "192.0.2.1" in diffs["pages/letters.html"]
    assert list(diffs)[:2] == ["risky", "pages/letters.html"]


def test_the_same_out_gives_the_same_page(made, tmp_path):
    _, out = made
    first = (out / "report.html").read_bytes()
    done = cli("report", out, "--quiet")
    assert done.exit_code == 0 and done.output == ""
    assert (out / "report.html").read_bytes() == first


def test_languages_and_diffs_are_listed(made):
    _, out = made
    _, page = page_of(out)
    languages = page.figures("data-language")
    assert languages["en"]["documents"] >= 5
    diffs = page.all("class", "diff")
    assert len([d for d in diffs if d["tag"] == "div"]) >= 3
    assert all(d["attrs"].get("data-doc") for d in diffs if d["tag"] == "div")
    # the document that lost most comes first, beside its place at the top of its list
    top = next(e for e in page.elements if e["tag"] == "code" and {"id": "most-removed"} in e["up"])
    assert [d for d in diffs if d["tag"] == "div"][0]["attrs"]["data-doc"] == top["text"]


def test_the_page_says_when_the_input_is_gone_or_changed(made, tmp_path):
    src, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    done = cli("report", copy, "--input", tmp_path / "nowhere")
    assert done.exit_code == 0, done.output
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert "is no longer there" in html
    changed = tmp_path / "in"
    shutil.copytree(src, changed)
    for seed in changed.glob("*.txt"):
        seed.write_text(seed.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    done = cli("report", copy, "--input", changed)
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert "has changed since the run" in html


@pytest.mark.parametrize("extra", [["--provenance-compress", "zst"], ["--provenance-compress", "gz", "--provenance-level", "light"]])
def test_compressed_and_light_provenance_give_the_manifests_figures(made, tmp_path, extra):
    src, _ = made
    out = tmp_path / "out"
    assert cli("run", src, out, *PACKS, *extra).exit_code == 0
    assert not (out / "provenance.jsonl").exists()
    done = cli("report", out)
    assert done.exit_code == 0, done.output
    manifest = manifest_of(out)
    html, page = page_of(out)
    assert {r: f["fired"] for r, f in page.figures("data-rule").items()} == manifest["rules"]
    assert int(page.all("data-figure", "documents")[0]["attrs"]["data-value"]) == manifest["counts"]["documents"]
    assert ("light provenance" in html) == ("light" in extra)
    for address in ADDRESSES:
        assert address not in html


def test_an_out_without_a_run_is_refused_with_exit_2(tmp_path, made):
    _, out = made
    done = cli("report", tmp_path / "missing")
    assert done.exit_code == 2 and "no such folder" in done.output
    empty = tmp_path / "empty"
    empty.mkdir()
    done = cli("report", empty)
    assert done.exit_code == 2 and "no manifest.json" in done.output
    (empty / "manifest.json").write_text((out / "manifest.json").read_text())
    done = cli("report", empty)
    assert done.exit_code == 2 and "no provenance.jsonl" in done.output
    assert not (empty / "report.html").exists()


def test_help_lists_report_after_the_other_commands():
    listed = re.findall(r"│ (\w+) ", cli("--help").output)
    assert listed.index("report") > listed.index("run")


def test_a_run_started_over_removes_the_previous_report_and_a_dropped_document_can_be_shown(made, tmp_path):
    src, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    done = cli("report", copy, "--diff", "tiny", "--diff", "no-such-id")
    assert done.exit_code == 0, done.output
    html, page = page_of(copy)
    tiny = page.all("data-doc", "tiny")[0]["text"]
    assert "dropped" in tiny and "Text before" in tiny
    assert "No document has the id no-such-id" in html
    assert cli("run", src, copy, "--jobs", "1", "--overwrite").exit_code == 0
    assert not (copy / "report.html").exists()


def test_a_sites_template_shows_its_lines_pages_and_largest_block(made):
    _, out = made
    html, page = page_of(out)
    site = page.figures("data-site")["news.example.org"]
    assert site["template_lines"] == 12 and site["pages_touched"] == 4 and site["largest_block"] == 3
    row = page.all("data-site", "news.example.org")[0]["text"]
    assert all(line in row for line in FOOTER)
    fineweb = page.all("data-dropped-by", "fineweb/quality")[0]["text"]
    assert "fineweb:" in fineweb and "(1)" in fineweb


def test_failed_documents_are_listed_with_their_reason(made, tmp_path):
    _, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    manifest = manifest_of(copy)
    manifest["failures"] = [{"id": "broken.txt.gz", "reason": f"truncated gzip stream near {SCRIPT}"}]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert cli("report", copy, "-q").exit_code == 0
    html, page = page_of(copy)
    summary = page.all("id", "summary")[0]["text"]
    assert "broken.txt.gz" in summary and f"truncated gzip stream near {SCRIPT}" in summary
    assert SCRIPT not in html


def test_a_damaged_provenance_is_said_with_its_line_and_exit_2(made, tmp_path):
    _, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    lines = (copy / "provenance.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (copy / "provenance.jsonl").write_text("".join(lines[:3]) + lines[3][:40] + "\n", encoding="utf-8")
    done = cli("report", copy)
    assert done.exit_code == 2 and "line 4 is not a provenance record" in done.output


def test_counts_of_one_take_the_singular(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    story = f"The same story twice\n\n{BODIES[0] * 3}\n"
    (src / "a.txt").write_text(story, encoding="utf-8")
    (src / "b.txt").write_text(story, encoding="utf-8")
    done = cli("run", src, tmp_path / "out", "--pack", "corpus", "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert "1 duplicate dropped in 1 cluster " in text or "1 duplicate dropped in 1 cluster." in text
    assert "1 site;" in text
    for wrong in ("1 sites", "1 duplicates", "1 clusters", "1 documents", "1 pages", " 1 characters"):
        assert wrong not in text, wrong


def test_drop_reasons_naming_a_document_fold_into_one_row_and_keep_the_manifests_figures(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, body in (("a", BODIES[0]), ("a2", BODIES[0]), ("a3", BODIES[0]), ("b", BODIES[1]), ("b2", BODIES[1])):
        (src / f"{name}.txt").write_text(f"A story\n\n{body * 3}\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", src, out, "--pack", "corpus", "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    manifest = manifest_of(out)
    assert manifest["dropped_reasons"] == {"exact duplicate of a.txt": 2, "exact duplicate of b.txt": 1}
    html, page = page_of(out)
    assert page.figures("data-reason-kind") == {"exact duplicate of …": {"count": 3}}
    # each reason as manifest.json counts it is still there, folded away
    assert {r: f["count"] for r, f in page.figures("data-reason").items()} == manifest["dropped_reasons"]
    assert html.index("<summary>each reason") < html.index('data-reason="')


def test_the_rules_chart_shows_those_that_fired_most_and_says_how_many_more_the_table_has(made):
    _, out = made
    html, page = page_of(out)
    rules = html[html.index('<section id="rules">'):html.index('<section id="removed-share">')]
    chart = rules[rules.index("<svg"):rules.index("</svg>")]
    rows = page.figures("data-rule")
    assert len(rows) > 15
    assert chart.count('class="bar"') == 15
    most = sorted(rows, key=lambda r: (-rows[r]["fired"], r))[:15]
    assert all(f">{rule}</text>" in chart for rule in most)
    assert f"and {len(rows) - 15} more rules in the table" in re.sub(r"<[^>]+>", "", rules)


def test_a_run_given_relative_paths_is_read_back_from_the_folder_it_was_started_in(tmp_path, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "in", ignore=shutil.ignore_patterns("README*"))
    monkeypatch.chdir(work)
    done = cli("run", "in", "out", "--jobs", "1")
    assert done.exit_code == 0, done.output
    assert manifest_of(work / "out")["input"] == "in"
    monkeypatch.chdir(tmp_path)  # elsewhere: "in" here is not the run's input
    done = cli("report", work / "out")
    assert done.exit_code == 0, done.output
    html, page = page_of(work / "out")
    assert "no longer there" not in html and "is not there" not in html
    assert page.all("data-doc") and 'class="diff"><colgroup>' in html  # before and after, side by side
    assert f"read from <code>{work / 'in'}</code>" in html  # the header says where the relative path led


def test_a_relative_input_is_found_again_when_out_was_given_as_an_absolute_path(tmp_path, monkeypatch):
    # OUT absolute: the folder the run started in cannot be told from OUT, so the manifest says where IN was
    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "in", ignore=shutil.ignore_patterns("README*"))
    monkeypatch.chdir(work)
    done = cli("run", "in", tmp_path / "out", "--jobs", "1")
    assert done.exit_code == 0, done.output
    assert manifest_of(tmp_path / "out")["input_absolute"] == str(work / "in")
    monkeypatch.chdir(tmp_path)
    done = cli("report", tmp_path / "out")
    assert done.exit_code == 0, done.output
    html, page = page_of(tmp_path / "out")
    assert "no longer there" not in html and "is not there" not in html and "relative path (in)" not in html
    assert page.all("data-doc") and 'class="diff"><colgroup>' in html


def test_an_out_whose_run_has_not_finished_is_refused_not_reported(made, tmp_path):
    # what a run started over with --overwrite and stopped leaves: the previous run's manifest and
    # provenance beside a state that says the run in OUT has not finished
    _, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink()
    state = copy / ".cleaner" / "state.json"
    state.write_text(json.dumps({**json.loads(state.read_text(encoding="utf-8")), "complete": False}), encoding="utf-8")
    done = runner.invoke(app, ["report", str(copy)])
    assert done.exit_code == 2
    assert "has not finished" in done.output and "run the same `cleaner run` command again" in done.output
    assert not (copy / "report.html").exists()


def test_every_string_from_provenance_and_manifest_is_escaped_in_text_attributes_and_charts(tmp_path):
    # an OUT written by hand (as an older cleaner or a plugin might leave it): hostile strings in
    # every place the page shows one: ids, paths, sites, rule ids, reasons, labels, languages
    bad = '"><img src=x onerror=alert(1)>'
    out = tmp_path / f"out{bad[:2]}"  # the folder's name goes into <title> and <h1>
    out.mkdir()
    steps = [{"rule": f"plugin/{bad}", "action": "removed", "line": 2, "text": bad, "why": bad,
              "chars_before": 80, "chars_after": 40},
             {"rule": "corpus/site-template", "action": "removed", "line": 3, "text": bad,
              "why": f"recurring on site {bad}", "chars_before": 40, "chars_after": 10}]
    records = [
        {"id": f"doc{bad}", "status": "ok", "chars_before": 80, "chars_after": 10, "steps": steps,
         "meta": {"language": bad, "url": f"https://x.example/{bad}"}, "source": {"path": f"site{bad}/a.txt"}},
        {"id": f"gone{bad}", "status": "dropped", "reason": bad, "chars_before": 50, "chars_after": 0,
         "steps": [{"rule": f"filter/{bad}", "action": "dropped", "why": bad, "label": bad}],
         "meta": {"language": bad}, "source": {"path": f"site{bad}/b.txt"}},
    ]
    (out / "provenance.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    manifest = {"counts": {"documents": 2, "ok": 1, "dropped": 1, "failed": 0}, "chars_in": 130, "chars_out": 10,
                "input": f"/in/{bad}", "pack": {"name": bad, "steps": []}, "cleaner_version": bad,
                "rules": {f"plugin/{bad}": 1, "corpus/site-template": 1, f"filter/{bad}": 1},
                "dropped_reasons": {bad: 1, f"exact duplicate of {bad}": 1}, "dropped_by_rule": {f"filter/{bad}": 1},
                "failures": [{"id": bad, "reason": bad}],
                "corpus": {"corpus/duplicates": {"duplicates": 1, "clusters": 1, "largest": [{"kept": bad, "copies": [bad]}]},
                           "corpus/site-template": {"sites": 1, "largest": [{"site": bad, "pages": 2}]}}}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = cli("report", out)
    assert done.exit_code == 0, done.output
    html, page = page_of(out)
    assert not [e for e in page.elements if e["tag"] == "img" or "onerror" in e["attrs"]]
    assert "<img" not in html
    # the strings are there, to read: as text and as the data-* values tools read
    assert page.all("data-rule", f"plugin/{bad}") and page.all("data-language", bad)
    assert page.all("data-dropped-by", f"filter/{bad}") and page.all("data-reason", bad)
    assert page.all("data-doc", f"doc{bad}")
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert "<" not in title


def test_a_paragraph_that_lost_only_a_trailing_space_is_not_painted_whole(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    paragraph = " ".join([BODIES[2]] * 3)
    (src / "a.txt").write_text(f"A title\n\n{paragraph} \n\n{BODIES[3]}\n\nShare on Facebook\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", src, out, "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    html, page = page_of(out)
    cells = [e for e in page.elements if e["tag"] == "td" and paragraph in e["text"]]
    assert len(cells) == 2  # before and after, side by side
    assert {e["attrs"]["class"] for e in cells} == {"chg-del", "chg-ins"}  # not "del" / "ins": painted whole
    assert "<del> </del>" in html  # the space that went, marked


def test_a_document_the_rules_changed_without_making_it_shorter_is_shown_before_and_after(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    # a trailing space goes, and a glued sentence gets its space back: one character more in the end
    (src / "a.txt").write_text(f"A title\n\n{BODIES[2]} \nIt rained.The end came soon after that.\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", src, out, "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    record = json.loads((out / "provenance.jsonl").read_text(encoding="utf-8"))
    assert record["steps"] and record["chars_after"] >= record["chars_before"]
    html, page = page_of(out)
    assert [e["attrs"]["data-doc"] for e in page.all("data-doc")] == ["a.txt"]


def test_sites_and_languages_are_counted_in_bounded_memory(monkeypatch):
    from cleaner.report import collect as gather

    monkeypatch.setattr(gather, "SITES_TRACKED", 3)
    monkeypatch.setattr(gather, "LANGUAGES", 2)
    collector = Collector(total=10)
    for i in range(10):
        step = {"rule": "corpus/site-template", "action": "removed", "line": 1, "text": "Menu",
                "why": f"on 5 pages of site{i}.example, 1 of 2 lines", "chars_before": 10, "chars_after": 5}
        collector.add({"id": f"d{i}", "status": "ok", "chars_before": 10, "chars_after": 5, "steps": [step],
                       "meta": {"language": f"lang-{i}"}, "source": {"path": f"site{i}/a.txt"}})
    found = collector.found
    assert len(found.sites) == 3 and (found.other_sites.lines, found.other_sites.pages) == (7, 7)
    assert sum(f.lines for f in found.sites.values()) + found.other_sites.lines == 10
    assert found.languages == {"lang-0": 1, "lang-1": 1, gather.OTHER_LANGUAGES: 8}


def test_a_long_document_cut_for_the_page_does_not_show_the_cut_as_a_change(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    words = WORDS.split()
    lines = []
    for i in range(500):  # ~45,000 characters, more than the page shows of a text
        random.Random(i).shuffle(words)
        lines.append(f"{' '.join(words[:12]).capitalize()} number {i}.")
        if i < 40:
            lines.append("Share on Facebook")  # removed near the start: the output's text is shifted
    (src / "long.txt").write_text("A long title\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", src, out, "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    html, page = page_of(out)
    diff = html[html.index('<div class="diff"'):]
    assert "Only the first 30,000 characters" in diff
    rows = re.findall(r"<tr[^>]*>.*?</tr>", diff)
    last_change = max(i for i, row in enumerate(rows) if 'class="del"' in row or 'class="ins"' in row)
    assert "Share on Facebook" in rows[last_change]  # the last change shown is a rule's, not the cut's
    assert "texts are cut" in rows[-1]


def test_a_document_id_is_shown_as_the_run_recorded_it_even_with_an_address_in_it(tmp_path):
    # pii/* masks text, not names: an id is how provenance, --diff and explain find a document
    src = tmp_path / "in" / "mail-jane.doe@example.org"
    src.mkdir(parents=True)
    story = f"The same story twice\n\n{BODIES[0]} {BODIES[1]}\n"
    (src / "a.txt").write_text(story, encoding="utf-8")
    (src / "b.txt").write_text(story, encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", tmp_path / "in", out, "--pack", "pii", "--pack", "corpus", "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    ids = {json.loads(line)["id"] for line in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()}
    assert ids == {"mail-jane.doe@example.org/a.txt", "mail-jane.doe@example.org/b.txt"}
    _, page = page_of(out)
    assert [e["attrs"]["data-cluster"] for e in page.all("data-cluster")] == ["mail-jane.doe@example.org/a.txt"]


def test_a_page_that_cannot_be_written_is_said_with_exit_1_and_a_file_for_out_with_exit_2(made, tmp_path):
    _, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink()
    (copy / "report.html").mkdir()  # something in the way, as a read-only OUT or a full disk would be
    done = runner.invoke(app, ["report", str(copy)])
    assert done.exit_code == 1, done.output
    assert "cannot write" in done.output and "Traceback" not in done.output
    done = runner.invoke(app, ["report", str(copy / "manifest.json")])
    assert done.exit_code == 2 and "is a file" in done.output


def test_an_older_manifest_without_the_characters_account_or_drops_by_rule_shows_no_made_up_zeros(made, tmp_path):
    _, out = made
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    manifest = manifest_of(copy)
    by_rule = manifest.pop("dropped_by_rule")
    manifest.pop("characters")
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = cli("report", copy)
    assert done.exit_code == 0, done.output
    html, page = page_of(copy)
    assert "rules removed 0" not in html and "does not record where they went" in html
    assert {r: f["count"] for r, f in page.figures("data-dropped-by").items()} == by_rule  # from provenance


def test_a_document_shown_side_by_side_keeps_a_bounded_number_of_steps():
    from cleaner.report import collect as gather

    steps = [{"rule": "residue/x", "action": "removed", "line": i, "text": "x" * 5000, "chars_before": 10,
              "chars_after": 5} for i in range(1, 20_001)]
    collector = Collector(total=1, wanted=frozenset({"big"}))
    collector.add({"id": "big", "status": "ok", "chars_before": 200_000, "chars_after": 100_000, "steps": steps})
    for kept in (collector.found.samples[0], collector.found.chosen[0]):
        assert len(kept["steps"]) == gather.SAMPLE_STEPS
        assert max(len(s["text"]) for s in kept["steps"]) <= gather.EXAMPLE_CHARS


def test_a_template_removals_site_is_the_site_whatever_the_reason_says_after_it():
    # the rule says where the line was in one or two clauses; the site is only the name before them
    from cleaner.corpus.removals import site_in_reason

    for where in ("in a block of 121 such lines, 95 of them on 4 pages or more", "in a block of 3 such lines",
                  "at the end of the page", "at the top of the page"):
        assert site_in_reason(f"on 6 of 6 pages of amazon.com, {where}") == "amazon.com", where
    assert site_in_reason("on 2 of 2 pages of lake, river, in a block of 3 such lines") == "lake, river"
    collector = Collector(total=1)
    step = {"rule": "corpus/site-template", "action": "removed", "line": 1, "text": "Menu", "chars_before": 9,
            "chars_after": 5, "why": "on 6 of 6 pages of amazon.com, in a block of 121 such lines, 95 of them on 4 pages or more"}
    collector.add({"id": "a", "status": "ok", "chars_before": 9, "chars_after": 5, "steps": [step]})
    assert list(collector.found.sites) == ["amazon.com"]


def test_a_template_block_with_blank_lines_between_its_lines_counts_them_all():
    why = "on 3 of 7 pages of ifixit.com, in a block of 12 such lines, 4 of them on 4 pages or more"
    steps = [{"rule": "corpus/site-template", "action": "removed", "line": line, "text": f"menu {line}",
              "chars_before": 9, "chars_after": 5, "why": why} for line in (1, 73, 89, 91, 93)]
    collector = Collector(total=1)
    collector.add({"id": "ifixit.com/0621.html.gz", "status": "ok", "chars_before": 99, "chars_after": 79, "steps": steps})
    site = collector.found.sites["ifixit.com"]
    assert site.block_lines == 3 and site.block_text == ["menu 89", "menu 91", "menu 93"]


def test_a_document_of_many_repeated_lines_is_shown_whole_not_lined_up_for_minutes(tmp_path):
    # lining up 6,000 lines of which half are one repeated line took the page minutes
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("A title\n\n" + "\n".join(["The sentence goes on and ends here.", "Reply"] * 3000) + "\n",
                               encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", src, out, "--pack", "c4", "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    html, page = page_of(out)
    diff = html[html.index('<div class="diff"'):]
    assert "too many, or repeat too often, to line up" in diff
    assert "<summary>Text before</summary>" in diff and "<summary>Text after</summary>" in diff


PRIVATE_PLUGIN = '''
import re

from cleaner import Example, rule


@rule("secrets/badge", "Mask badge numbers (test plugin)", private=True,
      examples=[Example("Badge SECRET-12345 here.\\n", "Badge SECRET-0 here.\\n"), Example("No badge.\\n")])
def badge(text: str) -> str:
    return re.sub(r"SECRET-[1-9][0-9]*", "SECRET-0", text)
'''


def test_a_plugins_private_rule_masks_the_text_before_like_pii(tmp_path, monkeypatch):
    # private=True is the public API for personal data: not only rules named pii/*
    from test_plugins import make_plugin

    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(site))
    make_plugin(site, PRIVATE_PLUGIN)
    pack = tmp_path / "secrets.toml"
    pack.write_text('[pack]\nadd = ["secrets/badge"]\n', encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"A title\n\n{BODIES[0]} Badge SECRET-12345 signed it.\n\nShare on Facebook\n",
                               encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", src, out, "--pack", pack, "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    assert "SECRET-12345" not in (out / "a.txt").read_text(encoding="utf-8")
    html, page = page_of(out)
    assert "SECRET-0" in html and "SECRET-12345" not in html
    # a run whose pack cannot be loaded again, with a step not known here (a plugin gone): nothing of the input
    shutil.rmtree(out / ".cleaner")
    manifest = manifest_of(out)
    manifest["pack"]["steps"] = [s for s in manifest["pack"]["steps"] if s != "secrets/badge"] + ["secrets/gone"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = cli("report", out)
    assert done.exit_code == 0, done.output
    html, _ = page_of(out)
    assert "SECRET-12345" not in html and "the text before is not shown" in html


def test_an_address_in_the_input_folders_name_is_masked_in_the_notes_too(tmp_path):
    # the header masked the input's path; the notes saying it is gone showed it as it is
    src = tmp_path / "from-jane.doe@mail-host.de"
    src.mkdir()
    (src / "a.txt").write_text(f"A title\n\n{BODIES[0]}\n\nShare on Facebook\n", encoding="utf-8")
    (src / "b.txt").write_text(f"Another title\n\n{BODIES[1]}\n\nShare on Facebook\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli("run", src, out, "--pack", "pii", "--pack", "corpus", "--jobs", "1")
    assert done.exit_code == 0, done.output
    (src / "a.txt").unlink()  # one document's input gone: "… is missing"
    assert cli("report", out).exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "is missing" in html and "jane.doe@mail-host.de" not in html
    src.rename(tmp_path / "elsewhere")  # the whole input gone: "… is no longer there"
    assert cli("report", out).exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "is no longer there" in html and "jane.doe@mail-host.de" not in html


def test_a_removed_line_is_labelled_with_the_rule_that_removed_that_text_not_the_one_at_its_number():
    # provenance's line counts the lines of the text the rule's pass saw: a line removed by an
    # earlier pass shifts the numbers, so the number alone labelled the wrong line
    from cleaner.report.render import _diff
    from cleaner.report.sources import Texts

    before = "\n".join(["Menu", BODIES[0], "Home > News > World", BODIES[1], "Share on Facebook", BODIES[2]])
    after = "\n".join([BODIES[0], BODIES[1], BODIES[2]])
    steps = [{"rule": "c4/lines", "action": "removed", "line": 1, "text": "Menu"},
             {"rule": "residue/breadcrumb", "action": "removed", "line": 2, "text": "Home > News > World"},
             {"rule": "residue/share-on-network", "action": "removed", "line": 3, "text": "Share on Facebook"},
             {"rule": "other/gone", "action": "removed", "line": 5, "text": "A line that is not in the text shown"}]
    record = {"id": "a", "status": "ok", "chars_before": len(before), "chars_after": len(after), "steps": steps}
    html = _diff(record, Texts(before, after))
    labelled = dict(re.findall(r'<td class="del">([^<]*)<span class="rule">([^<]*)</span>', html))
    assert labelled == {"Menu": "c4/lines", "Home &gt; News &gt; World": "residue/breadcrumb",
                        "Share on Facebook": "residue/share-on-network"}
    assert "other/gone" not in html


def test_a_page_with_a_hundred_thousand_template_lines_is_gathered_in_linear_time():
    # the longest block was copied line by line (quadratic): 100,000 lines took ~10 s
    import time

    steps = [{"rule": "corpus/site-template", "action": "removed", "line": line, "text": "menu",
              "chars_before": 9, "chars_after": 5, "why": "on 3 of 7 pages of big.example, 1 of 2 lines"}
             for line in range(1, 100_001)]
    collector = Collector(total=1)
    started = time.perf_counter()
    collector.add({"id": "big.example/a.html", "status": "ok", "chars_before": 900_000, "chars_after": 400_000,
                   "steps": steps})
    assert time.perf_counter() - started < 5
    assert collector.found.sites["big.example"].block_lines == 100_000


def test_the_document_that_lost_most_shows_the_rule_beside_each_of_its_removed_lines_past_the_sixtieth():
    from cleaner.report.render import _diff
    from cleaner.report.sources import Texts

    lines = [f"Share on network {i}" for i in range(1, 201)]
    steps = [{"rule": "residue/share-on-network", "action": "removed", "line": i, "text": line,
              "chars_before": 10, "chars_after": 5} for i, line in enumerate(lines, 1)]
    collector = Collector(total=1)
    collector.add({"id": "most", "status": "ok", "chars_before": 5000, "chars_after": 100, "steps": steps})
    most = collector.found.most
    assert most is not None and most["id"] == "most" and len(most["steps"]) == 200
    html = _diff(most, Texts("\n".join(lines + [BODIES[0]]), BODIES[0]))
    assert html.count('<span class="rule">residue/share-on-network</span>') == 200


def test_the_terminal_says_one_document_in_the_singular(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"A title\n\n{BODIES[0]}\n\nShare on Facebook\n", encoding="utf-8")
    done = cli("run", src, tmp_path / "out", "--jobs", "1", "--report")
    assert done.exit_code == 0, done.output
    again = cli("report", tmp_path / "out")
    assert again.exit_code == 0, again.output
    for said in (done.output, again.output):
        assert "from 1 document in" in said and "1 documents" not in said, said
    assert "reading provenance: 1 document\n" in again.output and "reading 1 document again" in again.output


def test_overwrite_with_a_folder_named_report_html_in_out_says_what_to_do(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"A title\n\n{BODIES[0]}\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "report.html").mkdir(parents=True)
    (out / "report.html" / "keep.txt").write_text("mine", encoding="utf-8")
    done = runner.invoke(app, ["run", str(src), str(out), "--jobs", "1", "--overwrite"])
    assert done.exit_code != 0 and not isinstance(done.exception, IsADirectoryError), done.exception
    assert "is a folder" in done.output and "move or remove it" in done.output
    assert (out / "report.html" / "keep.txt").read_text(encoding="utf-8") == "mine"
