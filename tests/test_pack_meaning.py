"""A pack means what it says: misspelt tables and keys, option values of the wrong
type and rules placed with `add` (issue 13, items 1, 2, 4 and 5). Each bad pack
must be refused with exit 2 before any output, naming the file, the line and,
where there is one, the rule."""

from __future__ import annotations

import json
import re
import textwrap
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.loading.pack import PackError, PackWarning, load_pack

BODY = "The minister signed the agreement in Moscow on Friday, officials said.\n"

MASTODON = '''
[[rule]]
id = "residue/follow-on-mastodon"
summary = "Remove 'Follow us on Mastodon'"
where = "tail"
pattern = "follow us on mastodon"
examples = [
  { input = "The minister signed the agreement in Moscow on Friday, officials said.\\n\\nFollow us on Mastodon\\n", output = "The minister signed the agreement in Moscow on Friday, officials said.\\n\\n" },
  { input = "Follow us on Mastodon, the minister told farmers at the market on Friday morning.\\n" },
]
'''


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def corpus(tmp_path: Path, text: str = BODY) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(text, encoding="utf-8")
    return src


def flat(output: str) -> str:
    return " ".join(output.split())


#: pack text -> what the refusal says (file:line, and the rule or key).
BAD = {
    "rules-for-rule": (MASTODON.replace("[[rule]]", "[[rules]]"),
                       r"bad\.toml:2: unknown table 'rules'; did you mean \[\[rule\]\]\?"),
    "pakc-for-pack": ('[pakc]\nname = "x"\n', r"bad\.toml:1: unknown table 'pakc'; did you mean \[pack\]\?"),
    "disabel-in-pack": ('[pack]\nname = "x"\ndisabel = ["residue/follow-us"]\n',
                        r"bad\.toml:3: unknown key 'disabel' in \[pack\]; did you mean 'disable'\?"),
    "disable-outside-pack": ('disable = ["residue/follow-us"]\n',
                             r"bad\.toml:1: 'disable' belongs in \[pack\]"),
    "disabel-top-level": ('disabel = ["residue/follow-us"]\n',
                          r"bad\.toml:1: unknown key 'disabel'; did you mean 'disable' \(in \[pack\]\)\?"),
    "rule-key-typo": (MASTODON.replace("pattern =", "patern ="),
                      r"bad\.toml:3: rule 'residue/follow-on-mastodon': unknown key 'patern' in \[\[rule\]\]; did you mean 'pattern'\?"),
    "style-not-a-style": ('[options."headings/normalise"]\nstyle = 3\n',
                          r"bad\.toml:2: rule 'headings/normalise': option 'style' must be one of 'markdown', 'plain', 'keep', not 3"),
    "style-unknown-word": ('\n[options."headings/normalise"]\n\nstyle = "fancy"\n',
                           r"bad\.toml:4: rule 'headings/normalise': option 'style' must be one of .* not 'fancy'"),
    "unknown-option": ('[options."headings/normalise"]\nstyle = "plain"\ncolour = "red"\n',
                       r"bad\.toml:3: rule 'headings/normalise': unknown option\(s\) colour \(known: style\)"),
    "add-unknown-anchor": ('[pack]\nadd = [{ rule = "encoding/uncurl-quotes", after = "encoding/no-such" }]\n',
                           r"bad\.toml:2: rule 'encoding/uncurl-quotes': in \[pack\] add: cannot place it after 'encoding/no-such'"),
    "add-typo-key": ('[pack]\nadd = [{ rule = "encoding/uncurl-quotes", aftr = "unicode/nfc" }]\n',
                     r"bad\.toml:2: unknown key 'aftr' in \[pack\] add; did you mean 'after'\?"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_packs_exit_2_before_any_output_with_file_line_and_rule(tmp_path, case):
    body, expected = BAD[case]
    bad = write(tmp_path, "bad.toml", body)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(corpus(tmp_path)), str(out), "--pack", str(bad)])
    assert result.exit_code == 2, result.output
    assert re.search(expected, flat(result.output)), result.output
    assert not out.exists()


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_packs_are_refused_by_load_pack_too(tmp_path, case):
    body, expected = BAD[case]
    with pytest.raises(PackError, match=expected):
        load_pack([write(tmp_path, "bad.toml", body)])


def test_a_rule_error_is_not_prefixed_twice(tmp_path):
    bad = write(tmp_path, "bad.toml", MASTODON.replace('where = "tail"', 'where = "tail"\nsummary = " "').replace(
        "summary = \"Remove 'Follow us on Mastodon'\"\n", ""))
    with pytest.raises(PackError) as caught:
        load_pack([bad])
    message = str(caught.value)
    assert message.count("residue/follow-on-mastodon") == 1, message
    assert "summary is required" in message


def test_pack_options_reach_the_cli_run_and_the_manifest_records_them(tmp_path):
    """[options."headings/normalise"] style = "plain" in a --pack file wins over the
    command line's default (it was ignored: --headings markdown always won)."""
    text = "Deal signed in Moscow\n\n" + BODY + "\nWhat comes next\n\n" + BODY.replace("Friday", "Monday")
    plain = write(tmp_path, "plain.toml", '[options."headings/normalise"]\nstyle = "plain"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(corpus(tmp_path, text)), str(out), "--pack", str(plain), "-q"])
    assert result.exit_code == 0, result.output
    cleaned = (out / "a.txt").read_text(encoding="utf-8")
    assert "# " not in cleaned and "Deal signed in Moscow" in cleaned
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["pack"]["options"]["headings/normalise"] == {"style": "plain"}
    again = tmp_path / "again"
    given = CliRunner().invoke(app, ["run", str(tmp_path / "in"), str(again), "--pack", str(plain), "--headings", "markdown", "-q"])
    assert given.exit_code == 0, given.output
    assert (again / "a.txt").read_text(encoding="utf-8").startswith("# Deal signed in Moscow")
    assert json.loads((again / "manifest.json").read_text())["pack"]["options"]["headings/normalise"] == {"style": "markdown"}


def test_add_places_rules_without_rewriting_the_steps(tmp_path):
    default = [r.id for r in load_pack().rules]
    pack = write(tmp_path, "add.toml", """
        [pack]
        add = ["encoding/uncurl-quotes", { rule = "encoding/fold-widths", before = "unicode/nfc" }, "page/main-text"]
    """)
    ids = [r.id for r in load_pack([pack]).rules]
    assert [i for i in ids if i in default] == default  # nothing else moved
    assert ids.index("encoding/uncurl-quotes") == ids.index("encoding/fix-mojibake") + 1  # the rule's own anchor
    assert ids.index("encoding/fold-widths") == ids.index("unicode/nfc") - 1
    assert ids.index("page/main-text") == ids.index("sentences/split-glued") + 1
    assert load_pack([pack]).clean("“Quoted,” she said, and the talks went on into the night.\n").text.startswith('"Quoted,"')


def test_enable_and_disable_apply_after_the_packs():
    ids = [r.id for r in load_pack(enable=["encoding/uncurl-quotes"], disable=["residue/*", "meta/title"]).rules]
    assert "encoding/uncurl-quotes" in ids
    assert not any(i.startswith("residue/") for i in ids) and "meta/title" not in ids
    with pytest.raises(PackError, match=r"--enable encoding/no-such: unknown rule id"):
        load_pack(enable=["encoding/no-such"])
    with pytest.raises(PackError, match=r"--disable residue/zzz\*: no rule matches"):
        load_pack(disable=["residue/zzz*"])


def test_a_shadowed_user_rule_is_warned_about_and_precedence_is_order(tmp_path):
    mastodon = write(tmp_path, "mastodon.toml", MASTODON)
    with pytest.warns(PackWarning, match=r"'residue/follow-on-mastodon' .* never removes 'Follow us on Mastodon': "
                                         r"'residue/follow-us' comes earlier"):
        pipeline = load_pack([mastodon])
    assert pipeline.warnings
    steps = pipeline.clean(BODY + "\nFollow us on Mastodon\n").steps
    assert [s.rule for s in steps if s.action == "removed"] == ["residue/follow-us"]
    placed = write(tmp_path, "placed.toml", MASTODON + '\n[pack]\nadd = [{ rule = "residue/follow-on-mastodon", before = "residue/follow-us" }]\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error", PackWarning)  # placed first, it wins: no warning
        ahead = load_pack([placed])
    steps = ahead.clean(BODY + "\nFollow us on Mastodon\n").steps
    assert [s.rule for s in steps if s.action == "removed"] == ["residue/follow-on-mastodon"]


def test_the_cli_shows_pack_warnings_once_on_stderr(tmp_path):
    mastodon = write(tmp_path, "mastodon.toml", MASTODON)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(corpus(tmp_path)), str(out), "--pack", str(mastodon), "-q"])
    assert result.exit_code == 0, result.output
    assert flat(result.output).count("never removes 'Follow us on Mastodon'") == 1, result.output


def test_an_out_holding_another_run_is_refused_naming_what_differs(tmp_path):
    src = corpus(tmp_path)
    out = tmp_path / "out"
    first = CliRunner().invoke(app, ["run", str(src), str(out), "-q"])
    assert first.exit_code == 0, first.output
    other = CliRunner().invoke(app, ["run", str(src), str(out), "-q", "--no-html-metadata", "--disable", "meta/title"])
    assert other.exit_code == 2, other.output
    said = flat(other.output)
    assert "option html_metadata: true -> false" in said, said
    assert "steps: removed meta/title" in said, said
    plain = write(tmp_path, "plain.toml", '[options."headings/normalise"]\nstyle = "plain"\n')
    third = CliRunner().invoke(app, ["run", str(src), str(out), "-q", "--pack", str(plain)])
    assert third.exit_code == 2
    assert 'options of headings/normalise: {"style": "markdown"} -> {"style": "plain"}' in flat(third.output), third.output


def test_options_given_by_the_caller_name_real_rules_and_options():
    with pytest.raises(PackError, match=r"options for rule 'headings/normalize': unknown rule id .*did you mean 'headings/normalise'"):
        load_pack(options={"headings/normalize": {"style": "plain"}})
    with pytest.raises(PackError, match=r"option 'bogus' given for rule 'encoding/uncurl-quotes': unknown option"):
        load_pack(options={"encoding/uncurl-quotes": {"bogus": 1}})
    with pytest.raises(PackError, match=r"\[pack\] name must be a string"):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            load_pack([write(Path(folder), "p.toml", "[pack]\nname = 3\n")])
