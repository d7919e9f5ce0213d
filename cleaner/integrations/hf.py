"""Clean a Hugging Face ``datasets`` dataset with ``Dataset.map``: :class:`CleanBatch`.

::

    from datasets import load_dataset
    from cleaner.integrations.hf import CleanBatch, map_kwargs

    ds = load_dataset("json", data_files="shard.jsonl", split="train")
    ds = ds.map(**map_kwargs(packs=["my-site.toml"]), num_proc=8)
    # the same as: ds.map(CleanBatch(packs=["my-site.toml"]), batched=True, num_proc=8)
    clean = ds.filter(lambda status: status == "ok", input_columns="cleaner_status")

Every row keeps its columns; the text column holds the cleaned text and four
string columns are added:

* ``cleaner_status``: ``"ok"``, ``"dropped"`` or ``"failed"``;
* ``cleaner_reason``: why the row was dropped or failed, ``""`` when ok;
* ``cleaner_steps``: JSON list of the recorded steps, as in ``provenance.jsonl``;
* ``cleaner_meta``: JSON object of the metadata found (title, source name, tags, ...).

A dropped row's text is ``""``; a row whose rule failed keeps its text unchanged;
a row whose text is null (or the column is missing) is ``failed`` (``record has
no field 'text'``) with a null text. ``only_ok=True`` leaves the dropped and failed
rows out instead, as ``cleaner run`` leaves them out of its corpus.

**Why four string columns.** ``datasets`` writes a ``map`` result batch by batch
and takes each column's type from the first batch. A step has optional keys
(``line``, ``text``, ``why`` only for removed lines) and the metadata's keys differ
from row to row, so nested values would give a struct type the next batch does not
fit; JSON strings have one type for every row (``json.loads`` gives the steps back
exactly as ``provenance.jsonl`` holds them). For the same reason an ok row's reason
is ``""``, not ``None``: a first batch of ok rows would make the column's type
null, and the first reason after it could not be written. (Ray's and datatrove's
integrations, which have no such limit, use ``None``.)

**Same result as a local run**, row by row: the text, status, steps and metadata
are those ``cleaner run`` records for the same JSONL records and pack.

**Built once per process.** With ``num_proc``, ``datasets`` pickles the function to
its workers: :class:`CleanBatch` keeps only its arguments and the pack's SHA-256,
loads the pack once in the constructor (a bad pack fails before any row is
mapped), and each worker builds the pipeline on its first batch. The pickled
state, and so ``datasets``' cache fingerprint, holds the pack's SHA-256: a changed
pack file is a new fingerprint, never a stale cached result.

This module imports nothing from ``datasets``: the function works on any mapping
of column names to lists (``datasets``, a pandas ``DataFrame.to_dict("list")``, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from cleaner.core.engine import Pipeline
from cleaner.integrations.columns import COLUMNS, WorkerPipeline, clean_value

__all__ = ["COLUMNS", "CleanBatch", "clean_batch", "map_kwargs"]


def clean_batch(
    batch: Mapping[str, Sequence[Any]],
    pipeline: Pipeline,
    *,
    text_field: str = "text",
    only_ok: bool = False,
) -> dict[str, list[Any]]:
    """Clean a batch in ``datasets``' batched form (``{column: [values]}``) with
    ``pipeline``: the cleaned text column and the four ``cleaner_*`` columns (see the
    module docs). ``only_ok``: return every column, with only the rows that came out
    ``ok``. Raises :class:`TypeError` for a single row (``map`` without ``batched=True``)."""
    values = batch.get(text_field)
    if isinstance(values, str) or (values is None and any(isinstance(v, str) for v in batch.values())):
        raise TypeError("clean_batch takes a batch of rows ({column: [values]}): use ds.map(..., batched=True)")
    rows = len(values) if values is not None else max((len(v) for v in batch.values()), default=0)
    results = [clean_value(v, pipeline, text_field) for v in (values if values is not None else [None] * rows)]
    out: dict[str, list[Any]] = {text_field: [text for text, _ in results]}
    for name in COLUMNS:
        out[name] = [columns[name] or "" for _, columns in results]  # str for every row: see "Why"
    if not only_ok:
        return out
    keep = [status == "ok" for status in out["cleaner_status"]]
    whole = {**{k: list(v) for k, v in batch.items()}, **out}
    return {k: [v for v, kept in zip(column, keep) if kept] for k, column in whole.items()}


class CleanBatch:
    """A picklable batch function for ``Dataset.map(CleanBatch(...), batched=True)``.

    ``packs``, ``options``, ``disable``, ``enable``: as :func:`cleaner.load_pack`
    and ``cleaner run --pack/--disable/--enable`` (the default pack first).
    ``text_field``: the column holding the text. ``only_ok``: leave out the rows
    that were dropped or failed (see :func:`clean_batch`).
    """

    def __init__(
        self,
        packs: Sequence[str | Path] = (),
        *,
        options: dict[str, dict[str, Any]] | None = None,
        disable: Sequence[str] = (),
        enable: Sequence[str] = (),
        text_field: str = "text",
        only_ok: bool = False,
    ) -> None:
        self.text_field = text_field
        self.only_ok = only_ok
        # built now, so that a bad pack fails before datasets starts mapping; datasets'
        # cache fingerprint follows the pickled arguments and the pack's hash
        self._pipeline = WorkerPipeline(packs, options, disable, enable, where="in this datasets worker")
        self.pack_sha256 = self._pipeline.sha256

    @property
    def pipeline(self) -> Pipeline:
        """The cleaner pipeline, built on first use in each process."""
        return self._pipeline.get()

    def __call__(self, batch: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        return clean_batch(batch, self.pipeline, text_field=self.text_field, only_ok=self.only_ok)

    def __repr__(self) -> str:
        return f"<CleanBatch pack {self.pack_sha256[:16]} text_field={self.text_field!r}>"


def map_kwargs(
    packs: Sequence[str | Path] = (),
    *,
    options: dict[str, dict[str, Any]] | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    text_field: str = "text",
    only_ok: bool = False,
) -> dict[str, Any]:
    """Keyword arguments for ``Dataset.map`` (and ``IterableDataset.map``) that clean
    with :class:`CleanBatch`: ``ds.map(**map_kwargs(packs=[...]), num_proc=8)``. Add
    ``batch_size``, ``num_proc`` and the rest of ``map``'s arguments beside it."""
    return {
        "function": CleanBatch(
            packs, options=options, disable=disable, enable=enable, text_field=text_field, only_ok=only_ok
        ),
        "batched": True,
    }
