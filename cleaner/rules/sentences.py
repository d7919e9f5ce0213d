"""Sentence-level repairs: sentences that a scraper glued together.

Scrapers that join HTML paragraphs, or strip a ``<br>``, often leave two sentences
with no space between them: "earlier this year.The sources said". Tokenisers then
see one word, ``year.The``, and sentence splitters miss the boundary.

The hard part is what *not* to touch: a full stop followed by a capital letter is
also how URLs (``www.Example.Com``), abbreviations (``U.S.A.``, ``Mr.Smith``),
file names (``report.PDF``) and code (``os.Path``) are written. The rule here is
deliberately narrow (precision before recall) and only ever inserts one space.
"""

from __future__ import annotations

import re
from itertools import accumulate, compress
from typing import Iterable, Iterator

import regex

from cleaner.core.code_blocks import code_lines, may_hold_code
from cleaner.core.rule import Example, rule
from cleaner.core.settled import BLANK_LINES

# Closing marks that may sit between the stop and the next sentence: 'said.”The'.
# ASCII '"' is handled apart (it may open or close); ASCII "'" is left alone
# because it is mostly an apostrophe.
_CLOSERS = "”’)\\]"
_OPENERS = "“‘"

#: Where a glue point may start: stops right after a lower-case letter, then the
#: marks :data:`_GLUE` allows and an upper-case letter. Found at C speed (a stop
#: is the first thing tried); each is then checked with :data:`_GLUE`, whose
#: look-behind for a whole word is the slow part. Every match of ``_GLUE`` starts
#: where one of these does, and none starts inside one (its characters are stops,
#: marks and the upper-case letter, never the lower-case letter a glue point
#: needs before it), so checking these finds what ``_GLUE.finditer`` would.
_CANDIDATE = regex.compile(rf"(?<=\p{{Ll}})[.?!]+[{_CLOSERS}]*\"?[{_OPENERS}]?\p{{Lu}}")

#: A run of stops after what may be a lower-case letter (an ASCII one, or any
#: character beyond ASCII), followed by what may follow a candidate's stops: a
#: closing mark, a quote, an opening mark or an upper-case letter (every one of
#: which is ASCII and listed here, or not ASCII). Standard-library ``re``, which
#: skips to the stops at C speed (the look-behind comes after the first stop, so
#: the search still starts from a stop); see :func:`_candidate_starts`.
_FOLLOWED_STOP = re.compile(
    "[.?!](?<=[a-z\\x80-\\U0010ffff][.?!])[.?!]*(?:["
    + "".join(map(re.escape, _CLOSERS + '"' + _OPENERS))
    + "A-Z]|[^\\x00-\\x7f])"
)


def _candidate_starts(text: str) -> Iterator[int]:
    """The starts of :data:`_CANDIDATE`'s matches in ``text``, in order, as
    ``finditer`` finds them, found from :data:`_FOLLOWED_STOP`'s hits.

    Why exact: a candidate's stops are a whole run of stops (the letter before it
    is lower-case, and after its stops comes a mark or a letter, never another
    stop), the character before the run is one the look-behind above allows (a
    lower-case letter is ``a``-``z`` or not ASCII), and the one after the run one
    of those listed. ``_FOLLOWED_STOP`` matches only from the first stop of a run
    (a stop is not allowed before it) and takes the whole run (a stop never
    follows it), so it finds every candidate's run, and its hits, a run and one
    character that is never a stop, do not overlap the next run. At each hit
    ``_CANDIDATE.match`` (its look-behind sees the text before) decides. No
    candidate lies inside another (a candidate needs a lower-case letter before
    it and holds none), so ``finditer`` skips none."""
    for hit in _FOLLOWED_STOP.finditer(text):
        start = hit.start()
        if _CANDIDATE.match(text, start) is not None:
            yield start


#: One glue point: a lower-case word (a whole word, so "Mr" and "e.g" never
#: qualify), one or more stops, optional closing marks, an optional quote, and an
#: upper-case letter right after. The word sits in a lookbehind so the engine
#: only tries positions that start with a stop.
_GLUE = regex.compile(
    rf"""
    (?<=
      (?<![\p{{L}}\p{{M}}\p{{N}}_'’])        # the word starts here
      (?P<word>\p{{Ll}}+(?:['’]\p{{Ll}}+)*)  # lower-case word, contractions allowed
    )
    (?P<stop>[.?!]+)
    (?P<close>[{_CLOSERS}]*)
    (?P<ascii>"?)
    (?P<open>[{_OPENERS}]?)
    (?=\p{{Lu}})
    """,
    regex.VERBOSE,
)

#: Characters that make a token look like a URL, e-mail, path, markup or code.
_TECHNICAL_CHARS = frozenset("/\\@_=<>{}|~^#$%*+:;`&([")

#: Stop-letter pairs in a token; more than one means a dotted chain (U.S.A.,
#: www.Example.Com, System.Out.println) rather than two glued sentences.
_STOP_BEFORE_LETTER = regex.compile(rf"[.?!]+[{_CLOSERS}\"{_OPENERS}]*\p{{L}}")
_SEGMENT = regex.compile(r"[\p{L}\p{N}]+")
_CAMEL = regex.compile(r"\p{Ll}\p{Lu}")
_TRAILING_PUNCT = regex.compile(rf"[.,;:!?'\"{_CLOSERS}]*")

#: Top-level domains whose name is not also a word or an acronym that commonly
#: starts a sentence ("In", "It", "Is", "US", "EU", "AI", "App", "Online" are
#: left out on purpose, so "year.In 2016" is still repaired; "example.In" is too
#: rare to matter, and dotted chains such as "www.Example.In" are caught anyway).
_TLDS = frozenset(
    """
    com org net edu gov mil int info biz io co ly fm tv xyz dev
    uk ca au de fr es nl ru cn jp br ch se pl dk fi ie nz za kr mx ar tr gr pt cz
    hu ro il sg hk tw pk bd lk np ae sa ua kz vn th ph ng ke gh eg ir iq cl pe ve
    sk si hr rs bg lt lv ee lu gg cc ws
    """.split()
)

#: File extensions (compared case-insensitively). Words that often start a
#: sentence ("So", "In", "AI") are left out.
_EXTENSIONS = frozenset(
    """
    txt pdf doc docx odt rtf xls xlsx ods csv tsv ppt pptx odp json xml yaml yml
    toml ini cfg conf log md rst tex html htm xhtml php asp aspx jsp css scss js
    jsx ts tsx py pyc ipynb rb pl java jar cpp hpp cc cs kt swift rs sh bat ps1
    exe dll dmg iso apk deb rpm msi zip gz tgz tar bz2 xz rar 7z jpg jpeg png gif
    bmp svg webp tif tiff ico heic psd eps mp3 mp4 m4a wav flac ogg avi mov mkv
    webm wmv epub mobi sql db sqlite bak tmp dat bin
    """.split()
)

#: Two-letter words that can end an English sentence ("said to us.They"). Any
#: other two-letter lower-case word before the stop is more likely a module
#: alias in code: os.Path, np.Array, pd.DataFrame, nn.Module, re.Match.
_SENTENCE_FINAL_TWO_LETTER = frozenset(
    "us it me so up in on do go to by at of be no as we he ok oh".split()
)

#: Common code receivers that are not English words: sys.Path, obj.Name.
_CODE_NAMES = frozenset(
    "sys obj plt std cls ctx javax numpy torch json kwargs args cfg".split()
)


def _token_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The whitespace-delimited token around ``text[start:end]``."""
    left = start
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    right = end
    n = len(text)
    while right < n and not text[right].isspace():
        right += 1
    return left, right


def _looks_technical(token: str, after: int, word: str) -> bool:
    """True when a token with a glue point looks like a URL, file name or code.

    ``after`` is the offset in ``token`` of the letter after the stop.
    """
    if word.lower() in _CODE_NAMES:
        return True
    if any(c in _TECHNICAL_CHARS for c in token):
        return True
    lower = token.lower()
    if lower.startswith("www.") or "://" in lower:
        return True
    if len(_STOP_BEFORE_LETTER.findall(token)) > 1:
        return True
    seg = _SEGMENT.match(token, after)
    if seg is None:  # cannot happen: the pattern ends on a letter
        return True
    name = seg.group()
    if _CAMEL.search(name):  # DataFrame, BytesIO: an identifier, not a sentence
        return True
    key = name.lower()
    if key in _TLDS:
        return True
    if key in _EXTENSIONS and _TRAILING_PUNCT.fullmatch(token, seg.end()):
        return True
    return False


def _ascii_quote_closes(text: str, quote_at: int) -> bool:
    """Whether the ASCII '"' at ``quote_at`` closes a quotation: an odd number of
    '"' before it on the same line means one is open."""
    line_start = text.rfind("\n", 0, quote_at) + 1
    return text.count('"', line_start, quote_at) % 2 == 1


@rule(
    "sentences/split-glued",
    "Put a space between sentences glued at a full stop",
    examples=[
        Example(
            "India was informed about the rejection earlier this year.The sources also said",
            "India was informed about the rejection earlier this year. The sources also said",
        ),
        Example(
            "in the hands of terrorists, said the sources.They also added",
            "in the hands of terrorists, said the sources. They also added",
        ),
        Example(
            "manufactured by China – besides other rifles.AK 56 is the Chinese version",
            "manufactured by China – besides other rifles. AK 56 is the Chinese version",
        ),
        Example(
            "“We will not sell,” he said.”The talks ended. Is it true?Nobody knows!Really.",
            "“We will not sell,” he said.” The talks ended. Is it true? Nobody knows! Really.",
            note="after ? and ! and after a closing quote",
        ),
        Example(
            "Read it on ThePrint.com or www.Example.Com, mail user@Mail.Com, see https://x.org/A.Html",
            note="URLs, domains and e-mail addresses",
        ),
        Example(
            "The U.S.A. and the U.S. said J.K. Rowling (J.K.Rowling) met Mr.Smith, e.g.The Times",
            note="abbreviations and initials",
        ),
        Example(
            "Version 3.2 replaced v1.10; sales hit 1.5M. Open report.PDF, IMG_001.JPG or data.CSV",
            note="numbers and file names",
        ),
        Example(
            "Call System.Out.println, obj.Method() or os.Path to see it.",
            note="code",
        ),
        Example(
            "Create the client once.\n\n```\nclass Client:\n    def __init__(self):\n        self.Session = None\n```\n",
            note="lines of code (cleaner.core.code_blocks)",
        ),
    ],
    fast=lambda text: _split_at(text, _candidate_starts(text)),
    settles=BLANK_LINES,  # a glue point lies within one line; what is code reads its neighbours
)
def split_glued_sentences(text: str) -> str:
    """Insert a space where one sentence ends and the next begins with no space:
    "earlier this year.The sources" becomes "earlier this year. The sources".

    A glue point is a full stop, "?" or "!" (possibly followed by closing quotes
    or brackets: 'he said.”The') right after a lower-case word of at least two
    letters and right before an upper-case letter. A lower-case word is the
    strongest sign of running prose: abbreviations and initials ("U.S.A.",
    "J.K.Rowling", "Mr.Smith", "e.g.The") never qualify, and neither do numbers
    ("3.2", "1.5M").

    The whitespace-delimited token around the glue point is then checked, and the
    text is left alone when the token looks technical:

    * URLs, domains and e-mail ("www.Example.Com", "news.Com", "user@Mail.Com",
      "https://x.org/A.Html"): characters such as / @ : or a known top-level
      domain after the stop;
    * file names ("report.PDF", "data.CSV"): a known extension ending the token;
    * code ("System.Out.println", "obj.Method()", "os.Path", "pd.DataFrame"):
      characters such as ( _ =, more than one dotted step in the token, a
      camel-case name after the stop, a two-letter word that cannot end an
      English sentence ("os", "np"), or a common code name ("sys", "obj").

    An ASCII '"' after the stop is treated as closing when an odd number of '"'
    precede it on the line (the space goes after it), otherwise as opening (the
    space goes before it). ASCII "'" after the stop is left alone: it is usually
    an apostrophe.

    Lines of code (fenced, or recognised by their shape, see
    :mod:`cleaner.core.code_blocks`) are left alone: ``self.Session`` is an attribute.

    The rule only ever inserts one space; it never removes or replaces a
    character, and running it twice changes nothing more. It misses glued
    sentences after a capitalised word ("visited Pakistan.The") on purpose:
    that is how abbreviations look.
    """
    return _split_at(text, (candidate.start() for candidate in _CANDIDATE.finditer(text)))


def _split_at(text: str, candidates: Iterable[int]) -> str:
    """:func:`split_glued_sentences`, given where its candidates start, in order."""
    out: list[str] = []
    last = 0
    code: frozenset[int] | None = None  # where lines of code start, read at the first glue point
    for start in candidates:  # most text has none
        m = _GLUE.match(text, start)
        if m is None:
            continue
        word = m.group("word")
        letters = sum(1 for c in word if c.isalpha())
        if letters < 2:
            continue
        if letters == 2 and "’" not in word and "'" not in word:
            if word not in _SENTENCE_FINAL_TWO_LETTER:
                continue
        left, right = _token_bounds(text, m.start("word"), m.end())
        token = text[left:right]
        if _looks_technical(token, m.end() - left, word):
            continue
        if code is None:
            code = _code_line_starts(text)
        if code and text.rfind("\n", 0, start) + 1 in code:
            continue
        if m.group("ascii") and not _ascii_quote_closes(text, m.start("ascii")):
            at = m.start("ascii")  # an opening quote: 'year."The' -> 'year. "The'
        elif m.group("open"):
            at = m.start("open")  # 'year.“The' -> 'year. “The'
        else:
            at = m.end()
        out.append(text[last:at])
        out.append(" ")
        last = at
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _code_line_starts(text: str) -> frozenset[int]:
    """The offsets in ``text`` where its lines of code start (see :mod:`cleaner.core.code_blocks`)."""
    if not may_hold_code(text):
        return frozenset()
    lines = text.split("\n")
    starts = accumulate((len(line) + 1 for line in lines[:-1]), initial=0)
    return frozenset(compress(starts, code_lines(lines)))
