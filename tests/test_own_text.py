"""HTML path: trafilatura's lines judged by the main text of the page's own text
(cleaner.corpus.own_text), alone and through corpus/site-template."""

from __future__ import annotations

from cleaner.corpus.model import CorpusDoc
from cleaner.corpus.own_text import code_runs, lines_outside
from cleaner.corpus.scan import clean_corpus
from cleaner.loading.pack import load_pack

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
