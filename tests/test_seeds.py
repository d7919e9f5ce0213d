"""The sample corpus: golden outputs (reviewed by hand) and the promises behind them.

To regenerate after a deliberate change: ``CLEANER_UPDATE_GOLDEN=1 pytest tests/test_seeds.py``,
then read the diff of ``tests/golden/`` before committing it.
"""

from __future__ import annotations

import os
import re

import pytest

from conftest import GOLDEN

RESIDUE = ["You may also like", "Source:- The Print", "Exit mobile version", "Russia, Pakistan, AK"]


def _squash(text: str) -> str:
    """Text without any whitespace: what must survive when only spaces may change."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


@pytest.mark.parametrize("index", [0, 1])
def test_seed_matches_golden(pipeline, seed_files, index):
    src = seed_files[index]
    cleaned = pipeline(src.read_text(encoding="utf-8"))
    golden = GOLDEN / src.name
    if os.environ.get("CLEANER_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(cleaned, encoding="utf-8")
    assert cleaned == golden.read_text(encoding="utf-8")


def test_seed_residue_is_gone_and_content_stays(pipeline, seed_files):
    for src in seed_files:
        original = src.read_text(encoding="utf-8")
        cleaned = pipeline(original)
        for residue in RESIDUE:
            assert residue not in cleaned
        # every sentence of the body is still there (only whitespace may differ)
        body = [line for line in original.splitlines() if len(line.split()) >= 8]
        assert body, "the seeds have body paragraphs"
        for paragraph in body:
            assert _squash(paragraph) in _squash(cleaned), paragraph[:60]
        lines = cleaned.split("\n")
        assert all(line == line.rstrip() for line in lines), "no trailing spaces"
        assert "\n\n\n" not in cleaned, "no runs of blank lines"
        assert cleaned.endswith("\n") and not cleaned.endswith("\n\n")


def test_glued_sentences_are_repaired(pipeline, seed_files):
    cleaned = pipeline(seed_files[1].read_text(encoding="utf-8"))
    assert "year. The sources" in cleaned
    assert "exercise. These developments" in cleaned
    assert "year.The" not in cleaned and "exercise.These" not in cleaned


def test_subheading_and_title(pipeline, seed_files):
    outcome = pipeline.clean(seed_files[1].read_text(encoding="utf-8"))
    assert outcome.text.startswith("# Russia rejects Pakistan request for 50,000 AK rifles")
    assert "\n## Pakistan’s proposals to Russia\n" in outcome.text
    assert outcome.meta["title"] == "Russia rejects Pakistan request for 50,000 AK rifles, assures India of no deals in future"


def test_the_readme_provenance_example_matches_a_real_run(tmp_path):
    """README shows seed 001's provenance line: its numbers must be what a run gives."""
    import json
    import re

    from cleaner.running.run import run_corpus
    from cleaner.loading.pack import load_pack

    from conftest import REPO, SEEDS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index('{"id": "001_a2c57fd55e7515d8.txt"'):]
    example = example[: example.index("```")]
    numbers = [tuple(map(int, m)) for m in re.findall(r'"chars_before": (\d+), "chars_after": (\d+)', example)]
    first_step = re.search(r'"rule": "([^"]+)", "action": "(\w+)", "line": (\d+),\s+"text": "([^"]+)"', example)
    run_corpus(SEEDS, tmp_path / "out", load_pack())
    records = [json.loads(line) for line in (tmp_path / "out" / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    record = next(r for r in records if r["id"] == "001_a2c57fd55e7515d8.txt")
    step = record["steps"][0]
    assert numbers == [(record["chars_before"], record["chars_after"]), (step["chars_before"], step["chars_after"])]
    assert first_step.groups() == (step["rule"], step["action"], str(step["line"]), step["text"])
