"""Loading a pack remembers the checks its rules passed (patterns that compile,
examples that hold) and skips them the next time, without ever letting a broken
rule through or changing what a rule does."""

from __future__ import annotations

import pickle

import pytest
import regex

from cleaner.loading import pack as pack_module
from cleaner.loading import pack_checks
from cleaner.core.lines import PatternMatcher
from cleaner.loading.pack import PackError, load_pack
from cleaner.loading.pack_checks import LazyPattern

RULE = '''
[pack]
name = "shop"

[[rule]]
id = "residue/shop-app"
summary = "The shop's app promotion"
pattern = 'zorblat (?:shop|store) coupons'
examples = [
  {{ input = "Body.\\nZorblat Shop coupons\\n", output = "Body.\\n" }},
  {{ input = "Body.\\nThe zorblat shop we reviewed\\n" }},
]
{extra}
'''


@pytest.fixture
def examples_run(monkeypatch):
    """How many times the examples of a declarative rule were run."""
    calls: list[str] = []
    real = pack_module.failing_example

    def counting(rule):
        calls.append(rule.id)
        return real(rule)

    monkeypatch.setattr(pack_module, "failing_example", counting)
    return calls


def rule(tmp_path) -> str:
    """The pack above, its rule's definition unique to the test (a definition
    another test loaded is remembered already)."""
    return RULE.format(extra=f'doc = "Defined for {tmp_path.name}."')


def write(tmp_path, text: str):
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_second_load_does_not_run_examples_that_held_and_cleans_the_same(tmp_path, examples_run):
    path = write(tmp_path, rule(tmp_path))
    text = "Body text here.\nzorblat store coupons\n"
    first = load_pack([path]).clean(text).text
    assert examples_run.count("residue/shop-app") == 1
    second = load_pack([path]).clean(text).text
    assert examples_run.count("residue/shop-app") == 1  # remembered
    assert first == second == "Body text here.\n"


def test_a_rule_whose_examples_fail_is_refused_on_every_load(tmp_path, examples_run):
    broken = rule(tmp_path).replace('output = "Body.\\n"', 'output = "Something else.\\n"')
    path = write(tmp_path, broken)
    for _ in range(2):
        with pytest.raises(PackError, match="example fails"):
            load_pack([path])
    assert examples_run.count("residue/shop-app") == 2  # a failure is never remembered


def test_a_changed_rule_is_checked_again(tmp_path, examples_run):
    load_pack([write(tmp_path, rule(tmp_path))])
    changed = rule(tmp_path).replace("(?:shop|store)", "(?:shop|store|outlet)")
    load_pack([write(tmp_path, changed)])
    assert examples_run.count("residue/shop-app") == 2
    with pytest.raises(PackError, match="example fails"):  # and a change that breaks it is caught
        load_pack([write(tmp_path, changed.replace('output = "Body.\\n"', 'output = "Body!\\n"'))])


def test_an_invalid_pattern_is_refused_on_every_load(tmp_path):
    path = write(tmp_path, rule(tmp_path).replace("(?:shop|store)", "(?:shop|store"))
    for _ in range(2):
        with pytest.raises(PackError, match="invalid pattern"):
            load_pack([path])


def test_a_pattern_known_to_compile_waits_for_its_first_use(tmp_path):
    path = write(tmp_path, rule(tmp_path))
    load_pack([path])
    loaded = next(r for r in load_pack([path]).rules if r.id == "residue/shop-app")
    assert isinstance(loaded.fn, PatternMatcher)
    lazy = loaded.fn.pattern
    assert isinstance(lazy, LazyPattern) and lazy._compiled is None
    assert loaded.fn("Zorblat shop coupons", None) is True
    assert lazy._compiled is not None


def test_a_lazy_pattern_matches_equals_and_pickles_as_the_compiled_one():
    source, flags = r"(?P<who>[a-z]+) said", regex.V1 | regex.IGNORECASE
    lazy, compiled = LazyPattern(source, flags), regex.compile(source, flags)
    for line in ("Anna said", "anna SAID", "said", "Anna said it"):
        got, want = lazy.fullmatch(line), compiled.fullmatch(line)
        assert (got and got.groupdict()) == (want and want.groupdict())
    assert lazy.search("then bob said") is not None  # everything else comes from the compiled pattern
    assert lazy == LazyPattern(source, flags) and hash(lazy) == hash(LazyPattern(source, flags))
    assert lazy != LazyPattern(source, regex.V1)
    again = pickle.loads(pickle.dumps(lazy))
    assert again == lazy and again.fullmatch("Anna said") is not None


def test_without_a_cache_every_check_runs_every_time(tmp_path, examples_run, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", "")
    monkeypatch.setattr(pack_checks, "_passed", pack_checks._passed.__wrapped__)  # not kept in memory either
    path = write(tmp_path, rule(tmp_path))
    load_pack([path])
    load_pack([path])
    assert examples_run.count("residue/shop-app") == 2
