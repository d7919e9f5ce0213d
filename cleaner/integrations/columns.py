"""The per-record work every integration shares: build the pipeline from pack
arguments, clean one value, and describe the outcome as four flat columns.

Ray Data (:mod:`cleaner.integrations.ray`), Hugging Face ``datasets``
(:mod:`cleaner.integrations.hf`) and datatrove (:mod:`cleaner.integrations.datatrove`)
all add the same ``cleaner_*`` fields, so a corpus cleaned on one engine reads
like one cleaned on another:

* ``cleaner_status``: ``ok``, ``dropped`` or ``failed``;
* ``cleaner_reason``: why a record was dropped or failed (``None`` when ok);
* ``cleaner_steps``: JSON list of the recorded steps, as in ``provenance.jsonl``;
* ``cleaner_meta``: JSON object of the metadata found (title, source name, tags, ...).

Why JSON strings, not nested lists and dicts: a step has optional keys (``line``,
``text`` and ``why`` only for removed lines) and the metadata's keys differ from
record to record. Arrow infers a struct's fields from the values it sees first, so
nested values give a schema that changes between batches (``datasets.map`` refuses
to concatenate them; a parquet writer that fixes its schema on the first record
drops later fields without a word). A string column has one type for every record;
``json.loads`` gives the steps back exactly as ``provenance.jsonl`` holds them.

This module imports no engine: it is plain Python over :class:`cleaner.Pipeline`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Sequence

from cleaner.corpus.model import CorpusContext
from cleaner.core.engine import Outcome, Pipeline
from cleaner.running.worker import too_long

#: The columns :func:`outcome_columns` and :func:`clean_value` produce, in order.
COLUMNS = ("cleaner_status", "cleaner_reason", "cleaner_steps", "cleaner_meta")


def to_json(value: Any) -> str:
    """Compact JSON with non-ASCII kept, as cleaner writes its own records."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def is_missing(value: Any) -> bool:
    """None, or the NaN / ``pd.NA`` / ``NaT`` that pandas-backed engines put in empty cells."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float) and math.isnan(value)


def outcome_columns(outcome: Outcome) -> dict[str, str | None]:
    """The four ``cleaner_*`` columns describing one :class:`cleaner.Outcome`."""
    return {
        "cleaner_status": outcome.status,
        "cleaner_reason": outcome.reason,
        "cleaner_steps": to_json([s.to_dict() for s in outcome.steps]),
        "cleaner_meta": to_json(outcome.meta),
    }


def clean_outcome(
    value: Any, pipeline: Pipeline, text_field: str = "text", corpus: CorpusContext | None = None
) -> Outcome:
    """Clean one record's text value with ``pipeline`` (``corpus``: the corpus rules'
    statistics and the record's place, when they ran). Never raises for bad input:
    a missing or non-string value gives a ``failed`` outcome (``record field 'text'
    is null or missing``, ``record has a non-string (int) field 'text'``). A column
    holds a null where a row has no such field, so the two cannot be told apart here
    (``cleaner run`` reads the record itself and tells them apart)."""
    if not isinstance(value, str):
        reason = (f"record field {text_field!r} is null or missing" if is_missing(value)
                  else f"record has a non-string ({type(value).__name__}) field {text_field!r}")
        return Outcome(text="", status="failed", reason=reason)
    refused = too_long(value)  # as a run refuses it
    if refused:
        return Outcome(text="", status="failed", reason=refused)
    return pipeline.clean(value) if corpus is None else pipeline.clean(value, corpus=corpus)


def clean_value(
    value: Any, pipeline: Pipeline, text_field: str = "text", corpus: CorpusContext | None = None
) -> tuple[str | None, dict[str, str | None]]:
    """Clean one record's text value: ``(cleaned text, columns)``, as
    :func:`clean_outcome`. A dropped record's text is ``""``; a failed rule leaves
    the text unchanged (as :meth:`cleaner.Pipeline.clean`); a value that is not a
    string gives a ``None`` text."""
    outcome = clean_outcome(value, pipeline, text_field, corpus)
    return (outcome.text if isinstance(value, str) else None), outcome_columns(outcome)


def pack_paths(packs: Iterable[str | Path]) -> list[str]:
    """Pack arguments made independent of the working directory: an existing file
    or folder becomes an absolute path (workers of another engine may run elsewhere),
    anything else (a built-in pack's name such as ``page-dump``) stays as given."""
    out = []
    for p in packs:
        path = Path(p).expanduser()
        out.append(str(path.resolve()) if path.exists() else str(p))
    return out


def build_pipeline(
    packs: Sequence[str | Path] = (),
    options: dict[str, dict[str, Any]] | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    *,
    warn: bool = True,
    corpus: bool = False,
) -> Pipeline:
    """The pipeline :func:`cleaner.load_pack` builds from these arguments (the
    default pack first, as ``cleaner run --pack ...``). Raises
    :class:`cleaner.loading.pack.PackError` for a bad pack, and for a pack with corpus
    rules: row by row, each document would be a corpus of its own and the rules
    would find nothing, silently (their two phases run in ``cleaner run``,
    :func:`cleaner.corpus.scan.clean_corpus` and Ray's ``clean_dataset``, which
    passes ``corpus=True``)."""
    from cleaner.loading.pack import PackError, load_pack

    pipeline = load_pack(list(packs), options=options or {}, disable=list(disable), enable=list(enable), warn=warn)
    among = [r.id for r in pipeline.rules if r.kind == "corpus"]
    if among and not corpus:
        raise PackError(
            f"the pack holds corpus rules ({', '.join(among)}), which judge a document by the whole corpus: "
            "row by row they would find nothing. Use `cleaner run`, cleaner.corpus.scan.clean_corpus "
            "or cleaner.integrations.ray.clean_dataset, "
            "or leave them out (disable=[\"corpus/*\"])"
        )
    return pipeline


def check_same_pack(pipeline: Pipeline, expected_sha256: str | None, where: str) -> None:
    """Refuse to work with a pack that differs from the one the driver built
    (pack files missing or different on this node)."""
    if expected_sha256 is not None and pipeline.sha256 != expected_sha256:
        raise RuntimeError(
            f"the pack built {where} ({pipeline.sha256[:16]}) differs from the driver's "
            f"({expected_sha256[:16]}): are the pack files the same, at the same paths, on every node?"
        )


class WorkerPipeline:
    """A pipeline built from its arguments once where it is declared (so a bad pack
    fails there, before any worker starts) and again, on first use, in each worker
    process it is pickled to: workers get the arguments and the pack's hash, not
    the built rules (compiled patterns, screens, caches), and refuse to work if
    the pack they build differs (:func:`check_same_pack`)."""

    def __init__(
        self,
        packs: Sequence[str | Path] = (),
        options: dict[str, dict[str, Any]] | None = None,
        disable: Sequence[str] = (),
        enable: Sequence[str] = (),
        *,
        where: str = "in this worker",
    ) -> None:
        self.packs = pack_paths(packs)
        self.options = options or {}
        self.disable = list(disable)
        self.enable = list(enable)
        self.where = where
        built = build_pipeline(self.packs, self.options, self.disable, self.enable)
        self.sha256 = built.sha256
        self._built: Pipeline | None = built

    def get(self) -> Pipeline:
        """The pipeline, built on first use in this process."""
        if self._built is None:  # in a worker: warned about where it was declared
            built = build_pipeline(self.packs, self.options, self.disable, self.enable, warn=False)
            check_same_pack(built, self.sha256, self.where)
            self._built = built
        return self._built

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_built"] = None
        return state
