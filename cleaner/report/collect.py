"""What the report shows, gathered from a run's provenance in one streaming pass.

Memory is bounded whatever the provenance's size: per rule a few counters and at most
:data:`EXAMPLES` examples (each cut to :data:`EXAMPLE_CHARS`); the :data:`TOP`
documents that lost most (a heap); a fixed histogram; per language (the first
:data:`LANGUAGES`) and per site with template removals (the first :data:`SITES_TRACKED`)
a few counters, the rest counted together (a site without a template line costs nothing);
:data:`CLUSTERS` duplicate clusters of :data:`COPIES` copies; :data:`SAMPLES`
documents for the side-by-side diffs. Nothing depends on the order of a dict or on
chance: the same provenance gives the same report.

Examples are the first ones met, spread across sites: once a rule has its
:data:`EXAMPLES`, an example from a site it has none of yet takes the place of the
latest one from its most represented site.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from cleaner.corpus.duplicates import kept_in_reason
from cleaner.corpus.removals import TEMPLATE_RULE, UNKNOWN_SITE, site_in_reason

#: Examples kept per rule.
EXAMPLES = 10
#: Characters kept of one example's text (the rest is said to be cut).
EXAMPLE_CHARS = 400
#: Documents listed as those that lost most.
TOP = 20
#: Steps kept per listed document.
TOP_STEPS = 60
#: Bins of the histogram of the share removed per kept document (0-10 %, ..., 90-100 %).
BINS = 10
#: Duplicate clusters kept, and copies kept per cluster.
CLUSTERS = 50
COPIES = 10
#: Documents shown side by side, before and after.
SAMPLES = 6
#: Documents that may be asked for by id (``--diff ID``).
MOST_CHOSEN = 50
#: Reasons counted per dropping rule (a filter's reasons are labels without values: few); the rest
#: are counted together as :data:`OTHER_REASONS`.
LABELS = 50
OTHER_REASONS = "(other reasons)"
#: Sites whose largest template block keeps its text (the first met), lines and characters of it kept.
SITES_WITH_TEXT = 2000
BLOCK_LINES = 8
BLOCK_CHARS = 160
#: Sites listed with their template removals (those with most lines removed).
SITES = 100
#: Sites counted one by one (the first met); the template removals of the others are counted together
#: (:attr:`Collected.other_sites`), so that a crawl of millions of sites costs no more.
SITES_TRACKED = 20_000
#: Languages counted one by one (the first met; ``meta.language`` may come from the input's
#: metadata, any string); the rest are counted together as :data:`OTHER_LANGUAGES`.
LANGUAGES = 500
OTHER_LANGUAGES = "(other)"
DUPLICATE_RULE = "corpus/duplicates"


@dataclass
class Example:
    """One thing a rule did to one document."""

    doc: str
    text: str  # what went (a removed line), else the rule's reason, else its size
    chars: int  # characters it removed (negative: added)
    line: int | None = None
    cut: bool = False
    site: str = ""


@dataclass
class RuleFigures:
    fired: int = 0  # steps, as the manifest's ``rules`` counts them
    chars_removed: int = 0  # in kept documents, as the manifest's ``characters`` counts them
    chars_added: int = 0
    documents: int = 0
    examples: list[Example] = field(default_factory=list)
    example_sites: Counter = field(default_factory=Counter)  # examples kept per site, to spread them

    def offer(self, example: Example) -> None:
        """Keep ``example`` if the rule has fewer than :data:`EXAMPLES`, or if its
        site is new to the rule (then in place of the latest from the most represented site)."""
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)
            self.example_sites[example.site] += 1
            return
        sites = self.example_sites
        if sites.get(example.site):
            return
        most, count = max(sites.items(), key=lambda kv: (kv[1], kv[0]))
        if count < 2:
            return
        index = max(i for i, e in enumerate(self.examples) if e.site == most)
        self.example_sites[most] -= 1
        self.example_sites[example.site] += 1
        self.examples[index] = example


@dataclass
class SiteFigures:
    lines: int = 0
    pages: int = 0
    chars: int = 0
    block_lines: int = 0  # the largest run of consecutive template lines on one page
    block_doc: str = ""
    block_text: list[str] = field(default_factory=list)
    keeps_text: bool = True


@dataclass
class TopDocument:
    removed: int
    share: float
    doc: str
    chars_before: int
    chars_after: int
    steps: list[dict[str, Any]]  # its first :data:`TOP_STEPS`, for its row in the list


@dataclass
class Collected:
    """Everything the report needs from provenance (see the module docs)."""

    documents: int = 0
    status: Counter = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    rules: dict[str, RuleFigures] = field(default_factory=dict)
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)
    unchanged: int = 0  # kept documents nothing was removed from
    languages: Counter = field(default_factory=Counter)
    language_chars: Counter = field(default_factory=Counter)
    sites: dict[str, SiteFigures] = field(default_factory=dict)
    other_sites: SiteFigures = field(default_factory=SiteFigures)  # beyond :data:`SITES_TRACKED`
    clusters: dict[str, list[str]] = field(default_factory=dict)
    duplicate_kinds: Counter = field(default_factory=Counter)
    duplicates: int = 0
    drop_rules: Counter = field(default_factory=Counter)
    #: (rule, reason without its values) -> documents; at most :data:`LABELS` reasons per rule
    drop_labels: Counter = field(default_factory=Counter)
    _labels_of: Counter = field(default_factory=Counter)
    light: bool = False  # some removal had no text (a light provenance)
    _top: list[tuple[int, int, int]] = field(default_factory=list)  # (removed, -position, slot)
    _top_docs: dict[int, TopDocument] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    #: the document that lost most, as the side-by-side view needs it (:data:`SAMPLE_STEPS` steps)
    most: dict[str, Any] | None = None
    _most_key: tuple[int, int] | None = None
    chosen: list[dict[str, Any]] = field(default_factory=list)  # the documents asked for by id
    _sample_at: list[int] = field(default_factory=list)

    @property
    def top(self) -> list[TopDocument]:
        """The documents that lost most characters, most first (ties: the earlier first)."""
        order = sorted(self._top, key=lambda t: (-t[0], -t[1]))
        return [self._top_docs[slot] for _, _, slot in order]


def site_of(record: dict[str, Any]) -> str:
    """A document's site: its URL's host (metadata, WARC source), else its input file's folder."""
    meta = record.get("meta") or {}
    source = record.get("source") or {}
    url = meta.get("url") or source.get("url") or (source.get("extra") or {}).get("url")
    if isinstance(url, str) and url:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if host:
            return host
    return str(source.get("path") or "").rpartition("/")[0]


def _cut(text: str) -> tuple[str, bool]:
    return (text, False) if len(text) <= EXAMPLE_CHARS else (text[:EXAMPLE_CHARS], True)


class Collector:
    """Feed it provenance lines in order (:meth:`add_line`), then read :attr:`found`.
    ``total``: the run's document count (the manifest's), to spread the diff samples."""

    def __init__(self, total: int = 0, wanted: frozenset[str] = frozenset()) -> None:
        self.found = Collected()
        self.wanted = wanted
        self.position = 0
        step = max(total // SAMPLES, 1) if total else 1
        self.found._sample_at = [i * step for i in range(SAMPLES)]

    def add_line(self, line: str) -> None:
        if line.strip():
            self.add(json.loads(line))

    def add(self, record: dict[str, Any]) -> None:
        found = self.found
        position = self.position
        self.position += 1
        found.documents += 1
        status = record.get("status") or ""
        found.status[status] += 1
        before = record.get("chars_before") or 0
        after = record.get("chars_after") or 0
        found.chars_in += before
        found.chars_out += after
        doc = str(record.get("id"))
        steps = record.get("steps") or []
        site = site_of(record)
        kept = status not in ("dropped", "failed")
        touched: set[str] = set()
        for step in steps:
            self._step(step, doc, site, kept, touched)
        for rule in touched:
            found.rules[rule].documents += 1
        if any(s.get("rule") == TEMPLATE_RULE for s in steps):
            self._templates(steps, doc)
        language = (record.get("meta") or {}).get("language")
        if isinstance(language, str) and language:
            if language not in found.languages and len(found.languages) >= LANGUAGES:
                language = OTHER_LANGUAGES
            found.languages[language] += 1
            if kept:
                found.language_chars[language] += after
        if status == "dropped":
            last = steps[-1] if steps else {}
            if last.get("action") == "dropped":
                rule = last.get("rule", "")
                found.drop_rules[rule] += 1
                why = last.get("why") or record.get("reason") or ""
                if rule == DUPLICATE_RULE:
                    self._duplicate(doc, why)
                    label = "near-duplicate" if why.startswith("near") else "exact duplicate"
                else:
                    label = last.get("label") or why
                self._drop_label(rule, label)
        if kept and before > 0:
            removed = before - after
            share = max(removed, 0) / before
            found.histogram[min(int(share * BINS), BINS - 1)] += 1
            if removed <= 0:
                found.unchanged += 1
            else:
                self._offer_top(removed, share, position, record)
            if touched and self._wants_sample(position):  # changed: lost characters, or only changed some
                found.samples.append(_sample(record))
        if doc in self.wanted and len(found.chosen) < MOST_CHOSEN:
            found.chosen.append(_sample(record))

    def _step(self, step: dict[str, Any], doc: str, site: str, kept: bool, touched: set[str]) -> None:
        action = step.get("action")
        if action == "kept":
            return
        rule = step.get("rule", "")
        figures = self.found.rules.get(rule)
        if figures is None:
            figures = self.found.rules[rule] = RuleFigures()
        figures.fired += 1
        touched.add(rule)
        delta = (step.get("chars_before") or 0) - (step.get("chars_after") or 0)
        if kept and not (action == "changed" and "why" in step):
            if delta > 0:
                figures.chars_removed += delta
            else:
                figures.chars_added -= delta
        text = step.get("text")
        if text is None and action == "removed":
            self.found.light = True
        if len(figures.examples) >= EXAMPLES and figures.example_sites.get(site):
            return  # the common case on a big run: nothing to copy
        if text is None:
            text = step.get("why") or _size_of(action, delta)
        body, cut = _cut(str(text))
        figures.offer(Example(doc, body, delta, step.get("line"), cut, site))

    def _templates(self, steps: list[dict[str, Any]], doc: str) -> None:
        """Per site its template lines, pages and largest block (most consecutive template
        lines on one page, with their text for the first :data:`SITES_WITH_TEXT` sites)."""
        lines: dict[str, list[tuple[int, str]]] = {}
        chars: Counter = Counter()
        for step in steps:
            if step.get("rule") != TEMPLATE_RULE or step.get("action") != "removed":
                continue
            site = site_in_reason(step.get("why")) or UNKNOWN_SITE
            lines.setdefault(site, []).append((step.get("line") or 0, step.get("text") or ""))
            chars[site] += (step.get("chars_before") or 0) - (step.get("chars_after") or 0)
        for site, numbered in lines.items():
            figures = self.found.sites.get(site)
            if figures is None and len(self.found.sites) >= SITES_TRACKED:
                other = self.found.other_sites
                other.lines += len(numbered)
                other.pages += 1
                other.chars += chars[site]
                continue
            if figures is None:
                figures = self.found.sites[site] = SiteFigures()
                figures.keeps_text = len(self.found.sites) <= SITES_WITH_TEXT
            figures.lines += len(numbered)
            figures.pages += 1
            figures.chars += chars[site]
            block = _longest_run(sorted(numbered))
            if len(block) > figures.block_lines:
                figures.block_lines, figures.block_doc = len(block), doc
                if figures.keeps_text and any(text for _, text in block):  # light provenance: no text
                    figures.block_text = [text[:BLOCK_CHARS] for _, text in block[:BLOCK_LINES]]

    def _drop_label(self, rule: str, label: str) -> None:
        found = self.found
        if (rule, label) not in found.drop_labels:
            if found._labels_of[rule] >= LABELS:
                label = OTHER_REASONS
            if (rule, label) not in found.drop_labels:
                found._labels_of[rule] += 1
        found.drop_labels[(rule, label)] += 1

    def _duplicate(self, doc: str, why: str) -> None:
        """Counted by kind; the first :data:`CLUSTERS` clusters met keep :data:`COPIES` copies each
        (the manifest lists the largest)."""
        found = self.found
        found.duplicates += 1
        found.duplicate_kinds["near" if why.startswith("near") else "exact"] += 1
        kept = kept_in_reason(why)
        copies = found.clusters.get(kept)
        if copies is None:
            if len(found.clusters) >= CLUSTERS:
                return
            copies = found.clusters[kept] = []
        if len(copies) < COPIES:
            copies.append(doc)

    def _offer_top(self, removed: int, share: float, position: int, record: dict[str, Any]) -> None:
        top = self.found._top
        key = (removed, -position)
        if len(top) >= TOP and key <= top[0][:2]:
            return
        steps = record.get("steps") or []
        kept_steps = _cut_steps(steps[:TOP_STEPS])
        before, after = record.get("chars_before") or 0, record.get("chars_after") or 0
        entry = TopDocument(removed, share, str(record.get("id")), before, after, kept_steps)
        found = self.found
        if found._most_key is None or key > found._most_key:  # shown side by side: sampled only then
            found.most, found._most_key = _sample(record), key
        if len(top) < TOP:
            slot = len(top)
            heapq.heappush(top, (removed, -position, slot))
        else:
            _, _, slot = heapq.heapreplace(top, (removed, -position, top[0][2]))
        self.found._top_docs[slot] = entry

    def _wants_sample(self, position: int) -> bool:
        """A kept document the rules changed, at or after each of :data:`SAMPLES` evenly spread places."""
        taken = len(self.found.samples)
        return taken < SAMPLES and position >= self.found._sample_at[taken]


def _size_of(action: str | None, delta: int) -> str:
    """What a step without text did, in words: "removed: 42 characters", "changed: 2 characters added"."""
    if delta == 0:
        return f"{action} (same length)"
    if action == "removed":
        return f"a line of {delta:,} characters (its text not recorded)"
    what = "removed" if delta > 0 else "added"
    return f"{action}: {abs(delta):,} character{'' if abs(delta) == 1 else 's'} {what}"


#: Steps kept of a document shown side by side (those of lines past the shown text are not needed),
#: each string cut to :data:`EXAMPLE_CHARS`: a document with a million removed lines costs no more.
SAMPLE_STEPS = 5_000


def _sample(record: dict[str, Any]) -> dict[str, Any]:
    kept = {k: record.get(k) for k in ("id", "status", "reason", "source", "output", "chars_before", "chars_after")}
    steps = record.get("steps") or []
    kept["steps"] = _cut_steps(steps[:SAMPLE_STEPS])
    return kept


def _cut_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``steps`` with each string in them cut to :data:`EXAMPLE_CHARS`."""
    return [{k: (_cut(v)[0] if isinstance(v, str) else v) for k, v in step.items()} for step in steps]


def _longest_run(numbered: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The longest run of consecutive line numbers (the first of the longest), one line
    between two allowed: the template rule's blocks are of non-blank lines, a blank line
    between does not break one, and provenance does not record which lines are blank."""
    best_start = best_end = start = 0  # the runs as slices of ``numbered``: sliced once
    for i, item in enumerate(numbered):
        if i == 0 or item[0] - numbered[i - 1][0] not in (1, 2):
            start = i
        if i + 1 - start > best_end - best_start:
            best_start, best_end = start, i + 1
    return numbered[best_start:best_end]


def collect(lines: Any, total: int = 0, on_line: Callable[[], None] | None = None,
            wanted: frozenset[str] = frozenset()) -> Collected:
    """Gather the report's figures from provenance ``lines`` (an iterable of JSON lines);
    ``wanted``: ids of documents to show side by side besides the sampled ones."""
    collector = Collector(total, wanted)
    for number, line in enumerate(lines, 1):
        try:
            collector.add_line(line)
        except (ValueError, AttributeError, TypeError) as exc:  # not JSON, or not a provenance record
            raise ValueError(f"line {number:,} is not a provenance record ({type(exc).__name__}: {exc})"[:300]) from None
        if on_line is not None:
            on_line()
    return collector.found
