"""``cleaner report OUT``: write ``OUT/report.html``, one page showing what a finished
run removed and why (:mod:`cleaner.report`), with progress while reading provenance
and a line saying where the page is and how long it took."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from cleaner.cli.base import Command, _fail, app, err, out
from cleaner.cli.display import ReadingProgress
from cleaner.cli.render import plural
from cleaner.report import NotAReport, ReportNotWritten, build_report


def write_report(output: Path, *, input_root: Path | None, quiet: bool, console: Console,
                 documents: tuple[str, ...] = ()) -> float:
    """Build the report of the run in ``output`` with progress on ``err``, then say
    where it is on ``console``; exits 2 with a message when ``output`` holds no run.
    Returns the seconds it took."""
    try:
        with ReadingProgress(err, quiet) as progress:
            built = build_report(output, input_root=input_root, on_start=progress.start, on_line=progress.advance,
                                 documents=documents, on_phase=progress.phase)
    except NotAReport as exc:
        raise _fail(str(exc), 2) from None
    except ReportNotWritten as exc:
        raise _fail(f"{exc}; give an OUT that can be written to (or copy it somewhere that can)", 1) from None
    if not quiet:
        console.print(
            f"report: {escape(str(built.path))} ({_size(built.size)}) "
            f"from {plural(built.documents, 'document')} "
            f"in {built.seconds:.2f}s",
            highlight=False,
        )
    return built.seconds


@app.command(cls=Command)
def report(
    output: Annotated[
        Path,
        typer.Argument(metavar="OUT", show_default=False, help="The folder of a finished `cleaner run`."),
    ],
    input: Annotated[
        Optional[Path],
        typer.Option(
            "--input", metavar="IN", show_default=False,
            help="Where the run's inputs are now, to show documents before cleaning beside their output "
            "(default: the input manifest.json names).",
        ),
    ] = None,
    diff: Annotated[
        Optional[list[str]],
        typer.Option(
            "--diff", metavar="ID", show_default=False,
            help="Also show this document before and after, side by side (its id as provenance.jsonl has it); "
            "repeatable. A few documents spread over the run are shown anyway.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Write OUT/report.html: one page showing what the run in OUT removed and why.

    The page is one self-contained file (no script, no network): documents by status and drop reason,
    characters in and out, every rule with how often it fired, what it removed and
    ten examples, the share removed per document, the documents that lost most,
    sites' templates, duplicate clusters, languages, filter drops, and a few
    documents before and after, side by side.

    Built from OUT's manifest.json and provenance (plain, .gz or .zst; full or
    light) in one streaming pass; the texts before cleaning are read again from the
    run's input when it is still there (the page says when it is not). Personal
    data the run masked (pii/*) is masked there too.

    Exit codes: 0 written; 2 OUT holds no finished run (no manifest.json or no
    provenance, or its run was stopped before it finished), or its provenance is
    damaged (the message says where); 1 the page could not be written into OUT.
    """
    write_report(output, input_root=input, quiet=quiet, console=out, documents=tuple(diff or ()))


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:,.1f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:,.0f} KB"
