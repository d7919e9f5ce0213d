"""Main text of an HTML page, within a time limit, by the extractor chosen:
trafilatura (the default) or resiliparse (:mod:`cleaner.io.resiliparse_html`, an
optional extra)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from cleaner.io.threads import thread_of

#: Seconds trafilatura may spend on one page before the document fails.
DEFAULT_TIME_LIMIT = 30.0

_META_FIELDS = ("title", "author", "date", "sitename", "url")

#: The main-text extractors ``--extractor`` chooses from; the first is the default.
EXTRACTORS = ("trafilatura", "resiliparse")
DEFAULT_EXTRACTOR = EXTRACTORS[0]


class ExtractorUnavailable(ValueError):
    """The extractor asked for is unknown or not installed: a usage error, raised
    before any page is read, never a page's failure."""


def require_extractor(name: str) -> None:
    """Raise :class:`ExtractorUnavailable` (saying what to do) unless ``name`` is an
    extractor that can run here."""
    if name not in EXTRACTORS:
        raise ExtractorUnavailable(f"unknown HTML extractor {name!r}: choose one of {', '.join(EXTRACTORS)}")
    if name == "resiliparse":
        from cleaner.io import resiliparse_html

        if not resiliparse_html.available():
            raise ExtractorUnavailable(
                f"--extractor resiliparse needs the resiliparse package, which is not installed: "
                f"{resiliparse_html.INSTALL}"
            )


#: Seconds between repeated alarms once the time limit has passed.
ALARM_REPEAT = 0.05


class ExtractionTimeout(TimeoutError):
    """trafilatura took longer than the time limit on a page."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ExtractionTimeout` if the block runs longer than ``seconds``.

    Uses SIGALRM, so it only works in the main thread of a process on POSIX; elsewhere
    the block runs unbounded. trafilatura's own timeout applies only to its CLI.
    """
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    message = f"HTML extraction took longer than {seconds:g}s"
    expired = False

    def expire(signum: int, frame: Any) -> None:
        nonlocal expired
        expired = True
        raise ExtractionTimeout(message)

    # trafilatura catches Exception in places, so one alarm can be swallowed and the
    # extraction go on: the alarm repeats until the block ends, and a block that
    # ends after an alarm fails even if it swallowed every one.
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:
        raise ExtractionTimeout(message)


def extract_main_text(
    html: str,
    *,
    url: str | None = None,
    seconds: float | None = DEFAULT_TIME_LIMIT,
    metadata: bool = True,
    extractor: str = DEFAULT_EXTRACTOR,
    threads: bool = True,
) -> tuple[str, dict[str, Any]]:
    """Return the page's main text and its metadata (title, author, date, sitename, url,
    tags). Blocks (a paragraph, a heading, a whole list, table, quote or code block)
    are separated by blank lines, the plain-text convention the rules expect; the
    lines of one block stay together (see :func:`_trafilatura_blocks`). Returns
    ``("", {})`` when trafilatura finds no main text.

    ``metadata=False`` skips trafilatura's metadata extraction, which costs about
    40 % on top of finding the main text (author and tags are searched for in the
    whole page); the text is the same.

    ``extractor="resiliparse"`` finds the main text with resiliparse instead (see
    :mod:`cleaner.io.resiliparse_html` for what its metadata holds); raises
    :class:`ExtractorUnavailable` when it is not installed.

    trafilatura runs with comments off: a comment section under an article is not
    main text. A forum or Q&A thread is: when the page marks up posts (schema.org) and
    the evidence of :mod:`cleaner.io.threads` says they are its main text, the text is
    the thread's posts instead, and ``meta["thread_posts"]`` says how many (so with
    resiliparse too). ``threads=False`` keeps the extractor's text on every page (for
    measurement).

    A ``<title>`` that is never closed is closed first
    (:func:`cleaner.io.page_text.close_open_title`): both extractors' parsers would
    read the whole page as its title.
    """
    from cleaner.io.page_text import close_open_title

    html = close_open_title(html)
    if extractor != DEFAULT_EXTRACTOR:
        return _other_extractor(html, url, seconds, metadata, extractor, threads)
    import trafilatura  # here, not at the top: importing it takes ~0.4 s, which every process paid

    with time_limit(seconds):
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=metadata, include_comments=False)
        text = ""
        if doc is not None and doc.text:
            # no tree (seldom): each line of trafilatura's text a block, as before the tree was read
            blocks = _trafilatura_blocks(doc.body) if doc.body is not None else [l for l in doc.text.split("\n") if l.strip()]
            text = "\n\n".join(blocks) + "\n"
        thread, evidence = thread_of(html, text, url) if threads else ("", None)
    if not text and not thread:
        return "", {}
    meta: dict[str, Any] = {k: v for k in _META_FIELDS if (v := getattr(doc, k, None))}
    tags = _tag_list([*(doc.tags or []), *(doc.categories or [])]) if doc is not None else []
    if tags:
        meta["tags"] = tags
    if thread and evidence is not None:
        meta["thread_posts"] = len(evidence.posts)
        return thread, meta
    return text, meta


def _trafilatura_blocks(body: Any) -> list[str]:
    """trafilatura's text of the page, one string per block of its extracted tree
    (``<p>``, ``<head>``, ``<list>``, ``<table>``, ``<quote>``, ``<code>``, …).

    trafilatura's own text puts every line on a line of its own with nothing
    between, so paragraphs could only be told apart by splitting at every line
    break, which made each table row, list item and code line a paragraph of its
    own. Here each block is written by trafilatura's own serializer, so the lines
    are those of its text, in its order (on the bench pages, word for word): a
    table keeps its rows as adjacent lines, a list its items, a code block its
    lines and their indentation. Lines that are only whitespace are dropped, as
    before; so is trailing whitespace, and the source's indentation of text
    standing outside any block."""
    from trafilatura.xml import xmltotxt

    blocks = []
    if body.text and body.text.strip():  # text before the first block, seldom there
        blocks.append(body.text.strip())
    for element in body:
        lines = [line.rstrip() for line in xmltotxt(element, False).split("\n") if line.strip()]
        if lines:
            blocks.append("\n".join(lines))
    return blocks


def _other_extractor(
    html: str, url: str | None, seconds: float | None, metadata: bool, extractor: str, threads: bool = True
) -> tuple[str, dict[str, Any]]:
    """The main text by an extractor other than trafilatura, under the same time limit
    (resiliparse is compiled code, which an alarm cannot stop: a page that took too
    long fails when the call returns), and the same judgement of a thread."""
    if extractor != "resiliparse":
        require_extractor(extractor)  # unknown: the error names the extractors there are
    from cleaner.io import resiliparse_html

    with time_limit(seconds):
        text, meta = resiliparse_html.extract(html, url=url, metadata=metadata)
        thread, evidence = thread_of(html, text, url) if threads else ("", None)
    if thread and evidence is not None:
        return thread, {**meta, "thread_posts": len(evidence.posts)}
    return text, meta


def _tag_list(values: list[str]) -> list[str]:
    """One tag per item: trafilatura hands a page's keywords over as one
    comma-joined string (``"Hotels, Hygiene, Business"``) beside single tags;
    split on commas, strip, and drop repeats (first one kept), as the text path
    does with tag lines."""
    found: dict[str, None] = {}
    for value in values:
        for tag in str(value).split(","):
            if tag.strip():
                found.setdefault(tag.strip(), None)
    return list(found)
