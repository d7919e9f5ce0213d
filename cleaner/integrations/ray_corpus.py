"""Corpus rules on Ray Data: the scan, the aggregation and the clean, as
``cleaner run`` does them on one machine (docs/ray.md, "Corpus rules on Ray").

:func:`clean_corpus_dataset` is what :func:`cleaner.integrations.ray.clean_dataset`
runs when the pack holds corpus rules:

1. **Positions.** Every row gets its place in input order, a column
   (:data:`POSITION`) numbered from 0: the Dataset is materialized once with Ray's
   ``preserve_order`` on (the order of its blocks: for ``read_*`` the order of the
   files as Ray lists them, for ``from_items`` the list's), then zipped with
   ``ray.data.range(n)``. Every later phase reads these materialized rows, so the
   positions cannot change between phases, whatever Ray does with block order.
2. **Scan and aggregate, rule by rule in pack order.** ``map_batches`` computes each
   row's sketch of the text as the engine's first pass hands it to the rule
   (:func:`cleaner.corpus.scan.scan_text`, with the finished statistics of the
   corpus rules before it, ``ray.put`` once per phase); the sketches are
   materialized, then aggregated as :mod:`cleaner.corpus.distributed` says: by
   site (``groupby("site")``), by exact hash and LSH band (two ``groupby`` steps,
   resolved on the driver in position order), or for any other rule collected
   on the driver and fed in position order.
3. **Clean.** ``map_batches`` cleans every row with all the statistics, ``ray.put``
   once; the position column is dropped from the output.

What it leaves alone: reading and writing (the caller's Dataset in, a lazy Dataset
out), and resumability (none: Ray's task retries only).
"""

from __future__ import annotations

import pickle
from functools import partial
from typing import TYPE_CHECKING, Any, Sequence

from cleaner.corpus.distributed import (
    EXACT_BAND,
    Aggregation,
    Candidate,
    ExactCopy,
    aggregation_of,
    feed_in_order,
    group_findings,
    resolve,
    site_statistics,
)
from cleaner.corpus.model import CorpusContext, CorpusDoc
from cleaner.corpus.scan import corpus_rules, scan_text
from cleaner.corpus.site import host_of
from cleaner.core.engine import Outcome, Pipeline
from cleaner.integrations.columns import build_pipeline, check_same_pack, clean_value, outcome_columns
from cleaner.core.rule import Rule
from cleaner.running.worker import too_long

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import ray.data

#: The column holding each row's place in input order while the phases run.
POSITION = "_cleaner_position"
#: The field whose host is a row's site, as a local run reads a record's ``url``.
URL_FIELD = "url"


def row_id(value: Any, position: int) -> str:
    """A row's document id, as a local run names a record: its id field when it is
    a string or an integer (not a bool), else ``row:N``, N its place in input order
    from 1 (a local run says ``records.jsonl:N``, the line)."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    return f"row:{position + 1}"


def row_site(url: Any) -> str:
    """A row's site: the host of its URL without ``www.``; ``""`` (no site) without
    one, as for a JSONL record (:mod:`cleaner.corpus.site`)."""
    return host_of(url) or ""


def _column(batch: "pa.Table", name: str) -> list[Any]:
    """A column's values, or None for each row when the batch has no such column."""
    if name in batch.column_names:
        values: list[Any] = batch.column(name).to_pylist()
        return values
    return [None] * batch.num_rows


def _resolved(value: Any) -> Any:
    """The value behind an ObjectRef (fetched once, in the actor), or the value."""
    import ray

    return ray.get(value) if isinstance(value, ray.ObjectRef) else value


def _pipeline(packs: Sequence[str], options: dict[str, dict[str, Any]], disable: Sequence[str],
              enable: Sequence[str], pack_sha256: str | None) -> Pipeline:
    pipeline = build_pipeline(packs, options, disable, enable, warn=False, corpus=True)
    check_same_pack(pipeline, pack_sha256, "on this node")
    return pipeline


def _scan_schema() -> "pa.Schema":
    import pyarrow as pa

    return pa.schema([
        (POSITION, pa.int64()), ("id", pa.string()), ("site", pa.string()), ("failure", pa.string()),
        ("sketch", pa.binary()),  # pickled (site and driver aggregation)
        # bands aggregation:
        ("exact", pa.uint64()), ("bands", pa.list_(pa.uint64())), ("signature", pa.binary()),
    ])


class ScanBatch:
    """``map_batches`` callable class: the sketches of one corpus rule, in the
    columns its ``aggregation`` (decided on the driver) reads. A row gives one
    output row when the rule scanned it (or its scan raised: ``failure`` then holds
    the reason the clean phase fails it with), none when it has no text, is too
    long, or is dropped or fails before the rule (the clean phase says why)."""

    def __init__(self, packs: Sequence[str], options: dict[str, dict[str, Any]], disable: Sequence[str],
                 enable: Sequence[str], pack_sha256: str | None, text_field: str, id_field: str,
                 rule_id: str, aggregation: Aggregation, stats: Any) -> None:
        self.pipeline = _pipeline(packs, options, disable, enable, pack_sha256)
        self.rule = next(r for r in self.pipeline.rules if r.id == rule_id)
        self.aggregation = aggregation
        self.stats: dict[str, Any] = _resolved(stats)
        self.text_field, self.id_field = text_field, id_field

    def __call__(self, batch: "pa.Table") -> "pa.Table":
        import pyarrow as pa

        out: dict[str, list[Any]] = {name: [] for name in _scan_schema().names}
        rows = zip(_column(batch, POSITION), _column(batch, self.text_field), _column(batch, self.id_field),
                   _column(batch, URL_FIELD))
        for position, text, doc_id, url in rows:
            if not isinstance(text, str) or too_long(text):
                continue
            doc = CorpusDoc(row_id(doc_id, position), position, row_site(url))
            try:
                scanned = scan_text(self.pipeline, self.rule, doc, text, self.stats)
            except Exception:  # the clean phase meets the same error and fails the row with it
                continue
            if scanned is None:
                continue
            failure, sk = None, None
            try:
                assert self.rule.scan is not None
                sk = self.rule.scan(scanned, doc)
            except Exception as exc:
                failure = f"rule {self.rule.id} failed in the scan: {type(exc).__name__}: {exc}"
            out[POSITION].append(position)
            out["id"].append(doc.id)
            out["site"].append(doc.site)
            out["failure"].append(failure)
            bands = sk if self.aggregation == "bands" else None  # a duplicates Sketch, in columns
            out["sketch"].append(None if sk is None or bands is not None else pickle.dumps(sk, protocol=5))
            out["exact"].append(None if bands is None else bands.exact)
            out["bands"].append([] if bands is None else list(bands.bands))
            out["signature"].append(None if bands is None else bands.signature)
        return pa.table(out, schema=_scan_schema())


def _filtered(batch: "pa.Table", *, failures: bool = False, with_site: bool = False,
              with_exact: bool = False) -> "pa.Table":
    """The scanned rows that failed (``failures``), or those that did not, with a
    site or an exact hash when asked."""
    import pyarrow.compute as pc

    mask = pc.is_valid(batch["failure"]) if failures else pc.is_null(batch["failure"])
    if with_site:
        mask = pc.and_(mask, pc.not_equal(batch["site"], ""))
    if with_exact:
        mask = pc.and_(mask, pc.is_valid(batch["exact"]))
    return batch.filter(mask)


def _site_group(group: "pa.Table", min_pages: int) -> "pa.Table":
    """One site's sketches → one row: the site and its finished statistics, pickled."""
    import pyarrow as pa

    site = group["site"][0].as_py()
    pairs = [(p, pickle.loads(s)) for p, s in zip(group[POSITION].to_pylist(), group["sketch"].to_pylist())]
    stats = site_statistics(site, pairs, min_pages)
    return pa.table({"site": [site], "stats": [pickle.dumps(stats, protocol=5)]},
                    schema=pa.schema([("site", pa.string()), ("stats", pa.binary())]))


def _explode(batch: "pa.Table") -> "pa.Table":
    """Each scanned document once per group key (:func:`~cleaner.corpus.distributed.group_keys`):
    ``(band, hash, place, id, signature)``, band :data:`EXACT_BAND` for the exact hash."""
    import pyarrow as pa

    bands = batch["bands"].to_pylist()
    index = pa.array([n for n, row in enumerate(bands) for _ in range(len(row) + 1)], pa.int64())
    hashes = [h for exact, row in zip(batch["exact"].to_pylist(), bands) for h in (exact, *row)]
    return pa.table({
        "band": pa.array([b for row in bands for b in range(EXACT_BAND, len(row))], pa.int64()),
        "hash": pa.array(hashes, pa.uint64()),
        POSITION: batch[POSITION].take(index),
        "id": batch["id"].take(index),
        "signature": batch["signature"].take(index),
    })


def _group(group: "pa.Table", cut: float) -> "pa.Table":
    """One (band, hash) group → what it finds: exact copies (``jaccard`` null) or
    confirmed candidates."""
    import pyarrow as pa

    band = group["band"][0].as_py()
    members = zip(group[POSITION].to_pylist(), group["id"].to_pylist(), group["signature"].to_pylist())
    found = group_findings(band, members, cut)
    schema = pa.schema([(POSITION, pa.int64()), ("id", pa.string()), ("of_position", pa.int64()),
                        ("of_id", pa.string()), ("jaccard", pa.float64())])
    return pa.table({
        POSITION: [f.position for f in found], "id": [f.id for f in found],
        "of_position": [f.of_position for f in found], "of_id": [f.of_id for f in found],
        "jaccard": [f.jaccard if isinstance(f, Candidate) else None for f in found],
    }, schema=schema)


def _gather(rule: Rule, kind: Aggregation, sketches: "ray.data.Dataset", partitions: int) -> Any:
    """``rule``'s finished statistics from its materialized sketches, gathered as
    ``kind`` says."""
    stats = rule.statistics(**rule.options)  # type: ignore[misc]  # a corpus rule has statistics
    if not sketches.count():  # nothing scanned (Ray's shuffle cannot sort blocks without columns)
        if kind == "bands":
            stats.index = None
        return stats
    if kind == "site":
        rows = (sketches.map_batches(partial(_filtered, with_site=True), batch_format="pyarrow")
                .groupby("site", num_partitions=partitions)
                .map_groups(partial(_site_group, min_pages=stats.min_pages), batch_format="pyarrow"))
        stats.sites = {row["site"]: pickle.loads(row["stats"]) for row in rows.iter_rows()}
        return stats
    if kind == "bands":
        assert stats.index is not None
        found = (sketches.map_batches(partial(_filtered, with_exact=True), batch_format="pyarrow")
                 .map_batches(_explode, batch_format="pyarrow")
                 .groupby(["band", "hash"], num_partitions=partitions)
                 .map_groups(partial(_group, cut=stats.index.cut), batch_format="pyarrow"))
        copies: list[ExactCopy] = []
        candidates: list[Candidate] = []
        for r in found.iter_rows():
            if r["jaccard"] is None:
                copies.append(ExactCopy(r[POSITION], r["id"], r["of_position"], r["of_id"]))
            else:
                candidates.append(Candidate(r[POSITION], r["id"], r["of_position"], r["of_id"], r["jaccard"]))
        stats.verdicts, stats.ids = resolve(copies, candidates)
        stats.index = None  # finished: takes no more documents
        return stats
    rows = (sketches.map_batches(_filtered, batch_format="pyarrow")
            .select_columns([POSITION, "id", "site", "sketch"]))
    return feed_in_order(stats, ((CorpusDoc(r["id"], r[POSITION], r["site"]), pickle.loads(r["sketch"]))
                                 for r in rows.iter_rows()))


def _shape(block: "pa.Table") -> tuple[int, list[str]]:
    return block.num_rows, block.column_names


def _numbered(block: "pa.Table", first: int) -> "pa.Table":
    """``block`` with the :data:`POSITION` column ``first, first + 1, ...``."""
    import pyarrow as pa

    return block.append_column(POSITION, pa.array(range(first, first + block.num_rows), pa.int64()))


def with_positions(ds: "ray.data.Dataset") -> tuple["ray.data.Dataset", int]:
    """``ds`` materialized in its own order, with each row's place in a
    :data:`POSITION` column (see the module docs), and its number of rows: the
    blocks, read with ``preserve_order``, are numbered one after the other, a task each."""
    from itertools import accumulate

    import pyarrow as pa
    import ray
    import ray.data

    options = ds.context.execution_options
    before = options.preserve_order
    options.preserve_order = True  # blocks in input order, not in the order tasks finish
    try:
        blocks = ds.to_arrow_refs()
    finally:
        options.preserve_order = before
    if not blocks:
        return ray.data.from_arrow(pa.table({POSITION: pa.array([], pa.int64())})), 0
    shapes = ray.get([ray.remote(_shape).remote(b) for b in blocks])
    if any(POSITION in names for _, names in shapes):
        raise ValueError(
            f"the Dataset has a column {POSITION!r}, which cleaner adds to number the rows: rename it")
    firsts = accumulate((rows for rows, _ in shapes[:-1]), initial=0)
    number = ray.remote(_numbered)
    refs = [number.remote(b, first) for b, first in zip(blocks, firsts)]
    numbered = ray.data.from_arrow_refs(refs)  # type: ignore[arg-type]  # Ray has two ObjectRef types
    return numbered, sum(rows for rows, _ in shapes)


class CorpusCleanBatch:
    """``map_batches`` callable class of the clean phase: each row cleaned with the
    corpus rules' finished statistics (``state``: ``(stats by rule id, scan
    failures by place)``, an ObjectRef fetched once per actor)."""

    def __init__(self, packs: Sequence[str], options: dict[str, dict[str, Any]], disable: Sequence[str],
                 enable: Sequence[str], pack_sha256: str | None, text_field: str, id_field: str,
                 state: Any) -> None:
        from cleaner.integrations.ray import CleanBatch

        self.pipeline = _pipeline(packs, options, disable, enable, pack_sha256)
        self.stats, self.failures = _resolved(state)
        self.text_field, self.id_field = text_field, id_field
        self._write = CleanBatch.write_results

    def __call__(self, batch: "pa.Table") -> "pa.Table":
        results: list[tuple[str | None, dict[str, str | None]]] = []
        rows = zip(_column(batch, POSITION), _column(batch, self.text_field), _column(batch, self.id_field),
                   _column(batch, URL_FIELD))
        for position, text, doc_id, url in rows:
            failure = self.failures.get(position)
            if failure is not None and isinstance(text, str):  # its scan raised: as a local run fails it
                results.append((text, outcome_columns(Outcome(text=text, status="failed", reason=failure))))
                continue
            corpus = CorpusContext(CorpusDoc(row_id(doc_id, position), position, row_site(url)), self.stats)
            results.append(clean_value(text, self.pipeline, self.text_field, corpus))
        return self._write(batch, self.text_field, results).drop_columns([POSITION])


def clean_corpus_dataset(
    ds: "ray.data.Dataset",
    pipeline: Pipeline,
    actor_kwargs: dict[str, Any],
    map_batches_kwargs: dict[str, Any],
) -> "ray.data.Dataset":
    """The three phases (module docs). ``pipeline``: the pack as the driver built it;
    ``actor_kwargs``: what each actor builds it from (packs, options, disable,
    enable, pack_sha256, text_field, id_field); ``map_batches_kwargs``: the
    caller's (compute, batch_size, ...), for the scans and the clean. Runs the
    scans and aggregations before it returns; the clean is lazy."""
    import ray

    positioned, count = with_positions(ds)
    partitions = max(1, positioned.num_blocks())
    stats: dict[str, Any] = {}
    failures: dict[int, str] = {}
    for rule in corpus_rules(pipeline.rules) if count else ():  # no rows: nothing to scan
        kind = aggregation_of(rule)
        earlier = ray.put(dict(stats))  # once per phase; each actor fetches it once
        sketches = positioned.map_batches(
            ScanBatch, batch_format="pyarrow",
            fn_constructor_kwargs={**actor_kwargs, "rule_id": rule.id, "aggregation": kind, "stats": earlier},
            **map_batches_kwargs,
        ).materialize()
        failed = sketches.map_batches(partial(_filtered, failures=True), batch_format="pyarrow")
        for row in failed.select_columns([POSITION, "failure"]).iter_rows():
            failures.setdefault(row[POSITION], row["failure"])
        stats[rule.id] = _gather(rule, kind, sketches, partitions)
    return positioned.map_batches(
        CorpusCleanBatch, batch_format="pyarrow",
        fn_constructor_kwargs={**actor_kwargs, "state": ray.put((stats, failures))},
        **map_batches_kwargs,
    )
