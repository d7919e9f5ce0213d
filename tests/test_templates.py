"""Site templates (cleaner.corpus.templates): small hand-made sites, what goes and what stays."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest

from cleaner.corpus.templates import (
    MIN_PAGES,
    SiteStats,
    line_key,
    prefer_own_text,
    sketch,
    template_lines,
    without_lines,
)

MENU = ["Home", "Shop", "Deals", "Help", "Sign in"]
FOOTER = ["About us", "Careers", "Privacy", "Terms", "© 2026 Gearshop"]
PRODUCTS = [
    ("Trail pack 25", "A light daypack with a rain cover and two side pockets for bottles.", "0.8 kg", "50 x 30 x 20 cm"),
    ("Summit tent", "A two-person tent that pitches in three minutes and packs down small.", "2.1 kg", "210 x 130 x 100 cm"),
    ("Camp stove", "A compact gas stove that boils a litre of water in four minutes flat.", "0.3 kg", "10 x 10 x 8 cm"),
    ("Sleeping pad", "An insulated pad for cold nights, with a pump sack that doubles as a dry bag.", "0.5 kg", "183 x 51 x 7 cm"),
]


def product_page(name: str, blurb: str, weight: str, size: str) -> str:
    body = [name, blurb, "Specifications", "Weight", weight, "Dimensions", size]
    return "\n".join(MENU + body + FOOTER)


def site_stats(pages: list[str], site: str = "gearshop.example") -> SiteStats:
    stats = SiteStats(site)
    for page in pages:
        stats.add(sketch(page))
    return stats.finished()


def removed_text(page: str, stats: SiteStats, **options: object) -> list[str]:
    lines = page.split("\n")
    return [lines[i] for i, _ in template_lines(page, stats, **options)]  # type: ignore[arg-type]


def test_menu_and_footer_on_every_page_go_and_the_page_keeps_its_own_lines() -> None:
    pages = [product_page(*p) for p in PRODUCTS]
    stats = site_stats(pages)
    for page, (name, blurb, weight, size) in zip(pages, PRODUCTS):
        kept = without_lines(page, template_lines(page, stats)).split("\n")
        assert kept == [name, blurb, "Specifications", "Weight", weight, "Dimensions", size]


def test_a_removed_line_says_on_how_many_pages_of_which_site_and_why() -> None:
    pages = [product_page(*p) for p in PRODUCTS]
    reasons = dict(template_lines(pages[0], site_stats(pages)))
    assert reasons[0] == "on 4 of 4 pages of gearshop.example, in a block of 5 such lines"


def test_spec_labels_on_every_product_page_stay_because_they_sit_between_the_pages_own_values() -> None:
    """"Weight" and "Dimensions" are on every page, as often as the menu: what tells
    them apart is the company they keep. Each label stands alone between lines of
    the page's own (the values), while the menu is a block of recurring lines."""
    pages = [product_page(*p) for p in PRODUCTS]
    stats = site_stats(pages)
    assert stats.pages_with(line_key("Weight")) == stats.pages_with(line_key("Home")) == 4
    assert not {"Specifications", "Weight", "Dimensions"} & set(removed_text(pages[0], stats))
    assert {"Weight", "Dimensions"} <= set(removed_text(pages[0], stats, min_run=1))  # counted alone, they would go
    # The same labels in a block of their own (a table header row) are the template's shape, and go.
    header = "\n".join(MENU[:1] + ["Specifications", "Weight", "Dimensions"] + ["a value only this page has"])
    assert set(removed_text(header, stats)) == {"Home", "Specifications", "Weight", "Dimensions"}


def test_recipe_headings_between_each_recipes_own_lines_stay() -> None:
    recipes = [
        ("Lentil soup", "1 cup red lentils", "Simmer the lentils with the onion for twenty minutes."),
        ("Tomato salad", "4 ripe tomatoes", "Slice the tomatoes and dress them with oil and salt."),
        ("Pancakes", "2 eggs", "Whisk the eggs into the flour and milk, then rest the batter."),
    ]
    pages = ["\n".join(MENU + [t, "Ingredients", i, "Method", m] + FOOTER) for t, i, m in recipes]
    stats = site_stats(pages, "recipes.example")
    for page, (title, ingredient, method) in zip(pages, recipes):
        assert without_lines(page, template_lines(page, stats)).split("\n") == [title, "Ingredients", ingredient, "Method", method]


def test_a_site_with_too_few_pages_removes_nothing() -> None:
    pages = [product_page(*p) for p in PRODUCTS[: MIN_PAGES - 1]]
    stats = site_stats(pages)
    assert stats.pages == MIN_PAGES - 1
    assert all(template_lines(page, stats) == [] for page in pages)


def test_copies_of_one_page_are_one_page_of_evidence() -> None:
    """Three scrapes of the same page (case and spacing aside) and one other page:
    two distinct pages, so no evidence, and the copied page keeps its text."""
    page = product_page(*PRODUCTS[0])
    copies = [page, page.upper(), page.replace("\n", "  \n")]
    stats = SiteStats("gearshop.example")
    assert [stats.add(sketch(p)) for p in copies + [product_page(*PRODUCTS[1])]] == [True, False, False, True]
    assert (stats.pages, stats.copies) == (2, 2)
    assert template_lines(page, stats.finished()) == []


def story(n: int, quote: str | None) -> str:
    own = [
        f"Story {n}: the council met again on day {n} of the budget talks.",
        f"Members argued for {n + 2} hours about the school budget and the new bus routes in district {n}.",
        f"A final vote on the plan is expected within {n + 5} days, officials said after the meeting.",
    ]
    body = own + ([quote] if quote else [])  # the quote closes the story, next to the site's footer
    return "\n".join(["News", "Politics", "Sport", "Weather"] + body + ["Contact the newsroom", "Privacy policy"])


QUOTE = "\u201cWe will not balance this budget on the backs of our children,\u201d the mayor said on Tuesday."


def test_a_quote_repeated_across_syndicated_stories_stays() -> None:
    """The agency's quote closes three of the site's eight stories, right above the
    footer: a sentence on half of the pages or fewer is content (a quote, shared
    background), while the site's menu and footer around it go. Counted like any
    other line, it would join the footer's block."""
    pages = [story(n, QUOTE if n <= 3 else None) for n in range(1, 9)]
    stats = site_stats(pages, "citynews.example")
    assert stats.pages_with(line_key(QUOTE)) == 3
    for page in pages[:3]:
        removed = removed_text(page, stats)
        assert QUOTE not in removed
        assert removed == ["News", "Politics", "Sport", "Weather", "Contact the newsroom", "Privacy policy"]
        assert QUOTE in removed_text(page, stats, prose_share=0.0)


def test_a_sentence_on_most_pages_of_a_site_goes() -> None:
    pitch = "Sign up for our newsletter to get the day's top stories in your inbox every morning."
    pages = [story(n, None).replace("Contact the newsroom", pitch + "\nContact the newsroom") for n in range(1, 6)]
    stats = site_stats(pages, "citynews.example")
    assert pitch in removed_text(pages[0], stats)


def test_a_lone_recurring_line_at_the_top_or_end_of_a_page_goes_but_not_inside() -> None:
    pages = [f"Skip to content\nPage {n} has its own heading\nIts own first line {n}\nBack to top" for n in range(4)]
    stats = site_stats(pages)
    assert removed_text(pages[0], stats) == ["Skip to content", "Back to top"]
    assert removed_text(pages[0], stats, at_edges=False) == []
    inside = "A line of this page\nSkip to content\nAnother line of this page"
    assert removed_text(inside, stats) == []


def collection_page(n: int, grid: list[str] | None, section: list[str] | None = None) -> str:
    """A collection page of gearshop: the menu (with a section's own entries after
    it, when given), its own heading and intro, a grid of products, the footer."""
    own = [f"Collection {n}: gear for trip number {n}", f"{n + 3} items picked by our staff for day {n}"]
    return "\n".join(MENU + (section or []) + own + (grid or []) + [f"Updated on day {n}"] + FOOTER)


BESTSELLERS = [name for name, *_ in PRODUCTS]


def test_a_product_grid_on_a_few_of_the_sites_pages_stays_while_the_menu_goes() -> None:
    """Four products listed on 3 of the site's 8 collection pages: a block of
    recurring lines, but none of them on more than half of the pages. A menu or a
    footer is on most pages; lines on a few are a grid the pages share, content
    of each. Counted like the menu, the grid would go."""
    pages = [collection_page(n, BESTSELLERS if n < 3 else None) for n in range(8)]
    stats = site_stats(pages)
    assert stats.pages_with(line_key(BESTSELLERS[0])) == 3 and stats.pages == 8
    for page in pages[:3]:
        assert removed_text(page, stats) == MENU + FOOTER
        assert set(BESTSELLERS) <= set(removed_text(page, stats, block_share=0.0))


def test_lines_on_a_few_pages_go_with_a_block_of_the_sites_widespread_lines() -> None:
    """A section's menu entries, on 3 of 8 pages, right after the site menu that
    every page has: one block, made template by its widespread lines, and the
    reason says how many of them are."""
    section = ["Tents", "Stoves", "Sleeping"]
    pages = [collection_page(n, None, section if n < 3 else None) for n in range(8)]
    stats = site_stats(pages)
    reasons = dict(template_lines(pages[0], stats))
    lines = pages[0].split("\n")
    assert [lines[i] for i in sorted(reasons)] == MENU + section + FOOTER
    assert reasons[lines.index("Tents")] == (
        "on 3 of 8 pages of gearshop.example, in a block of 8 such lines, 5 of them on 5 pages or more")
    assert reasons[0] == "on 8 of 8 pages of gearshop.example, in a block of 8 such lines, 5 of them on 5 pages or more"


def test_a_shared_list_at_the_top_of_a_page_stays_when_few_of_its_lines_are_widespread() -> None:
    """At the top of 3 of the site's 8 pages, "Skip to content" (on every page) and
    then the four bestsellers (on those 3): the edge lets a short block go without
    :data:`MIN_RUN` lines, but only when most of it is widespread. "Skip to
    content" alone at the top of the other pages goes."""
    pages = ["\n".join(["Skip to content"] + (BESTSELLERS if n < 3 else []) + [f"Own heading {n}", f"Own line {n}"])
             for n in range(8)]
    stats = site_stats(pages)
    assert removed_text(pages[0], stats) == []
    assert removed_text(pages[0], stats, block_share=0.0) == ["Skip to content", *BESTSELLERS]
    assert removed_text(pages[5], stats) == ["Skip to content"]


def test_judging_the_kept_text_again_removes_nothing_more() -> None:
    pages = [product_page(*p) for p in PRODUCTS]
    stats = site_stats(pages)
    for page in pages:
        kept = without_lines(page, template_lines(page, stats))
        assert template_lines(kept, stats) == []


def test_line_key_folds_case_width_and_spacing_not_digits() -> None:
    assert line_key("Add to cart") == line_key("  ADD   to\tcart ") == line_key("Ａｄｄ to cart")
    assert line_key("$3.99") != line_key("$4.99")
    assert line_key("#1") != line_key("#2")


def test_line_key_is_the_same_in_another_process() -> None:
    """Scans run in workers and on other machines: the key must not depend on
    Python's per-process string hashing."""
    code = "from cleaner.corpus.templates import line_key; print(line_key('Add to cart'))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout) == line_key("Add to cart")
    assert 0 <= line_key("Add to cart") < 2**64


def test_sketch_holds_keys_not_strings_and_survives_pickling() -> None:
    page = product_page(*PRODUCTS[0])
    s = sketch(page)
    assert b"Specifications" not in pickle.dumps(s)
    assert list(s.line_keys()) == sorted({line_key(x) for x in page.split("\n")})
    assert pickle.loads(pickle.dumps(s)) == s


def test_statistics_survive_pickling_open_and_finished() -> None:
    pages = [product_page(*p) for p in PRODUCTS]
    open_stats = SiteStats("gearshop.example")
    for page in pages[:3]:
        open_stats.add(sketch(page))
    restored = pickle.loads(pickle.dumps(open_stats))
    assert restored.add(sketch(pages[0])) is False  # it still knows the pages it counted
    assert restored.add(sketch(pages[3])) is True
    done = restored.finished()
    again = pickle.loads(pickle.dumps(done))
    assert [template_lines(p, again) for p in pages] == [template_lines(p, done) for p in pages]
    assert (again.pages, again.copies) == (4, 1)


def test_finished_statistics_keep_only_lines_that_can_recur_and_refuse_more_pages() -> None:
    pages = [product_page(*p) for p in PRODUCTS]
    stats = SiteStats("gearshop.example")
    for page in pages:
        stats.add(sketch(page))
    done = stats.finished()
    assert len(done) == stats.recurring() < len(stats)
    assert done.pages_with(line_key(PRODUCTS[0][1])) == 0
    with pytest.raises(ValueError, match="finished"):
        done.add(sketch(pages[0]))
    with pytest.raises(ValueError, match="min_pages"):  # it no longer knows the lines on 2 pages
        template_lines(pages[0], done, min_pages=2)
    assert template_lines(pages[0], stats.finished(2), min_pages=2)


def test_prefer_own_text_when_the_extractor_kept_little_of_a_site_page() -> None:
    grid = "\n".join(f"Item {n}\n${n}.99" for n in range(40))
    pages = [product_page(*p) for p in PRODUCTS]
    stats = site_stats(pages)
    assert prefer_own_text("A short intro to the collection.", grid, stats)
    assert not prefer_own_text(grid, grid, stats)
    assert not prefer_own_text("A short intro.", grid, site_stats(pages[:2]))  # no evidence: the template is still in it


def shop_pages(n_pages: int = 4) -> list[str]:
    """Collection pages of one shop: a menu and footer on every page, an intro line
    and a grid of products of its own."""
    nav = "<nav><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in ("Home", "Tents", "Packs", "Boots")) + "</ul></nav>"
    foot = "<footer><ul>" + "".join(f"<li>{w}</li>" for w in ("Contact us", "Privacy policy", "Terms of use")) + "</ul></footer>"
    names = ("Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Hazel", "Larch")
    pages = []
    for n in range(n_pages):
        grid = "".join(f"<li>{names[(i + 3 * n) % 8]} {10 + 5 * n + i} litre pack</li><li>${40 + 7 * i + n}.95</li>"
                       for i in range(8))
        pages.append(f"<html><body>{nav}<main><p>Daypacks for season {n}, light and tough.</p><ul>{grid}</ul></main>"
                     f"{foot}</body></html>")
    return pages


def test_html_page_whose_extractor_kept_little_gets_its_own_text_minus_the_template() -> None:
    from cleaner.corpus.model import CorpusDoc
    from cleaner.corpus.scan import clean_corpus
    from cleaner.loading.pack import load_pack

    pages = shop_pages()
    intro_only = [f"Daypacks for season {n}, light and tough." for n in range(len(pages))]  # what the extractor kept
    corpus = [(CorpusDoc(f"p{n}.html", n, "shop.example", html=page), text)
              for n, (page, text) in enumerate(zip(pages, intro_only))]
    outcome = clean_corpus(load_pack(["corpus"]), corpus)[1]
    assert "Dogwood 15 litre pack" in outcome.text and "$48.95" in outcome.text  # the grid is back
    assert "Privacy policy" not in outcome.text and "Tents" not in outcome.text  # the template is not
    step = next(s for s in outcome.steps if s.rule == "corpus/site-template")
    assert step.action == "changed" and step.why.startswith("the extractor kept ")
    assert "4 pages of shop.example" in step.why

    step_site = outcome.steps[0].why
    assert step_site.endswith("template lines)") and "pages of shop.example, " in step_site  # the report reads the site

    nothing = [(doc, "" if doc.position == 2 else text) for doc, text in corpus]  # the extractor found nothing here
    empty = clean_corpus(load_pack(["corpus"], disable=["corpus/duplicates"]), nothing)[2]  # (these pages are alike)
    assert empty.status == "ok" and "Daypacks for season 2" in empty.text  # the page still gives its own text

    whole = [page_text_of(page) for page in pages]  # an extractor that kept the page's own text
    kept = clean_corpus(load_pack(["corpus"]), [(doc, text) for (doc, _), text in zip(corpus, whole)])[1]
    assert not any(s.action == "changed" and s.rule == "corpus/site-template" for s in kept.steps)


def page_text_of(html: str) -> str:
    from cleaner.io.page_text import page_text

    lines = page_text(html).split("\n")
    return "\n".join(lines[4:-3])  # without the menu and the footer


def test_a_pickled_corpus_doc_leaves_its_page_behind() -> None:
    from cleaner.corpus.model import CorpusDoc

    doc = CorpusDoc("p.html", 3, "shop.example", html="<p>" + "x" * 10_000 + "</p>")
    assert doc.page_text == "x" * 10_000
    back = pickle.loads(pickle.dumps(doc))
    assert (back.id, back.position, back.site, back.html) == ("p.html", 3, "shop.example", None)
    assert len(pickle.dumps(doc)) < 200  # a scan's sketch goes to the statistics without the page
