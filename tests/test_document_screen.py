"""The line screen's document-level path gives each line the verdict of the per-line one.

``LineScreen.masks`` screens the lines it has not seen together (one case fold,
one head search mapped over the lines, one Aho-Corasick pass, the ``may_claim``
patterns only on lines holding a character they need) and judges one by one only
the lines those searches find. A line they miss would lose a rule that could
remove it, so here both paths judge the same lines: the test data, lines built to
sit on the edges of each search (case folding, Unicode whitespace and digits,
needed strings mid-line, characters newer than Python's tables), and generated ones.
"""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.core.engine import _stages
from cleaner.core.line_screen import TOGETHER, _claim_needs
from cleaner.core.pattern_reading import fold
from cleaner.core.lines import _screen

from conftest import GOLDEN, SEEDS


def _line_screen(pipeline):
    group = next(s for s in _stages(pipeline.rules) if s[0].kind == "line")
    return _screen(tuple(group))


def _agree(screen, lines: list[str]) -> None:
    together = screen._judge_together(lines)
    one_by_one = [screen._judge(line) for line in lines]
    differing = [(line, a, b) for line, a, b in zip(lines, together, one_by_one) if a != b]
    assert not differing


EDGES = [
    "ADVERTISEMENT", "  Advertisement", "\u3000advertisement", "\x1cadvertisement", "\x85Share this:",
    "ſhare this", "SHARE ON TWITTER", "İnstagram", "\u212a\u212aomment", "Read More »", "read more",
    "²3 comments", "١٢ comments", "① of 5", "12 / 40", "• 3/7", "- 3 / 7 Photo: Getty Images",
    "Photo: AP/Getty Images", "Credit: Shutterstock", "All rights reserved.", "Alle Rechte vorbehalten",
    "© 2024 The Times", "Copyright 2024", "(c) 2023", "Home › News › World", "Home > News",
    "news, politics, world", "a, b, c, d, e", "The year, the month, and the day.", "By Jane Doe",
    "by jane doe, reporter", "Tags: one, two", "[Video] Watch this", "[LIVE] updates", "",
    "   ", "\t", "Exit mobile version", "Cookies help us", "Downloaden Sie die App",
    "x\U0001f600 emoji line", "newer \U0001fae8 character", "Ünïcödé line ß", "ΣΊΣΥΦΟΣ",
    "An ordinary sentence of prose that says nothing special at all.",
]


def test_the_document_path_judges_the_test_data_as_line_by_line(pipeline):
    screen = _line_screen(pipeline)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")) + sorted(GOLDEN.glob("*.txt"))]
    for text in texts:
        _agree(screen, text.split("\n"))
    for r in pipeline.rules:
        _agree(screen, [line for ex in r.examples for line in (ex.input + "\n" + ex.expected).split("\n")])


def test_the_document_path_judges_edge_lines_as_line_by_line(pipeline):
    screen = _line_screen(pipeline)
    _agree(screen, EDGES)
    _agree(screen, [line.upper() for line in EDGES] + [line.lower() for line in EDGES])
    _agree(screen, ["  " + line for line in EDGES] + ["x " + line for line in EDGES])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.builds(lambda a, b, c: a + b + c, st.sampled_from(["", " ", "\u00a0", "\u2003", "12 ", "x"]),
                          st.sampled_from(EDGES), st.text(max_size=12)), min_size=TOGETHER, max_size=40))
def test_the_document_path_judges_generated_lines_as_line_by_line(pipeline, lines):
    lines = [line.replace("\n", " ") for line in lines]  # lines of a text hold no line feed
    _agree(_line_screen(pipeline), lines)


def test_masks_of_new_lines_are_those_of_rules_for(pipeline):
    screen = _line_screen(pipeline)
    lines = [f"{line} {n}" for n, line in enumerate(EDGES * 3)]  # not remembered yet
    assert screen.masks(lines) == [screen._judge(line) for line in lines]


def test_no_other_character_folds_to_an_ascii_character_a_claim_test_needs():
    # _claim_needs compares ASCII non-letters with the line unfolded: none may stand for another character
    targets = {chr(c) for c in range(128) if not chr(c).isalpha()}
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if c not in targets and not (0xD800 <= code <= 0xDFFF):
            assert not set(fold(c)) & targets, c
    assert _claim_needs(r"^\s*[^\s,]+(?: [^\s,]+){0,3}\s*,[^,]*,") == (",",)
    assert _claim_needs(r"^\s*share\b") is None  # letters: not compared unfolded
