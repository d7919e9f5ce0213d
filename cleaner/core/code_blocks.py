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
runs of blank lines and adding a final line feed (see :mod:`cleaner.core.settled`);
removing a line may not.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import compress, repeat
from operator import gt, sub
from typing import Sequence

import regex

#: Fewest code-like lines of a run recognised as code by its shape.
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
_CODE_PUNCTUATION = "{}[]()<>=;$_\\|&*#/\"'`"


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


#: Lines up to this length have their :func:`code_like` verdict remembered (at
#: most :data:`REMEMBERED_LINES` of them): a cache of whole lines of any length
#: would hold megabytes per worker.
REMEMBERED_MAX_CHARS = 200
REMEMBERED_LINES = 1 << 14


def code_like(line: str) -> bool:
    """True for a line (without its indentation) that reads as code rather than
    prose: a keyword of a common language at its start, a comment or directive,
    a YAML or JSON key, a call or an assignment, a lone closing bracket, a markup
    tag, a line ending in ``;`` ``{`` or ``}``, or a line dense in the punctuation
    of code (brackets, ``=``, ``;``, ``_``, ``$``...).

    Remembered per line up to :data:`REMEMBERED_MAX_CHARS` characters: strip-indent,
    collapse-inline-runs and the headings rule read the same lines, in every pass
    of the engine."""
    return _code_like_remembered(line) if len(line) <= REMEMBERED_MAX_CHARS else _code_like(line)


def _code_like(line: str) -> bool:
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
    return sum(map(visible.count, _CODE_PUNCTUATION)) >= CODE_PUNCTUATION_SHARE * len(visible)  # counted in C


_code_like_remembered = lru_cache(maxsize=REMEMBERED_LINES)(_code_like)


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


#: How a line that may make code starts: indented (a fence may be too), or a fence.
_CODE_STARTS = (" ", "\t", "```", "~~~")


def lines_may_hold_code(lines: Sequence[str]) -> bool:
    """:func:`may_hold_code` for a text already split into lines, without joining
    them again: a fence (:data:`_FENCE` takes it at a line's start, after spaces
    or tabs) or an indented line, found in C."""
    return any(map(str.startswith, lines, repeat(_CODE_STARTS)))


def code_lines(lines: Sequence[str]) -> list[bool]:
    """For each line (without its line break), whether it is code: see the module.

    Remembered for the last few texts: strip-indent, collapse-inline-runs,
    split-glued and the headings rule ask about the same lines, in every pass of
    the engine. The answer depends on the lines alone, so it is exact."""
    return list(_code_lines_remembered(tuple(lines)))


@lru_cache(maxsize=8)
def _code_lines_remembered(lines: tuple[str, ...]) -> tuple[bool, ...]:
    return tuple(_code_lines(lines))


def _code_lines(lines: Sequence[str]) -> list[bool]:
    """:func:`code_lines`, computed.

    Only the runs around indented lines are read (a run without one is never
    code), so a long text with few indented lines costs little more than a scan;
    and a text without a fence where no line is indented under a line that opens
    a block is settled before any run is read (see :func:`_may_be_structural`)."""
    code = _fenced(lines)
    if not any(code) and not _may_be_structural(lines):
        return code
    n = len(lines)
    done = 0  # lines before this one belong to runs already judged
    for i in compress(range(n), map(str.startswith, lines, repeat((" ", "\t")))):  # indented, found in C
        if i < done or code[i] or _blank(lines[i]):
            continue
        start, end = i, i + 1
        while start > 0 and not _ends_run(lines[start - 1], code[start - 1]):
            start -= 1
        while end < n and not _ends_run(lines[end], code[end]):
            end += 1
        run = lines[start:end]
        if _is_code(run, [code_like(line) for line in run], _continues(lines, code, start)):
            code[start:end] = [True] * (end - start)
        done = end
    return code


def _may_be_structural(lines: Sequence[str]) -> bool:
    """Whether some non-blank line is indented deeper than the line just above
    it, and that line is non-blank, opens a block and is code-like: the pair
    :func:`_structural` looks for. Without a fence, no run is code when there is
    no such pair: a run of code by shape needs one among its lines (which are
    consecutive lines of the text), and a continued run needs a line of code
    before it, which without fences can only come from such a run. So
    :func:`code_lines` may answer "no code" at once; ``code_like`` is read only
    on the lines that open a block."""
    # each line's indentation, and the lines deeper than the one above, found in C
    indents = list(map(sub, map(len, lines), map(len, map(str.lstrip, lines, repeat(" \t")))))
    for i in compress(range(1, len(lines)), map(gt, indents[1:], indents)):
        before = lines[i - 1]
        if (
            (":" in before or before.rstrip().endswith(_OPENERS))  # what _opens_block needs, cheaply
            and not _blank(lines[i])
            and _opens_block(before)
            and code_like(before)
        ):
            return True
    return False


def _ends_run(line: str, code: bool) -> bool:
    """A line that is not part of a run: blank, fenced code, or prose."""
    return _blank(line) or code or _breaks_run(line, code_like(line))


def _continues(lines: Sequence[str], code: Sequence[bool], start: int) -> bool:
    """The run starting at ``start`` follows blank lines after a line of code."""
    before = start - 1
    while before >= 0 and _blank(lines[before]):
        before -= 1
    return 0 <= before < start - 1 and code[before]


def _breaks_run(line: str, like: bool) -> bool:
    """A line of prose between code: flush left and not code-like."""
    return not like and not _indent(line)


def _fenced(lines: Sequence[str]) -> list[bool]:
    """Which lines are in fenced blocks (fences included)."""
    code = [False] * len(lines)
    if not any(map(str.__contains__, lines, repeat("```"))) and not any(
        map(str.__contains__, lines, repeat("~~~"))
    ):
        return code  # no fence mark at all, found in C
    inside = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            code[i] = True
            inside = not inside
        elif inside:
            code[i] = True
    return code
