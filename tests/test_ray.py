"""Ray Data path: cleaning records with ``clean_dataset`` on a local Ray instance gives
exactly what a local ``cleaner run`` of the same records gives (text, status, steps,
meta), and rows with a missing or non-string text fail without an exception."""

from __future__ import annotations

import json

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from cleaner.integrations.ray import COLUMNS, clean_dataset, clean_row  # noqa: E402
from cleaner.loading.pack import load_pack  # noqa: E402
from cleaner.running.run import RunOptions, run_corpus  # noqa: E402

TOPICS = ["budget", "rail line", "monsoon relief", "trade deal", "school reform", "port expansion", "tax code"]
CITIES = ["Delhi", "Mumbai", "Chennai", "Kolkata", "Pune"]


def make_records() -> list[dict]:
    records: list[dict] = []
    for n in range(48):
        topic, city = TOPICS[n % len(TOPICS)], CITIES[n % len(CITIES)]
        body = (
            f"Officials met in {city} on Monday to discuss the governmentâ€™s plan for the {topic} "
            f"this year.The sources said the talks on item {n} went well.\n\n"
            f"The minister said more meetings on the {topic} would follow next week, and that both "
            "sides had agreed on a timetable.\n"
        )
        tails = [
            "\nShare this:\n",
            "\nYou may also like...\n",
            "\nSource:- The Print\n",
            "\nShare this:\nYou may also like...\nSource:- The Hindu\n",
            "",
        ]
        text = body + tails[n % len(tails)]
        if n % 6 == 0:
            text = f"# The {topic} in {city}\n\n" + text
        if n % 11 == 0:
            text = "Share this:\nYou may also like...\n"  # nothing but residue: dropped
        if n == 13:
            text = "   \n"  # empty: dropped
        records.append({"id": f"doc-{n:03d}", "lang": "en", "text": text})
    records.append({"id": "no-text", "lang": "en"})
    records.append({"id": "null-text", "lang": "en", "text": None})
    records.append({"id": "int-text", "lang": "en", "text": 42})
    return records


@pytest.fixture(scope="module")
def ray_local():
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The records through the CLI's path: JSONL in, run_corpus, output JSONL + provenance."""
    records = make_records()
    root = tmp_path_factory.mktemp("local")
    src, out = root / "in", root / "out"
    src.mkdir()
    (src / "records.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    run_corpus(src, out, load_pack(), RunOptions(jobs=1))
    provenance = {
        p["id"]: p for p in map(json.loads, (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines())
    }
    texts = {
        r["id"]: r["text"]
        for r in map(json.loads, (out / "records.jsonl").read_text(encoding="utf-8").splitlines())
    }
    return records, provenance, texts


def test_ray_matches_local_run(ray_local, local_run):
    records, provenance, local_texts = local_run
    # four blocks over two actors; the block holding the bad rows has a mixed-type text
    # column (str, None, int), which Ray stores as pickled Python objects
    ds = ray.data.from_items(records, override_num_blocks=4)
    rows = clean_dataset(ds, concurrency=2, batch_size=8).take_all()
    got = {r["id"]: r for r in rows}

    assert sorted(got) == sorted(r["id"] for r in records)
    assert set(provenance) == set(got)
    statuses = {s: sum(p["status"] == s for p in provenance.values()) for s in ("ok", "dropped", "failed")}
    assert statuses["ok"] > 30 and statuses["dropped"] >= 2 and statuses["failed"] == 3
    for doc_id, prov in provenance.items():
        row = got[doc_id]
        assert row["lang"] == "en", doc_id  # other columns pass through
        assert row["cleaner_status"] == prov["status"], doc_id
        assert json.loads(row["cleaner_steps"]) == prov["steps"], doc_id
        assert json.loads(row["cleaner_meta"]) == prov["meta"], doc_id
        if prov["status"] == "ok":
            assert row["text"] == local_texts[doc_id], doc_id
            assert row["cleaner_reason"] is None
        elif prov["status"] == "dropped":
            assert row["text"] == "" and row["cleaner_reason"] == prov["reason"], doc_id
        else:  # the local reason adds where it was read, and the record's fields
            assert row["text"] is None
            assert "field 'text'" in prov["reason"] and "field 'text'" in row["cleaner_reason"], doc_id

    # a column holds a null where a row lacks the field: the two read alike here
    assert got["no-text"]["cleaner_reason"] == "record field 'text' is null or missing"
    assert got["null-text"]["cleaner_reason"] == "record field 'text' is null or missing"
    assert got["int-text"]["cleaner_reason"] == "record has a non-string (int) field 'text'"
    # residue really went, mojibake and glued sentences were repaired
    ok_text = "".join(r["text"] for r in rows if r["cleaner_status"] == "ok")
    for gone in ("Share this:", "You may also like", "â€™", "year.The"):
        assert gone not in ok_text
    assert "government’s" in ok_text and "year. The" in ok_text


def test_custom_pack_and_text_field(ray_local, tmp_path):
    pack = tmp_path / "my-site.toml"
    pack.write_text(
        '''[[rule]]
id = "residue/my-site-crossword"
summary = "Remove the 'Play the daily crossword' line at the end of my-site.com articles"
where = "tail"
pattern = \'\'\'play the (?:my-site )?daily crossword\'\'\'
examples = [
  { input = "Last paragraph of the story, as published.\\n\\nPlay the daily crossword\\n", output = "Last paragraph of the story, as published.\\n\\n" },
  { input = "Play the daily crossword, the minister told farmers, and check prices every morning.\\n" },
]
''',
        encoding="utf-8",
    )
    text = "The council approved the new bus routes after a long debate on Tuesday.\n\nPlay the daily crossword\n"
    ds = ray.data.from_items([{"id": "a", "body": text}, {"id": "b", "text": "unused"}])
    rows = {r["id"]: r for r in clean_dataset(ds, packs=[pack], text_field="body").take_all()}
    local = clean_row({"body": text}, load_pack([pack]), "body")
    assert rows["a"]["body"] == local["body"] and "Play the daily crossword" not in rows["a"]["body"]
    assert rows["a"]["cleaner_steps"] == local["cleaner_steps"]
    assert "residue/my-site-crossword" in rows["a"]["cleaner_steps"]
    assert rows["b"]["cleaner_status"] == "failed"
    assert rows["b"]["cleaner_reason"] == "record field 'body' is null or missing"
    assert set(COLUMNS) <= set(rows["a"])


def test_clean_row_needs_no_ray(pipeline):
    row = clean_row({"id": 1, "text": "Body text of the article.\n\nShare this:\n"}, pipeline, "text")
    assert row["id"] == 1 and row["text"] == "Body text of the article.\n"
    assert row["cleaner_status"] == "ok" and row["cleaner_reason"] is None
    assert json.loads(row["cleaner_steps"])[0]["rule"] == "residue/share-prompt"
    bad = clean_row({"text": float("nan")}, pipeline, "text")
    assert bad["cleaner_status"] == "failed" and bad["cleaner_reason"] == "record field 'text' is null or missing"


def test_builtin_pack_names_and_rule_selection_reach_the_actors(ray_local):
    """A built-in pack's name stays a name (not a path in the driver's working directory),
    and disable/enable are what every actor builds."""
    glued = "Officials met earlier this year.The minister said “yes” to the plan.\n"
    ds = ray.data.from_items([{"id": "a", "text": glued}])
    [row] = clean_dataset(
        ds, packs=["page-dump"], disable=["sentences/split-glued"], enable=["encoding/uncurl-quotes"], concurrency=1
    ).take_all()
    assert row["text"] == 'Officials met earlier this year.The minister said "yes" to the plan.\n'
    assert "sentences/split-glued" not in row["cleaner_steps"]
    assert json.loads(row["cleaner_steps"])[0]["rule"] == "encoding/uncurl-quotes"


# --- corpus rules on Ray (issue 14, item 6) -----------------------------------------

WORDS = ("river harbour council budget teacher market station bridge garden museum doctor village "
         "engine winter summer farmer baker ferry tunnel library forest castle island valley meadow "
         "factory theatre orchestra harvest lantern compass anchor barrel carpet diamond feather "
         "glacier hammer jacket kettle ladder magnet needle orange pencil quartz ribbon saddle "
         "thunder umbrella velvet wagon yellow zebra candle dolphin eagle falcon goose heron").split()


def story(n: int, words: int = 45) -> str:
    """A distinct article body: three paragraphs of words drawn for ``n``."""
    import random

    rng = random.Random(n)
    paragraphs = []
    for _ in range(3):
        sentence = " ".join(rng.choice(WORDS) for _ in range(words // 3))
        paragraphs.append(sentence[0].upper() + sentence[1:] + " went on today.")
    return "\n\n".join(paragraphs) + "\n"


def edited(text: str, *at: int) -> str:
    """``text`` with the words at these places (counted between spaces) changed."""
    tokens = text.split(" ")
    for n, i in enumerate(at):
        assert "\n" not in tokens[i]
        tokens[i] = ("salmon", "lighthouse", "cathedral", "violin")[n % 4]
    return " ".join(tokens)


MENU_A = "Home\nNews\nSport\nWeather\n\n"
FOOT_A = "\n\nContact us\nPrivacy policy\nTerms of use\n"
MENU_B = "Skip to content\nShop\nCart\nMy account\n\n"
FOOT_B = "\n\n© b.example\nNewsletter\nFollow us\n"


def corpus_records() -> list[dict]:
    """~30 records: two sites with templates (a.example 6 pages, b.example 4), one with
    too few pages (c.example), records without a URL sharing a menu (no site: left
    alone), and planted duplicates: an exact copy (case and spacing changed) on another
    site, an edited copy, a copy of that copy, an exact copy of the edited copy, a story
    that repeats only once its site's template is gone, short exact copies, and rows
    that fail or are empty."""
    recs: list[dict] = []

    def add(doc_id: str, text: object, url: str | None = None) -> None:
        rec: dict = {"id": doc_id, "lang": "en", "text": text}
        if url:
            rec["url"] = url
        recs.append(rec)

    for n in range(6):
        add(f"a{n}", MENU_A + story(n) + FOOT_A, f"https://www.a.example/news/{n}")
    for n in range(4):
        add(f"b{n}", MENU_B + story(10 + n) + FOOT_B, f"https://b.example/p/{n}")
    for n in range(2):
        add(f"c{n}", MENU_A + story(20 + n) + FOOT_A, f"https://c.example/{n}")
    for n in range(4):
        add(f"nourl{n}", MENU_A + story(30 + n))
    add("a2-upper", "  " + story(2).upper().replace("\n\n", "\n\n\n"), "https://d.example/copy")
    base = story(40, words=150)
    add("orig", base)
    first_edit = edited(base, 10, 70)
    # a near copy, and a page of b.example too
    add("b-edit", MENU_B + first_edit + FOOT_B, "https://b.example/p/edit")
    add("edit-of-edit", edited(first_edit, 30, 120))
    add("edit-reflowed", first_edit.replace("\n\n", "\n").replace(" went", "  went"))
    add("b1-on-a", MENU_A + story(11) + FOOT_A, "https://a.example/syndicated")  # b1 once templates go
    add("short1", "Breaking news today.\n")
    add("short2", "BREAKING NEWS TODAY.\n")
    for n in range(3):
        add(f"other{n}", story(50 + n))
    add("empty", "   \n")
    add("null-text", None)
    add("int-text", 42, "https://a.example/broken")
    return recs


@pytest.fixture(scope="module")
def corpus_jsonl(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    (root / "in").mkdir()
    records = corpus_records()
    (root / "in" / "records.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return root, records


def run_locally(root, packs: list[str], name: str) -> tuple[dict, dict]:
    """`cleaner run IN OUT --pack ...` on the JSONL: provenance and output texts by id."""
    out = root / name
    run_corpus(root / "in", out, load_pack(packs), RunOptions(jobs=1))
    lines = (out / "provenance.jsonl").read_text("utf-8").splitlines()
    provenance = {p["id"]: p for p in map(json.loads, lines)}
    outputs = [f for f in out.glob("*.jsonl") if f.name != "provenance.jsonl"]
    texts = {r["id"]: r["text"] for f in outputs for r in map(json.loads, f.read_text("utf-8").splitlines())}
    return provenance, texts


def assert_same_as_local(rows: list[dict], provenance: dict, texts: dict) -> None:
    got = {r["id"]: r for r in rows}
    assert set(got) == set(provenance)
    for doc_id, prov in provenance.items():
        row = got[doc_id]
        assert row["cleaner_status"] == prov["status"], doc_id
        assert json.loads(row["cleaner_steps"]) == prov["steps"], doc_id
        assert json.loads(row["cleaner_meta"]) == prov["meta"], doc_id
        if prov["status"] == "failed":
            assert "field 'text'" in prov["reason"] and "field 'text'" in row["cleaner_reason"], doc_id
        else:
            assert row["cleaner_reason"] == prov["reason"], doc_id
            assert row["text"] == (texts[doc_id] if prov["status"] == "ok" else ""), doc_id
        assert "_cleaner_position" not in row


def test_corpus_rules_on_ray_match_the_local_run(ray_local, corpus_jsonl):
    root, records = corpus_jsonl
    provenance, texts = run_locally(root, ["corpus"], "out-corpus")
    # the corpus exercises what it should: templates removed on sites with evidence only,
    # every kind of duplicate dropped, the first of each kept
    status = {i: p["status"] for i, p in provenance.items()}
    dup_of = {i: p["meta"]["duplicate_of"] for i, p in provenance.items() if "duplicate_of" in p["meta"]}
    assert dup_of == {"a2-upper": "a2", "b-edit": "orig", "edit-of-edit": "orig", "edit-reflowed": "orig",
                      "b1-on-a": "b1", "short2": "short1"}  # the copy each cluster keeps, never a dropped one
    assert provenance["edit-reflowed"]["reason"] == "exact duplicate of another copy of orig"
    assert all(status[i] == "dropped" for i in dup_of)
    assert "Privacy policy" not in texts["a0"] and "Newsletter" not in texts["b0"]
    assert "Privacy policy" in texts["c0"]  # two pages are no evidence
    assert texts["nourl0"].startswith("Home\nNews")  # no site: the shared menu stays
    assert status["null-text"] == status["int-text"] == "failed" and status["empty"] == "dropped"

    ds = ray.data.from_items(records, override_num_blocks=5)
    rows = clean_dataset(ds, packs=["corpus"], concurrency=2, batch_size=4).take_all()
    assert_same_as_local(rows, provenance, texts)


def test_page_dump_and_corpus_read_from_files_and_gathered_on_the_driver_match_the_local_run(
    ray_local, tmp_path, monkeypatch
):
    """``--pack page-dump --pack corpus`` on three JSONL files, read by Ray with
    ``read_json`` (input order: the files in order, then their lines, as a local run
    reads a folder), with both rules' statistics gathered the way any other corpus
    rule's are (sketches collected on the driver, fed in position order)."""
    import cleaner.integrations.ray_corpus as ray_corpus

    records = [r for r in corpus_records() if not isinstance(r["text"], int)]  # one type per column in a file
    src = tmp_path / "in"
    src.mkdir()
    third = len(records) // 3 + 1
    for n in range(3):
        part = records[n * third:(n + 1) * third]
        (src / f"part-{n}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    provenance, texts = run_locally(tmp_path, ["page-dump", "corpus"], "out")
    assert sum(p["status"] == "dropped" for p in provenance.values()) >= 6
    monkeypatch.setattr(ray_corpus, "aggregation_of", lambda rule: "driver")
    ds = ray.data.read_json(str(src))
    rows = clean_dataset(ds, packs=["page-dump", "corpus"], concurrency=1).take_all()
    assert_same_as_local(rows, provenance, texts)


def test_rows_are_named_and_placed_as_a_local_run_names_records():
    from cleaner.integrations.ray_corpus import row_id, row_site

    assert row_id("b-17", 4) == "b-17" and row_id(17, 4) == "17"
    assert row_id(None, 4) == row_id(True, 4) == row_id(1.5, 4) == "row:5"
    assert row_site("https://www.rei.com/product/1") == "rei.com"
    assert row_site(None) == row_site("not a url") == ""
