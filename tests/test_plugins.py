"""Plugins are first-class (issue 13, items 3 and 4): a package with a
``cleaner.rules`` entry point, built here as a real distribution on a temporary
path, is listed and shown, its examples and options are checked, it joins no pack
by itself, a broken one is a warning naming it, and a change of its code makes
resuming a run refuse."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.loading.pack import PackError, PackWarning, load_pack

BODY = "The minister signed the agreement in Moscow on Friday, officials said.\n"

PLUGIN = '''
from typing import Literal

from cleaner import Example, line_rule, rule


@line_rule("residue/visit-our-shop", "Remove 'Visit our shop' at the end", where="tail",
           examples=[Example("The minister signed the agreement in Moscow on Friday, officials said.\\n\\nVisit our shop\\n",
                             "The minister signed the agreement in Moscow on Friday, officials said.\\n\\n"),
                     Example("Visit our shop, the minister told farmers at the market on Friday morning.\\n")])
def visit_our_shop(line, ctx):
    return line.strip().lower() == "visit our shop"


@rule("shout/upper", "Upper-case the text (test plugin)", examples=[Example("a", "A"), Example("B")])
def upper(text: str, *, level: Literal["all", "none"] = "all") -> str:
    """Upper-cases everything ({marker})."""
    return text.upper() if level == "all" else text
'''

_numbers = itertools.count()


def make_plugin(site: Path, code: str = PLUGIN, version: str = "0.1", marker: str = "v1") -> str:
    """A distribution ``shop-rules-N`` with module ``shop_rules_N`` on ``site``;
    returns the distribution name. Each call makes a new module name, so no test
    sees another's module in ``sys.modules``."""
    n = next(_numbers)
    module, dist = f"shop_rules_{os.getpid()}_{n}", f"shop-rules-{n}"
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(code).replace("{marker}", marker), encoding="utf-8")
    info = site / f"{module}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[cleaner.rules]\nshop = {module}\n", encoding="utf-8")
    return dist


@pytest.fixture()
def site(tmp_path, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_an_installed_plugin_changes_no_pack_by_itself(site):
    before = load_pack()
    make_plugin(site)
    after = load_pack()
    assert after.sha256 == before.sha256  # 'residue/visit-our-shop' would match the default's residue/*
    assert [r.id for r in after.rules] == [r.id for r in before.rules]


def test_a_pack_opts_in_by_id_and_the_plugin_is_in_the_hash_and_manifest(site, tmp_path):
    dist = make_plugin(site)
    pack = tmp_path / "shop.toml"
    pack.write_text('[pack]\nadd = ["residue/visit-our-shop"]\n', encoding="utf-8")
    pipeline = load_pack([pack])
    assert "residue/visit-our-shop" in [r.id for r in pipeline.rules]
    impl = pipeline.implementations["residue/visit-our-shop"]
    assert (impl.kind, impl.distribution, impl.version) == ("plugin", dist, "0.1") and len(impl.code_sha256) == 64
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(BODY + "\nVisit our shop\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "--pack", str(pack), "-q", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert (out / "a.txt").read_text(encoding="utf-8") == BODY
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["versions"][dist] == "0.1"
    assert manifest["pack"]["plugins"][dist]["rules"] == ["residue/visit-our-shop"]


def test_a_plugin_rule_whose_example_fails_is_refused_with_its_distribution(site, tmp_path):
    dist = make_plugin(site, PLUGIN.replace('return text.upper() if level == "all" else text', "return text"))
    with pytest.warns(PackWarning, match=rf"plugin {dist} .*rule 'shout/upper': example fails"):
        pipeline = load_pack()
    assert any(dist in w for w in pipeline.warnings)
    pack = tmp_path / "p.toml"
    pack.write_text('[pack]\nadd = ["shout/upper"]\n', encoding="utf-8")
    with pytest.raises(PackError, match=r"p\.toml:2: rule 'shout/upper': in \[pack\] add: unknown rule id"):
        load_pack([pack])
    # the plugin's other rule, whose examples hold, is still there
    pack.write_text('[pack]\nadd = ["residue/visit-our-shop"]\n', encoding="utf-8")
    with pytest.warns(PackWarning):
        assert "residue/visit-our-shop" in [r.id for r in load_pack([pack]).rules]


def test_a_plugin_that_fails_to_import_is_a_warning_not_a_crash(site, tmp_path):
    dist = make_plugin(site, "raise ImportError('this plugin needs numpy 9')\n")
    with pytest.warns(PackWarning, match=rf"plugin {dist} .*failed to load: ImportError: this plugin needs numpy 9"):
        pipeline = load_pack()
    assert pipeline.clean(BODY).text == BODY
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(BODY, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(src), str(tmp_path / "out"), "-q", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert f"plugin {dist}" in result.output and "failed to load" in result.output


def test_a_plugin_rules_options_are_checked_when_the_pack_loads(site, tmp_path):
    make_plugin(site)
    pack = tmp_path / "p.toml"
    pack.write_text('[pack]\nadd = ["shout/upper"]\n\n[options."shout/upper"]\nlevel = 3\n', encoding="utf-8")
    with pytest.raises(PackError, match=r"p\.toml:5: rule 'shout/upper': option 'level' must be one of 'all', 'none', not 3"):
        load_pack([pack])
    pack.write_text('[pack]\nadd = ["shout/upper"]\n\n[options."shout/upper"]\nlevel = "none"\n', encoding="utf-8")
    assert load_pack([pack]).clean("quiet text here.\n").text == "quiet text here.\n"


def _cli(args: list[str], site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-c", "from cleaner.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=180)


def test_a_change_of_plugin_code_makes_resume_refuse_and_says_what_changed(tmp_path):
    site = tmp_path / "site"
    dist = make_plugin(site, marker="v1")
    pack = tmp_path / "p.toml"
    pack.write_text('[pack]\nadd = ["shout/upper"]\n', encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(BODY, encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(src), str(out), "--pack", str(pack), "--jobs", "1"]
    first = _cli(args, site)
    assert first.returncode == 0, first.stderr
    module = next(site.glob("shop_rules_*.py"))
    module.write_text(module.read_text(encoding="utf-8").replace("(v1)", "(v2)"), encoding="utf-8")
    again = _cli(args, site)
    assert again.returncode == 2, again.stdout + again.stderr
    said = " ".join(again.stderr.split())
    assert f"plugin {dist}: 0.1 (code" in said and "already holds this run" not in again.stdout, said
    forced = _cli([*args, "--overwrite", "-q"], site)
    assert forced.returncode == 0, forced.stderr


SKELETON = Path(__file__).resolve().parent.parent / "docs" / "plugin-skeleton"


def test_the_documented_plugin_skeleton_installs_and_its_tests_pass(tmp_path):
    """README's plugin skeleton, installed the way a user installs it (pip builds
    and installs the package), is discovered through its entry point and passes
    its own tests."""
    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(SKELETON)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(SKELETON / "tests")],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    shown = _cli(["rules", "show", "residue/example-shop-footer"], site)
    assert shown.returncode == 0 and "cleaner-example-rules" in shown.stdout, shown.stdout + shown.stderr
    listed = _cli(["rules", "--json"], site)
    assert listed.returncode == 0, listed.stderr
    found = {r["id"]: r for r in json.loads(listed.stdout)["rules"]}
    assert found["residue/example-shop-footer"]["in_pack"] is False  # opt-in: listed, not run
    assert "cleaner-example-rules" in json.dumps(found["residue/example-shop-footer"])
    plain = _cli(["rules"], site)
    assert any(line.startswith("example/shout-headings") and "opt-in" in line for line in plain.stdout.splitlines())


def test_the_code_hash_covers_every_module_the_distribution_installed(tmp_path, site):
    """A rule that reads a helper module of its package: changing the helper must
    change the pack's hash (RECORD lists the distribution's files)."""
    from cleaner.loading.registry import discover_plugins

    dist = make_plugin(site, PLUGIN.replace("from typing import Literal", "from typing import Literal\nimport shop_helper"))
    (site / "shop_helper.py").write_text("MARK = '!!!'\n", encoding="utf-8")
    info = next(site.glob("*.dist-info"))
    module = next(site.glob("shop_rules_*.py")).name
    (info / "RECORD").write_text(f"{module},,\nshop_helper.py,,\n{info.name}/METADATA,,\n", encoding="utf-8")

    def code() -> str:
        return next(p.implementation.code_sha256 for p in discover_plugins()[0] if p.implementation.distribution == dist)

    before = code()
    (site / "shop_helper.py").write_text("MARK = '???'\n", encoding="utf-8")
    assert code() != before
