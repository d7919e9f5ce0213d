"""Bytes to text, recording which encoding was used."""

from __future__ import annotations

import codecs
from typing import Any, NamedTuple

import regex

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", regex.IGNORECASE)

#: Share of NUL bytes above which a file is treated as binary, not text.
BINARY_NUL_SHARE = 0.01


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can identify."""


def _looks_binary(data: bytes) -> bool:
    return data.count(0) > BINARY_NUL_SHARE * len(data)


class Decoded(NamedTuple):
    """Text decoded from bytes, the encoding used (see :func:`encoding_label`), and
    a note when the text may not be exactly what was written: the encoding was
    guessed on little evidence, or invalid bytes were replaced."""

    text: str
    encoding: str
    note: str | None = None


def encoding_label(name: str) -> str:
    """The one form an encoding takes in provenance: Python's canonical codec name
    with hyphens, lower-case (``utf-16-le``, ``cp1252``, ``iso8859-1``,
    ``shift-jis``), whichever spelling found it (``UTF_16_LE``, ``latin-1``,
    ``windows-1252``). Every label is a name ``bytes.decode`` accepts."""
    return codecs.lookup(name).name.replace("_", "-")


def decode_text(data: bytes) -> Decoded:
    """Decode a plain-text file: strict UTF-8 first (most files), then the encoding
    charset-normalizer detects (see :func:`_detect` for the choices made on top).

    A byte-order mark is kept in the text (``unicode/strip-bom`` removes it and
    says so). Raises :class:`DecodeError` for binary data.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16"), "utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_binary(data):
            raise DecodeError("binary file: it contains NUL bytes")
        return Decoded(text, "utf-8")
    if not _looks_binary(data):
        mostly = _mostly_utf8(data)
        if mostly is not None:
            return mostly
    return _detect(data)


def _mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few broken bytes (a truncated download, one bad paste) is UTF-8:
    the broken bytes become U+FFFD and the note says how many. Text in a legacy
    encoding has (almost) no valid multi-byte sequences, so it is not taken for this."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")  # non-ASCII characters
    if broken and valid >= broken:
        return Decoded(text, "utf-8", f"{broken} invalid byte sequence{'s' if broken > 1 else ''} replaced")
    return None


def _detect(data: bytes) -> Decoded:
    """A legacy encoding for bytes that are not UTF-8, by charset-normalizer, with
    two corrections where it misreads Western text:

    * When every byte in 0x80-0x9F is punctuation as the Windows code pages have
      it (:func:`_windows_punctuation`), only the Windows code pages charset-
      normalizer finds readable are candidates: short texts with curly quotes,
      dashes and an ellipsis were read as cp437 or cp850 (``ôhelloö``), whose
      letters lie there. Among those its language scores still choose (cp1254
      for Turkish).
    * Among close candidates, the reading with the fewest misplaced characters,
      then the Windows code page the web uses most (:func:`_prefer_windows`):
      cp1252, not cp1250, when both decode the bytes to the same text.

    The result says it guessed (:func:`_guess_note`) when few bytes lie outside
    ASCII and another candidate reads them differently. Raises
    :class:`DecodeError` when nothing fits (binary data)."""
    from charset_normalizer import from_bytes  # here: most inputs are UTF-8, and its import costs ~20 ms

    matches = list(from_bytes(data))
    if not matches or _looks_binary(data) and not matches[0].encoding.startswith("utf_16"):
        raise DecodeError("not text in any encoding charset-normalizer recognises (binary file?)")
    windows = [m for m in matches if any(name in _WINDOWS_FIRST for name in m.could_be_from_charset)]
    text, encoding = _prefer_windows(windows if windows and _windows_punctuation(data) else matches)
    return Decoded(text, encoding_label(encoding), _guess_note(data, text, matches))


#: Bytes 0x80-0x9F, where the Windows code pages have the punctuation their texts
#: are full of: € (0x80), … (0x85), ‘ ’ “ ” (0x91-0x94), – — (0x96, 0x97). DOS
#: code pages (cp437, cp850) have letters there, Windows-1250 also some letters (ś, Š, ź).
_C1_BYTE = regex.compile(rb"[\x80-\x9f]")
#: The other bytes of 0x80-0x9F.
_OTHER_C1_BYTE = regex.compile(rb"[\x81-\x84\x86-\x90\x95\x98-\x9f]")
#: One of the punctuation bytes between two letters, where only ’ (the apostrophe) stands.
_WEDGED_PUNCTUATION = regex.compile(rb"[A-Za-z][\x80\x85\x91\x93\x94\x96\x97][A-Za-z]")


def _windows_punctuation(data: bytes) -> bool:
    """Whether the bytes in 0x80-0x9F are Windows punctuation: there is at least
    one, none is NUL (UTF-16 has those), and every one is a typical punctuation
    mark (see :data:`_C1_BYTE`) not wedged between two letters (the apostrophe may
    be). A DOS text's "schön" has its 0x94 between letters, and a Central
    European text's ś, Š or „ lie elsewhere in 0x80-0x9F: both stay with the
    detector."""
    if 0 in data or not _C1_BYTE.search(data):
        return False
    return not (_OTHER_C1_BYTE.search(data) or _WEDGED_PUNCTUATION.search(data))


#: Fewer bytes outside ASCII than this are too little evidence to tell legacy
#: encodings apart: the choice is reported as a guess when a rival reads them otherwise.
GUESS_EVIDENCE = 20
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))


def _guess_note(data: bytes, text: str, matches: list[Any]) -> str | None:
    """``"guessed: …"`` when fewer than :data:`GUESS_EVIDENCE` bytes lie outside
    ASCII and one of charset-normalizer's other candidates decodes them to another
    text (named in the note); None otherwise."""
    evidence = len(data) - len(data.translate(None, _NON_ASCII_BYTES))
    if evidence >= GUESS_EVIDENCE:
        return None
    rival = next((m.encoding for m in matches if str(m) != text), None)
    if rival is None:
        return None
    bytes_ = f"{evidence} byte{'s' if evidence > 1 else ''}"
    return f"guessed: only {bytes_} outside ASCII, which {encoding_label(rival)} reads otherwise"


#: Among equally likely single-byte encodings, the ones the web uses most, first.
#: (charset-normalizer lists cp1250 first for plain Western text: "naïve" became "naďve".)
_WINDOWS_FIRST = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258")


def _prefer_windows(matches: list[Any]) -> tuple[str, str]:
    """charset-normalizer's reading among its close candidates (those it scores
    almost as well as its best): the one with the fewest misplaced characters
    (:func:`_misplaced`), then the Windows code page the web uses most, counting
    every encoding a candidate stands for (charset-normalizer groups those that
    decode the bytes to the same text and names the group by its first: cp1250
    for a cp1252 text). Returns ``(text, encoding)``."""
    best = matches[0]
    close = [m for m in matches if m.chaos <= best.chaos + 0.02 and m.coherence >= best.coherence - 0.05]
    misplaced = {id(m): _misplaced(str(m)) for m in close}

    def rank(candidate: tuple[str, Any]) -> tuple[int, int]:
        name, m = candidate
        windows = _WINDOWS_FIRST.index(name) if name in _WINDOWS_FIRST else len(_WINDOWS_FIRST)
        return misplaced[id(m)], windows

    named = [(name, m) for m in close for name in m.could_be_from_charset]
    name, chosen = min(named, key=rank, default=(best.encoding, best))
    return str(chosen), name


#: A symbol or a non-decimal digit (superscripts, fractions) touching a letter, or a
#: quotation mark between two letters (the apostrophe may stand there).
_MISPLACED = regex.compile(r"(?<=\p{L})[\p{S}\p{No}]|[\p{S}\p{No}](?=\p{L})|(?<=\p{L})[‘‚“”„«»](?=\p{L})")


def _misplaced(text: str) -> int:
    """How many characters stand where no writer puts them: ``powiedzia³`` and
    ``£odzi`` (Polish ł and Ł read as cp1252), ``bient“t`` (cp437's ô read as
    cp1252)."""
    return len(_MISPLACED.findall(text))


def decode_html(data: bytes, declared: str | None = None) -> Decoded:
    """Decode an HTML page: strict UTF-8, then the charset the HTTP header
    (``declared``) or the page's ``<meta>`` names, then Windows-1252, which decodes
    any byte (the result then says it guessed).

    Why not hand lxml the bytes: without a declaration it guesses Latin-1 and
    garbles UTF-8 pages.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16"), "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    in_page = _META_CHARSET.search(data[:8192])
    for name in (declared, in_page.group(1).decode("ascii", "replace") if in_page else None):
        if not name:
            continue
        try:
            return Decoded(data.decode(name), encoding_label(name))
        except (LookupError, UnicodeDecodeError):
            pass
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252",
                   "guessed: not UTF-8 and no charset that decodes it declared; read as cp1252, the web's default")
