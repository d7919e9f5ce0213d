"""WARC input: the documents of a ``.warc`` or ``.warc.gz`` file, parsed by warcio,
and what every other record of it is.

Two kinds of record are documents, told by the record itself whatever the file is
called: a ``response`` whose HTTP content type is HTML (a page, for the HTML
extractor), and a ``conversion`` record (text a crawler already extracted from a
page: Common Crawl's WET files, ``CC-MAIN-….warc.wet.gz``, hold nothing else).
Every other record is passed over, and said to be (:class:`PassedOver`), so that a
run can count it: warcinfo, request, metadata, revisit, resource records, responses
that are not HTML, and HTML responses whose HTTP status is an error (4xx, 5xx),
which are not the page but the server's apology for it.

Records are streamed: what is held is one document's payload. A truncated or
corrupt file raises :class:`~cleaner.io.errors.CorruptInputError` where the damage
is found, after every whole record before it has been yielded (see
:func:`iter_warc_records`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from email.message import Message
from pathlib import Path
from typing import Any, Iterator

from warcio.archiveiterator import WARCIterator

from cleaner.io.compression import CHUNK_SIZE, open_raw, sniff
from cleaner.io.errors import CorruptInputError

#: HTTP content types of the responses :func:`iter_warc_records` yields as documents.
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})

#: The record type of text extracted from a page (WET files): a document, read as text.
CONVERSION = "conversion"


@dataclass(frozen=True)
class WarcItem:
    """One document of a WARC file: an HTML response, or a conversion record's text."""

    index: int  # 1-based position among all records of the file
    record_id: str | None  # WARC-Record-ID
    url: str | None  # WARC-Target-URI
    date: str | None  # WARC-Date
    content_type: str  # HTTP Content-Type (a conversion: the WARC one), lower-cased, no parameters; '' if none
    charset: str | None  # charset parameter of that Content-Type, lower-cased
    payload: bytes  # the HTTP body, de-chunked and content-decoded by warcio; a conversion's text
    kind: str = "response"  # the WARC-Type: "response" (HTML, for the extractor) or "conversion" (text)
    refers_to: str | None = None  # WARC-Refers-To: the record a conversion's text was taken from
    status: int | None = None  # a response's HTTP status code


@dataclass(frozen=True)
class PassedOver:
    """A record that is not a document, and what kind it is, for the run's count:
    its WARC-Type (``request``, ``warcinfo``, ``metadata``, ``revisit``), with the
    content type for resources and responses that are not HTML (``resource
    image/png``, ``response application/pdf``), or the status of an error page
    (``response 404``)."""

    index: int  # 1-based position among all records of the file
    kind: str


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    message = Message()
    message["Content-Type"] = header
    return header.split(";", 1)[0].strip().lower(), message.get_content_charset() or None


def _status(http: Any) -> int | None:
    """The HTTP status code of a response's headers, or None when it has none."""
    try:
        return int(http.get_statuscode())
    except (TypeError, ValueError):
        return None


def is_error_status(status: int | None) -> bool:
    """An HTTP status that says the page is not there (4xx) or the server failed (5xx)."""
    return status is not None and status >= 400


def _document(record: Any, index: int, keep_error_pages: bool) -> WarcItem | PassedOver:
    """What one record is, before its payload is read: a document (payload still
    empty) or a record passed over, with its kind."""
    headers, http, rec_type = record.rec_headers, record.http_headers, record.rec_type
    if rec_type == "response" and http is not None:
        content_type, charset = _content_type(http.get_header("Content-Type"))
        status = _status(http)
        if content_type not in HTML_CONTENT_TYPES:
            return PassedOver(index, f"response {content_type or '(no Content-Type)'}")
        if is_error_status(status) and not keep_error_pages:
            return PassedOver(index, f"response {status}")
    elif rec_type == CONVERSION:
        content_type, charset = _content_type(headers.get_header("Content-Type"))
        status = None
    else:
        content_type, _ = _content_type(headers.get_header("Content-Type"))
        with_type = rec_type in ("resource", "response") and content_type
        return PassedOver(index, f"{rec_type} {content_type}" if with_type else str(rec_type))
    return WarcItem(
        index=index,
        record_id=headers.get_header("WARC-Record-ID"),
        url=headers.get_header("WARC-Target-URI"),
        date=headers.get_header("WARC-Date"),
        content_type=content_type,
        charset=charset,
        payload=b"",
        kind=rec_type,
        refers_to=headers.get_header("WARC-Refers-To"),
        status=status,
    )


def _finish_record(record: Any, index: int, path: Path, keep_error_pages: bool) -> WarcItem | PassedOver:
    """Read one record to its end and check it is whole; the document it is (with its
    payload), or what was passed over."""
    declared = record.rec_headers.get_header("Content-Length") if record.format == "warc" else record.length
    try:
        length = int(declared)
    except (TypeError, ValueError):
        length = -1
    if length < 0 or record.length is None:
        raise CorruptInputError(
            f"{path}: WARC record {index} has no valid Content-Length ({declared!r}): "
            "truncated or corrupt header"
        )
    try:
        found = _document(record, index, keep_error_pages)
        if isinstance(found, WarcItem):
            found = replace(found, payload=record.content_stream().read())
        while record.raw_stream.read(CHUNK_SIZE):
            pass
    except CorruptInputError as exc:
        raise CorruptInputError(f"{exc} (in WARC record {index})") from exc
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise CorruptInputError(
            f"{path}: WARC record {index} is truncated: {missing} of its {length} bytes are missing"
        )
    return found


def iter_warc_responses(path: Path) -> Iterator[WarcItem]:
    """The documents of a WARC file (:func:`iter_warc_records` without the records
    passed over)."""
    return (item for item in iter_warc_records(path) if isinstance(item, WarcItem))


def passed_over_kind(path: Path, index: int) -> str | None:
    """The kind of record number ``index`` of a WARC file when it is not a document
    (``"response 404"``), else None (a document, no such record, or a file that
    cannot be read that far): for a message that says why a record is not read."""
    try:
        for item in iter_warc_records(path):
            if item.index == index:
                return item.kind if isinstance(item, PassedOver) else None
    except (CorruptInputError, ValueError, OSError):
        pass
    return None


def iter_warc_records(path: Path, *, keep_error_pages: bool = False) -> Iterator[WarcItem | PassedOver]:
    """Every record of a ``.warc`` or ``.warc.gz`` file, in order: a
    :class:`WarcItem` for each document (an HTML ``response``, ``text/html`` or
    ``application/xhtml+xml``, and each ``conversion`` record: see the module docs),
    a :class:`PassedOver` for each other record, so that none goes uncounted.
    ``keep_error_pages``: HTML responses with an HTTP status of 400 or more are
    documents too (by default they are passed over as ``response 404`` …).

    Records are parsed by warcio's ``ArchiveIterator``, as its ``WARCIterator`` subclass:
    WARC only, since almost any line of garbage passes for an ARC header. The file is
    gunzipped here (gzip is told by its first bytes, whatever the name), not by warcio, whose gunzip ends quietly on a truncated file and
    only prints zlib errors. Damage raises :class:`CorruptInputError` where it is
    found: a record shorter than its Content-Length, a header without one, a record not
    followed by the blank lines that end it (a wrong Content-Length; warcio also prints
    a warning), a record that does not parse. Each item is yielded once the next
    record's header has been read, so a record whose length turns out wrong is never
    yielded; all items before the damage are. A file cut exactly between records looks
    whole and ends quietly.

    A document's payload is read whole; other records are streamed through.
    ``.warc.zst`` is refused: zstd WARCs rely on a dictionary.
    """
    if path.suffix.lower() == ".zst" or sniff(path) == "zstd":
        raise ValueError(f"{path}: zstd-compressed WARC files are not supported; use .warc or .warc.gz")
    with open_raw(path) as stream:
        records = WARCIterator(stream)
        index = 0
        pending: WarcItem | PassedOver | None = None
        while True:
            try:
                record = next(records, None)
            except CorruptInputError as exc:
                raise CorruptInputError(f"{exc} (after WARC record {index})") from exc
            except Exception as exc:  # warcio's ArchiveLoadFailed, or AttributeError on a damaged header
                detail = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                message = f"{path}: cannot read the WARC record after record {index}: {detail}"
                raise CorruptInputError(message) from exc
            if records.err_count:
                raise CorruptInputError(
                    f"{path}: WARC record {index} is not followed by the blank lines that end a record: "
                    f"its Content-Length is probably wrong"
                )
            if pending is not None:
                yield pending
                pending = None
            if record is None:
                # warcio takes an EOFError inside a record's first lines for the end of
                # the archive; bytes read past the last whole record betray the cut
                leftover = records.fh.tell() - records.offset
                if leftover:
                    raise CorruptInputError(
                        f"{path}: the file ends inside the WARC record after record {index} "
                        f"({leftover} bytes of it are there)"
                    )
                return
            index += 1
            pending = _finish_record(record, index, path, keep_error_pages)
