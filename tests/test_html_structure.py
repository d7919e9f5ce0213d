"""The HTML path keeps a page's structure: blank lines separate its blocks (paragraphs,
headings, tables, lists, code), and the lines inside one block stay together, so a
table keeps its rows, a list its items and ``<pre>`` its lines and indentation
(issue 21, item 2), whichever extractor ran."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.io import resiliparse_html
from cleaner.io.html import extract_main_text

needs_resiliparse = pytest.mark.skipif(not resiliparse_html.available(), reason="pip install 'cleaner[resiliparse]'")
EXTRACTORS = ["trafilatura", pytest.param("resiliparse", marks=needs_resiliparse)]

BEFORE = ("The town has a mild climate with warm summers and cool winters, and rainfall spread through the "
          "year, as the table below shows for each month of a typical year.")
AFTER = ("Records have been kept since 1901 at the station near the river, which moved twice during the "
         "last century but stayed within the town.")
MONTHS = [("January", "5", "-2"), ("February", "7", "-1"), ("March", "11", "2")]
ITEMS = ["The first thermometer was read by hand twice a day by the station's keeper until 1950.",
         "An automatic logger replaced the keeper's readings in 1987, after a long trial of both.",
         "The logger's readings have been sent to the national office every hour since 2004."]
CODE = ["server:", "  port: 8080", "  name: station"]


def page(body: str) -> str:
    return (f"<html><head><title>Station notes</title></head><body><main><article>"
            f"<h1>Monthly climate of the town</h1>{body}</article></main></body></html>")


def table_page() -> str:
    rows = "".join(f"<tr><td>{m}</td><td>{hi}</td><td>{lo}</td></tr>" for m, hi, lo in MONTHS)
    return page(f"<p>{BEFORE}</p>\n<table><tr><th>Month</th><th>High</th><th>Low</th></tr>\n{rows}</table>\n"
                f"<p>{AFTER}</p>")


def list_and_code_page() -> str:
    items = "".join(f"<li>{item}</li>\n" for item in ITEMS)
    code = "\n".join(CODE)
    return page(f"<p>{BEFORE}</p>\n<ol>{items}</ol>\n<p>{AFTER}</p>\n<pre>{code}</pre>\n"
                f"<p>Further paragraphs follow about the history of the station and its staff over the years.</p>")


def blocks(text: str) -> list[list[str]]:
    """The text's blocks (split at blank lines), each as its lines."""
    return [block.split("\n") for block in text.strip("\n").split("\n\n")]


def the_block_holding(text: str, words: str) -> list[str]:
    found = [block for block in blocks(text) if any(words in line for line in block)]
    assert len(found) == 1, (words, text)
    return found[0]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_a_table_between_two_paragraphs_keeps_its_rows_together_from_the_command_line(tmp_path, extractor):
    html = tmp_path / "climate.html"
    html.write_text(table_page(), encoding="utf-8")
    result = CliRunner().invoke(app, ["clean", str(html), "--extractor", extractor])
    assert result.exit_code == 0, result.output
    text = result.stdout
    table = the_block_holding(text, "January")
    assert len(table) >= len(MONTHS) + 1  # the head row and every month, one row a line, no blank line between
    for month, high, low in MONTHS:
        row = next(line for line in table if month in line)
        assert row.replace("|", " ").split() == [month, high, low]  # its cells in order, on one line
    # the paragraphs around it stay paragraphs of their own
    assert the_block_holding(text, "mild climate") == [BEFORE]
    assert the_block_holding(text, "Records have been kept") == [AFTER]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_a_lists_items_stay_one_block_between_paragraphs(extractor):
    text, _ = extract_main_text(list_and_code_page(), extractor=extractor)
    listed = the_block_holding(text, "first thermometer")
    assert [line.lstrip("-* ") for line in listed] == ITEMS
    assert the_block_holding(text, "mild climate") == [BEFORE]
    assert the_block_holding(text, "Records have been kept") == [AFTER]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_pre_keeps_its_lines_and_their_indentation(extractor):
    text, _ = extract_main_text(list_and_code_page(), extractor=extractor)
    assert the_block_holding(text, "port: 8080") == CODE


def test_resiliparse_blocks_lose_the_indentation_all_their_lines_share_and_keep_the_rest():
    laid_out = "Intro line\n \n\n  first item\n  second item\n    nested item\n\t\n\n    def f():\n        return 1\n"
    assert resiliparse_html.text_blocks(laid_out) == [
        "Intro line", "first item\nsecond item\n  nested item", "def f():\n    return 1"]
