"""A forum thread is its content; a comment section under an article is not.

The HTML path calls trafilatura with comments off. On a page whose posts are marked
up as a thread (schema.org posts with authors and dates, little text outside them, a
thread-like URL), the text is the thread's posts; under an article, the comments stay
out. Handmade pages (no benchmark page is copied here)."""

from __future__ import annotations

import lxml.html
import pytest

from cleaner.io import resiliparse_html, threads
from cleaner.io.html import extract_main_text

POSTS = [
    ("ada", "2024-03-01T10:00:00Z", "My rsync backup to the NAS stops after a few minutes with a broken pipe "
     "error. The network is wired and the NAS has plenty of free space. I run it from cron every night and "
     "the log shows nothing else before the error appears. What should I check first?"),
    ("grace", "2024-03-01T11:30:00Z", "Check whether the NAS goes to sleep while the transfer is running. "
     "Mine did exactly that: the disks spun down and the SSH session timed out. Setting ServerAliveInterval "
     "in the SSH config of the backup user fixed it for me, and the nightly job has run fine since."),
    ("linus", "2024-03-02T08:15:00Z", "Also try the partial and timeout options of rsync, so that an "
     "interrupted run resumes where it stopped instead of starting over. On a slow link that makes a large "
     "difference, because the first files are not sent again every night."),
]


def forum_page(posts=POSTS) -> str:
    """A Discourse-like thread: the first post a DiscussionForumPosting, the replies
    Comments nested in it, each with an author, a date and a body."""
    def post(i: int, author: str, date: str, body: str) -> str:
        kind, prop = ("DiscussionForumPosting", "") if i == 0 else ("Comment", " itemprop='comment'")
        close = "" if i == 0 else "</div>"
        return (
            f"<div{prop} itemscope itemtype='http://schema.org/{kind}' class='comment-body'"
            f" id='comment-{i + 1}'><div class='crawler-post-meta'>"
            f"<span itemprop='author' itemscope itemtype='http://schema.org/Person'>"
            f"<a itemprop='url' href='/u/{author}'><span itemprop='name'>{author}</span></a></span>"
            f"<time itemprop='datePublished' datetime='{date}'>{date[:10]}</time></div>"
            f"<div class='post' itemprop='text'><p>{body}</p></div>{close}"
        )

    first, *rest = posts
    body = post(0, *first) + "".join(post(i + 1, *p) for i, p in enumerate(rest)) + "</div>"
    return (
        "<html><head><title>rsync to NAS stops with broken pipe - Help - Example Forum</title>"
        "<meta property='og:type' content='website'>"
        "<link rel='canonical' href='https://forum.example.org/t/rsync-to-nas-stops/1234'></head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/latest'>Latest</a> <a href='/top'>Top</a></nav></header>"
        "<div id='main-outlet'><h1>rsync to NAS stops with broken pipe</h1>"
        f"{body}</div>"
        "<footer><p>Powered by forum software. Terms of service. Privacy policy.</p></footer></body></html>"
    )


ARTICLE = [
    "The city council voted on Tuesday to turn the old railway depot into a public library, ending a debate "
    "that had lasted for more than a decade and divided the neighbourhood around the station.",
    "The plan keeps the brick hall of the depot and adds a reading room under the original steel roof. "
    "Construction is to start next spring and the library should open its doors two years later.",
    "Supporters said the building had stood empty for too long and that the district had no library of its "
    "own. Opponents had argued for housing on the site, which lies close to the new tram line.",
    "The architects chosen last year said the restoration would keep the tracks visible in the floor of the "
    "main hall, so that visitors can still see where the locomotives once stood for repairs.",
]
COMMENTS = [
    ("reader1", "2024-05-02", "Finally some good news, I walk past that empty depot every day."),
    ("reader2", "2024-05-02", "What a waste of money when people cannot find a flat they can afford."),
    ("reader3", "2024-05-03", "Will the library open late? The old branch always closed far too early."),
]


def article_page() -> str:
    """A news article with a comment section under it, the comments marked up as
    schema.org Comments with authors and dates."""
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    comments = "".join(
        f"<li itemscope itemtype='https://schema.org/Comment' class='comment'>"
        f"<span itemprop='author'>{a}</span> <time itemprop='dateCreated' datetime='{d}'>{d}</time>"
        f"<div itemprop='text'><p>{t}</p></div></li>"
        for a, d, t in COMMENTS
    )
    return (
        "<html><head><title>Old depot to become a library</title>"
        "<meta property='og:type' content='article'>"
        "<script type='application/ld+json'>"
        "{\"@context\": \"https://schema.org\", \"@type\": \"NewsArticle\", "
        "\"headline\": \"Old depot to become a library\"}</script></head><body>"
        "<nav><a href='/'>News</a> <a href='/city'>City</a></nav>"
        f"<article><h1>Old depot to become a library</h1>{paragraphs}</article>"
        "<section id='comments' class='comments'><h2>Comments</h2>"
        f"<ol class='comment-list'>{comments}</ol></section>"
        "<footer>Copyright The Daily Example</footer></body></html>"
    )


EXTRACTORS = ["trafilatura", pytest.param("resiliparse", marks=pytest.mark.skipif(
    not resiliparse_html.available(), reason="pip install 'cleaner[resiliparse]'"))]


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_a_forum_thread_keeps_every_post(extractor):
    text, meta = extract_main_text(forum_page(), seconds=None, extractor=extractor)
    for _, _, body in POSTS:
        assert body in text
    assert meta.get("thread_posts") == 3
    assert "Powered by forum software" not in text


def test_the_thread_keeps_the_order_of_the_posts():
    text, _ = extract_main_text(forum_page(), seconds=None)
    starts = [text.index(body) for _, _, body in POSTS]
    assert starts == sorted(starts)


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_an_article_keeps_its_text_and_not_its_comments(extractor):
    text, meta = extract_main_text(article_page(), seconds=None, extractor=extractor)
    for paragraph in ARTICLE:
        assert paragraph in text
    for _, _, comment in COMMENTS:
        assert comment not in text
    assert "thread_posts" not in meta


def test_the_article_s_comments_are_found_but_not_judged_its_main_text():
    tree = lxml.html.fromstring(article_page())
    text, _ = extract_main_text(article_page(), seconds=None, threads=False)
    ev = threads.judge(threads.evidence(tree, text))
    assert len(ev.posts) == 3 and ev.signed == 3  # the comments are posts with authors and dates
    assert ev.outside_share > 0.5  # but the article's text lies outside them
    assert not ev.thread


def test_threads_off_leaves_trafilatura_s_text():
    on, _ = extract_main_text(forum_page(), seconds=None)
    off, meta = extract_main_text(forum_page(), seconds=None, threads=False)
    assert "thread_posts" not in meta
    assert off != on or all(body in off for _, _, body in POSTS)


def test_a_page_without_post_markup_is_not_parsed_for_posts():
    assert threads.thread_of("<html><body><p>Just a page.</p></body></html>", "Just a page.\n") == ("", None)


def test_faq_answers_without_author_or_date_make_no_thread():
    faq = "".join(
        f"<div itemscope itemtype='https://schema.org/Question'><h3 itemprop='name'>Question {i}?</h3>"
        f"<div itemscope itemtype='https://schema.org/Answer' itemprop='acceptedAnswer'>"
        f"<div itemprop='text'><p>Answer number {i} explains the shipping terms in a few words.</p>"
        "</div></div></div>"
        for i in range(5)
    )
    canonical = "<link rel='canonical' href='https://shop.example.com/questions/'>"
    html = f"<html><head>{canonical}</head><body>{faq}</body></html>"
    text, ev = threads.thread_of(html, "")
    assert ev is not None and ev.posts and ev.signed == 0
    assert text == "" and not ev.thread


def test_a_comment_on_an_answer_is_not_a_post_of_the_thread():
    html = (
        "<div itemscope itemtype='https://schema.org/Answer'><span itemprop='author'>bo</span>"
        "<time itemprop='dateCreated' datetime='2020-01-01'>Jan 1</time>"
        "<div itemprop='text'><p>Use a context manager.</p></div>"
        "<div itemprop='comment' itemscope itemtype='https://schema.org/Comment'>"
        "<span itemprop='author'>cy</span><div itemprop='text'>Thanks, that worked.</div></div></div>"
    )
    posts = threads.find_posts(lxml.html.fromstring(html))
    assert [p.blocks for p in posts] == [["Use a context manager."]]
    assert posts[0].author == "bo" and posts[0].date == "Jan 1"


def test_code_in_a_post_keeps_its_lines_and_indentation():
    html = (
        "<div itemscope itemtype='https://schema.org/Answer'><div itemprop='text'><p>Like this:</p>"
        "<pre><code>try:\n    work()\nexcept OSError:\n    retry()\n</code></pre></div></div>"
    )
    (post,) = threads.find_posts(lxml.html.fromstring(html))
    assert post.blocks == ["Like this:", "try:\n    work()\nexcept OSError:\n    retry()"]


def test_a_run_writes_the_whole_thread_and_says_so_in_provenance(tmp_path):
    import json

    from typer.testing import CliRunner

    from cleaner.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "thread.html").write_text(forum_page(), encoding="utf-8")
    (folder / "story.html").write_text(article_page(), encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(folder), str(out), "-q", "-j1"]).exit_code == 0
    thread, story = (out / "thread.txt").read_text(), (out / "story.txt").read_text()
    assert all(body in thread for _, _, body in POSTS)
    assert ARTICLE[0] in story and not any(comment in story for _, _, comment in COMMENTS)
    records = {r["id"]: r for r in map(json.loads, (out / "provenance.jsonl").read_text().splitlines())}
    assert records["thread.html"]["meta"]["thread_posts"] == 3
    assert "thread_posts" not in records["story.html"]["meta"]
