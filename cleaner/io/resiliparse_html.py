"""Main text of an HTML page with resiliparse (``--extractor resiliparse``): the fast
path, an optional extra (``pip install 'cleaner[resiliparse]'``).

resiliparse parses the page with lexbor (C) and keeps its "main content" by simple
heuristics (``extract_plain_text(main_content=True)``), 13-21 times faster than
trafilatura on the bench pages (7-14 times the whole default path, rules included);
its F1 and where it loses are in docs/extractors.md. The text
is laid out as the trafilatura path lays it out (blank lines between blocks, the
lines of a table, list or ``<pre>`` block together), so the same rules follow.

The metadata is what the page's ``<head>`` says outright, read from the same parsed
tree: ``title`` (``og:title``, else ``<title>``), ``url`` (``<link rel=canonical>``,
else ``og:url``, else the URL given: a WARC record's), ``sitename``
(``og:site_name``), ``author`` (``<meta name=author>``, ``article:author`` unless a
URL), ``date`` (``article:published_time`` and the like, when it begins with an
ISO date: ``YYYY-MM-DD``) and ``tags`` (``keywords``, ``article:tag``). Left alone,
unlike trafilatura: bylines and dates found only in the page's body (htmldate's
search), site names guessed from the title, URL normalisation, and author
blacklists. So a page's metadata can differ between the two extractors; its site
(the host of ``url``) rarely does.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

#: ``extract_plain_text`` options: main content only; no list bullets, image alt texts,
#: comment sections or post meta (bylines, dates), none of which is main text (on the
#: bench pages each of these choices raised F1 on scrapinghub and readability).
OPTIONS: dict[str, Any] = {
    "main_content": True,
    "list_bullets": False,
    "alt_texts": False,
    "comments": False,
    "post_meta": False,
}

#: What to install when resiliparse is missing.
INSTALL = "pip install 'cleaner[resiliparse]'"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_SELECTORS = ('property="article:published_time"', 'itemprop="datePublished"', 'name="date"', 'name="pubdate"',
                   'name="DC.date.issued"', 'name="dc.date"')


def available() -> bool:
    """Whether resiliparse can be imported (the extra is installed)."""
    try:
        import resiliparse.extract.html2text  # noqa: F401
    except ImportError:
        return False
    return True


def extract(html: str, *, url: str | None = None, metadata: bool = True) -> tuple[str, dict[str, Any]]:
    """The page's main text (blocks separated by blank lines, ending in a line break)
    and its metadata (see the module docs); ``("", {})`` when resiliparse finds no
    main text. ``metadata=False`` returns no metadata (it costs little here).
    Raises :class:`cleaner.io.html.ExtractorUnavailable` when resiliparse is not
    installed."""
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree
    except ImportError as exc:
        from cleaner.io.html import ExtractorUnavailable

        raise ExtractorUnavailable(f"--extractor resiliparse needs the resiliparse package ({exc}): {INSTALL}") from None

    tree = HTMLTree.parse(html)
    blocks = text_blocks(extract_plain_text(tree, **OPTIONS))
    if not blocks:
        return "", {}
    return "\n\n".join(blocks) + "\n", (head_metadata(tree, url) if metadata else {})


#: A line break, then one or more lines that are empty or only whitespace.
_BLOCK_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")


def text_blocks(text: str) -> list[str]:
    """resiliparse's text as blocks: it already ends a paragraph, list, table or
    ``<pre>`` with a blank line and writes a table's rows, a list's items and a
    ``<pre>``'s lines one per line, so its blank lines are the block breaks.

    Within a block, trailing spaces go and the indentation all its lines share is
    removed (resiliparse indents list items by two spaces); deeper indentation
    stays, so a ``<pre>``'s code keeps its shape and a nested list its nesting.
    Blocks of whitespace alone are dropped."""
    blocks = []
    for chunk in _BLOCK_BREAK.split(text):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if lines:
            blocks.append(textwrap.dedent("\n".join(lines)))
    return blocks


def head_metadata(tree: Any, url: str | None = None) -> dict[str, Any]:
    """title, author, date, sitename, url and tags as the page's ``<head>`` states them
    (keys without a value are left out, as on the trafilatura path).

    Each field is one CSS query for the element that holds it: resiliparse hands out
    the nodes of a long collection slowly (about 0.1 ms each), a query for one is fast."""
    from cleaner.io.html import _tag_list

    head = tree.head
    if head is None:
        return {"url": url} if url else {}

    def meta(*selectors: str) -> str | None:
        for selector in selectors:
            element = head.query_selector(f"meta[{selector}][content]")
            if element is not None:
                content = " ".join((element.getattr("content") or "").split())
                if content:
                    return content
        return None

    found: dict[str, Any] = {}
    title = meta('property="og:title"') or " ".join((tree.title or "").split())
    if title:
        found["title"] = title
    author = meta('name="author"', 'property="article:author"')
    if author and "//" not in author:
        found["author"] = author
    date = meta(*_DATE_SELECTORS)
    if date and _ISO_DATE.match(date):
        found["date"] = date[:10]
    sitename = meta('property="og:site_name"')
    if sitename:
        found["sitename"] = sitename
    page_url = _canonical(head) or meta('property="og:url"') or url
    if page_url:
        found["url"] = page_url
    tags = [meta('name="keywords"') or "", *(" ".join((e.getattr("content") or "").split())
                                             for e in head.query_selector_all('meta[property="article:tag"][content]'))]
    tags = _tag_list([t for t in tags if t])
    if tags:
        found["tags"] = tags
    return found


def _canonical(head: Any) -> str | None:
    """The absolute URL of ``<link rel=canonical>`` (protocol-relative ones get
    ``https:``), or None."""
    link = head.query_selector('link[rel="canonical"][href]')
    href = (link.getattr("href") or "").strip() if link is not None else ""
    if href.startswith("//"):
        return "https:" + href
    return href if "://" in href else None
