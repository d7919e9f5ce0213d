"""Exact and near-duplicate finding (cleaner/corpus/duplicates.py): what a corpus run relies on.

The seeds are one story told by two outlets: not duplicates. A copy of seed 001 with
other residue and a few words changed is one. The first in input order stays, the two
phases (sketch in workers, index in order) agree with the one-step API, and verdicts
are the same in another process.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import re
import string
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from cleaner.corpus.duplicates import (
    NUM_BANDS,
    NUM_PERM,
    THRESHOLD,
    DuplicateIndex,
    normalise_for_exact,
    shingles,
    sketch,
    words,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_000 = "000_66dfef1fddce4101.txt"
SEED_001 = "001_a2c57fd55e7515d8.txt"


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def true_jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def edited_001() -> str:
    """Seed 001 with its residue replaced by other residue and a few words changed."""
    text = seed(SEED_001).replace("Source:- The Print", "Share this article").replace(
        "You may also like...", "Follow us on Twitter\n\nSubscribe to our newsletter")
    for old, new in [("rejected", "turned down"), ("close watch", "careful watch"),
                     ("surprised many", "surprised several"), ("lighter", "much lighter")]:
        assert old in text
        text = text.replace(old, new, 1)
    return "Advertisement\n\n" + text


def corpus() -> list[tuple[str, str]]:
    """Seeds, an edited copy, an exact copy with other whitespace and case, a short text."""
    return [(SEED_000, seed(SEED_000)), (SEED_001, seed(SEED_001)), ("edited-001", edited_001()),
            ("shouted-000", "  " + seed(SEED_000).upper().replace("\n\n", "\n \n")),
            ("short", "Read more here"), ("short-again", "read  MORE here"), ("empty", "  \n")]


def verdicts(index: DuplicateIndex, docs: list[tuple[str, str]]) -> list[str | None]:
    return [None if (v := index.add(doc_id, text)) is None else v.reason for doc_id, text in docs]


def test_the_two_seeds_are_not_duplicates_and_both_stay():
    a, b = seed(SEED_000), seed(SEED_001)
    assert true_jaccard(a, b) < 0.05  # the same story, in other words
    index = DuplicateIndex()
    assert index.add(SEED_000, a) is None
    assert index.add(SEED_001, b) is None
    assert len(index) == 2


def test_an_edited_copy_of_seed_001_is_a_near_duplicate_with_a_plausible_jaccard():
    copy = edited_001()
    truth = true_jaccard(seed(SEED_001), copy)
    assert THRESHOLD <= truth < 0.95, "the copy is edited, not identical"
    index = DuplicateIndex()
    index.add(SEED_000, seed(SEED_000))
    index.add(SEED_001, seed(SEED_001))
    verdict = index.add("edited-001", copy)
    assert verdict is not None and verdict.kind == "near"
    assert verdict.duplicate_of == SEED_001 and verdict.kept == SEED_001
    assert abs(verdict.jaccard - truth) < 0.1
    assert re.fullmatch(rf"near-duplicate of {SEED_001}, Jaccard ≈ 0\.\d\d", verdict.reason)


def test_exact_copies_with_other_whitespace_and_case_are_exact_duplicates():
    index = DuplicateIndex()
    index.add(SEED_000, seed(SEED_000))
    shouted = "  " + seed(SEED_000).upper().replace("\n\n", "\n \n\n").replace(". ", ".   ")
    verdict = index.add("shouted", shouted)
    assert verdict is not None and verdict.kind == "exact" and verdict.jaccard is None
    assert verdict.reason == f"exact duplicate of {SEED_000}"
    assert normalise_for_exact("Ｆｕｌｌ\u00a0width\n\nText ") == "full width text"  # NFKC, casefold


def test_punctuation_counts_for_exact_but_not_for_near():
    text = seed(SEED_001)
    unpunctuated = text.replace(",", "").replace("’", "'")
    assert normalise_for_exact(text) != normalise_for_exact(unpunctuated)
    assert words(text) == words(unpunctuated)
    index = DuplicateIndex()
    index.add("a", text)
    verdict = index.add("b", unpunctuated)
    assert verdict is not None and verdict.kind == "near" and verdict.jaccard == 1.0


def test_the_first_in_input_order_stays():
    index = DuplicateIndex()
    assert index.add("edited-001", edited_001()) is None
    verdict = index.add(SEED_001, seed(SEED_001))
    assert verdict is not None and verdict.duplicate_of == "edited-001"


def test_a_copy_of_a_dropped_copy_joins_the_cluster_of_the_kept_one():
    rng = random.Random(3)
    vocab = ["".join(rng.choice(string.ascii_lowercase) for _ in range(7)) for _ in range(3000)]
    base = [rng.choice(vocab) for _ in range(400)]

    def drift(ws: list[str], share: float) -> list[str]:
        return [rng.choice(vocab) if rng.random() < share else w for w in ws]

    b = drift(base, 0.02)
    c = drift(b, 0.02)
    index = DuplicateIndex()
    index.add("a", " ".join(base))
    assert index.add("b", " ".join(b)).duplicate_of == "a"
    verdict = index.add("c", " ".join(c))
    assert verdict is not None and verdict.kept == "a"


def test_short_texts_are_checked_for_exact_copies_only_and_empty_ones_never():
    index = DuplicateIndex()
    assert sketch("Read more here").bands == () and sketch("Read more here").signature == b""
    assert index.add("short", "Read more here") is None
    assert index.add("short-again", "read  MORE here").kind == "exact"
    assert index.add("other-short", "Read more there") is None
    assert index.add("empty", " \n ") is None and index.add("empty-again", "") is None


def test_sketches_pickle_and_give_the_same_verdicts_as_the_one_step_api():
    docs = corpus()
    sketches = [pickle.loads(pickle.dumps(sketch(text))) for _, text in docs]
    assert all(len(pickle.dumps(sk)) < 800 for sk in sketches)
    two_phase = DuplicateIndex()
    offered = [None if (v := two_phase.offer(doc_id, sk)) is None else v.reason
               for (doc_id, _), sk in zip(docs, sketches)]
    assert offered == verdicts(DuplicateIndex(), docs)
    assert offered.count(None) == 4  # both seeds, one short text, the empty one


def test_verdicts_are_the_same_in_another_process():
    docs = corpus()
    script = (
        "import json, sys\n"
        "from cleaner.corpus.duplicates import DuplicateIndex, sketch\n"
        "docs = json.load(sys.stdin)\n"
        "index = DuplicateIndex()\n"
        "out = [[None if (v := index.add(i, t)) is None else v.reason for i, t in docs],\n"
        "       [[sketch(t).exact, list(sketch(t).bands), sketch(t).signature.hex()] for _, t in docs]]\n"
        "print(json.dumps(out))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(docs), env=env,
                          capture_output=True, text=True, check=True)
    their_verdicts, their_sketches = json.loads(done.stdout)
    assert their_verdicts == verdicts(DuplicateIndex(), docs)
    ours = [[sk.exact, list(sk.bands), sk.signature.hex()] for sk in (sketch(t) for _, t in docs)]
    assert their_sketches == ours


def test_index_memory_per_document_is_about_a_kilobyte():
    rng = random.Random(0)
    vocab = ["".join(rng.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(5000)]
    sketches = [sketch(" ".join(rng.choice(vocab) for _ in range(200))) for _ in range(2000)]
    ids = [f"shard-{i:05d}.jsonl:{i:08d}" for i in range(len(sketches))]
    assert all(len(sk.bands) == NUM_BANDS and len(sk.signature) == 4 * NUM_PERM for sk in sketches)
    tracemalloc.start()
    try:
        index = DuplicateIndex()
        kept = [index.offer(doc_id, sk) is None for doc_id, sk in zip(ids, sketches)]
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert all(kept)
    assert held / len(sketches) < 1500  # the docstring says about 1.2 kB, ids apart


def test_a_threshold_outside_0_1_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\], got 80"):
        DuplicateIndex(threshold=80)
