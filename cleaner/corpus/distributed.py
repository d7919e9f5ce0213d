"""The corpus rules' statistics gathered in pieces: by site, by LSH band, then
resolved in input order. The logic a cluster engine (Ray Data:
:mod:`cleaner.integrations.ray_corpus`) runs inside its group-by steps, as plain
functions of plain values, so it is tested without a cluster.

A local run feeds every sketch, in input order, to one :class:`Statistics`
(:func:`cleaner.corpus.scan.scan_corpus`). On a cluster the sketches are spread over
nodes; each rule's statistics are gathered in the way that gives the same result:

* ``corpus/site-template`` (:class:`~cleaner.rules.corpus.TemplateStats`): **by
  site**. Sites are independent: the sketches of one site, in input order, go to one
  :class:`~cleaner.corpus.templates.SiteStats` (:func:`site_statistics`), finished
  there; only the finished statistics (lines on ``min_pages`` pages or more) reach the
  driver.
* ``corpus/duplicates`` (:class:`~cleaner.rules.corpus.DuplicateStats`): **by
  group key** (the exact hash, and each LSH band hash), then **resolved in input
  order** on the driver. What :meth:`~cleaner.corpus.duplicates.DuplicateIndex.offer`
  decides, taken apart:

  1. The exact-hash group (band :data:`EXACT_BAND`): a document is an exact copy of
     the earliest document with its hash (:func:`exact_copies`); that one is
     *indexed* (near-duplicates are indexed too, so indexing does not depend on
     near-duplicate verdicts).
  2. A band group: the index keeps, per band, the *first indexed* document with each
     band hash (``setdefault``), so a document's candidate in a band is the
     earliest document of its (band, hash) group, unless it is that one: every
     other member is compared with the group's first, and with no one else
     (:func:`band_candidates`). Exact copies sit in the same groups as the document
     they copy (same text, same bands), after it, so they are never a group's
     first and change no one's candidate; their own candidates are ignored.
     A pair is confirmed when the signature estimate reaches the cut; confirmed
     pairs are all that leave the group.
  3. On the driver, in input order (:func:`resolve`): a document with confirmed
     candidates is a near-duplicate of the most similar one (the earliest among
     equals), and its cluster keeps what that one's cluster keeps; an exact copy
     names the document it copies and that one's cluster. Earlier documents are
     resolved first, so one pass does it.

  One group-by over ``group_keys`` (15 keys a document) does steps 1 and 2.

* any other corpus rule: **on the driver** (:func:`feed_in_order`): its sketches
  are collected, sorted by position and offered to its statistics one by one, as a
  local run does. Nothing is known of how its statistics could be split.

What it leaves alone: scanning (the engine's first pass up to the rule,
:func:`cleaner.corpus.scan.scan_text`), and how rows are moved between nodes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Literal

from cleaner.corpus import templates
from cleaner.corpus.duplicates import Sketch, Verdict, estimated_jaccard
from cleaner.corpus.model import CorpusDoc, Statistics
from cleaner.core.rule import Rule

Aggregation = Literal["site", "bands", "driver"]

#: The group key's band number for the exact hash (bands are 0 to 13).
EXACT_BAND = -1


def aggregation_of(rule: Rule) -> Aggregation:
    """How ``rule``'s statistics are gathered on a cluster (see the module docs):
    ``"site"`` for the built-in template statistics, ``"bands"`` for the built-in
    duplicate statistics, ``"driver"`` for any other (a subclass too: it may
    change what ``add`` does)."""
    from cleaner.rules.corpus import DuplicateStats, TemplateStats

    if rule.statistics is TemplateStats:
        return "site"
    if rule.statistics is DuplicateStats:
        return "bands"
    return "driver"


# --- site templates ---------------------------------------------------------------

def site_statistics(
    site: str, sketches: Iterable[tuple[int, templates.Sketch]], min_pages: int = templates.MIN_PAGES
) -> templates.SiteStats:
    """One site's finished statistics from its ``(position, sketch)`` pairs, fed in
    position order as a local run feeds them."""
    stats = templates.SiteStats(site)
    for _, sk in sorted(sketches, key=lambda pair: pair[0]):
        stats.add(sk)
    return stats.finished(min_pages)


# --- duplicates ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExactCopy:
    """The document at ``position`` (``id``) has the exact hash of the earlier one
    at ``of_position`` (``of_id``), the first with that hash."""

    position: int
    id: str
    of_position: int
    of_id: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A confirmed LSH candidate: the document at ``position`` (``id``) shares a band
    hash with the indexed document at ``of_position`` (``of_id``), the first indexed
    one with that hash, and their signatures estimate ``jaccard`` (≥ the cut)."""

    position: int
    id: str
    of_position: int
    of_id: str
    jaccard: float


def exact_copies(group: Iterable[tuple[int, str]]) -> tuple[tuple[int, str], list[ExactCopy]]:
    """The ``(position, id)`` documents sharing one exact hash: the first in
    position order (indexed), and the others as its exact copies."""
    ordered = sorted(group)
    if not ordered:
        raise ValueError("an exact-hash group holds at least one document")
    (first_position, first_id), rest = ordered[0], ordered[1:]
    return ordered[0], [ExactCopy(p, i, first_position, first_id) for p, i in rest]


def band_candidates(members: Iterable[tuple[int, str, bytes]], cut: float) -> list[Candidate]:
    """The confirmed candidates of one (band, band hash) group, given as
    ``(position, id, signature)``: each member after the first in position
    order, compared with the first, kept when the estimate reaches ``cut``."""
    ordered = sorted(members, key=lambda m: m[0])
    if len(ordered) < 2:
        return []
    first_position, first_id, first_signature = ordered[0]
    found = []
    for position, doc_id, signature in ordered[1:]:
        jaccard = estimated_jaccard(signature, first_signature)
        if jaccard >= cut:
            found.append(Candidate(position, doc_id, first_position, first_id, jaccard))
    return found


def resolve(
    copies: Iterable[ExactCopy], candidates: Iterable[Candidate]
) -> tuple[dict[int, Verdict], dict[int, str]]:
    """The verdicts of :class:`~cleaner.corpus.duplicates.DuplicateIndex` from the
    exact copies and the confirmed candidates, in any order (a pair found through
    several bands may come more than once; candidates of exact copies are
    ignored): ``(verdict by position, own id by position)`` of every duplicate, as
    :class:`~cleaner.rules.corpus.DuplicateStats` holds them. Memory: one entry per
    duplicate and per confirmed pair."""
    best: dict[int, Candidate] = {}
    exact = {c.position: c for c in copies}
    for c in candidates:
        if c.position in exact:  # not indexed: the index never compares an exact copy
            continue
        held = best.get(c.position)
        if held is None or (c.jaccard, -c.of_position) > (held.jaccard, -held.of_position):
            best[c.position] = c
    kept: dict[int, str] = {}  # position of a near-duplicate -> id of the document its cluster keeps
    verdicts: dict[int, Verdict] = {}
    ids: dict[int, str] = {}
    for position in sorted(exact.keys() | best.keys()):
        if position in exact:
            e = exact[position]
            verdicts[position] = Verdict("exact", e.of_id, kept.get(e.of_position, e.of_id))
            ids[position] = e.id
        else:
            c = best[position]
            verdict = Verdict("near", c.of_id, kept.get(c.of_position, c.of_id), c.jaccard)
            verdicts[position], ids[position] = verdict, c.id
            kept[position] = verdict.kept
    return verdicts, ids


def group_keys(sk: Sketch) -> list[tuple[int, int]]:
    """The groups a document's sketch goes to: ``(EXACT_BAND, exact hash)`` and
    ``(band, band hash)`` for each band; none for an empty text (never a duplicate)."""
    if sk.exact is None:
        return []
    return [(EXACT_BAND, sk.exact), *enumerate(sk.bands)]


def group_findings(
    band: int, members: Iterable[tuple[int, str, bytes]], cut: float
) -> list[ExactCopy | Candidate]:
    """What one group gives, from its ``(position, id, signature)`` members: the
    exact copies (the exact-hash group) or the confirmed candidates (a band group)."""
    if band == EXACT_BAND:
        return list(exact_copies((position, doc_id) for position, doc_id, _ in members)[1])
    return list(band_candidates(members, cut))


def duplicate_verdicts(
    sketches: Iterable[tuple[int, str, Sketch]], cut: float
) -> tuple[dict[int, Verdict], dict[int, str]]:
    """The steps in one process, the groups held in a dict: what a cluster does with
    one group-by, on ``(position, id, sketch)`` in any order. For tests and for
    engines without a shuffle of their own."""
    groups: dict[tuple[int, int], list[tuple[int, str, bytes]]] = defaultdict(list)
    for position, doc_id, sk in sketches:
        for key in group_keys(sk):
            groups[key].append((position, doc_id, sk.signature))
    found = [f for (band, _), members in groups.items() for f in group_findings(band, members, cut)]
    copies = [f for f in found if isinstance(f, ExactCopy)]
    return resolve(copies, [f for f in found if isinstance(f, Candidate)])


# --- any other rule -------------------------------------------------------------------

def feed_in_order(statistics: Statistics, entries: Iterable[tuple[CorpusDoc, Any]]) -> Statistics:
    """Offer ``(doc, sketch)`` pairs to ``statistics`` sorted by the documents'
    positions, as a local run offers them; returns ``statistics``."""
    for doc, sk in sorted(entries, key=lambda entry: entry[0].position):
        statistics.add(doc, sk)
    return statistics
