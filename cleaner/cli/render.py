"""What the command line shows people: a run's summary, ``explain``'s removals
and inline diffs, rule listings and one rule's docs. Each function prints to the
console it is given and computes nothing the library does not already say.

Machine-readable output is :mod:`cleaner.loading.describe`'s job, not this module's.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cleaner.loading.describe import pattern_of
from cleaner.core.engine import Pipeline
from cleaner.io.readers import UNKNOWN_KIND
from cleaner.core.rule import Rule
from cleaner.running.assemble import RunReport
from cleaner.running.run import RunInterrupted, ScanKept
from cleaner.running.single import Cleaned

#: How many failures, drop reasons and rules a summary lists without --verbose.
FAILURES_SHOWN = 10
DROPS_SHOWN = 5
RULES_SHOWN = 10
#: How many of a changed text's lines ``explain`` shows without --verbose.
DIFF_LINES_SHOWN = 12
#: How many skipped file names a summary lists.
SKIPPED_SHOWN = 5
#: How many sites (templates) or clusters (duplicates) a summary lists without
#: --verbose, and how many copies of a cluster it names.
CORPUS_SHOWN = 3
COPIES_SHOWN = 3


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 document``, ``2 documents`` (``many``: an irregular plural)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


# --- cleaner run -----------------------------------------------------------------


def pack_steps(console: Console, pipeline: Pipeline) -> None:
    """The resolved pack: its name, hash and every step in order with the
    options it runs with (``run --verbose``)."""
    console.print(f"pack {escape(pipeline.name)} ({pipeline.sha256[:12]}), {plural(len(pipeline.rules), 'step')}:")
    for n, r in enumerate(pipeline.rules, 1):
        options = f"  {escape(str(r.options))}" if r.options else ""
        console.print(f"  {n:>2}. {r.id}{options}", highlight=False)


def run_summary(console: Console, report: RunReport, output: Path, pipeline: Pipeline, *, verbose: bool = False) -> None:
    """Documents by status, characters (what was measured, and where the change
    went: :func:`character_lines`), top rules, drop reasons, failures, skipped
    files and the WARC records passed over. ``verbose``: every rule, reason and
    failure, not the top few."""
    console.print(
        f"[bold]{plural(report.documents, 'document')}[/]: [green]{report.status['ok']:,} ok[/], "
        f"[yellow]{report.status['dropped']:,} dropped[/], [red]{report.status['failed']:,} failed[/] "
        f"in {report.seconds:.2f}s · pack {escape(pipeline.name)} ({pipeline.sha256[:12]})"
    )
    for line in character_lines(report):
        console.print(escape(line), highlight=False)
    if report.resumed_units:
        was = "was" if report.resumed_units == 1 else "were"
        console.print(f"resumed: {plural(report.resumed_units, 'unit')} {was} already done by an earlier, interrupted run")
    for rule_id, said in report.corpus_summaries.items():  # what the scan found, and the clean removed
        console.print(f"[cyan]{rule_id}[/]: {escape(said)}")
        for detail in corpus_details(report.corpus.get(rule_id) or {}, verbose=verbose):
            console.print(f"  {escape(detail)}", highlight=False)
    skipped = report.skipped  # files of unknown kinds, and folders not entered (ending in /)
    if skipped:
        said = f"{plural(len(skipped), 'path')} of IN: {escape(skipped_names(skipped))}"
        console.print(f"[yellow]not read[/]: {said} (listed in manifest.json)")
    passed_over = report.skipped_records  # WARC records that are not documents, by kind
    if passed_over:
        console.print(
            f"[yellow]passed over[/]: {plural(sum(passed_over.values()), 'WARC record')}, not documents "
            f"({escape(record_kinds(passed_over))}; skipped_records in manifest.json)", highlight=False,
        )
    if report.rules:
        table = Table("rule", "changes", title="top rules" if not verbose else "rules", title_justify="left", box=None, padding=(0, 2))
        for rule_id, count in report.rules.most_common(None if verbose else RULES_SHOWN):
            table.add_row(rule_id, f"{count:,}")
        console.print(table)
    for reason, count in report.drops.most_common(None if verbose else DROPS_SHOWN):
        console.print(f"[yellow]dropped[/] {count:,} × {escape(reason)}")
    shown = report.failures if verbose else report.failures[:FAILURES_SHOWN]
    for failure in shown:
        console.print(f"[red]failed[/] {escape(failure['id'])}: {escape(failure['reason'])}")
    if len(report.failures) > len(shown):
        more = len(report.failures) - len(shown)
        console.print(f"[red]… and {plural(more, 'more failure')}[/] (see {report.provenance}, or --verbose)")
    console.print(f"outputs in {escape(str(output))}/ · {report.provenance} · manifest.json")


def skipped_names(skipped: dict[str, str]) -> str:
    """The first few paths not read, each group followed by its reason:
    ``out/ (earlier cleaner output …); data.csv, README (not a kind of file …)``.
    Paths left out for a reason of their own (an earlier run's output, a folder
    link) come before the files of unknown kinds, which are many and expected."""
    shown = sorted(skipped, key=lambda path: (skipped[path] == UNKNOWN_KIND, path))[:SKIPPED_SHOWN]
    groups: dict[str, list[str]] = {}
    for path in shown:
        groups.setdefault(skipped[path], []).append(path)
    said = "; ".join(f"{', '.join(paths)} ({reason})" for reason, paths in groups.items())
    return said + ("; …" if len(skipped) > len(shown) else "")


#: How many rules ``character_lines`` names among those that added characters.
ADDERS_SHOWN = 2


def character_lines(report: RunReport) -> list[str]:
    """Where the run's characters went, saying what was measured: the characters
    the rules were given (on HTML, the extractor's text, named as such), those
    written, and the parts between (:class:`~cleaner.running.char_account.CharAccount`):
    a text a corpus rule replaced (an HTML page given its own text, which can make
    the output longer than the extracted input), what the rules removed and added,
    what dropped and failed documents held. Signs are those of the change."""
    chars = report.chars
    change = f" ({(report.chars_out - report.chars_in) / report.chars_in:+.1%})" if report.chars_in else ""
    lines = [f"characters: {given(report)} → {report.chars_out:,} out{change}"]
    extractor = report.extractor or "the extractor"
    for rule, delta in chars.replaced.items():
        documents = chars.replaced_documents[rule]
        whose = (f"{extractor}'s text of {plural(documents, 'page')} with the page's own text" if chars.pages
                 else f"the text of {plural(documents, 'document')}")
        lines.append(f"  {rule} replaced {whose}: {delta:+,}")
    removed, added = sum(chars.removed.values()), sum(chars.added.values())
    share = f" ({removed / chars.chars_in:.1%})" if chars.chars_in else ""
    parts = [f"rules removed {removed:,}{share}" if removed else "rules removed nothing"]
    if added:
        adders = ", ".join(f"{rule} {count:,}" for rule, count in chars.added.most_common(ADDERS_SHOWN))
        parts.append(f"added {added:,} ({adders}{', …' if len(chars.added) > ADDERS_SHOWN else ''})")
    if chars.dropped:
        parts.append(f"{plural(report.status['dropped'], 'dropped document')} held {chars.dropped:,}")
    if chars.failed:
        parts.append(f"{plural(report.status['failed'], 'failed document')} held {chars.failed:,}")
    lines.append("  " + "; ".join(parts))
    return lines


def given(report: RunReport) -> str:
    """The characters the rules were given, by where they came from: ``1,234 in``
    for text, ``470,852 extracted from 31 HTML pages by trafilatura`` for HTML."""
    chars = report.chars
    if not chars.pages:
        return f"{report.chars_in:,} in"
    extracted = f"{chars.extracted:,} extracted from {plural(chars.pages, 'HTML page')} by {report.extractor or 'the extractor'}"
    return f"{chars.read:,} read and {extracted}" if chars.read else extracted


def corpus_details(found: dict[str, Any], *, verbose: bool = False) -> list[str]:
    """A corpus rule's report (the manifest's ``corpus`` entry) in a few lines:
    per site, the template lines removed and the pages touched; per duplicate
    cluster, the document kept and its copies. The largest few unless
    ``verbose`` (then all the manifest lists)."""
    entries = found.get("largest") or []
    shown = entries if verbose else entries[:CORPUS_SHOWN]
    lines = []
    for entry in shown:
        if "site" in entry:
            removed = entry.get("lines_removed")
            did = (f"{plural(removed, 'line')} removed from {entry.get('pages_touched', 0):,} of "
                   f"{plural(entry['pages'], 'page')}" if removed is not None else plural(entry["pages"], "page"))
            lines.append(f"{entry['site']}: {did} ({plural(entry.get('recurring_lines', 0), 'recurring line')})")
        elif "kept" in entry:
            copies = entry.get("copies") or []
            names = ", ".join(copies[:COPIES_SHOWN]) + (", …" if len(copies) > COPIES_SHOWN else "")
            lines.append(f"{entry['kept']} kept; {plural(len(copies), 'copy', 'copies')}: {names}")
    if len(entries) > len(shown):
        lines.append(f"… and {len(entries) - len(shown):,} more in manifest.json (--verbose lists them)")
    return lines


def failed_line(report: RunReport, output: Path) -> str | None:
    """The one line ``run --quiet`` still prints when documents failed."""
    failed = report.status["failed"]
    if not failed:
        return None
    return f"{plural(failed, 'document')} failed; see {output / report.provenance}"


def no_documents_line(report: RunReport, input: Path) -> str | None:
    """What a run that found no documents says on stderr (it exits 1), with the
    likely cause: files it does not read, or input files that hold nothing."""
    if report.documents:
        return None
    if report.skipped_records:
        return (f"no documents: none of the {plural(sum(report.skipped_records.values()), 'WARC record')} in "
                f"{input} is a document ({record_kinds(report.skipped_records)}); --keep-error-pages reads "
                "HTTP error pages")
    if report.skipped:
        not_read = f"{plural(len(report.skipped), 'path')} not read: {skipped_names(report.skipped)}"
        return (f"no documents: {input} holds no file cleaner reads; {not_read}; "
                "--input-format FORMAT reads files whatever their names")
    return f"no documents: {input} holds no input file, or only empty ones"


def record_kinds(counts: dict[str, int]) -> str:
    """``resource image/png 2, request 1``: the first few kinds of WARC records
    passed over, most first, with their counts."""
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in list(counts.items())[:SKIPPED_SHOWN])
    return kinds + (", …" if len(counts) > SKIPPED_SHOWN else "")


def interrupted_line(stop: RunInterrupted, output: Path) -> str:
    """What Ctrl-C (or SIGTERM) during a run kept, and how to go on: the scans
    kept, and the one interrupted with its units done; the units cleaned, with
    their documents and share of the input. Units are cut lazily from the inputs,
    so their total is not known; the share of input bytes is."""
    stopped, scan = stopped_by(stop.terminated), stop.scan
    resume = "run the same command to resume"
    if scan is not None and scan.interrupted is not None:
        return f"{stopped} in the scan: {'; '.join(scan_kept(scan))}; in {output}, {resume}"
    share = f", {stop.bytes_done / stop.bytes_total:.0%} of the input" if stop.bytes_total else ""
    cleaned = f"{plural(stop.units, 'unit')} ({plural(stop.documents, 'document')}{share})"
    if scan is None or not scan.finished:
        return f"{stopped}: {cleaned} kept in {output}; {resume}"
    return f"{stopped}: {scan_kept(scan)[0]}; {cleaned} cleaned and kept in {output}; {resume}"


def scan_kept(scan: ScanKept) -> list[str]:
    """What an interrupted run's scan leaves for the next, in words:
    ``corpus/site-template scan kept`` (the finished ones, if any), then
    ``corpus/duplicates scan interrupted, 3 units of it kept``."""
    said = []
    if scan.finished:
        noun = "scan" if len(scan.finished) == 1 else "scans"
        said.append(f"{' and '.join(scan.finished)} {noun} kept")
    if scan.interrupted is not None:
        said.append(f"{scan.interrupted} scan interrupted, {plural(scan.units, 'unit')} of it kept")
    return said


def stopped_by(terminated: bool) -> str:
    """How a run stopped, as its message begins: by Ctrl-C or by SIGTERM."""
    return "terminated (SIGTERM)" if terminated else "interrupted"


# --- cleaner explain ----------------------------------------------------------------


def explain(
    console: Console, cleaned: Cleaned, pipeline: Pipeline, *, verbose: bool = False, show_text: bool = True,
    within: dict[str, Any] | None = None,
) -> None:
    """Every removed line with its number, rule id and why (the rule's own reason,
    else its summary); a document a corpus rule dropped, with why; every text
    change as inline edits; the metadata; the cleaned text. ``verbose``: each
    step's characters before and after, and every changed line instead of the
    first few. ``within``: the corpus the document was judged in (``from`` run
    or inputs, ``path``, ``position``, ``site``), said under the title."""
    outcome = cleaned.outcome
    reason = f" ({escape(outcome.reason)})" if outcome.reason else ""
    console.rule(f"[bold]{escape(cleaned.id)}[/] · {outcome.status}{reason}")
    if within is not None:
        console.print(f"[dim]{escape(within_line(within))}[/]")
    if not outcome.steps:
        console.print("no rule changed anything")
    summaries = {r.id: r.summary for r in pipeline.rules}
    for step in outcome.steps:
        chars = f"  [dim]{step.chars_before:,} → {step.chars_after:,} chars[/]" if verbose else ""
        if step.action == "removed":
            why = step.why or summaries.get(step.rule, "")
            console.print(
                f"[red]- {escape(step.text or '')}[/]  [dim]line {step.line}[/]  [cyan]{step.rule}[/]"
                + (f"  [dim]{escape(why)}[/]" if why else "")
                + chars
            )
        elif step.action == "dropped":
            console.print(f"[yellow]dropped[/] by [cyan]{step.rule}[/]: {escape(step.why or '')}" + chars)
            for line in measure_lines(step.measures):
                console.print(f"  {escape(line)}", highlight=False)
        elif step.action == "masked":  # a private rule: what it masked by kind and count, never the text
            console.print(f"[cyan]{step.rule}[/] masked {escape(step.why or '')}" + chars)
        elif step.action == "kept":
            console.print(f"[green]kept[/] by [cyan]{step.rule}[/]" + (f": {escape(step.why)}" if step.why else ""))
            for line in measure_lines(step.measures):
                console.print(f"  {escape(line)}", highlight=False)
        else:
            console.print(f"[cyan]{step.rule}[/] changed {step.chars_before:,} → {step.chars_after:,} chars"
                          + (f"  [dim]{escape(step.why)}[/]" if step.why else ""))
            for diff_line in changed_lines(step.before or "", step.after or "", None if verbose else DIFF_LINES_SHOWN):
                console.print(diff_line, highlight=False)
    if cleaned.meta:
        console.print(f"[bold]meta[/] {escape(str(cleaned.meta))}")
    if show_text and outcome.status == "ok":
        console.rule("cleaned text")
        console.print(outcome.text, markup=False, highlight=False, end="")


def measure_lines(measures: Sequence[Any]) -> list[str]:
    """A filter's measures, one a line: ``✓ mean word length 4.8  (bound 3..10)``;
    ✗ for one that failed its bound, · for one only reported."""
    lines = []
    for m in measures:
        mark = "·" if m.passed is None else "✓" if m.passed else "✗"
        value = f"{m.value:.3g}" if isinstance(m.value, float) else str(m.value)
        bound = f"  (bound {m.bound})" if m.bound is not None else ""
        lines.append(f"{mark} {m.name} {value}{bound}")
    return lines


def within_line(within: dict[str, Any]) -> str:
    """Where a document was judged: ``judged within the run in out/: document 3
    in input order, site x.org``."""
    what = f"the run in {within['path']}" if within.get("from") == "run" else f"the corpus {within['path']}"
    if within.get("position") is None:
        return f"judged within {what} (the document could not be read)"
    site = within.get("site")
    where = f"site {site}" if site else "no site (a record without a URL)"
    return f"judged within {what}: document {within['position'] + 1:,} in input order, {where}"


def changed_lines(before: str, after: str, limit: int | None = DIFF_LINES_SHOWN) -> list[str]:
    """The lines a text rule changed (at most ``limit``, None for all): a changed
    line shows only its edits in context, removed blank lines are counted, added
    ones marked."""
    old, new = before.split("\n"), after.split("\n")
    shown: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and a1 - a0 == b1 - b0:
            shown += [f"  {inline_diff(x, y)}" for x, y in zip(old[a0:a1], new[b0:b1])]
            continue
        gone = old[a0:a1]
        blank = sum(1 for x in gone if not x.strip())
        shown += [f"  [red]- {escape(visible(x))}[/]" for x in gone if x.strip()]
        if blank:
            shown.append(f"  [red]- {plural(blank, 'blank line')}[/]")
        added = new[b0:b1]
        shown += [f"  [green]+ {escape(visible(x))}[/]" for x in added if x.strip()]
        if any(not x.strip() for x in added):
            shown.append("  [green]+ line break[/]")
    if limit is not None and len(shown) > limit:
        shown = shown[:limit] + [f"  [dim]… {len(shown) - limit:,} more (--verbose shows all)[/]"]
    return shown


def inline_diff(a: str, b: str, context: int = 30) -> str:
    """One line with its deletions struck through in red and insertions in green,
    long unchanged stretches shortened to ``context`` characters each side."""
    parts: list[str] = []
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (tag, a0, a1, b0, b1) in enumerate(ops):
        if tag == "equal":
            same = a[a0:a1]
            head = same[:context] if n else ""
            tail = same[-context:] if n < len(ops) - 1 else ""
            parts.append(escape(same) if len(same) <= 2 * context else f"{escape(head)}[dim]…[/]{escape(tail)}")
            continue
        if a1 > a0:  # wdiff-style markers stay readable without colour
            parts.append(f"[red]\\[-{escape(visible(a[a0:a1]))}-][/]")
        if b1 > b0:
            parts.append(f"[green]{{+{escape(visible(b[b0:b1]))}+}}[/]")
    return "".join(parts)


def visible(text: str) -> str:
    """Show invisible characters so a whitespace change can be seen."""
    if text.isprintable() and text == text.strip():
        return text
    return repr(text)[1:-1].replace(" ", "·")


def steps_brief(console: Console, cleaned: Cleaned) -> None:
    """One line per step, for ``clean --verbose`` on stderr."""
    outcome = cleaned.outcome
    console.print(
        f"{escape(cleaned.id)}: {outcome.status}" + (f" ({escape(outcome.reason)})" if outcome.reason else "")
        + f", {plural(len(outcome.steps), 'step')}", highlight=False,
    )
    for step in outcome.steps:
        if step.action == "removed":
            console.print(f"  removed line {step.line} {step.rule}: {escape(step.text or '')}", highlight=False)
        elif step.action in ("dropped", "kept"):
            console.print(f"  {step.action} {step.rule}: {escape(step.why or '')}", highlight=False)
        else:
            console.print(f"  {step.action} {step.rule}: {step.chars_before:,} → {step.chars_after:,} chars"
                          + (f" ({escape(step.why)})" if step.why else ""), highlight=False)


# --- cleaner rules ----------------------------------------------------------------


OPT_IN = "opt-in:"


def rule_lines(entries: Sequence[dict[str, Any]]) -> list[str]:
    """``id  kind  where  summary``, one line per rule, columns aligned, no markup:
    for grep, awk and cut. Opt-in rules (not in the pack) have ``opt-in:`` before
    their summary, a plugin's rules ``[plugin DIST VERSION]`` after it; ``-``
    stands for a where that only line rules have."""
    if not entries:
        return []
    wid = max(len(e["id"]) for e in entries)
    wkind = max(len(e["kind"]) for e in entries)
    wwhere = max(len(e["where"] or "-") for e in entries)
    lines = []
    for e in entries:
        summary = e["summary"].removesuffix(" (opt-in)")
        summary = summary if e["in_pack"] else f"{OPT_IN} {summary}"
        impl = e.get("implementation") or {}
        if impl.get("kind") == "plugin":  # whose code it is, for rules cleaner does not ship
            summary += f"  [plugin {impl['distribution']} {impl.get('version', '')}".rstrip() + "]"
        lines.append(f"{e['id']:<{wid}}  {e['kind']:<{wkind}}  {e['where'] or '-':<{wwhere}}  {summary}".rstrip())
    return lines


def rule_table(console: Console, pipeline: Pipeline, opt_in: Sequence[Rule]) -> None:
    """The pack's rules as a table with their positions, then the opt-in ones
    (``rules --long``)."""
    table = Table(title=f"pack {escape(pipeline.name)} ({pipeline.sha256[:12]})", title_justify="left")
    for column in ("#", "rule", "kind", "where"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary")
    for n, r in enumerate(pipeline.rules, 1):
        table.add_row(str(n), r.id, r.kind, r.where if r.kind == "line" else "", escape(r.summary))
    console.print(table)
    if opt_in:
        console.print("\n[bold]Not in this pack[/] (opt-in: add them with --enable ID or a pack's steps):")
        for r in opt_in:
            console.print(f"  {r.id}  [dim]{escape(r.summary)}[/]")
    console.print("\n`cleaner rules show ID` prints a rule's docs and examples.")


def rule_details(console: Console, rule: Rule, *, in_pack: bool, implementation: str | None = None) -> None:
    """One rule's summary, where it comes from, its pattern (declarative rules),
    options, documentation and examples (``rules show ID``)."""
    where = f", {rule.where}" if rule.kind == "line" else ""
    console.print(f"[bold]{rule.id}[/] ({rule.kind}{where}) — {escape(rule.summary)}")
    if not in_pack:
        console.print("[yellow]opt-in[/]: not in this pack; add it with --enable or a pack's steps")
    if rule.aliases:
        console.print(f"aliases: {', '.join(rule.aliases)}")
    origin = escape(rule.origin) + (f" ({escape(implementation)})" if implementation else "")
    console.print(f"[dim]defined in {origin}[/]")
    found = pattern_of(rule)
    if found:
        pattern, case_sensitive = found
        case = "case-sensitive" if case_sensitive else "case-insensitive"
        console.print(f"pattern ({case}, must match the whole stripped line): ", end="")
        console.print(pattern, markup=False, highlight=False)
        if rule.block:
            console.print("block: a match also removes the rest of the tail after it")
    if rule.options:
        console.print(f"options: {escape(str(rule.options))}")
    if rule.doc:
        console.print()
        console.print(escape(rule.doc))
    console.print("\n[bold]Examples[/]")
    for ex in rule.examples:
        label = "[green]changes[/]" if ex.changes else "[yellow]leaves alone[/]"
        if rule.kind == "filter":
            label = ("[green]drops[/]" if ex.drops else "[yellow]keeps[/]") + (f" meta {escape(str(ex.meta))}" if ex.meta else "")
        elif rule.kind == "meta":
            label = f"[green]meta[/] {escape(str(ex.meta))}"
        console.print(f"• {label}" + (f" [dim]({escape(ex.note)})[/]" if ex.note else ""))
        console.print(f"    in:  {escape(repr(ex.input))}")
        if ex.changes and not ex.drops:
            console.print(f"    out: {escape(repr(ex.expected))}")
    for corpus in rule.corpus_examples:  # a corpus rule's examples are small corpora
        label = "[green]changes[/]" if corpus.changes else "[yellow]leaves alone[/]"
        console.print(f"• {label} a corpus of {len(corpus.docs)}" + (f" [dim]({escape(corpus.note)})[/]" if corpus.note else ""))
        sites = corpus.sites or ("",) * len(corpus.docs)
        for n, (text, site, out) in enumerate(zip(corpus.docs, sites, corpus.outputs), 1):
            where = f" [{escape(site)}]" if site else ""
            console.print(f"    doc{n}{where} in:  {escape(repr(text))}")
            if out != text:
                console.print(f"    doc{n}{where} out: " + ("dropped" if out is None else escape(repr(out))))
