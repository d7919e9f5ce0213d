"""Corpus rules: what only shows across documents (see :mod:`cleaner.corpus.model`).

They run in the built-in ``corpus`` pack (``--pack corpus``), which places them
before the residue rules: their scans then need only the cheap character and
whitespace stages, and the residue and page rules work on what they leave.
"""

from __future__ import annotations

from typing import Any

from cleaner.corpus import duplicates
from cleaner.corpus.model import NOTHING, CorpusDoc, CorpusExample, CorpusVerdict
from cleaner.rule import corpus_rule

_STORY = (
    "The council approved the new budget on Tuesday after a long debate about school funding.\n\n"
    "Teachers had asked for more money for classrooms, and the mayor said the city would hire forty more.\n\n"
    "The vote was seven to two, and the new budget takes effect in July after a final reading next month.\n"
)
_OTHER = (
    "Heavy rain closed three roads in the valley on Sunday, and the river rose above its banks near the old mill.\n\n"
    "Emergency crews moved families from twelve houses, and the weather service expects more rain on Monday.\n"
)


class DuplicateStats:
    """The scan's verdicts: which documents repeat an earlier one, by place in the
    corpus. The index of kept documents is needed only while scanning; the clean
    phase gets the verdicts alone (a few bytes per duplicate)."""

    def __init__(self, *, threshold: float = duplicates.THRESHOLD, mark: bool = False) -> None:
        self.index: duplicates.DuplicateIndex | None = duplicates.DuplicateIndex(threshold)
        self.verdicts: dict[int, duplicates.Verdict] = {}

    def add(self, doc: CorpusDoc, sketch: duplicates.Sketch) -> None:
        assert self.index is not None, "statistics from a finished scan take no more documents"
        verdict = self.index.offer(doc.id, sketch)
        if verdict is not None:
            self.verdicts[doc.position] = verdict

    def __getstate__(self) -> dict[str, Any]:
        return {"index": None, "verdicts": self.verdicts}


def _sketch(text: str, doc: CorpusDoc) -> duplicates.Sketch:
    return duplicates.sketch(text)


@corpus_rule(
    "corpus/duplicates",
    "Drop documents that repeat an earlier one: the same normalised text, or word 5-gram Jaccard ≈ 0.75 or more",
    scan=_sketch,
    statistics=DuplicateStats,
    after="whitespace/trailing-spaces",  # before the residue pass: its scan needs only the cheap stages
    examples=[
        CorpusExample((_STORY, _OTHER, _STORY.upper().replace("\n\n", "\n\n\n")), (_STORY, _OTHER, None),
                      note="an exact copy (case and blank lines aside) goes; the first stays"),
        CorpusExample((_STORY, _STORY.replace("forty", "fifty") + "\nShare this story\n"),
                      (_STORY, None), note="an edited copy with other residue is a near-duplicate (Jaccard ≈ 0.80)"),
        CorpusExample((_STORY, _OTHER), note="different stories both stay"),
    ],
)
def drop_duplicates(
    text: str, doc: CorpusDoc, stats: DuplicateStats, *, threshold: float = duplicates.THRESHOLD, mark: bool = False
) -> CorpusVerdict:
    """Drop a document that repeats one earlier in input order: an *exact
    duplicate* (the same text once case, width and whitespace are folded) or a
    *near-duplicate* (MinHash of word 5-grams, 14 bands × 8 rows as in datatrove
    and FineWeb, estimated Jaccard ≥ ``threshold``). The reason names the first
    copy ("near-duplicate of a.txt, Jaccard ≈ 0.91") and ``duplicate_of`` goes to
    the metadata. ``mark = true`` keeps the document and only records the two.

    Leaves alone: the first document of each group (input order decides), the same
    story rewritten by another outlet (low word 5-gram overlap), documents under
    five words (exact copies only). How the threshold was chosen: docs/duplicates.md.
    """
    verdict = stats.verdicts.get(doc.position)
    if verdict is None:
        return NOTHING
    meta = {"duplicate_of": verdict.duplicate_of}
    if mark:
        return CorpusVerdict(meta={**meta, "duplicate": verdict.reason})
    return CorpusVerdict(drop=verdict.reason, meta=meta)
