"""The documents of the filter parity test (tests/test_filters.py): at least 1,000
texts, built deterministically from the texts that ship with the tests (the seeds,
the golden files, tests/pages) and from generated edge cases.

* the texts as they are, and windows of their lines (1 to 80 lines), so that
  word, sentence and line counts fall on both sides of every bound;
* prose with page residue mixed in: menus, bullet lists, hash tags, ellipses,
  repeated lines and paragraphs, short lines, in growing amounts;
* C4's cases: citation marks, "lorem ipsum", curly brackets, "javascript",
  policy phrases, words over 1,000 characters, lines ending in "...";
* the tokenizer's hard cases (contractions, abbreviations, URLs, emoticons,
  units, quotes, dashes, punctuation of other scripts) sprinkled into prose;
* line breaks and spaces of every kind (``\\r\\n``, form feeds, U+2028, tabs,
  no-break spaces, runs of blank lines).

Nothing here comes from ../shared: tests must not need it.
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = sorted(
    [*(HERE.parent / "seeds").glob("*.txt"), *(HERE / "golden").glob("*.txt"), *(HERE / "pages").glob("*.txt")]
)

MENU = ["Home", "News", "Sport", "Weather", "Business", "Contact us", "About", "Log in", "Subscribe", "Search"]
TOKENS = [
    "don't", "can't", "won't", "y'all", "I'm", "it's", "they'd've", "gonna", "cannot", "Dont", "ain't",
    "U.S.", "e.g.", "i.e.", "a.m.", "p.m.", "Mr.", "Dr.", "St.", "etc.", "vs.", "No.", "Jan.", "Calif.",
    "https://example.com/a/b?c=1", "www.example.org", "user@example.com", "example.com/path",
    ":)", ":-(", "(:", "):]", "[:", ":]", "<3", "^_^", "o.O", "¯\\_(ツ)_/¯", "(ಠ_ಠ)",
    "3.5km", "10kg", "$10", "£5.99", "€20", "100%", "5°C", "1/2", "24/7", "2x", "3rd", "1990s", "'90s",
    "e-mail", "well-known", "state-of-the-art", "--", "—", "–", "...", "…", "....", "?!", "!!!",
    '"quoted"', "'single'", "“curly”", "‘curly’", "«guillemets»", "(parens)", "[brackets]", "{braces}",
    "#hashtag", "@handle", "C++", "C#", ".NET", "node.js", "A.", "B.C.", "O'Neill", "rock'n'roll",
    "naïve", "café", "Zürich", "日本語", "中文。", "हिन्दी।", "ع؟", "Ελληνικά;", "Привет!", "x²", "½",
    "&amp;", "&", "+", "=", "*", "**bold**", "_under_", "~", "|", "\\", "/", "§3", "¶", "•", "·",
    "'s", "’s", "n't", "’", "''", "``", "1,000", "1.000,50", "12:30", "2024-01-01", "+44", "#1",
]
JUNK = ["- Share this", "• Item", "#news #world #today", "Read more...", "Loading…", "Click here", "Advertisement",
        "Terms of use", "Privacy policy", "This site uses cookies.", "Please enable JavaScript to continue.",
        "Copyright 2024 Example Media Group, all rights reserved.", "Follow us on social media!"]
C4_LINES = [
    "The study was published in 2019.[1]", "The bridge opened in 1932.[citation needed]",
    "History [edit]", "Early life.[edit]", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "The template shows {name} instead of the author's name.", "This page needs JavaScript to work properly.",
    "By using this site you agree to our terms of use.", "We use cookies to improve your experience.",
    "The list goes on and on...", 'He said "this is the end."', "It was 'fine'", "Really?", "Stop!",
    "One two.", "Three words here.", "x" * 1001 + " is a very long word.", "A sentence. Another one. And a third.",
    "Mr. Smith went to Washington. He stayed there.", "U.S. officials said so. Others disagreed.",
    "The end of the line: ", "Trailing spaces after the stop.   ", "\tIndented sentence with a tab.",
]
SPACES = ["\r\n", "\x0c", "\u2028", "\x0b", "\x85", "\t", "\u00a0", "  ", "\n\n\n", " \n", "\u3000"]


def _sources() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in SOURCES]


def documents(minimum: int = 1000) -> list[str]:
    """The parity test's documents, the same on every run."""
    rng = random.Random(24)
    texts = _sources()
    lines = [line for t in texts for line in t.split("\n")]
    prose = [line for line in lines if len(line.split()) >= 8]
    paragraphs = [p for t in texts for p in t.split("\n\n") if p.strip()]
    docs: list[str] = list(texts) + ["", " ", "\n", "word", "...", "#", "- a\n- b\n"]

    def window() -> str:
        size = rng.choice([1, 2, 3, 5, 8, 12, 20, 40, 80])
        start = rng.randrange(max(1, len(lines) - size))
        return "\n".join(lines[start : start + size])

    for _ in range(260):  # windows of the shipped texts
        docs.append(window())
    for _ in range(160):  # prose and residue, in growing shares
        body = [rng.choice(prose) for _ in range(rng.randint(1, 12))]
        junk = [rng.choice(JUNK + MENU) for _ in range(rng.randint(0, 3 * len(body)))]
        mixed = body + junk
        if rng.random() < 0.5:
            rng.shuffle(mixed)
        docs.append("\n".join(mixed))
    for _ in range(120):  # repetition: lines, paragraphs, n-grams
        base = [rng.choice(prose) for _ in range(rng.randint(2, 10))]
        kind = rng.randrange(4)
        if kind == 0:
            base += [rng.choice(base)] * rng.randint(1, 6)
        elif kind == 1:
            para = rng.choice(paragraphs)
            docs.append("\n\n".join([para] * rng.randint(1, 3) + [rng.choice(paragraphs) for _ in range(rng.randint(1, 4))]))
            continue
        elif kind == 2:
            words = rng.choice(prose).split()
            phrase = " ".join(words[: rng.randint(2, 10)])
            base.insert(rng.randrange(len(base) + 1), " ".join([phrase] * rng.randint(2, 8)))
        else:
            base = [line.replace(" ", " #", rng.randint(0, 6)) for line in base]
        docs.append("\n".join(base))
    for _ in range(140):  # C4's lines
        body = [rng.choice(prose) for _ in range(rng.randint(0, 8))]
        body += [rng.choice(C4_LINES) for _ in range(rng.randint(1, 6))]
        rng.shuffle(body)
        docs.append("\n".join(body))
    for _ in range(160):  # the tokenizer's hard cases
        words = " ".join(rng.choice(prose) for _ in range(rng.randint(1, 6))).split()
        for _ in range(rng.randint(1, 30)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(TOKENS))
        glue = rng.random()
        text = " ".join(words) if glue < 0.5 else "".join(w + rng.choice([" ", " ", "\n", ""]) for w in words)
        docs.append(text)
    for _ in range(120):  # lists, bullets and ellipses near Gopher's and FineWeb's bounds
        n = rng.randint(3, 60)
        mark = rng.choice(["- ", "• ", "  - ", "* ", "1. ", ""])
        end = rng.choice(["", ".", "...", "…", "!"])
        items = [mark + " ".join(rng.choice(prose).split()[: rng.randint(1, 12)]) + end for _ in range(n)]
        items += [rng.choice(prose) for _ in range(rng.randint(0, n // 3))]
        rng.shuffle(items)
        docs.append("\n".join(items))
    for _ in range(80):  # line breaks and spaces of every kind
        text = window()
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(SPACES) + text[i:]
        docs.append(text.replace("\n", rng.choice(["\n", "\r\n", "\n\n"])) if rng.random() < 0.3 else text)
    while len(docs) < minimum:
        docs.append(window())
    return docs
