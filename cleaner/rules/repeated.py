"""``corpus/repeated-lines``: lines many different sites of the corpus print
(CCNet-style), the logic in :mod:`cleaner.corpus.repeated`.

Opt-in (``--enable corpus/repeated-lines``, or a pack's ``add``): no pack runs it
by default. It goes after ``corpus/duplicates`` (itself after
``corpus/site-template``): a site's own template is gone by then, so what is left to
count is the text sites share, and copies of a document are dropped before they are
counted, so a story syndicated to three outlets or a record scraped three times does
not make its own lines look corpus-wide.
"""

from __future__ import annotations

from cleaner.corpus import repeated, templates
from cleaner.corpus.model import NOTHING, CorpusDoc, CorpusExample, CorpusVerdict
from cleaner.core.rule import corpus_rule

_UI = "Skip to main content\nSign in\nShare on Facebook\n"


def _own(site: str) -> str:
    return f"The gardeners of {site} planted {len(site)} rows of beans along the river this spring.\n"


def _sketch(text: str, doc: CorpusDoc) -> templates.Sketch:
    return repeated.sketch(text)


_SITES = ("a.org", "b.net", "c.com")
_STORY = ("The council approved the new budget on Tuesday after a long debate about school funding.\n"
          "Teachers had asked for more money for classrooms, and the mayor agreed to hire forty more.\n"
          "The vote was seven to two, and the budget takes effect in July after a final reading.\n")


@corpus_rule(
    "corpus/repeated-lines",
    "Remove lines that pages of 3 or more different sites print in blocks (generic text: 'Sign in', 'Share')",
    scan=_sketch,
    statistics=repeated.RepeatedLineStats,
    after="corpus/duplicates",
    examples=[
        CorpusExample(tuple(_UI + "\n" + _own(s) for s in _SITES), tuple("\n" + _own(s) for s in _SITES),
                      sites=_SITES, note="a block of generic lines on pages of three sites goes"),
        CorpusExample(tuple(_UI + "\n" + _own(f"page {n}") for n in range(3)),
                      tuple("\n" + _own(f"page {n}") for n in range(3)),
                      note="pages without a site are a site each"),
        CorpusExample(tuple(_UI + "\n" + _own(f"x.org page {n}") for n in range(3)),
                      sites=("x.org",) * 3,
                      note="the same lines on three pages of one site: its template, not this rule's"),
        CorpusExample(tuple(f"{_own(s)}Overview\n{_own(s + ' and friends')}" for s in _SITES), sites=_SITES,
                      note="a lone repeated heading between the page's own lines is content"),
        CorpusExample((_STORY,) * 3, sites=_SITES, note="sentences three outlets share (syndicated) stay"),
        CorpusExample(tuple(f"{_own(s)}(\n)\n{{\n}}\n1\nx\n{_own(s + ' again')}" for s in _SITES),
                      sites=_SITES,
                      note="lines without a word (code a token a line, numbers) stay"),
    ],
)
def remove_repeated_lines(
    text: str, doc: CorpusDoc, stats: repeated.RepeatedLineStats, *, min_sites: int = repeated.MIN_SITES,
    min_run: int = templates.MIN_RUN,
) -> CorpusVerdict:
    """Remove the lines that pages of at least ``min_sites`` distinct sites print
    (counted in sites: a site counts once however many of its pages print the line),
    in a block of ``min_run`` or more such lines or at the top or end of the page:
    "Skip to main content", "Sign in", "Share on Facebook", "Accept all cookies".
    The reason says how widely: "on pages of 14 sites, in a block of 5 such lines".

    Why 3 sites: two sites share lines for reasons other than generic text (a mirror,
    two hosts of one organisation, a page and the aggregator that copied it); three
    independent sites are a pattern, as three pages are for a site's template.
    A document without a site (a record without a URL) counts as a site of its own.

    Leaves alone: lines on fewer than ``min_sites`` sites, however many pages of one
    site print them (a site's own template is ``corpus/site-template``'s), a lone
    repeated line between the page's own lines (a heading such as "Overview"),
    sentences (a syndicated story or a quote, shared by outlets), lines without a
    word of two letters ("1", "(", "x": list numbers, table cells, code). Opt-in; how it was
    measured: docs/corpus.md, "Lines repeated across sites"."""
    removed = repeated.repeated_lines(text, stats, min_sites=min_sites, min_run=min_run)
    return CorpusVerdict(remove=tuple(removed)) if removed else NOTHING
