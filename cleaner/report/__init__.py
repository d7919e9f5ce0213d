"""``cleaner report OUT``: one self-contained HTML page (``OUT/report.html``) that shows
what a finished run removed and why: documents by status, rules with example
removals, the share removed per document, sites' templates, duplicates, languages,
filter drops, and a few documents' text before and after, side by side.

Built from ``OUT/manifest.json`` and ``OUT/provenance.jsonl`` (or ``.gz``, ``.zst``;
full or light) alone, read once, streaming, keeping a bounded amount per rule and
per document (:mod:`~cleaner.report.collect`); the texts of the few documents shown
side by side are read back from the run's inputs when they are still there
(:mod:`~cleaner.report.sources`). Charts are inline SVG (:mod:`~cleaner.report.svg`),
the page is :mod:`~cleaner.report.render`'s: no script, no network, every string
from the corpus escaped. See docs/report.md.

Sits in the ``running`` layer: it reads provenance (io), reloads the run's pack to
mask personal data (loading) and reads documents as a run does (running).
Nothing here prints; the command line shows progress through a callback.
"""

from __future__ import annotations

from cleaner.report.build import REPORT_NAME, NotAReport, ReportNotWritten, build_report

__all__ = ["REPORT_NAME", "NotAReport", "ReportNotWritten", "build_report"]
