"""Page dumps: keep the main text of a page that was scraped whole.

A careless scrape writes every visible text node of a page on its own line:
menus, share widgets, related links and footers around the article. Residue
patterns cannot know "Workouts" or "Meal Plans" is a menu entry; the page can.
This module scores the page's lines in context, in the spirit of jusText
(Pomikálek, 2011) but on plain text, where there is no markup to go by:

1. **Blocks**: hard-wrapped lines (a long line that stops mid-sentence and a next
   line that continues it) are joined into one block; every other line is a block.
2. **Prose or not**: a block is prose when it has enough words, enough of them
   are stop words of the page's language (chosen as the jusText stoplist that
   covers most of the page's words), and it ends like a sentence or is long.
   Chinese, Japanese and Korean blocks count characters and CJK punctuation.
3. **Main text**: prose blocks score their length, all others a penalty that
   grows with their length. The run of blocks with the best total is the main
   text (Kadane's maximum sub-array); further runs elsewhere on the page are kept
   when they score at least :data:`SECOND_REGION_SHARE` of the best one, so an
   article broken by a widget stays whole; the line just above such a part stays
   with it when it reads as its title (three words or more).
4. **Comments**: a line that opens a comment section ("34 Comments", "Leave a
   Reply", "jane says:") after the main text has begun ends the main text.

Leaves alone: a text with no prose block at all (a list, a table, a poem, a
snippet) is kept whole rather than emptied; so are short lines *inside* the main
text (sub-headings, list items) whose neighbours are prose.

Opt-in: the ``page-dump`` pack (``cleaner run --pack page-dump``) adds the rule
after the residue rules. On text that is already an article it would cost
recall on pages made of lists; see ``bench/quality.py`` for the figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import regex

from cleaner.core.code_blocks import code_like
from cleaner.core.rule import Example, LineContext, line_rule

_WORD = regex.compile(r"\w+")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_CJK_PUNCTUATION = frozenset("。，！？、；：")
_SENTENCE_END = frozenset(".!?\"”’:;)»…。！？」")
_CONTINUES = frozenset(",-(")

#: A line at least this long that stops mid-sentence may be hard-wrapped.
WRAP_WIDTH = 50
#: Fewest words of a prose block.
PROSE_WORDS = 8
#: Fewest words of a prose block that does not end like a sentence.
LONG_PROSE_WORDS = 15
#: Least share of stop words in a prose block.
STOPWORD_SHARE = 0.2
#: Fewest CJK characters of a CJK prose block.
CJK_PROSE_CHARS = 15
#: What a block that is not prose costs: a fixed part and a part per character.
PENALTY = 45
PENALTY_PER_CHAR = 0.8
#: A second run of prose is kept when it scores this share of the best run.
SECOND_REGION_SHARE = 0.3

#: Lines that open a comment section, one pattern per kind of opener: a count
#: ("34 Comments"), a call to write one ("Leave a Reply"), a commenter's byline
#: ("jane says:"). Which pattern matched is the opener's kind (see _comments_start).
_COMMENT_OPENERS = tuple(
    regex.compile(pattern, regex.IGNORECASE)
    for pattern in (
        r"\d+\s+(?:comments?|responses?|replies|reactions|kommentare?|commentaires?|comentarios?|reacties|komentarz[ey]?)"
        r"(?:\s+(?:to|on|for|zu|sur)\b.*|\s+feed\s+for\s+comments)?",
        r"(?:comments?|kommentare?|commentaires?|comentarios?)\s*[(\[]\d+[)\]]",
        r"(?:leave|post|add|write|submit)\s+an?\s+(?:reply|comment|response)\b.*",
        r"join\s+the\s+(?:discussion|conversation)\b.*",
        r"(?:schreibe|hinterlasse)\s+einen\s+kommentar\b.*",
        r"laisser\s+un\s+commentaire\b.*",
        r"dejar?\s+un\s+comentario\b.*",
        r"\S+(?:\s\S+){0,3}\s(?:says|said|wrote|schreibt|a\s+écrit|dice):",
    )
)


def comment_opener(line: str) -> int | None:
    """The kind of comment-section opener ``line`` is (an index into
    :data:`_COMMENT_OPENERS`), or None."""
    if len(line) > 120:
        return None
    return next((n for n, pattern in enumerate(_COMMENT_OPENERS) if pattern.fullmatch(line)), None)


@lru_cache(maxsize=1)
def _stopword_languages() -> dict[str, tuple[str, ...]]:
    """Every stop word of jusText's stoplists (100 languages) with the languages
    it belongs to. Loaded once, on first use."""
    import justext  # a dependency of trafilatura; imported late, it reads 100 files

    table: dict[str, list[str]] = {}
    for language in sorted(justext.get_stoplists()):
        for word in justext.get_stoplist(language):
            table.setdefault(word.lower(), []).append(language)
    return {word: tuple(languages) for word, languages in table.items()}


@lru_cache(maxsize=128)
def _stoplist(language: str) -> frozenset[str]:
    import justext

    return frozenset(word.lower() for word in justext.get_stoplist(language))


def page_language(words: list[str]) -> str | None:
    """The stoplist language that covers most of ``words`` (lower-cased), or None."""
    table = _stopword_languages()
    counts: Counter[str] = Counter()
    for word in words:
        counts.update(table.get(word, ()))
    return counts.most_common(1)[0][0] if counts else None


@dataclass(frozen=True)
class Block:
    """One or more consecutive lines read as one paragraph."""

    lines: tuple[int, ...]  # indices into the page's lines
    text: str


def blocks(lines: tuple[str, ...]) -> list[Block]:
    """Group ``lines`` into blocks: a line of :data:`WRAP_WIDTH` characters or more
    that does not end a sentence, followed by a line that starts in lower case (or
    after a comma, hyphen or open bracket), continues into that line."""
    found: list[Block] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        current.append(i)
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        continues = bool(following) and (following[0].islower() or stripped[-1] in _CONTINUES)
        if len(stripped) < WRAP_WIDTH or stripped[-1] in _SENTENCE_END or not continues:
            found.append(Block(tuple(current), " ".join(lines[j].strip() for j in current)))
            current = []
    if current:
        found.append(Block(tuple(current), " ".join(lines[j].strip() for j in current)))
    return found


def prose_verdict(text: str, stopwords: frozenset[str]) -> tuple[bool, str]:
    """Whether a block reads as prose, and a short description of why (for
    provenance): ``"3 words"``, ``"2 of 12 words are stop words"``, ..."""
    cjk = len(_CJK.findall(text))
    if cjk > 0.3 * len(text):
        if cjk < CJK_PROSE_CHARS:
            return False, f"{cjk} CJK characters"
        if not _CJK_PUNCTUATION.intersection(text):
            return False, "no CJK sentence punctuation"
        return True, "CJK prose"
    words = _WORD.findall(text.lower())
    if len(words) < PROSE_WORDS:
        return False, f"{len(words)} word{'s' if len(words) != 1 else ''}"
    stop = sum(1 for w in words if w in stopwords)
    if stop < STOPWORD_SHARE * len(words):
        return False, f"{stop} of {len(words)} words are stop words"
    if text[-1] not in _SENTENCE_END and len(words) < LONG_PROSE_WORDS:
        return False, f"{len(words)} words, no sentence end"
    return True, "prose"


def best_run(scores: list[float], lo: int, hi: int) -> tuple[float, int, int]:
    """Kadane: the total and bounds (inclusive) of the best-scoring run in
    ``scores[lo:hi]``; total 0 and an empty run when every score is negative."""
    best, current, start, best_start, best_end = 0.0, 0.0, lo, lo, lo - 1
    for i in range(lo, hi):
        if current <= 0:
            current, start = scores[i], i
        else:
            current += scores[i]
        if current > best:
            best, best_start, best_end = current, start, i
    return best, best_start, best_end


def main_runs(scores: list[float]) -> list[tuple[int, int]]:
    """The best run, then every run beside it that scores at least
    :data:`SECOND_REGION_SHARE` of it."""
    best, a, b = best_run(scores, 0, len(scores))
    if best <= 0:
        return []
    runs = [(a, b)]
    todo = [(0, a), (b + 1, len(scores))]
    while todo:
        lo, hi = todo.pop()
        if hi <= lo:
            continue
        total, x, y = best_run(scores, lo, hi)
        if total > 0 and total >= SECOND_REGION_SHARE * best:
            runs.append((x, y))
            todo += [(lo, x), (y + 1, hi)]
    return sorted(runs)


#: With site evidence (a corpus run knows the site's template, so the text left is the
#: page's own): the weight of a non-prose block's penalty runs from -1 (it scores as
#: content) to 1 (as without evidence) as the share of the page's characters in prose
#: blocks runs over this range. Fitted leave-one-dataset-out (docs/corpus.md).
OWN_PROSE_SHARE = (0.2, 0.4)
#: ... and as the page's prose runs over this many characters: a page with a sentence or
#: two of prose is no article, whatever the share (not fitted: the dev sets are flat here).
OWN_PROSE_CHARS = (200, 500)


def _ramp(x: float, lo: float, hi: float) -> float:
    """-1 at or below ``lo``, 1 at or above ``hi``, linear between."""
    return 2 * min(1.0, max(0.0, (x - lo) / (hi - lo))) - 1


def list_weight(found: list[Block], verdicts: list[tuple[bool, str]]) -> tuple[float, float]:
    """With site evidence: how much a non-prose block of the page's own counts against
    it (the weight of its penalty, -1 to 1), and the share of prose it is read from.

    An article's own lists are related links and widgets; a listing's, a shop's or a
    reference page's lists are the page. Which one a page is shows in how much of it
    is prose once its template is gone."""
    prose = sum(len(b.text) for b, (is_prose, _) in zip(found, verdicts) if is_prose)
    share = prose / max(1, sum(len(b.text) for b in found))
    return min(_ramp(share, *OWN_PROSE_SHARE), _ramp(prose, *OWN_PROSE_CHARS)), share


#: With site evidence: a page at least this share of whose non-blank lines hold an HTML tag
#: or comment is the page's HTML source (a scrape that saved it raw), not a manual about
#: HTML (MDN's pages about tables: 6-18 % on the dev sets; raw sources: 53-75 %).
#: Fitted leave-one-dataset-out (docs/corpus.md, "With page-dump").
SOURCE_SHARE = 0.5
_MARKUP = regex.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>|<!--|-->")


def markup_share(lines: tuple[str, ...]) -> float:
    """The share of the non-blank ``lines`` that hold an HTML tag or comment."""
    full = [line for line in lines if line.strip()]
    return sum(1 for line in full if _MARKUP.search(line)) / max(1, len(full))


def _own_scores(lines: tuple[str, ...], found: list[Block], verdicts: list[tuple[bool, str]],
                weight: float, source: bool = False) -> list[float]:
    """Block scores with site evidence: prose scores its length; any other block its
    penalty (:data:`PENALTY` and :data:`PENALTY_PER_CHAR` a character) times ``weight``,
    except that a block of code lines never counts against the page (code between
    paragraphs is the page's, DESIGN.md principle 10). On the page's HTML source
    (``source``: :data:`SOURCE_SHARE`) its markup and scripts are no sample of the
    page's own: a block of code or markup pays the full penalty, as without evidence,
    whatever the page's share of prose."""
    scores: list[float] = []
    for b, (is_prose, _) in zip(found, verdicts):
        if is_prose:
            scores.append(float(len(b.text)))
            continue
        penalty = PENALTY + PENALTY_PER_CHAR * len(b.text)
        code = all(code_like(lines[i]) for i in b.lines)
        if source and (code or _MARKUP.search(b.text)):
            scores.append(-penalty)
        else:
            scores.append(max(0.0, -penalty * weight) if code else -penalty * weight)
    return scores


#: With site evidence: how many blocks right above the main text stay with it as its head
#: (headline, byline, date), and the most words such a block may have. Fitted
#: leave-one-dataset-out (docs/corpus.md, "With page-dump").
HEAD_BLOCKS = 3
HEAD_WORDS = 30


def _head(lines: tuple[str, ...], found: list[Block], start: int) -> list[int]:
    """With site evidence: the blocks just above the block ``start`` where the main text
    begins that read as its head: up to :data:`HEAD_BLOCKS`, each of at most
    :data:`HEAD_WORDS` words and no code or markup, the nearest first, up to the first
    that is not.

    Without evidence the lines right above an article are as often the menu's last
    entries as its headline; once the template rule has removed what the site prints
    on every page, what is left there is the page's own: its headline, byline and date
    (news-sites: 967 gold tokens against 338 others in the three blocks above the main
    text)."""
    head = []
    for k in range(start - 1, max(-1, start - 1 - HEAD_BLOCKS), -1):
        block = found[k]
        if (len(block.text.split()) > HEAD_WORDS or _MARKUP.search(block.text)
                or all(code_like(lines[i]) for i in block.lines)):
            break
        head.append(k)
    return head


def boilerplate_lines(lines: tuple[str, ...], site_evidence: bool = False) -> dict[int, str]:
    """The indices of ``lines`` outside the page's main text, each with the reason.
    ``site_evidence``: the page's site template is known and already gone from
    ``lines`` (:func:`list_weight` then sets what its non-prose blocks cost, and the
    main text keeps its head, :func:`_head`)."""
    found = blocks(lines)
    if not found:
        return {}
    language = page_language(_WORD.findall(" ".join(b.text for b in found).lower()))
    stopwords = _stoplist(language) if language else frozenset()
    verdicts = [prose_verdict(b.text, stopwords) for b in found]
    if not any(is_prose for is_prose, _ in verdicts):
        return {}  # nothing reads as prose: not a page dump, leave it whole
    if site_evidence:
        weight, share = list_weight(found, verdicts)
        source = markup_share(lines) >= SOURCE_SHARE
        scores = _own_scores(lines, found, verdicts, weight, source)
        shape = f"; site template known, page {share:.0%} prose" + (", its HTML source" if source else "")
    else:
        scores = [
            float(len(b.text)) if is_prose else -(PENALTY + PENALTY_PER_CHAR * len(b.text))
            for b, (is_prose, _) in zip(found, verdicts)
        ]
        shape = ""
    comments_at = _comments_start(found, verdicts)
    if comments_at is not None:
        scores = scores[:comments_at]
    runs = main_runs(scores)
    inside = {k for a, b in runs for k in range(a, b + 1)}
    inside.update(_part_titles(found, runs, inside))
    if site_evidence and runs:
        inside.update(_head(lines, found, runs[0][0]))
    first = runs[0][0] if runs else len(found)
    last = runs[-1][1] if runs else -1
    reasons: dict[int, str] = {}
    for k, (block, (_, why)) in enumerate(zip(found, verdicts)):
        if k in inside:
            continue
        if comments_at is not None and k >= comments_at:
            where = f"comments, from “{_short(found[comments_at].text)}”"
        else:
            where = "before the main text" if k < first else "after the main text" if k > last else "between parts of the main text"
        for i in block.lines:
            reasons[i] = f"{where} ({why}{shape})"
    return reasons


#: A line of this many words or more before a part of the main text is that part's title.
TITLE_WORDS = 3


def _part_titles(found: list[Block], runs: list[tuple[int, int]], inside: set[int]) -> list[int]:
    """The blocks just before each part of the main text after the first that read
    as the part's title: of :data:`TITLE_WORDS` words or more (a phrase that names
    something, not a date, a tag or "Advertisement"). On a blog index or a news
    listing every teaser is a part, and its headline sits right above it."""
    titles = []
    for start, _ in runs[1:]:
        k = start - 1
        if k not in inside and len(found[k].text.split()) >= TITLE_WORDS:
            titles.append(k)
    return titles


def _comments_start(found: list[Block], verdicts: list[tuple[bool, str]]) -> int | None:
    """The block that opens a comment section after the first prose block.

    A comment section opens once: an opener of a kind the page has more than once
    ("Add a comment" under every answer of a Q&A page, "6 Comments" under each
    post, "jane said:" quoting in a forum thread) belongs to the posts that make up
    the page, and opens nothing."""
    kinds = [comment_opener(block.text) for block in found]
    first_prose = next((k for k, (is_prose, _) in enumerate(verdicts) if is_prose), len(found))
    # counted after the text begins: "3 Comments" in a post's header and above its comments is one section
    counts = Counter(kind for kind in kinds[first_prose + 1:] if kind is not None)
    seen_prose = False
    for k, ((is_prose, _), kind) in enumerate(zip(verdicts, kinds)):
        if seen_prose and kind is not None and counts[kind] == 1:
            return k
        seen_prose = seen_prose or is_prose
    return None


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class _LastPage:
    """The verdicts for the page a line pass is reading: computed once per page,
    found again by identity (the pass hands every line the same ``ctx.lines``)."""

    lines: tuple[str, ...] | None = None
    evidence = False
    reasons: dict[int, str] = {}

    @classmethod
    def reasons_for(cls, lines: tuple[str, ...], site_evidence: bool = False) -> dict[int, str]:
        if cls.lines is not lines or cls.evidence != site_evidence:
            cls.lines, cls.evidence = lines, site_evidence
            cls.reasons = boilerplate_lines(lines, site_evidence)
        return cls.reasons


_ARTICLE = (
    "The council approved the new budget on Tuesday after a long debate about the costs of the school repairs.\n"
    "Members said that the repairs had been delayed for years and that the work would start in the spring.\n"
)


@line_rule(
    "page/main-text",
    "Keep the main text of a whole-page dump: drop menus, link lists and footers around it",
    where="anywhere",
    after="sentences/split-glued",  # its own line pass, after the residue pass (as in page-dump.toml)
    examples=[
        Example(
            "Home\nNews\nSport\nWeather\n" + _ARTICLE + "About us\nContact\nPrivacy policy\n",
            _ARTICLE,
            note="menus above and footer links below the article go",
        ),
        Example(
            _ARTICLE + "2 Comments\nThis is exactly what the town needed, and I hope that they finish it on time.\n",
            _ARTICLE,
            note="a comment section after the article goes, prose and all",
        ),
        Example(
            "Blog\nAbout\n" + _ARTICLE + "Mar 3, 2026\nWhy the bridge repairs took seven years\n"
            "The engineers explained why the old bridge needed a new deck before anything else could be done.\n",
            _ARTICLE + "Why the bridge repairs took seven years\n"
            "The engineers explained why the old bridge needed a new deck before anything else could be done.\n",
            note="a blog index: each teaser is a part of the main text, and its headline stays with it",
        ),
        Example(
            "Ingredients\n2 eggs\n1 cup flour\n1 cup milk\n",
            note="no prose at all: not a page dump, kept whole",
        ),
        Example(
            "The council approved the new budget on Tuesday after a long debate about the costs.\nWhat changes\n"
            "Members said that the repairs had been delayed for years and that the work would start soon.\n",
            note="a short line between prose lines is a sub-heading, kept",
        ),
    ],
)
def main_text(line: str, ctx: LineContext) -> str | None:
    """Remove the lines of a page dump that lie outside its main text, with the
    reason (position and shape) recorded in provenance.

    Why: text scraped from whole pages holds menus, widgets, related links and
    footers in lines no phrase pattern can recognise; their place on the page
    and their shape give them away. See the module documentation for how the
    main text is found and what is left alone.

    In a corpus run, on a page whose site template a corpus rule knows
    (``--pack corpus``, 3+ pages of the site), that rule has already removed what the
    site repeats, and what is left is the page's own. The rule still judges the
    page, with that evidence weighed in: how much a non-prose block counts against
    the page follows the page's shape (:func:`list_weight`). On a page that is
    mostly prose (an article), its own lists are related links and widgets and go;
    on a page of little prose (a listing, a shop, a reference page), they are the
    page and stay; code between paragraphs stays either way, unless the page is its
    own HTML source (:data:`SOURCE_SHARE`), where markup and scripts cost as without
    evidence. The blocks right above the main text stay as its head (headline, byline,
    date: :func:`_head`). (It used to step aside on such pages: news-sites 0.827 F1,
    0.925 with the page's shape, 0.950 with its head and its source read as such;
    sites 0.730, 0.733, 0.734; docs/corpus.md, "With page-dump".)
    """
    site_evidence = ctx.corpus is not None and ctx.corpus.knows_site_template()
    return _LastPage.reasons_for(ctx.lines, site_evidence).get(ctx.index)
