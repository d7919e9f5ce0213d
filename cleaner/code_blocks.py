"""Which lines of a plain text are code, so that rules keep their shape.

Indentation in code is structure: YAML nests keys by it, Python blocks are made
of it, and a config example without it is wrong. Scraped prose, on the other
hand, carries indentation that means nothing (the nesting of the page's HTML).
:func:`code_lines` tells the two apart, leaning towards prose: a text is read as
code only on clear evidence, and everything else may be cleaned as before.

A line is code when it stands in

* a **fenced block**: from a line opening with three backticks or tildes to the
  next such line (or the end of the text), the fences included;
* a **code run** recognised by its shape. Runs are the stretches of non-blank
  lines between blank lines, fences and lines of prose (a line flush left that
  is not :func:`code_like`). A run is code when half its lines at least, and
  :data:`MIN_LINES` at least, are code-like, and one line is indented
  *structurally*: deeper than the code-like line before it, where that line
  opens a block (ends in ``:`` ``{`` ``(`` ``[`` ``,`` ``=`` ``\\`` ``>``, or
  is a YAML key). Indentation under a line of prose is never structural, so
  the indentation HTML nesting leaves on menus and paragraphs still goes;
* a **continued code run**: a run whose lines are all indented and half of them
  code-like, after blank lines that follow a code run (a Python function body
  split by a blank line).

The verdict on a line depends on its run and the run before it, and a run's
bounds on its neighbours' text, not their indentation: removing indentation
from lines that are not code leaves every verdict as it was, and so do folding
runs of blank lines and adding a final line feed (see :mod:`cleaner.settled`);
removing a line may not.
"""

from __future__ import annotations

from typing import Sequence

import regex

#: Fewest code-like lines of a paragraph recognised as code by its shape.
MIN_LINES = 2
#: Share of punctuation typical of code among a line's non-space characters
#: from which the line counts as code-like.
CODE_PUNCTUATION_SHARE = 0.12

_FENCE = regex.compile(r"[ \t]*(?:```|~~~)")
_KEYWORD = regex.compile(
    r"(?:def|class|import|from|return|if|elif|else|for|while|try|except|finally|with|"
    r"raise|yield|lambda|async|await|const|let|var|function|public|private|protected|"
    r"static|package|func|fn|pub|use|struct|enum|impl|interface|switch|case|break|"
    r"continue|pass|echo|export|sudo|pip|npm|git|cd)(?:[ \t(:{]|$)"
)
# comments and directives; "# text" is a comment in Python, shell and YAML (and a
# Markdown heading, which counts only inside a run of code)
_DIRECTIVE = regex.compile(r"(?:#\s|#include|#define|#!|@\w+|<\?|<!--|//|/\*|\*/|--\s)")
# ``key: value`` or ``key:`` (YAML, headers), ``- item`` under a key, ``"key": value`` (JSON)
_YAML_KEY = regex.compile(r"(?:- )?[\"']?[\w.$@/-]+[\"']?[ \t]*:(?:[ \t]|$)")
_YAML_ITEM = regex.compile(r"- \S")
_CALL_OR_ASSIGNMENT = regex.compile(r"\w[\w.\]]*(?:\(.*\)|[ \t]*[-+*/|&]?=[ \t]*\S)")
_CLOSER = regex.compile(r"[\]\)}]+[;,)]*")
_TAG = regex.compile(r"</?[\w:-]+(?:\s[^>]*)?/?>")
_OPENERS = (":", "{", "(", "[", ",", "=", "\\", ">", "->", "=>")
_CODE_PUNCTUATION = frozenset("{}[]()<>=;$_\\|&*#/\"'`")


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def code_like(line: str) -> bool:
    """True for a line (without its indentation) that reads as code rather than
    prose: a keyword of a common language at its start, a comment or directive,
    a YAML or JSON key, a call or an assignment, a lone closing bracket, a markup
    tag, a line ending in ``;`` ``{`` or ``}``, or a line dense in the punctuation
    of code (brackets, ``=``, ``;``, ``_``, ``$``...)."""
    s = line.strip()
    if not s:
        return False
    if s.endswith((";", "{", "}")) or _CLOSER.fullmatch(s):
        return True
    if _KEYWORD.match(s) or _DIRECTIVE.match(s) or _TAG.match(s):
        return True
    if _YAML_KEY.match(s) or _YAML_ITEM.match(s):
        # a key with a short value, not a sentence ("Note: do not run this twice.")
        return len(s.split()) <= 6 and not s.endswith((".", "!", "?"))
    if _CALL_OR_ASSIGNMENT.match(s):
        return True
    visible = s.replace(" ", "")
    return sum(c in _CODE_PUNCTUATION for c in visible) >= CODE_PUNCTUATION_SHARE * len(visible)


def _opens_block(line: str) -> bool:
    """A line after which deeper indentation is structure: it ends in an opener
    (``:`` ``{`` ``(`` ``[`` ``,`` ``=`` ``\\`` ``>`` ``->`` ``=>``) or is a
    YAML key or list item."""
    s = line.strip()
    return s.endswith(_OPENERS) or bool(_YAML_KEY.match(s))


def _structural(paragraph: Sequence[str]) -> bool:
    """Some line is indented deeper than the code-like line before it, and
    that line opens a block."""
    return any(
        _indent(line) > _indent(before) and _opens_block(before) and code_like(before)
        for before, line in zip(paragraph, paragraph[1:])
    )


def _is_code(run: Sequence[str], like: Sequence[bool], continues: bool) -> bool:
    """Whether a run of lines is code by its shape; ``like``: which of its lines
    are code-like; ``continues``: it follows a code run across blank lines."""
    if not any(map(_indent, run)) or 2 * sum(like) < len(run):
        return False
    if continues and all(map(_indent, run)):
        return True
    return sum(like) >= MIN_LINES and _structural(run)


def may_hold_code(text: str) -> bool:
    """False only when :func:`code_lines` finds no code in ``text``: code needs a
    fence or an indented line."""
    return "```" in text or "~~~" in text or "\n " in text or "\n\t" in text or text.startswith((" ", "\t"))


def code_lines(lines: Sequence[str]) -> list[bool]:
    """For each line (without its line break), whether it is code: see the module."""
    code = _fenced(lines)
    if not any(map(_indent, lines)):
        return code  # a code paragraph has an indented line
    like = list(map(code_like, lines))
    previous_code = False  # the last non-blank line seen is code
    i, n = 0, len(lines)
    while i < n:
        if _blank(lines[i]):
            i += 1
            continue
        if code[i] or _breaks_run(lines[i], like[i]):
            previous_code = code[i]
            i += 1
            continue
        end = i
        while end < n and not (_blank(lines[end]) or code[end] or _breaks_run(lines[end], like[end])):
            end += 1
        continues = previous_code and i > 0 and _blank(lines[i - 1])
        previous_code = _is_code(lines[i:end], like[i:end], continues)
        if previous_code:
            code[i:end] = [True] * (end - i)
        i = end
    return code


def _breaks_run(line: str, like: bool) -> bool:
    """A line of prose between code: flush left and not code-like."""
    return not like and not _indent(line)


def _fenced(lines: Sequence[str]) -> list[bool]:
    """Which lines are in fenced blocks (fences included)."""
    code = [False] * len(lines)
    inside = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            code[i] = True
            inside = not inside
        elif inside:
            code[i] = True
    return code
