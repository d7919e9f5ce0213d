"""The plugin's own tests: its examples hold, and a pack that names its rules uses them."""

from pathlib import Path

from cleaner import load_pack
from cleaner.registry import failing_example

from cleaner_example_rules.rules import example_shop_footer, shout_headings


def test_examples_hold():
    for r in (example_shop_footer, shout_headings):
        assert failing_example(r) is None


def test_a_pack_opts_in(tmp_path: Path):
    pack = tmp_path / "shop.toml"
    pack.write_text('[pack]\nadd = ["residue/example-shop-footer", "example/shout-headings"]\n', encoding="utf-8")
    pipeline = load_pack([pack])
    text = "# Budget approved\n\nThe council approved the new budget on Tuesday after a long debate.\n\nVisit the Example shop\n"
    assert pipeline(text) == "# BUDGET APPROVED\n\nThe council approved the new budget on Tuesday after a long debate.\n"
