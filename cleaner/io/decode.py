"""Bytes to text, recording which encoding was used."""

from __future__ import annotations

import codecs
from typing import Any

import regex

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", regex.IGNORECASE)

#: Share of NUL bytes above which a file is treated as binary, not text.
BINARY_NUL_SHARE = 0.01


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can identify."""


def _looks_binary(data: bytes) -> bool:
    return data.count(0) > BINARY_NUL_SHARE * len(data)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a plain-text file: strict UTF-8 first (most files), then the encoding
    charset-normalizer detects. Returns ``(text, encoding)``.

    A byte-order mark is kept in the text (``unicode/strip-bom`` removes it and
    says so). Raises :class:`DecodeError` for binary data.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_binary(data):
            raise DecodeError("binary file: it contains NUL bytes")
        return text, "utf-8"
    if not _looks_binary(data):
        mostly = _mostly_utf8(data)
        if mostly is not None:
            return mostly
    from charset_normalizer import from_bytes  # here: most inputs are UTF-8, and its import costs ~20 ms

    matches = from_bytes(data)
    best = _prefer_windows(matches)
    if best is None or _looks_binary(data) and best.encoding not in ("utf_16", "utf_16_le", "utf_16_be"):
        raise DecodeError("not text in any encoding charset-normalizer recognises (binary file?)")
    return str(best), best.encoding


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few broken bytes (a truncated download, one bad paste) is UTF-8:
    the broken bytes become U+FFFD and the encoding says how many. Text in a legacy
    encoding has (almost) no valid multi-byte sequences, so it is not taken for this."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
    if broken and valid >= broken:
        return text, f"utf-8 ({broken} invalid byte sequence{'s' if broken > 1 else ''} replaced)"
    return None


#: Among equally likely single-byte encodings, the ones the web uses most, first.
#: (charset-normalizer lists cp1250 first for plain Western text: "naïve" became "naďve".)
_WINDOWS_FIRST = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258")


def _prefer_windows(matches: Any) -> Any:
    best = matches.best()
    if best is None:
        return None
    close = {
        m.encoding: m for m in matches
        if m.chaos <= best.chaos + 0.02 and m.coherence >= best.coherence - 0.05
    }
    return next((close[name] for name in _WINDOWS_FIRST if name in close), best)


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode an HTML page: strict UTF-8, then the charset the HTTP header
    (``declared``) or the page's ``<meta>`` names, then Windows-1252, which decodes
    any byte. Returns ``(html, encoding)``.

    Why not hand lxml the bytes: without a declaration it guesses Latin-1 and
    garbles UTF-8 pages.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    in_page = _META_CHARSET.search(data[:8192])
    for name in (declared, in_page.group(1).decode("ascii", "replace") if in_page else None):
        if not name:
            continue
        try:
            return data.decode(name), codecs.lookup(name).name
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"
