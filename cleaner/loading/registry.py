"""Where rules come from: cleaner's built-ins, packages that declare the entry-point
group ``cleaner.rules`` (plugins), and declarative rules loaded from packs.

Ids are permanent; a renamed rule lists its old id in ``aliases`` and both resolve.

Every rule in a registry has an :class:`Implementation`: which distribution's code
runs it, at which version, and for plugins a hash of the module files that define
it. A run's fingerprint includes them, so a plugin whose code changed cannot pass
for the one that made an earlier run's output.

Plugins are discovered, never trusted blindly: a plugin that fails to import, or a
rule of one whose examples fail, becomes a :class:`PluginProblem` (a warning that
names the distribution) and its rules stay out; the other plugins and every command
go on. A plugin's rules are available to packs but join none by themselves: globs
such as ``residue/*`` match built-in and pack rules only, a pack names a plugin
rule by its id.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import importlib
import inspect
import sys
import types
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal

from cleaner.core.version import __version__
from cleaner.core.rule import Rule, RuleError

#: Built-in rule modules, in the order their rules are listed by ``cleaner rules``.
BUILTIN_MODULES = (
    "cleaner.rules.encoding",
    "cleaner.rules.unicode",
    "cleaner.rules.whitespace",
    "cleaner.rules.residue",
    "cleaner.rules.sentences",
    "cleaner.rules.headings",
    "cleaner.rules.page",
    "cleaner.rules.corpus",
    "cleaner.rules.repeated",
    "cleaner.rules.language",
    "cleaner.rules.pii",
    "cleaner.rules.gopher",
    "cleaner.rules.c4",
    "cleaner.rules.fineweb",
)

ENTRY_POINT_GROUP = "cleaner.rules"


class UnknownRule(RuleError):
    """A pack or command named a rule id that no source defines."""


@dataclass(frozen=True)
class Implementation:
    """Whose code runs a rule: ``kind`` is ``builtin``, ``plugin`` or ``pack``;
    ``distribution`` the package (or the pack file's name); ``code_sha256`` a
    hash of a plugin's defining module files ("" for the others, whose identity
    is cleaner's version or the pack's own text)."""

    kind: Literal["builtin", "plugin", "pack"]
    distribution: str
    version: str = ""
    code_sha256: str = ""

    def to_dict(self) -> dict[str, str]:
        found = {"kind": self.kind, "distribution": self.distribution, "version": self.version}
        if self.code_sha256:
            found["code_sha256"] = self.code_sha256
        return found

    def describe(self) -> str:
        version = f" {self.version}" if self.version else ""
        return {"builtin": "built in", "pack": f"pack {self.distribution}"}.get(
            self.kind, f"plugin {self.distribution}{version}"
        )


BUILTIN = Implementation("builtin", "cleaner", __version__)


@dataclass(frozen=True)
class PluginProblem:
    """A plugin, or one of its rules, that was left out, and why."""

    distribution: str
    entry_point: str
    message: str
    rule: str | None = None  # when one rule is left out, not the whole plugin

    def __str__(self) -> str:
        left_out = "this rule is left out" if self.rule else "its rules are left out"
        return f"plugin {self.distribution} (entry point {self.entry_point}): {self.message}; {left_out}"


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
    """An ordered set of rules, addressable by id or alias, each with its
    :class:`Implementation`."""

    def __init__(self, rules: Iterable[Rule] = (), implementation: Implementation = BUILTIN) -> None:
        self._rules: dict[str, Rule] = {}
        self._aliases: dict[str, str] = {}
        self._impl: dict[str, Implementation] = {}
        #: plugins (or plugin rules) that were left out, and why: warnings to show
        self.problems: list[PluginProblem] = []
        for r in rules:
            self.add(r, implementation)

    def add(self, r: Rule, implementation: Implementation = BUILTIN) -> None:
        for name in (r.id, *r.aliases):
            owner = self._rules.get(name) or self._rules.get(self._aliases.get(name, ""))
            if owner is not None:
                raise RuleError(
                    f"rule id {name!r} from {r.origin or '?'} is already defined by {owner.origin or '?'}"
                )
        self._rules[r.id] = r
        self._impl[r.id] = implementation
        for alias in r.aliases:
            self._aliases[alias] = r.id

    def copy(self) -> Registry:
        twin = Registry()
        twin._rules, twin._aliases, twin._impl = dict(self._rules), dict(self._aliases), dict(self._impl)
        twin.problems = list(self.problems)
        return twin

    def __contains__(self, rule_id: str) -> bool:
        return rule_id in self._rules or rule_id in self._aliases

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def implementation(self, rule_id: str) -> Implementation:
        return self._impl[self.get(rule_id).id]

    def get(self, rule_id: str) -> Rule:
        real = self._aliases.get(rule_id, rule_id)
        try:
            return self._rules[real]
        except KeyError:
            raise UnknownRule(unknown_rule_message(rule_id, self._rules)) from None

    def select(self, pattern: str) -> list[Rule]:
        """Rules whose id matches ``pattern``: an id, an alias, or a glob like
        ``residue/*``. A glob matches built-in and pack rules, never a plugin's:
        installing a plugin must not change what a pack means."""
        if any(c in pattern for c in "*?["):
            found = [
                r for r in self._rules.values()
                if fnmatch.fnmatchcase(r.id, pattern) and self._impl[r.id].kind != "plugin"
            ]
            if not found:
                raise UnknownRule(f"no rule matches {pattern!r} (see `cleaner rules`)")
            return found
        return [self.get(pattern)]


def unknown_rule_message(rule_id: str, known: Iterable[str]) -> str:
    """``unknown rule id 'split-glued' (did you mean 'sentences/split-glued'?)``: the
    rule whose name after the slash is the same, else the closest id, else a pointer
    to ``cleaner rules``."""
    ids = list(known)
    close = [i for i in ids if i.split("/")[-1] == rule_id.split("/")[-1]]
    close = close or difflib.get_close_matches(rule_id, ids, n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]!r}?)" if close else " (see `cleaner rules`)"
    return f"unknown rule id {rule_id!r}{hint}"


@lru_cache(maxsize=1)
def builtin_rules() -> tuple[Rule, ...]:
    """Every rule defined in cleaner's own modules."""
    found: list[Rule] = []
    for name in BUILTIN_MODULES:
        found.extend(rules_in(importlib.import_module(name)))
    return tuple(found)


def code_sha256(rules: Iterable[Rule], ep: Any = None) -> str:
    """A hash of a plugin's code: every Python file its distribution installed
    (so a helper module the rules import counts too), or, for a distribution
    that lists no files, the modules that define ``rules`` (their functions and
    fast paths). What changes when the plugin's code does."""
    files: set[Path] = set(_distribution_sources(ep))
    if files:
        return _hash_files(files)
    for r in rules:
        for fn in (r.fn, r.fast, r.can_change):
            module = sys.modules.get(getattr(fn, "__module__", "") or "")
            source = getattr(module, "__file__", None) if module else None
            if source is None and fn is not None:
                try:
                    source = inspect.getsourcefile(fn)
                except TypeError:
                    source = None
            if source:
                files.add(Path(source))
    return _hash_files(files)


def _distribution_sources(ep: Any) -> list[Path]:
    """The ``.py`` files an entry point's distribution installed (from its RECORD)."""
    dist = getattr(ep, "dist", None)
    listed = getattr(dist, "files", None) if dist is not None else None
    if not listed:
        return []
    return [Path(str(dist.locate_file(f))) for f in listed if str(f).endswith(".py")]


def _hash_files(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


@dataclass(frozen=True)
class Plugin:
    """One entry point's rules, with the distribution that ships them."""

    entry_point: str
    implementation: Implementation
    rules: tuple[Rule, ...]


def _distribution_of(ep: Any) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return f"<entry point {getattr(ep, 'name', '?')}>", ""
    return dist.metadata["Name"] or dist.name, dist.version or ""


def failing_example(r: Rule) -> str | None:
    """Why ``r``'s examples do not hold (the first that fails), or None."""
    from cleaner.corpus.scan import example_outputs
    from cleaner.core.engine import apply_rule

    for corpus in r.corpus_examples:
        outputs = example_outputs(r, corpus.corpus())
        if outputs != corpus.outputs:
            note = f" ({corpus.note})" if corpus.note else ""
            return f"example corpus fails{note}:\n  expected: {corpus.outputs!r}\n  got:      {outputs!r}"
    for ex in r.examples:
        if r.kind == "filter":
            why = failing_judgement(r, ex)
            if why:
                return why
            continue
        if r.kind == "meta":
            got_meta = r.fn(ex.input, **r.options)
            if got_meta != ex.meta:
                return f"example fails: input {ex.input!r}: expected meta {ex.meta!r}, got {got_meta!r}"
            continue
        got = apply_rule(r, ex.input).text
        if got != ex.expected:
            note = f" ({ex.note})" if ex.note else ""
            return f"example fails{note}:\n  input:    {ex.input!r}\n  expected: {ex.expected!r}\n  got:      {got!r}"
    return None


def failing_judgement(r: Rule, ex: Any) -> str | None:
    """Why a filter rule's example does not hold: it must drop or keep the
    document, and set the metadata given (``{}``: none), or None."""
    from cleaner.core.engine import apply_rule

    outcome = apply_rule(r, ex.input)
    note = f" ({ex.note})" if ex.note else ""
    if (outcome.status == "dropped") != ex.drops:
        did = f"dropped it ({outcome.reason})" if outcome.status == "dropped" else "kept it"
        return f"example fails{note}: input {ex.input[:80]!r}: must {'drop' if ex.drops else 'keep'} it, {did}"
    if ex.meta is not None:
        got = outcome.meta if ex.meta == {} else {k: outcome.meta.get(k) for k in ex.meta}
        if got != ex.meta:
            return f"example fails{note}: input {ex.input[:80]!r}: expected meta {ex.meta!r}, got {outcome.meta!r}"
    return None


def discover_plugins() -> tuple[list[Plugin], list[PluginProblem]]:
    """Load every ``cleaner.rules`` entry point. A plugin that fails to import, or
    whose rules fail their own examples, is a problem (a warning), not an error:
    one broken package must not stop every command."""
    plugins: list[Plugin] = []
    problems: list[PluginProblem] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        name, version = _distribution_of(ep)
        where = f"{ep.name} = {ep.value}"
        try:
            rules = rules_in(ep.load())
        except Exception as exc:
            problems.append(PluginProblem(name, where, f"failed to load: {type(exc).__name__}: {exc}"))
            continue
        kept = []
        for r in rules:
            try:
                why = failing_example(r)
            except Exception as exc:
                why = f"its examples raise {type(exc).__name__}: {exc}"
            if why:
                problems.append(PluginProblem(name, where, f"rule {r.id!r}: {why}", rule=r.id))
            else:
                kept.append(r)
        if kept:
            impl = Implementation("plugin", name, version, code_sha256(kept, ep))
            plugins.append(Plugin(where, impl, tuple(kept)))
    return plugins, problems


def default_registry() -> Registry:
    """Built-in and plugin rules (declarative pack rules are added by the pack
    loader); ``.problems`` lists the plugins that were left out."""
    reg = Registry(builtin_rules())
    plugins, reg.problems = discover_plugins()
    for plugin in plugins:
        for r in plugin.rules:
            try:
                reg.add(r, plugin.implementation)
            except RuleError as exc:
                reg.problems.append(PluginProblem(plugin.implementation.distribution, plugin.entry_point, str(exc)))
    return reg
