"""Invisible and non-canonical characters: byte-order marks, zero-width characters,
soft hyphens, control characters and Unicode normalisation."""

from __future__ import annotations

import unicodedata

import regex

from cleaner.rule import Example, rule

_ZERO_WIDTH = regex.compile("[\u200b\u2060\ufeff\u180e]+")
_SOFT_HYPHEN = "\u00ad"
# C0 controls except tab and line feed, DEL, and C1 controls. Carriage returns,
# vertical tabs and form feeds are line breaks and belong to whitespace/line-endings,
# which runs first in the default pack.
_CONTROL = regex.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]+")


@rule(
    "unicode/strip-bom",
    "Remove a byte-order mark at the start of the text",
    examples=[
        Example("\ufeffHello", "Hello"),
        Example("Hello", note="no BOM, nothing to do"),
    ],
)
def strip_bom(text: str) -> str:
    """Drop U+FEFF at the very start, where it is a byte-order mark left by a
    decoder that did not consume it.

    Leaves alone: U+FEFF elsewhere (``unicode/remove-zero-width`` owns that).
    """
    return text[1:] if text.startswith("\ufeff") else text


@rule(
    "unicode/remove-zero-width",
    "Remove zero-width spaces and word joiners",
    examples=[
        Example("zero\u200bwidth\u2060joiner", "zerowidthjoiner"),
        Example("می\u200cخواهم and 👩\u200d💻", note="ZWNJ and ZWJ carry meaning in Persian, Indic scripts and emoji"),
    ],
)
def remove_zero_width(text: str) -> str:
    """Remove U+200B zero-width space, U+2060 word joiner, U+FEFF inside the text
    and U+180E Mongolian vowel separator used as a zero-width space.

    Why: they split tokens invisibly, so ``word`` and ``wo\u200brd`` count as two words.

    Leaves alone: U+200C zero-width non-joiner and U+200D zero-width joiner, which
    change how Persian, Arabic and Indic text and emoji sequences are written.
    """
    return _ZERO_WIDTH.sub("", text)


@rule(
    "unicode/remove-soft-hyphens",
    "Remove soft hyphens",
    examples=[
        Example("hyphen\u00adation", "hyphenation"),
        Example("well-known", note="a visible hyphen stays"),
    ],
)
def remove_soft_hyphens(text: str) -> str:
    """Remove U+00AD, the invisible hyphenation hint that web pages put inside
    long words; it splits a word in two for a tokenizer.

    Leaves alone: every visible hyphen and dash.
    """
    return text.replace(_SOFT_HYPHEN, "") if _SOFT_HYPHEN in text else text


@rule(
    "unicode/remove-control-chars",
    "Remove control characters other than tab and line feed",
    examples=[
        Example("nul\x00 and bell\x07", "nul and bell"),
        Example("tab\tand\nnewline", note="tab and line feed are text"),
    ],
)
def remove_control_chars(text: str) -> str:
    """Remove C0 controls (except tab and line feed), DEL and C1 controls.

    Why: NUL bytes, bells and stray escapes are never text, and some tools choke
    on them. Runs after ``encoding/fix-mojibake``, which reads C1 controls as
    evidence of mojibake, and after ``whitespace/line-endings``, which turns
    carriage returns, vertical tabs and form feeds into line breaks.

    Leaves alone: tab, line feed and every printable or formatting character.
    """
    return _CONTROL.sub("", text)


@rule(
    "unicode/nfc",
    "Normalise to Unicode NFC",
    examples=[
        Example("cafe\u0301", "café"),
        Example("café ﬁ ＡＢＣ", note="NFC keeps compatibility characters; only NFKC would fold them"),
    ],
)
def normalize_nfc(text: str) -> str:
    """Compose characters canonically (``e`` + combining acute → ``é``), so the same
    word is always the same code points.

    Leaves alone: compatibility characters (ligatures, full-width forms,
    superscripts), which only NFKC would change and which carry meaning.
    """
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)
