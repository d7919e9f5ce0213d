"""The line screen never hides a line from a rule whose pattern matches it.

``cleaner.core.line_screen`` decides from a line's first characters (and the strings
it contains, both read from the patterns by ``cleaner.core.pattern_reading``) which declarative rules to ask about it. It may let through lines a
pattern does not match; it must never keep back one that it does. Checked here on
every line of every rule example of every built-in pack, on variants of them in
case, script and spacing that ``regex`` still matches, and on the Unicode facts
the screen relies on.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.core.line_screen import _needed, build_screen
from cleaner.core.pattern_reading import (
    _newer_characters,
    fold,
    has_newer_characters,
    leading_strings,
    screen_alternatives,
    screen_pattern,
)
from cleaner.core.lines import PatternMatcher
from cleaner.loading.pack import builtin_packs, load_pack


def _declarative_rules():
    rules = {}
    for paths in [[], *([name] for name in builtin_packs())]:
        for r in load_pack(paths).rules:
            if r.kind == "line" and isinstance(r.fn, PatternMatcher):
                rules[r.id] = r
    return list(rules.values())


RULES = _declarative_rules()
SCREEN = build_screen([r.fn.pattern.pattern for r in RULES], [None] * len(RULES))


def _asked(line: str) -> set[str]:
    mask = SCREEN.rules_for(line)
    return {r.id for n, r in enumerate(RULES) if mask < 0 or mask >> n & 1}


def _matching(line: str) -> set[str]:
    stripped = line.strip()
    return {r.id for r in RULES if r.fn.pattern.fullmatch(stripped)}


def _example_lines() -> list[str]:
    lines = set()
    for r in RULES:
        for ex in r.examples:
            lines.update(line.strip() for line in ex.input.split("\n") if line.strip())
    return sorted(lines)


EXAMPLE_LINES = _example_lines()


def test_most_residue_patterns_are_screened():
    screened = [r.id for r in RULES if screen_pattern(r.fn.pattern.pattern) is not None]
    assert len(screened) == len(RULES), set(r.id for r in RULES) - set(screened)


def test_every_example_line_reaches_every_rule_that_matches_it():
    assert len(EXAMPLE_LINES) > 200
    for line in EXAMPLE_LINES:
        assert _matching(line) <= _asked(line), line


def test_prose_lines_reach_few_rules():
    prose = "The finance minister presented the budget on Thursday morning, to some applause."
    assert len(_asked(prose)) <= 3


def _variants(line: str) -> list[str]:
    return [
        line.upper(),
        line.lower(),
        line.title(),
        line.swapcase(),
        line.replace(" ", "\u00a0"),
        line.replace(" ", "\t "),
        line.replace("s", "ſ").replace("k", "\u212a"),  # long s, Kelvin sign: regex folds them
        line.replace("i", "\u0130"),  # İ: regex matches it to i
        line.replace("ss", "ß"),
        line.replace("I", "\u0130"),
    ]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXAMPLE_LINES), st.integers(0, 9), st.sampled_from(["", " ", "\u3000", "- "]))
def test_variants_that_still_match_still_reach_their_rules(line, which, prefix):
    variant = prefix + _variants(line)[which]
    assert _matching(variant) <= _asked(variant), variant


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=40), st.sampled_from(EXAMPLE_LINES))
def test_arbitrary_text_before_and_after_example_lines(junk, line):
    for candidate in (junk + line, line + junk, junk):
        if candidate.strip():
            assert _matching(candidate) <= _asked(candidate), candidate


# --- how patterns are read --------------------------------------------------------


def test_leading_strings_are_case_folded_and_bounded():
    # \ue001 stands for "a whitespace character"
    assert leading_strings(r"Exit\s+mobile\s+version") == {"exit\ue001m", "exit\ue001\ue001"}
    assert leading_strings(r"(?:your\s+)?ad\s?choices?") >= {"adchoi", "ad\ue001cho", "your\ue001a"}


def test_what_the_reader_cannot_vouch_for_is_asked_on_every_line():
    assert screen_pattern(r"[[a-z]--[aeiou]]+") is None  # a V1 set operation
    assert screen_pattern(r".*") is None
    assert screen_pattern(r"\p{L}+") is None
    assert screen_pattern(r"(a)\1") is not None  # the group still gives "a"
    assert leading_strings(r"(?P<x>ab)|(?P<x>cd)") == {"ab", "cd"}  # a name used twice (regex allows it)


def test_a_pattern_with_no_leading_string_is_screened_by_what_it_contains():
    screen = screen_pattern(r"[^\n©]{1,80}?(?:©|\(c\))\s*20\d\d")
    assert screen is not None and screen.starts is None
    assert screen.contains == {"©", "(c)"}


def test_top_level_alternatives_are_screened_one_by_one():
    units = screen_alternatives(r"(?:photo|image)\s*:\s*\w+|[\w ]{1,40}/\s*getty\s+images")
    assert units is not None and len(units) == 2
    assert {s[:5] for s in units[0].starts} == {"photo", "image"} and units[1].starts is None
    assert units[1].contains and units[1].contains <= {"getty", "images"}
    # a prose line that merely mentions photos is no longer offered to photo-credit
    assert "residue/photo-credit" not in _asked("The photos of the flood were shared widely online.")
    assert "residue/photo-credit" in _asked("Image: Reuters")


def test_lookahead_contents_are_needed_strings():
    screen = screen_pattern(r"(?=[^\n]{0,1000}?cookie)(?:we|this)\s+[^\n]*")
    assert screen.contains == {"cookie"}


@settings(max_examples=300, deadline=None)
@given(st.frozensets(st.text(alphabet="ab(|)[]^-\\.*©\u00e9", min_size=1, max_size=5), min_size=1, max_size=12),
       st.text(alphabet="ab(|)[]^-\\.*©\u00e9 ", max_size=30))
def test_the_needed_strings_search_finds_exactly_the_strings(strings, text):
    assert _needed(strings)(text) == any(s in text for s in strings)


# --- the Unicode facts the screen relies on ----------------------------------------

ALL = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)


def test_regex_whitespace_is_whitespace_to_python():
    # a stripped line never starts with what regex calls \s
    assert all(c.isspace() for c in regex.findall(r"\s", ALL, flags=regex.V1))


def test_regex_digits_are_python_digits_or_newer_characters():
    newer, _ = _newer_characters()
    assert all(c.isdigit() or c in newer for c in regex.findall(r"\d", ALL, flags=regex.V1))


def test_stdlib_classes_cover_regex_classes():
    r"""``may_claim`` patterns are stdlib patterns standing for regex ones: the
    stdlib's ``\s`` and ``\d`` must match all that regex's do (newer characters aside)."""
    newer, _ = _newer_characters()
    assert set(re.findall(r"\s", ALL)) >= set(regex.findall(r"\s", ALL)) - newer
    assert set(re.findall(r"\s", ALL)) >= set(regex.findall(r"\s", ALL, flags=regex.V1)) - newer
    assert set(re.findall(r"\d", ALL)) >= set(regex.findall(r"\d", ALL)) - newer


def test_regex_case_insensitive_matches_fold_alike_in_python():
    """For every character in the built-in packs' screens, every character regex
    matches to it ignoring case folds to the same string in Python, unless it is
    newer than Python's Unicode tables (such texts are not screened)."""
    chars = set()
    for r in RULES:
        screen = screen_pattern(r.fn.pattern.pattern)
        for s in (screen.starts or set()) | (screen.contains or set()):
            chars.update(c for c in s if c not in "\ue001\ue002")
    chars = sorted(chars)
    pattern = regex.compile("|".join(f"({regex.escape(c)})" for c in chars), regex.V1 | regex.IGNORECASE)
    newer, _ = _newer_characters()
    for m in pattern.finditer(ALL):
        c, x = m.group(), chars[m.lastindex - 1]
        if unicodedata.category(c) == "Cn":
            assert c in newer or not regex.match(r"[\p{Cased}\d\s]", c), hex(ord(c))
        else:
            assert fold(c) == fold(x), (c, x)


def test_texts_with_newer_characters_are_not_screened():
    newer, _ = _newer_characters()
    if not newer:
        pytest.skip("regex and Python share one Unicode version")
    c = min(newer)
    assert has_newer_characters("Exit mobile version " + c)
    assert SCREEN.rules_for("x" + c) == -1
    assert not has_newer_characters("Grüße aus Köln 😀")


# --- Python rules: may_claim ---------------------------------------------------------

PYTHON_RULES = [r for r in load_pack([]).rules if r.kind == "line" and r.may_claim is not None]
_SPACE = st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u3000"])
_WORD = st.sampled_from(["Russia", "AK", "#tech", "C++", "2024", "Ça", "O'Neil", "x.y", "a", "and"])


@st.composite
def _tag_line(draw):
    items = draw(st.lists(st.lists(_WORD, min_size=1, max_size=5).map(" ".join), min_size=1, max_size=5))
    return draw(_SPACE) + ",".join(draw(_SPACE) + item + draw(_SPACE) for item in items)


@st.composite
def _gallery(draw):
    n, start = draw(st.integers(1, 60)), draw(st.integers(0, 60))
    bullet = draw(st.sampled_from(["", "- ", "-\t", "• ", "*  ", "+ "]))
    return [
        draw(_SPACE) + bullet + f"{k}{draw(_SPACE)}/{draw(_SPACE)}{n}" + draw(_SPACE) + draw(_WORD)
        for k in range(start, start + draw(st.integers(1, 4)))
    ]


@st.composite
def _documents(draw):
    lines = [draw(st.sampled_from(["Title", "", " "])), draw(_tag_line())]
    for more in draw(st.lists(st.one_of(_tag_line().map(lambda s: [s]), _gallery()), max_size=4)):
        lines += more
    return lines


def test_python_rules_with_may_claim_exist():
    assert {r.id for r in PYTHON_RULES} >= {"residue/tag-line", "residue/gallery-caption"}


def claimed_lines(lines, rules):
    """``(rule, line)`` for each non-blank line that a Python line rule among
    ``rules`` claims, asked with the line's context as the line pass asks it."""
    from cleaner.core.rule import LineContext

    frozen, nonblank = tuple(lines), 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        ctx = LineContext(index=i, nonblank_index=nonblank, lines=frozen)
        nonblank += 1
        yield from ((r, line) for r in rules if r.fn(line.strip(), ctx))


@settings(max_examples=500, deadline=None)
@given(_documents())
def test_may_claim_matches_every_line_its_rule_would_claim(lines):
    """Tag lines and galleries in many spellings: wherever a Python rule would
    claim a line, its ``may_claim`` pattern matches that line."""
    for r, line in claimed_lines(lines, PYTHON_RULES):
        assert re.match(r.may_claim, line), (r.id, line)


def test_may_claim_is_checked_when_declared():
    from cleaner.core.rule import Example, RuleError, line_rule

    with pytest.raises(RuleError, match="may_claim is not a valid pattern"):
        line_rule("test/bad-claim", "x", where="anywhere", may_claim="(",
                  examples=[Example("a\n", ""), Example("b\n")])(lambda line, ctx: line == "a")


CLAIM_PATTERN_RULES = [r for r in load_pack([]).rules if r.kind == "line" and r.claim_pattern is not None]


def test_claim_pattern_matches_every_line_its_rule_claims():
    """A ``claim_pattern`` rules lines out before the rule is asked: every line of
    the rule's examples (and of counters in many spellings) that the rule would
    claim, in its context, must match it in full."""
    import regex as _regex

    assert {r.id for r in CLAIM_PATTERN_RULES} >= {"residue/slide-counter"}
    documents = [ex.input.split("\n") for r in CLAIM_PATTERN_RULES for ex in r.examples]
    for label in ("", "Image ", "PHOTO ", "ſlide ", "- ", "• Bild ", "* "):
        for sep in ("/", " of ", " OF ", " von ", " ſur ", " de ", " z "):
            documents.append(["Gallery", f"{label}2{sep}9", f" {label}3{sep}9 photos ", "Credit: Getty"])
    for lines in documents:
        for r, line in claimed_lines(lines, CLAIM_PATTERN_RULES):
            assert _regex.fullmatch(r.claim_pattern, line.strip(), _regex.IGNORECASE), (r.id, line)
