"""``cleaner explain FILE``: what each rule did to one document, line by line; with
``--corpus OUT|IN``, judged within its corpus (:mod:`cleaner.running.finished_run`,
:mod:`cleaner.corpus.within`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import typer.core

from cleaner.cli import render
from cleaner.cli.base import (
    Command, _extractor, _fail, _given, _one_local_file, _pipeline, _print_json, _refuse_remote, _warn,
    _warn_corpus_of_one, app, err, out,
)
from cleaner.cli.options import (
    DisableOpt, EnableOpt, ExplainExtractorOpt, ExplainTextFieldOpt, HeadingsOpt, INPUT, InputFormatOpt,
    JsonOpt, LineOpt, PackOpt,
)
from cleaner.core.engine import Pipeline
from cleaner.corpus.within import NotInCorpus, judge_in_inputs
from cleaner.document import ReadFailure
from cleaner.io.html import DEFAULT_EXTRACTOR
from cleaner.running.finished_run import NotARun, RunMismatch, judge_in_run
from cleaner.running.single import Cleaned, NoDocument, clean_document, first_document_line, read_file
from cleaner.running.worker import masked
from cleaner.running.state import WORK_DIR


@app.command(cls=Command)
def explain(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", show_default=False, help="A text, HTML, JSONL, parquet or WARC file."),
    ],
    pack: PackOpt = None,
    headings: HeadingsOpt = None,
    disable: DisableOpt = None,
    enable: EnableOpt = None,
    line: LineOpt = None,
    text_field: ExplainTextFieldOpt = None,
    input_format: InputFormatOpt = None,
    extractor: ExplainExtractorOpt = None,
    corpus: Annotated[
        Optional[Path],
        typer.Option(
            "--corpus", metavar="OUT|IN", rich_help_panel=INPUT, show_default=False,
            help="Judge FILE within its corpus, so that corpus rules (--pack corpus) show their removals: the OUT "
            "of a finished `cleaner run` (with the run's pack and options, read from OUT, and the statistics "
            "its scan kept there; a --pack, --disable, --enable or --headings given instead is said to differ "
            "and the run's inputs are scanned again with it), or the input folder (or file) FILE belongs to, "
            "scanned here.",
        ),
    ] = None,
    show_text: Annotated[bool, typer.Option("--text/--no-text", help="Also print the cleaned text.")] = True,
    json_out: JsonOpt = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v",
            help="Also print each step's characters before and after, and every changed line instead of the first 12.",
        ),
    ] = False,
) -> None:
    """Show what each rule removed or changed in one document: every removed line
    with its line number, the rule id and why (the rule's own reason, else its
    summary); every text change as inline edits.

    Alone, FILE is a corpus of one, where corpus rules find nothing; --corpus OUT
    (a finished run) or --corpus IN (its input folder) judges it within its
    corpus, as a run does: template lines ("on 9 of 12 pages of x.org") and
    duplicates ("near-duplicate of a.txt, Jaccard ≈ 0.91") show with their reasons.

    --json prints the document as its provenance.jsonl line has it (output left
    out) with the cleaned text under "text" (and, with --corpus, where the
    document sits in it under "corpus"). With --corpus OUT, the pack and options
    are the run's, read from OUT, unless --pack, --disable, --enable or
    --headings are given (a warning then says how they differ from the run's).
    Exit code 1 when the document failed, 2 when it is not in the corpus or the
    run's reading options (--text-field, --input-format, --extractor) differ.
    """
    if corpus is not None:
        _refuse_remote(corpus, "--corpus ")
    _one_local_file(file, "explain", "--corpus judges it within a folder")
    pipeline = _pipeline(pack, headings, disable, enable)
    fmt = input_format.value if input_format else None
    chosen = _extractor(extractor)
    within: dict[str, Any] | None = None
    line = line or first_document_line(file, fmt)
    if corpus is None:
        _warn_corpus_of_one(pipeline, "cleaner explain FILE --corpus OUT|IN judges it within its corpus")
        try:
            item = read_file(file, line=line, input_format=fmt, text_field=text_field or "text",
                             extractor=chosen or DEFAULT_EXTRACTOR)
        except NoDocument as exc:
            raise _fail(str(exc), 2) from None
        if isinstance(item, ReadFailure) and not json_out:
            raise _fail(f"{item.id}: {item.reason}", 1)
        cleaned = clean_document(item, pipeline, trace=not json_out)
    else:
        given = bool(pack or disable or enable or headings is not None)
        cleaned, within, pipeline = _judge_within(
            file, corpus, pipeline, line=line, text_field=text_field, input_format=fmt, trace=not json_out,
            extra=_given(headings=headings, disable=disable, enable=enable), extractor=chosen, pack_given=given,
        )
        if isinstance(cleaned.item, ReadFailure) and not json_out:
            raise _fail(f"{cleaned.id}: {cleaned.outcome.reason}", 1)
    if within is not None:
        within = masked(within, pipeline)  # the site is a URL's host: an address the pii rules mask
    if json_out:
        _print_json({**cleaned.record(pipeline, text=show_text), **({"corpus": within} if within else {})})
    else:
        render.explain(out, cleaned, pipeline, verbose=verbose, show_text=show_text, within=within)
    if cleaned.outcome.status == "failed":
        raise typer.Exit(1)



def _judge_within(
    file: Path, corpus: Path, pipeline: Pipeline, *, line: int, text_field: str | None, input_format: str | None,
    trace: bool, extra: dict[str, Any], extractor: str | None = None, pack_given: bool = True,
) -> tuple[Cleaned, dict[str, Any], Pipeline]:
    """FILE's document judged within ``corpus``: a finished run's OUT (it holds
    ``.cleaner/state.json``) or an input folder or file. Within a run, the pack
    is the run's unless ``pack_given`` (then a warning says how it differs from
    the run's). Bad usage (not in the corpus, another run's reading options)
    exits 2 with the reason. Also returns where the document sits, for the
    display and ``--json``, and the pack it was judged with."""
    if not corpus.exists():
        raise _fail(f"--corpus {corpus}: no such file or folder", 2)

    def scanning(rule_id: str, files: int) -> None:
        err.print(f"scanning {render.plural(files, 'input file')} for {rule_id} …", highlight=False)

    try:
        if (corpus / WORK_DIR / "state.json").is_file():
            found = judge_in_run(
                file, corpus, pipeline if pack_given else None, line=line, text_field=text_field,
                input_format=input_format, extra=extra, extractor=extractor, trace=trace, on_scan=scanning,
            )
            judged, kind, pipeline = found.judged, "run", found.pipeline
            if found.pack_differs:
                _warn(f"the pack or options given differ from the run's ({'; '.join(found.pack_differs)}): judged "
                      f"with them within the run's inputs at {found.root}, scanned again; without --pack, --disable, "
                      "--enable and --headings, explain takes the run's from OUT")
            differ = found.differences()
            if differ:
                _warn(f"this judgement differs from the run's provenance line in {', '.join(differ)}: the run's "
                      "line is what it wrote, this is what cleaner makes of the document now")
        else:
            if not any(r.kind == "corpus" for r in pipeline.rules):
                _warn("the pack has no corpus rules, so --corpus changes nothing (add --pack corpus)")
            judged = judge_in_inputs(
                file, corpus, pipeline, line=line, text_field=text_field or "text", input_format=input_format,
                extractor=extractor or DEFAULT_EXTRACTOR, trace=trace, on_scan=scanning,
            )
            kind = "inputs"
    except (NotARun, RunMismatch, NotInCorpus) as exc:
        raise _fail(str(exc), 2) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    doc = judged.doc
    where = {"from": kind, "path": str(corpus), "position": doc.position if doc else None, "site": doc.site if doc else None}
    return judged.cleaned, where, pipeline
