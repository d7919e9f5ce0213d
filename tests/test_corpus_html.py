"""HTML pages in a corpus run: the site template is counted on the whole page, whose
template the main-text extractor has already dropped."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cleaner.cli import app

MENU = ("Home", "Tents", "Packs", "Boots", "Deals", "Stores")
FOOTER = ("Contact us", "Privacy policy", "Terms of use", "Careers")
STORIES = (
    "The river trail reopened on Monday after crews cleared the fallen trees and rebuilt the old footbridge.",
    "Our guide to packing for a wet weekend starts with the tent and ends with a dry pair of socks for camp.",
    "Volunteers counted more than two hundred birds at the lake this spring, the highest number in ten years.",
    "A new hut on the northern ridge gives hikers a place to shelter from storms on the long climb to the pass.",
)


def page(n: int) -> str:
    nav = "<nav><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in MENU) + "</ul></nav>"
    foot = "<footer><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in FOOTER) + "</ul></footer>"
    body = "".join(f"<p>{STORIES[(n + i) % 4]} (Part {n}.{i}.)</p>" for i in range(3))
    return f"<html><head><title>Story {n}</title></head><body>{nav}<main><h1>Story {n}</h1>{body}</main>{foot}</body></html>"


def test_the_template_of_html_pages_is_counted_on_the_whole_page(tmp_path):
    site = tmp_path / "in" / "trails.example"
    site.mkdir(parents=True)
    for n in range(4):
        (site / f"story{n}.html").write_text(page(n), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), str(out), "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["corpus"]["corpus/site-template"]
    (found,) = report["largest"]
    # the menu and the footer are on every page, though trafilatura's text has neither
    assert found["site"] == "trails.example" and found["pages"] == 4
    assert found["recurring_lines"] >= len(MENU) + len(FOOTER)
