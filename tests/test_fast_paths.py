"""Differential test: the fast paths give exactly the reference outcome.

The engine runs the rules' exact fast paths (``Rule.can_change``, ``Rule.fast``,
the screened ftfy call, the leaner line pass) unless a pipeline is built with
``fast=False``. Here both run on the same inputs: every text in the test data, every
example of every rule, and generated text (mixed scripts, real mojibake made by
encoding with one codec and decoding with another, control characters, HTML
entities, residue lines). Text, status, reason, steps (provenance) and metadata
must be identical.
"""

from __future__ import annotations

import html

import ftfy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner import Pipeline
from cleaner.core.engine import apply_rules
from cleaner.loading.registry import default_registry
from cleaner.rules.encoding import MOJIBAKE_CONFIG
from cleaner.core.screens import MOJIBAKE_SCREEN, fix_text_screened, may_hold_mojibake
from ftfy.badness import BADNESS_RE

from conftest import GOLDEN, REPO, SEEDS


def _outcome(o):
    return (o.text, o.status, o.reason, [(s, s.to_dict()) for s in o.steps], o.meta)


def _same(pipeline: Pipeline, text: str) -> None:
    reference = Pipeline(pipeline.rules, fast=False)
    fast = Pipeline(pipeline.rules, fast=True)
    assert _outcome(fast.clean(text)) == _outcome(reference.clean(text))
    assert _outcome(fast.clean(text, trace=True)) == _outcome(reference.clean(text, trace=True))


def _all_rules(pipeline):
    seen = {r.id: r for r in default_registry()}
    seen.update({r.id: r for r in pipeline.rules})
    return list(seen.values())


def _test_texts(pipeline) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").rglob("*.md"))]
    for r in _all_rules(pipeline):
        for ex in r.examples:
            texts += [ex.input, ex.expected]
    return texts


def test_the_screen_was_built():
    assert MOJIBAKE_SCREEN is not None, "ftfy's heuristic changed shape: the screen is off"


def test_fast_and_reference_agree_on_the_test_data(pipeline):
    texts = _test_texts(pipeline)
    assert len(texts) > 100
    for text in texts:
        _same(pipeline, text)


def test_every_rule_alone_agrees_on_the_test_data(pipeline):
    texts = _test_texts(pipeline)
    for r in _all_rules(pipeline):
        for text in texts:
            fast = apply_rules([r], text, fast=True)
            reference = apply_rules([r], text, fast=False)
            assert _outcome(fast) == _outcome(reference), r.id


def test_the_fast_paths_are_used(pipeline):
    ids = {r.id for r in pipeline.rules if r.can_change is not None or r.fast is not None}
    assert {"encoding/fix-mojibake", "unicode/remove-control-chars", "whitespace/collapse-inline-runs",
            "headings/normalise", "meta/title", "sentences/split-glued"} <= ids
    assert Pipeline(pipeline.rules).fast and not Pipeline(pipeline.rules, fast=False).fast


# --- generated text ---------------------------------------------------------------------

CODECS = ["utf-8", "latin-1", "cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1257",
          "iso-8859-2", "mac_roman", "cp437", "cp850", "koi8-r", "shift_jis", "gb2312"]
SCRIPTS = (
    "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 .,;:!?'\"-()[]&#@/*%$€£¥©®™°±²³µ¶·»«"
    "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßŒœŠšŸŽžƒˆ˜"
    "‘’‚“”„†‡•…‰‹›–—―¦¤¨¬¯¸˘˛˝◊�ªºÂ€™ⓒ"
    "αβγδεζηθΑΒΓΔΞΟάέ абвгдежзВГРСЂЃЉЊЋЏђ ăąćčďđęěğıłńňőřśşţťůűźż"
    "日本語中文한국어 עברית العربية हिन्दी ไทย ☺★♥←→│┌┐└┘├┤┬┴┼═║╔╗╚╝░▒▓█▀▄√∂∆∏∑∞∫≈≠≤≥"
    "\u00a0\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e\u2028\u2029\u3000\u202f\x85"
)
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f\x80\x81\x8d\x8f\x90\x9d\x9f\r\t"
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#8217;", "&#x2019;", "&nbsp;", "&eacute;", "&hellip;",
            "&mdash;", "&copy;", "&bogus;", "& ", "&#0;", "&#xD800;", "<b>", "</p>"]


def _residue(pipeline) -> list[str]:
    lines = []
    for r in _all_rules(pipeline):
        if r.kind == "line":
            for ex in r.examples:
                lines += [line for line in ex.input.split("\n") if line.strip()]
    return sorted(set(lines))


@st.composite
def mojibake(draw) -> str:
    """Real mojibake: text encoded with one codec and decoded with another,
    sometimes twice over."""
    text = draw(st.text(alphabet=SCRIPTS, min_size=1, max_size=30))
    for _ in range(draw(st.integers(1, 2))):
        a, b = draw(st.sampled_from(CODECS)), draw(st.sampled_from(CODECS))
        text = text.encode(a, errors="replace").decode(b, errors=draw(st.sampled_from(["replace", "ignore"])))
    return text


def _pieces(pipeline):
    residue = _residue(pipeline)
    return st.one_of(
        st.text(alphabet=SCRIPTS, max_size=40),
        mojibake(),
        st.text(alphabet=SCRIPTS + CONTROLS, max_size=12),
        st.sampled_from(ENTITIES),
        st.sampled_from(residue),
        st.sampled_from(["The minister signed the agreement in Moscow on Friday, officials said.",
                         "Russia, Pakistan, AK", "## Background", "Background", "=====", "---",
                         "earlier this year.The sources said", "Source:- The Print", "  ", "\t", ""]),
        st.text(max_size=8),
    )


def _documents(pipeline):
    piece = _pieces(pipeline)
    line = st.lists(piece, max_size=6).map(" ".join)
    sep = st.sampled_from(["\n", "\n\n", "\n\n\n", "\r\n", " \n", "\n \n"])
    return st.lists(st.tuples(line, sep), max_size=14).map(lambda ls: "".join(a + b for a, b in ls))


def test_generated_documents_agree(pipeline):
    @given(_documents(pipeline))
    def check(text):
        _same(pipeline, text)

    check()


def test_generated_documents_agree_rule_by_rule(pipeline):
    rules = [r for r in _all_rules(pipeline) if r.can_change is not None or r.fast is not None]

    @given(_documents(pipeline))
    def check(text):
        for r in rules:
            assert _outcome(apply_rules([r], text, fast=True)) == _outcome(apply_rules([r], text, fast=False)), r.id

    check()


@given(st.lists(st.one_of(mojibake(), st.text(alphabet=SCRIPTS + CONTROLS + "\n", max_size=60),
                          st.sampled_from(ENTITIES), st.just("\n")), max_size=20).map("".join))
def test_screened_ftfy_is_ftfy(text):
    assert fix_text_screened(text, MOJIBAKE_CONFIG) == ftfy.fix_text(text, MOJIBAKE_CONFIG)
    if not may_hold_mojibake(text):
        assert ftfy.fix_text(text, MOJIBAKE_CONFIG) == text


@given(st.text(alphabet=SCRIPTS, max_size=10), st.from_regex(BADNESS_RE, fullmatch=True),
       st.text(alphabet=SCRIPTS, max_size=10))
def test_the_screen_finds_every_match_of_ftfys_heuristic(before, bad, after):
    # the screen starts on one atom of each branch of ftfy's BADNESS_RE and checks
    # the atoms before it by looking behind: wherever the branch matches, so must the screen
    text = before + bad + after
    at = MOJIBAKE_SCREEN.search(text, len(before))
    assert at is not None and at < len(before) + len(bad)


@pytest.mark.parametrize("text", [
    "The governmentâ€™s request\nclean line\n", "cafÃ© au lait", "itÃ¢â‚¬â„¢s", "price\x81 list\x9d",
    "Ã la carte\nÂ \n", "voilÃ le travail", "ГўВЂВњhello", "\ud83d\udca9 and \udca9 alone",
    html.unescape("caf&eacute;").encode("utf-8").decode("latin-1"),
])
def test_screened_ftfy_on_known_mojibake(text):
    assert fix_text_screened(text, MOJIBAKE_CONFIG) == ftfy.fix_text(text, MOJIBAKE_CONFIG)
    assert may_hold_mojibake(text)


def test_first_seen_residue_documents_agree(pipeline):
    # lines no earlier test has shown the line screen (a number makes each new), so
    # that the fast path screens them together (cleaner.core.line_screen._judge_together)
    from test_document_screen import EDGES

    prose = "The council met on Tuesday and agreed, after a long debate, to keep the library open."
    for n in range(3):
        lines = [f"{line} {n}" if line.strip() else line for line in EDGES]
        text = "\n\n".join([f"Headline number {n}", prose, *lines[:20], prose, *lines[20:], prose])
        _same(pipeline, text)
        _same(pipeline, text.upper())
