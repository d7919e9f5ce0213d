"""WARC input: the HTML responses of a ``.warc`` or ``.warc.gz`` file, parsed by warcio.

Records are streamed: what is held is one HTML payload. A truncated or corrupt file
raises :class:`~cleaner.io.errors.CorruptInputError` where the damage is found, after
every whole record before it has been yielded (see :func:`iter_warc_responses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, Iterator

from warcio.archiveiterator import WARCIterator

from cleaner.io.compression import CHUNK_SIZE, open_raw, sniff
from cleaner.io.errors import CorruptInputError

#: HTTP content types :func:`iter_warc_responses` yields.
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class WarcItem:
    """One HTML response of a WARC file."""

    index: int  # 1-based position among all records of the file
    record_id: str | None  # WARC-Record-ID
    url: str | None  # WARC-Target-URI
    date: str | None  # WARC-Date
    content_type: str  # HTTP Content-Type, lower-cased, without parameters; '' if none
    charset: str | None  # charset parameter of the HTTP Content-Type, lower-cased
    payload: bytes  # the HTTP body, de-chunked and content-decoded by warcio


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    message = Message()
    message["Content-Type"] = header
    return header.split(";", 1)[0].strip().lower(), message.get_content_charset() or None


def _finish_record(record: Any, index: int, path: Path) -> WarcItem | None:
    """Read one record to its end and check it is whole; the item if it is an HTML response."""
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
    item = None
    http = record.http_headers
    try:
        if record.rec_type == "response" and http is not None:
            content_type, charset = _content_type(http.get_header("Content-Type"))
            if content_type in HTML_CONTENT_TYPES:
                headers = record.rec_headers
                item = WarcItem(
                    index=index,
                    record_id=headers.get_header("WARC-Record-ID"),
                    url=headers.get_header("WARC-Target-URI"),
                    date=headers.get_header("WARC-Date"),
                    content_type=content_type,
                    charset=charset,
                    payload=record.content_stream().read(),
                )
        while record.raw_stream.read(CHUNK_SIZE):
            pass
    except CorruptInputError as exc:
        raise CorruptInputError(f"{exc} (in WARC record {index})") from exc
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise CorruptInputError(
            f"{path}: WARC record {index} is truncated: {missing} of its {length} bytes are missing"
        )
    return item


def iter_warc_responses(path: Path) -> Iterator[WarcItem]:
    """Each ``response`` record of a ``.warc`` or ``.warc.gz`` file whose HTTP content type
    is HTML (``text/html``, ``application/xhtml+xml``), as a :class:`WarcItem`. Other
    records (requests, metadata, revisits, resources, non-HTML responses) are skipped
    silently, but still read and checked.

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

    The payload is read whole (one document); other records are streamed through.
    ``.warc.zst`` is refused: zstd WARCs rely on a dictionary.
    """
    if path.suffix.lower() == ".zst" or sniff(path) == "zstd":
        raise ValueError(f"{path}: zstd-compressed WARC files are not supported; use .warc or .warc.gz")
    with open_raw(path) as stream:
        records = WARCIterator(stream)
        index = 0
        pending: WarcItem | None = None
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
            pending = _finish_record(record, index, path)
