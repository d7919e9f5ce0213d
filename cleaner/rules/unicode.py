"""Invisible and non-canonical characters: byte-order marks, zero-width characters,
soft hyphens, control characters and Unicode normalisation."""

from __future__ import annotations

import unicodedata

import regex

from cleaner.core.rule import Example, rule
from cleaner.core.screens import any_char
from cleaner.core.settled import LINE_BY_LINE

_ZERO_WIDTH = regex.compile("[\u200b\u2060\ufeff\u180e]+")
_SOFT_HYPHEN = "\u00ad"
# C0 controls and DEL. Tab and line feed are text; carriage return, vertical tab
# and form feed are line breaks that whitespace/line-endings rewrites.
_C0_CONTROL = regex.compile("[\x00-\x08\x0e-\x1f\x7f]+")
# C1 controls, left over after encoding/fix-mojibake has read the meaningful ones
# as Windows-1252. NEL (U+0085) is a line break, rewritten by whitespace/line-endings.
_C1_CONTROL = regex.compile("[\x80-\x84\x86-\x9f]+")


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
    can_change=any_char("\u200b", "\u2060", "\ufeff", "\u180e"),
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
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
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
)
def remove_soft_hyphens(text: str) -> str:
    """Remove U+00AD, the invisible hyphenation hint that web pages put inside
    long words; it splits a word in two for a tokenizer.

    Leaves alone: every visible hyphen and dash.
    """
    return text.replace(_SOFT_HYPHEN, "") if _SOFT_HYPHEN in text else text


@rule(
    "unicode/remove-control-chars",
    "Remove C0 control characters and DEL",
    examples=[
        Example("nul\x00 and bell\x07", "nul and bell"),
        Example("tab\tand\nnewline\r\n", note="tab and line breaks are text"),
        Example("caf\u00c3\x81\u00a9", note="C1 controls can be mojibake evidence; another rule owns them"),
    ],
    can_change=any_char(("\x00", "\x08"), ("\x0e", "\x1f"), "\x7f"),
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
)
def remove_control_chars(text: str) -> str:
    """Remove C0 control characters other than tab and the line breaks (LF, CR,
    VT, FF), and DEL.

    Why: NUL bytes, bells and stray escapes are never text, and some tools choke on
    them. In the default pack this runs *before* ``encoding/fix-mojibake``, so that
    a control between two mojibake characters cannot hide them from ftfy until a
    second cleaning.

    Leaves alone: tab, line breaks, C1 controls (``unicode/remove-c1-controls``)
    and every printable or formatting character.
    """
    return _C0_CONTROL.sub("", text)


@rule(
    "unicode/remove-c1-controls",
    "Remove C1 control characters left after encoding repair",
    examples=[
        Example("price\x81 list\x9d", "price list"),
        Example("caf\u00e9 \u00e0 la carte", note="Latin-1 letters are not controls"),
        Example("line\x85next", note="NEL is a line break, whitespace/line-endings' business"),
    ],
    can_change=any_char(("\x80", "\x84"), ("\x86", "\x9f")),
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
)
def remove_c1_controls(text: str) -> str:
    """Remove the C1 control characters U+0080..U+009F (except NEL, a line break).

    Why: in scraped text they are bytes of Windows-1252 text decoded as Latin-1;
    ``encoding/fix-mojibake`` turns those it can read into the right characters
    and runs first. What is left has no meaning as text.

    Leaves alone: every character outside the C1 block.
    """
    return _C1_CONTROL.sub("", text)


@rule(
    "unicode/nfc",
    "Normalise to Unicode NFC",
    examples=[
        Example("cafe\u0301", "café"),
        Example("café ﬁ ＡＢＣ", note="NFC keeps compatibility characters; only NFKC would fold them"),
    ],
    settles=LINE_BY_LINE,  # clean iff each line is: see cleaner.core.settled
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
