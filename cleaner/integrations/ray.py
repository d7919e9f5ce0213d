"""Clean a corpus on a Ray cluster: cleaner beyond one machine, with Ray Data.

Install the extra (``pip install 'cleaner[ray]'``) on the driver and on every node,
then::

    import ray
    from cleaner.integrations.ray import clean_dataset

    ds = ray.data.read_json("s3://bucket/scraped/")          # or read_parquet(...)
    ds = clean_dataset(ds, packs=["/shared/packs/my-site.toml"], concurrency=(2, 32))
    ds.filter(lambda row: row["cleaner_status"] == "ok").write_parquet("s3://bucket/clean/")
    # or .write_json(...); keep the other rows (or write them elsewhere) to see drops and failures

Every row keeps its columns; the text field holds the cleaned text and four columns
are added:

* ``cleaner_status``: ``ok``, ``dropped`` or ``failed``;
* ``cleaner_reason``: why a row was dropped or failed (``None`` when ok);
* ``cleaner_steps``: JSON list of the recorded steps, as in ``provenance.jsonl``;
* ``cleaner_meta``: JSON object of the metadata found (title, source name, tags, ...).

A dropped row's text is ``""``; a row whose rule failed keeps its text unchanged; a row
whose text field is missing, null or not a string is ``failed`` (``record field 'text'
is null or missing``, ``record has a non-string (int) field 'text'``) with a null text: never an
exception.

**Same result as a local run.** Each row goes through exactly what ``cleaner run`` does
with a JSONL or parquet record: the same pack (built once per actor with
:func:`cleaner.loading.pack.load_pack`, from the same files and options) gives the same
cleaned text, status, steps and metadata as the provenance of a local run of the same
records. :func:`clean_dataset` loads the pack on the driver first, so a bad pack
fails before any work starts, and every actor checks that the pack it built has the
driver's SHA-256 (pack files must be readable at the same path on every node). Only
a failed row's reason differs: a local run prefixes it with the file and line, and
reads the record itself, so it tells a missing text field (naming the fields the
record has) from a null one, which a column cannot ("is null or missing" here).

**Corpus rules.** A pack with corpus rules (``packs=["corpus"]``: site templates,
duplicates) runs their two phases over the whole Dataset, with the same verdicts as
a local run (:mod:`cleaner.integrations.ray_corpus`): the rows are numbered in input
order, each corpus rule's scan is aggregated across the cluster (by site, by LSH
band), then every row is cleaned with the statistics. A duplicate's ``cleaner_meta``
holds ``duplicate_of``. The scans run inside :func:`clean_dataset`; the clean is
lazy. Ids come from ``id_field``, sites from the ``url`` column (docs/ray.md).

**What it does not do.** No ``provenance.jsonl`` and no ``manifest.json`` are
written: the status, reason, steps and metadata columns are the provenance; write
them out with the rows if you need them. There is no resumability: ``cleaner run``'s
``OUT/.cleaner/`` units do not apply; Ray's own fault tolerance (task and actor
retries) does. Output order follows Ray, not the input; compare or join by id. Raw
HTML and WARC inputs are not extracted here: give Ray rows of text.

:func:`clean_row` is the per-row work as a plain function that does not import Ray,
so the same logic runs in Spark, Dask or a plain loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from cleaner.integrations.columns import COLUMNS, build_pipeline, check_same_pack, clean_value, pack_paths

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import ray.data

    from cleaner.core.engine import Pipeline

__all__ = ["COLUMNS", "CleanBatch", "clean_dataset", "clean_row"]


def clean_row(row: dict[str, Any], pipeline: "Pipeline", text_field: str = "text") -> dict[str, Any]:
    """Clean one row: a new dict with the cleaned text in ``text_field`` and the
    ``cleaner_*`` columns added (see the module docs). Never raises for bad input:
    a missing or non-string text gives status ``failed`` and a null text."""
    text, columns = clean_value(row.get(text_field), pipeline, text_field)
    return {**row, text_field: text, **columns}


class CleanBatch:
    """A callable class for ``Dataset.map_batches(CleanBatch, batch_format="pyarrow",
    fn_constructor_kwargs={"packs": [...], "options": {...}, "text_field": "text"})``.

    The pipeline is built once per actor. Batches are ``pyarrow.Table``: the other
    columns pass through untouched (no pandas round trip turning nullable ints into
    floats), and a text column Ray stored as pickled Python objects (mixed types)
    is read value by value. ``pack_sha256``: when given, the actor refuses to start
    if the pack it built differs (pack files missing or different on this node).
    """

    def __init__(
        self,
        packs: Sequence[str] = (),
        options: dict[str, dict[str, Any]] | None = None,
        text_field: str = "text",
        pack_sha256: str | None = None,
        disable: Sequence[str] = (),
        enable: Sequence[str] = (),
    ) -> None:
        self.pipeline = build_pipeline(packs, options, disable, enable)
        check_same_pack(self.pipeline, pack_sha256, "on this node")
        self.text_field = text_field

    def __call__(self, batch: "pa.Table") -> "pa.Table":
        if batch.num_rows == 0:
            values: list[Any] = []
        elif self.text_field in batch.column_names:
            values = batch.column(self.text_field).to_pylist()
        else:
            values = [None] * batch.num_rows
        results = [clean_value(v, self.pipeline, self.text_field) for v in values]
        return self.write_results(batch, self.text_field, results)

    @staticmethod
    def write_results(
        batch: "pa.Table", text_field: str, results: Sequence[tuple[str | None, dict[str, str | None]]]
    ) -> "pa.Table":
        """``batch`` with each row's cleaned text in ``text_field`` (a string column of
        the input's string type) and the ``cleaner_*`` columns: ``results`` are
        :func:`cleaner.integrations.columns.clean_value`'s, one per row."""
        import pyarrow as pa

        out = batch
        text_type = pa.string()
        if text_field in batch.column_names:
            current = batch.schema.field(text_field).type
            if current in (pa.string(), pa.large_string()):
                text_type = current
        out = _put(out, text_field, pa.array([text for text, _ in results], type=text_type))
        for name in COLUMNS:
            out = _put(out, name, pa.array([columns[name] for _, columns in results], type=pa.string()))
        return out


def _put(table: "pa.Table", name: str, array: "pa.Array") -> "pa.Table":
    """Replace column ``name`` (keeping its position) or append it."""
    i = table.schema.get_field_index(name)
    if i >= 0:
        return table.set_column(i, name, array)
    return table.append_column(name, array)


def clean_dataset(
    ds: "ray.data.Dataset",
    *,
    packs: Sequence[str | Path] = (),
    options: dict[str, dict[str, Any]] | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    text_field: str = "text",
    id_field: str = "id",
    concurrency: int | tuple[int, int] | None = None,
    **map_batches_kwargs: Any,
) -> "ray.data.Dataset":
    """Clean every row of ``ds`` with the pack built from ``packs``, ``options``,
    ``disable`` and ``enable`` (as :func:`cleaner.load_pack`); returns the lazy Dataset with the cleaned
    text and the ``cleaner_*`` columns (see the module docs).

    A pack with corpus rules (``packs=["corpus"]``) runs their two phases over the
    whole Dataset (:mod:`cleaner.integrations.ray_corpus`): the scans and their
    aggregation run here, before this returns; the clean stays lazy. ``id_field``
    names the column holding each row's id, as a local run names a record by its
    ``id`` (a duplicate's reason names the id it repeats); rows without one are
    ``row:N``. A row's site is the host of its ``url`` column. Without corpus
    rules, ``id_field`` is not used.

    ``concurrency``: ``n`` actors, or ``(min, max)`` for an autoscaling pool; ``None``
    lets Ray scale the pool. Other keyword arguments (``batch_size``, ``num_cpus``,
    ``memory``, ...) go to ``Dataset.map_batches``. Raises
    :class:`cleaner.loading.pack.PackError` here, on the driver, for a bad pack.
    """
    try:
        import ray.data
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "cleaner's Ray integration needs Ray Data: pip install 'cleaner[ray]'"
        ) from exc
    # absolute paths: actors do not run in the driver's working directory
    paths = pack_paths(packs)
    # fail fast, and pin the pack; corpus rules are allowed: their phases run below
    pipeline = build_pipeline(paths, options, disable, enable, corpus=True)
    if concurrency is None:
        compute = None
    elif isinstance(concurrency, int):
        compute = ray.data.ActorPoolStrategy(size=concurrency)
    else:
        low, high = concurrency
        compute = ray.data.ActorPoolStrategy(min_size=low, max_size=high)
    if compute is not None:
        if "compute" in map_batches_kwargs:
            raise TypeError("give either concurrency or compute, not both")
        map_batches_kwargs["compute"] = compute
    actor_kwargs = {
        "packs": paths,
        "options": options or {},
        "disable": list(disable),
        "enable": list(enable),
        "text_field": text_field,
        "pack_sha256": pipeline.sha256,
    }
    if any(r.kind == "corpus" for r in pipeline.rules):
        from cleaner.integrations.ray_corpus import clean_corpus_dataset

        return clean_corpus_dataset(ds, pipeline, {**actor_kwargs, "id_field": id_field}, map_batches_kwargs)
    return ds.map_batches(
        CleanBatch, batch_format="pyarrow", fn_constructor_kwargs=actor_kwargs, **map_batches_kwargs
    )
