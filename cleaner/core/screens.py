"""Cheap, exact tests that tell when a rule cannot change a text.

Every function here answers "could this text need work?" with a scan that runs at
C speed (``str`` methods, one stdlib ``re`` character-class search), and errs only
on the side of "yes": a ``False`` is a proof that the reference implementation
would return the text unchanged. The reference implementations stay the rules'
functions; ``tests/test_fast_paths.py`` compares both on test data and on
generated text.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's regex parser: to read ftfy's heuristic
from typing import Callable, Iterable

import ftfy
from ftfy.badness import BADNESS_RE, is_bad


def char_class(chars: Iterable[str | tuple[str, str]]) -> str:
    """A stdlib ``re`` character class of single characters and (first, last) ranges."""
    parts = []
    for c in chars:
        if isinstance(c, tuple):
            parts.append(f"{re.escape(c[0])}-{re.escape(c[1])}")
        else:
            parts.append(re.escape(c))
    return "[" + "".join(parts) + "]"


class AnyChar:
    """A test that is True when the text holds one of ``chars`` (single characters
    or inclusive (first, last) ranges). One character uses ``in`` (memchr speed);
    more use one compiled character-class search. The engine may also answer
    several such tests with one search (:func:`any_char_of`)."""

    def __init__(self, chars: tuple[str | tuple[str, str], ...]) -> None:
        self.chars = chars
        if len(chars) == 1 and isinstance(chars[0], str):
            needle = chars[0]
            self._test: Callable[[str], bool] = lambda text: needle in text
        else:
            search = re.compile(char_class(chars)).search
            self._test = lambda text: search(text) is not None

    def __call__(self, text: str) -> bool:
        return self._test(text)


def any_char(*chars: str | tuple[str, str]) -> AnyChar:
    """See :class:`AnyChar`."""
    return AnyChar(chars)


def any_char_of(tests: Iterable[AnyChar]) -> AnyChar:
    """One test for the characters of all ``tests``: False proves each of them False."""
    return AnyChar(tuple(c for t in tests for c in t.chars))


# --- ftfy ---------------------------------------------------------------------------
#
# With cleaner's configuration (no HTML unescaping, no formatting fixes, no
# normalisation), ftfy.fix_text splits the text into segments (lines, or pieces of
# ``max_decode_length``) and on each one runs:
#
# * fix_encoding, which returns the segment as it is unless ``is_bad(segment)``,
#   i.e. unless ftfy's BADNESS_RE finds a match in it;
# * fix_c1_controls, which only touches U+0080..U+009F;
# * fix_surrogates, which only touches U+D800..U+DFFF.
#
# BADNESS_RE is slow (about 2 MB/s: many of its branches start with an ASCII
# letter, so it tries them at nearly every position). Every branch, though, has a
# mandatory atom that only matches non-ASCII characters (read from the pattern
# below). Cut each branch at its first such atom: the rest of the branch matches
# inside every match of the whole branch, and the pattern of those rests only
# starts at rare characters, so a search runs at hundreds of MB/s. A text in which
# it finds nothing, and which has no C1 control or surrogate, is left as it is by
# ftfy; otherwise only the segments it flags go to ftfy.

_PLAIN_OPS = {"LITERAL", "IN", "ANY", "MAX_REPEAT", "MIN_REPEAT", "BRANCH", "SUBPATTERN", "AT"}
_PLAIN_IN = {"LITERAL", "RANGE", "NEGATE", "CATEGORY"}


def _context_free(items: Iterable[tuple[object, object]]) -> bool:
    """Only atoms, groups, repeats, alternation and ``^``: no look-around, no word
    boundary, no back-reference, so a match does not depend on what lies outside it."""
    for op, av in items:
        if str(op) not in _PLAIN_OPS:
            return False
        if op is sre_parse.AT and av not in (sre_parse.AT_BEGINNING, sre_parse.AT_BEGINNING_STRING):
            return False
        if op is sre_parse.IN and any(str(o) not in _PLAIN_IN for o, _ in av):  # type: ignore[attr-defined]
            return False
        if op is sre_parse.BRANCH and not all(_context_free(b) for b in av[1]):  # type: ignore[index]
            return False
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and not _context_free(av[2]):  # type: ignore[index]
            return False
        if op is sre_parse.SUBPATTERN and not _context_free(av[3]):  # type: ignore[index]
            return False
    return True


def _non_ascii_chars(op: object, av: object) -> list[int] | None:
    """The characters of a single-character atom that matches only non-ASCII
    characters, else None."""
    if op is sre_parse.LITERAL:
        return [av] if av >= 0x80 else None  # type: ignore[list-item,operator]
    if op is not sre_parse.IN:
        return None
    chars: list[int] = []
    for item_op, item_av in av:  # type: ignore[attr-defined]
        if item_op is sre_parse.LITERAL and item_av >= 0x80:
            chars.append(item_av)
        elif item_op is sre_parse.RANGE and item_av[0] >= 0x80:
            chars.extend(range(item_av[0], item_av[1] + 1))
        else:
            return None
    return chars


#: Characters that are frequent in correct text; a cut avoids starting on them.
_COMMON = set("‘’‚“”„–—…«»•·°")


def _weight(chars: list[int]) -> int:
    """How often a cut at these characters is expected to be tried: letters and
    common punctuation count ten times as much as rare symbols."""
    return sum(10 if chr(c).isalpha() or chr(c) in _COMMON else 1 for c in chars)


class RareStartScreen:
    """Finds a place where a pattern may match, fast.

    Built from a pattern whose every branch has a mandatory atom matching only
    non-ASCII characters: each branch is cut at its rarest such atom (symbols
    before letters and curly quotes). The *rest* of a branch is what follows the
    cut, preceded by a look-behind for what came before it when that has a fixed
    width (else it is dropped, which only flags more places). Where the branch
    matches, its rest matches too, at the cut, which starts on a character of one
    small class. The search is one stdlib pattern, ``[first](?<=(?=rest)[first])``:
    it starts with that class, so the engine skips to its characters at hundreds
    of MB/s, and tries the rest (in the look-behind) only there.
    """

    def __init__(self, search: re.Pattern[str]) -> None:
        self.pattern = search

    def search(self, text: str, pos: int = 0) -> int | None:
        """The first position at or after ``pos`` where the rest matches, or None."""
        m = self.pattern.search(text, pos)
        return None if m is None else m.start()


def rare_start_screen(pattern: re.Pattern[str], *extra: str) -> RareStartScreen | None:
    """A screen (see :class:`RareStartScreen`) that finds a place wherever
    ``pattern``, or one of the ``extra`` single character classes, matches. None
    when ``pattern`` uses anything whose match depends on context (look-around,
    word boundaries, back-references), or has a branch without a non-ASCII atom."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
        if pattern.flags & re.IGNORECASE or not _context_free(tree):
            return None
        items = list(tree)
        if len(items) == 1 and items[0][0] is sre_parse.BRANCH:
            branches = [list(b) for b in items[0][1][1]]
        else:
            branches = [items]
        rests, starts = [], set()
        for branch in branches:
            # start on the rarest atom, so that the engine stops on few characters;
            # the atoms before it are checked by looking behind (when they have a
            # fixed width), so the screen still asks for the whole branch: a place
            # it flags wrongly costs ftfy's slow heuristic on a whole line
            cuts = [(_weight(chars), i, chars) for i, (op, av) in enumerate(branch)
                    if (chars := _non_ascii_chars(op, av))]
            if not cuts:
                return None
            _, cut, chars = min(cuts)
            rest = branch[cut:]
            before = sre_parse.SubPattern(tree.state, branch[:cut])
            low, high = before.getwidth()
            if cut and low == high:
                rest = [(sre_parse.ASSERT, (-1, before)), *rest]
            rests.append(sre_parse.SubPattern(tree.state, rest))
            starts.update(chars)
        for source in extra:
            sub = sre_parse.parse(source, 0, tree.state)
            op, av = list(sub)[0]
            chars = _non_ascii_chars(op, av)
            if len(sub) != 1 or chars is None:
                return None
            rests.append(sub)
            starts.update(chars)
        rest = sre_parse.SubPattern(tree.state, [(sre_parse.BRANCH, (None, rests))])
        (first,) = sre_parse.parse(char_class(_ranges(starts)), 0, tree.state)
        # the first character, then: looking back at it, the rest matches there
        there = sre_parse.SubPattern(tree.state, [(sre_parse.ASSERT, (1, rest)), first])
        search = sre_parse.SubPattern(tree.state, [first, (sre_parse.ASSERT, (-1, there))])
        return RareStartScreen(re._compiler.compile(search, pattern.flags))  # type: ignore[attr-defined]
    except Exception:  # a stdlib or ftfy change this code cannot read: no screen
        return None


def _ranges(codepoints: Iterable[int]) -> list[str | tuple[str, str]]:
    """Code points as single characters and (first, last) runs."""
    ordered = sorted(set(codepoints))
    out: list[str | tuple[str, str]] = []
    start = prev = ordered[0]
    for c in [*ordered[1:], -1]:
        if c != prev + 1:
            out.append(chr(start) if start == prev else (chr(start), chr(prev)))
            start = c
        prev = c
    return out


_C1_OR_SURROGATE = "[\x80-\x9f\ud800-\udfff]"
_C1_OR_SURROGATE_RE = re.compile(_C1_OR_SURROGATE)
#: Where ftfy (configured to fix encoding only) could act: a C1 control, a
#: surrogate, or the rest of a BADNESS_RE branch. None: no screen, ftfy always runs.
MOJIBAKE_SCREEN = rare_start_screen(BADNESS_RE, _C1_OR_SURROGATE)


def may_hold_mojibake(text: str) -> bool:
    """False only when ftfy, configured to fix encoding alone, leaves ``text`` as it is."""
    return MOJIBAKE_SCREEN is None or MOJIBAKE_SCREEN.search(text) is not None


def _ftfy_may_change(segment: str) -> bool:
    """ftfy's own first tests, in the order fix_and_explain applies them: encoding
    is only fixed when ``is_bad``; the C1 and surrogate fixers need their characters."""
    return _C1_OR_SURROGATE_RE.search(segment) is not None or is_bad(segment)


def _screen_applies(config: ftfy.TextFixerConfig) -> bool:
    """The screen's reasoning holds for configurations that only fix encoding."""
    return (
        MOJIBAKE_SCREEN is not None
        and config.unescape_html is False
        and not config.remove_terminal_escapes
        and not config.fix_latin_ligatures
        and not config.fix_character_width
        and not config.uncurl_quotes
        and not config.fix_line_breaks
        and not config.remove_control_chars
        and config.normalization is None
        and not config.explain
    )


def fix_text_screened(text: str, config: ftfy.TextFixerConfig) -> str:
    """``ftfy.fix_text(text, config)``, calling ftfy only on the segments where the
    screen finds a place it could act and its own first tests agree. Segments are
    cut exactly as ftfy cuts them (after each line feed; a text longer than
    ``max_decode_length`` goes to ftfy whole), and ftfy fixes each segment
    independently, so the result is the same."""
    if not _screen_applies(config) or len(text) > config.max_decode_length:
        return ftfy.fix_text(text, config)
    if text.isascii():  # O(1) for str; the screen only stops on characters beyond ASCII
        return text
    search = MOJIBAKE_SCREEN.search  # type: ignore[union-attr]
    out: list[str] = []
    done = 0  # text[:done] is settled
    while (at := search(text, done)) is not None:
        # the segment where the match starts; a match of BADNESS_RE inside a later
        # segment starts after it, so the search from its end still finds one
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at) + 1 or len(text)
        segment = text[start:end]
        if _ftfy_may_change(segment):
            out.append(text[done:start])
            out.append(ftfy.fix_and_explain(segment, config)[0])
        else:
            out.append(text[done:end])
        done = end
    out.append(text[done:])
    return "".join(out)
