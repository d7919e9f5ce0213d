"""``cleaner run IN OUT``: clean a corpus into a folder (:func:`cleaner.running.run.run_corpus`),
showing progress and then a summary; resumable after Ctrl-C or a crash."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
import typer.core
from rich.markup import escape

from cleaner.cli import render
from cleaner.cli.base import Command, _fail, _given, _pipeline, app, err, out
from cleaner.cli.display import progress_for
from cleaner.cli.options import (
    Compression, DisableOpt, EnableOpt, Extractor, ExtractorOpt, HeadingsOpt, INPUT, InputFormatOpt, OUTPUT,
    OutputFormat, PERFORMANCE, PackOpt, ProvenanceLevel, TextFieldOpt, _default,
)
from cleaner.io.html import DEFAULT_TIME_LIMIT
from cleaner.running.outputs import OutputOptions
from cleaner.running.parallel import SIGTERM_EXIT, Terminated, sigterm_interrupts, warm_up
from cleaner.running.plan import RunError, RunOptions, small_input
from cleaner.running.run import RunInterrupted, run_corpus


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

RUN_EXAMPLES = """[bold]Examples[/]

  cleaner run scraped/ out/                          clean a folder with the default pack
  cleaner run shard.jsonl.zst out/ --pack my-site.toml --disable 'residue/follow-*'
  cleaner run dump/ out/ --pack page-dump --output-format jsonl --shard-size 50000 -j 8

Run the same command again after Ctrl-C or a crash: it resumes where it stopped."""

@app.command(cls=Command, epilog=RUN_EXAMPLES)
def run(
    input: Annotated[
        Path,
        typer.Argument(
            metavar="IN", show_default=False,
            help="A file or folder (searched recursively) of .txt, .md, .html/.htm (each also .gz or .zst), "
            ".jsonl, .ndjson and .json (JSON Lines, each also .gz or .zst), .parquet, .warc[.gz] and "
            "Common Crawl's .warc.wet.gz (.wet[.gz]).",
        ),
    ],
    output: Annotated[
        Path,
        typer.Argument(metavar="OUT", show_default=False, help="Folder for cleaned files, provenance.jsonl and manifest.json."),
    ],
    text_field: TextFieldOpt = "text",
    input_format: InputFormatOpt = None,
    html_timeout: Annotated[
        float,
        typer.Option(metavar="SECONDS", rich_help_panel=INPUT, help="Time trafilatura may spend on one HTML page before it is 'failed'."),
    ] = DEFAULT_TIME_LIMIT,
    html_metadata: Annotated[
        bool,
        typer.Option(
            rich_help_panel=INPUT,
            help="Keep the title, author, date and site name of HTML pages in the metadata. "
            "--no-html-metadata skips trafilatura's metadata search: about 40 % faster on HTML, same text.",
        ),
    ] = True,
    extractor: ExtractorOpt = Extractor.trafilatura,
    keep_error_pages: Annotated[
        bool,
        typer.Option(
            "--keep-error-pages", rich_help_panel=INPUT,
            help="Clean WARC responses with an HTTP error status (4xx, 5xx) as documents too. Without it they are "
            "passed over and counted by status (\"response 404\") in the summary and in manifest.json's skipped_records.",
        ),
    ] = False,
    output_format: Annotated[
        Optional[OutputFormat],
        typer.Option(
            metavar="txt|jsonl|parquet", rich_help_panel=OUTPUT, show_default=False,
            help="txt: one .txt per document; jsonl or parquet: all documents in shards part-00000.*. "
            + _default("follow the input"),
        ),
    ] = None,
    shard_size: Annotated[
        Optional[int],
        typer.Option(
            metavar="N", min=1, rich_help_panel=OUTPUT, show_default=False,
            help="Documents per output shard (about; shards close between batches). Implies sharding. "
            + _default("10000 when sharding"),
        ),
    ] = None,
    compress: Annotated[
        Optional[Compression],
        typer.Option(
            metavar="gz|zst", rich_help_panel=OUTPUT, show_default=False,
            help="Compress record outputs with gzip or zstd: JSONL files whole, parquet files by that codec "
            "(instead of snappy). .txt outputs stay plain: a run that writes only .txt refuses it. "
            + _default("as the input"),
        ),
    ] = None,
    provenance_compress: Annotated[
        Optional[Compression],
        typer.Option(
            metavar="gz|zst", rich_help_panel=OUTPUT, show_default=False,
            help="Write provenance.jsonl.gz or provenance.jsonl.zst instead of provenance.jsonl (explain --corpus "
            "and resume read it as well). " + _default("not compressed"),
        ),
    ] = None,
    provenance_level: Annotated[
        ProvenanceLevel,
        typer.Option(
            metavar="full|light", rich_help_panel=OUTPUT,
            help="light: each step keeps its rule, action, line number and lengths, not the removed line's text "
            "(the input still has it) nor its reason (a corpus rule's stays: it names the site or the kept copy).",
        ),
    ] = ProvenanceLevel.full,
    make_report: Annotated[
        bool,
        typer.Option(
            "--report", rich_help_panel=OUTPUT,
            help="At the end, also write OUT/report.html: one page showing what was removed and why "
            "(as `cleaner report OUT` does).",
        ),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", rich_help_panel=OUTPUT,
            help="Start over in an OUT that holds another run (or other files), instead of refusing.",
        ),
    ] = False,
    pack: PackOpt = None,
    headings: HeadingsOpt = None,
    disable: DisableOpt = None,
    enable: EnableOpt = None,
    jobs: Annotated[
        Optional[int],
        typer.Option(
            "--jobs", "-j", metavar="N", min=1, rich_help_panel=PERFORMANCE, show_default=False,
            help="Worker processes; the output is identical for any value. " + _default("all cores"),
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print nothing but errors, pack warnings and, if any failed, the count of failed documents."),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v",
            help="Also print the resolved pack (every step with its options) before the run, and every rule, "
            "drop reason and failure in the summary instead of the top few.",
        ),
    ] = False,
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
    summary and provenance), or IN gave no documents at all; 2 bad usage, pack
    or OUT, nothing done; 130 interrupted (Ctrl-C), 143 terminated (SIGTERM, as
    Slurm and Kubernetes send), the finished part kept for the next run either way.
    """
    if (jobs or _default_jobs()) > 1 and not small_input(input):  # the forkserver loads the packs meanwhile
        warm_up({"packs": [str(p) for p in pack or ()], "disable": list(disable or ()), "enable": list(enable or ())})
    pipeline = _pipeline(pack, headings, disable, enable)
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
        extractor=extractor.value,
        input_format=input_format.value if input_format else None,
        keep_error_pages=keep_error_pages,
        provenance_compress=provenance_compress.value if provenance_compress else None,
        provenance_level=provenance_level.value,
        jobs=jobs or _default_jobs(),
        overwrite=overwrite,
        extra=_given(headings=headings, disable=disable, enable=enable),
    )
    if verbose and not quiet:
        render.pack_steps(err, pipeline)
    try:
        with sigterm_interrupts(), progress_for(err, quiet) as progress:
            report = run_corpus(input, output, pipeline, options, progress=progress)
    except RunError as exc:
        raise _fail(str(exc), 2) from None
    except RunInterrupted as stop:
        err.print(render.interrupted_line(stop, output), highlight=False)
        raise typer.Exit(SIGTERM_EXIT if stop.terminated else 130) from None
    except KeyboardInterrupt as stop:  # before any unit was under way: reading the inputs, preparing OUT
        terminated = isinstance(stop, Terminated)
        err.print(f"{render.stopped_by(terminated)} before cleaning began; nothing kept", highlight=False)
        raise typer.Exit(SIGTERM_EXIT if terminated else 130) from None
    if quiet:
        line = render.failed_line(report, output)
        if line:
            err.print(line, highlight=False)
    else:
        if report.already_complete:
            out.print(f"{escape(str(output))} already holds this run, complete; nothing to do (--overwrite to redo it).")
        render.run_summary(out, report, output, pipeline, verbose=verbose)
    if make_report and report.documents:
        from cleaner.cli.report_command import write_report  # here: importing it first would list it first in --help

        seconds = write_report(output, input_root=None, quiet=quiet, console=out)
        if not quiet and not report.already_complete:
            out.print(f"run {report.seconds:.2f}s · report {seconds:.2f}s", highlight=False)
    nothing = render.no_documents_line(report, input)
    if nothing:
        err.print(f"[bold red]error:[/] {escape(nothing)}", highlight=False)
    raise typer.Exit(report.exit_code)
