"""Whitespace: line endings, odd spaces, runs of spaces, trailing spaces and blank
lines. None of these rules ever joins two lines: a line break is structure.

Code keeps its shape: ``whitespace/strip-indent`` and
``whitespace/collapse-inline-runs`` leave alone the lines that
:func:`cleaner.core.code_blocks.code_lines` reads as code (fenced blocks, and runs of
lines whose indentation is structural)."""

from __future__ import annotations

import re
from itertools import groupby
from operator import itemgetter
from typing import Callable

import regex

from cleaner.core.code_blocks import code_lines, may_hold_code
from cleaner.core.rule import Example, rule
from cleaner.core.screens import any_char
from cleaner.core.settled import BLANK_LINES, BLANK_RUNS, FINAL_NEWLINE, KINDS, LINE_BY_LINE

_LINE_BREAKS = regex.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_ODD_SPACES = regex.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INLINE_RUN = regex.compile(r"(?<=[^ \t\n])(?:[ \t]{2,}|\t)")
_INDENT = regex.compile(r"^[ \t]+", regex.MULTILINE)
_TRAILING = regex.compile(r"[ \t]+$", regex.MULTILINE)
_BLANK_RUN = regex.compile(r"\n(?:[ \t]*\n){2,}")
# a line feed before a space or a tab: "\n " in text or "\n\t" in text, in one scan
_INDENTED_LINE = re.compile("\n[ \t]").search


@rule(
    "whitespace/line-endings",
    "Write every line break as \\n",
    examples=[
        Example("one\r\ntwo\rthree\u2028four", "one\ntwo\nthree\nfour"),
        Example("page one\x0cpage two", "page one\npage two", note="a form feed separates pages"),
        Example("one\ntwo\n"),
    ],
    can_change=any_char("\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"),
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
)
def normalize_line_endings(text: str) -> str:
    """Turn CRLF, CR, vertical tab, form feed, NEL and the Unicode line and
    paragraph separators into a plain line feed.

    Why: every later rule reasons in lines split on ``\\n``.

    Leaves alone: ``\\n`` itself; it never adds or removes a line.
    """
    return _LINE_BREAKS.sub("\n", text)


@rule(
    "whitespace/odd-spaces",
    "Replace non-breaking and other odd spaces with a plain space",
    examples=[
        Example("10\u00a0km and 1\u202f000\u3000items", "10 km and 1 000 items"),
        Example("plain spaces\tand tabs", note="tabs belong to whitespace/collapse-inline-runs"),
    ],
    can_change=any_char("\u00a0", "\u1680", ("\u2000", "\u200a"), "\u202f", "\u205f", "\u3000"),
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
)
def replace_odd_spaces(text: str) -> str:
    """Write no-break space, narrow no-break space, the typographic spaces
    U+2000..U+200A, the ideographic space and friends as an ASCII space.

    Why: tokenizers and deduplication treat ``10\u00a0km`` and ``10 km`` differently.

    Leaves alone: tabs, line breaks and zero-width characters (other rules).
    """
    return _ODD_SPACES.sub(" ", text)


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """``change`` (a rule that works line by line) applied to each stretch of
    lines that are not code (see :mod:`cleaner.core.code_blocks`); code lines stay as
    they are."""
    if not may_hold_code(text):
        return change(text)
    lines = text.split("\n")
    code = code_lines(lines)
    if not any(code):
        return change(text)
    out = []
    for is_code, group in groupby(zip(lines, code), key=itemgetter(1)):
        stretch = "\n".join(line for line, _ in group)
        out.append(stretch if is_code else change(stretch))
    return "\n".join(out)


_YAML = "Here is the config you need.\n\n```yaml\nserver:\n  port: 8080\n```\n"
_PYTHON = "Save this as check.py:\n\ndef check(rows):\n    for row in rows:\n        if not row:\n            return False\n    return True\n"


@rule(
    "whitespace/strip-indent",
    "Remove spaces and tabs at the start of lines, except in code",
    examples=[
        Example("    indented\n\tline", "indented\nline"),
        Example("flush\nleft"),
        Example("Menu:\n    Home\n    About us\n", "Menu:\nHome\nAbout us\n", note="indentation under prose is residue"),
        Example(_YAML, note="a fenced block keeps its indentation"),
        Example(_PYTHON, note="Python recognised by its shape"),
        Example("server:\n  host: example.org\n  port: 8080\n", note="YAML recognised by its shape"),
        Example(
            "The service reads one setting.\n    function start(port) {\n      listen(port);\n    }\n",
            note="JavaScript, indented as a whole",
        ),
    ],
    # an indented line starts the text or follows a line feed (one search for both
    # marks: ~3 times faster than two substring searches on text without them)
    can_change=lambda text: text.startswith((" ", "\t")) or _INDENTED_LINE(text) is not None,
    settles=BLANK_LINES,  # reads blank lines and the neighbouring lines of code (cleaner.core.code_blocks)
    # a text without an indented line keeps none when whole lines or blank lines are
    # removed or a final line feed is added (each line left is a line it had)
    idle_settles=KINDS,
)
def strip_indent(text: str) -> str:
    """Remove the indentation that HTML-to-text conversion leaves at line starts.

    Why: the nesting of a page's HTML indents menus and paragraphs; the spaces
    mean nothing in the text.

    Leaves alone: code, where indentation is structure: lines inside a fenced
    block (```` ``` ```` or ``~~~``), and runs of lines recognised as code by
    their shape: mostly code-like lines (keywords, YAML keys, calls,
    assignments, brackets, ``;``) with an indented line under a line that opens
    a block (``server:`` then ``  port: 8080``; ``def f():`` then its body);
    see :mod:`cleaner.core.code_blocks`. Verse and other deliberate indentation of
    prose is still flattened; leave this rule out of a pack for such corpora.
    """
    return _outside_code(text, _strip_line_starts)


def _strip_line_starts(text: str) -> str:
    return _INDENT.sub("", text)


@rule(
    "whitespace/collapse-inline-runs",
    "Collapse runs of spaces and tabs inside a line, except in code",
    examples=[
        Example("a  \t b", "a b"),
        Example("a\tb", "a b"),
        Example("a\n\nb", note="paragraph breaks are not inline"),
        Example("  indented", note="indentation is whitespace/strip-indent's business"),
        Example("```\nname    = 'cleaner'\nversion = '1.0'\n```\n", note="aligned code keeps its alignment"),
    ],
    can_change=lambda text: "\t" in text or "  " in text,
    settles=BLANK_LINES,  # reads blank lines and the neighbouring lines of code (cleaner.core.code_blocks)
    # removing whole lines or blank lines, or adding a final line feed, puts no tab and
    # no two spaces side by side into a text that has none (only line feeds meet)
    idle_settles=KINDS,
)
def collapse_inline_runs(text: str) -> str:
    """Write two or more spaces/tabs after a character, or a single tab, as one space.

    Leaves alone: line breaks, whitespace at the start of a line, and code (see
    ``whitespace/strip-indent``), where runs of spaces align columns and may sit
    inside string literals.
    """
    return _outside_code(text, _collapse_runs)


def _collapse_runs(text: str) -> str:
    return _INLINE_RUN.sub(" ", text)


@rule(
    "whitespace/trailing-spaces",
    "Remove spaces and tabs at the end of lines",
    examples=[
        Example("line \nnext\t", "line\nnext"),
        Example("line\nnext"),
    ],
    # a space or tab before a line feed or at the very end
    # (a tab is looked for before "\t\n": most texts have none, and memchr finds that sooner)
    can_change=lambda text: " \n" in text or ("\t" in text and "\t\n" in text) or text.endswith((" ", "\t")),
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
)
def strip_trailing_spaces(text: str) -> str:
    """Remove invisible spaces and tabs before each line break and at the end.

    Leaves alone: everything else.
    """
    return _TRAILING.sub("", text)


@rule(
    "whitespace/blank-line-runs",
    "Fold runs of blank lines into one blank line",
    examples=[
        Example("para one\n\n\n\n  \npara two", "para one\n\npara two"),
        Example("para one\n\npara two", note="one blank line is a paragraph break"),
        Example("line one\nline two"),
    ],
    # two blank lines in a row: three line feeds, unless a line starts with a space or tab
    can_change=lambda text: "\n\n\n" in text or _INDENTED_LINE(text) is not None,
    changes=BLANK_RUNS,  # a run of blank lines keeps one
    settles=frozenset({FINAL_NEWLINE}),  # a line feed after a non-space ends no blank run
)
def fold_blank_line_runs(text: str) -> str:
    """Replace two or more consecutive blank (or whitespace-only) lines with one
    blank line, keeping the paragraph break.

    Leaves alone: single blank lines and single line breaks; it never joins lines.
    """
    return _BLANK_RUN.sub("\n\n", text)


@rule(
    "whitespace/document-edges",
    "Remove blank lines at the start and end; end with one newline",
    examples=[
        Example("\n\n  \nText\n\n\n", "Text\n"),
        Example("Text", "Text\n"),
        Example("Text\n"),
        Example("   indented first line\n", note="only whole blank lines are removed at the start"),
    ],
    settles=frozenset(),  # idempotent
)
def trim_document_edges(text: str) -> str:
    """Drop blank lines before the first line of text and all whitespace after the
    last, then end the text with exactly one line feed. Empty text stays empty.

    Leaves alone: the first line's indentation and everything between the edges.
    """
    start = 0
    while True:
        newline = text.find("\n", start)
        if newline == -1 or text[start:newline].strip(" \t"):
            break
        start = newline + 1
    body = text[start:].rstrip()
    return body + "\n" if body else ""
