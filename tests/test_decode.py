"""Legacy encodings: the text and its label are both right, or the document says the
encoding was guessed (issue 21, item 5); every label takes one form (item 22)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.io.decode import decode_html, decode_text, encoding_label

#: The issue's bytes: curly quotes, an em dash, an ellipsis and a euro sign in Windows-1252.
SHORT_CP1252 = b"He said \x93hello\x94 \x97 and left\x85 \x805\n"
SHORT_TEXT = "He said \u201chello\u201d \u2014 and left\u2026 \u20ac5\n"
WESTERN = "Café owners in Zürich said the naïve façade of the régime would not last, officials said. "


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_short_cp1252_punctuation_is_read_as_cp1252_from_the_command_line(tmp_path):
    path = tmp_path / "cp.txt"
    path.write_bytes(SHORT_CP1252)
    result = invoke("clean", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == SHORT_TEXT.rstrip("\n") + "\n"


def test_a_run_records_the_short_texts_encoding_as_guessed_and_a_long_ones_as_known(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "short.txt").write_bytes(SHORT_CP1252)
    (src / "long.txt").write_bytes((SHORT_TEXT.rstrip("\n") + " " + WESTERN).encode("cp1252") * 4)
    assert invoke("run", src, tmp_path / "out", "-q", "-j1").exit_code == 0
    records = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "provenance.jsonl").read_text().splitlines())}
    short, long = records["short.txt"]["source"], records["long.txt"]["source"]
    assert short["encoding"] == "cp1252"
    assert short["encoding_note"].startswith("guessed: only 5 bytes outside ASCII, which cp437 reads otherwise")
    assert long["encoding"] == "cp1252" and "encoding_note" not in long
    assert (tmp_path / "out" / "long.txt").read_text(encoding="utf-8").startswith(SHORT_TEXT.rstrip("\n") + " Café")


@pytest.mark.parametrize("repeat", [1, 3, 12])
def test_typical_cp1252_punctuation_wins_at_any_length(repeat):
    data = (SHORT_TEXT.rstrip("\n") + " and again. ").encode("cp1252") * repeat
    text, encoding, _ = decode_text(data)
    assert (text, encoding) == (data.decode("cp1252"), "cp1252")


@pytest.mark.parametrize(
    "text",
    ["\u201cHello\u201d \u2014 she said\u2026 " * 10,
     "It\u2019s 5\u20ac \u2014 \u201cfine\u201d. The document was written last year by the team\u2026 " * 5,
     "He said \u201chello\u201d \u2014 and left\u2026 \u20ac5 for the café. " * 8,
     (WESTERN + "\u201cQuoted\u201d, she said.\n") * 6],
    ids=["quotes-dash-ellipsis", "apostrophe-euro", "with-an-accent", "western-prose"],
)
def test_a_longer_cp1252_text_is_labelled_cp1252_when_cp1250_would_decode_it_the_same(text):
    """cp1250 gave this text too (the first two), but the web's default is its name."""
    assert decode_text(text.encode("cp1252")) == (text, "cp1252", None)


@pytest.mark.parametrize(
    "text,encoding,label",
    [
        ("Der Bäcker sagte schön und Grüße an Müller im Dorf.\n", "cp437", "cp437"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy a byl to velmi dlouhý den.\n", "cp1250", "cp1250"),
        ("Zażółć gęślą jaźń, powiedział minister po rozmowach.\n", "cp1250", "cp1250"),
        ("Minister powiedział \u201etak\u201d \u2014 po rozmowach w Łodzi.\n", "cp1250", "cp1250"),
        ("Он сказал \u201cпривет\u201d \u2014 и ушёл\u2026 Это было в 2004 году.\n", "cp1251", "cp1251"),
        ("Он сказал \u201cпривет\u201d \u2014 и ушёл\n", "cp1251", "cp1251"),
        ("Bakan \u201cbu şehir için önemli bir gün\u201d dedi ve ağır adımlarla kürsüden indi. Işık ve güneş "
         "her yerdeydi \u2014 çocuklar sokakta oynuyordu\u2026\n" * 4, "cp1254", "cp1254"),
        ("Ο υπουργός είπε \u201cσήμερα είναι σημαντική μέρα\u201d \u2014 και έφυγε\u2026\n", "cp1253", "cp1253"),
        (WESTERN + "\n", "latin-1", "cp1252"),  # Latin-1 is read by its superset, the same text
    ],
    ids=["cp437-german", "cp1250-czech", "cp1250-polish", "cp1250-polish-with-quotes", "cp1251-russian",
         "cp1251-short", "cp1254-turkish-with-quotes", "cp1253-greek-with-quotes", "latin-1"],
)
def test_genuine_legacy_texts_keep_their_text_and_label(text, encoding, label):
    got, used, _ = decode_text(text.encode(encoding))
    assert (got, used) == (text, label)


def test_a_guess_names_the_encoding_that_reads_the_bytes_otherwise():
    text, encoding, note = decode_text("Il a dit: à bientôt, mon ami.\n".encode("cp437"))
    assert (text, encoding) == ("Il a dit: à bientôt, mon ami.\n", "cp437")
    assert note is not None and note.startswith("guessed: only 2 bytes outside ASCII, which ")


@pytest.mark.parametrize(
    "spelling,label",
    [("UTF_16_LE", "utf-16-le"), ("utf_16_le", "utf-16-le"), ("UTF-8", "utf-8"), ("windows-1252", "cp1252"),
     ("latin-1", "iso8859-1"), ("ISO-8859-1", "iso8859-1"), ("Shift_JIS", "shift-jis"), ("koi8_r", "koi8-r")],
)
def test_every_spelling_of_an_encoding_gets_one_label_that_python_decodes_with(spelling, label):
    assert encoding_label(spelling) == label
    assert codecs.lookup(label).name == codecs.lookup(spelling).name


def test_labels_written_to_provenance_take_the_one_form(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "no-bom.txt").write_bytes((WESTERN * 3).encode("utf-16-le"))
    (src / "cp.txt").write_bytes((WESTERN * 3).encode("cp1252"))
    (src / "broken.txt").write_bytes(WESTERN.encode()[:30] + b"\xff" + WESTERN.encode()[30:])
    page = f"<html><head><meta charset='ISO_8859_1'></head><body><article><p>{WESTERN * 3}</p></article></body></html>"
    (src / "page.html").write_bytes(page.encode("latin-1"))
    assert invoke("run", src, tmp_path / "out", "-q", "-j1").exit_code == 0
    sources = {r["id"]: r["source"] for r in map(json.loads, (tmp_path / "out" / "provenance.jsonl").read_text().splitlines())}
    assert {doc: s["encoding"] for doc, s in sources.items()} == {
        "no-bom.txt": "utf-16-le", "cp.txt": "cp1252", "broken.txt": "utf-8", "page.html": "iso8859-1"}
    assert sources["broken.txt"]["encoding_note"] == "1 invalid byte sequence replaced"


def test_an_html_page_without_a_charset_that_is_not_utf8_says_it_was_guessed():
    html, encoding, note = decode_html(f"<p>{WESTERN}</p>".encode("cp1252"))
    assert (html, encoding) == (f"<p>{WESTERN}</p>", "cp1252")
    assert note is not None and note.startswith("guessed:")
    assert decode_html(f"<p>{WESTERN}</p>".encode()).note is None
