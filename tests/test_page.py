"""Page-dump mode: `page/main-text` keeps the article of a whole-page dump."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.loading.pack import PackError, load_pack, packs_dir
from cleaner.rules.page import blocks, boilerplate_lines, page_language

PAGES = Path(__file__).parent / "pages"
runner = CliRunner()


def f1(output: str, gold: str) -> float:
    """Bag-of-words F1, the benchmark's metric."""
    out, ref = Counter(output.split()), Counter(gold.split())
    overlap = sum((out & ref).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(out.values()), overlap / sum(ref.values())
    return 2 * p * r / (p + r)


@pytest.fixture(scope="module")
def page_dump():
    return load_pack(["page-dump"], options={"headings/normalise": {"style": "plain"}})


@pytest.mark.parametrize("stem", ["scrapinghub-432362", "readability-folha", "readability-youth"])
def test_real_pages_come_out_close_to_their_gold_text(page_dump, stem):
    page = (PAGES / f"{stem}.page.txt").read_text(encoding="utf-8")
    gold = (PAGES / f"{stem}.gold.txt").read_text(encoding="utf-8")
    cleaned = page_dump.clean(page).text
    assert f1(page, gold) < 0.5  # the dump is mostly not article
    assert f1(cleaned, gold) > 0.9
    assert page_dump.clean(cleaned).text == cleaned  # cleaning the result changes nothing


def test_every_removed_line_says_why(page_dump):
    page = (PAGES / "scrapinghub-432362.page.txt").read_text(encoding="utf-8")
    steps = [s for s in page_dump.clean(page).steps if s.rule == "page/main-text"]
    assert steps
    places = ("before the main text (", "after the main text (", "between parts of the main text (", "comments, from")
    assert all(s.why and s.why.startswith(places) for s in steps)
    assert all(s.to_dict()["why"] == s.why for s in steps)


def test_the_default_pack_does_not_judge_pages():
    page = (PAGES / "scrapinghub-432362.page.txt").read_text(encoding="utf-8")
    steps = load_pack().clean(page).steps
    assert not any(s.rule == "page/main-text" for s in steps)


def test_page_dump_steps_are_the_default_steps_plus_the_main_text_rule():
    default = tomllib.loads((packs_dir() / "default.toml").read_text(encoding="utf-8"))["pack"]["steps"]
    page = tomllib.loads((packs_dir() / "page-dump.toml").read_text(encoding="utf-8"))["pack"]["steps"]
    assert [s for s in page if s != "page/main-text"] == default
    assert page.index("page/main-text") == page.index("sentences/split-glued") + 1


def test_a_built_in_pack_is_named_and_an_unknown_name_lists_them():
    assert any(r.id == "page/main-text" for r in load_pack(["page-dump"]).rules)
    with pytest.raises(PackError, match="page-dump"):
        load_pack(["page-dumps"])


def test_hard_wrapped_paragraphs_are_one_block():
    lines = (
        "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod",
        "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam,",
        "quis nostrud exercitation.",
        "Links",
        "A headline of some length that does not end with a full stop",
        "Another headline",
    )
    found = blocks(lines)
    assert [b.lines for b in found] == [(0, 1, 2), (3,), (4,), (5,)]


def test_a_page_without_prose_is_left_whole():
    lines = ("Ingredients", "2 eggs", "1 cup flour", "Method", "Mix and bake for 20 minutes")
    assert boilerplate_lines(lines) == {}


def test_comment_sections_end_the_main_text_but_a_heading_named_response_does_not():
    article = [
        "The council approved the new budget on Tuesday after a long debate about the costs.",
        "Members said that the repairs had been delayed for years and that work would start soon.",
    ]
    with_comments = (*article, "34 responses to “Budget approved”", "jane says:", "I think this is a very good idea for all of the town and its people.")
    gone = boilerplate_lines(with_comments)
    assert sorted(gone) == [2, 3, 4] and gone[4].startswith("comments, from “34 responses")
    with_heading = (*article, "Response", "The mayor said that she was glad the council had finally agreed on the plan.")
    assert boilerplate_lines(with_heading) == {}


def test_an_opener_under_every_post_of_a_thread_opens_no_comment_section():
    question = "Why is catching every exception a bad idea? What makes it bad, and is there a better way to write it?"
    answers = [
        "As you guessed, there are two sides to it: you catch errors you never meant to and hide them from the reader.",
        "The short answer is that you should catch only the errors that you know how to handle at that point in the code.",
    ]
    thread = (question, "Add a comment", answers[0], "Add a comment", answers[1], "Add a comment")
    assert sorted(boilerplate_lines(thread)) == [5]  # the answers are the page (the last link trails it)
    once = (question, "Add a comment", answers[0])
    assert sorted(boilerplate_lines(once)) == [1, 2]  # one opener after the text: a comment section


def test_a_comment_count_in_the_post_header_and_above_the_comments_is_one_section():
    article = (
        "The council approved the new budget on Tuesday after a long debate about the costs.",
        "Members said that the repairs had been delayed for years and that work would start soon.",
    )
    page = ("3 Comments", *article, "3 Comments", "I think this is a very good idea for all of the town and its people.")
    assert sorted(boilerplate_lines(page)) == [0, 3, 4]  # the header count goes as before the text; the comments go


def test_with_the_corpus_pack_a_page_of_a_site_with_a_known_template_keeps_its_lists(tmp_path):
    menu = "Home\nShop\nNews\nAbout us\n"
    footer = "Contact\nPrivacy policy\nTerms of use\n"
    site = tmp_path / "in" / "shop.example"
    site.mkdir(parents=True)
    for n in range(3):
        (site / f"p{n}.txt").write_text(
            f"{menu}Trail shoe number {n} is light and grips well on wet rock, and it dries fast after a river crossing.\n"
            f"Weight\n{250 + n} g\nDrop\n{n + 4} mm\nUpper\nRecycled mesh number {n}\n{footer}",
            encoding="utf-8")
    page = (site / "p0.txt").read_text(encoding="utf-8")
    alone = load_pack(["page-dump"]).clean(page).text
    assert "250 g" not in alone  # alone, the page-dump rule keeps only the prose line
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(tmp_path / "in"), str(out), "--pack", "page-dump", "--pack", "corpus", "-q"])
    assert result.exit_code == 0, result.output
    text = next(out.rglob("p0.txt")).read_text(encoding="utf-8")
    assert "250 g" in text and "Recycled mesh number 0" in text  # the specs are the page's own
    assert "Privacy policy" not in text and "About us" not in text  # the template is gone


def test_the_page_language_picks_the_stoplist():
    assert page_language("o que é que a gente faz com isso e com os outros".split()) == "Portuguese"
    assert page_language("der die das und ist nicht mit dem".split()) == "German"


def test_explain_and_run_report_the_reason(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    page = (PAGES / "scrapinghub-432362.page.txt").read_text(encoding="utf-8")
    (src / "page.txt").write_text(page, encoding="utf-8")
    explained = runner.invoke(app, ["explain", str(src / "page.txt"), "--pack", "page-dump", "--no-text"])
    assert explained.exit_code == 0, explained.output
    assert "page/main-text" in explained.output and "before the main text" in explained.output
    result = runner.invoke(app, ["run", str(src), str(tmp_path / "out"), "--pack", "page-dump", "-j", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "provenance.jsonl").read_text(encoding="utf-8").splitlines()[0])
    whys = [s.get("why", "") for s in record["steps"] if s["rule"] == "page/main-text"]
    assert whys and all(whys)
