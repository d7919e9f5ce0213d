"""`cleaner run --pack corpus`: a scan, then the clean, with the same guarantees as
every run (issue 14, items 1, 4 and 5): duplicates dropped with their reason and
``duplicate_of``, the first in input order kept, the two seeds (one story told by
two outlets) both kept, identical output for any --jobs, and a killed run resumes
to the same bytes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.loading.pack import load_pack
from cleaner.running.run import Progress, RunOptions, run_corpus

from conftest import SEEDS
from test_run_scale import kill_midway, snapshot

SEED = "001_a2c57fd55e7515d8.txt"


def provenance(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines())}


def seeds_with_a_copy(root: Path) -> Path:
    """The two seeds and an edited copy of seed 001: two words changed, other residue."""
    root.mkdir(parents=True)
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, root / seed.name)
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    edited = text.replace("rifles", "guns", 1).replace("Russia", "Moscow", 1)
    (root / "zz-copy.txt").write_text(edited + "\nFollow us on Twitter\nRead more news\n", encoding="utf-8")
    return root


def test_an_edited_copy_is_dropped_as_a_near_duplicate_and_the_two_seeds_stay(tmp_path):
    src = seeds_with_a_copy(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    records = provenance(out)
    assert {i: r["status"] for i, r in records.items()} == {
        "000_66dfef1fddce4101.txt": "ok", SEED: "ok", "zz-copy.txt": "dropped"}
    copy = records["zz-copy.txt"]
    assert copy["reason"].startswith(f"near-duplicate of {SEED}, Jaccard ≈ 0.")
    assert float(copy["reason"].rsplit(" ", 1)[1]) > 0.8
    assert copy["meta"]["duplicate_of"] == SEED and copy["output"] is None
    assert copy["steps"][-1]["rule"] == "corpus/duplicates" and copy["steps"][-1]["action"] == "dropped"
    assert not (out / "zz-copy.txt").exists()
    # the kept seed is cleaned exactly as without the corpus pack
    assert (out / SEED).read_bytes() == (Path(__file__).parent / "golden" / SEED).read_bytes()


def test_mark_keeps_duplicates_and_records_them(tmp_path):
    src = seeds_with_a_copy(tmp_path / "in")
    mark = tmp_path / "mark.toml"
    mark.write_text('[options."corpus/duplicates"]\nmark = true\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "--pack", str(mark), "-q"])
    assert result.exit_code == 0, result.output
    copy = provenance(out)["zz-copy.txt"]
    assert copy["status"] == "ok" and copy["meta"]["duplicate_of"] == SEED
    assert copy["meta"]["duplicate"].startswith("near-duplicate of")


def test_the_corpus_pack_goes_after_page_dump_too(tmp_path):
    src = seeds_with_a_copy(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "page-dump", "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    assert provenance(out)["zz-copy.txt"]["status"] == "dropped"
    steps = json.loads((out / "manifest.json").read_text())["pack"]["steps"]
    assert "page/main-text" in steps and "corpus/duplicates" in steps


def _corpus(root: Path, stories: int = 400) -> Path:
    """A JSONL shard of distinct stories where every fifth is an edited copy of an
    earlier one, big enough to be killed part-way."""
    root.mkdir(parents=True)
    words = "council budget school river mayor teacher vote road rain city market farmer".split()
    lines = []
    for n in range(stories):
        if n % 5 == 4:
            base = lines[n - 3]["text"]
            text = base.replace(" the ", " a ", 1) + "\nShare this story\n"
        else:
            story = " ".join(words[(n * k + k * k) % len(words)] for k in range(60))
            text = f"Story {n}: {story}.\n\nThe {words[n % 12]} said more on day {n}.\n"
        lines.append({"id": f"r{n}", "text": text})
    with (root / "shard.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(x) + "\n" for x in lines)
    return root


def test_any_jobs_gives_the_same_bytes(tmp_path):
    src = _corpus(tmp_path / "in", stories=300)
    one, two = tmp_path / "one", tmp_path / "two"
    pipeline = load_pack(["corpus"])
    r1 = run_corpus(src, one, pipeline, RunOptions(jobs=1))
    r2 = run_corpus(src, two, pipeline, RunOptions(jobs=2))
    assert snapshot(one) == snapshot(two)
    assert r1.status["dropped"] == r2.status["dropped"] >= 300 // 5


@pytest.mark.parametrize("sig", [signal.SIGKILL], ids=["kill-9"])
def test_a_killed_corpus_run_resumes_to_identical_output(tmp_path, sig):
    src = _corpus(tmp_path / "in", stories=3000)
    clean = tmp_path / "clean"
    run_corpus(src, clean, load_pack(["corpus"]), RunOptions(jobs=1))
    out = tmp_path / "out"
    kill_midway(src, out, sig, "--pack", "corpus", "--jobs", "2")  # the last --jobs wins
    assert (out / ".cleaner" / "corpus-stats.pickle").is_file()  # the finished scan is kept: not done again
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "resumed:" in result.output
    assert snapshot(out) == snapshot(clean)
    assert (out / ".cleaner" / "corpus-stats.pickle").is_file()  # kept for explain --corpus OUT


@pytest.mark.parametrize("rule", ["corpus/site-template", "corpus/duplicates"])
def test_a_run_killed_in_the_scan_resumes_the_scan_to_identical_output(tmp_path, rule):
    """Killed while scanning for the first corpus rule, or for the second (the
    first's statistics kept), the resumed run scans only the units not done."""
    src = _corpus(tmp_path / "in", stories=3000)
    clean = tmp_path / "clean"
    run_corpus(src, clean, load_pack(["corpus"]), RunOptions(jobs=1))
    out = tmp_path / "out"
    sketches = f"scan/{rule.replace('/', '_')}/*.pickle"
    kill_midway(src, out, signal.SIGKILL, "--pack", "corpus", "--jobs", "2", parts=sketches)
    work = out / ".cleaner"
    kept = len(list(work.glob(sketches)))
    assert kept >= 2 and not (work / "corpus-stats.pickle").exists()  # killed in the scan
    first_done = (work / "scan" / "finished.pickle").is_file()
    assert first_done == (rule == "corpus/duplicates")
    report = run_corpus(src, out, load_pack(["corpus"]), RunOptions(jobs=1))
    assert kept <= report.resumed_scan_units < 30  # 30 units a scan: the rest was scanned again
    assert snapshot(out) == snapshot(clean)
    assert not (work / "scan").exists() and (work / "corpus-stats.pickle").is_file()  # the statistics stay, for explain


def test_saved_statistics_that_name_foreign_code_are_not_loaded(tmp_path):
    """OUT/.cleaner/corpus-stats.pickle is read back with cleaner's classes only:
    a pickle that would call anything else is ignored (the run scans again)."""
    import pickle

    from cleaner.running.state import RunState

    state = RunState(tmp_path)
    state.work.mkdir(parents=True)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    state.stats_file.write_bytes(pickle.dumps(({"corpus/duplicates": Evil()}, {})))
    assert state.load_stats() is None and not marker.exists()
    from cleaner.corpus.model import CorpusDoc
    from cleaner.corpus.templates import line_key, sketch
    from cleaner.rules.corpus import TemplateStats

    stats = TemplateStats()
    for n in range(3):
        stats.add(CorpusDoc(f"d{n}", n, "x.org"), sketch(MENU + _story(n)))
    state.save_stats(({"corpus/site-template": stats}, {}))
    back = state.load_stats()[0]["corpus/site-template"]
    assert back.of("x.org").pages == 3 and back.of("x.org").pages_with(line_key("Home")) == 3


def test_engines_that_see_one_row_at_a_time_refuse_corpus_rules():
    """Row by row, a corpus rule would find nothing and say nothing: refused."""
    from cleaner.integrations.hf import CleanBatch
    from cleaner.loading.pack import PackError

    with pytest.raises(PackError, match=r"corpus rules \(corpus/site-template, corpus/duplicates\).*cleaner run"):
        CleanBatch(["corpus"])
    assert CleanBatch(["corpus"], disable=["corpus/*"]).pipeline.rules


def test_cleaner_clean_warns_that_one_document_is_a_corpus_of_one(tmp_path):
    result = CliRunner().invoke(app, ["clean", str(SEEDS / SEED), "--pack", "corpus"])
    assert result.exit_code == 0
    assert "corpus of one" in result.output


MENU = "Home\nShop\nNews\nAbout us\n\n"
FOOTER = "\n\nContact\nPrivacy policy\nTerms of use\n"


_TOPICS = ["the council approved the budget after a long debate about schools",
           "heavy rain closed three roads in the valley and the river rose",
           "the museum opened a hall of old maps and ship models to visitors",
           "farmers sold early strawberries at the market for a good price",
           "a new bus line links the station with the hospital and the college"]


def _story(n: int) -> str:
    """Distinct stories (not near-duplicates of each other, which the pack would drop)."""
    return f"On day {n}, {_TOPICS[n]}, officials said on Tuesday."


def test_site_templates_go_by_the_records_url_host_with_the_reason(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    rows = [{"id": f"x{n}", "url": f"https://www.x.org/news/{n}", "text": MENU + _story(n) + FOOTER} for n in range(4)]
    rows.append({"id": "y0", "url": "https://y.org/a", "text": MENU + _story(4) + FOOTER})
    (src / "shard.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    texts = {json.loads(x)["id"]: json.loads(x)["text"] for x in (out / "shard.jsonl").read_text().splitlines()}
    assert texts["x0"] == _story(0) + "\n"
    assert texts["y0"].startswith("Home\n")  # one page of y.org: no evidence, left to the other rules
    steps = [s for s in provenance(out)["x0"]["steps"] if s["rule"] == "corpus/site-template"]
    assert [s["text"] for s in steps] == ["Home", "Shop", "News", "About us", "Contact", "Privacy policy", "Terms of use"]
    assert steps[0]["why"] == "on 4 of 4 pages of x.org, in a block of 4 such lines"


def test_without_a_url_the_site_is_the_folder(tmp_path):
    src = tmp_path / "in"
    for site, stories in (("a-site", (0, 1, 2)), ("b-site", (3, 4))):
        (src / site).mkdir(parents=True)
        for n in stories:
            (src / site / f"{n}.txt").write_text(MENU + _story(n) + FOOTER, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "a-site" / "0.txt").read_text(encoding="utf-8") == _story(0) + "\n"
    assert (out / "b-site" / "3.txt").read_text(encoding="utf-8").startswith("Home\n")


def test_the_manifest_and_summary_report_what_the_scan_found(tmp_path):
    src = seeds_with_a_copy(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus"])
    assert result.exit_code == 0, result.output
    assert "corpus/duplicates: 1 duplicate in 1 cluster" in result.output
    assert "scanning for corpus/site-template" in result.output  # the progress names each pass
    corpus = json.loads((out / "manifest.json").read_text())["corpus"]
    assert corpus["corpus/duplicates"]["largest"] == [{"kept": SEED, "copies": ["zz-copy.txt"]}]
    site = corpus["corpus/site-template"]["largest"][0]  # the three files of IN's top folder
    assert (site["site"], site["pages"], site["copies"]) == (".", 3, 0) and site["recurring_lines"] >= 0


def test_records_without_a_url_have_no_site_and_keep_their_lines(tmp_path):
    """A shard mixes many sites: its records are not one site's pages."""
    src = tmp_path / "in"
    src.mkdir()
    rows = [{"id": f"r{n}", "text": MENU + _story(n) + FOOTER} for n in range(4)]
    (src / "shard.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    texts = [json.loads(x)["text"] for x in (out / "shard.jsonl").read_text().splitlines()]
    assert all(t.startswith("Home\n") for t in texts) and len(texts) == 4


def test_a_scan_that_raises_fails_its_document_with_the_reason(tmp_path, monkeypatch):
    """A bug in a corpus rule's scan must not leave the document out of the
    statistics in silence: the document fails, naming the rule."""
    import cleaner.rules.corpus as corpus_rules

    real = corpus_rules.duplicates.sketch

    def fragile(text):
        if "Moscow" in text and "guns" in text:
            raise ValueError("cannot sketch this one")
        return real(text)

    monkeypatch.setattr(corpus_rules.duplicates, "sketch", fragile)
    src = seeds_with_a_copy(tmp_path / "in")
    out = tmp_path / "out"
    run_corpus(src, out, load_pack(["corpus"]), RunOptions(jobs=1))
    copy = provenance(out)["zz-copy.txt"]
    assert copy["status"] == "failed"
    assert copy["reason"] == "rule corpus/duplicates failed in the scan: ValueError: cannot sketch this one"
    assert provenance(out)[SEED]["status"] == "ok"


class _CtrlCIn(Progress):
    """Ctrl-C once ``units`` units of the phase ``name`` are done."""

    def __init__(self, name: str, units: int) -> None:
        self.name, self.units, self.current, self.done = name, units, "", 0

    def phase(self, name: str) -> None:
        self.current, self.done = name, 0

    def advance(self, documents: int, nbytes: int) -> None:
        self.done += self.current == self.name
        if self.current == self.name and self.done == self.units:
            raise KeyboardInterrupt


@pytest.mark.parametrize("phase, said", [
    ("scanning for corpus/site-template",
     "interrupted in the scan: corpus/site-template scan interrupted, 1 unit of it kept; in {out}, "),
    ("scanning for corpus/duplicates",
     "interrupted in the scan: corpus/site-template scan kept; corpus/duplicates scan interrupted, 1 unit of it kept; "
     "in {out}, "),
    ("cleaning", "interrupted: corpus/site-template and corpus/duplicates scans kept; 1 unit (100 documents, 33% of "
     "the input) cleaned and kept in {out}; "),
], ids=["first-scan", "second-scan", "clean"])
def test_an_interrupt_says_which_scans_were_kept_and_the_run_resumes(tmp_path, monkeypatch, phase, said):
    """Ctrl-C in the duplicates scan keeps the template scan's statistics and the
    duplicates' sketches done so far: the message says so (it said "nothing kept"),
    and the same command goes on from there to the bytes of a run never stopped."""
    import cleaner.cli.run_command

    src = _corpus(tmp_path / "in", stories=300)  # 3 units of 100 documents
    clean = tmp_path / "clean"
    run_corpus(src, clean, load_pack(["corpus"]), RunOptions(jobs=1))
    out = tmp_path / "out"
    monkeypatch.setattr(cleaner.cli.run_command, "progress_for", lambda console, quiet: _CtrlCIn(phase, 1))
    stopped = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "--jobs", "1"])
    assert stopped.exit_code == 130, stopped.output
    assert said.format(out=out) + "run the same command to resume" in stopped.output.replace("\n", "")
    monkeypatch.undo()
    resumed = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", "corpus", "--jobs", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert snapshot(out) == snapshot(clean)


def _cluster_of_copies(root: Path) -> Path:
    """a.txt, b.txt a near-copy of it, c.txt the same text as b.txt (upper case),
    d.txt a near-copy of b.txt more like b than like a; and distinct stories between
    them, so that the four fall in different units."""
    import random
    import string

    rng = random.Random(3)
    vocab = ["".join(rng.choice(string.ascii_lowercase) for _ in range(7)) for _ in range(3000)]

    def drift(words: list[str], share: float) -> list[str]:
        return [rng.choice(vocab) if rng.random() < share else w for w in words]

    def text(words: list[str]) -> str:
        return "\n\n".join(" ".join(words[i:i + 20]).capitalize() + "." for i in range(0, len(words), 20)) + "\n"

    a = [rng.choice(vocab) for _ in range(1000)]
    b = drift(a, 0.01)  # word 5-gram Jaccard ≈ 0.9 with a
    d = drift(b, 0.01)  # ≈ 0.9 with b, ≈ 0.8 with a
    root.mkdir(parents=True)
    docs = {"a.txt": text(a), "b.txt": text(b), "c.txt": text(b).upper(), "d.txt": text(d)}
    for n, (name, body) in enumerate(docs.items()):
        (root / name).write_text(body, encoding="utf-8")
        for k in range(3):
            (root / f"{name[0]}{k}-other.txt").write_text(text([rng.choice(vocab) for _ in range(60)]), encoding="utf-8")
    return root


def test_every_duplicate_names_the_copy_its_cluster_keeps_in_one_run_with_two_jobs_and_resumed(tmp_path, monkeypatch):
    """B near-duplicates A, C is B's exact copy, D is B's near-copy: all three say
    "duplicate of a.txt" and carry duplicate_of a.txt (C and D named B, a dropped
    copy with no output), and so do a -j2 run and a run resumed after Ctrl-C."""
    import cleaner.running.plan

    monkeypatch.setattr(cleaner.running.plan, "UNIT_COST", 3)  # several units, so that resuming skips some
    src = _cluster_of_copies(tmp_path / "in")
    pipeline = load_pack(["corpus"])
    runs = {}
    for name, jobs in (("one", 1), ("two", 2)):
        run_corpus(src, tmp_path / name, pipeline, RunOptions(jobs=jobs))
        runs[name] = provenance(tmp_path / name)
    resumed = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        run_corpus(src, resumed, pipeline, RunOptions(jobs=2), progress=_CtrlCIn("cleaning", 2))
    assert run_corpus(src, resumed, pipeline, RunOptions(jobs=2)).resumed_units >= 2
    runs["resumed"] = provenance(resumed)
    for name, records in runs.items():
        dropped = {i: (r["reason"], r["meta"]["duplicate_of"]) for i, r in records.items() if r["status"] == "dropped"}
        assert set(dropped) == {"b.txt", "c.txt", "d.txt"}, name
        assert all(duplicate_of == "a.txt" for _, duplicate_of in dropped.values()), name
        assert re.fullmatch(r"near-duplicate of a\.txt, Jaccard ≈ 0\.\d\d", dropped["b.txt"][0]), name
        assert dropped["c.txt"][0] == "exact duplicate of another copy of a.txt", name
        assert re.fullmatch(r"near-duplicate of a\.txt, through another of its copies \(Jaccard ≈ 0\.\d\d with that copy\)",
                            dropped["d.txt"][0]), name
    assert runs["one"] == runs["two"] == runs["resumed"]


def test_sigterm_to_the_whole_group_in_the_duplicates_scan_keeps_both_scans_work_and_says_so(tmp_path):
    """Slurm's scancel in the second scan of a -j2 run: exit 143, the message names
    the template scan kept and the duplicates' units kept, no temporary file in OUT,
    and the same command resumes to the bytes of a run never stopped."""
    import subprocess
    import sys

    from test_run_scale import wait_for_units

    src = _corpus(tmp_path / "in", stories=3000)
    clean = tmp_path / "clean"
    run_corpus(src, clean, load_pack(["corpus"]), RunOptions(jobs=1))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cleaner.cli import main; main()", "run", str(src), str(out), "--pack", "corpus",
         "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    wait_for_units(proc, out, parts="scan/corpus_duplicates/*.pickle")
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        _, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # a hang fails the test: leave no process behind
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    assert proc.returncode == 143, stderr
    found = re.search(r"^terminated \(SIGTERM\) in the scan: corpus/site-template scan kept; corpus/duplicates scan "
                      r"interrupted, (\d+) units of it kept; in (\S+), run the same command to resume$", stderr, re.M)
    assert found and found.group(2) == str(out), stderr
    # A worker holds SIGTERM while it writes a unit, so a unit can reach the disk after the
    # message counted the kept ones (as in test_reliability's SIGTERM test): never more claimed than kept.
    kept = len(list((out / ".cleaner").glob("scan/corpus_duplicates/*.pickle")))
    assert kept >= int(found.group(1)) >= 2, (kept, stderr)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")] and "Traceback" not in stderr
    report = run_corpus(src, out, load_pack(["corpus"]), RunOptions(jobs=2))
    assert report.resumed_scan_units >= int(found.group(1))
    assert snapshot(out) == snapshot(clean)
