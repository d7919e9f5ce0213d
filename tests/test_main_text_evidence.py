"""page/main-text in a corpus run: the site's template evidence and the page's own
shape decide together (issue 22). Small generated sites; no benchmark data."""

from __future__ import annotations

from cleaner.corpus.model import CorpusDoc
from cleaner.corpus.scan import clean_corpus
from cleaner.loading.pack import load_pack
from cleaner.rules.page import boilerplate_lines

MENU = ("Home", "World", "Business", "Sport", "Opinion", "Weather")
FOOTER = ("About us", "Contact", "Privacy policy", "Terms of use")
TOWNS = ("Harbour", "Millbrook", "Eastfield", "Northgate", "Riverside", "Oakham", "Westmoor", "Southport")
THINGS = ("ferry", "bridge", "library", "school", "market", "station", "tunnel", "park")


def news_page(n: int) -> str:
    """A whole-page dump of a news story: menu, five paragraphs of its own, a list of
    related headlines that differs from page to page, footer."""
    town, thing = TOWNS[n % 8], THINGS[n % 8]
    story = [
        f"The council of {town} voted on Tuesday to spend more money on the old {thing}, after a long "
        "debate.",
        f"Residents had complained for years that the {thing} was in poor repair and that nobody in the town "
        "hall listened.",
        f"The mayor said that the work would start in the spring and that the {thing} would stay open "
        "while it was done.",
        "Two members of the council voted against the plan, saying that the cost of it had doubled since the "
        "first estimate.",
        f"A final vote on the budget for the {thing} is expected next month, when the council meets again in "
        f"{town}.",
    ]
    related = [f"{TOWNS[(n + i) % 8]} {THINGS[(n + 2 * i) % 8]} plan delayed again ({n}.{i})"
               for i in range(1, 6)]
    return "\n".join([*MENU, *story, *related, *FOOTER]) + "\n"


WOODS = "alder birch cedar dogwood elm fir hazel larch maple oak pine rowan spruce willow yew ash".split()
KINDS = ("pack", "tent", "boot", "jacket")


def shop_page(n: int) -> str:
    """A collection page: menu, one line of intro, a grid of products, footer."""
    grid = [f"{WOODS[(7 * n + i) % len(WOODS)]} {TOWNS[(n + i) % 8]} {10 + 5 * n + i} litre {KINDS[n % 4]}"
            f"\n${40 + 7 * i + 3 * n}.95" for i in range(10)]
    intro = f"Daypacks for season {n}: light and tough, chosen by our staff for long days out on the trail."
    return "\n".join([*MENU, intro, *grid, *FOOTER]) + "\n"


def run_corpus(pages: list[str], site: str, packs: tuple[str, ...] = ("page-dump", "corpus"), disable=()):
    corpus = [(CorpusDoc(f"p{n}.txt", n, site), text) for n, text in enumerate(pages)]
    return clean_corpus(load_pack(list(packs), disable=list(disable)), corpus)


def test_with_site_evidence_a_news_page_loses_its_related_links_as_well_as_its_template():
    pages = [news_page(n) for n in range(4)]
    outcome = run_corpus(pages, "news.example")[1]
    assert "The council of Millbrook voted on Tuesday" in outcome.text
    assert "A final vote on the budget for the bridge" in outcome.text
    assert "plan delayed again" not in outcome.text  # the page's own list of links, which no template holds
    assert "Privacy policy" not in outcome.text and "Business" not in outcome.text
    whys = [s.why for s in outcome.steps if s.rule == "page/main-text"]
    assert whys and all("after the main text" in why for why in whys)


def test_with_site_evidence_a_collection_page_keeps_its_grid():
    pages = [shop_page(n) for n in range(4)]
    alone = load_pack(["page-dump"]).clean(pages[1]).text
    grid = pages[1].split("\n")[len(MENU) + 1:-len(FOOTER) - 1]
    assert not any(line in alone.split("\n") for line in grid)  # without evidence: cut as "not prose"
    outcome = run_corpus(pages, "shop.example")[1]
    assert outcome.status == "ok"
    assert all(line in outcome.text.split("\n") for line in grid)  # the page's own grid stays
    assert "Privacy policy" not in outcome.text and "Opinion" not in outcome.text  # the template goes


def test_without_evidence_main_text_judges_as_before():
    pages = [news_page(n) for n in range(2)]  # two pages: no template evidence
    outcome = run_corpus(pages, "news.example")[1]
    alone = load_pack(["page-dump"]).clean(pages[1])
    assert outcome.text == alone.text


def test_the_page_shape_decides_what_its_own_lists_are():
    lines = tuple(shop_page(2).split("\n")[len(MENU):-len(FOOTER) - 1])  # the page without its template
    assert boilerplate_lines(lines)  # alone: the grid is not prose and goes
    assert not boilerplate_lines(lines, site_evidence=True)  # a page of little prose: the grid is its content
    story = tuple(news_page(2).split("\n")[len(MENU):-len(FOOTER) - 1])
    gone = boilerplate_lines(story, site_evidence=True)
    assert gone and all("plan delayed again" in story[i] for i in gone) and len(gone) == 5
    assert "prose" in gone[max(gone)]  # the reason gives the page's shape


def manual_page(n: int) -> str:
    """A page of a manual: menu, two paragraphs with a code sample between them, footer."""
    first = (f"To read the settings of service number {n}, open the file with the loader and pass it "
             "the name of the section that you want to read. The loader looks for the file in the folder "
             "of the service first, and then in the folder that the administrator has named in the "
             "environment of the host.")
    code = ["import settings", f"import service{n}", f"config = settings.load('service{n}.toml')",
            "if not config:", f"    service{n}.stop()", "for key, value in config.items():",
            f"    if key.startswith('{n}_'):", "        continue", f"    service{n}.show(key, value)",
            f"names{n} = sorted(config)", f"service{n}.count(len(names{n}))"]
    second = (f"The loader returns a dictionary for service {n}, and every value in it has already been "
              "checked against the schema of the section. A value that does not match the schema stops the "
              "loader with an error that names the file, the section and the key, so that it can be fixed "
              "before the start.")
    return "\n".join([*MENU, first, *code, second, *FOOTER]) + "\n"


def test_with_site_evidence_code_between_paragraphs_stays():
    pages = [manual_page(n) for n in range(4)]
    alone = load_pack(["page-dump"]).clean(pages[2]).text
    assert "service2.show(key, value)" not in alone  # alone: cut as "not prose"
    lines = tuple(pages[2].split("\n")[len(MENU):-len(FOOTER) - 1])
    assert not boilerplate_lines(lines, site_evidence=True)  # a page of prose; its code is the page's
    outcome = run_corpus(pages, "docs.example", disable=["corpus/duplicates"])[2]  # (the pages are alike)
    assert "config = settings.load('service2.toml')" in outcome.text
    assert "for key, value in config.items():" in outcome.text and "service2.show(key, value)" in outcome.text
    assert "The loader returns a dictionary for service 2" in outcome.text
    assert "Privacy policy" not in outcome.text


def headed_news_page(n: int) -> str:
    """:func:`news_page` with the story's own head between the menu and the text: a
    headline and a standfirst, both unique to the page."""
    town, thing = TOWNS[n % 8], THINGS[n % 8]
    lines = news_page(n).split("\n")
    head = [f"{town} votes to repair the {thing} at last", f"Work on the {thing} starts in spring"]
    return "\n".join([*MENU, *head, *lines[len(MENU):]])


def test_with_site_evidence_the_story_keeps_its_headline():
    pages = [headed_news_page(n) for n in range(4)]
    alone = load_pack(["page-dump"]).clean(pages[1]).text
    assert "Millbrook votes to repair the bridge at last" not in alone  # alone: a short line above the text
    outcome = run_corpus(pages, "news.example")[1]
    assert "Millbrook votes to repair the bridge at last" in outcome.text  # the template gone, it is the head
    assert "Work on the bridge starts in spring" in outcome.text
    assert "plan delayed again" not in outcome.text and "Business" not in outcome.text


def source_page(n: int) -> str:
    """A naive dump that is the page's HTML source: a script, a long menu of links, the
    story in paragraph tags, a list of related links; the script and links differ per
    page, and little of the page is prose."""
    town, thing = TOWNS[n % 8], THINGS[n % 8]
    script = ["<script type=\"text/javascript\">", f"var story{n} = {{id: {n}, town: '{town}'}};",
              f"function show{n}() {{", f"document.title = story{n}.town;", "}", "</script>"]
    links = [f"<li><a href=\"/{TOWNS[(n + i) % 8].lower()}/{i}\">{TOWNS[(n + i) % 8]} news</a></li>"
             for i in range(30)]
    story = [f"<p>{line}</p>" for line in news_page(n).split("\n")[len(MENU):len(MENU) + 5]]
    related = [f"<li><a href=\"/story/{n}{i}\">{TOWNS[(n + i) % 8]} {THINGS[i % 8]} plan delayed</a></li>"
               for i in range(1, 5)]
    return "\n".join(["<html>", "<head>", *script, "</head>", "<body>", "<ul>", *links, "</ul>", *story,
                      "<ul>", *related, "</ul>", "</body>", "</html>"]) + "\n"


def test_with_site_evidence_a_page_s_html_source_loses_its_markup_and_scripts(monkeypatch):
    import cleaner.rules.page as page

    lines = tuple(source_page(3).split("\n"))
    gone = boilerplate_lines(lines, site_evidence=True)
    kept = [line for i, line in enumerate(lines) if i not in gone]
    assert any("voted on Tuesday" in line for line in kept)
    assert not any("function show3" in line or "plan delayed" in line or "<script" in line for line in kept)
    assert "its HTML source" in gone[max(gone)]
    # read as a page of little prose whose lists and code are its own, they would stay
    monkeypatch.setattr(page, "SOURCE_SHARE", 2.0)
    assert not any("function show3" in lines[i] or "plan delayed" in lines[i]
                   for i in boilerplate_lines(lines, site_evidence=True))
