"""The FineWeb quality filter (Penedo et al. 2024, "The FineWeb Datasets: Decanting
the Web for the Finest Text Data at Scale", section 3.3), with the parameters of
datatrove's ``FineWebQualityFilter``, which it matches decision for decision
(tests/test_filters.py; docs/filters.md).

It judges the cleaned text (``--pack fineweb`` adds it at the end of the order):
its short-line and punctuation ratios are the ones page residue skews most (a
menu of forty short lines). What it leaves alone: the text, and documents in
languages it was not made for (``languages``, see :mod:`cleaner.rules._filters`).
"""

from __future__ import annotations

from typing import Any

from cleaner.core.rule import Example, Judgement, filter_rule
from cleaner.rules._filters import judge, not_for_language
from cleaner.rules._measures import fineweb_quality
from cleaner.rules.gopher import PROSE

MENU = "Home\nNews\nSport\nWeather\nContact us\n" + PROSE


@filter_rule(
    "fineweb/quality",
    "Drop documents FineWeb drops: few lines ending in punctuation, many short lines, duplicated lines, lists",
    examples=[
        Example(PROSE, note="one line of prose"),
        Example(MENU, drops=True, note="5 of 6 lines are short menu entries: 0.83 > 0.67"),
        Example(PROSE + PROSE, drops=True, note="a duplicated line holds half the characters"),
    ],
)
def quality(
    text: str,
    meta: dict[str, Any] | None = None,
    *,
    line_punct_thr: float = 0.12,
    line_punct_exclude_zero: bool = False,
    short_line_thr: float = 0.67,
    short_line_length: int = 30,
    char_duplicates_ratio: float = 0.01,
    new_line_ratio: float = 0.3,
    languages: list[str] = ["en"],
) -> Judgement:
    """FineWeb's quality filter: at least 12 % of the non-blank lines end in
    terminal punctuation (of any script); at most 67 % are 30 characters or
    shorter; lines that repeat an earlier line hold at most 1 % of the
    characters (line breaks not counted); and at most 0.3 line breaks per word
    (spaCy's English tokens). ``line_punct_exclude_zero``: a document with no
    line ending in punctuation passes that measure."""
    skip = not_for_language("fineweb", meta, languages)
    if skip is not None:
        return skip
    return judge("fineweb", fineweb_quality(
        text, line_punct_thr=line_punct_thr, line_punct_exclude_zero=line_punct_exclude_zero,
        short_line_thr=short_line_thr, short_line_length=short_line_length,
        char_duplicates_ratio=char_duplicates_ratio, new_line_ratio=new_line_ratio,
    ))
