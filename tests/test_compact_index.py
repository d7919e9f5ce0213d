"""The duplicates' index stores (cleaner/corpus/compact_index.py) answer as the dict
and bytearray they replace, in memory and past their merges and spills, and cost a
fraction of them."""

from __future__ import annotations

import os
import pickle
import random
import tracemalloc

import pytest

import cleaner.corpus.compact_index as compact
from cleaner.corpus.compact_index import IntMap, SpilledBytes
from cleaner.corpus.duplicates import DuplicateIndex, Sketch


def test_int_map_answers_as_a_dict(monkeypatch):
    monkeypatch.setattr(compact, "MERGE_AT", 64)  # merge often
    rng = random.Random(3)
    keys = [rng.getrandbits(64) for _ in range(3000)] + [0, (1 << 64) - 1]
    ours, theirs = IntMap(), {}
    for n in range(20000):
        key, value = rng.choice(keys), rng.randrange(1 << 31)
        op = rng.random()
        if op < 0.4:
            assert ours.setdefault(key, value) == theirs.setdefault(key, value)
        elif op < 0.6:
            ours[key] = theirs[key] = value
        else:
            assert ours.get(key) == theirs.get(key)
        assert (key in ours) == (key in theirs)
    assert len(ours) == len(theirs)
    assert {k: ours[k] for k in theirs} == theirs
    back = pickle.loads(pickle.dumps(ours))
    assert all(back.get(k) == v for k, v in theirs.items()) and back.get(12345) is None


@pytest.mark.parametrize("in_memory", [1 << 20, 1000, 0])
def test_spilled_bytes_read_as_a_bytearray(in_memory):
    ours, theirs = SpilledBytes(in_memory=in_memory), bytearray()
    for n in range(300):
        piece = os.urandom(448) if n % 7 else b""
        ours += piece
        theirs += piece
        a = random.Random(n).randrange(len(theirs) + 1)
        b = random.Random(-n).randrange(a, len(theirs) + 1)
        assert ours[a:b] == bytes(theirs[a:b])
    assert len(ours) == len(theirs) and ours[0:len(theirs)] == bytes(theirs)
    assert pickle.loads(pickle.dumps(ours))[10:5000] == bytes(theirs[10:5000])


def test_the_index_holds_half_of_what_dicts_held():
    """Per indexed document: 15 entries of 12 bytes (and the recent ones in small
    dicts), the signature in memory for the first MB only, the id: under 450 bytes
    (dicts and a bytearray held ~1.1 kB)."""
    rng = random.Random(1)
    sketches = [Sketch(rng.getrandbits(64), tuple(rng.getrandbits(64) for _ in range(14)), os.urandom(448))
                for _ in range(40000)]
    tracemalloc.start()
    try:
        index = DuplicateIndex()
        for n, sk in enumerate(sketches):
            assert index.offer(f"d{n}", sk) is None  # random sketches: no candidates
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held / len(sketches) < 450
