"""``cleaner rules`` and ``cleaner rules show ID``: list the rules of a pack, one line each,
or show one rule's docs and examples (:mod:`cleaner.loading.describe`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
import typer.core

from cleaner.cli import render
from cleaner.cli.base import Command, _fail, _pipeline, _print_json, out, rules_app
from cleaner.cli.options import DisableOpt, EnableOpt, HeadingsOpt, JsonOpt, PackOpt
from cleaner.core.engine import Pipeline
from cleaner.core.rule import Rule
from cleaner.loading.describe import opt_in_rules, pack_listing, rule_details
from cleaner.loading.registry import unknown_rule_message


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
