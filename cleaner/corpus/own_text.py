"""HTML path: the page's own text as evidence against the main-text extractor's lines.

With site evidence (:mod:`cleaner.corpus.templates`), the page's whole visible text
minus its site template is the page's *own* text, and ``page/main-text``'s judge
(:func:`cleaner.rules.page.boilerplate_lines` with ``site_evidence=True``) finds its
main text. On news pages that is where trafilatura over-keeps: related-link lists,
category menus, comment sections after the story. A line of trafilatura's output goes
when the combined evidence says it is not the story:

1. **The two agree on the story.** At least :data:`AGREE` of the words of the own
   main text are in trafilatura's text (trafilatura found the same story, and what
   it has beyond it is extra, not a different reading of the page). Otherwise nothing
   is judged.
2. **The line is not in the own main text**: fewer than :data:`LINE_SHARE` of its
   words are words of the own main text (words, not lines: trafilatura lays out
   tables and line breaks differently from the page text).
3. **The page shows it as links, or as prose outside its main text.** A line that the
   page prints as one run of lines (whatever the layout) of mostly text of its own (less
   than :data:`LINK_SHARE` link text) and that is not prose is a heading, a label or a
   spec row of the page's, which the main-text judge cut for its shape alone: it stays.
   Link lists, menus and comment prose go.
4. **Code stays.** A run of three or more code-like lines is the page's
   (DESIGN.md, principle 10): the page text folds a ``<pre>`` block to one line, so it
   has no counterpart to judge by.

Leaves alone: pages of sites without evidence (the own text still holds the
template), pages where main-text finds no main text, lines mostly made of the own main
text's words, and whatever the site template rule already removed.

Measured (docs/corpus.md, "The HTML path"): news-sites HTML + corpus 0.847 → 0.894
(P 0.798 → 0.872), no page lower; sites 0.776 unchanged (documentation 0.756 → 0.754:
five product and reference pages lose up to 0.025, four gain); scrapinghub and
readability have no site with evidence and do not change.
"""

from __future__ import annotations

from typing import Sequence

import regex

from cleaner.core.code_blocks import code_like
from cleaner.rules import page

#: Least share of the own main text's words that must be in trafilatura's text (not
#: fitted: flat from 0.8 to 0.95 on the dev sets).
AGREE = 0.9
#: A line with fewer than this share of its words in the own main text is outside it
#: (fitted leave-one-dataset-out over 0.3, 0.5, 0.7: docs/corpus.md; 0.5 gives news-sites
#: 0.891 and leaves every sites page but one as it was).
LINE_SHARE = 0.7
#: A line the page prints with at least this share of link text is links.
LINK_SHARE = 0.5
#: Consecutive code-like lines that make a block of code.
CODE_RUN = 3

_WORD = regex.compile(r"\w+")


def words(text: str) -> list[str]:
    """The case-folded words of ``text`` (punctuation, table bars and bullets aside)."""
    return _WORD.findall(text.casefold())


def _stopwords(found: list[str]) -> frozenset[str]:
    import justext  # a dependency of trafilatura

    language = page.page_language(found)
    return frozenset(w.lower() for w in justext.get_stoplist(language)) if language else frozenset()


def code_runs(lines: Sequence[str], min_run: int = CODE_RUN) -> set[int]:
    """Indexes of the lines in a run of ``min_run`` or more consecutive code-like
    lines (blank lines do not break a run; a table row, ``| a | b |``, is never code)."""
    found: set[int] = set()
    run: list[int] = []
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        if not line.lstrip().startswith("|") and code_like(line):
            run.append(k)
            continue
        if len(run) >= min_run:
            found.update(run)
        run = []
    if len(run) >= min_run:
        found.update(run)
    return found


class _OwnLines:
    """The own text as one stream of words, each with its line: where a line of
    trafilatura's text is printed on the page, as whole lines (one or several)."""

    def __init__(self, own: Sequence[tuple[str, float]]) -> None:
        self.own = own
        self.stream: list[str] = []
        self.owner: list[int] = []
        self.starts: dict[str, list[int]] = {}
        for i, (line, _) in enumerate(own):
            for j, word in enumerate(words(line)):
                if j == 0:
                    self.starts.setdefault(word, []).append(len(self.stream))
                self.stream.append(word)
                self.owner.append(i)

    def spans(self, found: list[str]) -> list[list[int]]:
        """The runs of whole own lines whose words are ``found``, as their line indexes
        (one per word)."""
        spans = []
        n = len(found)
        for at in self.starts.get(found[0], ()):
            end = at + n
            if end > len(self.stream) or self.stream[at:end] != found:
                continue
            if end == len(self.stream) or self.owner[end] != self.owner[end - 1]:  # ends where a line ends
                spans.append(self.owner[at:end])
        return spans

    def link_share(self, span: list[int]) -> float:
        """The share of link text over a span's words, each word weighing as its line."""
        return sum(self.own[i][1] for i in span) / len(span)


def lines_outside(
    text: str, own: Sequence[tuple[str, float]], *, agree: float = AGREE, line_share: float = LINE_SHARE,
    link_share: float = LINK_SHARE,
) -> list[tuple[int, str]]:
    """The lines of ``text`` (trafilatura's, minus nothing yet) that lie outside the
    main text of the page's own text ``own`` (its lines, each with its share of link
    text: :func:`cleaner.io.page_text.page_lines` less the template), as ``(line
    index, reason)``. The method: the module docs."""
    own_lines = tuple(line for line, _ in own)
    verdicts = page.boilerplate_lines(own_lines, site_evidence=True)
    if not verdicts:
        return []
    main_words = [w for i, line in enumerate(own_lines) if i not in verdicts for w in words(line)]
    if not main_words:
        return []
    main = set(main_words)
    in_text = set(words(text))
    agreement = sum(1 for w in main_words if w in in_text) / len(main_words)
    if agreement < agree:
        return []
    stopwords = _stopwords(main_words)
    stream = _OwnLines(own)
    lines = text.split("\n")
    code = code_runs(lines)
    found = []
    for k, line in enumerate(lines):
        line_words = words(line)
        if not line_words or k in code:
            continue
        inside = sum(1 for w in line_words if w in main)
        if inside >= line_share * len(line_words):
            continue
        spans = stream.spans(line_words)
        links = min((stream.link_share(s) for s in spans), default=None)
        if links is not None and links < link_share and not page.prose_verdict(line.strip(), stopwords)[0]:
            continue  # a heading, label or spec row the page prints as its own text
        if links is None:
            how = "not one run of lines on the page"
        elif links >= link_share:
            how = f"the page prints it as links ({links:.0%} link text)"
        else:
            how = "prose the page has " + verdicts.get(spans[0][0], "in its main text").split(" (")[0]
        found.append((k, f"outside the page's main text: {inside} of {len(line_words)} words in it, {how}; "
                         f"trafilatura has {agreement:.0%} of the main text"))
    return found
