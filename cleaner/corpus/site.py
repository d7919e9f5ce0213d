"""Which site a document belongs to: the unit in which a site's template repeats.

The site is the host of the document's URL, without a leading ``www.``: a record's
``url`` field (JSONL, parquet), the WARC record's target URI, or the HTML page's own
canonical / ``og:url`` (trafilatura's metadata; ``--no-html-metadata`` skips it).
Without a URL, a text or HTML file's site is its input folder (``site/page.html``
→ ``site``, a file at the top of IN → ``.``), which is how people store scraped
sites. A record (JSONL, parquet) without a URL has no site (``""``): a shard mixes
pages of many sites, and taking it for one site would make every line its pages
share look like a template. Rules that need a site leave such documents alone.
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlsplit

from cleaner.document import Document


def host_of(url: Any) -> str | None:
    """``https://www.rei.com/product/1`` → ``rei.com``; None for anything else."""
    if not isinstance(url, str) or "//" not in url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def site_of(doc: Document) -> str:
    """The document's site (see the module docs)."""
    for url in ((doc.record or {}).get("url"), doc.source.extra.get("url"), doc.meta.get("url")):
        host = host_of(url)
        if host:
            return host
    if doc.record is not None or doc.source.format in ("jsonl", "parquet", "warc"):
        return ""
    return posixpath.dirname(doc.source.path) or "."
