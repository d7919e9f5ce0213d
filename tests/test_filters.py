"""The Gopher, C4 and FineWeb filters (issue 24): parity with datatrove's own
filters on the documents of tests/filter_docs.py (1,000+, shipped with the
tests), the word splitting against spaCy's, and the reasons, languages, packs
and explain output.

datatrove (and spaCy, which its English word splitting loads) come with the test
extra; CI installs it (.ci/run), so there a missing module fails, it does not skip.
"""

from __future__ import annotations

import importlib
import os
import re
import warnings

import pytest

for module in ("datatrove", "spacy"):
    importlib.import_module(module) if os.environ.get("CI") else pytest.importorskip(module)

from datatrove.data import Document  # noqa: E402
from datatrove.pipeline.filters import (  # noqa: E402
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)

from cleaner.core.engine import Pipeline, apply_rule  # noqa: E402
from cleaner.rules import _measures, _tokens, c4, fineweb, gopher  # noqa: E402

_tokens.load()  # the tests read its tables directly
from filter_docs import TOKENS, documents  # noqa: E402

DOCS = documents()

#: cleaner's rules for each datatrove filter (c4: the line rule, then the document filter)
PAIRS = {
    "gopher-quality": (GopherQualityFilter, [gopher.quality]),
    "gopher-repetition": (GopherRepetitionFilter, [gopher.repetition]),
    "c4": (C4QualityFilter, [c4.lines, c4.document]),
    "fineweb": (FineWebQualityFilter, [fineweb.quality]),
}
MIN_AGREEMENT = 0.995


def datatrove_keeps(flt, text: str, n: int) -> tuple[bool, str]:
    doc = Document(text=text, id=str(n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's mean of no words
        verdict = flt.filter(doc)
    return verdict is True, doc.text


@pytest.fixture(scope="module")
def verdicts() -> dict[str, list[tuple[bool, bool, str, str, str]]]:
    """Per filter and document: datatrove keeps, cleaner keeps, cleaner's reason,
    datatrove's text after it, cleaner's text after it. The four filters take
    each document in turn: datatrove remembers the last words it split."""
    filters = {name: (cls(), Pipeline(rules)) for name, (cls, rules) in PAIRS.items()}
    out: dict[str, list[tuple[bool, bool, str, str, str]]] = {name: [] for name in PAIRS}
    for n, text in enumerate(DOCS):
        for name, (flt, pipeline) in filters.items():
            kept, dt_text = datatrove_keeps(flt, text, n)
            outcome = pipeline.clean(text)
            out[name].append((kept, outcome.status == "ok", outcome.reason or "", dt_text, outcome.text))
    return out


def test_the_parity_documents_are_many_and_varied():
    assert len(DOCS) >= 1000
    assert len(set(DOCS)) >= 950


@pytest.mark.parametrize("name", list(PAIRS))
def test_decisions_agree_with_datatrove(verdicts, name):
    rows = verdicts[name]
    differ = [(n, r) for n, r in enumerate(rows) if r[0] != r[1]]
    agreement = 1 - len(differ) / len(rows)
    shown = "\n".join(f"  doc {n}: datatrove {'keeps' if r[0] else 'drops'}, cleaner {r[2] or 'keeps'}: {DOCS[n][:80]!r}"
                      for n, r in differ[:10])
    assert agreement >= MIN_AGREEMENT, f"{name}: {agreement:.4f} agreement\n{shown}"
    # both sides drop some and keep some: the test can fail either way
    assert 0 < sum(r[0] for r in rows) < len(rows)


def test_c4_keeps_the_lines_datatrove_keeps(verdicts):
    """Where both keep a document, C4's kept lines are the same: cleaner's lines,
    stripped and without citation marks, are datatrove's text."""
    compared = 0
    for n, (dt_keeps, keeps, _, dt_text, text) in enumerate(verdicts["c4"]):
        # a line holding a line break other than "\n" stays whole in cleaner (docs/filters.md)
        if dt_keeps and keeps and not c4._OTHER_BREAKS(DOCS[n]):
            compared += 1
            mine = [_measures.CITATION.sub("", line.strip()) for line in text.splitlines() if line.strip()]
            assert "\n".join(mine) == dt_text, n
    assert compared > 100


def test_words_are_spacys_tokens():
    """cleaner/rules/_tokens.py splits every parity document as spacy.blank("en") does."""
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    spacy_words = load_word_tokenizer("en").word_tokenize
    for token in TOKENS:
        assert list(_tokens.split_chunk(token)) == spacy_words(token), token
    for n, text in enumerate(DOCS):
        assert _tokens.words(text) == spacy_words(text), n


def test_the_packed_counts_are_the_words_counts():
    """The quality filters count words chunk by chunk (letters alone in C, exceptions
    corrected): the same counts as taken word by word from the word list."""
    from datatrove.utils.text import PUNCTUATION_SET

    for n, text in enumerate(DOCS + ["cannot gonna Cannot dont, cannot.", "a b c"]):
        words = _tokens.words(text)
        real = [w for w in words if any(c not in PUNCTUATION_SET for c in w)]
        alpha = sum(any(c.isalpha() for c in w) for w in words)
        assert _measures.Analysis(text)._counts == (len(words), len(real), sum(map(len, real)), alpha), n


def test_ngrams_of_chunks_are_those_of_the_words():
    from cleaner.rules._measures import NGrams

    for n, text in enumerate(DOCS + ["cannot gonna Cannot dont, cannot.", "", "word"]):
        words, chunks = _tokens.words(text), text.split()
        a, b = NGrams(words), NGrams.of_chunks(chunks)
        assert a.ids.tolist() == b.ids.tolist() and a.chars.tolist() == b.chars.tolist(), n


def test_ngram_counts_of_short_texts_are_numpys(monkeypatch):
    """Short texts' n-grams are counted in a dict (``_SMALL``): the same most
    frequent n-gram (the first seen on a tie) and the same duplicate walk as
    with numpy, on every document cut to a short text and as it is."""
    from cleaner.rules._measures import NGrams, _dup_ngram_chars, _top_ngram_chars

    texts = [" ".join(d.split()[:k]) for d in DOCS[:300] for k in (5, 40, 200)] + ["a b a b a b c", "x y x y"]
    checked = 0
    for text in texts:
        grams = NGrams.of_chunks(text.split())
        for n in range(1, 11):
            monkeypatch.setattr(_measures, "_SMALL", 1 << 30)
            small = _top_ngram_chars(grams, n), _dup_ngram_chars(grams, n)
            monkeypatch.setattr(_measures, "_SMALL", -1)
            large = _top_ngram_chars(grams, n), _dup_ngram_chars(grams, n)
            assert small == large, (text[:80], n)
            checked += small[1][1]
    assert checked > 100  # many texts with a repeated n-gram were compared


def test_ngrams_counted_where_they_can_repeat_are_counted_in_full():
    """``_ngram_chars`` counts each n only where the shorter n-grams repeat: the
    same top and duplicate n-gram characters as counting every n-gram on its own
    (``_top_ngram_chars``, ``_dup_ngram_chars``)."""
    from cleaner.rules._measures import NGrams, _dup_ngram_chars, _ngram_chars, _top_ngram_chars

    texts = DOCS + ["a b c a b c a b c d", "x y z w x y z v x y z w", "one two one two three one two three four", "", "w"]
    repeated = 0
    for text in texts:
        grams = NGrams.of_chunks(text.split())
        for top_ns, dup_ns in (([2, 3, 4], [5, 6, 7, 8, 9, 10]), ([], [5, 6, 7, 8, 9, 10]), ([1, 4], [9, 3])):
            top, dup = _ngram_chars(grams, top_ns, dup_ns)
            assert [top[n] for n in top_ns] == [_top_ngram_chars(grams, n) for n in top_ns], (text[:80], top_ns)
            assert [dup[n] for n in dup_ns] == [_dup_ngram_chars(grams, n)[0] for n in dup_ns], (text[:80], dup_ns)
            repeated += dup[10 if 10 in dup else 9] > 0
    assert repeated > 20  # many texts where the longest n-gram repeats


def test_paragraphs_and_lines_split_as_datatroves_patterns():
    """Gopher's repetition filter splits paragraphs and lines with str.split, not
    datatrove's regexes (faster): the same parts on every short text of newlines,
    spaces and letters, and on every parity document."""
    import itertools

    texts = ["".join(p) for k in range(9) for p in itertools.product("a\n ", repeat=k)] + DOCS
    for text in texts:
        assert _measures._lines(text) == _measures._LINES.split(text), repr(text)
        assert _measures._paragraphs(text.strip()) == _measures._PARAGRAPHS.split(text.strip()), repr(text)


def test_sentences_are_the_sentencizers():
    from datatrove.utils.text import split_into_sentences

    lines = {line.strip() for text in DOCS for line in text.splitlines() if line.strip()}
    for line in sorted(lines)[:3000]:
        assert _tokens.count_sentences(line) == len(split_into_sentences(line)), line


def test_a_word_of_letters_is_one_token():
    """The tokenizer's fast path: no affix, infix or URL pattern matches letters
    alone, so a chunk of letters (not an exception) is one token. Checked on
    every letter of Unicode, alone, doubled and between ASCII letters."""
    letters = [chr(i) for i in range(0x110000) if chr(i).isalpha()]
    for c in letters:
        for s in (c, c + c, "a" + c + "a"):
            assert not (_tokens._PREFIX(s) or _tokens._SUFFIX(s) or next(_tokens._INFIX(s), None) or _tokens._URL(s)), s


def test_a_word_and_one_mark_is_the_word_and_the_mark():
    """The tokenizer's other fast path, letters then ``, ; : ! ?`` (or ``.`` after a
    small letter), against spaCy: letters of every script, and exceptions."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    letters = [chr(i) for i in range(0x110000) if chr(i).isalpha()][::97]
    words = [c * 3 for c in letters] + ["a" + c for c in letters] + [c + "a" for c in letters]
    words += ["dont", "cant", "Im", "gonna", "etc", "Mr", "Jan", "vs", "U", "A", "ABC", "aA", "Calif", "no"]
    for word in words:
        for mark in ",;:!?.":
            chunk = word + mark
            assert _tokens.split_chunk(chunk) == tuple(t.text for t in tokenizer(chunk)), chunk


def test_punctuation_tables_are_datatroves():
    from datatrove.utils.text import PUNCTUATION_SET, TERMINAL_PUNCTUATION

    assert _measures.PUNCTUATION_SET == PUNCTUATION_SET
    assert set(_measures.TERMINAL_PUNCTUATION) == TERMINAL_PUNCTUATION


def test_the_spacy_tables_are_the_installed_spacys():
    """bench/spacy_tables.py wrote them; a spaCy with other tables must regenerate them."""
    import spacy

    tok = spacy.blank("en").tokenizer
    assert _tokens._TABLES["suffix"] == tok.suffix_search.__self__.pattern
    assert set(_tokens.SPECIALS) == set(tok.rules)


# --- reasons, languages, packs ---------------------------------------------------------

LONG = ["comprehensibility", "internationalisation", "institutionalised", "telecommunications", "photosynthesising",
        "counterproductively", "disproportionately", "electroencephalogram", "uncharacteristically",
        "misinterpretations", "overcompensation", "indistinguishable"]
#: 60 words, none repeated much, of mean length 11.8
LONG_WORDS = " ".join(f"the {w}s of {w[::-1]} {w[3:]}ly" for w in LONG) + ".\n"


def test_a_drop_names_the_measure_its_value_and_its_bound():
    out = apply_rule(gopher.quality, LONG_WORDS)
    assert out.status == "dropped"
    assert out.reason == "gopher: mean word length 11.8 > 10"
    step = out.steps[-1]
    assert step.label == "gopher: mean word length > 10"
    assert [m.name for m in step.measures][:4] == ["words", "words", "mean word length", "mean word length"]
    assert [m.passed for m in step.measures if m.name == "mean word length"] == [True, False]


def test_filters_judge_only_their_languages():
    german = {"language": "de"}
    assert gopher.quality.fn(LONG_WORDS, german, **gopher.quality.options).keep
    judged = gopher.quality.fn(LONG_WORDS, german, **{**gopher.quality.options, "languages": []})
    assert not judged.keep
    assert not gopher.quality.fn(LONG_WORDS, {"language": "en"}, **gopher.quality.options).keep
    assert not gopher.quality.fn(LONG_WORDS, {}, **gopher.quality.options).keep  # unknown: judged


GERMAN = ("Die Bundesregierung hat am Dienstag in Berlin ein neues Gesetz zur Förderung erneuerbarer Energien "
          "beschlossen. Der Minister sagte, dass die Kosten für Haushalte sinken würden. Kritiker bemängelten "
          "jedoch, dass die Pläne zu spät kämen.\n")


def test_in_the_packs_the_filters_read_the_language_the_default_pack_found():
    from cleaner.loading.pack import load_pack

    pipeline = load_pack(["gopher", "c4", "fineweb"])
    outcome = pipeline.clean(GERMAN)
    assert outcome.status == "ok" and outcome.meta["language"] == "de"
    notes = [s.why for s in outcome.steps if s.action == "kept"]
    assert "gopher: language de not judged (made for en)" in notes
    judged = load_pack(["gopher", "c4", "fineweb"], options={"gopher/quality": {"languages": []}}).clean(GERMAN)
    assert judged.status == "dropped" and judged.reason.startswith("gopher: words")


def test_c4_lines_records_each_removed_line_with_its_reason():
    text = gopher.PROSE + "Home\nPlease enable JavaScript to view the comments.\n"
    out = Pipeline([c4.lines]).clean(text)
    removed = [(s.text, s.why) for s in out.steps if s.action == "removed"]
    assert removed == [("Home", "c4: no terminal punctuation"),
                       ("Please enable JavaScript to view the comments.", "c4: mentions javascript")]


def test_the_packs_put_the_filters_after_the_cleaning():
    from cleaner.loading.pack import load_pack

    pipeline = load_pack(["gopher", "c4", "fineweb"])
    ids = [r.id for r in pipeline.rules]
    assert ids[-4:] == ["gopher/repetition", "gopher/quality", "c4/document", "fineweb/quality"]
    # a line pass of its own, before the residue pass: nothing before it runs again for its removals
    assert ids.index("whitespace/collapse-inline-runs") + 1 == ids.index("c4/lines") == ids.index("whitespace/trailing-spaces") - 1
    assert ids.index("whitespace/document-edges") < ids.index("gopher/repetition")


# --- explain, run, datatrove ------------------------------------------------------------

def test_explain_prints_each_measure_against_its_bound(tmp_path):
    from typer.testing import CliRunner

    from cleaner.cli import app

    page = tmp_path / "page.txt"
    page.write_text(gopher.PROSE, encoding="utf-8")
    result = CliRunner().invoke(app, ["explain", str(page), "--pack", "gopher"])
    assert result.exit_code == 0, result.output
    assert "kept by gopher/quality" in result.output
    assert re.search(r"✓ mean word length 4\.\d+  \(bound ≤ 10\)", result.output)
    assert re.search(r"✓ words 6\d  \(bound ≥ 50\)", result.output)
    assert "✓ top 2-gram character fraction" in result.output
    short = tmp_path / "short.txt"
    short.write_text(LONG_WORDS, encoding="utf-8")
    result = CliRunner().invoke(app, ["explain", str(short), "--pack", "gopher"])
    assert "dropped by gopher/quality: gopher: mean word length 11.8 > 10" in result.output
    assert "✗ mean word length 11.8  (bound ≤ 10)" in result.output


def test_a_run_counts_drops_per_filter_and_reason(tmp_path):
    import json

    from typer.testing import CliRunner

    from cleaner.cli import app

    src = tmp_path / "in"
    src.mkdir()
    (src / "prose.txt").write_text(gopher.PROSE + c4.SENTENCES, encoding="utf-8")
    (src / "long-words.txt").write_text(LONG_WORDS, encoding="utf-8")
    (src / "short.txt").write_text("A short note about nothing in particular.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(src), str(tmp_path / "out"), "--pack", "gopher", "--pack", "c4",
                                      "--pack", "fineweb"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["dropped"] == 2 and manifest["counts"]["ok"] == 1
    assert manifest["dropped_by_rule"] == {"gopher/quality": 1, "gopher/repetition": 1}
    # by label: the reason without the document's value
    assert manifest["dropped_reasons"] == {"gopher: mean word length > 10": 1,
                                           "gopher: top 3-gram character fraction > 0.18": 1}


def test_the_three_packs_and_language_keep_keep_the_seeds_and_drop_german_and_gibberish(tmp_path):
    """Issue 24's Done-when run: ``--pack gopher --pack c4 --pack fineweb`` plus a pack adding
    ``language/keep`` (languages ["en"]) keeps both seeds with ``language: en`` and drops a
    German news paragraph and a gibberish document, each with its reason."""
    import json
    import random
    import shutil

    from typer.testing import CliRunner

    from cleaner.cli import app
    from conftest import SEEDS

    src = tmp_path / "in"
    src.mkdir()
    seeds = sorted(p for p in SEEDS.glob("*.txt"))
    assert len(seeds) == 2
    for seed in seeds:
        shutil.copy(seed, src / seed.name)
    (src / "german.txt").write_text(GERMAN, encoding="utf-8")
    rng = random.Random(24)
    gibberish = "\n".join(
        " ".join("".join(rng.choice("qxzkjvwbtr") for _ in range(rng.randint(9, 16))) for _ in range(12)) + "."
        for _ in range(12)
    )
    (src / "gibberish.txt").write_text(gibberish + "\n", encoding="utf-8")
    pack = tmp_path / "keep-en.toml"
    pack.write_text('[pack]\nadd = ["language/keep"]\n\n[options."language/keep"]\nlanguages = ["en"]\n',
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(src), str(tmp_path / "out"), "--pack", "gopher", "--pack", "c4",
                                      "--pack", "fineweb", "--pack", str(pack)])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "provenance.jsonl").open(encoding="utf-8"))}
    for seed in seeds:
        assert records[seed.name]["status"] == "ok"
        assert records[seed.name]["meta"]["language"] == "en"
    assert records["german.txt"]["status"] == "dropped"
    assert records["german.txt"]["reason"].startswith("language de (")
    assert records["gibberish.txt"]["status"] == "dropped"
    assert re.match(r"(gopher|c4|fineweb): ", records["gibberish.txt"]["reason"]), records["gibberish.txt"]["reason"]


def test_the_datatrove_step_runs_the_filter_packs(tmp_path):
    """CleanerStep with --pack gopher/c4/fineweb, end to end in datatrove's executor:
    the kept document is cleaned, the dropped ones counted by filter and reason."""
    pytest.importorskip("orjson")
    import json

    from datatrove.executor import LocalPipelineExecutor

    from cleaner.integrations.datatrove import CleanerStep

    docs = [Document(text=gopher.PROSE + "Share this\n" + c4.SENTENCES, id="prose"),
            Document(text=LONG_WORDS, id="long-words"),
            Document(text="Home\nNews\nSport\n" + c4.SENTENCES.split("\n")[0] + "\n", id="menu")]
    kept: list[Document] = []

    def collect(data, rank=0, world_size=1):
        for doc in data:
            kept.append(doc)
            yield doc

    LocalPipelineExecutor(pipeline=[docs, CleanerStep(packs=["gopher", "c4", "fineweb"]), collect],
                          logging_dir=str(tmp_path / "logs"), tasks=1, workers=1).run()
    assert [d.id for d in kept] == ["prose"]
    assert "Share this" not in kept[0].text  # c4/lines removed it
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text(encoding="utf-8"))
    ours = next(s["stats"] for s in stats if "cleaner" in s["name"])
    assert ours["dropped_gopher_mean_word_length_10"] == 1
    assert ours["dropped_gopher_top_4_gram_character_fraction_0_16"] == 1  # the menu, once c4 removed it
    assert ours["steps_c4/lines"]["total"] == 4
