"""Rules and packs as plain data: JSON-ready dicts with stable keys, for
``cleaner rules --json``, ``cleaner rules show ID --json`` and any tool that wants
to read a pack without parsing the command line's text. README ("Machine-readable
output") documents the shapes; a key, once there, keeps its name and meaning.

Nothing here loads packs or prints; the caller hands in the pipeline and rules.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import regex

from cleaner.core.engine import Pipeline
from cleaner.core.lines import PatternMatcher
from cleaner.core.rule import Rule

#: Looks up whose code runs a rule (``Registry.implementation``), when known.
ImplementationOf = Callable[[str], Any]


def pattern_of(rule: Rule) -> tuple[str, bool] | None:
    """A declarative rule's regular expression and whether it is case-sensitive;
    None for a rule written in Python."""
    fn = rule.fn
    if not isinstance(fn, PatternMatcher):
        return None
    return fn.pattern.pattern, not fn.pattern.flags & regex.IGNORECASE


def _implementation(rule: Rule, implementation_of: ImplementationOf | None) -> dict[str, Any] | None:
    if implementation_of is None:
        return None
    try:
        found = implementation_of(rule.id)
    except (KeyError, ValueError):  # a pack rule the registry at hand does not hold
        return None
    to_dict = getattr(found, "to_dict", None)
    return to_dict() if to_dict else None


def rule_entry(rule: Rule, position: int | None, implementation_of: ImplementationOf | None = None) -> dict[str, Any]:
    """One rule, as listed: ``position`` is its 1-based place in the pack's order,
    None for an opt-in rule the pack does not run."""
    found = pattern_of(rule)
    return {
        "id": rule.id,
        "kind": rule.kind,
        "where": rule.where if rule.kind == "line" else None,
        "summary": rule.summary,
        "in_pack": position is not None,
        "position": position,
        "aliases": list(rule.aliases),
        "block": rule.block,
        "options": dict(rule.options),
        "origin": rule.origin,
        "implementation": _implementation(rule, implementation_of),
        "pattern": found[0] if found else None,
        "case_sensitive": found[1] if found else None,
    }


def rule_details(rule: Rule, position: int | None, implementation_of: ImplementationOf | None = None) -> dict[str, Any]:
    """One rule in full: :func:`rule_entry` plus its documentation and examples
    (``output`` None: the rule must leave the input alone; ``meta``: what a meta
    rule must return)."""
    return {
        **rule_entry(rule, position, implementation_of),
        "doc": rule.doc,
        "examples": [
            {"input": ex.input, "output": ex.output, "changes": ex.changes, "note": ex.note, "meta": ex.meta,
             **({"drops": ex.drops} if rule.kind == "filter" else {})}
            for ex in rule.examples
        ],
        **({"corpus_examples": [
            {"docs": list(c.docs), "sites": list(c.sites), "outputs": list(c.outputs), "changes": c.changes,
             "note": c.note}
            for c in rule.corpus_examples
        ]} if rule.corpus_examples else {}),
    }


def opt_in_rules(pipeline: Pipeline, available: Iterable[Rule]) -> list[Rule]:
    """The rules ``available`` (built-ins, plugins) that the pack does not run, in
    their listed order: what ``--enable`` or a pack's steps can add."""
    active = {r.id for r in pipeline.rules}
    return [r for r in available if r.id not in active]


def pack_listing(
    pipeline: Pipeline, available: Iterable[Rule], implementation_of: ImplementationOf | None = None
) -> dict[str, Any]:
    """A pack's rules in order, then the opt-in ones (``in_pack`` false)."""
    rules = [rule_entry(r, n, implementation_of) for n, r in enumerate(pipeline.rules, 1)]
    rules += [rule_entry(r, None, implementation_of) for r in opt_in_rules(pipeline, available)]
    return {"pack": {"name": pipeline.name, "sha256": pipeline.sha256}, "rules": rules}
