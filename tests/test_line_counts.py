"""Line counts in bounded memory (cleaner/corpus/line_counts.py): the same counts as a
dict per site, whether the keys stay in memory or go to disk, and the template rule's
statistics built on them judge as before."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from cleaner.corpus import templates
from cleaner.corpus.line_counts import SiteLineCounts
from cleaner.corpus.model import CorpusDoc
from cleaner.rules.corpus import TemplateStats


def pages(n: int, seed: int = 7) -> list[tuple[str, list[int]]]:
    """Pages of five sites: each a few lines its site repeats and lines of its own."""
    rng = random.Random(seed)
    shared = {s: [rng.getrandbits(64) for _ in range(12)] for s in "abcde"}
    found = []
    for _ in range(n):
        site = rng.choice("abcde")
        keys = set(rng.sample(shared[site], rng.randint(0, 12))) | {rng.getrandbits(64) for _ in range(rng.randint(0, 30))}
        found.append((site, sorted(keys)))
    return found


def expected(found: list[tuple[str, list[int]]], floor: int) -> dict[str, dict[int, int]]:
    counts: dict[str, Counter] = {}
    for site, keys in found:
        counts.setdefault(site, Counter()).update(keys)
    return {s: {k: n for k, n in c.items() if n >= floor} for s, c in counts.items() if any(n >= floor for n in c.values())}


@pytest.mark.parametrize("buffer", [1 << 20, 50, 1], ids=["in-memory", "spilled", "a-line-at-a-time"])
def test_counts_are_those_of_a_dict_per_site(tmp_path, buffer):
    found = pages(400)
    counter = SiteLineCounts(buffer=buffer, folder=tmp_path)
    for site, keys in found:
        counter.add(site, templates._pack(keys))
    assert counter.counted(3) == expected(found, 3)
    assert not list(tmp_path.iterdir())  # the temporary files are gone
    with pytest.raises(ValueError, match="counted already"):
        counter.add("a", templates._pack([1]))


def test_the_spill_goes_to_disk_only_when_the_buffer_fills(tmp_path):
    counter = SiteLineCounts(buffer=100, folder=tmp_path)
    counter.add("a", templates._pack(range(99)))
    assert not list(tmp_path.iterdir())
    counter.add("a", templates._pack(range(99)))
    assert len(list(tmp_path.iterdir())) == 1
    assert counter.counted(2) == {"a": dict.fromkeys(range(99), 2)}


def test_template_stats_judge_as_with_a_dict_per_site(monkeypatch):
    """The rule's statistics, fed pages with copies among them, give the sites the
    same pages, copies and line counts as SiteStats counting alone."""
    import cleaner.corpus.line_counts as line_counts

    monkeypatch.setattr(line_counts, "BUFFER", 64)  # spill often
    menu = "Home\nShop\nNews\nAbout us\n"
    texts = [f"{menu}\nStory {n} about the {n % 4} river.\nSign up\n" for n in range(40)] + [f"{menu}\nStory 3 about the 3 river.\nSign up\n"]
    stats, alone = TemplateStats(), templates.SiteStats("x.org")
    for n, text in enumerate(texts):
        stats.add(CorpusDoc(f"d{n}", n, "x.org"), templates.sketch(text))
        alone.add(templates.sketch(text))
    got, want = stats.of("x.org"), alone.finished()
    assert (got.pages, got.copies) == (want.pages, want.copies) == (40, 1)
    for line in ["Home", "Sign up", "Story 3 about the 3 river.", "nothing"]:
        assert got.pages_with(templates.line_key(line)) == want.pages_with(templates.line_key(line))
    assert templates.template_lines(texts[0], got) == templates.template_lines(texts[0], want) != []
    with pytest.raises(ValueError, match="finished"):
        stats.add(CorpusDoc("late", 99, "y.org"), templates.sketch(menu))


def test_no_folder_is_left_behind_by_counts_never_counted(tmp_path):
    counter = SiteLineCounts(buffer=2, folder=tmp_path)
    counter.add("a", templates._pack([1, 2, 3]))
    assert len(list(tmp_path.iterdir())) == 1
    del counter
    assert not list(Path(tmp_path).iterdir())


def test_frozen_counts_look_up_like_a_dict_and_come_back_from_a_run_state(tmp_path):
    """The finished form every process of a clean phase holds: same answers as the
    dict it replaces, read back by the run's restricted unpickler."""
    from cleaner.corpus.line_counts import FrozenCounts
    from cleaner.running.state import RunState

    counts = {k * 7919 % 1000: k % 5 + 1 for k in range(300)}
    frozen = FrozenCounts.of(counts, 3)
    assert dict(frozen) == {k: n for k, n in counts.items() if n >= 3}
    assert frozen.get(-1 % (1 << 64)) is None and frozen.get(12345, 0) == 0
    state = RunState(tmp_path)
    state.save_stats(({"rule": frozen}, {}))
    back = state.load_stats()[0]["rule"]
    assert isinstance(back, FrozenCounts) and back == frozen and len(back) == len(frozen)
