"""The two phases of cleaning with corpus rules, on a corpus held in memory.

:func:`scan_corpus` gathers each corpus rule's statistics, one rule after the
other in pack order: a rule scans the text as the first pass of the engine hands
it to that rule, so the documents are cleaned up to it, with the statistics of
the corpus rules before it already at hand (a document an earlier corpus rule
drops is not offered to the later ones). :func:`clean_corpus` then cleans every
document with all the statistics. The result is what a corpus run writes, and
what a rule's example corpora are checked against.

This module holds the corpus in memory; ``cleaner run`` streams the same phases
unit by unit (see :mod:`cleaner.running.run`).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from cleaner.corpus.model import CorpusContext, CorpusDoc, corpus_of  # noqa: F401  (corpus_of: re-exported)
from cleaner.core.engine import Outcome, Pipeline, apply_rules
from cleaner.core.rule import Rule


def corpus_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The corpus rules among ``rules``, in order."""
    return [r for r in rules if r.kind == "corpus"]


def scan_text(pipeline: Pipeline, rule: Rule, doc: CorpusDoc, text: str, stats: dict[str, Any]) -> str | None:
    """The text ``rule`` scans for ``doc``: the document cleaned up to the rule
    in the engine's first pass, or None when it is dropped or fails before."""
    if not text.strip() and doc.html is None:  # an HTML page is scanned by its page even when nothing was extracted
        return None
    outcome = apply_rules(
        pipeline.rules, text, fast=pipeline.fast, corpus=CorpusContext(doc, stats), stop_before=rule.id
    )
    return None if outcome.status == "dropped" else outcome.text


def scan_corpus(pipeline: Pipeline, corpus: Sequence[tuple[CorpusDoc, str]]) -> dict[str, Any]:
    """Each corpus rule's statistics over ``corpus`` (documents in input order)."""
    stats: dict[str, Any] = {}
    for rule in corpus_rules(pipeline.rules):
        assert rule.scan is not None and rule.statistics is not None
        gathered = rule.statistics(**rule.options)
        for doc, text in corpus:
            try:
                scanned = scan_text(pipeline, rule, doc, text, stats)
            except Exception:  # the clean phase fails this document with the rule's error
                continue
            if scanned is not None:
                gathered.add(doc, rule.scan(scanned, doc))
        stats[rule.id] = gathered
    return stats


def clean_corpus(pipeline: Pipeline, corpus: Sequence[tuple[CorpusDoc, str]], *, trace: bool = False) -> list[Outcome]:
    """Scan, then clean every document of ``corpus`` with the statistics."""
    stats = scan_corpus(pipeline, corpus)
    return [pipeline.clean(text, trace=trace, corpus=CorpusContext(doc, stats)) for doc, text in corpus]


def example_outputs(rule: Rule, docs: Sequence[tuple[CorpusDoc, str]]) -> tuple[str | None, ...]:
    """What ``rule`` alone makes of a small corpus: each document's text, None for
    one it drops (how a corpus rule's examples are checked)."""
    outcomes = clean_corpus(Pipeline([rule], name=rule.id), docs)
    return tuple(None if o.status == "dropped" else o.text for o in outcomes)
