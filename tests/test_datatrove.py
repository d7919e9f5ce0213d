"""datatrove path: ``CleanerStep`` inside datatrove's own executor, reader and writers
gives the texts a ``cleaner run`` of the same JSONL gives, drops what the run drops
with the reason in datatrove's stats, and keeps the steps and metadata per document."""

from __future__ import annotations

import gzip
import importlib
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

for module in ("datatrove", "orjson"):  # orjson: datatrove's JSONL reader and writer need it
    # CI installs the datatrove extra (.ci/run): there a missing module fails, it does not skip
    importlib.import_module(module) if os.environ.get("CI") else pytest.importorskip(module)

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from cleaner.core.engine import Outcome, Pipeline  # noqa: E402
from cleaner.integrations.datatrove import CleanerStep  # noqa: E402
from cleaner.loading.pack import PackError, load_pack  # noqa: E402
from cleaner.running.run import RunOptions, run_corpus  # noqa: E402

RESIDUE_ONLY = "Share this:\nYou may also like...\nSource:- The Print\n"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, seed_files):
    """Two JSONL shards (one per datatrove task): the seeds, the seeds with residue
    around them, a residue-only record, a whitespace-only one and an empty one."""
    root = tmp_path_factory.mktemp("datatrove")
    src = root / "in"
    src.mkdir()
    seeds = [f.read_text(encoding="utf-8") for f in seed_files]
    shards = {
        "a.jsonl": [
            {"id": "seed-0", "lang": "en", "text": seeds[0]},
            {"id": "residue-only", "lang": "en", "text": RESIDUE_ONLY},
            {"id": "seed-1-tail", "lang": "en", "text": seeds[1] + "\nShare this:\nYou may also like...\n"},
        ],
        "b.jsonl": [
            {"id": "seed-1", "lang": "en", "text": seeds[1]},
            {"id": "whitespace", "lang": "en", "text": "  \n\t\n"},
            {"id": "empty", "lang": "en", "text": ""},  # datatrove's reader skips it before any step
            {"id": "seed-0-mojibake", "lang": "en", "text": seeds[0].replace("’", "â€™") + "\nExit mobile version\n"},
        ],
    }
    for name, records in shards.items():
        (src / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return root, src


@pytest.fixture(scope="module")
def local_run(corpus):
    """The same shards through ``cleaner run``'s code: run_corpus, output JSONL + provenance."""
    root, src = corpus
    out = root / "local"
    run_corpus(src, out, load_pack(), RunOptions(jobs=1))
    provenance = {p["id"]: p for p in read_jsonl(out / "provenance.jsonl")}
    texts = {r["id"]: r["text"] for name in ("a.jsonl", "b.jsonl") for r in read_jsonl(out / name)}
    return provenance, texts


@pytest.fixture(scope="module")
def datatrove_run(corpus):
    """Two tasks in two worker processes: the step is pickled to them and builds its pipeline there."""
    root, src = corpus
    kept, removed, logs = root / "dt-kept", root / "dt-removed", root / "dt-logs"
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            CleanerStep(exclusion_writer=JsonlWriter(str(removed), compression=None)),
            JsonlWriter(str(kept), compression=None),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(logs),
    ).run()
    docs = {d["id"]: d for f in sorted(kept.glob("*.jsonl")) for d in read_jsonl(f)}
    excluded = {d["id"]: d for f in sorted(removed.glob("*.jsonl")) for d in read_jsonl(f)}
    stats = json.loads((logs / "stats.json").read_text(encoding="utf-8"))
    ours = [s for s in stats if "cleaner" in s["name"]]
    assert len(ours) == 1, [s["name"] for s in stats]
    return docs, excluded, ours[0]["stats"]


def test_texts_equal_cleaner_run(local_run, datatrove_run):
    provenance, local_texts = local_run
    docs, _, _ = datatrove_run
    ok = {i for i, p in provenance.items() if p["status"] == "ok"}
    assert ok == {"seed-0", "seed-1", "seed-1-tail", "seed-0-mojibake"}
    assert set(docs) == ok
    for doc_id in ok:
        assert docs[doc_id]["text"] == local_texts[doc_id], doc_id
    # the cleaning really happened: residue gone, mojibake repaired
    assert "You may also like" not in docs["seed-1-tail"]["text"]
    assert "â€™" not in docs["seed-0-mojibake"]["text"] and "Exit mobile version" not in docs["seed-0-mojibake"]["text"]
    assert docs["seed-0-mojibake"]["text"] == docs["seed-0"]["text"]


def test_metadata_holds_steps_and_meta(local_run, datatrove_run):
    provenance, _ = local_run
    docs, _, _ = datatrove_run
    for doc_id, doc in docs.items():
        meta = doc["metadata"]
        assert meta["lang"] == "en"  # the reader's other fields stay
        assert meta["cleaner_status"] == "ok" and meta["cleaner_reason"] is None
        assert isinstance(meta["cleaner_steps"], str) and isinstance(meta["cleaner_meta"], str)
        assert json.loads(meta["cleaner_steps"]) == provenance[doc_id]["steps"], doc_id
        assert json.loads(meta["cleaner_meta"]) == provenance[doc_id]["meta"], doc_id
    rules = {s["rule"] for s in json.loads(docs["seed-1-tail"]["metadata"]["cleaner_steps"])}
    assert "residue/you-may-also-like" in rules


def test_dropped_documents_are_counted_and_excluded(local_run, datatrove_run):
    provenance, _ = local_run
    docs, excluded, stats = datatrove_run
    assert provenance["residue-only"]["reason"] == "no text left after cleaning"
    assert provenance["whitespace"]["reason"] == "empty input"
    assert "residue-only" not in docs and "whitespace" not in docs
    assert stats["total"] == 6  # the empty record never reached the step
    assert stats["forwarded"] == 4 and stats["dropped"] == 2
    assert stats["dropped_no_text_left_after_cleaning"] == 1
    assert stats["dropped_empty_input"] == 1
    steps = sum(len(provenance[i]["steps"]) for i in ("seed-0", "seed-1", "seed-1-tail", "seed-0-mojibake", "residue-only"))
    per_rule = {k: v for k, v in stats.items() if k.startswith("steps_")}
    assert sum(v["total"] if isinstance(v, dict) else v for v in per_rule.values()) == steps
    # the exclusion writer gets the dropped documents as they arrived, with why
    assert set(excluded) == {"residue-only", "whitespace"}
    assert excluded["residue-only"]["text"] == RESIDUE_ONLY
    assert excluded["residue-only"]["metadata"]["cleaner_status"] == "dropped"
    assert excluded["residue-only"]["metadata"]["cleaner_reason"] == "no text left after cleaning"
    assert excluded["residue-only"]["metadata"]["filter_reason"] == "no_text_left_after_cleaning"


def test_failed_documents_are_dropped_with_the_rule(monkeypatch):
    step = CleanerStep()
    real = Pipeline.clean

    def clean(self: Pipeline, text: str, *, trace: bool = False) -> Outcome:
        if "BOOM" in text:
            return Outcome(text=text, status="failed", reason="rule residue/x failed: ValueError: boom")
        return real(self, text, trace=trace)

    monkeypatch.setattr(Pipeline, "clean", clean)
    docs = [Document(text="BOOM goes the rule.\n", id="bad"), Document(text="A plain sentence.\n", id="good")]
    out = list(step.run(iter(docs)))
    assert [d.id for d in out] == ["good"]
    assert docs[0].text == "BOOM goes the rule.\n"  # left as it arrived
    assert docs[0].metadata["cleaner_status"] == "failed"
    assert docs[0].metadata["cleaner_reason"] == "rule residue/x failed: ValueError: boom"
    assert step.stats["dropped_failed_residue/x"].total == 1


def test_bad_pack_fails_at_construction(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid = "residue/no-examples"\nsummary = "x"\npattern = "x"\n', encoding="utf-8")
    with pytest.raises(PackError, match="no-examples"):
        CleanerStep(packs=[bad])


def test_worker_rebuilds_the_pack_and_refuses_a_different_one(tmp_path):
    pack = tmp_path / "my-site.toml"
    rule = (
        '[[rule]]\nid = "residue/my-site-digest"\nsummary = "The MySite digest line"\nwhere = "tail"\n'
        "pattern = '''mysite digest'''\n"
        'examples = [\n  { input = "Last paragraph of the story.\\n\\nMySite digest\\n", '
        'output = "Last paragraph of the story.\\n\\n" },\n'
        '  { input = "MySite digest, the minister told farmers, and check prices.\\n" },\n]\n'
    )
    pack.write_text(rule, encoding="utf-8")
    step = CleanerStep(packs=[pack])
    shipped = pickle.dumps(step)
    assert b"my-site-digest" not in shipped  # the built rules stay behind; the worker builds them

    worker = pickle.loads(shipped)
    [doc] = list(worker.run(iter([Document(text="The story ends here.\n\nMySite digest\n", id="d")])))
    assert doc.text == "The story ends here.\n"
    assert "residue/my-site-digest" in doc.metadata["cleaner_steps"]

    pack.write_text(rule.replace("mysite digest", "mysite (?:daily )?digest"), encoding="utf-8")
    stale = pickle.loads(shipped)
    with pytest.raises(RuntimeError, match="differs from the driver's"):
        list(stale.run(iter([Document(text="Text.\n", id="e")])))


def test_disable_and_enable_reach_the_workers_pipeline():
    """The constructor's pack arguments are what each worker builds: a disabled rule stays off, an opt-in rule is on."""
    glued = "Officials met earlier this year.The sources said the talks went well.\n"
    default = CleanerStep()
    without = pickle.loads(pickle.dumps(CleanerStep(disable=["sentences/split-glued"])))
    [a] = list(default.run(iter([Document(text=glued, id="a")])))
    [b] = list(without.run(iter([Document(text=glued, id="b")])))
    assert "year. The" in a.text
    assert b.text == glued and "sentences/split-glued" not in b.metadata["cleaner_steps"]
    assert without.pack_sha256 != default.pack_sha256

    curly = "The minister said “yes” to the plan.\n"
    uncurl = pickle.loads(pickle.dumps(CleanerStep(enable=["encoding/uncurl-quotes"])))
    [c] = list(default.run(iter([Document(text=curly, id="c")])))
    [d] = list(uncurl.run(iter([Document(text=curly, id="d")])))
    assert c.text == curly  # opt-in: off by default
    assert d.text == 'The minister said "yes" to the plan.\n'


def test_docs_example_runs_as_a_script(tmp_path):
    """docs/integrations.md's datatrove example, run as written: as a script that
    datatrove's task processes import again. Without the ``__main__`` guard it never
    ended; here it must finish and write the cleaned texts and the dropped one."""
    docs = (Path(__file__).parent.parent / "docs" / "integrations.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```python\n(.*?)```", docs, re.S) if "CleanerStep" in block)
    (tmp_path / "clean_with_datatrove.py").write_text(example, encoding="utf-8")
    (tmp_path / "my-site.toml").write_text('[pack]\nname = "my-site"\n', encoding="utf-8")
    (tmp_path / "scraped").mkdir()
    records = [{"id": "kept", "text": "The minister signed the agreement in Moscow.\n\nYou may also like\n"},
               {"id": "gone", "text": RESIDUE_ONLY}]
    (tmp_path / "scraped" / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    done = subprocess.run([sys.executable, "clean_with_datatrove.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    kept = [json.loads(line) for f in sorted((tmp_path / "clean").glob("*.jsonl.gz"))
            for line in gzip.open(f, "rt", encoding="utf-8")]
    removed = [json.loads(line) for f in sorted((tmp_path / "removed").glob("*.jsonl.gz"))
               for line in gzip.open(f, "rt", encoding="utf-8")]
    assert [(d["id"], d["text"]) for d in kept] == [("kept", "The minister signed the agreement in Moscow.\n")]
    assert [d["id"] for d in removed] == ["gone"]
