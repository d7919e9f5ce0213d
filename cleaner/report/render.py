"""The report as one HTML page: inline stylesheet, inline SVG charts, no script, no
link to anything outside the file.

Every string that comes from the corpus or the run (ids, removed text, reasons, sites,
languages, paths) goes through :func:`e` (``html.escape`` with quotes, so it is safe
in text and in double-quoted attributes alike); numbers are formatted here. A headline
figure is ``<span data-figure="NAME" data-value="RAW">12,345</span>`` so that tools
(and the browser test) read the raw number while people read the formatted one; the
names are listed in docs/report.md.

Expanding parts are ``<details>``: no JavaScript needed.
"""

from __future__ import annotations

import difflib
from html import escape
from typing import Any, Callable

from cleaner.report import svg
from cleaner.corpus.duplicates import REASON_LEADS
from cleaner.corpus.removals import UNKNOWN_SITE
from cleaner.report.collect import BINS, EXAMPLE_CHARS, SITES, SITES_TRACKED, Collected, Example, TopDocument
from cleaner.report.sources import MOST_CHARS, Texts

#: Rules shown in the chart, those that fired most (the table lists them all).
CHART_RULES = 15
#: Drop reasons listed before the rest fold (a duplicate's reason names its kept document: many).
REASONS = 20
#: Unchanged lines kept around a change in a diff; longer runs fold.
CONTEXT = 3

STYLE = """
:root { --fg:#1d232b; --muted:#5b6672; --line:#d9dee4; --bar:#3b6ea8; --del:#fde3e1; --ins:#def5e0; --bg:#fff; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
       margin: 0 auto; max-width: 1200px; padding: 1em 1.5em 4em; }
h1 { font-size: 1.6em; margin: .3em 0; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
nav a { margin-right: 1em; } .muted, .note { color: var(--muted); } .note { font-style: italic; }
.cards { display: flex; flex-wrap: wrap; gap: .8em; margin: 1em 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6em 1em; min-width: 9em; }
.card .big { font-size: 1.5em; font-weight: 600; display: block; }
table { border-collapse: collapse; margin: .5em 0; } th, td { border-bottom: 1px solid var(--line); padding: .25em .6em;
  text-align: left; vertical-align: top; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .text, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.text { white-space: pre-wrap; word-break: break-word; }
.example { border-left: 3px solid var(--bar); padding: .15em .6em; margin: .3em 0; background: #f6f8fa; }
.example .doc { color: var(--muted); font-size: 12px; display: block; }
details { margin: .3em 0; } summary { cursor: pointer; }
svg.chart { display: block; max-width: 100%; height: auto; margin: .6em 0; }
svg .bar { fill: var(--bar); } svg .axis { stroke: var(--muted); } svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
table.diff { width: 100%; table-layout: fixed; } table.diff td { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 12px; white-space: pre-wrap; word-break: break-word; border: none; padding: 0 .4em; }
table.diff td.ln { width: 3.5em; color: var(--muted); text-align: right; } td.del { background: var(--del); }
td.ins { background: var(--ins); }
td.chg-del { box-shadow: inset 3px 0 #e8a29b; } td.chg-ins { box-shadow: inset 3px 0 #8fd19a; }
td del { background: #f7b9b3; text-decoration: line-through; } td ins { background: #a9e3b0; text-decoration: none; } tr.fold td { color: var(--muted); text-align: center; background: #f6f8fa; }
td .rule { color: #8a2b21; font-size: 11px; margin-left: .5em; }
"""


def e(value: object) -> str:
    """Escaped for HTML text and double-quoted attributes."""
    return escape(str(value), quote=True)


def n(value: int | float) -> str:
    return f"{value:,}"


def figure(name: str, value: int, tag: str = "span", cls: str = "") -> str:
    """A number that the page's readers and its tests can both read."""
    attr = f' class="{cls}"' if cls else ""
    return f'<{tag}{attr} data-figure="{e(name)}" data-value="{int(value)}">{n(int(value))}</{tag}>'


def cell(name: str, value: int) -> str:
    return figure(name, value, "td", "n")


def counted(value: int, word: str, plural: str = "") -> str:
    """``value`` formatted and ``word`` in the number it takes: "1 site", "2 sites", "1 duplicate"."""
    return f"{n(value)} {word if value == 1 else (plural or word + 's')}"


def noun(value: int, word: str, plural: str = "") -> str:
    """``word`` in the number ``value`` takes (after a figure written on its own)."""
    return word if value == 1 else (plural or word + "s")


def pct(part: int | float, whole: int | float) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def page(manifest: dict[str, Any], found: Collected, diffs: list[tuple[dict[str, Any], Texts]], *, name: str,
         mask: Callable[[str], str], notes: list[str], input_root: Any = None) -> str:
    """The whole page. ``mask`` masks a string from the run that provenance did not
    (the manifest's site names and ids); ``notes`` are said under the title."""
    sections = [
        _summary(manifest, found, mask), _rules(found), _share(found), _most_removed(found),
        _sites(manifest, found, mask), _duplicates(manifest, found, mask), _languages(found),
        _filters(manifest, found), _diffs(diffs),
    ]
    nav = " ".join(f'<a href="#{key}">{label}</a>' for key, label in (
        ("summary", "Summary"), ("rules", "Rules"), ("removed-share", "Share removed"),
        ("most-removed", "Most removed"), ("sites", "Sites"), ("duplicates", "Duplicates"),
        ("languages", "Languages"), ("filters", "Filters"), ("diffs", "Before / after")))
    pack = manifest.get("pack") or {}
    options = manifest.get("options") or {}
    head = (
        f"<h1>cleaner report — {e(name)}</h1>"
        f'<p class="muted">pack <code>{e(pack.get("name", "?"))}</code> · cleaner {e(manifest.get("cleaner_version", "?"))}'
        f' · input {_input(manifest, input_root, mask)}'
        f' · provenance level {e(options.get("provenance_level") or "full")}'
        f' · run took {e(manifest.get("seconds", "?"))} s</p>'
        + "".join(f'<p class="note">{e(note)}</p>' for note in notes)
        + f"<nav>{nav}</nav>"
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        "<link rel=\"icon\" href=\"data:,\">"  # no favicon fetched (the policy above would refuse it, with an error)
        f"<title>cleaner report — {e(name)}</title><style>{STYLE}</style></head><body>"
        + head + "".join(sections) + "</body></html>\n"
    )


def _input(manifest: dict[str, Any], root: Any, mask: Callable[[str], str]) -> str:
    """The run's input as given to it; a relative one with where the report read it from."""
    given = str(manifest.get("input", "?"))
    shown = f"<code>{e(mask(given))}</code>"
    if root is not None and str(root) != given:
        return (f'{shown} <span class="muted">(read from <code>{e(mask(str(root)))}</code>'
                f'{"" if given.startswith("/") else ": the run was given a relative path"})</span>')
    return shown


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}"><h2>{e(title)}</h2>{body}</section>'


def _summary(manifest: dict[str, Any], found: Collected, mask: Callable[[str], str]) -> str:
    counts = manifest.get("counts") or {}
    cards = "".join(
        f'<div class="card"><span class="muted">{label}</span>{figure(key, value, "span", "big")}</div>'
        for key, label, value in (
            ("documents", "documents", counts.get("documents", 0)), ("ok", "ok", counts.get("ok", 0)),
            ("dropped", "dropped", counts.get("dropped", 0)), ("failed", "failed", counts.get("failed", 0)),
            ("chars_in", "characters in", manifest.get("chars_in", 0)),
            ("chars_out", "characters out", manifest.get("chars_out", 0)),
        )
    )
    chars_in, chars_out = manifest.get("chars_in", 0), manifest.get("chars_out", 0)
    account = manifest.get("characters")
    fewer = f"<p>{counted(chars_in - chars_out, 'character')} fewer ({pct(chars_in - chars_out, chars_in)} of those read)"
    if isinstance(account, dict):
        lines = [f"{fewer}: rules removed {n(account.get('removed_by_rules', 0))} and added "
                 f"{n(account.get('added_by_rules', 0))} in kept documents; dropped documents held "
                 f"{n(account.get('in_dropped_documents', 0))}, failed ones {n(account.get('in_failed_documents', 0))}.</p>"]
    else:  # an older cleaner's manifest: where they went is not recorded, and no zeros say otherwise
        lines = [f"{fewer}; this run's manifest (cleaner {e(manifest.get('cleaner_version', '?'))}) does not "
                 "record where they went.</p>"]
    reasons = manifest.get("dropped_reasons") or {}
    if reasons:
        lines.append(_reasons(reasons, mask))
    failures = manifest.get("failures") or []
    if failures:
        failed = "".join(f"<tr><td><code>{e(f.get('id', ''))}</code></td><td>{e(mask(str(f.get('reason', ''))))}</td></tr>"
                         for f in failures[:50])
        more = f'<p class="muted">and {n(len(failures) - 50)} more (manifest.json lists them)</p>' if len(failures) > 50 else ""
        lines.append(f"<h3>Failed</h3><table><tr><th>document</th><th>reason</th></tr>{failed}</table>{more}")
    return _section("summary", "Summary", f'<div class="cards">{cards}</div>' + "".join(lines))


#: A duplicate's reason names the document its cluster keeps: one reason per cluster. Reasons
#: starting so are folded into one row, the document named replaced by "…".
NAMING = REASON_LEADS
#: Reasons listed one by one, as manifest.json has them (the rest: "N more").
EACH_REASON = 200


def reason_kind(reason: str) -> str:
    """``reason`` without the document it names ("exact duplicate of a.txt" -> "exact duplicate of …")."""
    for lead in NAMING:
        if reason.startswith(lead):
            return lead + "…"
    return reason


def _reasons(reasons: dict[str, int], mask: Callable[[str], str]) -> str:
    """The drop reasons: folded by kind (``data-reason-kind`` rows), then each as manifest.json
    counts it (``data-reason`` rows, the first :data:`EACH_REASON`), folded away when some reason names a document."""
    kinds: dict[str, int] = {}
    for reason, number in reasons.items():
        kind = reason_kind(reason)
        kinds[kind] = kinds.get(kind, 0) + int(number)
    head = "<table><tr><th>reason</th><th class=\"n\">documents</th></tr>"
    each = [f'<tr data-reason="{e(mask(reason))}"><td>{e(mask(reason))}</td>{cell("count", number)}</tr>'
            for reason, number in list(reasons.items())[:EACH_REASON]]
    more = (f'<p class="muted">and {counted(len(reasons) - EACH_REASON, "more reason")} '
            "(manifest.json lists them all)</p>") if len(reasons) > EACH_REASON else ""
    if all(reason_kind(reason) == reason for reason in reasons):  # nothing folds: the reasons themselves
        if len(each) <= REASONS:
            return f"<h3>Dropped, by reason</h3>{head}{''.join(each)}</table>"
        return (f"<h3>Dropped, by reason</h3>{head}{''.join(each[:REASONS])}</table><details><summary>"
                f"{counted(len(reasons) - REASONS, 'more reason')}</summary>{head}{''.join(each[REASONS:])}</table>{more}"
                "</details>")
    folded = "".join(f'<tr data-reason-kind="{e(mask(kind))}"><td>{e(mask(kind))}</td>{cell("count", number)}</tr>'
                     for kind, number in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return (f"<h3>Dropped, by reason</h3>{head}{folded}</table>"
            f'<details><summary>each reason as manifest.json lists it ({counted(len(reasons), "reason")})</summary>'
            f"{head}{''.join(each)}</table>{more}</details>")


def _example(example: Example) -> str:
    where = f"line {example.line} · " if example.line else ""
    cut = " …" if example.cut else ""
    return (f'<div class="example"><span class="text">{e(example.text)}{cut}</span>'
            f'<span class="doc">{where}document <code>{e(example.doc)}</code></span></div>')


def _rules(found: Collected) -> str:
    rules = sorted(found.rules.items(), key=lambda kv: (-kv[1].fired, kv[0]))
    if not rules:
        return _section("rules", "Rules", "<p>No rule changed any document.</p>")
    chart = svg.hbars([(rule, f.fired) for rule, f in rules[:CHART_RULES]], title="times each rule fired")
    if len(rules) > CHART_RULES:
        chart += (f'<p class="muted" data-chart-more="{len(rules) - CHART_RULES}">and '
                  f'{counted(len(rules) - CHART_RULES, "more rule")} in the table</p>')
    rows = "".join(
        f'<tr data-rule="{e(rule)}"><td><a href="#ex-{e(rule)}"><code>{e(rule)}</code></a></td>{cell("fired", f.fired)}'
        f'{cell("documents", f.documents)}{cell("chars_removed", f.chars_removed)}{cell("chars_added", f.chars_added)}</tr>'
        for rule, f in rules
    )
    table = ("<table><tr><th>rule</th><th class=\"n\">fired</th><th class=\"n\">documents</th>"
             "<th class=\"n\">characters removed</th><th class=\"n\">characters added</th></tr>" + rows + "</table>")
    note = ('<p class="note">This run kept light provenance: a removed line\'s text is not recorded, '
            "so examples give its size and line number.</p>") if found.light else ""
    examples = "".join(
        f'<details{" open" if any(x.line for x in f.examples) else ""} id="ex-{e(rule)}"><summary><code>{e(rule)}</code> — {n(len(f.examples))} of {n(f.fired)}</summary>'
        f'<div data-examples="{e(rule)}">{"".join(_example(x) for x in f.examples)}</div></details>'
        for rule, f in rules
    )
    intro = ("<p>Fired: the rule's steps (a removed line, a change), as manifest.json counts them. Characters "
             "removed and added: in documents kept. Examples: the first met, spread across sites; those of rules that change text rather than remove lines are folded.</p>")
    return _section("rules", "Rules", intro + chart + table + "<h3>Examples</h3>" + note + examples)


def _share(found: Collected) -> str:
    labels = [f"{i * 100 // BINS}–{(i + 1) * 100 // BINS}%" for i in range(BINS)]
    chart = svg.columns(found.histogram, labels, title="kept documents by share of characters removed")
    kept = sum(found.histogram)
    body = (f"<p>Kept documents by the share of their characters the rules removed ({counted(kept, 'document')}; "
            f"{n(found.unchanged)} lost nothing). Dropped documents lose all and are not counted here.</p>" + chart
            + "<table><tr><th>share removed</th><th class=\"n\">documents</th></tr>"
            + "".join(f'<tr data-bin="{i}"><td>{labels[i]}</td>{cell("documents", c)}</tr>' for i, c in enumerate(found.histogram))
            + "</table>")
    return _section("removed-share", "Share removed per document", body)


def _step_line(step: dict[str, Any]) -> str:
    delta = (step.get("chars_before") or 0) - (step.get("chars_after") or 0)
    what = step.get("text") if step.get("text") is not None else step.get("why") or ""
    line = f" line {e(step['line'])}" if step.get("line") else ""
    return (f"<tr><td><code>{e(step.get('rule', ''))}</code></td><td>{e(step.get('action', ''))}{line}</td>"
            f'<td class="n">{n(delta)}</td><td class="text">{e(what)}</td></tr>')


def _top(doc: TopDocument) -> str:
    steps = "".join(_step_line(s) for s in doc.steps)
    return (f"<details><summary><code>{e(doc.doc)}</code>: {n(doc.removed)} of {counted(doc.chars_before, 'character')} "
            f"removed ({doc.share:.0%})</summary><table><tr><th>rule</th><th>action</th><th class=\"n\">chars</th>"
            f"<th>what</th></tr>{steps}</table></details>")


def _most_removed(found: Collected) -> str:
    top = found.top
    if not top:
        return _section("most-removed", "Documents that lost most", "<p>No kept document lost characters.</p>")
    return _section("most-removed", "Documents that lost most",
                    f"<p>The {len(top)} kept documents the rules removed most characters from, each with its steps.</p>"
                    + "".join(_top(d) for d in top))


def _sites(manifest: dict[str, Any], found: Collected, mask: Callable[[str], str]) -> str:
    report = (manifest.get("corpus") or {}).get("corpus/site-template")
    if report is None and not found.sites:
        return _section("sites", "Sites and templates",
                        "<p>This run had no template rule (<code>--pack corpus</code> adds corpus/site-template).</p>")
    report = report or {}
    removed = report.get("removed") or {}
    head = (f"<p>{counted(report.get('sites', 0), 'site')}; {n(report.get('sites_with_evidence', 0))} with enough pages for "
            f"template evidence; {counted(removed.get('lines', 0), 'template line')} removed from "
            f"{counted(removed.get('pages', 0), 'page')}.</p>")
    evidence = {str(entry.get("site")): entry for entry in report.get("largest") or []}
    sites = sorted(found.sites.items(), key=lambda kv: (kv[0] == UNKNOWN_SITE, -kv[1].lines, kv[0]))[:SITES]
    rows = "".join(
        f'<tr data-site="{e(mask(site))}"><td>{e(mask(site)) if site != UNKNOWN_SITE else UNNAMED}</td>{cell("pages", evidence.get(site, {}).get("pages", 0))}'
        f'{cell("template_lines", f.lines)}{cell("pages_touched", f.pages)}{cell("chars", f.chars)}'
        f'{cell("largest_block", f.block_lines)}<td><code>{e(f.block_doc)}</code>{_block(f.block_text, f.block_lines)}</td></tr>'
        for site, f in sites
    )
    if len(found.sites) > len(sites):
        rows += (f'<tr class="more"><td colspan="7" class="muted">and {counted(len(found.sites) - len(sites), "more site")} '
                 "with fewer template lines removed</td></tr>")
    other = found.other_sites
    if other.pages:
        rows += (f'<tr class="other"><td>other sites (beyond the first {n(SITES_TRACKED)} met, counted together)</td>'
                 f'<td></td>{cell("template_lines", other.lines)}{cell("pages_touched", other.pages)}'
                 f'{cell("chars", other.chars)}<td></td><td></td></tr>')
    table = ("<table><tr><th>site</th><th class=\"n\">pages</th><th class=\"n\">template lines removed</th>"
             "<th class=\"n\">pages touched</th><th class=\"n\">characters</th><th class=\"n\">largest block (lines)</th>"
             "<th>on document</th></tr>" + rows + "</table>") if rows else "<p>No template line was removed.</p>"
    quiet = [entry for site, entry in evidence.items() if site not in found.sites][:50]
    rest = ""
    if quiet:
        rest = ("<details><summary>Sites with evidence but no line removed</summary><table><tr><th>site</th>"
                "<th class=\"n\">pages</th><th class=\"n\">recurring lines</th></tr>"
                + "".join(f"<tr><td>{e(mask(str(q.get('site'))))}</td>{cell('pages', q.get('pages', 0))}"
                          f"{cell('recurring_lines', q.get('recurring_lines', 0))}</tr>" for q in quiet)
                + "</table></details>")
    return _section("sites", "Sites and templates", head + table + rest)


#: What the row of template removals whose reason names no site says (an HTML page's lines
#: outside its main text, removed when the page was given its own text).
UNNAMED = "(no site named: lines outside a page's main text)"


def _block(lines: list[str], total: int) -> str:
    if not lines:
        return ""
    more = f"\n… {counted(total - len(lines), 'more line')}" if total > len(lines) else ""
    return f'<details><summary>the block</summary><pre class="text">{e(chr(10).join(lines) + more)}</pre></details>'


def _duplicates(manifest: dict[str, Any], found: Collected, mask: Callable[[str], str]) -> str:
    report = (manifest.get("corpus") or {}).get("corpus/duplicates")
    if report is None:
        return _section("duplicates", "Duplicates",
                        "<p>This run had no duplicate rule (<code>--pack corpus</code> adds corpus/duplicates).</p>")
    kinds = ", ".join(f"{n(c)} {k}" for k, c in sorted(found.duplicate_kinds.items()))
    dups, clusters = int(report.get("duplicates", 0)), int(report.get("clusters", 0))
    head = (f"<p>{figure('duplicates', dups)} {noun(dups, 'duplicate')} dropped in "
            f"{figure('clusters', clusters)} {noun(clusters, 'cluster')}{f' ({kinds})' if kinds else ''}.</p>")
    largest = (report.get("largest") or [])[:50]
    rows = "".join(
        f'<tr data-cluster="{e(c.get("kept"))}"><td><code>{e(c.get("kept"))}</code></td>'
        f'{cell("copies", len(c.get("copies") or []))}<td>'
        + ", ".join(f"<code>{e(x)}</code>" for x in (c.get("copies") or [])[:10])
        + (" …" if len(c.get("copies") or []) > 10 else "") + "</td></tr>"
        for c in largest
    )
    table = ("<h3>Largest clusters</h3><table><tr><th>kept</th><th class=\"n\">copies</th><th>copies dropped</th></tr>"
             + rows + "</table>") if rows else ""
    return _section("duplicates", "Duplicates", head + table)


def _languages(found: Collected) -> str:
    if not found.languages:
        return _section("languages", "Languages",
                        "<p>No document has a language in its metadata (the language rules set <code>meta.language</code>).</p>")
    items = sorted(found.languages.items(), key=lambda kv: (-kv[1], kv[0]))
    chart = svg.hbars(items[:30], title="documents by language")
    rows = "".join(f'<tr data-language="{e(lang)}"><td><code>{e(lang)}</code></td>{cell("documents", count)}'
                   f'{cell("chars_out", found.language_chars[lang])}</tr>' for lang, count in items)
    return _section("languages", "Languages", chart + "<table><tr><th>language</th><th class=\"n\">documents</th>"
                    "<th class=\"n\">characters kept</th></tr>" + rows + "</table>")


def _filters(manifest: dict[str, Any], found: Collected) -> str:
    by_rule = manifest.get("dropped_by_rule")
    if not isinstance(by_rule, dict):  # an older cleaner's manifest: counted from provenance
        by_rule = dict(found.drop_rules)
    if not by_rule:
        return _section("filters", "Filters and drops", "<p>No rule dropped a document.</p>")
    items = sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
    chart = svg.hbars(items, title="documents dropped by rule")
    labels: dict[str, list[tuple[str, int]]] = {}
    for (rule, label), count in sorted(found.drop_labels.items(), key=lambda kv: (-kv[1], kv[0])):
        labels.setdefault(rule, []).append((label, count))
    rows = "".join(f'<tr data-dropped-by="{e(rule)}"><td><code>{e(rule)}</code></td>{cell("count", count)}'
                   f"<td>{_labels(labels.get(rule, []))}</td></tr>" for rule, count in items)
    return _section("filters", "Filters and drops", chart + "<table><tr><th>rule</th><th class=\"n\">documents dropped</th><th>why</th></tr>"
                    + rows + "</table>")


def _labels(labels: list[tuple[str, int]]) -> str:
    shown = labels[:12]
    rest = f" and {n(len(labels) - 12)} more" if len(labels) > 12 else ""
    return "; ".join(f"{e(label)} ({n(count)})" for label, count in shown) + rest


#: Lines longer than this are shown changed whole, without marking the characters that changed.
INLINE_CHARS = 4000


def _inline(old: str, new: str) -> tuple[str, str]:
    """A changed line and what it became, escaped, the characters that went marked ``<del>``
    on the left and those that came ``<ins>`` on the right."""
    if len(old) + len(new) > INLINE_CHARS:
        return e(old), e(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(e(old[i1:i2]))
            right.append(e(new[j1:j2]))
            continue
        if i2 > i1:
            left.append(f"<del>{e(old[i1:i2])}</del>")
        if j2 > j1:
            right.append(f"<ins>{e(new[j1:j2])}</ins>")
    return "".join(left), "".join(right)


#: Steps of the line matching one side-by-side diff may take (about 0.7 s): lining up lines is
#: cubic when lines repeat (thousands of "Reply" lines), so past this the texts are shown whole.
DIFF_WORK = 10_000_000


class _TooMuch(Exception):
    pass


class _Bounded(difflib.SequenceMatcher):
    """Line matching that gives up (:class:`_TooMuch`) past :data:`DIFF_WORK` steps, counted
    (not timed), so the same OUT gives the same page."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        self.work = DIFF_WORK
        super().__init__(None, a, b, autojunk=False)

    def find_longest_match(self, alo: int = 0, ahi: Any = None, blo: int = 0, bhi: Any = None) -> Any:
        b2j: dict[str, list[int]] = self.b2j  # type: ignore[attr-defined]  # difflib's, undeclared
        a: list[str] = self.a  # type: ignore[attr-defined]
        self.work -= (ahi - alo) + sum(len(b2j.get(a[i], ())) for i in range(alo, ahi))
        if self.work < 0:
            raise _TooMuch
        return super().find_longest_match(alo, ahi, blo, bhi)


class _Labels:
    """The rules that removed lines, found by the removed line's text (provenance's ``line``
    counts the lines of the text the rule's pass saw, not the input's: an earlier pass that
    removed or split lines shifts it). Each step labels one line, in the document's order; a
    line no step's text matches gets no label rather than a wrong one."""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        self.by_text: dict[str, list[str]] = {}
        for step in steps:
            text = step.get("text")
            if step.get("action") == "removed" and isinstance(text, str) and text.strip():
                self.by_text.setdefault(text.strip(), []).append(str(step.get("rule") or ""))

    def take(self, line: str) -> str | None:
        key = line.strip()
        rules = self.by_text.get(key)
        if not rules and len(key) > EXAMPLE_CHARS:  # the step's text was cut for the page
            rules = self.by_text.get(key[:EXAMPLE_CHARS].strip())
        return rules.pop(0) if rules else None


def _diff_rows(before: str, after: str, removed_by: _Labels, cut: bool = False) -> str:
    """The rows of a side-by-side diff (:class:`_TooMuch` if lining them up costs too much).
    ``cut``: the texts are both texts' beginnings, cut at the
    same length: past the last line they share, what differs is the cut, not the rules (the
    after-text's end is further into the document), so it is not shown as a change."""
    left, right = before.split("\n"), after.split("\n")
    rows = []
    opcodes = _Bounded(left, right).get_opcodes()
    tail = ""
    if cut and opcodes and opcodes[-1][0] != "equal":
        opcodes.pop()
        tail = ('<tr class="fold"><td colspan="4">… the rest is not shown: the texts are cut at '
                f"{n(MOST_CHARS)} characters, and past here their ends no longer line up …</td></tr>")
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            span = i2 - i1
            if span > 2 * CONTEXT + 1:
                pairs = list(range(CONTEXT)) + [None] + list(range(span - CONTEXT, span))
            else:
                pairs = list(range(span))
            for k in pairs:
                if k is None:
                    rows.append(f'<tr class="fold"><td colspan="4">… {counted(span - 2 * CONTEXT, "unchanged line")} …</td></tr>')
                else:
                    rows.append(f'<tr><td class="ln">{i1 + k + 1}</td><td>{e(left[i1 + k])}</td>'
                                f'<td class="ln">{j1 + k + 1}</td><td>{e(right[j1 + k])}</td></tr>')
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            li, rj = i1 + k, j1 + k
            # a line beside what it became: only the characters that changed are painted (a trailing
            # space gone does not paint a paragraph); a line removed or added is painted whole
            paired = li < i2 and rj < j2 and len(left[li]) + len(right[rj]) <= INLINE_CHARS
            if paired:
                old, new = _inline(left[li], right[rj])
            else:
                old = e(left[li]) if li < i2 else ""
                new = e(right[rj]) if rj < j2 else ""
            rule = removed_by.take(left[li]) if li < i2 else None
            lcell = (f'<td class="ln">{li + 1}</td><td class="{"chg-del" if paired else "del"}">{old}'
                     + (f'<span class="rule">{e(rule)}</span>' if rule is not None else "")
                     + "</td>") if li < i2 else '<td class="ln"></td><td></td>'
            rcell = (f'<td class="ln">{rj + 1}</td><td class="{"chg-ins" if paired else "ins"}">{new}</td>'
                     if rj < j2 else '<td class="ln"></td><td></td>')
            rows.append(f"<tr>{lcell}{rcell}</tr>")
    return "".join(rows) + tail


def _diff(record: dict[str, Any], texts: Texts) -> str:
    doc = str(record.get("id"))
    removed_by = _Labels(record.get("steps") or [])
    status = record.get("status") or "ok"
    said = "" if status == "ok" else f" — {e(status)}: {e(record.get('reason') or '')}"
    head = (f"<h3><code>{e(doc)}</code> — {n(record.get('chars_before') or 0)} → {counted(record.get('chars_after') or 0, 'character')}{said}</h3>")
    notes = "".join(f'<p class="note">{e(x)}</p>' for x in (texts.before_note, texts.after_note) if x)
    rows = None
    if texts.before is not None and texts.after is not None:
        try:
            rows = _diff_rows(texts.before, texts.after, removed_by, texts.cut)
        except _TooMuch:
            notes += ('<p class="note">The lines are too many, or repeat too often, to line up here: '
                      "the texts are shown one after the other.</p>")
    if rows is None:
        body = notes + "".join(f'<p class="muted">removed by <code>{e(s.get("rule", ""))}</code>: '
                               f'<span class="text">{e(s.get("text") or s.get("why") or "")}</span></p>'
                               for s in (record.get("steps") or []) if s.get("action") == "removed")
        for label, text in (("Text before", texts.before), ("Text after", texts.after)):
            if text is not None:
                body += f"<details><summary>{label}</summary><pre class=\"text\">{e(text)}</pre></details>"
    else:
        body = notes + ("<table class=\"diff\"><colgroup><col style=\"width:3.5em\"><col><col style=\"width:3.5em\"><col>"
                        "</colgroup><tr><th></th><th>before (what the rules saw)</th><th></th><th>after (the output)</th></tr>"
                        + rows + "</table>")
    return f'<div class="diff" data-doc="{e(doc)}">{head}{body}</div>'


def _diffs(diffs: list[tuple[dict[str, Any], Texts]]) -> str:
    if not diffs:
        return _section("diffs", "Before and after", "<p>No rule changed a kept document.</p>")
    return _section("diffs", "Before and after",
                    "<p>A few kept documents side by side (those asked for with --diff, the one that lost most, then some spread over the run): the text the rules saw (read again from "
                    "the input) and the output. Removed lines are red, with the rule that removed them; changed lines "
                    "are red and green.</p>" + "".join(_diff(r, t) for r, t in diffs))
