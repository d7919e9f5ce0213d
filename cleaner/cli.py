"""The command line: argument parsing and display only; the work is library calls."""

from __future__ import annotations

import difflib
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cleaner import __version__
from cleaner.engine import Pipeline
from cleaner.io.html import DEFAULT_TIME_LIMIT
from cleaner.display import progress_for
from cleaner.document import ReadFailure, document_meta
from cleaner.io.readers import FORMATS, InputFile, format_of, iter_raw_items, load_document
from cleaner.outputs import OutputOptions
from cleaner.pack import load_pack
from cleaner.rule import Rule, RuleError
from cleaner.run import RunError, RunOptions, RunReport, run_corpus

app = typer.Typer(
    name="cleaner",
    help="Turn scraped text and HTML into clean corpora, with a record of every removal.",
    epilog=(
        "Loading a pack reads its patterns once and keeps the readings in a cache folder "
        "(CLEANER_CACHE_DIR, else the user cache folder, e.g. ~/.cache/cleaner); "
        "CLEANER_CACHE_DIR='' turns the cache off."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
rules_app = typer.Typer(help="List the rules of a pack, or show one rule's docs and examples.")
app.add_typer(rules_app, name="rules")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class InputFormat(str, Enum):
    txt = "txt"
    md = "md"
    html = "html"
    jsonl = "jsonl"
    parquet = "parquet"
    warc = "warc"


class OutputFormat(str, Enum):
    txt = "txt"
    jsonl = "jsonl"
    parquet = "parquet"


class Compression(str, Enum):
    gz = "gz"
    zst = "zst"


class HeadingStyle(str, Enum):
    markdown = "markdown"
    plain = "plain"
    keep = "keep"


PackOpt = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--pack",
        "-p",
        help="Extra pack file or folder, or a built-in pack by name (page-dump), applied on top of the default pack; repeatable. See rules/README.md.",
        show_default=False,
    ),
]
HeadingsOpt = Annotated[
    HeadingStyle,
    typer.Option(help="How to write detected headings: markdown (# Title), plain (markup removed) or keep (as found)."),
]


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _pipeline(packs: list[Path] | None, headings: HeadingStyle) -> Pipeline:
    try:
        return load_pack(packs or (), options={"headings/normalise": {"style": headings.value}})
    except RuleError as exc:  # PackError included: exit 2 before any work
        raise _fail(str(exc), 2) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Turn scraped text and HTML into clean corpora, with a record of every removal."""


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@app.command()
def run(
    input: Annotated[Path, typer.Argument(metavar="IN", help="A file or folder (searched recursively) of .txt, .md, .html/.htm, .jsonl[.gz|.zst], .parquet and .warc[.gz].")],
    output: Annotated[Path, typer.Argument(metavar="OUT", help="Folder for cleaned files, provenance.jsonl and manifest.json.")],
    pack: PackOpt = None,
    headings: HeadingsOpt = HeadingStyle.markdown,
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: all cores. Output is identical for any value.")
    ] = None,
    text_field: Annotated[str, typer.Option(help="Field that holds the text in JSONL and parquet records.")] = "text",
    input_format: Annotated[
        Optional[InputFormat], typer.Option(help="Read every input file as this format, whatever its name. Default: by file ending.")
    ] = None,
    output_format: Annotated[
        Optional[OutputFormat],
        typer.Option(help="txt: one .txt per document; jsonl or parquet: all documents in shards part-00000.*. Default: follow the input."),
    ] = None,
    shard_size: Annotated[
        Optional[int], typer.Option(min=1, help="Documents per output shard (about; shards close between batches). Implies sharding.")
    ] = None,
    compress: Annotated[
        Optional[Compression], typer.Option(help="Compress JSONL outputs with gzip or zstd. Default: as the input.")
    ] = None,
    html_timeout: Annotated[
        float, typer.Option(help="Seconds trafilatura may spend on one HTML page before it is 'failed'.")
    ] = DEFAULT_TIME_LIMIT,
    html_metadata: Annotated[
        bool,
        typer.Option(help="Keep the title, author, date and site name of HTML pages in the metadata. "
                     "--no-html-metadata skips trafilatura's metadata search: about 40 % faster on HTML, same text."),
    ] = True,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Start over in an OUT that holds another run (or other files), instead of refusing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Clean a corpus: IN (file or folder) → OUT.

    Writes one cleaned .txt per text or HTML document (mirroring IN's tree), one
    output per JSONL, parquet or WARC file (same records, cleaned text),
    [bold]provenance.jsonl[/] (one line per document: status, source sha256, every
    removal and change with its rule id) and [bold]manifest.json[/].

    A run that was interrupted (Ctrl-C, kill, crash) finishes the rest when started
    again with the same arguments; OUT holding a run with other inputs, pack or
    options is refused unless --overwrite.

    Exit codes: 0 every document ok or dropped; 1 some documents failed (see the
    summary and provenance); 2 bad usage, pack or OUT, nothing done.
    """
    pipeline = _pipeline(pack, headings)
    try:
        output_options = OutputOptions(
            format=output_format.value if output_format else None,
            shard_size=shard_size,
            compress=compress.value if compress else None,
        )
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    options = RunOptions(
        output=output_options,
        text_field=text_field,
        html_seconds=html_timeout,
        html_metadata=html_metadata,
        input_format=input_format.value if input_format else None,
        jobs=jobs or _default_jobs(),
        overwrite=overwrite,
        extra={"headings": headings.value},
    )
    try:
        with progress_for(err, quiet) as progress:
            report = run_corpus(input, output, pipeline, options, progress=progress)
    except RunError as exc:
        raise _fail(str(exc), 2) from None
    if not quiet:
        if report.already_complete:
            out.print(f"{escape(str(output))} already holds this run, complete; nothing to do (--overwrite to redo it).")
        _print_summary(report, output, pipeline)
    raise typer.Exit(report.exit_code)


def _print_summary(report: RunReport, output: Path, pipeline: Pipeline) -> None:
    removed = report.chars_in - report.chars_out
    share = f" ({removed / report.chars_in:.1%})" if report.chars_in else ""
    out.print(
        f"[bold]{report.documents}[/] documents: [green]{report.status['ok']} ok[/], "
        f"[yellow]{report.status['dropped']} dropped[/], [red]{report.status['failed']} failed[/] "
        f"in {report.seconds:.2f}s · pack {escape(pipeline.name)} ({pipeline.sha256[:12]})"
    )
    out.print(f"characters: {report.chars_in:,} in, {report.chars_out:,} out, {removed:,} removed{share}")
    if report.resumed_units:
        out.print(f"resumed: {report.resumed_units} units were already done by an earlier, interrupted run")
    if report.rules:
        table = Table("rule", "changes", title="top rules", title_justify="left", box=None, padding=(0, 2))
        for rule_id, count in report.rules.most_common(10):
            table.add_row(rule_id, str(count))
        out.print(table)
    for reason, count in report.drops.most_common(5):
        out.print(f"[yellow]dropped[/] {count} × {escape(reason)}")
    for failure in report.failures[:10]:
        out.print(f"[red]failed[/] {escape(failure['id'])}: {escape(failure['reason'])}")
    if len(report.failures) > 10:
        out.print(f"[red]… and {len(report.failures) - 10} more failures[/] (see provenance.jsonl)")
    out.print(f"outputs in {escape(str(output))}/ · provenance.jsonl · manifest.json")


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="A text, HTML, JSONL, parquet or WARC file.", exists=True, dir_okay=False)],
    pack: PackOpt = None,
    headings: HeadingsOpt = HeadingStyle.markdown,
    line: Annotated[int, typer.Option(help="Record files: which record (JSONL line, parquet row or WARC record number, 1-based).")] = 1,
    text_field: Annotated[str, typer.Option(help="JSONL field that holds the text.")] = "text",
    show_text: Annotated[bool, typer.Option("--text/--no-text", help="Also print the cleaned text.")] = True,
) -> None:
    """Show what each rule removed or changed in one document: every removed line
    with its line number, the rule id and why (the rule's own reason, else its
    summary); every text change as inline edits."""
    pipeline = _pipeline(pack, headings)
    fmt = format_of(file.name)
    if fmt is None:
        raise _fail(f"{file}: unknown file ending; cleaner reads {', '.join(FORMATS)}", 2)
    raws = iter_raw_items(InputFile(file, file.name, fmt))
    raw = next((r for r in raws if r.position in (None, line)), None)
    if raw is None:
        raise _fail(f"{file}: no record number {line}", 2)
    item = load_document(raw, text_field=text_field)
    if isinstance(item, ReadFailure):
        raise _fail(f"{item.id}: {item.reason}", 1)
    outcome = pipeline.clean(item.text, trace=True)
    out.rule(f"[bold]{escape(item.id)}[/] · {outcome.status}" + (f" ({escape(outcome.reason)})" if outcome.reason else ""))
    if not outcome.steps:
        out.print("no rule changed anything")
    summaries = {r.id: r.summary for r in pipeline.rules}
    for step in outcome.steps:
        if step.action == "removed":
            why = step.why or summaries.get(step.rule, "")
            out.print(
                f"[red]- {escape(step.text or '')}[/]  [dim]line {step.line}[/]  [cyan]{step.rule}[/]"
                + (f"  [dim]{escape(why)}[/]" if why else "")
            )
        else:
            out.print(f"[cyan]{step.rule}[/] changed {step.chars_before} → {step.chars_after} chars")
            for diff_line in _changed_lines(step.before or "", step.after or ""):
                out.print(diff_line, highlight=False)
    meta = document_meta(item.meta, outcome.meta)
    if meta:
        out.print(f"[bold]meta[/] {escape(str(meta))}")
    if show_text and outcome.status == "ok":
        out.rule("cleaned text")
        out.print(outcome.text, markup=False, highlight=False, end="")


def _changed_lines(before: str, after: str, limit: int = 12) -> list[str]:
    """The lines a text rule changed (at most ``limit``): a changed line shows only
    its edits in context, removed blank lines are counted, added ones marked."""
    old, new = before.split("\n"), after.split("\n")
    shown: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and a1 - a0 == b1 - b0:
            shown += [f"  {_inline_diff(x, y)}" for x, y in zip(old[a0:a1], new[b0:b1])]
            continue
        gone = old[a0:a1]
        blank = sum(1 for x in gone if not x.strip())
        shown += [f"  [red]- {escape(_visible(x))}[/]" for x in gone if x.strip()]
        if blank:
            shown.append(f"  [red]- {blank} blank line{'s' if blank > 1 else ''}[/]")
        added = new[b0:b1]
        shown += [f"  [green]+ {escape(_visible(x))}[/]" for x in added if x.strip()]
        if any(not x.strip() for x in added):
            shown.append("  [green]+ line break[/]")
    if len(shown) > limit:
        shown = shown[:limit] + [f"  [dim]… {len(shown) - limit} more[/]"]
    return shown


def _inline_diff(a: str, b: str, context: int = 30) -> str:
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
            parts.append(f"[red]\\[-{escape(_visible(a[a0:a1]))}-][/]")
        if b1 > b0:
            parts.append(f"[green]{{+{escape(_visible(b[b0:b1]))}+}}[/]")
    return "".join(parts)


def _visible(text: str) -> str:
    """Show invisible characters so a whitespace change can be seen."""
    if text.isprintable() and text == text.strip():
        return text
    return repr(text)[1:-1].replace(" ", "·")


@rules_app.callback(invoke_without_command=True)
def rules_list(ctx: typer.Context, pack: PackOpt = None) -> None:
    """List the rules of the active pack, in order, with their summaries."""
    if ctx.invoked_subcommand:
        return
    pipeline = _pipeline(pack, HeadingStyle.markdown)
    table = Table(title=f"pack {pipeline.name} ({pipeline.sha256[:12]})", title_justify="left")
    for column in ("#", "rule", "kind", "where"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary")
    for n, r in enumerate(pipeline.rules, 1):
        table.add_row(str(n), r.id, r.kind, r.where if r.kind == "line" else "", r.summary)
    out.print(table)
    from cleaner.registry import builtin_rules

    active = {r.id for r in pipeline.rules}
    optional = [r for r in builtin_rules() if r.id not in active]
    if optional:
        out.print("\n[bold]Not in this pack[/] (add them with a pack's steps):")
        for r in optional:
            out.print(f"  {r.id}  [dim]{escape(r.summary)}[/]")
    out.print("\n`cleaner rules show ID` prints a rule's docs and examples.")


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument(help="A rule id such as whitespace/collapse-inline-runs.")], pack: PackOpt = None) -> None:
    """Print one rule's documentation and examples."""
    from cleaner.registry import builtin_rules

    pipeline = _pipeline(pack, HeadingStyle.markdown)
    candidates: list[Rule] = [*pipeline.rules, *builtin_rules()]
    found = next((r for r in candidates if rule_id in (r.id, *r.aliases)), None)
    if found is None:
        raise _fail(f"unknown rule id {rule_id!r} (see `cleaner rules`)", 2)
    out.print(f"[bold]{found.id}[/] ({found.kind}{', ' + found.where if found.kind == 'line' else ''}) — {escape(found.summary)}")
    if found.aliases:
        out.print(f"aliases: {', '.join(found.aliases)}")
    out.print(f"[dim]defined in {escape(found.origin)}[/]")
    if found.options:
        out.print(f"options: {escape(str(found.options))}")
    if found.doc:
        out.print()
        out.print(escape(found.doc))
    out.print("\n[bold]Examples[/]")
    for ex in found.examples:
        label = "[green]changes[/]" if ex.changes else "[yellow]leaves alone[/]"
        if found.kind == "meta":
            label = f"[green]meta[/] {escape(str(ex.meta))}"
        out.print(f"• {label}" + (f" [dim]({escape(ex.note)})[/]" if ex.note else ""))
        out.print(f"    in:  {escape(repr(ex.input))}")
        if ex.changes:
            out.print(f"    out: {escape(repr(ex.expected))}")


def main() -> None:
    """Entry point of the ``cleaner`` script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
