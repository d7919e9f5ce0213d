"""The whole visible text of an HTML page, one block element per line: what a
careless scrape would have kept (menus, product grids, footers and all).

The HTML path's corpus rule needs it: where the main-text extractor keeps a
paragraph of a listing, collection or product page and drops its items, the page's
own text minus its site template is the better text (docs/corpus.md, "The HTML
path"). Template evidence also comes from here, since the template lives in the
whole page and the extractor's output has little of it.

What counts: text and tails of every element except those that are never shown
(``<script>``, ``<style>``, ``<noscript>``, ``<template>``, ``<head>``, SVG and
MathML, comments, processing instructions, elements with the ``hidden``
attribute; ``aria-hidden`` text is shown on screen and counts). A block element
(``<p>``, ``<div>``, ``<li>``, ``<tr>``, headings, ``<br>``, …) starts and ends a
line; inline elements (``<a>``, ``<span>``, ``<b>``) run on. A table cell
(``<td>``, ``<th>``) is set off by spaces on its row's line, so a table keeps its
rows as rows ("Weight 0.8 kg"), not a line per cell. Whitespace inside a line is
folded to one space; empty lines are dropped.

A ``<title>`` that is never closed is closed first (:func:`close_open_title`: the
parser would read the whole page as the title).

Leaves alone: CSS visibility (``display:none`` in a stylesheet is not read), text
drawn by scripts, alt text of images, and the order of the source (no layout).
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

#: Elements whose text is never shown.
HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "select"})

#: Elements that start and end a line of text.
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "button", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "label", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary",
    "table", "tbody", "tfoot", "thead", "tr", "ul",
})

#: Table cells: set off by spaces on their row's line.
CELLS = frozenset({"td", "th"})


def page_text(html: str) -> str:
    """Every visible text node of ``html``, block elements on their own lines.
    An empty or unparsable page gives ``""``."""
    return "\n".join(line for line, _ in page_lines(html))


def page_lines(html: str) -> list[tuple[str, float]]:
    """The lines of :func:`page_text`, each with the share of its characters that
    are link text (inside ``<a href>`` that leads off the spot: a ``#section``
    anchor, a heading's own permalink, does not count): a menu entry or a related-links headline is
    1.0, a paragraph with a link or two near 0. An empty or unparsable page gives
    ``[]``. A ``<title>`` never closed is closed first (:func:`close_open_title`), as
    before the extractors."""
    if not html.strip():
        return []
    try:
        root = lxml.html.document_fromstring(close_open_title(html))
    except (etree.ParserError, ValueError):
        return []
    lines: list[tuple[str, float]] = []
    current: list[tuple[str, bool]] = []
    in_link = 0

    def end_line() -> None:
        if current:
            line = " ".join("".join(piece for piece, _ in current).split())
            if line:
                linked = sum(len("".join(piece.split())) for piece, link in current if link)
                lines.append((line, min(1.0, linked / max(1, len("".join(line.split()))))))
            current.clear()

    def add(piece: str | None) -> None:
        if piece:
            current.append((piece, in_link > 0))

    def walk(element: etree._Element) -> None:
        nonlocal in_link
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None:  # a comment or processing instruction: its tail is text
            add(element.tail)
            return
        name = etree.QName(element).localname.lower() if "}" in tag else tag.lower()
        if name in HIDDEN or element.get("hidden") is not None:
            add(element.tail)
            return
        block = name in BLOCKS
        link = name == "a" and not (element.get("href") or "#").startswith("#")  # a place on the page: no link away
        if block:
            end_line()
        elif name in CELLS:
            add(" ")
        in_link += link
        add(element.text)
        for child in element:
            walk(child)
        in_link -= link
        if block:
            end_line()
        elif name in CELLS:
            add(" ")
        add(element.tail)

    walk(root)
    end_line()
    return lines


#: Where the document's ``<title>`` is looked for: the first ``<title>`` start tag that
#: is not inside a comment, a script, a style sheet, a text area, SVG or MathML (a
#: ``<title>`` in SVG is an element of its own, never the document's title).
_TITLE_OR_SKIPPED = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|textarea|svg|math)\b[^>]*>.*?(?:</\1\s*>|\Z)|<title\b[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
#: What ends a title's text when its end tag is missing: the first markup (a start or
#: end tag, a comment or a doctype; a title holds text alone) or the end of the first
#: line that has text.
_TITLE_END = re.compile(r"<[A-Za-z/!?]|[ \t]*\r?\n")
_TITLE_CLOSE = re.compile(r"</title[\s/>]", re.IGNORECASE)


def close_open_title(html: str) -> str:
    """``html`` with its ``<title>`` closed where its end tag is missing.

    Parsers read a title's content as text up to ``</title>`` (HTML5's RCDATA: libxml2
    from 2.14, lexbor, browsers). A page whose ``<title>`` is never closed (some 2008
    news pages, cut or spliced when crawled: ``<title>BBC SPORTi library-->`` and then
    the scripts) has its whole body read as the title, and an extractor finds no text
    at all. Here ``</title>`` goes in where the title text ends: before the first
    markup that follows (a tag, a comment: a title holds text alone), or at the end of
    its first line of text, whichever comes first.

    Leaves alone: a page whose first ``<title>`` has its end tag anywhere after it (a
    title over several lines, ``</TITLE >``), a page with no ``<title>``, ``<title>``
    inside a comment, script, style sheet, text area, SVG or MathML (SVG's own titles;
    a script's ``"<title>"`` strings), and every ``<title>`` after the first."""
    for found in _TITLE_OR_SKIPPED.finditer(html):
        if found.group(1) is not None or found.group(0).startswith("<!--"):
            continue  # skipped content
        start = found.end()
        if _TITLE_CLOSE.search(html, start):
            return html  # closed: the parsers read it as its author did
        text = start + len(html[start:]) - len(html[start:].lstrip())  # the first line of text
        end = _TITLE_END.search(html, text)
        at = len(html) if end is None else end.start()
        return html[:at] + "</title>" + html[at:]
    return html
