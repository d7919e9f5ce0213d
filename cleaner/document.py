"""A document on its way through cleaner, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleaner.io.decode import Decoded


@dataclass
class Source:
    """Where a document's text was read: enough to find and verify the bytes again."""

    path: str  # relative to the input root, POSIX separators
    sha256: str  # of the bytes read (the file, or the JSONL line)
    format: str  # txt | md | html | jsonl
    encoding: str | None = None  # cleaner.io.decode.encoding_label's form: utf-8, utf-16-le, cp1252
    encoding_note: str | None = None  # when the text may not be exactly what was written: "guessed: …"
    line: int | None = None  # JSONL line, parquet row, WARC record: 1-based
    extra: dict[str, Any] = field(default_factory=dict)  # WARC: url, date, warc_record_id

    def decoded(self, decoded: Decoded) -> str:
        """Record how the bytes were decoded (a :class:`cleaner.io.decode.Decoded`)
        and return the text."""
        self.encoding, self.encoding_note = decoded.encoding, decoded.note
        return decoded.text

    def to_dict(self) -> dict[str, Any]:
        d = {"path": self.path, "sha256": self.sha256, "format": self.format, "encoding": self.encoding}
        if self.encoding_note:
            d["encoding_note"] = self.encoding_note
        if self.line is not None:
            d["line"] = self.line
        d.update(self.extra)
        return d


@dataclass
class Document:
    """Text to clean, with metadata found while reading it (HTML title, JSONL fields)."""

    id: str
    text: str
    source: Source
    meta: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] | None = None  # JSONL: the original record, written back with the cleaned text
    html: str | None = field(default=None, repr=False)  # HTML pages: the decoded page, for corpus rules (never written)


@dataclass
class ReadFailure:
    """A document (or a whole file) that could not be read; it still gets a provenance line."""

    id: str
    source: Source
    reason: str


def document_meta(found: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """A document's metadata: what reading found (HTML title, WARC URL) wins over
    what the rules found for the same key."""
    return {**found, **{k: v for k, v in cleaned.items() if k not in found}}


def extracted_from_html(format: str | None, warc_type: str | None = None) -> bool:
    """Whether a document's text is what the HTML extractor found in a page (an
    HTML file, a WARC response), not text as it was read (a text file, a record, a
    WET ``conversion`` record). What a run costs, counts and says depends on it."""
    return format == "html" or format == "warc" and warc_type != "conversion"
