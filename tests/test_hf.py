"""Hugging Face ``datasets`` path: ``ds.map(**map_kwargs(), num_proc=2)`` gives, row by
row, the text, status, steps and metadata a ``cleaner run`` of the same JSONL records
records, with four string columns whose types hold from the first batch to the last."""

from __future__ import annotations

import importlib
import json
import os
import pickle

import pytest

# CI installs the datasets extra (.ci/run): there a missing module fails, it does not skip
datasets = importlib.import_module("datasets") if os.environ.get("CI") else pytest.importorskip("datasets")

from cleaner.integrations.hf import COLUMNS, CleanBatch, clean_batch, map_kwargs  # noqa: E402
from cleaner.loading.pack import PackError, load_pack  # noqa: E402
from cleaner.running.run import RunOptions, run_corpus  # noqa: E402

RESIDUE_ONLY = "Share this:\nYou may also like...\nSource:- The Print\n"


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def records(seed_files):
    seeds = [f.read_text(encoding="utf-8") for f in seed_files]
    # the first batches (of 2) hold only ok rows: their reasons must still make a string column
    return [
        {"id": "seed-0", "n": 0, "text": seeds[0]},
        {"id": "seed-1", "n": 1, "text": seeds[1]},
        {"id": "seed-1-tail", "n": 2, "text": seeds[1] + "\nShare this:\nYou may also like...\n"},
        {"id": "seed-0-mojibake", "n": 3, "text": seeds[0].replace("’", "â€™") + "\nExit mobile version\n"},
        {"id": "residue-only", "n": 4, "text": RESIDUE_ONLY},
        {"id": "whitespace", "n": 5, "text": "  \n\t\n"},
        {"id": "empty", "n": 6, "text": ""},
        {"id": "null-text", "n": 7, "text": None},
    ]


@pytest.fixture(scope="module")
def shard(tmp_path_factory, records):
    root = tmp_path_factory.mktemp("hf")
    (root / "in").mkdir()
    path = root / "in" / "shard.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return root, path


@pytest.fixture(scope="module")
def local_run(shard):
    root, path = shard
    out = root / "local"
    run_corpus(path.parent, out, load_pack(), RunOptions(jobs=1))
    provenance = {p["id"]: p for p in read_jsonl(out / "provenance.jsonl")}
    texts = {r["id"]: r["text"] for r in read_jsonl(out / "shard.jsonl")}
    return provenance, texts


@pytest.fixture(scope="module")
def dataset(shard):
    root, path = shard
    return datasets.Dataset.from_json(str(path), cache_dir=str(root / "hf-cache"))


def test_map_matches_local_run(dataset, local_run):
    provenance, local_texts = local_run
    cleaned = dataset.map(**map_kwargs(), batch_size=2, num_proc=2)

    for name in COLUMNS:
        assert cleaned.features[name] == datasets.Value("string"), name
    assert cleaned.features["n"] == dataset.features["n"]  # other columns pass through
    rows = {r["id"]: r for r in cleaned}
    assert set(rows) == set(provenance)
    for doc_id, prov in provenance.items():
        row = rows[doc_id]
        assert row["cleaner_status"] == prov["status"], doc_id
        assert json.loads(row["cleaner_steps"]) == prov["steps"], doc_id
        assert json.loads(row["cleaner_meta"]) == prov["meta"], doc_id
        if prov["status"] == "ok":
            assert row["text"] == local_texts[doc_id], doc_id
            assert row["cleaner_reason"] == ""
        elif prov["status"] == "dropped":
            assert row["text"] == "" and row["cleaner_reason"] == prov["reason"], doc_id
    assert {i for i, p in provenance.items() if p["status"] == "ok"} == {
        "seed-0", "seed-1", "seed-1-tail", "seed-0-mojibake"
    }
    assert rows["residue-only"]["cleaner_reason"] == "no text left after cleaning"
    assert rows["empty"]["cleaner_reason"] == rows["whitespace"]["cleaner_reason"] == "empty input"
    # a null text fails, as in the local run (which adds where it was read and a hint)
    assert provenance["null-text"]["status"] == "failed"
    assert rows["null-text"]["text"] is None
    assert rows["null-text"]["cleaner_reason"] == "record field 'text' is null or missing"
    assert rows["seed-0-mojibake"]["text"] == rows["seed-0"]["text"]


def test_columns_keep_their_type_when_the_first_batch_is_all_ok(dataset):
    # datasets types a column by the first batch it writes; reasons of None there would make it
    # a null column that the reasons of the later dropped rows cannot be written into
    cleaned = dataset.map(**map_kwargs(), batch_size=2)
    assert cleaned.features["cleaner_reason"] == datasets.Value("string")
    assert cleaned["cleaner_reason"][:2] == ["", ""]
    assert cleaned["cleaner_reason"][4] == "no text left after cleaning"


def test_only_ok_keeps_the_corpus_cleaner_run_writes(dataset, local_run):
    _, local_texts = local_run
    cleaned = dataset.map(**map_kwargs(only_ok=True), batch_size=3)
    assert {r["id"]: r["text"] for r in cleaned} == local_texts
    assert sorted(cleaned["n"]) == [0, 1, 2, 3]
    assert set(cleaned["cleaner_status"]) == {"ok"}


def test_text_field_and_pack_arguments(tmp_path):
    ds = datasets.Dataset.from_dict(
        {"body": ["Officials met earlier this year.The sources said the talks went well.\n"], "k": [1]}
    )
    default = ds.map(CleanBatch(text_field="body"), batched=True)
    without = ds.map(CleanBatch(text_field="body", disable=["sentences/split-glued"]), batched=True)
    assert "year. The" in default["body"][0]
    assert without["body"][0] == ds["body"][0] and without["cleaner_steps"][0] == "[]"
    assert default["k"] == [1]

    with pytest.raises(PackError):
        CleanBatch(packs=[tmp_path / "missing.toml"])


def test_unbatched_map_is_refused_with_the_fix(dataset):
    with pytest.raises(TypeError, match="batched=True"):
        dataset.map(CleanBatch())


def test_the_function_travels_without_its_rules_and_fingerprints_by_pack(tmp_path):
    from datasets.fingerprint import Hasher

    fn = CleanBatch()
    shipped = pickle.dumps(fn)
    assert b"residue/you-may-also-like" not in shipped  # the worker builds the rules itself
    worker = pickle.loads(shipped)
    out = worker({"text": ["Body text.\n\nYou may also like...\n"]})
    assert out["text"] == ["Body text.\n"]

    pack = tmp_path / "plain.toml"
    pack.write_text('[options."headings/normalise"]\nstyle = "plain"\n', encoding="utf-8")
    assert Hasher.hash(CleanBatch()) == Hasher.hash(fn)  # datasets' cache is reused for the same pack
    assert Hasher.hash(CleanBatch(packs=[pack])) != Hasher.hash(fn)  # and not for another


def test_clean_batch_with_a_pipeline_of_your_own(pipeline):
    out = clean_batch({"text": ["Body text.\n\nShare this:\n", None], "id": ["a", "b"]}, pipeline, only_ok=True)
    assert out == {
        "text": ["Body text.\n"],
        "id": ["a"],
        "cleaner_status": ["ok"],
        "cleaner_reason": [""],
        "cleaner_steps": [out["cleaner_steps"][0]],
        "cleaner_meta": ["{}"],
    }
    assert [s["rule"] for s in json.loads(out["cleaner_steps"][0])][0].startswith("residue/")


def test_a_line_over_the_runs_limit_fails_here_as_in_a_run(pipeline):
    """One line of 1.1 million characters is no prose: a run fails it, and so must
    the row helper (it said 'ok')."""
    batch = {"text": ["x" * 1_100_000, "The council met on Tuesday and approved the budget after a debate.\n"]}
    out = clean_batch(batch, pipeline)
    assert out["cleaner_status"] == ["failed", "ok"]
    assert "the limit is 1,000,000" in out["cleaner_reason"][0]
