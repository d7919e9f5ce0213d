"""Where rules come from: cleaner's built-ins, packages that declare the entry-point
group ``cleaner.rules``, and declarative rules loaded from packs.

Ids are permanent; a renamed rule lists its old id in ``aliases`` and both resolve.
"""

from __future__ import annotations

import fnmatch
import importlib
import types
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any, Iterable

from cleaner.rule import Rule, RuleError

#: Built-in rule modules, in the order their rules are listed by ``cleaner rules``.
BUILTIN_MODULES = (
    "cleaner.rules.encoding",
    "cleaner.rules.unicode",
    "cleaner.rules.whitespace",
    "cleaner.rules.residue",
    "cleaner.rules.sentences",
    "cleaner.rules.headings",
    "cleaner.rules.page",
)

ENTRY_POINT_GROUP = "cleaner.rules"


class UnknownRule(RuleError):
    """A pack or command named a rule id that no source defines."""


def rules_in(obj: Any) -> list[Rule]:
    """The rules a module, a rule, or an iterable of rules provides, in order."""
    if isinstance(obj, Rule):
        return [obj]
    if isinstance(obj, types.ModuleType):
        return [v for v in vars(obj).values() if isinstance(v, Rule)]
    if isinstance(obj, Iterable):
        found = [r for r in obj if isinstance(r, Rule)]
        if found:
            return found
    raise RuleError(f"{obj!r} provides no cleaner rules")


class Registry:
    """An ordered set of rules, addressable by id or alias."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        self._aliases: dict[str, str] = {}
        for r in rules:
            self.add(r)

    def add(self, r: Rule) -> None:
        for name in (r.id, *r.aliases):
            owner = self._rules.get(name) or self._rules.get(self._aliases.get(name, ""))
            if owner is not None:
                raise RuleError(
                    f"rule id {name!r} from {r.origin or '?'} is already defined by {owner.origin or '?'}"
                )
        self._rules[r.id] = r
        for alias in r.aliases:
            self._aliases[alias] = r.id

    def copy(self) -> Registry:
        return Registry(self._rules.values())

    def __contains__(self, rule_id: str) -> bool:
        return rule_id in self._rules or rule_id in self._aliases

    def __iter__(self):
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, rule_id: str) -> Rule:
        real = self._aliases.get(rule_id, rule_id)
        try:
            return self._rules[real]
        except KeyError:
            close = [i for i in self._rules if i.split("/")[-1] == rule_id.split("/")[-1]]
            hint = f" (did you mean {close[0]!r}?)" if close else " (see `cleaner rules`)"
            raise UnknownRule(f"unknown rule id {rule_id!r}{hint}") from None

    def select(self, pattern: str) -> list[Rule]:
        """Rules whose id matches ``pattern``: an id, an alias, or a glob like ``residue/*``."""
        if any(c in pattern for c in "*?["):
            found = [r for r in self._rules.values() if fnmatch.fnmatchcase(r.id, pattern)]
            if not found:
                raise UnknownRule(f"no rule matches {pattern!r} (see `cleaner rules`)")
            return found
        return [self.get(pattern)]


@lru_cache(maxsize=1)
def builtin_rules() -> tuple[Rule, ...]:
    """Every rule defined in cleaner's own modules."""
    found: list[Rule] = []
    for name in BUILTIN_MODULES:
        found.extend(rules_in(importlib.import_module(name)))
    return tuple(found)


def plugin_rules() -> list[Rule]:
    """Rules from installed packages' ``cleaner.rules`` entry points."""
    found: list[Rule] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            found.extend(rules_in(ep.load()))
        except RuleError:
            raise
        except Exception as exc:
            raise RuleError(f"entry point {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
    return found


def default_registry() -> Registry:
    """Built-in and plug-in rules (declarative pack rules are added by the pack loader)."""
    return Registry([*builtin_rules(), *plugin_rules()])
