"""The command line's frame: the ``cleaner`` app, its consoles, and the helpers every command
shares (loading the pack the options describe, failing with an exit code, warnings). Each
command is a module of its own (:mod:`~cleaner.cli.run_command`, :mod:`~cleaner.cli.clean_command`,
:mod:`~cleaner.cli.explain_command`, :mod:`~cleaner.cli.rules_command`) and their options are in
:mod:`~cleaner.cli.options`.

Argument parsing and display only; the work is library calls
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
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from cleaner.cli.options import Extractor, HeadingStyle
from cleaner.core.engine import Pipeline
from cleaner.core.rule import RuleError
from cleaner.core.version import __version__
from cleaner.io.html import ExtractorUnavailable, require_extractor
from cleaner.loading.pack import PackWarning, load_pack
from cleaner.running.plan import remote, scheme_path

#: ``-h`` as well as ``--help``, on every command (subcommands inherit it).
CONTEXT = {"help_option_names": ["-h", "--help"]}



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



def main() -> None:
    """Entry point of the ``cleaner`` script."""
    try:
        app()
    except KeyboardInterrupt:  # outside a command (typer turns those into exit 130)
        err.print("interrupted")
        sys.exit(130)
