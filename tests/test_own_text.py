"""HTML path: trafilatura's lines judged by the main text of the page's own text
(cleaner.corpus.own_text), alone and through corpus/site-template."""

from __future__ import annotations

from cleaner.corpus.model import CorpusDoc
from cleaner.corpus.own_text import code_runs, layout_row, lines_outside, outside, table_cells
from cleaner.corpus.scan import clean_corpus
from cleaner.loading.pack import load_pack
from cleaner.rules.page import prose_verdict

STORY = [
    f"Crews in district {n} worked through the night to clear the fallen trees from the river road, and the "
    f"council said the road would open again on Monday morning after the engineers had checked the bridge."
    for n in range(6)
]
RELATED = ["Storm closes the old harbour", "Ferry times change for winter", "New mayor sworn in at town hall"]


def own(lines: list[str], links: dict[str, float] | None = None) -> list[tuple[str, float]]:
    return [(line, (links or {}).get(line, 0.0)) for line in lines]


def removed(text: str, own_lines: list[tuple[str, float]]) -> list[str]:
    lines = text.split("\n")
    return [lines[i] for i, _ in lines_outside(text, own_lines)]


def test_a_related_links_list_trafilatura_kept_goes_with_its_reason():
    page = own(STORY + ["Related stories"] + RELATED, {line: 1.0 for line in RELATED})
    text = "\n".join(STORY + RELATED)
    assert removed(text, page) == RELATED
    (_, why), *_ = lines_outside(text, page)
    assert "the page prints it as links (100% link text)" in why and "1 of 5 words in it" in why  # "the"


def test_a_heading_or_label_of_the_pages_own_text_stays():
    """Not links, not prose: a sub-heading or a spec row the main-text judge cut for
    its shape alone (a reference page's "Instance properties")."""
    page = own(STORY[:3] + ["Instance properties", "Weight 0.8 kg"] + STORY[3:])
    text = "\n".join(STORY[:3] + ["Instance properties", "Weight 0.8 kg"] + STORY[3:])
    assert removed(text, page) == []


def test_comment_prose_after_the_story_goes():
    comments = ["I drove that road every day for years and the trees were always a worry in winter storms.",
                "Glad to hear it, though the bus still took the long way round for most of the week."]
    page = own(STORY + ["2 Comments"] + comments)
    assert removed("\n".join(STORY + comments), page) == comments


def test_code_trafilatura_kept_stays():
    code = ["def clear(road):", "    for tree in road.trees:", "        tree.remove()", "    return road"]
    page = own(STORY + ["def clear(road): for tree in road.trees: tree.remove() return road"], {})
    assert code_runs(code) == {0, 1, 2, 3}
    assert removed("\n".join(STORY + code), page) == []


def test_nothing_is_judged_when_trafilatura_found_another_text():
    """The two must agree on the story: trafilatura's text holding little of the
    own main text is another reading of the page, not the story plus extras."""
    page = own(STORY + RELATED, {line: 1.0 for line in RELATED})
    other = "Sign up for our weekly letter with the best offers from our shop, sent every Friday."
    assert removed("\n".join([other] + RELATED), page) == []
    assert removed("\n".join(STORY + [other] + RELATED), page) == [other] + RELATED


def test_a_table_row_is_never_code():
    assert code_runs(["| a = 1 |", "| b = 2 |", "| c = 3 |"]) == set()


def news_page(n: int) -> str:
    nav = "<nav><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in ("Home", "World", "Sport", "Weather")) + "</ul></nav>"
    foot = "<footer><p>Contact</p><p>Privacy policy</p><p>Terms of use</p></footer>"
    story = "".join(f"<p>{line} (Report {n}.)</p>" for line in STORY)
    related = "<ul>" + "".join(f"<li><a href='/s/{n}/{i}'>{title} ({n})</a></li>" for i, title in enumerate(RELATED)) + "</ul>"
    return f"<html><body>{nav}<article>{story}<h3>Related stories</h3>{related}</article>{foot}</body></html>"


def test_through_the_template_rule_the_links_go_and_the_story_stays():
    """An HTML page in a corpus run with --pack corpus: trafilatura's text (here given)
    kept a related-links list that differs from page to page (no template)."""
    corpus = []
    for n in range(4):
        text = "\n\n".join([f"{line} (Report {n}.)" for line in STORY] + [f"{t} ({n})" for t in RELATED]) + "\n"
        corpus.append((CorpusDoc(f"p{n}", n, "news.example", html=news_page(n)), text))
    # the four stories are alike: duplicates marked, not dropped
    outcomes = clean_corpus(load_pack(["corpus"], options={"corpus/duplicates": {"mark": True}}), corpus)
    for (doc, _), outcome in zip(corpus, outcomes):
        assert outcome.status == "ok"
        assert all(line in outcome.text for line in STORY)
        assert not any(t in outcome.text for t in RELATED)
        whys = [s.why or "" for s in outcome.steps if s.rule == "corpus/site-template"]
        assert len(whys) == 3 and all("outside the page's main text" in w for w in whys)


def test_a_corpus_run_from_files_judges_trafilaturas_lines_as_the_corpus_in_memory_does(tmp_path, monkeypatch):
    """`cleaner run --pack corpus` reads each page once and judges it in a later pass
    from what it kept (cleaner.running.worker.KeptRead): the page's lines must come with their
    link shares, or the clean phase would find no links and keep the related list."""
    import cleaner.io.readers
    from cleaner.running.run import RunOptions, run_corpus

    def trafilatura_kept_the_list(html, **_):  # as trafilatura does on many news pages
        n = html.split("(Report ", 1)[1].split(".", 1)[0]
        return "\n\n".join([f"{line} (Report {n}.)" for line in STORY] + [f"{t} ({n})" for t in RELATED]) + "\n", {}

    monkeypatch.setattr(cleaner.io.readers, "extract_main_text", trafilatura_kept_the_list)
    site = tmp_path / "in" / "news.example"
    site.mkdir(parents=True)
    for n in range(4):
        (site / f"p{n}.html").write_text(news_page(n), encoding="utf-8")
    pack = load_pack(["corpus"], options={"corpus/duplicates": {"mark": True}})
    run_corpus(tmp_path / "in", tmp_path / "out", pack, RunOptions(jobs=1))
    for n in range(4):
        out = (tmp_path / "out" / "news.example" / f"p{n}.txt").read_text(encoding="utf-8")
        assert all(f"{line} (Report {n}.)" in out for line in STORY)
        assert not any(t in out for t in RELATED)
    assert (tmp_path / "out" / "provenance.jsonl").read_text(encoding="utf-8").count("outside the page's main text") == 12


# Layout table rows: a 2008 news page lays out the page with a table, and trafilatura
# writes the row that holds the story as one line, its menu and related cells beside it.

MENU = ["Home", "World", "Sport", "Weather"]


def layout_page() -> list[tuple[str, float]]:
    """The page's own text less its template (the menu): the related links are lines
    of links of their own (block elements in their cell), the story is prose."""
    return own(STORY + ["See also"] + RELATED, {line: 1.0 for line in RELATED})


def test_a_layout_rows_cells_outside_the_main_text_go_and_its_prose_cell_stays():
    row = "| " + " | ".join([" ".join(MENU), " ".join(STORY), "", "See also " + " ".join(RELATED)]) + " |"
    found = outside(row, layout_page())
    assert found.lines == []
    assert found.rows == {0: "| " + " ".join(STORY) + " |  |"}
    assert found.rows_why.startswith(
        "outside the page's main text: 2 table cells of 1 row beside the prose cell (")
    assert "0 of 4 words in it, not one run of lines on the page" in found.rows_why  # the menu
    assert "2 of 19 words in it, the page prints it as links (89% link text)" in found.rows_why  # "See also"
    assert lines_outside(row, layout_page()) == []  # lines alone: the row stays whole
    assert outside(row, layout_page(), split_rows=False).rows == {}


def test_a_data_tables_short_cells_keep_their_row_whole():
    """No cell of a data row is prose: the row is judged as a line, and its words are
    mostly the main text's, so it stays, its cell that the page prints as links with it
    (judged alone, that cell would go)."""
    row = f"| Crews in district worked | the council said the road | {RELATED[0]} |"
    found = outside("\n".join(STORY + [row]), layout_page())
    assert found.rows == {} and found.lines == []
    assert outside("\n".join(STORY + [RELATED[0]]), layout_page()).lines  # the cell alone, as a line
    assert not layout_row(table_cells(row), frozenset({"the", "in", "said"}))


def test_a_layout_row_whose_whole_line_is_outside_goes_whole():
    ferry = ("The ferry company said today that the winter timetable will start a week earlier than in past "
             "years because of the storms.")
    row = "| " + " | ".join([" ".join(RELATED), ferry]) + " |"
    text = "\n".join(STORY + [row])
    found = outside(text, layout_page())
    assert [i for i, _ in found.lines] == [len(STORY)] and found.rows == {}


def test_table_cells_reads_trafilaturas_rows():
    assert table_cells("| a | b \\| c |  |") == ["a", "b \\| c", ""]
    assert table_cells("not a row") is None and table_cells("|") is None
    stop = frozenset({"the", "a", "of", "and", "to", "in"})
    assert layout_row(["Home World", " ".join(STORY[:1])], stop)
    assert not layout_row(["Weight", "0.8 kg"], stop)
    assert not layout_row([" ".join(STORY[:1]), ""], stop)  # one cell with text: not a layout
    # a reference table's description cell reads as prose to the page judge, but is short
    described = "sub-iterators grouped by value of key(v)"
    assert prose_verdict(described, stop | {"by"})[0]
    assert not layout_row(["groupby()", "iterable[, key]", described], stop | {"by"})


def layout_news_page(n: int) -> str:
    menu = "".join(f"<div><a href='/{w}'>{w}</a></div>" for w in MENU)
    story = "".join(f"<p>{line} (Report {n}.)</p>" for line in STORY)
    related = "".join(f"<div><a href='/s/{n}/{i}'>{title} ({n})</a></div>" for i, title in enumerate(RELATED))
    row = f"<tr><td>{menu}</td><td>{story}</td><td><b>See also</b>{related}</td></tr>"
    foot = "<p>Contact</p><p>Privacy policy</p><p>Terms of use</p>"
    return f"<html><body><table>{row}</table>{foot}</body></html>"


def test_through_the_template_rule_a_layout_row_loses_its_related_cell_with_one_reason():
    """A corpus run with --pack corpus: trafilatura (here given) wrote the layout row
    as one line; the related cell differs from page to page, so no template holds it."""
    corpus = []
    for n in range(4):
        story = " ".join(f"{line} (Report {n}.)" for line in STORY)
        related = "See also " + " ".join(f"{t} ({n})" for t in RELATED)
        corpus.append((CorpusDoc(f"p{n}", n, "news.example", html=layout_news_page(n)),
                       f"| {story} | {related} |\n"))
    outcomes = clean_corpus(load_pack(["corpus"], options={"corpus/duplicates": {"mark": True}}), corpus)
    for (doc, _), outcome in zip(corpus, outcomes):
        assert outcome.status == "ok"
        assert all(line in outcome.text for line in STORY)
        assert not any(t in outcome.text for t in RELATED)
        steps = [s for s in outcome.steps if s.rule == "corpus/site-template"]
        assert [s.action for s in steps] == ["changed"]
        assert steps[0].why.startswith("outside the page's main text: 1 table cell of 1 row")
    off = {"corpus/duplicates": {"mark": True}, "corpus/site-template": {"split_rows": False}}
    assert all(RELATED[0] in o.text for o in clean_corpus(load_pack(["corpus"], options=off), corpus))
