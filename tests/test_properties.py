"""Properties that must hold for any text, checked on generated documents."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import GOLDEN

WORDS = ["the", "Russia", "deal", "signed", "year", "sources", "AK", "U.S.", "3.2", "ThePrint.com", "café", "naïve",
         "日本語", "Ελληνικά", "rifles", "Pakistan’s", "governmentâ€™s", "e.g.", "report.PDF"]
RESIDUE = ["You may also like...", "Source:- The Print", "Exit mobile version", "Advertisement", "Share this:",
           "Read more", "All rights reserved.", "Leave a comment", "Russia, Pakistan, AK", "Tags: India, Russia"]
PUNCT = [".", ",", "!", "?", ":", ".The", ". ", "  ", "\t", "\u00a0", "\u200b", "&amp;", "\r\n", "—"]

token = st.one_of(st.sampled_from(WORDS), st.sampled_from(PUNCT), st.text(max_size=4))
line = st.one_of(
    st.lists(token, min_size=1, max_size=40).map(" ".join),
    st.sampled_from(RESIDUE),
    st.just(""),
    st.lists(token, max_size=6).map(lambda t: "#" * 2 + " " + " ".join(t)),
)
document = st.lists(line, max_size=25).map("\n".join)


@given(document)
def test_cleaning_is_idempotent(pipeline, text):
    once = pipeline(text)
    assert pipeline(once) == once


@given(document)
def test_cleaning_never_raises_and_accounts_for_itself(pipeline, text):
    outcome = pipeline.clean(text)
    assert outcome.status in ("ok", "dropped")
    if outcome.status == "ok":
        assert outcome.text.endswith("\n")
        assert "\n\n\n" not in outcome.text
        assert all(s.rule for s in outcome.steps)


def _mojibake(word: str, codec: str) -> str:
    """What a real mis-decoding makes of a word: UTF-8 bytes read as another codec."""
    return word.encode("utf-8").decode(codec, errors="replace")


REAL_WORDS = ["café", "Pakistan’s", "naïve", "Ελληνικά", "日本語", "déjà vu", "“quoted”", "São Paulo", "Zürich", "–"]
mojibake = st.builds(_mojibake, st.sampled_from(REAL_WORDS), st.sampled_from(["cp1252", "latin-1", "mac_roman"]))
controls = st.sampled_from(["\x00", "\x07", "\x1b[31m", "\x85", "\x9d", "\ufeff", "\u00ad", "\r", "\x0c"])
realistic = st.lists(st.one_of(st.sampled_from(WORDS), mojibake, controls, st.sampled_from(PUNCT), st.sampled_from(RESIDUE),
                               st.just("\n\n")), max_size=60).map(" ".join)


@given(realistic)
def test_mojibake_and_controls_are_repaired_once_and_for_all(pipeline, text):
    once = pipeline(text)
    assert pipeline(once) == once


#: Every code point, lone surrogates included (what ``"\\ud800"`` in JSON or a
#: ``surrogateescape``-decoded name gives), controls, and the characters that steer
#: the rules, mixed so that they land next to each other.
any_char = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(max_codepoint=0x2FF, exclude_categories=()),
    st.sampled_from(list("\u200b\u00ad\ufeff\u2028\u2029\x85\x0b\x0c\r\n\t \u00a0\u3000\u0301\u2019\u20ac.!?#")),
    st.sampled_from(["&amp;", "&#", "\x1b[", "Ã", "â€", "Â", ".The", "\n\n", "# "]),
)
any_text = st.one_of(st.text(max_size=300), st.lists(any_char, max_size=120).map("".join))

#: Rules that may make a text longer, and why: the spaces of sentence repair, the
#: ``# `` of Markdown headings, the final newline, and NFC, which writes the few
#: composition exclusions (such as U+0958) as two code points.
GROWING_RULES = {"sentences/split-glued", "headings/normalise", "whitespace/document-edges", "unicode/nfc"}


@given(any_text)
def test_any_unicode_text_is_handled(pipeline, text):
    """Never raises, accounts for itself, is idempotent, writes valid UTF-8, and grows
    only by what :data:`GROWING_RULES` add."""
    outcome = pipeline.clean(text)
    assert outcome.status in ("ok", "dropped")
    assert outcome.status == "dropped" or outcome.text.endswith("\n")
    outcome.text.encode("utf-8")  # lone surrogates are repaired or replaced
    assert pipeline(outcome.text) == outcome.text
    for step in outcome.steps:
        assert step.chars_after <= step.chars_before or step.rule in GROWING_RULES, step
        if step.rule == "whitespace/document-edges":
            assert step.chars_after <= step.chars_before + 1
    headings = sum(1 for s in outcome.steps if s.rule == "headings/normalise")
    glued = sum(s.chars_after - s.chars_before for s in outcome.steps if s.rule == "sentences/split-glued")
    nfc = sum(s.chars_after - s.chars_before for s in outcome.steps if s.rule == "unicode/nfc")
    lines = text.count("\n") + text.count("\r") + 1
    assert len(outcome.text) <= len(text) + max(glued, 0) + max(nfc, 0) + 3 * lines * headings + 1


@settings(max_examples=10)
@given(st.text(min_size=1, max_size=30), st.integers(2_000, 30_000), st.sampled_from(["", "\n", " ", ".The"]))
def test_very_long_lines_are_handled(pipeline, piece, times, glue):
    text = (piece + glue) * times
    once = pipeline(text)
    assert pipeline(once) == once


GOLD = sorted(GOLDEN.glob("*.txt"))
noise_line = st.sampled_from(RESIDUE + ["", "   ", "\u200b", "Advertisement", "Share this:"])


@pytest.mark.parametrize("gold", GOLD, ids=[g.name for g in GOLD])
@settings(max_examples=30)
@given(data=st.data())
def test_gold_texts_survive_noise_nearly_intact(pipeline, gold, data):
    """A gold (hand-reviewed clean) text, with residue lines added around it and its
    line endings, spaces and invisible characters disturbed, comes back with every
    prose line of the gold text, word for word."""
    text = gold.read_text(encoding="utf-8")
    head = data.draw(st.lists(noise_line, max_size=4), label="head")
    tail = data.draw(st.lists(noise_line, max_size=6), label="tail")
    newline = data.draw(st.sampled_from(["\n", "\r\n"]), label="newline")
    space = data.draw(st.sampled_from([" ", "  ", "\u00a0", " \u200b"]), label="space")
    body = text.replace(" ", space, data.draw(st.integers(0, 50), label="spaces disturbed"))
    noisy = newline.join([*head, "", body, "", *tail]).replace("\n", newline)
    cleaned = pipeline(noisy)
    kept = set(cleaned.splitlines())
    prose = [line for line in text.splitlines() if len(line.split()) >= 7]
    missing = [line for line in prose if line not in kept]
    assert not missing
    assert pipeline(text) == text  # gold text is a fixed point
