"""The command line's options and their help, shared by the commands (``--pack``, ``--headings``,
``--disable``, ``--extractor``, ...), and the help panels they are listed in."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
import typer.core
from rich.markup import escape


#: Help panels, as in ruff's help: what to read, what to write, which rules, how fast.
INPUT, OUTPUT, RULES, PERFORMANCE = "Input", "Output", "Rules", "Performance"



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
