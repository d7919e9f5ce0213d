"""Clean documents inside a datatrove pipeline: :class:`CleanerStep`.

Install the extra (``pip install 'cleaner[datatrove]'``), then put the step where
datatrove's own filters and formatters go::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerStep

    LocalPipelineExecutor(
        pipeline=[
            JsonlReader("scraped/"),
            CleanerStep(packs=["my-site.toml"], disable=["sentences/split-glued"],
                        exclusion_writer=JsonlWriter("removed/")),
            JsonlWriter("clean/"),
        ],
        tasks=8, logging_dir="logs/",
    ).run()

What the step does to each ``Document``, exactly what ``cleaner run`` does to a
JSONL record's text with the same pack:

* **ok**: ``doc.text`` becomes the cleaned text and the document goes on;
* **dropped** (nothing but residue, or only whitespace) and **failed** (a rule
  raised): the document stops here, with its text as it arrived, and goes to
  ``exclusion_writer`` when one is given (with ``metadata["filter_reason"]``, as
  datatrove's filters do). ``cleaner run`` leaves both out of its corpus too.

Every document that reaches the step gets four keys in ``doc.metadata``, the
same fields the Ray and ``datasets`` integrations add as columns:

* ``cleaner_status``: ``"ok"``, ``"dropped"`` or ``"failed"``;
* ``cleaner_reason``: why it was dropped or failed (``None`` when ok), e.g.
  ``"no text left after cleaning"`` or ``"rule residue/x failed: ..."``;
* ``cleaner_steps``: a JSON string, the list of steps as in ``provenance.jsonl``
  (``json.loads`` gives ``[{"rule": ..., "action": "removed", "line": 3, ...}]``);
* ``cleaner_meta``: a JSON string, the metadata found (``title``, ``source_name``,
  ``tags``, ...).

Steps and metadata are JSON strings, not nested values, so that every writer can
store them with one type: datatrove's ``ParquetWriter`` fixes its schema on the
first document, and nested values with other keys later would lose fields.

Stats (in the executor's ``stats.json`` and log, as for datatrove's filters):
``total``, ``forwarded`` and ``dropped``; ``dropped_<reason>`` per drop reason
(``dropped_empty_input``, ``dropped_no_text_left_after_cleaning``) and
``dropped_failed_<rule id>`` per failing rule; ``steps_<rule id>`` with the number
of steps each rule recorded (the manifest's "changes per rule").

**Built once per worker.** datatrove copies or pickles its steps to its workers
(``LocalPipelineExecutor`` processes, Slurm jobs). The step keeps only its
arguments and the pack's SHA-256: the constructor loads the pack once, so a bad
pack fails before any task starts, and each worker builds the pipeline again on
its first document and refuses to go on if that pack's hash differs (pack files
must be readable at the same path everywhere; existing paths are made absolute).

**What it leaves alone.** The step cleans text; it reads no HTML or WARC (use
datatrove's extractors first, or ``cleaner run``), writes no ``provenance.jsonl``
or manifest (the metadata keys are the provenance), and is not resumable on its
own (datatrove's ``skip_completed`` redoes whole tasks). A document with an empty
text never reaches it: datatrove's readers skip those.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from cleaner.integrations.columns import WorkerPipeline, clean_outcome, outcome_columns

try:
    from datatrove.pipeline.filters.base_filter import BaseFilter
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("cleaner's datatrove step needs datatrove: pip install 'cleaner[datatrove]'") from exc

if TYPE_CHECKING:  # pragma: no cover
    from datatrove.data import Document
    from datatrove.pipeline.writers.disk_base import DiskWriter

    from cleaner.core.engine import Pipeline

__all__ = ["CleanerStep", "stat_label"]

_RULE_FAILED = re.compile(r"rule (\S+) failed:")


def stat_label(status: str, reason: str | None) -> str:
    """The stats key a dropped or failed document is counted under (after
    ``dropped``): a few stable names, not one per error message."""
    if status == "failed":
        m = _RULE_FAILED.match(reason or "")
        return f"failed_{m.group(1)}" if m else "failed"
    words = re.sub(r"[^a-z0-9]+", "_", (reason or status).lower()).strip("_")
    return words or status


class CleanerStep(BaseFilter):  # type: ignore[misc]  # datatrove ships no type hints
    """A datatrove step that cleans each document with a cleaner pipeline and
    drops the dropped and failed ones (see the module docs).

    ``packs``, ``options``, ``disable``, ``enable``: as :func:`cleaner.load_pack`
    and ``cleaner run --pack/--disable/--enable``: the default pack first, then
    these. ``exclusion_writer``: a datatrove writer for the documents that were
    dropped or failed, with their original text and the ``cleaner_*`` metadata.
    """

    name = "🧹 cleaner"

    def __init__(
        self,
        packs: Sequence[str | Path] = (),
        *,
        options: dict[str, dict[str, Any]] | None = None,
        disable: Sequence[str] = (),
        enable: Sequence[str] = (),
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer)
        self._pipeline = WorkerPipeline(packs, options, disable, enable, where="in this datatrove worker")
        self.pack_sha256 = self._pipeline.sha256

    @property
    def pipeline(self) -> Pipeline:
        """The cleaner pipeline, built on first use in each worker."""
        return self._pipeline.get()

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Clean ``doc`` in place; True to keep it, ``(False, label)`` to drop it."""
        outcome = clean_outcome(doc.text, self.pipeline)
        doc.metadata.update(outcome_columns(outcome))
        for rule_id, count in Counter(step.rule for step in outcome.steps).items():
            self.stat_update(f"steps_{rule_id}", value=count)
        if outcome.status == "ok":
            doc.text = outcome.text
            return True
        last = outcome.steps[-1] if outcome.steps else None
        # a filter's drop counts by its label: the reason without this document's values
        label = last.label if last is not None and last.action == "dropped" and last.label else outcome.reason
        return False, stat_label(outcome.status, label)
