"""One document outside a corpus run: read it from a file (any format a run reads;
one record of a record file) or from bytes (standard input, decoded like a ``.txt``
file), and clean it as ``cleaner run`` would, so that ``cleaner clean`` and
``cleaner explain`` show exactly what a run writes for that document.

Nothing here writes files or prints; the command line does that.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cleaner.document import Document, ReadFailure, Source
from cleaner.io.compression import compression_of, decompress
from cleaner.io.decode import DecodeError, decode_html, decode_text
from cleaner.io.errors import CorruptInputError
from cleaner.io.html import DEFAULT_EXTRACTOR, DEFAULT_TIME_LIMIT, ExtractorUnavailable, extract_main_text
from cleaner.io.readers import FORMATS, InputFile, format_of, iter_raw_items, load_document
from cleaner.running.worker import Cleaned, clean_document  # noqa: F401  (re-exported: the command line's entry)

#: The name a document read from standard input goes by (its id and source path).
STDIN_NAME = "-"


class NoDocument(ValueError):
    """The file holds no document to clean: a kind cleaner does not read, or no
    record with the asked number."""


def read_file(
    path: Path,
    *,
    line: int = 1,
    input_format: str | None = None,
    text_field: str = "text",
    html_seconds: float | None = DEFAULT_TIME_LIMIT,
    html_metadata: bool = True,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Document | ReadFailure:
    """The document in ``path``: the whole file for text and HTML, record number
    ``line`` (1-based: JSONL line, parquet row, WARC response) for record files.
    The format comes from the file's ending unless ``input_format`` names one.
    Raises :class:`NoDocument` when there is nothing to read."""
    fmt = input_format or format_of(path.name)
    if fmt is None:
        raise NoDocument(
            f"{path}: unknown file ending; cleaner reads {', '.join(FORMATS)} (or say which with --input-format)"
        )
    raws = iter_raw_items(InputFile(path, path.name, fmt))
    raw = next((r for r in raws if r.position in (None, line)), None)
    if raw is None:
        kind = _passed_over(path, line) if fmt == "warc" else None
        if kind is not None:
            keep = " (cleaner run --keep-error-pages cleans error pages)" if kind.split()[-1].isdigit() else ""
            raise NoDocument(f"{path}: record {line} is a {kind} record, not a document: a run passes it over{keep}")
        raise NoDocument(f"{path}: no record number {line}")
    return load_document(
        raw, text_field=text_field, html_seconds=html_seconds, html_metadata=html_metadata, extractor=extractor
    )



def first_document_line(path: Path, input_format: str | None = None) -> int:
    """The record number of the first document in ``path``: 1, except in a WARC
    file whose first records are not documents (a WET file opens with its
    ``warcinfo`` record). What ``--line`` means when it is not given."""
    fmt = input_format or format_of(path.name)
    if fmt != "warc":
        return 1
    first = next(iter_raw_items(InputFile(path, path.name, fmt)), None)
    return first.position if first is not None and first.position else 1

def _passed_over(path: Path, line: int) -> str | None:
    from cleaner.io.warc import passed_over_kind  # here: warcio takes ~40 ms to import

    return passed_over_kind(path, line)


def read_bytes(
    data: bytes,
    name: str = STDIN_NAME,
    *,
    input_format: str = "txt",
    html_seconds: float | None = DEFAULT_TIME_LIMIT,
    html_metadata: bool = True,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Document | ReadFailure:
    """A document from raw bytes (standard input): decoded as a ``.txt`` file is
    (UTF-8, UTF-16 with a byte-order mark, else the detected encoding; recorded in
    the source), or for ``input_format="html"`` as an HTML page is (decoded, main
    text extracted). Record formats hold many documents and are read from files
    (:func:`read_file`); they raise :class:`NoDocument`."""
    if input_format not in ("txt", "md", "html"):
        raise NoDocument(
            f"standard input is read as one text or HTML document, not as {input_format}; "
            "give the file instead (with --line N for one record)"
        )
    source = Source(name, hashlib.sha256(data).hexdigest(), input_format)
    try:
        compression = compression_of(data[:4], name)  # told by the first bytes, as for files
        if compression is not None:
            data = decompress(data, compression, name)
            source.extra["compression"] = compression
        if input_format == "html":
            html = source.decoded(decode_html(data))
            text, meta = extract_main_text(html, seconds=html_seconds, metadata=html_metadata, extractor=extractor)
            return Document(name, text, source, meta)
        text = source.decoded(decode_text(data))
    except (DecodeError, CorruptInputError) as exc:
        return ReadFailure(name, source, str(exc))
    except ExtractorUnavailable:
        raise
    except Exception as exc:  # trafilatura/lxml errors, time limit: as a run reports them
        return ReadFailure(name, source, f"HTML extraction failed: {type(exc).__name__}: {exc}")
    return Document(name, text, source)
