"""The C4 filters (Raffel et al. 2020, "Exploring the Limits of Transfer Learning
with a Unified Text-to-Text Transformer", section 2.2), with the parameters of
datatrove's ``C4QualityFilter``, which together they match decision for decision
(tests/test_filters.py; docs/filters.md).

C4 removes lines and drops documents, so it is two rules:

* ``c4/lines``, a line rule: each line C4 would remove goes, and provenance
  records it with C4's reason (no terminal punctuation, fewer than 3 words, a
  word over 1,000 characters, "javascript", a policy or cookie notice). The
  pack runs it as a line pass of its own once each line's characters and spaces
  are clean, before the residue pass: its verdict is the line's alone (it
  settles every kind of change, see :mod:`cleaner.settled`), so the lines it
  removes give no later stage more work and the engine's check pass nothing to
  run again.
* ``c4/document``, a filter at the end: a kept line with "lorem ipsum" or a curly
  bracket drops the document, and so do fewer than 5 sentences in the kept lines.
  It judges each line as ``c4/lines`` does, so its verdict is the same whether or
  not the lines were removed first.

What they leave alone: citation marks ("[1]", "[edit]") are read past when a line
is judged, as C4 does, but stay in the text (cleaner removes only whole lines
here); documents in languages C4 was not made for (``languages``, see
:mod:`cleaner.rules._filters`; ``c4/lines`` follows ``c4/document``'s default,
English, only when a pack disables it for other languages). C4's bad-words list
is not applied (datatrove's quality filter does not either).
"""

from __future__ import annotations

import re
from typing import Any

from cleaner.core.lines import LineContext
from cleaner.core.rule import Example, Judgement, filter_rule, line_rule
from cleaner.rules._filters import judge, not_for_language
from cleaner.rules._measures import _c4_line_cached, c4_document, c4_line_verdicts, judge_c4_line
from cleaner.core.settled import LINE_BY_LINE

SENTENCES = (
    "The river rose overnight. Volunteers filled sandbags at the school. The mayor thanked them.\n"
    "Officials expect the water to fall by Friday. Roads near the bridge stay closed until then.\n"
)


@line_rule(
    "c4/lines",
    "Remove the lines C4 removes: no terminal punctuation, under 3 words, javascript, policy notices",
    where="anywhere",
    settles=LINE_BY_LINE,  # a line's verdict is its own
    alone=True,  # judged on its text alone: the fast line pass asks it without a context
    after="whitespace/collapse-inline-runs",  # --enable places it as the c4 pack does
    examples=[
        Example("Home | News | Sport\nThe river rose overnight, and volunteers filled sandbags.\n",
                "The river rose overnight, and volunteers filled sandbags.\n"),
        Example("Please enable JavaScript to view the comments.\nThe mayor thanked them all.\n",
                "The mayor thanked them all.\n"),
        Example("The mayor thanked the volunteers.[1]\n", note="a citation mark is read past"),
        Example("The lorem ipsum text was left in the template.\n", note="the document goes instead (c4/document)"),
    ],
)
def lines(line: str, ctx: LineContext) -> str | None:
    """C4's line filter with its published settings: a line goes unless it ends in
    ``. ? ! " '`` (not ``...``; citation marks read past), has 3 words or more, no
    word over 1,000 characters, and neither "javascript" nor a policy phrase
    ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of
    cookies", "use cookies"). A line with "lorem ipsum" or a curly bracket stays:
    it drops the whole document (``c4/document``)."""
    found = _VERDICTS.get(line)  # c4/document's verdicts too: one cache, no key to build
    if found is None:
        if _OTHER_BREAKS(line):  # C4 reads lines with str.splitlines: the line goes when all its parts would
            verdicts = [_c4_line_cached(part.strip()) for part in line.splitlines()]
            removed = all(v == "remove" for v, _ in verdicts)
            return next((d for v, d in verdicts if v == "remove"), None) if removed else None
        found = judge_c4_line(line, (), _VERDICTS)
    return found[1] if found[0] == "remove" else None


_VERDICTS = c4_line_verdicts()  # line -> C4's verdict with the published settings


#: line breaks other than "\n" that ``str.splitlines`` (C4's reading) splits on
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]").search


@filter_rule(
    "c4/document",
    "Drop documents C4 drops: fewer than 5 sentences in the lines it keeps, lorem ipsum, curly brackets",
    examples=[
        Example(SENTENCES, note="5 sentences"),
        Example("The river rose overnight. Volunteers came.\n", drops=True, note="2 sentences < 5"),
        Example(SENTENCES + "The page printed {title} where the headline should be.\n", drops=True, note="a kept line with a curly bracket"),
        Example(SENTENCES + "Home\nNews\nSport\n", note="lines C4 removes do not count either way"),
    ],
)
def document(
    text: str,
    meta: dict[str, Any] | None = None,
    *,
    min_num_sentences: int = 5,
    filter_lorem_ipsum: bool = True,
    filter_curly_bracket: bool = True,
    languages: list[str] = ["en"],
) -> Judgement:
    """C4's document filter: among the lines C4 keeps (as ``c4/lines`` judges
    them), one with "lorem ipsum" or a curly bracket drops the document (the
    first such line names the reason), and so do fewer than ``min_num_sentences``
    sentences, counted as spaCy's sentencizer counts them (-1: no minimum)."""
    skip = not_for_language("c4", meta, languages)
    if skip is not None:
        return skip
    return judge("c4", c4_document(
        text, min_num_sentences=min_num_sentences, filter_lorem_ipsum=filter_lorem_ipsum,
        filter_curly_bracket=filter_curly_bracket,
    ))
