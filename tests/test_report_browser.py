"""The run's report (``cleaner run --report``) opened in a real browser: Debian's headless
Chromium, driven by playwright (never a browser of its own: ``executable_path``).

One run on a small fixture corpus, one page load; the tests then check what a user relies on:
the page loads with no console error, no uncaught exception and no network request (it is
one self-contained file); its figures are the manifest's; a rule's example removal shows;
markup written in a document (``<script>alert(1)</script>``) shows as text and never runs;
an e-mail address masked by ``pii/email`` appears nowhere. A full-page screenshot is kept
in the test's temporary folder (its path is printed: ``pytest -s`` shows it).

Without Chromium or playwright the tests skip, except under CI (``CI`` set), where they fail:
``.ci/run`` installs Chromium, so CI must prove the page works.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app

pytestmark = pytest.mark.browser

# Headless, and nothing that reaches out: no sync, no component or safe-browsing updates,
# no QUIC probing, no first-run pages. The profile is a fresh folder of the test's own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

BODY = ("The council met on Tuesday to discuss the new budget for the town library. "
        "Members agreed that the reading room needs new lights and longer opening hours. ")
# markup a scraper kept as text; a report that pasted it into its HTML unescaped would run it
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
FLAGS = "<script>window.__pwned = 1</script><img src=y onerror=\"window.__pwned = 2\">"
EMAIL = "jane.doe@townlibrary.net"

CORPUS = {
    "article.txt": (f"Budget news for the library\n\n{BODY * 3}\n\n"
                    "Share this:\nClick to share on Twitter (Opens in new window)\nExit mobile version\n"),
    # markup in a line that is kept and in a line residue/read-also-teaser removes
    "markup.txt": (f"A note about markup in text\n\n{BODY * 2}\n"
                   f"The page showed {SCRIPT} and {IMG} and {FLAGS} as plain words in a sentence that stays.\n\n"
                   f"{BODY}\n\nRead more: {SCRIPT} {IMG} {FLAGS}\nExit mobile version\n"),
    # exact duplicates: corpus/duplicates keeps one and drops the other
    "story.txt": f"The same story twice\n\n{BODY * 4}\n",
    "story-copy.txt": f"The same story twice\n\n{BODY * 4}\n",
    # pii/email masks the address before anything records it
    "contact.txt": (f"Contact the library\n\n{BODY * 2}\n"
                    f"Write to {EMAIL} for the opening hours of the reading room, which change in winter.\n"),
}

HEADLINE = ["documents", "ok", "dropped", "failed", "chars_in", "chars_out"]
SECTIONS = ["summary", "rules", "removed-share", "most-removed", "sites", "duplicates", "languages",
            "filters", "diffs"]

# every figure the page states, read from its data-* attributes (the report's contract), with
# the text a reader sees beside each
READ_FIGURES = """() => {
  const fig = (row, name) => row.querySelector(`[data-figure="${name}"]`);
  const num = (el) => el === null ? null : {value: el.dataset.value, text: el.innerText.trim()};
  const rows = (attr, name) => Object.fromEntries(
    [...document.querySelectorAll(`[${attr}]`)].map((r) => [r.getAttribute(attr), num(fig(r, name))]));
  const summary = document.getElementById("summary");
  return {
    headline: Object.fromEntries(%s.map((n) => [n, summary === null ? null : num(fig(summary, n))])),
    fired: rows("data-rule", "fired"),
    chars_removed: rows("data-rule", "chars_removed"),
    chars_added: rows("data-rule", "chars_added"),
    reasons: rows("data-reason", "count"),
    reason_kinds: rows("data-reason-kind", "count"),
    dropped_by: rows("data-dropped-by", "count"),
    languages: rows("data-language", "documents"),
    duplicates: num(document.querySelector('#duplicates [data-figure="duplicates"]')),
    clusters: num(document.querySelector('#duplicates [data-figure="clusters"]')),
    // some sit in folded <details>: their text, not what is rendered
    every: [...document.querySelectorAll("[data-figure]")].map((el) => ({value: el.dataset.value, text: el.textContent})),
  };
}""" % json.dumps(HEADLINE)

# run before any script of the page: its dialogs are recorded in a window flag (besides the
# dialog handler, which sees those opened another way)
COUNT_DIALOGS = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function (...args) { window.__dialogs.push([name, String(args[0])]); };
}
"""


def _chromium() -> str | None:
    for candidate in (os.environ.get("CLEANER_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why}: CI must open the report in a browser (.ci/run installs Chromium)", pytrace=False)
    pytest.skip(why)


class Loaded:
    """The report as Chromium loaded it, and everything the page did on the way."""

    def __init__(self, out: Path, page, events: dict[str, list], screenshot: Path) -> None:
        self.out = out
        self.page = page
        self.events = events
        self.screenshot = screenshot
        self.manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        self.url = (out / "report.html").as_uri()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    chromium = _chromium()
    if chromium is None:
        _unavailable("no chromium on PATH (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install '.[test]')")

    tmp = tmp_path_factory.mktemp("report-browser")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    out = tmp / "out"
    result = CliRunner().invoke(app, ["run", str(corpus), str(out), "--report", "--pack", "corpus",
                                      "--pack", "pii", "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file(), result.output

    events: dict[str, list] = {"console": [], "pageerror": [], "request": [], "dialog": []}
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path=chromium, args=CHROMIUM_ARGS, headless=True,
            offline=True, service_workers="block", viewport={"width": 1280, "height": 1000})
        try:
            page = context.new_page()
            page.on("console", lambda m: events["console"].append((m.type, m.text, m.location)))
            page.on("pageerror", lambda e: events["pageerror"].append(str(e)))
            page.on("request", lambda r: events["request"].append(r.url))
            page.on("dialog", lambda d: (events["dialog"].append((d.type, d.message)), d.dismiss()))
            page.add_init_script(COUNT_DIALOGS)
            page.goto((out / "report.html").as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            screenshot = tmp / "report.png"
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"\nscreenshot of the report: {screenshot}")
            yield Loaded(out, page, events, screenshot)
        finally:
            context.close()


def test_page_loads_with_no_error_and_no_request(loaded):
    page, events = loaded.page, loaded.events
    assert [c for c in events["console"] if c[0] == "error"] == []
    assert events["pageerror"] == []
    # the one request is the file itself: no script, style, font or image from anywhere else
    assert events["request"] == [loaded.url]
    assert page.title() == "cleaner report — out"
    missing = [s for s in SECTIONS if page.locator(f"section#{s}, #{s}").count() == 0]
    assert missing == []
    assert loaded.screenshot.stat().st_size > 10_000


def _shown(figure: dict | None) -> int:
    """The figure's raw value, after checking the reader sees the same number (1,234)."""
    assert figure is not None and figure["value"] is not None
    value = int(figure["value"])
    assert f"{value:,}" in figure["text"], figure
    return value


def _reveal(locator) -> None:
    """Scroll to ``locator`` and, if it is folded away in a closed <details>, open it as a reader would."""
    locator.scroll_into_view_if_needed()
    if not locator.is_visible():
        locator.locator("xpath=ancestor::details[1]/summary").click()
    assert locator.is_visible()


def test_figures_on_the_page_equal_the_manifest(loaded):
    manifest = loaded.manifest
    # each drop reason as the manifest counts it is folded away under the reasons by kind: opened as a reader would
    _reveal(loaded.page.locator("[data-reason]").first)
    figures = loaded.page.evaluate(READ_FIGURES)
    for figure in figures["every"]:  # whatever the page states, it shows the number it holds
        _shown(figure)
    headline = {name: _shown(figures["headline"][name]) for name in HEADLINE}
    assert headline == {**manifest["counts"], "chars_in": manifest["chars_in"], "chars_out": manifest["chars_out"]}
    assert headline["dropped"] == 1 and headline["ok"] == 4

    fired = {rule: _shown(f) for rule, f in figures["fired"].items()}
    # every rule the manifest counts has its row; a row the manifest lacks fired nothing
    assert {r: n for r, n in fired.items() if n} == manifest["rules"]
    # the rules' characters add up to the manifest's
    removed = sum(_shown(figures["chars_removed"][rule]) for rule in fired)
    assert removed == manifest["characters"]["removed_by_rules"]
    if figures["chars_added"]:
        added = sum(_shown(f) for f in figures["chars_added"].values())
        assert added == manifest["characters"]["added_by_rules"]
    assert {r: _shown(f) for r, f in figures["reasons"].items()} == manifest["dropped_reasons"]
    # the reasons folded by kind: a duplicate's reason without the document it names
    assert {r: _shown(f) for r, f in figures["reason_kinds"].items()} == {"exact duplicate of …": 1}
    assert {r: _shown(f) for r, f in figures["dropped_by"].items()} == manifest["dropped_by_rule"]
    duplicates = manifest["corpus"]["corpus/duplicates"]
    assert (_shown(figures["duplicates"]), _shown(figures["clusters"])) == (
        duplicates["duplicates"], duplicates["clusters"])
    # languages: the kept documents by the language provenance gives them
    records = [json.loads(line) for line in (loaded.out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    languages: dict[str, int] = {}
    for record in records:
        if record["status"] == "ok" and (language := (record.get("meta") or {}).get("language")):
            languages[language] = languages.get(language, 0) + 1
    assert {lang: _shown(f) for lang, f in figures["languages"].items()} == languages == {"en": 4}


def test_a_rules_example_removal_is_visible(loaded):
    examples = loaded.page.locator('[data-examples="residue/exit-mobile-version"] .example')
    assert examples.count() == 2  # one per document that lost the line
    first = examples.first
    _reveal(first)
    text = first.inner_text()
    assert "Exit mobile version" in text
    assert "article.txt" in text or "markup.txt" in text


def test_markup_in_a_document_shows_as_text_and_never_runs(loaded):
    page = loaded.page
    assert loaded.events["dialog"] == []
    assert page.evaluate("window.__dialogs") == []
    assert page.evaluate("window.__pwned") is None
    # the removed line, as its rule's example: the markup is there to read, character for character
    teaser = page.locator('[data-examples="residue/read-also-teaser"] .example').first
    _reveal(teaser)
    assert SCRIPT in teaser.inner_text() and IMG in teaser.inner_text()
    # the kept line, in the document's before and after
    kept = page.locator('.diff[data-doc="markup.txt"]').get_by_text("The page showed").first
    _reveal(kept)
    assert f"The page showed {SCRIPT} and {IMG}" in kept.inner_text()
    # and nowhere as markup: no element came from the corpus
    assert page.evaluate("[...document.scripts].filter((s) => s.textContent.includes('alert(')).length") == 0
    assert page.locator("[onerror]").count() == 0
    assert page.locator('img[src="x"], img[src="y"]').count() == 0


def test_a_masked_email_appears_nowhere(loaded):
    html = (loaded.out / "report.html").read_text(encoding="utf-8")
    assert EMAIL not in html and "jane.doe" not in html
    assert "jane.doe" not in loaded.page.inner_text("body")
