"""Packs: loading, combining, options, plug-ins, and refusing broken packs clearly."""

from __future__ import annotations

import re
import textwrap
import tomllib
import warnings
from pathlib import Path

import pytest

from cleaner import Example, rule
from cleaner.loading.pack import PackError, default_pack_path, load_pack, packs_dir

BODY = "The minister signed the agreement in Moscow on Friday, officials said.\n"

PROMO = '''
[[rule]]
id = "residue/test-crossword"
summary = "Remove 'Play the daily crossword'"
doc = "Test rule."
where = "tail"
pattern = "play the daily crossword"
examples = [
  { input = "The minister signed the agreement in Moscow on Friday.\\n\\nPlay the daily crossword\\n", output = "The minister signed the agreement in Moscow on Friday.\\n\\n" },
  { input = "Play the daily crossword, the minister told farmers, and check prices every morning.\\n" },
]
'''


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_default_pack_ships_with_the_package():
    assert default_pack_path().is_file()
    assert (packs_dir() / "residue").is_dir()


def test_default_pack_order_follows_the_file(pipeline):
    declared = tomllib.loads(default_pack_path().read_text())["pack"]["steps"]
    ids = [r.id for r in pipeline.rules]
    explicit = [s for s in declared if "*" not in s]
    assert [i for i in ids if i in explicit] == explicit
    assert len(ids) == len(set(ids))


def test_pack_hash_is_stable_and_tracks_content(tmp_path, pipeline):
    assert load_pack().sha256 == pipeline.sha256
    extra = write(tmp_path, "promo.toml", PROMO)
    assert load_pack([extra]).sha256 != pipeline.sha256


def test_user_rules_join_the_residue_pass(tmp_path):
    p = load_pack([write(tmp_path, "promo.toml", PROMO)])
    ids = [r.id for r in p.rules]
    assert ids.index("residue/test-crossword") < ids.index("sentences/split-glued")
    out = p.clean(f"{BODY}\nPlay the daily crossword\n\nShare this:\n")
    assert out.text == BODY
    assert "residue/test-crossword" in {s.rule for s in out.steps}


def test_a_folder_is_a_pack(tmp_path):
    folder = tmp_path / "packs"
    folder.mkdir()
    write(folder, "promo.toml", PROMO)
    assert "residue/test-crossword" in {r.id for r in load_pack([folder]).rules}


def test_steps_replace_the_order_and_disable_removes(tmp_path):
    only = write(tmp_path, "only.toml", """
        [pack]
        name = "minimal"
        steps = ["whitespace/*", "residue/exit-mobile-version"]
        disable = ["whitespace/strip-indent"]
    """)
    p = load_pack([only])
    ids = [r.id for r in p.rules]
    assert ids[-1] == "residue/exit-mobile-version"
    assert all(i.startswith("whitespace/") for i in ids[:-1])
    assert "whitespace/strip-indent" not in ids
    assert p.name == "default+minimal"


def test_pack_order_does_not_drop_rules(tmp_path):
    """page-dump sets the whole order with [pack] steps; given after corpus, it
    used to wipe out the corpus rules while the name still said corpus."""
    one, other = load_pack(["corpus", "page-dump"]), load_pack(["page-dump", "corpus"])
    ids = [r.id for r in one.rules]
    assert {"corpus/site-template", "corpus/duplicates", "page/main-text"} <= set(ids)
    assert ids == [r.id for r in other.rules]
    assert (one.name, one.sha256) == (other.name, other.sha256)
    # a user's pack that only adds rules joins whichever side of a steps pack it is given
    promo = write(tmp_path, "promo.toml", PROMO)
    before, after = load_pack([promo, "page-dump"]), load_pack(["page-dump", promo])
    assert "residue/test-crossword" in [r.id for r in before.rules]
    assert before.sha256 == after.sha256


def test_two_packs_with_steps_that_disagree_are_refused(tmp_path):
    only = write(tmp_path, "only.toml", """
        [pack]
        name = "minimal"
        steps = ["whitespace/*"]
    """)
    with pytest.raises(PackError, match=r"only.toml.*replace the steps of page-dump.toml.*page/main-text"):
        load_pack(["page-dump", only])


def test_options_bind_and_unknown_options_are_refused(tmp_path):
    plain = write(tmp_path, "plain.toml", """
        [options."headings/normalise"]
        style = "plain"
    """)
    rule_ = next(r for r in load_pack([plain]).rules if r.id == "headings/normalise")
    assert rule_.options["style"] == "plain"
    bad = write(tmp_path, "bad.toml", """
        [options."headings/normalise"]
        colour = "red"
    """)
    with pytest.raises(PackError, match="colour"):
        load_pack([bad])


#: Every way a pack can be broken, and what the refusal must say: file, line, rule id.
BROKEN_PACKS = {
    "invalid-toml": (PROMO.replace('pattern = "play the daily crossword"', 'pattern = "play the daily crossword'),
                     r"bad\.toml:7: rule 'residue/test-crossword': invalid TOML"),
    "unknown-step": ('[pack]\nname = "x"\nsteps = [\n  "whitespace/*",\n  "residue/no-such-rule",\n]\n',
                     r"bad\.toml:5: rule 'residue/no-such-rule': in \[pack\] steps: unknown rule id"),
    "unknown-disable": ('[pack]\ndisable = ["residue/no-such-rule"]\n',
                        r"bad\.toml:2: rule 'residue/no-such-rule': in \[pack\] disable: unknown rule id"),
    "invalid-regex": (PROMO.replace('pattern = "play the daily crossword"', 'pattern = "get (the app"'),
                      r"bad\.toml:3: rule 'residue/test-crossword': invalid pattern"),
    "no-examples": (PROMO.split("examples")[0], r"bad\.toml:3: rule 'residue/test-crossword': rule has no examples"),
    "failing-example": (PROMO.replace('output = "The minister signed the agreement in Moscow on Friday.\\n\\n"', 'output = "nope"'),
                        r"bad\.toml:3: rule 'residue/test-crossword': example fails"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_PACKS))
def test_cli_refuses_broken_packs_with_exit_2_file_line_and_rule(tmp_path, case):
    from typer.testing import CliRunner

    from cleaner.cli import app

    body, expected = BROKEN_PACKS[case]
    bad = write(tmp_path, "bad.toml", body)
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(BODY, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", str(bad)])
    assert result.exit_code == 2, result.output
    assert re.search(expected, " ".join(result.output.split())), result.output
    assert not out.exists()  # refused before any output is written


@pytest.mark.parametrize(
    "body,expected",
    [
        ("[[rule]\nid = 1\n", r"bad\.toml:1: invalid TOML"),
        *BROKEN_PACKS.values(),
        (PROMO.replace('where = "tail"', 'where = "footer"'), r"bad\.toml:3: rule 'residue/test-crossword': 'where' must be one of"),
        (PROMO.replace("residue/test-crossword", "residue/exit-mobile-version"), r"bad\.toml:3: rule 'residue/exit-mobile-version'.*already defined"),
    ],
    ids=["invalid-toml-header", *BROKEN_PACKS, "bad-where", "duplicate-id"],
)
def test_broken_packs_are_refused_with_file_line_and_rule(tmp_path, body, expected):
    with pytest.raises(PackError, match=expected):
        load_pack([write(tmp_path, "bad.toml", body)])


@pytest.mark.parametrize(
    "body,expected",
    [
        ("pack = 3\n", r"bad\.toml:1: pack must be a table"),
        ('rule = "x"\n', r"bad\.toml:1: rules are written as \[\[rule\]\] tables"),
        ('[pack]\nsteps = "whitespace/*"\n', r"bad\.toml:2: \[pack\] steps must be a list of strings"),
        ('[pack]\ninclude = ["/etc/*.toml"]\n', r"bad\.toml:2: include '/etc/\*\.toml' must be relative"),
        ('[pack]\ninclude = ["*.toml"]\n', r"bad\.toml:2: include '\*\.toml' includes .*bad\.toml again \(a loop\)"),
        ("options = 3\n", r"bad\.toml:1: options must be a table"),
        (PROMO.replace('where = "tail"', "block = 1"), r"bad\.toml:3: rule 'residue/test-crossword': 'block' must be true or false"),
        (PROMO.replace('where = "tail"', 'aliases = "x"'), r"bad\.toml:3: rule 'residue/test-crossword': 'aliases' must be a list"),
        (PROMO.replace('{ input = "Play the daily crossword, the', '{ input = 3, note = "Play the daily crossword, the'),
         r"bad\.toml:3: rule 'residue/test-crossword': each example is a table of strings"),
    ],
    ids=["pack-not-table", "rule-not-table", "steps-not-list", "absolute-include", "include-loop", "options-not-table",
         "block-not-bool", "aliases-not-list", "example-input-not-string"],
)
def test_misshapen_packs_are_refused_not_crashed_on(tmp_path, body, expected):
    with pytest.raises(PackError, match=expected):
        load_pack([write(tmp_path, "bad.toml", body)])


def test_loading_a_pack_executes_nothing(tmp_path):
    """Packs are data: TOML is parsed and patterns compiled; no value is evaluated,
    imported or run, and keys that would name code are refused."""
    marker = tmp_path / "ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    looks_like_code = PROMO.replace('summary = "Remove \'Play the daily crossword\'"', f'summary = "{code}"').replace(
        'doc = "Test rule."', f'doc = "{code}"'
    )
    load_pack([write(tmp_path, "code.toml", looks_like_code)])
    assert not marker.exists()
    with pytest.raises(PackError, match="unknown key"):
        load_pack([write(tmp_path, "fn.toml", PROMO.replace('where = "tail"', 'fn = "os:system"'))])


def test_missing_pack_path_is_an_error(tmp_path):
    with pytest.raises(PackError, match="no such pack"):
        load_pack([tmp_path / "nope.toml"])


def test_entry_point_rules_are_discovered(monkeypatch, tmp_path):
    @rule("plugin/shout", "Upper-case the text", examples=[Example("a", "A"), Example("B")])
    def shout(text: str) -> str:
        """Test plug-in rule."""
        return text.upper()

    class FakeEntryPoint:
        name, value = "shout", "plugin:shout"

        def load(self):
            return shout

    import cleaner.loading.registry as registry

    monkeypatch.setattr(registry, "entry_points", lambda group: [FakeEntryPoint()] if group == "cleaner.rules" else [])
    only_plugin = write(tmp_path, "plugin.toml", '[pack]\nsteps = ["plugin/shout"]\n')
    assert load_pack([only_plugin])("abc") == "ABC"


def test_aliases_resolve(tmp_path):
    renamed = write(tmp_path, "renamed.toml", PROMO.replace('where = "tail"', 'where = "tail"\naliases = ["residue/old-app-line"]'))
    steps = write(tmp_path, "steps.toml", '[pack]\nsteps = ["residue/old-app-line"]\n')
    assert [r.id for r in load_pack([renamed, steps]).rules] == ["residue/test-crossword"]


def test_ci_tests_the_installed_package_not_the_source_tree():
    """CI installs the wheel; the tests must import it, so a pack missing from the
    wheel cannot hide behind the checkout's rules/ folder."""
    import os

    import cleaner

    if not os.environ.get("CI"):
        pytest.skip("only meaningful in CI, where the package is installed non-editable")
    assert "site-packages" in cleaner.__file__
    assert "site-packages" in str(packs_dir())


def test_readmes_example_pack_loads_unshadowed_and_fires(tmp_path):
    """README's "Write your own rules" pack, as a user copies it: it loads without a
    warning that a built-in rule wins its lines, and removes what it says it does."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("# my-site.toml\n")
    pack = tmp_path / "my-site.toml"
    pack.write_text(readme[start : readme.index("```", start)], encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipeline = load_pack([pack])
    [own] = [r for r in pipeline.rules if r.origin and "my-site.toml" in r.origin]
    for example in own.examples:
        out = pipeline.clean(example.input)
        fired = own.id in {s.rule for s in out.steps}
        assert fired == (example.output is not None), example.input
