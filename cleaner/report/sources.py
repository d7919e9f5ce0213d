"""The texts of the few documents the report shows side by side: before (what the rules
saw, read back from the run's input as a run reads it: a text file decoded, a record's
text field, an HTML page's extracted text; :func:`cleaner.running.single.read_file`)
and after (the run's output: its ``.txt`` file, or its record in a JSONL or parquet
output).

The input may have moved or changed since the run: the document's ``source.sha256``
tells, and :class:`Texts` says why a before-text is missing. When the run's pack
masks personal data (its private rules: ``pii/*``, a plugin's declared ``private=True``),
the before-text is masked with those same rules before anything shows it: the output and
provenance were masked by the run, the input never was. Only a handful of documents are read, so the cost of
reading a record file up to the record (and of extracting an HTML page again) stays small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from cleaner.core.engine import Pipeline, apply_rules
from cleaner.core.rule import Rule
from cleaner.document import ReadFailure
from cleaner.io.compression import open_binary
from cleaner.io.html import DEFAULT_EXTRACTOR
from cleaner.running.outputs import inside
from cleaner.running.single import NoDocument, read_file

#: Characters of one text shown at most (the rest is said to be cut).
MOST_CHARS = 30_000

Mask = Callable[[str], str]


@dataclass
class Texts:
    """One document's before and after; ``None`` with the reason when not available."""

    before: str | None
    after: str | None
    before_note: str = ""
    after_note: str = ""
    cut: bool = False  # one of them was cut to :data:`MOST_CHARS`: their ends do not match


def private_mask(pipeline: Pipeline | None, needs: bool) -> Mask | None:
    """A function masking a text with ``pipeline``'s private rules (identity when it
    has none); None when the run ``needs`` masking and its pack is not known (then no
    before-text may be shown). See :func:`mask_lines`."""
    if pipeline is None:
        return None if needs else (lambda text: text)
    if not pipeline.private:
        return (lambda text: text) if not needs else None
    private = pipeline.private
    decoding = tuple(r for r in pipeline.rules if r.kind == "text" and not r.private)
    return lambda text: mask_lines(text, private, decoding)


def mask_lines(text: str, private: Sequence[Rule], decoding: Sequence[Rule]) -> str:
    """``text`` with what the pipeline's private rules find masked, line by line; and a
    line whose personal data shows only once the pack's text rules have decoded it (an
    address written ``jane&#64;mail.de``, or broken by a zero-width space: the run masked
    it on a later pass) shown as those rules leave it, masked. Such a line is no longer
    the input's, character for character; what the page may never show is the address.
    ``private``: the pack's private rules; ``decoding``: its other text rules."""
    lines = []
    for line in text.split("\n"):
        if not line.strip():
            lines.append(line)
            continue
        found = apply_rules(private, line)
        plain = apply_rules(decoding, line).text if decoding else line
        hidden = apply_rules(private, plain)
        lines.append(" ".join(hidden.text.split("\n")).strip() if _masks(hidden) > _masks(found) else found.text)
    return "\n".join(lines)


def _masks(outcome: Any) -> int:
    return sum(1 for step in outcome.steps if step.action == "masked")


def input_path(root: Path, rel: str) -> Path:
    """Where a document's ``source.path`` is under the run's input ``root`` (a folder,
    or the one file the run read)."""
    if root.is_file() or not root.exists():
        return root if root.name == Path(rel).name else root.parent / rel
    return root / rel


def before_text(record: dict[str, Any], root: Path | None, options: dict[str, Any], mask: Mask | None) -> tuple[str | None, str]:
    """The text the rules saw for ``record``, masked; else None and why not."""
    source = record.get("source") or {}
    rel = source.get("path")
    if root is None or not rel:
        return None, "the run's input is not known (give --input IN)"
    if mask is None:
        return None, ("the run may have masked personal data (its private rules) and its pack could not be "
                      "loaded again to mask the input: the text before is not shown")
    if not root.exists():
        return None, f"the run's input {root} is not there"
    path = input_path(root, str(rel))
    if not path.is_file():
        return None, f"the input is no longer there: {path} is missing"
    try:
        item = read_file(
            path, line=source.get("line") or 1, input_format=options.get("input_format"),
            text_field=options.get("text_field") or "text", html_seconds=options.get("html_seconds"),
            html_metadata=bool(options.get("html_metadata", True)),
            extractor=options.get("extractor") or DEFAULT_EXTRACTOR,
        )
    except (NoDocument, OSError, ValueError) as exc:
        return None, f"the input could not be read again: {exc}"
    except Exception as exc:  # an extractor's error: said, not raised (one document of a report)
        return None, f"the input could not be read again: {type(exc).__name__}"
    if item.source.sha256 != source.get("sha256"):
        return None, f"the input has changed since the run: {path} is not what the run read (sha256 differs)"
    if isinstance(item, ReadFailure):
        return None, "the input could not be read again"
    return mask(item.text), ""


def after_text(record: dict[str, Any], out: Path, text_field: str) -> tuple[str | None, str]:
    """The text the run wrote for ``record``; else None and why not."""
    output = record.get("output") or {}
    rel = output.get("path")
    if not rel:
        return None, "the run wrote no output for this document"
    try:
        path = inside(out, str(rel))
    except ValueError:
        return None, "the output's path is not inside OUT"
    if not path.is_file():
        return None, f"the output is no longer there: {rel} is missing"
    line = output.get("line")
    try:
        if line is None:
            with open_binary(path) as handle:
                return handle.read().decode("utf-8", errors="replace"), ""
        if ".parquet" in path.name:
            return _parquet_row(path, int(line), text_field), ""
        with open_binary(path) as handle:
            for number, raw in enumerate(handle, 1):
                if number == line:
                    row = json.loads(raw)
                    return str(row.get(text_field, row.get("text", ""))), ""
    except (OSError, ValueError) as exc:
        return None, f"the output could not be read: {exc}"
    return None, f"the output has no record {line}"


def _parquet_row(path: Path, line: int, text_field: str) -> str:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path)
    names = table.schema_arrow.names
    column = text_field if text_field in names else "text"
    seen = 0
    for batch in table.iter_batches(columns=[column]):
        if seen + batch.num_rows >= line:
            return str(batch.column(0)[line - seen - 1].as_py() or "")
        seen += batch.num_rows
    raise ValueError(f"no row {line}")


def texts(record: dict[str, Any], out: Path, root: Path | None, options: dict[str, Any], mask: Mask | None) -> Texts:
    """Both texts of ``record``, each cut to :data:`MOST_CHARS`."""
    before, why_not = before_text(record, root, options, mask)
    after, after_why = after_text(record, out, options.get("text_field") or "text")
    if mask is not None:  # a note names the input's path: masked as the page's header masks it
        why_not, after_why = mask(why_not), mask(after_why)
    cut = any(text is not None and len(text) > MOST_CHARS for text in (before, after))
    if cut:
        why_not = " ".join(filter(None, [why_not, f"Only the first {MOST_CHARS:,} characters of each text are shown."]))
    return Texts(_cut(before), _cut(after), why_not, after_why, cut)


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= MOST_CHARS else text[:MOST_CHARS]
