"""Find input files and read them into documents.

Every document read, and every one that could not be read, comes out of
:func:`read_documents` as a :class:`Document` or a :class:`ReadFailure`, so that
the run can account for it. A broken file or line never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from cleaner.document import Document, ReadFailure, Source
from cleaner.io.decode import DecodeError, decode_html, decode_text
from cleaner.io.html import DEFAULT_TIME_LIMIT, extract_main_text

#: File extensions cleaner reads, and the format each one means.
FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}

#: Files a cleaner run writes next to its outputs; skipped when reading such a folder.
RUN_FILES = ("provenance.jsonl", "manifest.json")


@dataclass(frozen=True)
class InputFile:
    path: Path
    rel: str  # relative to the input root, POSIX separators
    format: str


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def discover(root: Path, *, skip: Path | None = None) -> list[InputFile]:
    """Input files under ``root`` (or ``root`` itself), sorted by relative path.

    Skips: files of other extensions, hidden files and folders, the folder ``skip``
    (the output folder when it lies inside the input), symlinked folders (no loops),
    and the ``provenance.jsonl``/``manifest.json`` of an earlier cleaner run, so
    that a run's output folder can be cleaned again.
    """
    if root.is_file():
        fmt = FORMATS.get(root.suffix.lower())
        return [InputFile(root, root.name, fmt)] if fmt else []
    found: list[InputFile] = []
    skip_resolved = skip.resolve() if skip else None
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip_resolved
        )
        run_output = "manifest.json" in files
        for name in files:
            fmt = FORMATS.get(Path(name).suffix.lower())
            if fmt is None or name.startswith(".") or (run_output and name in RUN_FILES):
                continue
            path = here / name
            found.append(InputFile(path, path.relative_to(root).as_posix(), fmt))
    return sorted(found, key=lambda f: f.rel)


def read_documents(
    f: InputFile, *, text_field: str = "text", html_seconds: float | None = DEFAULT_TIME_LIMIT
) -> Iterator[Document | ReadFailure]:
    """Yield the documents in one input file (one for text and HTML, one per line
    for JSONL), or a :class:`ReadFailure` for each that cannot be read."""
    try:
        if f.format == "jsonl":
            yield from _read_jsonl(f, text_field)
            return
        data = f.path.read_bytes()
    except OSError as exc:
        yield ReadFailure(f.rel, Source(f.rel, "", f.format), f"cannot read file: {exc.strerror or exc}")
        return
    source = Source(f.rel, _sha256(data), f.format)
    try:
        if f.format == "html":
            html, source.encoding = decode_html(data)
            text, meta = extract_main_text(html, seconds=html_seconds)
            yield Document(f.rel, text, source, meta)
        else:
            text, source.encoding = decode_text(data)
            yield Document(f.rel, text, source)
    except DecodeError as exc:
        yield ReadFailure(f.rel, source, str(exc))
    except Exception as exc:  # trafilatura/lxml errors, time limit: this document only
        yield ReadFailure(f.rel, source, f"HTML extraction failed: {type(exc).__name__}: {exc}")


def _read_jsonl(f: InputFile, text_field: str) -> Iterator[Document | ReadFailure]:
    with f.path.open("rb") as handle:
        for n, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            source = Source(f.rel, _sha256(raw.rstrip(b"\r\n")), "jsonl", "utf-8", line=n)
            fallback_id = f"{f.rel}:{n}"
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield ReadFailure(fallback_id, source, f"{f.rel} line {n}: not valid JSON: {exc}")
                continue
            if not isinstance(record, dict):
                yield ReadFailure(fallback_id, source, f"{f.rel} line {n}: a record must be a JSON object")
                continue
            doc_id = record.get("id")
            doc_id = str(doc_id) if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool) else fallback_id
            text = record.get(text_field)
            if not isinstance(text, str):
                what = "has no" if text is None else f"has a non-string ({type(text).__name__})"
                yield ReadFailure(
                    doc_id, source, f"{f.rel} line {n}: record {what} field {text_field!r} (see --text-field)"
                )
                continue
            yield Document(doc_id, text, source, record=record)
