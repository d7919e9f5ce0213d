"""Code keeps its indentation (issue 21, item 1): the whitespace rules leave
fenced blocks and code recognised by its shape alone, and still flatten the
indentation scraping leaves on prose."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cleaner import default_pipeline
from cleaner.cli import app
from cleaner.core.code_blocks import code_lines
from cleaner.rules.headings import find_headings, normalise_headings
from cleaner.rules.whitespace import collapse_inline_runs, strip_indent

YAML_REPRO = (
    "Here is the config you need for the deployment of the service.\n\n"
    "```yaml\nserver:\n  port: 8080\n```\n"
)

CODE = {
    "fenced yaml": "```yaml\nserver:\n  port: 8080\n  hosts:\n    - a.example.org\n```",
    "tilde fence": "~~~\n    indented\n        deeper\n~~~",
    "yaml by shape": "database:\n  host: localhost\n  port: 5432\n  options:\n    sslmode: require",
    "python by shape": "def total(rows):\n    result = 0\n    for row in rows:\n        result += row\n    return result",
    "javascript by shape": "function start(port) {\n  server.listen(port);\n  log('started');\n}",
    "json by shape": '{\n  "name": "cleaner",\n  "tags": [\n    "nlp",\n    "corpus"\n  ]\n}',
    "html by shape": "<ul>\n  <li>one</li>\n  <li>two</li>\n</ul>",
}

PROSE = {
    "html nesting": "   Home\n      About us\n   Contact",
    "menu under a label": "Menu:\n    Home\n    About us\n    Contact",
    "indented paragraph": "The minister said:\n    the talks were long but friendly, and more meetings will follow.",
    "verse-like": "The rain fell all night,\n    and the river rose,\n    and nobody slept.",
}


@pytest.mark.parametrize("name", CODE)
def test_code_keeps_its_indentation(name):
    text = f"The example below shows how it is done in practice.\n\n{CODE[name]}\n\nThat is all there is to it.\n"
    assert strip_indent(text) == text


@pytest.mark.parametrize("name", PROSE)
def test_indentation_on_prose_still_goes(name):
    text = PROSE[name] + "\n"
    assert strip_indent(text) == "\n".join(line.lstrip() for line in text.split("\n"))


def test_a_python_body_split_by_a_blank_line_stays_code():
    text = "def main():\n    rows = load()\n\n    return total(rows)\n"
    assert code_lines(text.split("\n"))[:4] == [True, True, False, True]  # the blank line is no code
    assert strip_indent(text) == text


def test_indentation_outside_the_code_block_still_goes():
    text = "   Home\n   News\n\n```\n  kept\n```\n\n   Contact\n"
    assert strip_indent(text) == "Home\nNews\n\n```\n  kept\n```\n\nContact\n"


def test_aligned_columns_in_code_are_not_collapsed():
    code = "```\nname    = 'cleaner'   # the package\nversion = '1.0'\n```"
    text = f"Write this file.\n\n{code}\n\nThen  the   spaces  go here.\n"
    assert collapse_inline_runs(text) == f"Write this file.\n\n{code}\n\nThen the spaces go here.\n"


def test_default_pack_keeps_code_and_cleaning_twice_changes_nothing():
    text = (
        "Save this as check.py and run it before every release.\n\n"
        "def check(rows):\n    for row in rows:\n        if not row:\n            return False\n    return True\n\n"
        "It prints nothing when all is well.\n"
    )
    pipeline = default_pipeline()
    once = pipeline.clean(text).text
    assert "    for row in rows:\n        if not row:\n            return False" in once
    assert pipeline.clean(once).text == once


def test_a_python_comment_in_code_is_not_taken_for_a_heading():
    code = (
        "def blogs():\n    # Hits the database.\n    entries = Entry.objects.all()\n"
        "# Doesn't hit the database.\nfor entry in entries:\n    print(entry.blog)\n"
    )
    text = f"Run the query like this, and look at how often it reaches the database.\n\n{code}"
    assert find_headings(text.split("\n")) == []
    assert normalise_headings.fn(text, style="plain") == text  # plain style would drop the "# "


def test_glued_sentences_are_not_split_inside_code():
    code = "```python\nclass Client:\n    def __init__(self):\n        self.Session = requests.Session()\n```"
    text = f"Create the client once, before the first request is sent.\n\n{code}\n\nIt was done.The next step follows.\n"
    out = default_pipeline().clean(text).text
    assert code in out
    assert "It was done. The next step follows." in out  # prose is still repaired


def test_cli_clean_keeps_the_yaml_indentation():
    result = CliRunner().invoke(app, ["clean", "-"], input=YAML_REPRO, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "\nserver:\n  port: 8080\n```" in result.output


# --- generated text: the rules stay idempotent and settled ----------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cleaner.rules.whitespace import fold_blank_line_runs  # noqa: E402

_PIECES = [
    "server:", "port: 8080", "- item", "def f(x):", "return x", "if x:", "}", "{", "x = 1;",
    "foo(bar)", "<li>one</li>", "# comment", "```", "~~~", "Home", "About us", "Menu:",
    "The minister said the talks were long but friendly.", "Note: do not run this twice.", "",
    "const a = [", "1, 2,", "];", "pass",
]


@st.composite
def _texts(draw):
    lines = draw(st.lists(st.tuples(st.sampled_from(["", " ", "  ", "    ", "\t", "        "]), st.sampled_from(_PIECES)), max_size=30))
    return "\n".join(indent + piece for indent, piece in lines)


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_the_whitespace_rules_are_idempotent_around_code(text):
    once = strip_indent.fn(text)
    assert strip_indent.fn(once) == once
    collapsed = collapse_inline_runs.fn(once)
    assert collapse_inline_runs.fn(collapsed) == collapsed
    assert strip_indent.fn(collapsed) == collapsed  # collapsing spaces inside lines makes no new indentation to strip


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_folding_blank_lines_leaves_what_is_code(text):
    """strip-indent and collapse-inline-runs declare they settle blank-runs: a
    text they left alone stays so once its blank runs are folded."""
    settled = collapse_inline_runs.fn(strip_indent.fn(text))
    folded = fold_blank_line_runs.fn(settled)
    assert strip_indent.fn(folded) == folded
    assert collapse_inline_runs.fn(folded) == folded


# --- the early exit of code_lines gives the verdicts of the full reading ---------------

from cleaner.core import code_blocks  # noqa: E402

_PROSE_PIECES = [
    "The river rose all night and the town woke to water in the streets.",
    "Officials said the road would stay closed until Monday, at the earliest.",
    "as the council put it:", "and then, as follows,", "Contact", "News", "a = the answer",
]


@st.composite
def _mixes(draw):
    pieces = draw(st.sampled_from([_PIECES, _PROSE_PIECES, _PIECES + _PROSE_PIECES]))
    lines = draw(
        st.lists(
            st.tuples(st.sampled_from(["", " ", "  ", "    ", "\t", "        "]), st.sampled_from(pieces)),
            max_size=40,
        )
    )
    return [indent + piece for indent, piece in lines]


@settings(max_examples=600, deadline=None)
@given(_mixes())
def test_the_early_exit_gives_the_full_readings_verdicts(lines):
    with pytest.MonkeyPatch.context() as patched:  # the full reading: every run around an indented line
        patched.setattr(code_blocks, "_may_be_structural", lambda lines: True)
        full = code_blocks._code_lines(lines)
    assert code_blocks._code_lines(lines) == full
    assert code_lines(lines) == full  # and the remembered answer is the same
    if not code_blocks._may_be_structural(lines) and not any(code_blocks._fenced(lines)):
        assert not any(full)
    # the cheap screens say "no code" only where there is none, on the lines and on the text
    if not code_blocks.lines_may_hold_code(lines) or not code_blocks.may_hold_code("\n".join(lines)):
        assert not any(full)


def test_indented_prose_is_settled_without_reading_each_line(monkeypatch):
    lines = [" " * (2 * (i % 4)) + "The river rose all night and the town woke to water." for i in range(60)]
    read = []
    monkeypatch.setattr(code_blocks, "code_like", lambda line: read.append(line) or False)
    assert code_blocks._code_lines(lines) == [False] * 60
    assert read == []  # no line ends in an opener, so none is asked whether it reads as code


def test_long_lines_are_not_remembered():
    code_blocks._code_like_remembered.cache_clear()
    code_blocks.code_like("x = 1;" + " " * 300)
    code_blocks.code_like("x = 1;")
    assert code_blocks._code_like_remembered.cache_info().currsize == 1
