"""Where a run's characters went, counted from its provenance lines: what the
rules were given (read from text files and records, or extracted from HTML pages
by the extractor), what the rules removed and added, what a corpus rule's
replaced text added (an HTML page given its own text instead of the
extractor's), and what dropped and failed documents held. The parts add up:
``chars_out == chars_in - removed + added + replaced - dropped - failed``.

Why: on HTML the characters before cleaning are the extractor's output, not the
page's, and with ``--pack corpus`` a page may get its own, longer text instead,
so "in minus out" alone reads as "-78,475 removed (-16.7 %)". The summary says
what was measured from this (:func:`cleaner.cli.render.run_summary`).

What it leaves alone: it computes nothing that provenance does not say, and it
does not tell the page's own length (a page's HTML is not text).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cleaner.document import extracted_from_html

@dataclass
class CharAccount:
    """The characters of a run by where they went (see the module docs)."""

    read: int = 0  # given to the rules from text files and records
    extracted: int = 0  # given to the rules by the HTML extractor
    pages: int = 0  # documents whose text was extracted from HTML
    removed: Counter = field(default_factory=Counter)  # by rule, in documents kept
    added: Counter = field(default_factory=Counter)  # by rule, in documents kept (a heading's "# ")
    replaced: Counter = field(default_factory=Counter)  # net characters a rule's replaced text brought, by rule
    replaced_documents: Counter = field(default_factory=Counter)
    dropped: int = 0  # what dropped documents held when they were given to the rules
    failed: int = 0  # what failed documents held

    def add(self, record: dict[str, Any]) -> None:
        """Count one provenance line."""
        before = record.get("chars_before") or 0
        source = record.get("source") or {}
        if extracted_from_html(source.get("format"), source.get("warc_type")):
            self.extracted += before
            self.pages += 1
        else:
            self.read += before
        status = record.get("status")
        if status == "dropped":
            self.dropped += before
        elif status == "failed":
            self.failed += before
        else:
            self._add_steps(record.get("steps") or ())

    def _add_steps(self, steps: Any) -> None:
        """A kept document's steps: each one's change in length, by rule, as a
        replaced text (a change that gives its reason: only a corpus rule's
        replacement does), a removal or an addition."""
        replacers = set()
        for step in steps:
            delta = (step.get("chars_after") or 0) - (step.get("chars_before") or 0)
            rule = step.get("rule", "")
            if step.get("action") == "changed" and step.get("why"):
                self.replaced[rule] += delta
                replacers.add(rule)
            elif delta < 0:
                self.removed[rule] -= delta
            elif delta > 0:
                self.added[rule] += delta
        self.replaced_documents.update(replacers)

    @property
    def chars_in(self) -> int:
        return self.read + self.extracted

    @property
    def chars_out(self) -> int:
        return (self.chars_in - sum(self.removed.values()) + sum(self.added.values()) + sum(self.replaced.values())
                - self.dropped - self.failed)

    def to_dict(self) -> dict[str, Any]:
        """For the manifest: every part, the rules' parts by rule."""
        return {
            "read": self.read, "extracted_from_html": self.extracted, "html_documents": self.pages,
            "removed_by_rules": sum(self.removed.values()), "added_by_rules": sum(self.added.values()),
            "replaced_texts": {rule: {"documents": self.replaced_documents[rule], "chars": chars}
                               for rule, chars in sorted(self.replaced.items())},
            "in_dropped_documents": self.dropped, "in_failed_documents": self.failed,
        }
