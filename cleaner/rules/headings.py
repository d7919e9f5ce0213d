"""Headings in plain text: find them, write them in one style, name the title.

Scraped articles keep their headings as bare lines ("Pakistan’s proposals to
Russia" between two paragraphs), as Markdown (``## Background``), as setext
(a line underlined with ``===`` or ``---``) or in capitals. :func:`find_headings`
recognises all of these without changing anything; the rules built on it write
them in one style (``headings/normalise``) or take the first one as the title
(``meta/title``).

Detection leans towards precision: a body paragraph must never be taken for a
heading, so every heuristic asks for short lines, blank lines around them and
no sentence-final punctuation, and skips list items and code (fenced, or
recognised by its shape: see :mod:`cleaner.core.code_blocks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Literal, Sequence, get_args

import regex

from cleaner.core.code_blocks import code_lines, lines_may_hold_code
from cleaner.core.lines import is_prose, split_lines
from cleaner.core.rule import Example, meta_rule, rule
from cleaner.core.settled import BLANK_LINES

HeadingKind = Literal["markdown", "setext", "title", "label", "short-line", "caps"]

#: A title line (the document's first line): at most this many words and characters.
TITLE_MAX_WORDS = 20
TITLE_MAX_CHARS = 150
#: A short line between paragraphs: at most this many words and characters.
SHORT_MAX_WORDS = 12
SHORT_MAX_CHARS = 120
#: An all-capitals line: at most this many words, and this many words with letters at least.
CAPS_MAX_WORDS = 10
CAPS_MIN_WORDS = 2
#: The paragraph after a short-line heading: at least this many words.
PARAGRAPH_MIN_WORDS = 8
#: A setext underline: at least this many "=" or "-".
UNDERLINE_MIN = 3
#: A first line followed by a list is a label ("Ingredients") up to this many words.
LABEL_MAX_WORDS = 3

HeadingStyle = Literal["markdown", "plain", "keep"]
STYLES: tuple[str, ...] = get_args(HeadingStyle)


@dataclass(frozen=True)
class Heading:
    """A heading line found by :func:`find_headings`.

    ``index`` is the 0-based line index, ``text`` the heading without markup,
    ``underline`` the index of a setext heading's underline (else ``None``).
    """

    index: int
    level: int
    text: str
    kind: HeadingKind
    underline: int | None = None


# ``# Text``, ``## Text ##``: up to three spaces of indent, 1-6 hashes, a space.
_ATX = regex.compile(r" {0,3}(#{1,6})[ \t]+(.*?)[ \t\r]*")
_CLOSING_HASHES = regex.compile(r"(?:^|[ \t]+)#+$")
# Text that would itself read as an ATX opener once written out.
_ATX_START = regex.compile(r"#{1,6}(?:\s|$)")
_UNDERLINE = regex.compile(rf" {{0,3}}(?:={{{UNDERLINE_MIN},}}|-{{{UNDERLINE_MIN},}})[ \t\r]*")
_FENCE = regex.compile(r" {0,3}(?:```|~~~)")
_INDENTED = regex.compile(r"(?: {4}|\t)")
_LIST_ITEM = regex.compile(
    r"(?:[-*+•·▪◦‣⁃–—>](?:\s|$)"  # bullets and quote marks
    r"|\d{1,3}[.)](?:\s|$)"  # 1. x, 1) x
    r"|[A-Za-z][.)]\s"  # a) x, B. x
    r"|[IVXLivxl]{1,5}[.)]\s"  # IV. x
    r"|\(\w{1,3}\)\s)"  # (a) x
)
_LETTER = regex.compile(r"\p{L}")
_CLOSERS = "'\"”’»)]"
_OPEN_END = ".,;:…"
_BYLINE = regex.compile(r"(?:By|BY)\s+\p{Lu}")


# --- greetings and sign-offs ----------------------------------------------------------
#
# The first line of a forum post or a letter ("Hi all", "Dear Sir") and its last
# ("Thanks", "Kind regards") stand alone between blank lines, short and without a
# full stop: the shape of a title or a heading. They are never either. But the
# same words make headings elsewhere ("Love" in a horoscope, "Beste Reisezeit" in
# a travel guide, "Cara Delevingne" over a profile), so each is tested where it
# stands: a greeting or a salutation on the first non-blank line only (the
# opening), a sign-off anywhere only when it cannot be a heading's text, else
# only after the last prose line (the closing). The lists hold English and the
# common European languages, case-folded, as the line reads without its closing
# punctuation; extend them here.

#: Words that open a greeting: alone ("Hello!"), or before a word of
#: :data:`GREETED` ("Hi all", "Hallo zusammen").
GREETING_WORDS = frozenset({
    "hi", "hello", "hey", "hiya", "howdy", "greetings", "good morning", "good afternoon",
    "good evening", "hallo", "servus", "moin", "grüß gott", "guten tag", "guten morgen",
    "bonjour", "bonsoir", "salut", "coucou", "hola", "buenos días", "buenas", "buenas tardes",
    "ciao", "salve", "buongiorno", "buonasera", "olá", "oi", "bom dia", "boa tarde", "hoi",
    "goedemorgen", "goedendag", "dag", "hej", "hejsan", "hei", "moi", "cześć", "witam",
    "witajcie", "dzień dobry", "ahoj", "dobrý den", "szia", "γεια σας", "привет",
    "здравствуйте",
})
#: Who a greeting greets ("Hi all", "Bonjour à tous").
GREETED = frozenset({
    "all", "everyone", "everybody", "guys", "folks", "there", "team", "friends", "people",
    "y'all", "community", "forum", "zusammen", "leute", "alle", "allerseits", "ihr", "à tous",
    "à toutes", "tout le monde", "a todos", "amigos", "a tutti", "tutti", "a todos", "pessoal",
    "allemaal", "iedereen", "allihopa", "alle sammen", "wszystkim", "wszystkich",
})
#: Words that open a letter's salutation whatever name or title follows ("Dear
#: John", "Sehr geehrte Frau Meier", "Geachte heer Jansen").
SALUTATION_WORDS = frozenset({
    "dear", "dearest", "sehr geehrte", "sehr geehrter", "sehr geehrtes", "estimado",
    "estimada", "estimados", "egregio", "prezado", "prezada", "geachte", "szanowny",
    "szanowna", "szanowni", "vážený", "vážená",
})
#: Words that open a salutation only before a form of address (:data:`ADDRESSED`
#: or :data:`GREETED`: "Liebe Freunde", "Cari amici", "Chère Madame") or with the
#: salutation's comma or "!" after the name ("Liebe Anna,"): alone before a name
#: they are ordinary words and names ("Beste Reisezeit", "Cara Delevingne").
SALUTATION_WORDS_BEFORE_ADDRESS = frozenset({
    "liebe", "lieber", "liebes", "hallo", "cher", "chère", "chers", "chères", "madame",
    "monsieur", "querido", "querida", "queridos", "caro", "cara", "cari", "gentile",
    "gentili", "beste", "lieve", "kære", "kæreste", "kjære", "bästa", "kära", "drogi",
    "droga", "drodzy", "milý", "milá",
})
#: Forms of address after a salutation word ("Dear Sir", "Liebe Kolleginnen und Kollegen").
ADDRESSED = frozenset({
    "sir", "sirs", "madam", "madame", "mr", "mrs", "ms", "miss", "mister", "dr", "prof",
    "professor", "colleague", "colleagues", "customer", "customers", "member", "members",
    "friend", "friends", "herr", "frau", "damen", "herren", "kollege", "kollegen",
    "kollegin", "kolleginnen", "freund", "freundin", "freunde", "mitglieder", "kunde",
    "kundin", "kunden", "eltern", "monsieur", "messieurs", "mesdames", "ami", "amie", "amis",
    "collègue", "collègues", "client", "cliente", "clients", "clientes", "señor", "señora",
    "señores", "señorita", "amigo", "amiga", "amigos", "amigas", "signor", "signore",
    "signora", "signori", "amico", "amica", "amici", "collega", "colleghi", "clienti",
    "senhor", "senhora", "mevrouw", "meneer", "heer", "heren", "dames", "klant", "vrienden",
    "pan", "pani", "państwo", "pane", "paní",
})
#: Whole lines that close a letter or a post ("Thanks", "Kind regards", "Mit
#: freundlichen Grüßen", "Cordialement"), optionally followed by a comma and a
#: name ("Thanks, Anna").
SIGN_OFFS = frozenset({
    "thanks", "thank you", "thanks a lot", "thanks in advance", "thanks again", "many thanks",
    "thanks so much", "thank you so much", "thank you in advance", "thx", "ty", "tia",
    "cheers", "regards", "best regards", "kind regards", "warm regards", "warmest regards",
    "best wishes", "all the best", "best", "sincerely", "yours sincerely", "sincerely yours",
    "yours faithfully", "yours truly", "faithfully", "respectfully", "cordially", "love",
    "with love", "take care", "bye", "see you", "greetings", "salutations",
    "danke", "vielen dank", "danke schön", "danke im voraus", "besten dank", "gruß", "grüße",
    "viele grüße", "liebe grüße", "beste grüße", "herzliche grüße", "freundliche grüße",
    "mit freundlichen grüßen", "mfg", "lg", "vg", "tschüss", "bis bald",
    "merci", "merci beaucoup", "merci d'avance", "merci par avance", "cordialement",
    "bien cordialement", "bien à vous", "amitiés", "bisous", "à bientôt",
    "gracias", "muchas gracias", "gracias de antemano", "saludos", "un saludo",
    "saludos cordiales", "atentamente", "un abrazo", "abrazos", "hasta luego",
    "grazie", "grazie mille", "grazie in anticipo", "saluti", "cordiali saluti",
    "distinti saluti", "un saluto", "a presto",
    "obrigado", "obrigada", "muito obrigado", "muito obrigada", "abraços", "abraço",
    "atenciosamente", "cumprimentos", "beijos",
    "bedankt", "dank je", "dank u", "dank je wel", "dank u wel", "groeten", "groetjes",
    "met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groeten",
    "hartelijke groeten", "mvg",
    "tack", "tack så mycket", "hälsningar", "med vänlig hälsning", "vänliga hälsningar",
    "mvh", "tak", "mange tak", "hilsen", "med venlig hilsen", "venlig hilsen",
    "med vennlig hilsen", "vennlig hilsen", "kiitos", "terveisin",
    "dziękuję", "dzięki", "pozdrawiam", "pozdrowienia", "z poważaniem", "serdecznie pozdrawiam",
    "děkuji", "díky", "s pozdravem", "köszönöm", "üdvözlettel", "спасибо", "с уважением",
})
#: Sign-offs that are also ordinary words, names or abbreviations when they stand
#: as a heading ("Love" in a horoscope, "Best", "LG" in a phone review): sign-offs
#: only at the closing, after the last prose line.
SIGN_OFFS_AT_CLOSING_ONLY = frozenset({
    "best", "love", "with love", "greetings", "salutations", "take care", "see you", "bye",
    "all the best", "best wishes", "thx", "ty", "tia", "mfg", "lg", "vg", "mvg", "mvh",
    "tschüss", "bis bald", "amitiés", "bisous", "à bientôt", "un abrazo", "abrazos",
    "hasta luego", "a presto", "abraços", "abraço", "beijos", "tak", "hilsen", "gruß",
})
_CLOSING = regex.compile(r"[^\p{L}\p{N}]+$")
_NAME_WORD = regex.compile(r"\p{Lu}[\p{L}.'’-]*")
# the lists as the lines are compared: case-folded ("grüße" reads "grüsse")
(
    _GREETING_WORDS, _GREETED, _SALUTATION_WORDS, _SALUTATION_WORDS_BEFORE_ADDRESS, _ADDRESSED,
    _SIGN_OFFS, _SIGN_OFFS_AT_CLOSING_ONLY,
) = (
    frozenset(map(str.casefold, words))
    for words in (
        GREETING_WORDS, GREETED, SALUTATION_WORDS, SALUTATION_WORDS_BEFORE_ADDRESS, ADDRESSED,
        SIGN_OFFS, SIGN_OFFS_AT_CLOSING_ONLY,
    )
)


def _folded(line: str) -> str:
    """A line as the lists read it: case-folded, without closing punctuation, commas
    as spaces, one space between words."""
    return " ".join(_CLOSING.sub("", line.strip().casefold()).replace(",", " ").split())


def _names(words: Sequence[str]) -> bool:
    """One to three words, each capitalised: a name ("Anna", "Mr Smith")."""
    return 0 < len(words) <= 3 and all(map(_NAME_WORD.fullmatch, words))


def is_greeting(line: str) -> bool:
    """True for a line that opens a post or a letter: a greeting alone or with
    whom it greets ("Hello", "Hi everyone", not "Hello World"), or a salutation
    with the addressed after it, up to three words: any name after "Dear" or
    "Sehr geehrte" (:data:`SALUTATION_WORDS`), a form of address (:data:`ADDRESSED`,
    :data:`GREETED`) or a name closed by "," or "!" after "Liebe", "Cara",
    "Beste"... (:data:`SALUTATION_WORDS_BEFORE_ADDRESS`): "Liebe Anna," and
    "Cari amici" are salutations, "Cara Delevingne" and "Beste Reisezeit" not."""
    text = _folded(line)
    if text in _GREETING_WORDS:
        return True
    words = text.split(" ")
    raw = _CLOSING.sub("", line.strip()).replace(",", " ").split()
    closed = line.rstrip().endswith((",", "!"))
    for n in (1, 2, 3):
        opener, rest = " ".join(words[:n]), words[n:]
        if opener in _GREETING_WORDS and " ".join(rest) in _GREETED:
            return True
        if not 0 < len(rest) <= 3 or len(raw) != len(words):
            continue
        if opener in _SALUTATION_WORDS and (_names(raw[n:]) or rest[0] in _ADDRESSED or rest[0] in _GREETED):
            return True
        if opener in _SALUTATION_WORDS_BEFORE_ADDRESS and (
            rest[0] in _ADDRESSED or " ".join(rest) in _GREETED or (closed and _names(raw[n:]))
        ):
            return True
    return False


def is_sign_off(line: str, *, closing: bool = True) -> bool:
    """True for a line that closes a post or a letter: a phrase of
    :data:`SIGN_OFFS`, alone or followed by a comma and a name ("Thanks, Anna").
    With ``closing=False`` (a line followed by more prose) the phrases of
    :data:`SIGN_OFFS_AT_CLOSING_ONLY` do not count: mid-text, "Love" and "Best"
    are headings."""
    head, comma, name = line.strip().partition(",")
    if comma and _names(_CLOSING.sub("", name.strip()).split()):
        line = head
    text = _folded(line)
    return text in _SIGN_OFFS and (closing or text not in _SIGN_OFFS_AT_CLOSING_ONLY)


def is_greeting_or_sign_off(line: str) -> bool:
    """True for a line that greets or signs off wherever it stands ("Hi all",
    "Dear Sir", "Hallo zusammen!", "Thanks in advance", "Kind regards,"): see
    :func:`is_greeting` and :func:`is_sign_off`. :func:`find_headings` asks more:
    a greeting counts on the first line only, "Love" or "Best" only at the close."""
    return is_greeting(line) or is_sign_off(line)


def _words(s: str) -> list[str]:
    return s.split()


def _ends_open(s: str) -> bool:
    """Ends like a sentence or a clause (. , ; : …), closing quotes aside."""
    core = s.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _OPEN_END


def _parse_atx(line: str) -> tuple[int, str] | None:
    """Level and text of a Markdown ATX heading line, or None."""
    m = _ATX.fullmatch(line)
    if m is None:
        return None
    text = m.group(2).strip()
    while True:  # "Text ## ##" -> "Text": closing runs go, whatever their number
        stripped = _CLOSING_HASHES.sub("", text).rstrip()
        if stripped == text:
            break
        text = stripped
    if not _usable_text(text):
        return None
    return len(m.group(1)), text


def _usable_text(text: str) -> bool:
    """Heading text that reads back the same once written in either style: it has
    a letter, does not open like a heading or a code fence, and does not end in a
    run of hashes that Markdown would take for closing markup."""
    return (
        bool(_LETTER.search(text))
        and not _ATX_START.match(text)
        and not _FENCE.match(text)
        and not _CLOSING_HASHES.search(text)
    )


def _is_list_item(s: str) -> bool:
    return bool(_LIST_ITEM.match(s))


def _is_paragraph(line: str) -> bool:
    """A line of running text that may follow a short-line heading."""
    s = line.strip()
    return (
        len(_words(s)) >= PARAGRAPH_MIN_WORDS
        and _parse_atx(line) is None
        and not _is_list_item(s)
        and not _FENCE.match(line)
    )


def _mostly_words(s: str) -> bool:
    """At least half the words contain a letter: not a date or a number line."""
    words = _words(s)
    return 2 * sum(map(bool, map(_LETTER.search, words))) >= len(words)  # mapped in C


def _tag_like(s: str) -> bool:
    """A comma-separated run of short items ("Russia, Pakistan, AK"): a tag line."""
    parts = s.split(",")
    return len(parts) >= 3 and all(len(_words(p)) <= 3 for p in parts)


def _is_caps(s: str) -> bool:
    """Written in capitals: no lower-case letter, and capitals for half the
    letters at least (a line of Chinese with "UFAA" in it is not), in two words
    at least that hold letters (a lone "FAQ", "SELECT" or "EUR 34.42" is a label,
    a keyword or a value)."""
    # str.isupper, str.islower and str.isalpha of each character, mapped in C
    if any(map(str.islower, s)):
        return False
    upper = sum(map(str.isupper, s))
    if upper < 2 or 2 * upper < sum(map(str.isalpha, s)):
        return False
    return sum(1 for word in _words(s) if _LETTER.search(word)) >= CAPS_MIN_WORDS


def _fits(s: str, max_words: int, max_chars: int) -> bool:
    return len(_words(s)) <= max_words and len(s) <= max_chars


def find_headings(lines: Sequence[str]) -> list[Heading]:
    """Find the heading lines of a plain text given as lines (without line breaks).

    Pure: nothing is changed. Kinds, tried in this order for each line:

    * ``markdown``: ``#`` to ``######``, a space, text; closing hashes dropped.
    * ``setext``: a line of at most 20 words, preceded by a blank line or the
      start, underlined by ``===`` (level 1) or ``---`` (level 2), three signs at
      least. A ``---`` after a blank line is a horizontal rule, not a heading.
    * ``title`` (level 1): the first non-blank line, followed by a blank line and
      more text; at most 20 words and 150 characters; not ending in . , ; : (? and
      ! are fine).
    * ``label`` (level 2): such a first line of at most three words followed by a
      list ("Ingredients", "Table of contents"): it names the list, not the
      document, so ``meta/title`` does not take it.
    * ``caps`` (level 2): every cased letter upper-case, capitals half the
      letters at least, at most 10 words (two with letters at least), a blank
      line or the start before, a blank line after, and text somewhere after that.
    * ``short-line`` (level 2): a line between blank lines, at most 12 words and
      120 characters, starting with an upper-case letter or digit, not ending in
      . , ; :, followed by a paragraph of at least 8 words.

    Never headings: list items ("- x", "• x", "1. x", "a) x"), lines of code
    (fenced, or by shape: a Python comment is not a heading; see
    :mod:`cleaner.core.code_blocks`), lines indented by four spaces, lines without a
    letter; unless written as headings (``markdown``, ``setext``), a greeting or
    salutation on the first line ("Hi all", "Dear Sir"; :func:`is_greeting`) and
    a sign-off ("Thanks", "Mit freundlichen Grüßen"; :func:`is_sign_off`), one
    that is also an ordinary word ("Love", "Best") only after the last prose
    line; tag lines ("Russia, Pakistan, AK"),
    bylines ("By Jane Doe"), date-like lines ("March 3, 2019") for the last two
    kinds.
    """
    n = len(lines)
    stripped = list(map(str.strip, lines))
    code = code_lines(lines) if lines_may_hold_code(lines) else [False] * n
    first = next((i for i, s in enumerate(stripped) if s), -1)

    def after(i: int) -> int:  # the first non-blank line after line i, or -1
        return next((j for j in range(i + 1, n) if stripped[j]), -1)

    def closing(i: int) -> bool:  # no prose line after line i: a letter's close
        return not any(map(is_prose, lines[i + 1 :]))

    def signs_off(i: int, s: str) -> bool:  # a sign-off, "Love" or "Best" only at the close
        return is_sign_off(s) and (is_sign_off(s, closing=False) or closing(i))  # the closing read only then

    found: list[Heading] = []
    underlines: set[int] = set()
    # the cheap tests first: most lines fail them (only an ATX heading may
    # follow a non-blank line)
    for i, s in enumerate(stripped):
        if not s or code[i] or i in underlines:
            continue
        line = lines[i]
        if s[0] == "#":
            atx = _parse_atx(line)
            if atx is not None:
                found.append(Heading(i, atx[0], atx[1], "markdown"))
                continue
        if i > 0 and stripped[i - 1]:
            continue  # no blank line (or the start) before
        # every other kind needs an underline next (its first non-blank character
        # "=" or "-"), or a blank line next and a line that does not end open
        nxt = stripped[i + 1][:1] if i + 1 < n else None
        if nxt != "=" and nxt != "-" and (nxt != "" or _ends_open(s)):
            continue
        if _INDENTED.match(line) or not _usable_text(s) or _is_list_item(s):
            continue

        if (
            i + 1 < n
            and not code[i + 1]
            and _UNDERLINE.fullmatch(lines[i + 1])
            and _fits(s, TITLE_MAX_WORDS, TITLE_MAX_CHARS)
            and not _ends_open(s)
        ):
            level = 1 if lines[i + 1].lstrip().startswith("=") else 2
            found.append(Heading(i, level, s, "setext", underline=i + 1))
            underlines.add(i + 1)
            continue

        blank_after = i + 1 < n and not stripped[i + 1]
        if not blank_after or _ends_open(s):
            continue
        following = after(i)
        if following < 0:
            continue

        # the greeting and sign-off tests (pure, like every test here) are asked last,
        # only of lines every other test would make headings: most candidates fail sooner
        if i == first:
            if not _fits(s, TITLE_MAX_WORDS, TITLE_MAX_CHARS) or not _LETTER.search(stripped[following]):
                continue
            if is_greeting(s) or signs_off(i, s):
                continue
            if _is_list_item(stripped[following]) and len(_words(s)) <= LABEL_MAX_WORDS:
                found.append(Heading(i, 2, s, "label"))
            else:
                found.append(Heading(i, 1, s, "title"))
            continue

        if _tag_like(s) or _BYLINE.match(s) or not _mostly_words(s):
            continue
        if _is_caps(s) and len(_words(s)) <= CAPS_MAX_WORDS:
            if not signs_off(i, s):
                found.append(Heading(i, 2, s, "caps"))
            continue
        if (
            (s[0].isupper() or s[0].isdigit())
            and _fits(s, SHORT_MAX_WORDS, SHORT_MAX_CHARS)
            and not code[following]
            and _is_paragraph(lines[following])
            and not signs_off(i, s)
        ):
            found.append(Heading(i, 2, s, "short-line"))
    return found


def _split_eol(line: str) -> tuple[str, str]:
    """A line and its trailing carriage return, if any (CRLF text split on LF)."""
    return (line[:-1], "\r") if line.endswith("\r") else (line, "")


def headings_of(text: str) -> list[Heading]:
    """The headings of ``text`` (split on line feeds, carriage returns aside)."""
    lines = split_lines(text)
    return find_headings([_split_eol(line)[0] for line in lines] if "\r" in text else lines)


# a line holding nothing but whitespace between two line feeds (str.strip and the
# stdlib's \s agree on what whitespace is)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def may_have_headings(text: str) -> bool:
    """False only when :func:`headings_of` finds nothing in ``text``: a Markdown
    heading needs a "#", a setext one its "==" or "--" underline, and every other
    kind a blank line after it and text after that. Most texts without blank
    lines are settled by four C-speed searches instead of a pass over their lines."""
    return "#" in text or "==" in text or "--" in text or _BLANK_LINE.search(text) is not None


_last: tuple[str, list[Heading]] = ("", [])


def _headings_of_remembered(text: str) -> list[Heading]:
    """:func:`headings_of`, remembering the last text: ``meta/title`` reads the
    text ``headings/normalise`` left unchanged, and the engine's check pass reads
    the same text again. The answer depends on the text alone, so it is exact."""
    global _last
    last = _last  # one read: the pair stays consistent even across threads
    if last[0] is not text and last[0] != text:
        last = _last = (text, headings_of(text) if may_have_headings(text) else [])
    return list(last[1])


@rule(
    "headings/normalise",
    "Write detected headings in one style",
    examples=[
        Example(
            "Russia rejects Pakistan request for 50,000 AK rifles\n\n"
            "The Russian government has rejected Pakistan’s request to buy new rifles.",
            "# Russia rejects Pakistan request for 50,000 AK rifles\n\n"
            "The Russian government has rejected Pakistan’s request to buy new rifles.",
            note="the first line is the title",
        ),
        Example(
            "India was informed about the rejection earlier this year.\n\n"
            "Pakistan’s proposals to Russia\n\n"
            "Pakistan’s proposal had surprised many in the Indian establishment.",
            "India was informed about the rejection earlier this year.\n\n"
            "## Pakistan’s proposals to Russia\n\n"
            "Pakistan’s proposal had surprised many in the Indian establishment.",
            note="a short line between paragraphs",
        ),
        Example(
            "Background\n==========\n\nRussia and Pakistan had in 2015 signed a deal for helicopters.",
            "# Background\n\nRussia and Pakistan had in 2015 signed a deal for helicopters.",
            note="setext: the underline goes",
        ),
        Example(
            "The agencies had flagged many other proposals made by Pakistan.\n\n"
            "He declined to comment.\n\n"
            "Russia and Pakistan had in 2015 signed a deal for four attack helicopters.",
            note="a short sentence between paragraphs is not a heading",
        ),
        Example(
            "You will need the following things for this recipe.\n\n"
            "- Flour\n- Two eggs\n\n"
            "Mix everything together in a large bowl and stir it well.",
            note="list items are not headings",
        ),
        Example(
            "The first part of the story ends here, said the author.\n\n---\n\n"
            "The second part begins years later in a small town by the sea.",
            note="a --- after a blank line is a horizontal rule",
        ),
        Example("Just one line of text without a full stop", note="a one-line document has no title"),
        Example(
            "## Background\n\nRussia and Pakistan signed a deal for helicopters.",
            note="already Markdown",
        ),
        Example(
            "Hi all\n\nI have a problem with my router, it keeps dropping the connection every night at ten.\n\n"
            "Thanks\n\nI use the firmware that came with the box, version two of last year.",
            note="a greeting and a sign-off are never headings",
        ),
        Example(
            "Sehr geehrte Damen und Herren\n\nich schreibe Ihnen wegen der Straße vor meinem Haus, die seit März gesperrt ist.",
            note="a salutation, in German",
        ),
        Example(
            "Ingredients\n\n- 2 eggs\n- 200 g flour\n\nMix everything together in a large bowl and stir it well.",
            "## Ingredients\n\n- 2 eggs\n- 200 g flour\n\nMix everything together in a large bowl and stir it well.",
            note="a first line that names a list is a heading, not the title",
        ),
    ],
    fast=lambda text, *, style="markdown": _normalise(text, style, _headings_of_remembered),
    settles=BLANK_LINES,  # a line keeps its blank line before and after, so the same headings are found
)
def normalise_headings(text: str, *, style: HeadingStyle = "markdown") -> str:
    """Write every heading that :func:`find_headings` detects in one style.

    * ``markdown``: ``"#" * level + " " + text``; setext underlines are removed.
      A title is level 1, a short line or a capitals line level 2.
    * ``plain``: Markdown markup is stripped (``## Text`` -> ``Text``) and setext
      underlines are removed; bare headings stay as they are.
    * ``keep``: the text is returned unchanged (to switch the rule off in a pack).

    Why: a corpus with headings in one style is easier to split into sections,
    and a model does not learn four ways to write the same thing.

    Left alone: the heading's words (only markup and indentation change), every
    line that is not a heading, code. Running the rule twice
    gives the result of running it once. In ``plain`` style, a blank line is
    kept where dropping markup would put a heading right above a ``---`` or
    ``===`` line (which would read as a setext underline).
    """
    return _normalise(text, style, headings_of)


def _normalise(text: str, style: str, find: Callable[[str], list[Heading]]) -> str:
    if style not in STYLES:
        raise ValueError(f"headings/normalise: style must be one of {', '.join(STYLES)}, not {style!r}")
    if style == "keep" or not text:
        return text
    headings = find(text)
    if not headings:
        return text
    lines = split_lines(text)
    new: dict[int, str] = {}
    drop: set[int] = set()
    for h in headings:
        eol = _split_eol(lines[h.index])[1]
        if style == "markdown":
            new[h.index] = "#" * h.level + " " + h.text + eol
        elif h.kind == "markdown":
            new[h.index] = h.text + eol
            nxt = h.index + 1
            if nxt < len(lines) and _UNDERLINE.fullmatch(lines[nxt]):
                new[h.index] += "\n" + eol  # keep "Text" from reading as setext
        if h.underline is not None:
            nxt = h.underline + 1
            if style == "plain" and nxt < len(lines) and _UNDERLINE.fullmatch(lines[nxt]):
                new[h.underline] = eol  # same reason: the next line is an underline too
            else:
                drop.add(h.underline)
    return "\n".join(new.get(i, line) for i, line in enumerate(lines) if i not in drop)


@meta_rule(
    "meta/title",
    "Take the first heading as the document's title",
    examples=[
        Example(
            "Russia rejects Pakistan request for 50,000 AK rifles\n\n"
            "The Russian government has rejected Pakistan’s request to buy new rifles.",
            meta={"title": "Russia rejects Pakistan request for 50,000 AK rifles"},
        ),
        Example(
            "## Pakistan’s proposals\n\n"
            "Pakistan’s proposal had surprised many in the Indian establishment.",
            meta={"title": "Pakistan’s proposals"},
        ),
        Example(
            "The Russian government has rejected the request to buy rifles, officials said.\n\n"
            "Background\n\n"
            "Pakistan had sent in a proposal to buy a consignment of rifles last year.",
            meta={},
            note="the first heading comes after prose: a section, not the title",
        ),
        Example("Just one line of text without a full stop", meta={}),
        Example(
            "Dear Sir\n\nI am writing to complain about the state of the road outside my house since March.",
            meta={},
            note="a salutation is not a title",
        ),
        Example(
            "## Ingredients\n\n- 2 eggs\n- 200 g flour\n\nMix everything together in a large bowl and stir it well.",
            meta={},
            note="the label of a list is not the document's title",
        ),
    ],
    fast=lambda text: _title(text, _headings_of_remembered),
    settles=BLANK_LINES,  # the same headings, and no blank line is prose
)
def first_heading_title(text: str) -> dict[str, Any]:
    """Return ``{"title": ...}`` with the text of the first heading, when that
    heading stands in the head of the document: no prose line (see
    :func:`cleaner.core.lines.is_prose`) comes before it. Otherwise return ``{}``.

    Why: scraped articles carry their headline as the first line; keeping it as
    metadata lets a corpus filter or deduplicate by title.

    Left alone: a heading after the first paragraph is a section heading, not the
    title, so a document that opens with prose has no title; nor has one that opens
    with a list's label (at most three words above a list: "Ingredients", "##
    Contents"), or with a greeting ("Hi all" is never a heading). The text is never changed.
    """
    return _title(text, headings_of)


def _names_a_list(heading: Heading, lines: Sequence[str]) -> bool:
    """A heading of at most :data:`LABEL_MAX_WORDS` words whose next non-blank
    line is a list item: a label ("Ingredients"), however it is written."""
    if len(_words(heading.text)) > LABEL_MAX_WORDS:
        return False
    start = heading.index + 1 if heading.underline is None else heading.underline + 1
    following = next((line.strip() for line in lines[start:] if line.strip()), "")
    return _is_list_item(following)


def _title(text: str, find: Callable[[str], list[Heading]]) -> dict[str, Any]:
    lines = split_lines(text)
    headings = find(text)
    if not headings:
        return {}
    head = headings[0]
    if _names_a_list(head, lines) or any(is_prose(line) for line in lines[: head.index]):
        return {}
    return {"title": head.text}
