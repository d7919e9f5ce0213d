"""Find input files and read them into documents, in two stages.

1. :func:`iter_raw_items` runs in the main process and only splits a file into
   items: a whole text or HTML file (by path), a JSONL line, a parquet row, a WARC
   response. It is cheap, streams, and keeps the order.
2. :func:`load_document` turns one item into a :class:`Document` (decoding, JSON
   parsing, HTML extraction) or a :class:`ReadFailure`. It is the expensive part and
   runs in the worker processes.

Every item, and every one that could not be read, ends as a document or a failure,
so that the run can account for it. A broken file or line never stops the others.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from cleaner.document import Document, ReadFailure, Source
from cleaner.io.compression import compression_of, decompress
from cleaner.io.decode import DecodeError, decode_html, decode_text
from cleaner.io.errors import CorruptInputError
from cleaner.io.html import DEFAULT_EXTRACTOR, DEFAULT_TIME_LIMIT, ExtractorUnavailable, extract_main_text
from cleaner.io.jsonl import NotJsonLines
from cleaner.io.provenance import PROVENANCE_NAMES

if TYPE_CHECKING:
    from cleaner.io.warc import WarcItem

#: File name endings cleaner reads, and the format each one means (longest first).
#: Whether a file is compressed is told by its first bytes too (see
#: :mod:`cleaner.io.compression`), so ``--input-format`` and misnamed files work.
FORMATS = {
    ".warc.wet.gz": "warc",  # Common Crawl's WET files: WARC files of conversion records
    ".ndjson.gz": "jsonl",
    ".ndjson.zst": "jsonl",
    ".jsonl.gz": "jsonl",
    ".jsonl.zst": "jsonl",
    ".json.gz": "jsonl",
    ".json.zst": "jsonl",
    ".html.gz": "html",
    ".html.zst": "html",
    ".warc.gz": "warc",
    ".warc.wet": "warc",
    ".wet.gz": "warc",
    ".htm.gz": "html",
    ".htm.zst": "html",
    ".txt.gz": "txt",
    ".txt.zst": "txt",
    ".md.gz": "md",
    ".md.zst": "md",
    ".ndjson": "jsonl",
    ".jsonl": "jsonl",
    ".json": "jsonl",  # JSON Lines under another name (dolma's shards); see cleaner.io.jsonl
    ".parquet": "parquet",
    ".warc": "warc",
    ".wet": "warc",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
    ".md": "md",
}

#: Files a cleaner run writes next to its outputs; skipped when reading such a folder
#: (one that holds its manifest and a provenance file: a lone ``manifest.json`` is
#: somebody else's, and is read).
RUN_FILES = (*PROVENANCE_NAMES, "manifest.json")


def format_of(name: str) -> str | None:
    """The input format a file name says, or None for files cleaner does not read."""
    lower = name.lower()
    return next((fmt for suffix, fmt in FORMATS.items() if lower.endswith(suffix)), None)


def suffix_of(name: str) -> str:
    """The (possibly double) ending that decided the format: ``.jsonl.gz``, ``.html``."""
    lower = name.lower()
    return next((name[len(name) - len(s) :] for s in FORMATS if lower.endswith(s)), "")


@dataclass(frozen=True)
class InputFile:
    path: Path
    rel: str  # relative to the input root, POSIX separators
    format: str


@dataclass(frozen=True)
class RawItem:
    """One document as found in a file, before any decoding. Small and picklable."""

    rel: str
    format: str
    path: str
    position: int | None = None  # JSONL line, parquet row, WARC record (1-based)
    data: bytes | None = None  # JSONL line, WARC HTTP payload
    record: dict[str, Any] | None = None  # parquet row
    meta: dict[str, Any] | None = None  # WARC: url, date, record id, charset
    error: str | None = None  # the file could not be read (further)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Why a path under IN was not read (the values of :attr:`Discovery.skipped`).
UNKNOWN_KIND = "not a kind of file cleaner reads"
FOLDER_LINK = "a symbolic link to a folder, not followed"
EARLIER_OUTPUT = "earlier cleaner output: it holds .cleaner/state.json; name it as IN to read it"
UNLISTED = "cannot be listed"

#: The file that marks a folder as a cleaner run's OUT (see :mod:`cleaner.running.state`).
RUN_STATE = (".cleaner", "state.json")


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found: the files to read, and the ones it will not read."""

    files: list[InputFile]
    #: Relative paths (POSIX, sorted) of files cleaner does not read (unknown kinds),
    #: and of folders it does not enter, with a final ``/`` (symbolic links to folders,
    #: earlier runs' outputs, folders it may not list), each with the reason.
    skipped: dict[str, str]


def discover(root: Path, *, skip: Path | None = None, input_format: str | None = None) -> Discovery:
    """Input files under ``root`` (or ``root`` itself), sorted by relative path, and the
    ones left out, so that no file is skipped without a word.

    Left out and listed in :attr:`Discovery.skipped`, with the reason: files of other
    kinds (unless ``input_format`` forces one format for every file), symbolic links
    to folders (not followed: no loops, nothing read twice), folders that cannot be
    listed, and folders that hold an earlier cleaner run's output (their
    ``.cleaner/state.json`` says so: its cleaned texts are not new documents; ``root``
    itself is read, as the user named it).

    Left out without a word, by convention: hidden files and folders (``.git/``, editor
    and OS files such as ``.DS_Store``, a run's own ``.cleaner/``: listing them would
    bury the files a user needs to see), the folder ``skip`` (the output folder of the
    run under way, when it lies inside the input), and the
    ``provenance.jsonl``/``manifest.json`` of an earlier cleaner run (in a folder that
    holds both, ``root`` when it is an earlier run's OUT).
    """
    def fmt_for(name: str) -> str | None:
        return input_format or format_of(name)

    if root.is_file():
        fmt = fmt_for(root.name)
        name = text_name(root.name)
        return Discovery([InputFile(root, name, fmt)], {}) if fmt else Discovery([], {name: UNKNOWN_KIND})
    found: list[InputFile] = []
    skipped: dict[str, str] = {}

    def rel(path: Path) -> str:
        return text_name(path.relative_to(root).as_posix())

    def unlisted(error: OSError) -> None:
        where = rel(Path(error.filename)) + "/" if error.filename else "./"
        skipped[where] = f"{UNLISTED}: {error.strerror}" if error.strerror else UNLISTED

    skip_resolved = skip.resolve() if skip else None
    for folder, dirs, files in os.walk(root, onerror=unlisted):
        here = Path(folder)
        visible = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip_resolved)
        dirs[:] = []
        for d in visible:
            why = _folder_left_out(here / d)
            if why:
                skipped[rel(here / d) + "/"] = why
            else:
                dirs.append(d)
        run_output = "manifest.json" in files and any(name in files for name in PROVENANCE_NAMES)
        for name in files:
            if name.startswith(".") or (run_output and name in RUN_FILES):
                continue
            path, fmt = here / name, fmt_for(name)
            if fmt is None:
                skipped[rel(path)] = UNKNOWN_KIND
            else:
                found.append(InputFile(path, rel(path), fmt))
    return Discovery(sorted(found, key=lambda f: f.rel), dict(sorted(skipped.items())))


def _folder_left_out(folder: Path) -> str | None:
    """Why :func:`discover` does not enter ``folder``, or None to enter it."""
    if folder.is_symlink():
        return FOLDER_LINK
    if folder.joinpath(*RUN_STATE).is_file():
        return EARLIER_OUTPUT
    return None


def text_name(name: str) -> str:
    """A file name as valid text. Python hands names whose bytes are not UTF-8 over
    with those bytes as lone surrogates (``os.fsdecode``), which cannot be written to
    provenance or used for an output name; they become ``\\xff``-style escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def iter_raw_items(
    f: InputFile, *, keep_error_pages: bool = False, passed_over: Counter[str] | None = None
) -> Iterator[RawItem]:
    """Split one input file into raw items, streaming. An error part-way yields one
    item carrying the error and ends the file; the items before it stand.

    WARC records that are not documents (see :mod:`cleaner.io.warc`) give no item;
    each is counted by its kind in ``passed_over`` when one is given (``{"request":
    3, "resource image/png": 2, "response 404": 1}``). ``keep_error_pages``: HTML
    responses with an HTTP error status are documents too."""
    base: dict[str, Any] = {"rel": f.rel, "format": f.format, "path": str(f.path)}
    if f.format in ("txt", "md", "html"):
        yield RawItem(**base)
        return
    position = 0
    try:
        if f.format == "jsonl":
            from cleaner.io.jsonl import iter_jsonl_lines

            for position, line in iter_jsonl_lines(f.path):
                yield RawItem(**base, position=position, data=line)
        elif f.format == "parquet":
            from cleaner.io.parquet import iter_parquet_rows

            for position, row in iter_parquet_rows(f.path):
                yield RawItem(**base, position=position, record=row)
        elif f.format == "warc":
            from cleaner.io.warc import PassedOver, iter_warc_records

            for item in iter_warc_records(f.path, keep_error_pages=keep_error_pages):
                position = item.index
                if isinstance(item, PassedOver):
                    if passed_over is not None:
                        passed_over[item.kind] += 1
                    continue
                yield RawItem(**base, position=position, data=item.payload, meta=_warc_meta(item))
        else:
            raise ValueError(f"unknown input format {f.format!r}")
    except Exception as exc:  # unreadable, truncated or corrupt: account for it and go on
        yield RawItem(**base, position=position + 1 if position else None, error=_describe(exc, f.path))


def _warc_meta(item: WarcItem) -> dict[str, Any]:
    """What a WARC document's raw item carries besides its payload."""
    meta: dict[str, Any] = {"url": item.url, "date": item.date, "warc_record_id": item.record_id,
                            "charset": item.charset, "warc_type": item.kind}
    if item.refers_to:
        meta["warc_refers_to"] = item.refers_to
    if item.status is not None and item.status != 200:
        meta["http_status"] = item.status
    return meta


def _describe(exc: BaseException, path: Path | str) -> str:
    if isinstance(exc, NotJsonLines):  # says what the file is and what to do: nothing to add
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read file: {exc.strerror}"
    return f"cannot read file further: {type(exc).__name__}: {_message(exc, path)}"


def _message(exc: BaseException, path: Path | str) -> str:
    """An error's message without the file's path in front: a reason belongs to a
    document whose id and ``source.path`` already say which file (relative to IN,
    not the path on this machine)."""
    message, prefix = str(exc), f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def raw_id(raw: RawItem) -> str:
    """The document id :func:`load_document` would give, found without cleaning
    (for items that fail before they are read: their worker died)."""
    fallback = f"{raw.rel}:{raw.position}" if raw.position else raw.rel
    record: Any = raw.record
    if raw.format == "jsonl" and raw.data:
        try:
            record = json.loads(raw.data)
        except (ValueError, RecursionError):
            record = None
    if raw.format == "warc":
        return (raw.meta or {}).get("warc_record_id") or fallback
    if isinstance(record, dict):
        doc_id = record.get("id")
        if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool):
            return str(doc_id)
    return fallback


def load_document(
    raw: RawItem,
    *,
    text_field: str = "text",
    html_seconds: float | None = DEFAULT_TIME_LIMIT,
    html_metadata: bool = True,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Document | ReadFailure:
    """Decode, parse or extract one raw item into a document (``html_metadata``:
    whether HTML pages also give their title, author, date, ... as metadata;
    ``extractor``: which main-text extractor reads them, see :mod:`cleaner.io.html`).
    An extractor that is not installed raises :class:`ExtractorUnavailable`: that is
    the caller's error, not the document's.

    A failure's reason says what went wrong, not where: its id says where (``a.txt``,
    ``shard.jsonl:7``), and so does its ``source``. Only when the id is a record's own
    (``"id": "r42"``) does the reason begin with the place (``shard.jsonl line 7: ``)."""
    fallback_id = f"{raw.rel}:{raw.position}" if raw.position else raw.rel
    if raw.error:
        return ReadFailure(fallback_id, Source(raw.rel, "", raw.format, line=raw.position), raw.error)
    if raw.format == "jsonl":
        return _load_jsonl(raw, text_field, fallback_id)
    if raw.format == "parquet":
        return _load_record(raw, raw.record or {}, text_field, fallback_id, _row_sha(raw.record or {}))
    if raw.format == "warc":
        return _load_warc(raw, html_seconds, html_metadata, fallback_id, extractor)
    try:
        data = Path(raw.path).read_bytes()
    except OSError as exc:
        return ReadFailure(raw.rel, Source(raw.rel, "", raw.format), f"cannot read file: {exc.strerror or exc}")
    source = Source(raw.rel, _sha256(data), raw.format)
    compression = compression_of(data[:4], raw.path)
    if compression:
        source.extra["compression"] = compression
        try:
            data = decompress(data, compression, raw.path)
        except CorruptInputError as exc:
            return ReadFailure(raw.rel, source, f"cannot read file: {_message(exc, raw.path)}")
        except Exception as exc:  # anything else a damaged stream may raise
            return ReadFailure(raw.rel, source, f"cannot read file: {type(exc).__name__}: {exc}")
    try:
        if raw.format == "html":
            html = source.decoded(decode_html(data))
            text, meta = extract_main_text(html, seconds=html_seconds, metadata=html_metadata, extractor=extractor)
            return Document(raw.rel, text, source, meta, html=html)
        text = source.decoded(decode_text(data))
        return Document(raw.rel, text, source)
    except DecodeError as exc:
        return ReadFailure(raw.rel, source, str(exc))
    except ExtractorUnavailable:
        raise
    except Exception as exc:  # trafilatura/lxml errors, time limit: this document only
        return ReadFailure(raw.rel, source, f"HTML extraction failed: {type(exc).__name__}: {exc}")


def _load_jsonl(raw: RawItem, text_field: str, fallback_id: str) -> Document | ReadFailure:
    data = raw.data or b""
    source = Source(raw.rel, _sha256(data), "jsonl", "utf-8", line=raw.position)
    try:
        record = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return ReadFailure(fallback_id, source, f"not valid JSON: {exc}")
    except RecursionError:
        return ReadFailure(fallback_id, source, "JSON nested too deeply to read")
    return _load_record(raw, record, text_field, fallback_id, source.sha256)


def _load_record(
    raw: RawItem, record: Any, text_field: str, fallback_id: str, sha: str
) -> Document | ReadFailure:
    source = Source(raw.rel, sha, raw.format, "utf-8" if raw.format == "jsonl" else None, line=raw.position)
    if not isinstance(record, dict):
        return ReadFailure(fallback_id, source, "a record must be a JSON object")
    doc_id = record.get("id")
    doc_id = str(doc_id) if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool) else fallback_id
    text = record.get(text_field)
    if not isinstance(text, str):
        reason = _no_text(record, text_field)
        if doc_id != fallback_id:  # the record's own id does not say where it is
            reason = f"{raw.rel} {'line' if raw.format == 'jsonl' else 'row'} {raw.position}: {reason}"
        return ReadFailure(doc_id, source, reason)
    return Document(doc_id, text, source, record=record)


#: How many of a record's field names a reason lists.
FIELDS_SHOWN = 8


def _no_text(record: dict[str, Any], text_field: str) -> str:
    """Why ``record`` gives no text: the field is missing (and which fields the record
    has), null (a record without text, not a wrong ``--text-field``), or not a string."""
    if text_field not in record:
        return f"record has no field {text_field!r} (its fields: {field_names(record)}; see --text-field)"
    value = record[text_field]
    if value is None:
        return f"record field {text_field!r} is null (it holds no text)"
    return f"record has a non-string ({type(value).__name__}) field {text_field!r} (see --text-field)"


def field_names(record: dict[str, Any] | list[str], shown: int = FIELDS_SHOWN) -> str:
    """The first ``shown`` field names of a record (or names), for a message."""
    names = list(record)
    said = ", ".join(names[:shown]) + (", …" if len(names) > shown else "")
    return said or "none"


#: How many record files (and records in each) :func:`check_text_field` looks at.
PEEK_FILES = 8
PEEK_RECORDS = 5


def check_text_field(files: list[InputFile], text_field: str) -> str | None:
    """Why ``text_field`` is surely the wrong field for these inputs, or None.

    Looks at the first records of the first JSONL and parquet files (up to
    :data:`PEEK_FILES` of them, :data:`PEEK_RECORDS` records each; a parquet file's
    schema): when none of those records has the field, every record would fail, so
    the run is better refused before it starts, naming the fields the first file's
    records have. One record that has it, even as null, is enough. Files that cannot
    be read are left to the run to report; WARC, text and HTML inputs have no fields."""
    seen: dict[str, list[str]] = {}  # file -> the fields of its first record, for files with records
    record_files = [f for f in files if f.format in ("jsonl", "parquet")][:PEEK_FILES]
    for f in record_files:
        for fields in _first_fields(f):
            if text_field in fields:
                return None
            seen.setdefault(f.rel, fields)
    if not seen:
        return None
    rel, fields = next(iter(seen.items()))
    more = len(seen) - 1
    others = f", nor in those of {more} more file{'s' if more > 1 else ''}" if more else ""
    return (
        f"--text-field {text_field!r}: no such field in the first records of {rel} (its fields: "
        f"{field_names(fields)}){others}; give the field that holds the text with --text-field"
    )


def _first_fields(f: InputFile) -> Iterator[list[str]]:
    """The field names of the first few records of a JSONL or parquet file (records
    that are not JSON objects are passed over; an unreadable file gives none)."""
    try:
        if f.format == "parquet":
            import pyarrow.parquet as pq

            yield list(pq.read_schema(f.path).names)
            return
        from cleaner.io.jsonl import iter_jsonl_lines

        lines = iter_jsonl_lines(f.path)
        try:
            for _, line in islice(lines, PEEK_RECORDS):
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(record, dict):
                    yield list(record)
        finally:
            lines.close()
    except (OSError, ValueError, EOFError):  # unreadable, corrupt, not JSON Lines: the run reports it
        return


def _row_sha(row: dict[str, Any]) -> str:
    """A parquet row has no bytes of its own: hash its canonical JSON."""
    canon = json.dumps(row, sort_keys=True, ensure_ascii=False, default=_json_default)
    return _sha256(canon.encode("utf-8"))


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


#: What a WARC document's provenance keeps of its record (``source``), when the record has it.
WARC_SOURCE_FIELDS = ("url", "date", "warc_record_id", "warc_type", "warc_refers_to", "http_status")


def _load_warc(
    raw: RawItem, html_seconds: float | None, html_metadata: bool, fallback_id: str, extractor: str = DEFAULT_EXTRACTOR
) -> Document | ReadFailure:
    """A WARC document: an HTML response's main text (extracted as an HTML page's),
    or a conversion record's text as it is (decoded as a text file is; it goes
    through the same rules as text, not through the extractor). Either way the
    record's URL, date, id (and the record a conversion was made from) go to the
    source, and the output record is ``{id, url, date, text}``."""
    meta = dict(raw.meta or {})
    data = raw.data or b""
    doc_id = meta.get("warc_record_id") or fallback_id
    source = Source(raw.rel, _sha256(data), "warc", line=raw.position,
                    extra={k: meta[k] for k in WARC_SOURCE_FIELDS if meta.get(k)})
    html: str | None = None
    found: dict[str, Any] = {}
    try:
        if meta.get("warc_type") == "conversion":
            text = source.decoded(decode_text(data))
        else:
            html = source.decoded(decode_html(data, declared=meta.get("charset")))
            text, found = extract_main_text(
                html, url=meta.get("url"), seconds=html_seconds, metadata=html_metadata, extractor=extractor
            )
    except DecodeError as exc:
        return ReadFailure(doc_id, source, str(exc))
    except ExtractorUnavailable:
        raise
    except Exception as exc:
        return ReadFailure(doc_id, source, f"HTML extraction failed: {type(exc).__name__}: {exc}")
    record = {"id": doc_id, "url": meta.get("url"), "date": meta.get("date"), "text": text}
    return Document(doc_id, text, source, found, record=record, html=html)
