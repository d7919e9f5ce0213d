"""The command line: argument parsing and display only; the work is library calls
(:func:`cleaner.loading.pack.load_pack`, :func:`cleaner.running.run.run_corpus`,
:mod:`cleaner.running.single`, :mod:`cleaner.loading.describe`), the text for people is
:mod:`cleaner.cli.render`'s.

A command-line option overrides a pack only when it is given: ``--headings``
unset leaves the pack's ``[options."headings/normalise"]`` (or the rule's default)
in force.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from cleaner.cli import render
from cleaner.core.version import __version__
from cleaner.loading.describe import opt_in_rules, pack_listing, rule_details
from cleaner.cli.display import progress_for
from cleaner.document import ReadFailure
from cleaner.core.engine import Pipeline
from cleaner.io.html import DEFAULT_EXTRACTOR, DEFAULT_TIME_LIMIT, ExtractorUnavailable, require_extractor
from cleaner.running.outputs import OutputOptions
from cleaner.loading.pack import PackWarning, load_pack
from cleaner.loading.registry import unknown_rule_message
from cleaner.core.rule import Rule, RuleError
from cleaner.running.parallel import SIGTERM_EXIT, Terminated, sigterm_interrupts, warm_up
from cleaner.running.plan import RunError, RunOptions, remote, scheme_path, small_input
from cleaner.running.run import RunInterrupted, run_corpus
from cleaner.corpus.within import NotInCorpus, judge_in_inputs
from cleaner.running.finished_run import NotARun, RunMismatch, judge_in_run
from cleaner.running.single import Cleaned, NoDocument, clean_document, first_document_line, read_bytes, read_file
from cleaner.running.state import WORK_DIR

#: ``-h`` as well as ``--help``, on every command (subcommands inherit it).
CONTEXT = {"help_option_names": ["-h", "--help"]}

#: Help panels, as in ruff's help: what to read, what to write, which rules, how fast.
INPUT, OUTPUT, RULES, PERFORMANCE = "Input", "Output", "Rules", "Performance"


def _unwrapped(help_text: str) -> str:
    """A docstring's paragraphs as one line each, for the terminal to wrap.

    typer keeps a docstring's line breaks in rich mode, so a paragraph wrapped at
    80 columns in the source broke mid-sentence on any other width. A paragraph
    with an indented line (examples) or that starts with ``\b`` keeps its lines."""
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") or any(line.startswith(" ") for line in p.splitlines()) else " ".join(p.split("\n"))
        for p in paragraphs
    )


class _PlainHelp:
    """Help without type noise: a flag (``--quiet``, ``-h``) shows no ``<bool>``,
    an argument with a metavar of its own (``IN``, ``FILE|-``) no ``<path>`` or
    ``<str>`` beside it; a docstring's paragraphs wrap at the terminal's width
    (:func:`_unwrapped`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        help_text = getattr(self, "help", None)
        if help_text:
            self.help = _unwrapped(help_text)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if param.param_type_name == "argument" and param.metavar:
                param.display_type_rich = _no_type  # typer 0.29
                if hasattr(param, "type"):  # typer 0.28 asks the type for its metavar
                    param.type = _untyped(param.type)
            elif getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


def _no_type(ctx: Any = None) -> None:
    return None


def _untyped(kind: Any) -> Any:
    """The same parameter type (a copy), naming no metavar in help."""
    if getattr(kind, "_cleaner_untyped", False):
        return kind
    quiet = copy.copy(kind)
    quiet.__class__ = type(f"Untyped{type(kind).__name__}", (type(kind),),
                           {"get_metavar": lambda self, *a, **k: "", "_cleaner_untyped": True})
    return quiet


class Command(_PlainHelp, typer.core.TyperCommand):
    """A command whose usage line names its arguments plainly (``IN OUT``,
    ``[FILE|-]``) rather than typer's ``{IN} {OUT}``."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class Group(_PlainHelp, typer.core.TyperGroup):
    """A command group with the same plain help."""


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
    context_settings=CONTEXT,
    cls=Group,
)
rules_app = typer.Typer(
    help="List the rules of a pack, one line each ([bold]id  kind  where  summary[/], for grep; opt-in rules "
    "have \"opt-in:\" before their summary), or show one rule's docs and examples with `rules show ID`.",
    short_help="List the rules of a pack, or show one rule's docs and examples.",
    context_settings=CONTEXT,
    rich_markup_mode="rich",
    cls=Group,
)
app.add_typer(rules_app, name="rules")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _default(text: str) -> str:
    """A ``[default: …]`` note for help texts where typer cannot show one itself
    (the default is not a plain value); escaped, help texts are rich markup."""
    return escape(f"[default: {text}]")


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


class ProvenanceLevel(str, Enum):
    full = "full"
    light = "light"


class Extractor(str, Enum):
    trafilatura = "trafilatura"
    resiliparse = "resiliparse"


class HeadingStyle(str, Enum):
    markdown = "markdown"
    plain = "plain"
    keep = "keep"


# --- options shared by several commands ---------------------------------------------

PackOpt = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--pack", "-p", metavar="FILE|DIR|NAME", rich_help_panel=RULES, show_default=False,
        help="A pack file or folder, or a built-in pack by name (page-dump), applied on top of the default pack; "
        "repeatable. See rules/README.md.",
    ),
]
HeadingsOpt = Annotated[
    Optional[HeadingStyle],
    typer.Option(
        metavar="markdown|plain|keep", rich_help_panel=RULES, show_default=False,
        help="How to write detected headings: markdown (# Title), plain (markup removed) or keep (as found). " +
        escape("Given, it overrides a pack's [options.\"headings/normalise\"] style. ") + _default("the pack's, else markdown"),
    ),
]
DisableOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--disable", metavar="ID", rich_help_panel=RULES, show_default=False,
        help="Leave a rule out of the pack: an id or a glob such as 'residue/*'; repeatable.",
    ),
]
EnableOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--enable", metavar="ID", rich_help_panel=RULES, show_default=False,
        help="Add an opt-in rule at its natural place (encoding/uncurl-quotes, page/main-text, ...; "
        "`cleaner rules | grep opt-in` lists them); repeatable.",
    ),
]
TextFieldOpt = Annotated[
    str, typer.Option(metavar="FIELD", rich_help_panel=INPUT, help="Field that holds the text in JSONL and parquet records.")
]
ExplainTextFieldOpt = Annotated[
    Optional[str],
    typer.Option(
        metavar="FIELD", rich_help_panel=INPUT, show_default=False,
        help="Field that holds the text in JSONL and parquet records. " + _default("text; with --corpus OUT, the run's"),
    ),
]
InputFormatOpt = Annotated[
    Optional[InputFormat],
    typer.Option(
        metavar="FORMAT", rich_help_panel=INPUT, show_default=False,
        help="Read the input as this format, whatever its name: txt, md, html, jsonl, parquet or warc. "
        + _default("by file ending"),
    ),
]
_EXTRACTOR_HELP = (
    "What finds the main text of HTML pages and WARC responses. trafilatura: the more precise on articles "
    "(F1 on the dev sets scrapinghub 0.956, readability 0.931, sites 0.719, news-sites 0.851; chosen on "
    "three of them and scored on the fourth, it is the choice in every fold); metadata (author, date) from anywhere in the page. resiliparse: 7-14x faster, "
    "rules included (README, Speed); F1 0.940, 0.941, 0.700, 0.845 on the same sets: ahead on readability, behind on "
    "articles (0.873 vs 0.934 on sites) and listings; with --pack corpus ahead on news (0.910 vs 0.893) and "
    "behind on sites (0.734 vs 0.776); metadata only from the page's <head>; needs "
    + escape("pip install 'cleaner[resiliparse]'") + ". See docs/extractors.md. "
)
ExtractorOpt = Annotated[
    Extractor,
    typer.Option(metavar="NAME", rich_help_panel=INPUT, help=_EXTRACTOR_HELP),
]
ExplainExtractorOpt = Annotated[
    Optional[Extractor],
    typer.Option(
        metavar="NAME", rich_help_panel=INPUT, show_default=False,
        help=_EXTRACTOR_HELP + _default("trafilatura; with --corpus OUT, the run's"),
    ),
]
LineOpt = Annotated[
    Optional[int],
    typer.Option(
        metavar="N", min=1, rich_help_panel=INPUT, show_default=False,
        help="Record files: which record (JSONL line, parquet row, or WARC record counting every record, "
        "1-based). " + _default("the first document"),
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (shape in README) instead of text.")]


# --- helpers ------------------------------------------------------------------------


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _extractor(choice: Extractor | None) -> str | None:
    """The extractor's name once it is known to run here; one that is not installed
    exits 2 with the command that installs it."""
    if choice is None:
        return None
    try:
        require_extractor(choice.value)
    except ExtractorUnavailable as exc:
        raise _fail(str(exc), 2) from None
    return choice.value


def _warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}")


def _pipeline(
    packs: list[Path] | None,
    headings: HeadingStyle | None = None,
    disable: list[str] | None = None,
    enable: list[str] | None = None,
) -> Pipeline:
    """The pack the options describe; a bad pack exits 2 before any work. Only
    the options given on the command line are passed, so a pack's own options
    stand otherwise. Warnings from loading (a shadowed rule, a plugin left out)
    go to stderr."""
    options = {"headings/normalise": {"style": headings.value}} if headings is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PackWarning)  # kept in pipeline.warnings: shown below, once each
        try:
            pipeline = load_pack(packs or (), options=options, disable=disable or (), enable=enable or ())
        except RuleError as exc:  # PackError included
            raise _fail(str(exc), 2) from None
    for message in dict.fromkeys(pipeline.warnings):
        _warn(message)
    return pipeline


def _warn_corpus_of_one(pipeline: Pipeline, remedy: str = "cleaner run applies them to a whole corpus") -> None:
    """One document is a corpus of its own: say that corpus rules find nothing in
    it, and what to do instead (``remedy``)."""
    among = [r.id for r in pipeline.rules if r.kind == "corpus"]
    if among:
        _warn(f"{', '.join(among)} judge a document by the rest of the corpus; one document alone is a corpus "
              f"of one, where they find nothing ({remedy})")


def _given(**options: Any) -> dict[str, Any]:
    """The rule options given on the command line (None and empty ones are not),
    as plain values: what a run's manifest records as given."""
    found: dict[str, Any] = {}
    for name, value in options.items():
        if value is None or value == []:
            continue
        found[name] = value.value if isinstance(value, Enum) else value
    return found


def _print_json(document: Any) -> None:
    """One JSON document on stdout, plain (no colour, whatever the terminal)."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def _version(value: bool) -> None:
    if value:
        out.print(f"cleaner {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Turn scraped text and HTML into clean corpora, with a record of every removal."""


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# --- cleaner run --------------------------------------------------------------------

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
    nothing = render.no_documents_line(report, input)
    if nothing:
        err.print(f"[bold red]error:[/] {escape(nothing)}", highlight=False)
    raise typer.Exit(report.exit_code)


# --- cleaner clean ------------------------------------------------------------------


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


# --- cleaner explain ----------------------------------------------------------------


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
    if json_out:
        _print_json({**cleaned.record(pipeline, text=show_text), **({"corpus": within} if within else {})})
    else:
        render.explain(out, cleaned, pipeline, verbose=verbose, show_text=show_text, within=within)
    if cleaned.outcome.status == "failed":
        raise typer.Exit(1)


def _refuse_remote(path: str | Path, role: str = "") -> None:
    """A remote path (``s3://…``) refused by name, as written: ``Path`` folds
    ``s3://b/x`` into ``s3:/b/x``, which would then "not exist"."""
    if remote(path):
        raise _fail(f"{role}{scheme_path(Path(path))}: remote paths are not supported; copy it here first "
                    "(see docs/ray.md to clean a remote corpus where it is)", 2)


def _one_local_file(file: str | Path, command: str, folder_hint: str) -> Path:
    """The one document ``clean`` or ``explain`` takes: a local file, else a
    clear refusal (remote, a folder, missing)."""
    _refuse_remote(file)
    path = Path(file)
    if path.is_dir():
        raise _fail(f"{path} is a folder: cleaner {command} takes one document ({folder_hint})", 2)
    if not path.is_file():
        raise _fail(f"{path}: no such file", 2)
    return path


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


# --- cleaner rules ------------------------------------------------------------------


def _available(pipeline: Pipeline) -> tuple[list[Rule], Any]:
    """Every rule a pack could name: the pack's own in order, then the others the
    pack's registry holds (built-ins, plugins, pack rules, those --disable took
    out); and who implements each, by rule id."""
    registry = pipeline.registry
    known = {r.id for r in pipeline.rules}
    rules = [*pipeline.rules, *(r for r in registry if r.id not in known)]
    return rules, registry.implementation


@rules_app.callback(invoke_without_command=True)
def rules_list(
    ctx: typer.Context,
    pack: PackOpt = None,
    headings: HeadingsOpt = None,
    disable: DisableOpt = None,
    enable: EnableOpt = None,
    long: Annotated[bool, typer.Option("--long", "-l", help="A table with positions, and the opt-in rules apart.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """List the rules of the pack, in order, then the opt-in ones: one line per
    rule, [bold]id  kind  where  summary[/], for grep (opt-in rules have
    "opt-in:" before their summary; "-": not a line rule). `cleaner rules show ID`
    prints one rule's docs and examples."""
    if ctx.invoked_subcommand:
        return
    pipeline = _pipeline(pack, headings, disable, enable)
    available, implementation_of = _available(pipeline)
    listing = pack_listing(pipeline, available, implementation_of)
    if json_out:
        _print_json(listing)
    elif long:
        render.rule_table(out, pipeline, opt_in_rules(pipeline, available))
    else:
        for text in render.rule_lines(listing["rules"]):
            out.print(text, markup=False, highlight=False)


@rules_app.command("show", cls=Command)
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID", show_default=False, help="A rule id such as whitespace/collapse-inline-runs.")],
    pack: PackOpt = None,
    headings: HeadingsOpt = None,
    disable: DisableOpt = None,
    enable: EnableOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Print one rule's documentation, pattern (declarative rules), options and examples."""
    pipeline = _pipeline(pack, headings, disable, enable)
    available, implementation_of = _available(pipeline)
    position = next((n for n, r in enumerate(pipeline.rules, 1) if rule_id in (r.id, *r.aliases)), None)
    found = next((r for r in available if rule_id in (r.id, *r.aliases)), None)
    if found is None:
        raise _fail(unknown_rule_message(rule_id, [i for r in available for i in (r.id, *r.aliases)]), 2)
    if json_out:
        _print_json(rule_details(found, position, implementation_of))
        return
    try:
        described = implementation_of(found.id).describe()
    except (KeyError, ValueError, AttributeError):
        described = None
    render.rule_details(out, found, in_pack=position is not None, implementation=described)


def main() -> None:
    """Entry point of the ``cleaner`` script."""
    try:
        app()
    except KeyboardInterrupt:  # outside a command (typer turns those into exit 130)
        err.print("interrupted")
        sys.exit(130)
