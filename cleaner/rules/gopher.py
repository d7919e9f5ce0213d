"""The Gopher quality and repetition filters (Rae et al. 2021, "Scaling Language
Models: Methods, Analysis & Insights from Training Gopher", appendix A.1.1 and
table A1), with the parameters of datatrove's ``GopherQualityFilter`` and
``GopherRepetitionFilter``, which they match decision for decision
(tests/test_filters.py; docs/filters.md explains every difference).

They judge the cleaned text: put after the cleaning rules (``--pack gopher``
adds them at the end of the order), a menu of forty short lines or a page of
link lines is gone before the bullet-line and duplicate-line ratios are taken.
What they leave alone: the text (a filter keeps or drops, never edits), and
documents in languages they were not made for (the ``languages`` option, see
:mod:`cleaner.rules._filters`). An option set to 0 switches its measure off.
"""

from __future__ import annotations

from typing import Any

from cleaner.core.rule import Example, Judgement, filter_rule
from cleaner.rules._filters import judge, not_for_language
from cleaner.rules._measures import (
    GOPHER_DUP_NGRAMS,
    GOPHER_STOP_WORDS,
    GOPHER_TOP_NGRAMS,
    gopher_quality,
    gopher_repetition,
)

PROSE = (
    "The committee met on Tuesday to review the budget for the coming year, and the members agreed that "
    "the library should stay open on Sundays. Several residents had written to the council asking for longer "
    "hours, and the treasurer said that the savings from the new heating system would cover the cost of "
    "two more staff. The vote was unanimous, and the new hours start in March.\n"
)
MENU = "\n".join(f"- Category {n}" for n in range(1, 41)) + "\n"
REPEATED = "Click here to win a prize now.\n" * 20


@filter_rule(
    "gopher/quality",
    "Drop documents outside Gopher's quality bounds (word count, word length, symbols, bullets, ellipses, stop words)",
    examples=[
        Example(PROSE, note="an English paragraph of 60 words"),
        Example(MENU, drops=True, note="a menu: 120 words of which 40 are dashes; the bullet-line ratio is 1.0"),
        Example("Too short to be a document.\n", drops=True, note="6 words < 50"),
        Example(PROSE.replace("the", "#the"), drops=True, note="a hash before every 'the': hash-to-word ratio above 0.1"),
    ],
)
def quality(
    text: str,
    meta: dict[str, Any] | None = None,
    *,
    min_doc_words: int = 50,
    max_doc_words: int = 100000,
    min_avg_word_length: float = 3,
    max_avg_word_length: float = 10,
    max_symbol_word_ratio: float = 0.1,
    max_bullet_lines_ratio: float = 0.9,
    max_ellipsis_lines_ratio: float = 0.3,
    max_non_alpha_words_ratio: float = 0.8,
    min_stop_words: int = 2,
    stop_words: list[str] = list(GOPHER_STOP_WORDS),
    languages: list[str] = ["en"],
) -> Judgement:
    """Gopher's quality filter: a document needs 50 to 100,000 words (words of
    punctuation alone not counted) of mean length 3 to 10 characters; at most
    0.1 hashes and 0.1 ellipses per word; at most 90 % of its lines starting
    with a bullet and 30 % ending with an ellipsis; at least 80 % of words with
    a letter; and two of the stop words "the, be, to, of, and, that, have,
    with". Words are spaCy's English tokens (:mod:`cleaner.rules._tokens`).
    ``max_non_alpha_words_ratio`` keeps datatrove's name for the minimum share
    of words with a letter."""
    skip = not_for_language("gopher", meta, languages)
    if skip is not None:
        return skip
    return judge("gopher", gopher_quality(
        text, min_doc_words=min_doc_words, max_doc_words=max_doc_words, min_avg_word_length=min_avg_word_length,
        max_avg_word_length=max_avg_word_length, max_symbol_word_ratio=max_symbol_word_ratio,
        max_bullet_lines_ratio=max_bullet_lines_ratio, max_ellipsis_lines_ratio=max_ellipsis_lines_ratio,
        max_non_alpha_words_ratio=max_non_alpha_words_ratio, min_stop_words=min_stop_words, stop_words=stop_words,
    ))


@filter_rule(
    "gopher/repetition",
    "Drop documents whose lines, paragraphs or n-grams repeat beyond Gopher's bounds",
    examples=[
        Example(PROSE, note="no line, paragraph or n-gram repeats"),
        Example(REPEATED, drops=True, note="the same line twenty times"),
        Example(PROSE + "\n" + PROSE, drops=True, note="the same paragraph twice: half the paragraphs repeat"),
    ],
)
def repetition(
    text: str,
    meta: dict[str, Any] | None = None,
    *,
    dup_line_frac: float = 0.3,
    dup_para_frac: float = 0.3,
    dup_line_char_frac: float = 0.2,
    dup_para_char_frac: float = 0.2,
    top_n_grams: list[list[float]] = [list(p) for p in GOPHER_TOP_NGRAMS],
    dup_n_grams: list[list[float]] = [list(p) for p in GOPHER_DUP_NGRAMS],
    languages: list[str] = ["en"],
) -> Judgement:
    """Gopher's repetition filter (table A1): at most 30 % of paragraphs and of
    lines repeat an earlier one, holding at most 20 % of the characters; the most
    frequent 2-, 3- and 4-gram covers at most 20 %, 18 % and 16 % of the
    characters; and duplicated 5- to 10-grams at most 15 % down to 10 %.
    ``top_n_grams`` and ``dup_n_grams`` are ``[n, bound]`` pairs."""
    skip = not_for_language("gopher", meta, languages)
    if skip is not None:
        return skip
    return judge("gopher", gopher_repetition(
        text, dup_line_frac=dup_line_frac, dup_para_frac=dup_para_frac, dup_line_char_frac=dup_line_char_frac,
        dup_para_char_frac=dup_para_char_frac, top_n_grams=top_n_grams, dup_n_grams=dup_n_grams,
    ))
