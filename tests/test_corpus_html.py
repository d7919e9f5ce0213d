"""HTML pages in a corpus run: the site template is counted on the whole page, whose
template the main-text extractor has already dropped."""

from __future__ import annotations

import json
import re

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


def shop_page(n: int, rng) -> str:
    """A shop's collection page whose intro is an <article> and whose products are a
    list of links beside it: trafilatura keeps the intro only."""
    nav = "<nav><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in MENU) + "</ul></nav>"
    foot = "<footer><ul>" + "".join(f"<li>{w}</li>" for w in FOOTER) + "</ul></footer>"
    woods = "alder birch cedar dogwood elm fir hazel larch maple oak pine rowan spruce willow yew ash".split()
    kind = ("pack", "tent", "boot", "jacket")[n % 4]
    grid = "".join(f"<li><a href='/p/{n}/{i}'>{rng.choice(woods).title()} {rng.choice(woods)} {rng.randint(10, 90)} "
                   f"litre {kind}</a> <a href='/buy/{n}/{i}'>${rng.randint(20, 300)}.95</a></li>" for i in range(12))
    return (f"<html><head><title>{kind}s</title></head><body>{nav}<main><article><h1>{kind.title()}s for the season</h1>"
            f"<p>Our {kind}s for season {n}, light and tough, chosen by our staff for long days on the trail.</p>"
            f"</article><div class='grid'><ul>{grid}</ul></div></main>{foot}</body></html>")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_summary_says_the_characters_were_extracted_and_what_the_page_texts_added(tmp_path):
    """On HTML the characters the rules get are the extractor's text; with --pack
    corpus a page whose extractor kept little gets its own text instead, so more
    comes out than went in. The summary says so, with parts that add up to the
    output, instead of "-1,608 removed (-358.9%)"."""
    import random

    rng = random.Random(1)
    site = tmp_path / "in" / "shop.example"
    site.mkdir(parents=True)
    for n in range(4):
        (site / f"p{n}.html").write_text(shop_page(n, rng), encoding="utf-8")
    for packs in ((), ("--pack", "corpus")):
        out = tmp_path / f"out{len(packs)}"
        result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), str(out), "-j", "1", *packs])
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        said = result.stdout.replace("\n  ", "  ")
        assert " removed (-" not in said
        found = re.search(r"characters: ([\d,]+) extracted from 4 HTML pages by trafilatura → ([\d,]+) out "
                          r"\(([+-]\d+\.\d)%\)", said)
        assert found, said
        chars_in, chars_out = _number(found.group(1)), _number(found.group(2))
        assert (chars_in, chars_out) == (manifest["chars_in"], manifest["chars_out"])
        assert float(found.group(3)) == round(100 * (chars_out - chars_in) / chars_in, 1)
        replaced = re.search(r"corpus/site-template replaced trafilatura's text of 4 pages with the page's own text: "
                             r"\+([\d,]+)", said)
        assert bool(replaced) == bool(packs), said
        removed = re.search(r"rules removed ([\d,]+|nothing)", said).group(1)
        added = re.search(r"; added ([\d,]+) \(", said)
        parts = (_number(replaced.group(1)) if replaced else 0) + (_number(added.group(1)) if added else 0)
        assert chars_in + parts - (0 if removed == "nothing" else _number(removed)) == chars_out
        if packs:
            assert chars_out > 2 * chars_in  # the products are back, the template is not
            assert "Privacy policy" not in (out / "shop.example" / "p1.txt").read_text(encoding="utf-8")
            assert manifest["characters"]["replaced_texts"]["corpus/site-template"] == {
                "documents": 4, "chars": _number(replaced.group(1))}


def test_a_mixed_corpus_says_what_was_read_and_what_extracted_and_where_the_rest_went(tmp_path):
    """Text read, text extracted from HTML, a dropped and a failed document: each
    part is named, and they add up to the output."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"{STORIES[0]}\n\nShare this:\n", encoding="utf-8")
    (src / "b.html").write_text(page(1), encoding="utf-8")
    (src / "c.jsonl").write_text(json.dumps({"text": STORIES[2]}) + "\n" + json.dumps({"text": "Share this:"})
                                 + "\n" + json.dumps({"text": "x" * 2_000_000}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert result.exit_code == 1, result.output  # the 2 MB line fails
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    said = result.stdout.replace("\n  ", "  ")
    found = re.search(r"characters: ([\d,]+) read and ([\d,]+) extracted from 1 HTML page by trafilatura → ([\d,]+) out "
                      r"\(-\d+\.\d%\)  rules removed ([\d,]+) \(\d+\.\d%\); added ([\d,]+) \([^)]+\); "
                      r"1 dropped document held ([\d,]+); 1 failed document held ([\d,]+)", said)
    assert found, said
    read, extracted, chars_out, removed, added, dropped, failed = map(_number, found.groups())
    assert read + extracted == manifest["chars_in"] and chars_out == manifest["chars_out"]
    assert failed == 2_000_000 and dropped == len("Share this:")
    assert read + extracted - removed + added - dropped - failed == chars_out
