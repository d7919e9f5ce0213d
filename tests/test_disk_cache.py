"""The on-disk cache of pattern readings: it gives back what the reading gives, and
a cache that is missing, off, broken or unwritable never changes a result."""

from __future__ import annotations

import json

import pytest

from cleaner.core import disk_cache, pattern_reading
from cleaner.core.disk_cache import JsonCache
from cleaner.loading.pack import load_pack
from cleaner.core.lines import PatternMatcher


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(disk_cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def default_patterns() -> list[str]:
    return [r.fn.pattern.pattern for r in load_pack().rules if isinstance(r.fn, PatternMatcher)]


def test_a_saved_value_is_read_by_the_next_process(folder):
    first = JsonCache("things", "v1")
    first.put("a pattern", [{"x": 1}])
    first.save()
    assert JsonCache("things", "v1").get("a pattern") == [{"x": 1}]
    assert JsonCache("things", "v2").get("a pattern") is None  # another version, another file


def test_saving_merges_with_what_another_process_wrote(folder):
    one, other = JsonCache("things", "v1"), JsonCache("things", "v1")
    one.get("anything")  # both read the (empty) file before either writes
    other.get("anything")
    one.put("a", 1)
    one.save()
    other.put("b", 2)
    other.save()
    fresh = JsonCache("things", "v1")
    assert (fresh.get("a"), fresh.get("b")) == (1, 2)


def test_an_empty_folder_setting_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv(disk_cache.ENV, "")
    monkeypatch.chdir(tmp_path)
    cache = JsonCache("things", "v1")
    cache.put("a", 1)
    cache.save()
    assert cache.path is None
    assert list(tmp_path.iterdir()) == []
    assert JsonCache("things", "v1").get("a") is None


def test_a_broken_file_is_ignored_and_replaced(folder):
    folder.mkdir()
    path = folder / "things-v1.json"
    path.write_text('{"a": [1, 2', encoding="utf-8")  # cut short
    cache = JsonCache("things", "v1")
    assert cache.get("a", "missing") == "missing"
    cache.put("b", 2)
    cache.save()
    assert json.loads(path.read_text(encoding="utf-8")) == {"b": 2}


def test_an_unwritable_folder_costs_nothing_but_the_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(disk_cache.ENV, str(blocker / "cache"))
    cache = JsonCache("things", "v1")
    cache.put("a", 1)
    cache.save()  # cannot create the folder: no error
    assert cache.get("a") == 1  # still known in this process


def test_readings_from_the_disk_are_the_readings(folder, monkeypatch):
    patterns = default_patterns()
    assert len(patterns) > 50
    monkeypatch.setattr(pattern_reading, "_READINGS", JsonCache("screen-readings", "test"))
    read = {p: pattern_reading.screen_alternatives.__wrapped__(p) for p in patterns}
    pattern_reading._READINGS.save()

    def no_reading(pattern):
        raise AssertionError(f"read again instead of taken from the cache: {pattern}")

    monkeypatch.setattr(pattern_reading, "_READINGS", JsonCache("screen-readings", "test"))
    monkeypatch.setattr(pattern_reading, "_read_alternatives", no_reading)
    kept = {p: pattern_reading.screen_alternatives.__wrapped__(p) for p in patterns}
    assert kept == read
    assert any(screens is not None for screens in kept.values())


@pytest.mark.parametrize(
    "tampered",
    [[{"starts": 5, "digit": False, "contains": None}], [{"starts": None}], "a string", [], [{"starts": ["ad"], "digit": "no", "contains": None}]],
)
def test_a_reading_of_the_wrong_shape_is_read_again(folder, monkeypatch, tampered):
    pattern = r"advertisement\s*:?"
    monkeypatch.setattr(pattern_reading, "_READINGS", JsonCache("screen-readings", "test"))
    pattern_reading._READINGS.put(pattern, tampered)
    assert pattern_reading.screen_alternatives.__wrapped__(pattern) == pattern_reading._read_alternatives(pattern)


def test_the_newer_characters_are_kept_and_a_wrong_list_is_found_again(folder, monkeypatch):
    monkeypatch.setattr(pattern_reading, "_NEWER", JsonCache("newer-characters", "test"))
    found, _ = pattern_reading._newer_characters.__wrapped__()
    monkeypatch.setattr(pattern_reading, "_NEWER", JsonCache("newer-characters", "test"))
    with monkeypatch.context() as m:
        m.setattr(pattern_reading.regex, "findall", lambda *a: pytest.fail("looked for again"))
        assert pattern_reading._newer_characters.__wrapped__()[0] == found
    pattern_reading._NEWER.put("characters", "abc")  # letters Python knows: not this list
    assert pattern_reading._newer_characters.__wrapped__()[0] == found
