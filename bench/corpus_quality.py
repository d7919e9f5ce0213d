"""The corpus mode of bench/quality.py: a dataset's pages cleaned as one corpus.

A user stores scraped pages as a corpus: JSONL with a ``url`` field, or one folder per
site. Here a page's site is the host of its URL (``cleaner.corpus.site.host_of``, as a
run finds it), else the dataset's ``site`` field, else the page's own id (a page
without a URL is a site of its own, so the site-template rule has no evidence for
it; near-duplicates are still found across the whole dataset). The pages go in page
id order, the order a folder lists them in, so the first copy of a duplicate stays.

:func:`clean_as_corpus` runs one pack list over such a corpus with
:func:`cleaner.corpus.scan.clean_corpus` (scan, then clean: what ``cleaner run``
writes), in a worker of quality.py's pool. quality.py runs corpus/duplicates with
``mark = true`` (:data:`MARK`): a copy keeps its own text and is scored as itself,
and :func:`duplicates_found` lists the copies the rule would drop, with its Jaccard
estimate, for a table of their own. Run without ``mark``, :func:`scored_texts`
scores a dropped copy with the text of the copy kept. :func:`harm` counts what the
rules removed from gold texts.

Nothing here scores or prints; quality.py does both.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from cleaner.corpus.model import CorpusDoc
from cleaner.corpus.scan import clean_corpus
from cleaner.corpus.site import host_of
from cleaner.loading.pack import load_pack


#: rule options for a corpus run that measures extraction: duplicates recorded, not dropped
MARK = {"corpus/duplicates": {"mark": True}}
TEMPLATE_RULE = "corpus/site-template"


@dataclass(frozen=True)
class PageResult:
    """One page of a corpus run: its text ("" when dropped or failed), the copy its
    duplicate cluster keeps (when corpus/duplicates dropped or marked it), the
    rule's reason ("near-duplicate of a, Jaccard ≈ 0.91"), whether the page was
    dropped (a run without ``mark``), and the lines rules removed (``(rule id,
    line)``, for do-no-harm)."""

    page: str
    text: str
    duplicate_of: str | None = None
    removed: tuple[tuple[str, str], ...] = ()
    duplicate: str | None = None
    dropped: bool = False


@dataclass(frozen=True)
class Duplicate:
    """A page corpus/duplicates would drop: the copy kept, "exact" or "near", and the
    rule's Jaccard estimate (None for an exact copy)."""

    page: str
    kept: str
    kind: str
    jaccard: float | None


@dataclass
class Harm:
    """Gold tokens lost to a corpus run over the gold texts: ``lost`` of ``total``
    in the texts kept, tokens in removed lines by rule, and the gold texts dropped
    as a duplicate of another gold text (not counted in ``lost``: their copy stays;
    none when the run only marks duplicates)."""

    lost: int = 0
    total: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    dropped_tokens: int = 0

    @property
    def share(self) -> float:
        return self.lost / self.total if self.total else 0.0

    @property
    def template_share(self) -> float:
        """The template rule's own part: gold tokens in the lines it removed, of all."""
        return self.by_rule[TEMPLATE_RULE] / self.total if self.total else 0.0


def site_map(pages: Sequence[str], rows: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each page's site: its URL's host, else its ``site`` field, else its own id."""
    sites = {}
    for page in pages:
        row = rows.get(page) or {}
        sites[page] = host_of(row.get("url")) or row.get("site") or page
    return sites


def as_corpus(texts: Mapping[str, str], sites: Mapping[str, str]) -> list[tuple[CorpusDoc, str]]:
    """The pages as a corpus, in page id order, each with its site."""
    return [(CorpusDoc(page, n, sites[page]), texts[page]) for n, page in enumerate(sorted(texts))]


def evidence(sites: Mapping[str, str], min_pages: int = 3) -> tuple[int, int]:
    """Sites with at least ``min_pages`` pages, and the pages on them (copies of a
    page count here; the template rule counts them once)."""
    counts = Counter(sites.values())
    big = [n for n in counts.values() if n >= min_pages]
    return len(big), sum(big)


_pipelines: dict[tuple[tuple[str, ...], str], Any] = {}


def clean_as_corpus(
    packs: tuple[str, ...], options: dict[str, Any], corpus: list[tuple[CorpusDoc, str]],
    pages: Mapping[str, str] | None = None,
) -> list[PageResult]:
    """``corpus`` through ``load_pack(packs)``, scanned then cleaned as one run;
    ``pages``: each document's HTML page by id, when it has one. A pipeline is
    built once per pack list and options in each worker."""
    key = (packs, json.dumps(options, sort_keys=True))
    pipeline = _pipelines.get(key)
    if pipeline is None:
        pipeline = _pipelines[key] = load_pack(list(packs), options=options)
    if pages:
        corpus = [(replace(doc, html=pages.get(doc.id)), text) for doc, text in corpus]
    results = []
    for (doc, _), outcome in zip(corpus, clean_corpus(pipeline, corpus)):
        removed = tuple((s.rule, s.text or "") for s in outcome.steps if s.action == "removed")
        text = outcome.text if outcome.status == "ok" else ""
        dropped = outcome.status == "dropped"
        duplicate_of = outcome.meta.get("duplicate_of") if dropped or outcome.status == "ok" else None
        reason = outcome.meta.get("duplicate") or (outcome.reason if dropped else None)
        results.append(PageResult(doc.id, text, duplicate_of, removed, reason if duplicate_of else None,
                                  dropped and duplicate_of is not None))
    return results


def scored_texts(results: Sequence[PageResult]) -> dict[str, str]:
    """The text each page is scored with: its own (a marked duplicate too), or for a
    dropped duplicate the text of the copy kept (``duplicate_of`` can name a page
    that is itself a dropped copy: a near-duplicate of a dropped copy joins its
    cluster, so follow it)."""
    by_page = {r.page: r for r in results}

    def kept(r: PageResult) -> PageResult:
        seen = {r.page}
        while r.dropped and r.duplicate_of and r.duplicate_of in by_page and r.duplicate_of not in seen:
            r = by_page[r.duplicate_of]
            seen.add(r.page)
        return r

    return {r.page: kept(r).text for r in results}


def duplicates_dropped(results: Sequence[PageResult]) -> int:
    """Pages corpus/duplicates dropped, or would drop (marked)."""
    return sum(1 for r in results if r.duplicate_of)


_JACCARD = re.compile(r"Jaccard ≈ ([0-9.]+)")


def duplicates_found(results: Sequence[PageResult]) -> list[Duplicate]:
    """The pages corpus/duplicates dropped or marked, in input order, with the rule's
    Jaccard estimate read from its reason (with the copy matched, which for a page
    matched through another copy is not the copy kept)."""
    found = []
    for r in results:
        if r.duplicate_of:
            match = _JACCARD.search(r.duplicate or "")
            kind = "exact" if (r.duplicate or "").startswith("exact") else "near"
            found.append(Duplicate(r.page, r.duplicate_of, kind, float(match.group(1)) if match else None))
    return found


def harm(results: Sequence[PageResult], gold: Mapping[str, str]) -> Harm:
    """What a corpus run over the gold texts (``gold``: page -> gold text) removed."""
    found = Harm()
    for r in results:
        ref = Counter(gold[r.page].split())
        if r.dropped:
            found.dropped += 1
            found.dropped_tokens += sum(ref.values())
            continue
        found.total += sum(ref.values())
        found.lost += sum((ref - Counter(r.text.split())).values())
        for rule_id, line in r.removed:
            found.by_rule[rule_id] += len(line.split())
    return found
