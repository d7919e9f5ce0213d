"""Encoding repairs with ftfy, configured for corpora.

ftfy's defaults also uncurl quotes, fold full-width characters and decompose
ligatures. Those change correct text into a house style, so the default pack
only repairs *broken* encoding; each formatting fix is an opt-in rule of its own
(``encoding/uncurl-quotes``, ``encoding/fold-widths``, ``encoding/decompose-ligatures``).
"""

from __future__ import annotations

from typing import Callable

import ftfy
from ftfy import fixes

from cleaner.core.rule import Example, rule
from cleaner.core.screens import fix_text_screened

#: Only the fixes that undo broken decoding. Line breaks, control characters and
#: Unicode normalisation are separate rules, so ftfy leaves them alone here.
MOJIBAKE_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

#: Layers of mojibake undone at most (text encoded wrongly several times over).
MAX_LAYERS = 4


@rule(
    "encoding/fix-mojibake",
    "Repair text that was decoded with the wrong codec (ftfy)",
    examples=[
        Example("The governmentâ€™s request", "The government’s request"),
        Example("cafÃ© au lait", "café au lait"),
        Example("itÃ¢â‚¬â„¢s", "it’s", note="mojibake of mojibake: both layers are undone"),
        Example("Pakistan’s “proposal”", note="correct curly quotes stay curly"),
        Example("ﬁnancial ＡＢＣ", note="ligatures and full-width letters are left alone"),
        Example("naïve façade, Ελληνικά, 日本語"),
    ],
    fast=lambda text: _fix_layers(text, fix_text_screened),
)
def fix_mojibake(text: str) -> str:
    """Decode mojibake such as ``â€™`` back to ``’`` with ftfy's encoding fixes
    (including C1 controls that are really Windows-1252 and escaped surrogates).

    Why: scraped text is often UTF-8 read as Windows-1252 or Latin-1 somewhere on
    its way; the words are there but unreadable to a tokenizer.

    Leaves alone: correct non-ASCII text in any script, curly quotes, ligatures,
    full-width characters, line breaks, HTML entities and Unicode normalisation
    (other rules own those). ftfy's heuristics are built to leave correct text as
    it is.
    """
    return _fix_layers(text, ftfy.fix_text)


def _fix_layers(text: str, fix_text: Callable[[str, ftfy.TextFixerConfig], str]) -> str:
    """Run ``fix_text`` (ftfy's, or the screened one that only hands ftfy the
    lines it could change, see :mod:`cleaner.core.screens`) until the text is stable."""
    fixed = fix_text(text, MOJIBAKE_CONFIG)
    # ftfy is not always idempotent: undoing one layer can reveal another
    # ("Ã¢â‚¬â„¢" → "â€™" → "’"). Repeat, briefly, so cleaning clean text changes nothing.
    for _ in range(MAX_LAYERS - 1):
        if fixed == text:
            break
        text, fixed = fixed, fix_text(fixed, MOJIBAKE_CONFIG)
    return fixed


@rule(
    "encoding/unescape-html-entities",
    "Decode HTML entities such as &amp; in plain text",
    examples=[
        Example("Tom &amp; Jerry&#8217;s show", "Tom & Jerry’s show"),
        Example("Use <b>&amp;</b> in markup", note="text that contains markup keeps its entities"),
        Example("R&D and AT&T", note="a bare ampersand is not an entity"),
    ],
)
def unescape_html_entities(text: str) -> str:
    """Turn ``&amp;``, ``&quot;``, ``&#8217;`` and friends into the characters
    they stand for.

    Why: scrapers that take text from HTML attributes or feeds leave entities in
    the text; ``&amp;`` is not a word.

    Leaves alone: text that contains a ``<``, which may be markup or code where an
    entity is meant literally (the same guard as ftfy's ``unescape_html="auto"``),
    and ampersands that do not start an entity.
    """
    if "&" not in text or "<" in text:
        return text
    return fixes.unescape_html(text)


@rule(
    "encoding/strip-terminal-escapes",
    "Remove ANSI terminal escape sequences",
    examples=[
        Example("\x1b[31mError\x1b[0m: disk full", "Error: disk full"),
        Example("Press [Esc] to quit", note="bracketed text without an escape character stays"),
    ],
)
def strip_terminal_escapes(text: str) -> str:
    """Remove colour and cursor codes such as ``ESC[31m`` left by text captured
    from a terminal.

    Leaves alone: everything without the ESC character.
    """
    if "\x1b" not in text:
        return text
    return fixes.remove_terminal_escapes(text)


@rule(
    "encoding/uncurl-quotes",
    "Replace curly quotes with straight ones (opt-in)",
    examples=[
        Example("“Hello,” she said, ‘it’s late’", "\"Hello,\" she said, 'it's late'"),
        Example("\"plain\" and 'plain'"),
    ],
    after="encoding/fix-mojibake",
)
def uncurl_quotes(text: str) -> str:
    """Write every curly single and double quote as its ASCII form.

    Not in the default pack: curly quotes are correct text, and some models are
    trained to produce them. Opt in when a downstream tool expects ASCII quotes.
    Leaves alone: guillemets and other quotation marks.
    """
    return fixes.uncurl_quotes(text)


@rule(
    "encoding/fold-widths",
    "Fold full-width and half-width letters to their normal forms (opt-in)",
    examples=[
        Example("ＡＢＣ１２３", "ABC123"),
        Example("ABC 123 カタカナ"),
    ],
    after="encoding/fix-mojibake",
)
def fold_widths(text: str) -> str:
    """Write full-width Latin letters and digits as ordinary ones and half-width
    katakana as full-width, as ftfy's ``fix_character_width`` does.

    Not in the default pack: in CJK text the width can be intended.
    """
    return fixes.fix_character_width(text)


@rule(
    "encoding/decompose-ligatures",
    "Spell out Latin ligatures such as ﬁ (opt-in)",
    examples=[
        Example("ﬁnancial eﬀort", "financial effort"),
        Example("financial effort, æsthetic", note="æ is a letter, not a typographic ligature"),
    ],
    after="encoding/fix-mojibake",
)
def decompose_ligatures(text: str) -> str:
    """Replace typographic ligatures (ﬁ, ﬂ, ﬀ, ...) with their letters, as ftfy's
    ``fix_latin_ligatures`` does; PDF extraction leaves many of them.

    Not in the default pack, though rarely harmful. Leaves alone: letters such as
    æ and œ that are letters of their languages.
    """
    return fixes.fix_latin_ligatures(text)
