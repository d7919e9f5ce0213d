"""Focused tests for sentences/split-glued, headings/normalise and meta/title,
beyond the rules' own examples (those run in the generic example test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner.rules.headings import (
    Heading,
    find_headings,
    first_heading_title,
    normalise_headings,
)
from cleaner.rules.sentences import split_glued_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
split = split_glued_sentences.fn
normalise = normalise_headings.fn
title = first_heading_title.fn


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# --- sentences/split-glued -------------------------------------------------


@pytest.mark.parametrize(
    "glued, fixed",
    [
        ("earlier this year.The sources", "earlier this year. The sources"),
        ("military exercise.These developments", "military exercise. These developments"),
        ("said the sources.They also", "said the sources. They also"),
        ("besides other rifles.AK 56 is", "besides other rifles. AK 56 is"),
        ("he said.”The", "he said.” The"),
        ("he said.)The", "he said.) The"),
        ("the year.“The", "the year. “The"),
        ('He said "no."The end', 'He said "no." The end'),  # odd count: the quote closes
        ('"I agree," he said."The end', '"I agree," he said. "The end'),  # even: it opens
        ("Is it true?Nobody knows!Really", "Is it true? Nobody knows! Really"),
        ("and then...The end", "and then... The end"),
        ("it is up to us.They left", "it is up to us. They left"),
        ("I can’t.He left", "I can’t. He left"),
        ("year.In 2016 it", "year. In 2016 it"),
        ("года.Это", "года. Это"),
    ],
)
def test_split_glued_repairs(glued: str, fixed: str) -> None:
    assert split(glued) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "ThePrint.com",
        "www.Example.Com",
        "see news.Google.com today",
        "example.org/a.b",
        "https://x.org/A.Html",
        "user@Mail.Com",
        "mail me at example.Com.",
        "U.S.",
        "U.S.A.",
        "J.K. Rowling",
        "J.K.Rowling",
        "Mr.Smith",
        "e.g.The",
        "i.e.The",
        "visited Pakistan.The",  # capitalised word before the stop: abbreviation-like
        "3.2",
        "v1.10",
        "1.5M",
        "report.PDF",
        "report.PDF.",
        "IMG_001.JPG",
        "data.CSV,",
        "System.Out.println",
        "obj.Method()",
        "os.Path",
        "np.Array",
        "pd.DataFrame",
        "sys.Path",
        "x = a.B",
        "end.Mr.Smith",
        "it's 'quoted.'The",  # ASCII ' is mostly an apostrophe: left alone
    ],
)
def test_split_glued_leaves_alone(text: str) -> None:
    assert split(text) == text


def test_split_glued_only_inserts_spaces() -> None:
    text = _seed("001")
    out = split(text)
    assert out.replace(" ", "") == text.replace(" ", "")
    assert out.count(" ") - text.count(" ") == 4


def test_split_glued_seed_000_has_nothing_to_do() -> None:
    text = _seed("000")
    assert split(text) == text


_TOKENS = st.sampled_from(
    [
        "year", "the", "The", "AK", "us", "os", "Mr", "e", "g", "U", "S", "www",
        "Com", "com", "PDF", "Path", "DataFrame", "56", "3", "rifles", "Они", "это",
        ".", "?", "!", "...", "”", "“", '"', "'", "’", ")", "(", "/", "@", "_", ":",
        " ", " ", " ", "\n", "\n\n",
    ]
)
_TEXTS = st.lists(_TOKENS, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_split_glued_idempotent_and_only_adds_spaces(text: str) -> None:
    once = split(text)
    assert split(once) == once
    assert once.replace(" ", "") == text.replace(" ", "")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_TOKENS, st.sampled_from(["‘", "]", "É", "é", "ß", "it’s", "Ǆ", "ǅ"])), max_size=40).map("".join))
def test_split_glued_checks_every_glue_point(text: str) -> None:
    # the rule looks for glue points only where its cheap candidate pattern
    # matches: a candidate pattern narrower than _GLUE would miss some
    from cleaner.rules.sentences import _CANDIDATE, _GLUE

    every = [m.span() for m in _GLUE.finditer(text)]
    checked = [m.span() for c in _CANDIDATE.finditer(text) if (m := _GLUE.match(text, c.start()))]
    assert checked == every


# --- find_headings ---------------------------------------------------------


def test_find_headings_seed_001() -> None:
    lines = _seed("001").split("\n")
    found = find_headings(lines)
    assert found[0] == Heading(0, 1, lines[0], "title")
    assert Heading(6, 2, "Pakistan’s proposals to Russia", "short-line") in found
    body = [i for i, line in enumerate(lines) if len(line.split()) > 20]
    assert body and not {h.index for h in found} & set(body)


def test_find_headings_seed_000() -> None:
    lines = _seed("000").split("\n")
    found = find_headings(lines)
    assert found[0] == Heading(0, 1, lines[0], "title")
    body = [i for i, line in enumerate(lines) if len(line.split()) > 20]
    assert not {h.index for h in found} & set(body)
    assert "Exit mobile version" not in {h.text for h in found}  # nothing follows it


PARA = "The agencies had flagged many other proposals made by Pakistan to Russia."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("# One\n\n" + PARA, [Heading(0, 1, "One", "markdown")]),
        ("### Three ###\n" + PARA, [Heading(0, 3, "Three", "markdown")]),
        ("####### Seven\n\n" + PARA, [Heading(0, 1, "####### Seven", "title")]),
        ("#hashtag\n" + PARA, []),
        ("Top\n===\n\n" + PARA, [Heading(0, 1, "Top", "setext", underline=1)]),
        (PARA + "\n\nSection\n-------\n" + PARA, [Heading(2, 2, "Section", "setext", underline=3)]),
        (PARA + "\nNot a heading\n---\n" + PARA, []),  # no blank line before the text
        (PARA + "\n\n---\n\n" + PARA, []),  # horizontal rule
        (PARA + "\n\nWhat went wrong?\n\n" + PARA, [Heading(2, 2, "What went wrong?", "short-line")]),
        (PARA + "\n\nHe declined to comment.\n\n" + PARA, []),
        (PARA + "\n\nNote:\n\n" + PARA, []),
        (PARA + "\n\n- Flour\n\n" + PARA, []),
        (PARA + "\n\n1. Flour\n\n" + PARA, []),
        (PARA + "\n\n• Flour\n\n" + PARA, []),
        (PARA + "\n\nlower case start\n\n" + PARA, []),
        (PARA + "\n\nFollowed by a list\n\n- one two three four five six seven eight", []),
        (PARA + "\n\nFollowed by little\n\nToo short here.", []),
        (PARA + "\n\nTHE BACKGROUND\n\nshort", [Heading(2, 2, "THE BACKGROUND", "caps")]),
        (PARA + "\n\nTHE BACKGROUND", []),  # followed by nothing
        # one word in capitals is a heading as any short line is, before a paragraph
        (PARA + "\n\nBACKGROUND\n\nshort", []),
        (PARA + "\n\nBACKGROUND\n\n" + PARA, [Heading(2, 2, "BACKGROUND", "short-line")]),
        (PARA + "\n\nEUR 34.42\n\nshort", []),  # a value
        (PARA + "\n\n这项研究由UFAA完成\n\nshort", []),  # not written in capitals
        ("Hi all\n\n" + PARA + "\n\nThanks!\n\n" + PARA, []),  # a greeting, a sign-off
        ("Ingredients\n\n- Flour\n\n" + PARA, [Heading(0, 2, "Ingredients", "label")]),
        ("Our favourite kitchen tools\n\n- Flour\n\n" + PARA, [Heading(0, 1, "Our favourite kitchen tools", "title")]),
        (PARA + "\n\nRussia, Pakistan, AK\n\n" + PARA, []),  # tag line
        (PARA + "\n\nBy Jane Doe\n\n" + PARA, []),  # byline
        (PARA + "\n\nMarch 3, 2019\n\n" + PARA, []),  # date line
        ("```\n# comment\n```\n\n" + PARA, []),  # fenced code
        ("Only a line", []),
        ("Title line\n" + PARA, []),  # no blank line after the first line
        ("A title, then a comma,\n\n" + PARA, []),
    ],
)
def test_find_headings_cases(text: str, expected: list[Heading]) -> None:
    assert find_headings(text.split("\n")) == expected


def test_paragraph_lines_are_never_headings() -> None:
    text = "\n\n".join([PARA, "A short one without a stop", PARA, PARA])
    found = find_headings(text.split("\n"))
    assert [h.index for h in found] == [2]


# --- headings/normalise ----------------------------------------------------


def test_markdown_and_plain_styles() -> None:
    text = (
        "Big news today\n\nIntro\n=====\n\n" + PARA + "\n\n## Details ##\n\n" + PARA
        + "\n\nWhat comes next\n\n" + PARA + "\n\nSUMMARY\n\n" + PARA
    )
    md = normalise(text, style="markdown")
    assert md == (
        "# Big news today\n\n# Intro\n\n" + PARA + "\n\n## Details\n\n" + PARA
        + "\n\n## What comes next\n\n" + PARA + "\n\n## SUMMARY\n\n" + PARA
    )
    plain = normalise(text, style="plain")
    assert plain == (
        "Big news today\n\nIntro\n\n" + PARA + "\n\nDetails\n\n" + PARA
        + "\n\nWhat comes next\n\n" + PARA + "\n\nSUMMARY\n\n" + PARA
    )
    # markdown output read back: the same headings, now all Markdown
    assert [(h.level, h.text, h.kind) for h in find_headings(md.split("\n"))] == [
        (1, "Big news today", "markdown"),
        (1, "Intro", "markdown"),
        (2, "Details", "markdown"),
        (2, "What comes next", "markdown"),
        (2, "SUMMARY", "markdown"),
    ]
    # plain output read back: bare headings are found again, same words
    assert [h.text for h in find_headings(plain.split("\n"))] == [
        "Big news today", "Intro", "Details", "What comes next", "SUMMARY",
    ]
    assert normalise(md, style="plain") == plain
    # plain text carries no levels: a bare line between paragraphs reads as level 2
    assert normalise(plain, style="markdown") == md.replace("# Intro", "## Intro")


def test_keep_style_and_bad_style() -> None:
    text = "## Title\n\n" + PARA
    assert normalise(text, style="keep") == text
    with pytest.raises(ValueError, match="style must be one of markdown, plain, keep"):
        normalise(text, style="html")


def test_crlf_line_endings_survive() -> None:
    text = "Title\r\n\r\n" + PARA + "\r\n"
    assert normalise(text) == "# Title\r\n\r\n" + PARA + "\r\n"
    assert normalise("## Title\r\n\r\n" + PARA, style="plain") == "Title\r\n\r\n" + PARA


def test_plain_never_turns_markdown_into_setext() -> None:
    text = PARA + "\n\n## Heading\n---\n\n" + PARA
    once = normalise(text, style="plain")
    assert once == PARA + "\n\nHeading\n\n---\n\n" + PARA
    assert normalise(once, style="plain") == once


def test_seed_headings_markdown() -> None:
    out = normalise(_seed("001"))
    lines = out.split("\n")
    assert lines[0].startswith("# Russia rejects Pakistan request")
    assert "## Pakistan’s proposals to Russia" in lines
    assert sum(line.startswith("#") for line in lines) == 2
    assert normalise(out) == out


_HEADING_TOKENS = st.sampled_from(
    [
        "Word", "word", "WORD", "AK", "56", "Two words", "A longer heading line here",
        "one two three four five six seven eight nine.", ".", ",", ":", "?", "!",
        "#", "## ", "# ", " #", "###### ", "####### ", "---", "===", "- ", "* ", "1. ",
        "```", "~~~", "    ", " ", "\t", "\r", "\n", "\n", "\n\n", "\n\n", "By ",
        "Russia, Pakistan, AK",
    ]
)
_HEADING_TEXTS = st.lists(_HEADING_TOKENS, max_size=30).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["Word", "WORD", "Two words", "A longer heading line here", "1. ", "- ",
                                 "one two three four five six seven eight nine.", ".", ":", "\n", "\n",
                                 "\n\n", " ", "\t", "\r", "\r\n", "\u2003", "\x1c", "=", "-", "#"]),
                max_size=30).map("".join))
@example("# Word")
@example("Word\n===\nThe text of the article.")
@example("Word\n---\nThe text of the article.")
def test_a_text_said_to_have_no_headings_has_none(text: str) -> None:
    # the fast path skips finding headings in such texts
    from cleaner.rules.headings import headings_of, may_have_headings

    assert may_have_headings(text) or headings_of(text) == []


def test_blank_lines_are_found_whatever_their_whitespace() -> None:
    from cleaner.rules.headings import may_have_headings

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace() and chr(c) != "\n"]
    assert len(spaces) > 20
    for c in spaces:
        assert may_have_headings(f"Title\n{c}\nThe text of the article begins here."), hex(ord(c))


@settings(max_examples=600, deadline=None)
@given(_HEADING_TEXTS, st.sampled_from(["markdown", "plain", "keep"]))
def test_normalise_idempotent(text: str, style: str) -> None:
    once = normalise(text, style=style)
    assert normalise(once, style=style) == once


@settings(max_examples=300, deadline=None)
@given(_HEADING_TEXTS, st.sampled_from(["markdown", "plain"]))
def test_normalise_keeps_heading_words(text: str, style: str) -> None:
    """Only markup, indentation and underlines change: the words stay in order."""

    def words(t: str) -> list[str]:
        return [w for w in t.split() if w.strip("#=-")]

    assert words(normalise(text, style=style)) == words(text)


@settings(max_examples=200, deadline=None)
@given(_HEADING_TEXTS)
def test_both_rules_together_idempotent(text: str) -> None:
    once = normalise(split(text))
    assert normalise(split(once)) == once


# --- meta/title ------------------------------------------------------------


def test_title_from_seeds() -> None:
    assert title(_seed("000")) == {
        "title": "Russia says no to military deals with Pakistan, rejects request for 50,000 AK rifles"
    }
    assert title(_seed("001"))["title"].startswith("Russia rejects Pakistan request")


def test_title_after_a_short_kicker_line() -> None:
    text = "Defence\n\n## Russia says no\n\n" + PARA
    # "Defence" is itself the title line: the first heading wins
    assert title(text) == {"title": "Defence"}
    assert title("\n\n## Russia says no\n\n" + PARA) == {"title": "Russia says no"}


def test_no_title_when_prose_comes_first() -> None:
    assert title(PARA + "\n\n## Later\n\n" + PARA) == {}
    assert title("") == {}
