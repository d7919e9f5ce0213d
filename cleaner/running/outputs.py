"""Where each document goes: the output layout of a run.

By default the output follows the input: one ``.txt`` per text or HTML document
(compressed ones too, written plain: ``page.html.gz`` → ``page.txt``), one output file
per JSONL, parquet or WARC file (WARC becomes JSONL). Options change it:

* ``format="txt"``: every document becomes its own ``.txt``; records of
  ``shard.jsonl`` go to ``shard/00000001.txt`` (their line or row number);
* ``format="jsonl"`` or ``"parquet"``, or a ``shard_size``: every document goes into
  shards ``part-00000.jsonl`` … of about ``shard_size`` documents (text files become
  records ``{"id", "text", "cleaner"}``). Shards close at unit boundaries, which
  depend only on the inputs, so a resumed run cuts the same shards;
* ``compress="gz"|"zst"``: record outputs are compressed: JSONL files as a whole
  (mirrored JSONL keeps the input's compression unless this says otherwise), parquet
  files by their own codec (gzip or zstd, instead of pyarrow's snappy). ``.txt``
  outputs are written plain: ``format="txt"`` with a compression is refused, and so is
  a run whose outputs would all be ``.txt`` (:func:`unused_compression`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cleaner.io.readers import InputFile, suffix_of

OUTPUT_FORMATS = ("txt", "jsonl", "parquet")
COMPRESSIONS = ("gz", "zst")
#: The parquet codec each compression means (a parquet file compresses its own pages).
PARQUET_CODECS = {"gz": "gzip", "zst": "zstd"}
#: Documents per shard when sharding without --shard-size.
DEFAULT_SHARD_DOCS = 10_000

_RECORD_INPUTS = ("jsonl", "parquet", "warc")


@dataclass(frozen=True)
class OutputOptions:
    format: str | None = None  # None: follow the input
    shard_size: int | None = None
    compress: str | None = None

    def __post_init__(self) -> None:
        if self.format not in (None, *OUTPUT_FORMATS):
            raise ValueError(f"output format must be one of {', '.join(OUTPUT_FORMATS)}, not {self.format!r}")
        if self.compress not in (None, *COMPRESSIONS):
            raise ValueError(f"compression must be one of {', '.join(COMPRESSIONS)}, not {self.compress!r}")
        if self.shard_size is not None and self.shard_size < 1:
            raise ValueError("shard size must be at least 1 document")
        if self.format == "txt" and self.shard_size:
            raise ValueError("--shard-size needs a record output format (jsonl or parquet), not txt")
        if self.format == "txt" and self.compress:
            raise ValueError(
                f"--compress {self.compress} needs a record output format (jsonl or parquet): "
                "txt outputs are one plain file per document"
            )

    @property
    def sharded(self) -> bool:
        return self.format in ("jsonl", "parquet") or self.shard_size is not None

    @property
    def docs_per_shard(self) -> int:
        return self.shard_size or DEFAULT_SHARD_DOCS

    @property
    def parquet_compression(self) -> str | None:
        """The codec of parquet outputs (pyarrow's name), None for pyarrow's default."""
        return PARQUET_CODECS.get(self.compress) if self.compress else None

    def shard_name(self, number: int) -> str:
        if self.format == "parquet":
            return f"part-{number:05d}.parquet"
        return f"part-{number:05d}.jsonl" + (f".{self.compress}" if self.compress else "")


@dataclass(frozen=True)
class Target:
    """Where one input file's documents go (unless the run is sharded)."""

    index: int
    file: InputFile
    size: int
    as_record: bool  # payload is a JSON record (shards, record outputs) rather than bare text
    out_rel: str  # the output file; with per-record .txt files, the folder that holds them

    def txt_path(self, position: int | None) -> str:
        """The ``.txt`` of one document (per-record .txt for record inputs)."""
        if self.file.format in _RECORD_INPUTS:
            return f"{self.out_rel}/{position or 0:08d}.txt"
        return self.out_rel


def _recompress(name: str, compress: str | None) -> str:
    if compress is None:
        return name
    for ending in (".gz", ".zst"):
        if name.lower().endswith(ending):
            name = name[: -len(ending)]
    return f"{name}.{compress}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _safe_rel(rel: str) -> str:
    """An output name from an input's relative path: control characters (a newline in
    a file name) become ``\\x0a``-style escapes. Input names come from walking the
    input folder, so they hold no ``..`` or absolute parts; :func:`inside` checks anyway."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", rel)


class OutsideOutput(ValueError):
    """An output path would leave OUT (never expected: a guard, not a feature)."""


def inside(out: Path, rel: str) -> Path:
    """``out / rel``, refused unless it stays inside ``out`` once ``..``, absolute
    parts and symbolic links already in OUT are resolved."""
    root = os.path.realpath(out)
    target = os.path.realpath(os.path.join(root, rel))
    if not rel or "\x00" in rel or os.path.commonpath([root, target]) != root or target == root:
        raise OutsideOutput(f"refusing to write {rel!r}: it is not a file inside {out}")
    return out / rel


class _Taken:
    """Output paths handed out so far, files and folders (records written as one
    ``.txt`` each go into a folder): a path is free when it is neither one of them,
    nor a folder above one, nor below one (``shard.jsonl`` as ``shard/00000001.txt``
    against an input ``shard/00000001.txt``)."""

    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.above: set[str] = set()  # every folder that holds a handed-out path

    def __contains__(self, path: str) -> bool:
        parents = [path[:i] for i, c in enumerate(path) if c == "/"]
        return path in self.paths or path in self.above or any(p in self.paths for p in parents)

    def add(self, path: str) -> None:
        self.paths.add(path)
        self.above.update(path[:i] for i, c in enumerate(path) if c == "/")


def plan_targets(files: list[InputFile], sizes: list[int], options: OutputOptions) -> list[Target]:
    """Decide every input file's output. A second input that would land on a taken
    path keeps its full name plus the new ending (``a.html`` and ``a.txt`` →
    ``a.txt``, ``a.html.txt``), so both survive. Files are placed first, in input
    order; then the folders that hold one ``.txt`` per record, which make way for
    them (``shard.jsonl`` and ``shard/00000001.txt`` → the folder ``shard.jsonl/``)."""
    if options.sharded:
        return [Target(index, f, size, True, "") for index, (f, size) in enumerate(zip(files, sizes))]
    taken = _Taken()
    planned: list[tuple[str, str, str, bool]] = []  # (rel, stem, new ending, as_record) by input
    for f in files:
        rel = _safe_rel(f.rel)
        ending = suffix_of(rel) or PurePosixPath(rel).suffix
        stem = rel[: len(rel) - len(ending)] if ending else rel
        is_record = f.format in _RECORD_INPUTS
        if options.format == "txt" or not is_record:
            as_record, new_ending = False, ("" if is_record else ".txt")
        elif f.format == "warc":
            as_record, new_ending = True, _recompress(".jsonl", options.compress)
        elif f.format == "jsonl":
            as_record, new_ending = True, _recompress(ending, options.compress)
        else:
            as_record, new_ending = True, ending
        planned.append((rel, stem, new_ending, as_record))
    is_folder = [f.format in _RECORD_INPUTS and not as_record for f, (*_, as_record) in zip(files, planned)]
    outs: dict[int, str] = {}
    for index in sorted(range(len(files)), key=is_folder.__getitem__):  # files first, each in input order
        rel, stem, new_ending, _ = planned[index]
        outs[index] = _free_name(rel, stem, new_ending, index, taken)
        taken.add(outs[index])
    return [Target(index, f, size, planned[index][3], outs[index]) for index, (f, size) in enumerate(zip(files, sizes))]


def unused_compression(targets: list[Target], options: OutputOptions) -> str | None:
    """Why ``options.compress`` would change nothing for these outputs, or None: every
    output is a plain ``.txt`` (a folder of text or HTML files followed by its input
    format), and a compression recorded in the manifest but applied to no file is a
    silent lie. Outputs that mix ``.txt`` and records compress the records only."""
    if not options.compress or not targets or any(t.as_record for t in targets):
        return None
    return (
        f"--compress {options.compress}: this run writes only .txt files (one per text or HTML document), "
        "which are written plain; add --output-format jsonl (or parquet) to write compressed records, "
        "or leave --compress out"
    )


def _free_name(rel: str, stem: str, new_ending: str, index: int, taken: _Taken) -> str:
    """The input's stem with its new ending; if taken, its full name with the new
    ending; if taken too, the stem with the input's position (and a count, for
    inputs named like that on purpose)."""
    for out in (stem + new_ending, rel + new_ending, f"{stem}.{index}{new_ending}"):
        if out not in taken:
            return out
    count = 1
    while (out := f"{stem}.{index}-{count}{new_ending}") in taken:
        count += 1
    return out
