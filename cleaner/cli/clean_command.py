"""``cleaner clean [FILE|-]``: clean one document and print the cleaned text (or, with
``--json``, the text with its steps), read from a file or stdin (:mod:`cleaner.running.single`)."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer
import typer.core
from rich.markup import escape

from cleaner.cli import render
from cleaner.cli.base import (
    Command, _extractor, _fail, _one_local_file, _pipeline, _warn_corpus_of_one, app, err,
)
from cleaner.cli.options import (
    DisableOpt, EnableOpt, Extractor, ExtractorOpt, HeadingsOpt, InputFormatOpt, LineOpt, PackOpt,
    TextFieldOpt,
)
from cleaner.io.html import DEFAULT_EXTRACTOR
from cleaner.running.single import NoDocument, clean_document, first_document_line, read_bytes, read_file


@app.command(cls=Command)
def clean(
    file: Annotated[
        Optional[str],
        typer.Argument(
            metavar="FILE|-", show_default=False,
            help="A text, HTML, JSONL, parquet or WARC file, or - (also: nothing) for standard input, "
            "read as a .txt file is (or as --input-format says: txt, md or html).",
        ),
    ] = None,
    pack: PackOpt = None,
    headings: HeadingsOpt = None,
    disable: DisableOpt = None,
    enable: EnableOpt = None,
    line: LineOpt = None,
    text_field: TextFieldOpt = "text",
    input_format: InputFormatOpt = None,
    extractor: ExtractorOpt = Extractor.trafilatura,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print the status and every step, one line each, on stderr.")
    ] = False,
) -> None:
    """Clean one document to standard output, for shell pipelines.

    Standard output gets exactly the cleaned text, as `cleaner run` writes it;
    messages go to standard error. A document the pack drops (nothing but
    residue, empty) prints nothing, says why on stderr and exits 0, as a run
    counts it; one that fails (unreadable, a rule error) exits 1.

    Example: cat page.txt | cleaner clean - --disable 'residue/*' > page.clean.txt
    """
    pipeline = _pipeline(pack, headings, disable, enable)
    _warn_corpus_of_one(pipeline)
    fmt = input_format.value if input_format else None
    chosen = _extractor(extractor) or DEFAULT_EXTRACTOR
    try:
        if file in (None, "-"):
            if sys.stdin.isatty():
                err.print("reading one document from standard input (Ctrl-D to end it) …", highlight=False)
            cleaned = clean_document(read_bytes(sys.stdin.buffer.read(), input_format=fmt or "txt", extractor=chosen), pipeline)
        else:
            path = _one_local_file(file, "clean", "cleaner run cleans a folder")
            line = line or first_document_line(path, fmt)
            cleaned = clean_document(
                read_file(path, line=line, input_format=fmt, text_field=text_field, extractor=chosen), pipeline
            )
    except NoDocument as exc:
        raise _fail(str(exc), 2) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if verbose:
        render.steps_brief(err, cleaned)
    outcome = cleaned.outcome
    if outcome.status == "ok":
        sys.stdout.buffer.write(outcome.text.encode("utf-8"))
        sys.stdout.flush()
    elif outcome.status == "dropped":
        err.print(f"dropped {escape(cleaned.id)}: {escape(outcome.reason or '')}", highlight=False)
    else:
        err.print(f"[red]failed[/] {escape(cleaned.id)}: {escape(outcome.reason or '')}", highlight=False)
        raise typer.Exit(1)
