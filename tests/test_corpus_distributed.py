"""The corpus statistics gathered in pieces (cleaner/corpus/distributed.py) give
exactly what one index fed in input order gives: the same verdicts (kind, document
matched, cluster kept, Jaccard) for every document, whatever order the groups'
members arrive in. No Ray here: the group-by steps are dicts."""

from __future__ import annotations

import random

import numpy as np
import pytest

from cleaner.corpus import templates
from cleaner.corpus.distributed import (
    aggregation_of,
    band_candidates,
    duplicate_verdicts,
    exact_copies,
    feed_in_order,
    resolve,
    site_statistics,
)
from cleaner.corpus.duplicates import NUM_BANDS, NUM_PERM, DuplicateIndex, Sketch, confirmation_cut, sketch
from cleaner.corpus.model import CorpusDoc
from cleaner.loading.pack import load_pack

CUT = confirmation_cut(0.8)


def index_verdicts(docs: list[tuple[int, str, Sketch]]) -> dict:
    index = DuplicateIndex()
    return {p: v for p, i, sk in docs if (v := index.offer(i, sk)) is not None}


def shuffled(docs: list, seed: int) -> list:
    out = list(docs)
    random.Random(seed).shuffle(out)
    return out


def words_corpus(seed: int, n: int = 120) -> list[str]:
    """Random documents with planted exact copies (case and spacing changed), edited
    copies, copies of copies (chains), short texts and empty ones."""
    rng = random.Random(seed)
    vocab = [f"w{k}" for k in range(400)]
    texts: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if texts and roll < 0.15:
            texts.append("  " + rng.choice(texts).upper() + "\n")
        elif texts and roll < 0.45:
            words = rng.choice(texts).split()
            for _ in range(rng.randint(0, 4)):
                if words:
                    words[rng.randrange(len(words))] = rng.choice(vocab)
            texts.append(" ".join(words))
        elif roll < 0.5:
            texts.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 4))))
        else:
            texts.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(30, 90))))
    return texts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pieces_give_the_index_verdicts_on_real_sketches(seed):
    docs = [(p, f"d{p}", sketch(t)) for p, t in enumerate(words_corpus(seed))]
    expected = index_verdicts(docs)
    kinds = {v.kind for v in expected.values()}
    assert kinds == {"exact", "near"}, "the corpus plants both kinds"
    assert any(v.kept != v.duplicate_of for v in expected.values()), "and a copy of a copy"
    verdicts, ids = duplicate_verdicts(shuffled(docs, seed), CUT)
    assert verdicts == expected
    assert ids == {p: f"d{p}" for p in expected}


def crafted(seed: int, n: int = 150) -> list[tuple[int, str, Sketch]]:
    """Sketches whose bands collide often (hashes drawn from a few values) and whose
    signatures agree by chance around the cut: many groups of several members, and
    members more like each other than like their group's first."""
    rng = np.random.default_rng(seed)
    bases = [rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64) for _ in range(4)]
    docs = []
    for p in range(n):
        sig = bases[p % 4].copy()
        flip = rng.random(NUM_PERM) < rng.uniform(0.05, 0.4)
        sig[flip] = rng.integers(0, 2**32, int(flip.sum()), dtype=np.uint64)
        bands = tuple(int(rng.integers(0, 6)) for _ in range(NUM_BANDS))
        if docs and rng.random() < 0.2:  # an exact copy: the same text, so the same sketch
            docs.append((p, f"d{p}", docs[int(rng.integers(0, len(docs)))][2]))
        else:
            exact = None if p % 17 == 0 else int(rng.integers(0, 2**63))
            docs.append((p, f"d{p}", Sketch(exact, bands, sig.astype("<u4").tobytes())))
    return docs


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_pieces_give_the_index_verdicts_on_crafted_collisions(seed):
    docs = crafted(seed)
    expected = index_verdicts(docs)
    assert len(expected) > 40 and {v.kind for v in expected.values()} == {"exact", "near"}
    assert any(v.kept != v.duplicate_of for v in expected.values())
    assert duplicate_verdicts(shuffled(docs, seed), CUT)[0] == expected


def sig(values: list[int]) -> bytes:
    return np.array(values * (NUM_PERM // len(values)), dtype="<u4").tobytes()


def test_a_candidate_is_the_first_of_its_band_group_only():
    """C shares band 0 with A and B and is more like B, but the index compares it with
    A alone, the first that had that band hash: comparing all pairs of a group (or
    taking the most similar member) would name B and fail here."""
    a = Sketch(1, (7,) + (100,) * 13, sig([1, 2, 3, 4]))
    b = Sketch(2, (7,) + (200,) * 13, sig([1, 2, 3, 5]))  # 3/4 like A
    c = Sketch(3, (7,) + (300,) * 13, sig([1, 2, 3, 5]))  # like B, 3/4 like A
    docs = [(0, "A", a), (1, "B", b), (2, "C", c)]
    expected = index_verdicts(docs)
    assert expected[2].duplicate_of == "A" and expected[1].duplicate_of == "A"
    assert duplicate_verdicts(docs, CUT)[0] == expected


def test_a_chain_joins_the_first_cluster():
    """A~B, B~C but C unlike A: C is a near-duplicate of B, and its cluster keeps A."""
    a = Sketch(1, (1,) + (10,) * 13, sig([1, 2, 3, 4, 5, 6, 7, 8]))
    b = Sketch(2, (1, 20) + (30,) * 12, sig([1, 2, 3, 4, 5, 6, 7, 9]))  # 7/8 like A
    c = Sketch(3, (2, 20) + (40,) * 12, sig([1, 2, 3, 4, 5, 6, 10, 9]))  # 7/8 like B, 6/8 like A
    d = b  # an exact copy of B: the same text, so the same sketch
    docs = [(0, "A", a), (5, "B", b), (9, "C", c), (12, "D", d)]
    expected = index_verdicts(docs)
    assert (expected[9].duplicate_of, expected[9].kept) == ("B", "A")
    assert (expected[12].kind, expected[12].duplicate_of, expected[12].kept) == ("exact", "B", "A")
    assert duplicate_verdicts(shuffled(docs, 5), CUT)[0] == expected


def test_the_steps_one_by_one():
    first, copies = exact_copies([(9, "c"), (2, "a"), (5, "b")])
    assert first == (2, "a") and [(c.position, c.of_id) for c in copies] == [(5, "a"), (9, "a")]
    same, other = sig([1, 2, 3, 4]), sig([5, 6, 7, 8])
    found = band_candidates([(8, "y", same), (3, "x", same), (11, "z", other)], CUT)
    assert [(c.position, c.of_position, c.jaccard) for c in found] == [(8, 3, 1.0)]
    assert band_candidates([(1, "x", same)], CUT) == []
    # a pair found through several bands counts once; the most similar, then the earliest, wins
    verdicts, _ = resolve([], found + found)
    assert verdicts[8].duplicate_of == "x"


def test_sites_and_other_statistics_are_fed_in_position_order():
    pages = [(p, templates.sketch(f"Home\nMenu\nStory number {p} of the day.\n")) for p in (4, 0, 2, 2)]
    stats = site_statistics("x.org", pages)
    assert stats.is_finished and (stats.pages, stats.copies) == (3, 1)
    assert stats.pages_with(templates.line_key("Home")) == 3

    class Recorder:
        def __init__(self):
            self.seen: list[int] = []

        def add(self, doc, sketch):
            self.seen.append(doc.position)

    entries = [(CorpusDoc("b", 3), None), (CorpusDoc("a", 1), None), (CorpusDoc("c", 7), None)]
    fed = feed_in_order(Recorder(), entries)
    assert fed.seen == [1, 3, 7]


def test_which_rules_are_gathered_where():
    rules = {r.id: r for r in load_pack(["corpus"]).rules if r.kind == "corpus"}
    assert aggregation_of(rules["corpus/site-template"]) == "site"
    assert aggregation_of(rules["corpus/duplicates"]) == "bands"
