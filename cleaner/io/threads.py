"""Is the comment-like part of a page its main text? Evidence from the page itself.

trafilatura, called with comments off (what lifts it over its defaults on news: a
comment section under an article is not main text), drops the posts of a forum or
Q&A thread as comments, or keeps only a few of them; so does resiliparse. A thread of posts, each with its
author and date, *is* the main text of such a page (design principle 10).

:func:`find_posts` reads the posts a page marks up with schema.org microdata
(``DiscussionForumPosting``, ``Comment``, ``Answer``, ``Question``,
``SocialMediaPosting``): the markup forum and Q&A software writes for search engines
(on the dev sets: Discourse, XenForo, Stack Exchange, and comment plugins under
articles; phpBB there writes none).
A post counts when it has a body (``itemprop="text"`` or ``articleBody``); a comment
on a Q&A answer or question is a remark on a post, not a post. FAQ blocks
(``Question``/``Answer`` without author or date) are not posts.

:func:`judge` weighs the evidence (never one switch, design principle 11):

* the posts: how many, with an author and a date each;
* how much of the text trafilatura kept (comments off) lies *outside* the posts: an
  article body precedes its comment section; a thread has a title and little else;
* the page says what it is: a thread-like URL (``/t/``, ``/thread``, ``/topic``,
  ``/questions/``, ``viewtopic``, ``showthread``, ``/forum``), ``og:type`` (``article``
  votes against), the page's own type in JSON-LD (``DiscussionForumPosting``,
  ``QAPage`` for; ``NewsArticle``, ``BlogPosting``, ``Article`` against).

The votes add up to a score; a page whose score reaches :data:`THRESHOLD` is a thread
and its text is the posts' bodies in page order (:func:`thread_text`). The weights and
thresholds were written from these principles before measuring; ``bench/threads.py``
fits them leave-one-dataset-out on the four dev sets, and no setting of its grid scores
better in any fold (docs/extractors.md has the figures and the caveat: only ``sites``
has forum pages).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

#: schema.org types whose items are posts of a thread (or comments under an article).
POST_TYPES = frozenset({"DiscussionForumPosting", "Comment", "Answer", "Question", "SocialMediaPosting"})
#: Types whose own comments are remarks on one post (Stack Exchange's comments).
_QA_TYPES = frozenset({"Answer", "Question"})
_BODY_PROPS = frozenset({"text", "articleBody"})
_DATE_PROPS = ("datePublished", "dateCreated")

_THREAD_URL = re.compile(
    r"/(t|threads?|topics?|questions|forums?|discussions?|community|viewtopic\.php|showthread\.php)"
    r"(/|\.|\?|$)",
    re.I,
)
_LD_TYPE = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')
_THREAD_PAGE_TYPES = frozenset({"DiscussionForumPosting", "QAPage"})
_ARTICLE_PAGE_TYPES = frozenset({"Article", "NewsArticle", "BlogPosting", "Report", "ReportageNewsArticle"})

#: Score weights (see :func:`judge`) and the score a thread must reach; fitted by
#: ``bench/threads.py`` leave-one-dataset-out (figures in docs/extractors.md).
WEIGHTS = {
    "posts": 1.0,  # three posts or more, each with an author and a date
    "outside": 1.0,  # little of trafilatura's text lies outside the posts
    "url": 0.5,  # the URL reads like a thread
    "page_type": 0.5,  # JSON-LD says thread (+) or article (-)
    "og_article": 0.5,  # og:type article (-)
}
THRESHOLD = 2.0
#: Share of trafilatura's words outside the posts below which that text is "little".
OUTSIDE_SHARE = 0.5
#: Fewest posts (with author and date) that make a thread.
MIN_POSTS = 3


@dataclass
class Post:
    """One post: its schema.org type, author, date and body blocks."""

    kind: str
    author: str = ""
    date: str = ""
    blocks: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(b.split()) for b in self.blocks)


@dataclass
class Evidence:
    """What the page says about its comment-like part (see :func:`judge`)."""

    posts: list[Post]
    signed: int  # posts with an author and a date
    post_words: int
    outside_share: float  # share of trafilatura's (comments-off) words not in any post
    url_thread: bool
    page_type: int  # +1 JSON-LD says thread, -1 article, 0 neither
    og_article: bool
    score: float = 0.0
    thread: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "posts": len(self.posts), "signed": self.signed, "post_words": self.post_words,
            "outside_share": round(self.outside_share, 3), "url_thread": self.url_thread,
            "page_type": self.page_type, "og_article": self.og_article, "score": self.score,
            "thread": self.thread,
        }


def _itemtype(el: Any) -> str:
    value = el.get("itemtype") or ""
    return value.rstrip("/").rsplit("/", 1)[-1] if value else ""


def _post_of(el: Any, posts: set[Any]) -> Any:
    """The nearest post element enclosing ``el`` (not ``el`` itself), or None."""
    parent = el.getparent()
    while parent is not None:
        if parent in posts:
            return parent
        parent = parent.getparent()
    return None


_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "table", "tr", "section", "article", "aside", "header", "footer", "figure", "figcaption",
})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "button", "svg", "form", "select"})


def _blocks(el: Any) -> list[str]:
    """The text of ``el`` as blocks: block elements break, ``<br>`` breaks a line, a
    ``<pre>`` keeps its lines and indentation, list items start with ``- ``."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(current).split("\n"))
        text = "\n".join(line for line in text.split("\n") if line)
        if text:
            blocks.append(text)
        current.clear()

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP_TAGS or (tag and node.get("itemprop") == "comment" and node is not el):
            return
        if tag == "pre":
            flush()
            code = node.text_content().strip("\n")
            if code.strip():
                blocks.append("\n".join(line.rstrip() for line in code.split("\n") if line.strip()))
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
            if tag == "li":
                current.append("- ")
        if tag == "br":
            current.append("\n")
        if node.text:
            current.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(el)
    flush()
    return blocks


def find_posts(tree: Any) -> list[Post]:
    """The posts the page marks up with schema.org microdata, in page order."""
    candidates = [el for el in tree.iter() if isinstance(el.tag, str) and el.get("itemscope") is not None
                  and _itemtype(el) in POST_TYPES]
    post_set = set(candidates)
    posts: list[Post] = []
    seen: list[list[str]] = []
    for el in candidates:
        kind = _itemtype(el)
        owner = _post_of(el, post_set)
        if kind == "Comment" and owner is not None and _itemtype(owner) in _QA_TYPES:
            continue  # a remark on an answer or question
        post = Post(kind)
        for sub in el.iter():
            if not isinstance(sub.tag, str) or sub is el or _post_of(sub, post_set) is not el:
                continue
            prop = sub.get("itemprop") or ""
            if prop in _BODY_PROPS and not post.blocks:
                post.blocks = _blocks(sub)
            elif prop == "author" and not post.author:
                names = (n for n in sub.iter() if isinstance(n.tag, str) and n.get("itemprop") == "name")
                name = next(names, sub)
                post.author = " ".join((name.get("content") or name.text_content()).split())
            elif prop in _DATE_PROPS and not post.date:
                when = sub.text_content() or sub.get("datetime") or sub.get("content") or ""
                post.date = " ".join(when.split())
        if post.blocks and post.blocks not in seen:  # a body marked up twice is one post
            seen.append(post.blocks)
            posts.append(post)
    return posts


def _ld_types(tree: Any) -> set[str]:
    found: set[str] = set()
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            for m in _LD_TYPE.finditer(script.text):
                try:
                    value = json.loads(m.group(1))
                except ValueError:
                    continue
                found.update(value if isinstance(value, list) else [value])
    return {t for t in found if isinstance(t, str)}


def _og_type(tree: Any) -> str:
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:type":
            return (meta.get("content") or "").strip().lower()
    return ""


def _page_url(tree: Any, url: str | None) -> str:
    if url:
        return url
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return link.get("href")
    for meta in tree.iter("meta"):
        if (meta.get("property") or "").lower() == "og:url" and meta.get("content"):
            return meta.get("content")
    return ""


def _outside_share(text: str, posts: Iterable[Post]) -> float:
    """Share of the words of ``text`` (trafilatura's, comments off) that no post holds."""
    from collections import Counter

    words = Counter(text.split())
    total = sum(words.values())
    if not total:
        return 0.0
    inside: Counter[str] = Counter()
    for post in posts:
        for block in post.blocks:
            inside.update(block.split())
    return sum((words - inside).values()) / total


def evidence(tree: Any, extracted: str, url: str | None = None) -> Evidence:
    """Gather the evidence of a parsed page (``tree``, lxml) given the text trafilatura
    extracted from it with comments off."""
    posts = find_posts(tree)
    signed = sum(1 for p in posts if p.author and p.date)
    types = _ld_types(tree)
    page_type = 1 if types & _THREAD_PAGE_TYPES else -1 if types & _ARTICLE_PAGE_TYPES else 0
    return Evidence(
        posts=posts, signed=signed, post_words=sum(p.words for p in posts),
        outside_share=_outside_share(extracted, posts),
        url_thread=bool(_THREAD_URL.search(_page_url(tree, url).split("#")[0])),
        page_type=page_type, og_article=_og_type(tree) == "article",
    )


def judge(ev: Evidence, weights: dict[str, float] | None = None, threshold: float | None = None,
          outside_share: float | None = None, min_posts: int | None = None) -> Evidence:
    """Score the evidence and decide: a thread when the score reaches the threshold.
    Without posts there is nothing to return, so no thread."""
    w = WEIGHTS if weights is None else weights
    limit = THRESHOLD if threshold is None else threshold
    share = OUTSIDE_SHARE if outside_share is None else outside_share
    fewest = MIN_POSTS if min_posts is None else min_posts
    score = 0.0
    if ev.signed >= fewest:
        score += w["posts"]
    if ev.outside_share < share:
        score += w["outside"]
    if ev.url_thread:
        score += w["url"]
    score += w["page_type"] * ev.page_type
    if ev.og_article:
        score -= w["og_article"]
    ev.score = round(score, 3)
    ev.thread = bool(ev.posts) and ev.signed >= 2 and score >= limit
    return ev


def thread_text(posts: list[Post], heads: bool = False) -> str:
    """The thread as text: the posts' body blocks in page order, separated by blank
    lines; ``heads=True`` puts a line with each post's author and date above it (on
    the dev sets' forum pages that scored lower: their gold texts mostly leave the
    authors out)."""
    blocks: list[str] = []
    for post in posts:
        head = " ".join(x for x in (post.author, post.date) if x)
        if head and heads:
            blocks.append(head)
        blocks.extend(post.blocks)
    return "\n\n".join(blocks) + "\n" if blocks else ""


#: Cheap test of the raw page before parsing it: a page without post markup is no thread.
_MARKUP = re.compile(r"schema\.org/(?:DiscussionForumPosting|Comment|Answer|Question|SocialMediaPosting)\b")


def thread_of(html: str, extracted: str, url: str | None = None) -> tuple[str, Evidence | None]:
    """The page's thread text when the evidence says its posts are its main text, else
    ``""``; with the evidence (None when the page has no post markup at all)."""
    if not _MARKUP.search(html):
        return "", None
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return "", None
    ev = judge(evidence(tree, extracted, url))
    return (thread_text(ev.posts) if ev.thread else ""), ev
