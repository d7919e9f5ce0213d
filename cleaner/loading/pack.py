"""Packs: TOML files that say which rules run, in which order, with which options,
and that define declarative residue rules. A pack is data: loading one parses TOML,
checks that its patterns compile and that its rules' examples hold, nothing else
(checks passed once are remembered: :mod:`cleaner.loading.pack_checks`). The schema is in ``rules/README.md``.

Resolution, from the defaults outwards:

* the built-in ``default`` pack is the start;
* each further pack file is read in the order given (a folder: its ``*.toml`` files,
  sorted by path), and its ``[[rule]]`` entries become available;
* the packs that have ``[pack] steps`` apply first: those steps become the order
  (two such packs besides the default must agree, see :func:`_steps_first`); then
  the others in the order given: their rules run right after the last line rule of
  the order so far (where residue rules go). So ``--pack corpus --pack page-dump``
  and ``--pack page-dump --pack corpus`` give the same pipeline;
* ``[pack] add`` places rules into the order without rewriting it (each at the
  rule's own anchor, at ``after``/``before`` another rule, or with the residue
  rules), ``[pack] disable`` removes rules from the order; ``[options."rule/id"]``
  sets options, checked against the option's type when the pack loads;
* last, the caller's ``enable``, ``disable`` and ``options`` (the command line's
  ``--enable``, ``--disable``, ``--headings``).

Every table and key is checked (:mod:`cleaner.loading.pack_schema`): a misspelt one is an
error with the file, line and nearest known name, never a rule silently left out.
A plugin's rules join a pack only when the pack names them (globs do not match
them). Loading warns (:class:`PackWarning`, also kept in ``Pipeline.warnings``)
about plugins that were left out and about a pack's line rules that another rule
always beats (:mod:`cleaner.loading.precedence`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

import regex

from cleaner.core.version import __version__
from cleaner.loading import pack_checks
from cleaner.core.engine import Pipeline
from cleaner.core.lines import PatternMatcher
from cleaner.loading.pack_schema import (
    ADD_KEYS, EXAMPLE_KEYS, RULE_KEYS, Locator, SchemaError, at, check_schema, unknown_key_message,
)
from cleaner.loading.precedence import shadowing_warnings
from cleaner.loading.registry import Implementation, Registry, default_registry, failing_example
from cleaner.core.rule import WHERE_VALUES, Example, Rule, RuleError


class PackError(RuleError):
    """A pack cannot be used; the message names the file, line and rule id."""


class PackWarning(UserWarning):
    """Loading a pack found something worth a look that does not stop it: a plugin
    left out, a rule that another always beats."""


def packs_dir() -> Path:
    """The folder holding the built-in packs: inside the installed package
    (``cleaner/packs``, copied there from ``rules/`` at build time), or the
    source tree's ``rules/`` when running from a checkout."""
    installed = resources.files("cleaner").joinpath("packs")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "rules"


def default_pack_path() -> Path:
    return packs_dir() / "default.toml"


@dataclass(frozen=True)
class Placement:
    """One entry of ``[pack] add`` (or one ``--enable``): rules to put into the
    order, ``after`` or ``before`` a rule already there. Without either, each rule
    goes after its own anchor (``Rule.after``) if that is in the order, else after
    the last line rule (where residue rules go)."""

    rules: str  # an id, alias or glob
    after: str | None = None
    before: str | None = None


@dataclass
class PackFile:
    path: Path
    name: str
    raw: str = ""
    rules: list[Rule] = field(default_factory=list)
    steps: list[str] | None = None
    add: list[Placement] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    definitions: list[dict[str, Any]] = field(default_factory=list)  # raw, for the hash

    def where(self, rule_id: str | None) -> str:
        """``file:line: rule 'id'`` for a rule named in this file."""
        return _where(self.path, self.raw, rule_id)


def _line_of(raw: str, needle: str) -> int | None:
    for n, line in enumerate(raw.splitlines(), 1):
        if needle in line:
            return n
    return None


def _where(path: Path, raw: str, rule_id: str | None) -> str:
    line = _line_of(raw, f'"{rule_id}"') or _line_of(raw, f"'{rule_id}'") if rule_id else None
    return f"{at(path, line)}: rule {rule_id!r}" if rule_id else at(path, line)


def _declarative_rule(entry: dict[str, Any], path: Path, raw: str) -> Rule:
    rule_id = entry.get("id")
    loc = _where(path, raw, rule_id if isinstance(rule_id, str) else None)
    if not isinstance(rule_id, str):
        raise PackError(f"{loc}: every [[rule]] needs an id (a string such as \"residue/my-site-app\")")
    unknown = set(entry) - set(RULE_KEYS)
    if unknown:
        raise PackError(f"{loc}: {unknown_key_message(unknown, RULE_KEYS, '[[rule]]')}")
    for key, kind, what in (("summary", str, "a string"), ("doc", str, "a string"), ("where", str, "a string"),
                            ("case_sensitive", bool, "true or false"), ("block", bool, "true or false")):
        if key in entry and not isinstance(entry[key], kind):
            raise PackError(f"{loc}: {key!r} must be {what}")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise PackError(f"{loc}: 'aliases' must be a list of rule ids")
    pattern = entry.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise PackError(f"{loc}: a declarative rule needs a 'pattern' (a regular expression)")
    flags = regex.V1 if entry.get("case_sensitive") else regex.V1 | regex.IGNORECASE
    try:
        compiled = pack_checks.pattern(pattern, flags)  # compiled on first use once known to compile
    except regex.error as exc:
        raise PackError(f"{loc}: invalid pattern: {exc}") from None
    where = entry.get("where", "anywhere")
    if where not in WHERE_VALUES:
        raise PackError(f"{loc}: 'where' must be one of {', '.join(WHERE_VALUES)}, not {where!r}")
    raw_examples = entry.get("examples")
    if not raw_examples:
        raise PackError(f"{loc}: rule has no examples; give at least one input it must change and one it must leave alone")
    if not isinstance(raw_examples, list):
        raise PackError(f"{loc}: 'examples' must be a list of tables")
    examples = []
    for ex in raw_examples:
        if (
            not isinstance(ex, dict) or "input" not in ex or set(ex) - set(EXAMPLE_KEYS)
            or not all(isinstance(v, str) for v in ex.values())
        ):
            raise PackError(f"{loc}: each example is a table of strings: 'input', and optional 'output' and 'note'")
        examples.append(Example(ex["input"], ex.get("output"), ex.get("note", "")))
    try:
        r = Rule(
            id=rule_id,
            summary=entry.get("summary", ""),
            kind="line",
            fn=PatternMatcher(compiled, rule_id),  # type: ignore[arg-type]  # a LazyPattern stands in
            examples=tuple(examples),
            doc=entry.get("doc", "").strip(),
            where=where,
            block=bool(entry.get("block", False)),
            aliases=tuple(entry.get("aliases", ())),
            origin=str(path),
        )
    except RuleError as exc:
        raise PackError(f"{loc}: {exc.detail}") from None
    why = pack_checks.examples_failing(entry, lambda: failing_example(r))
    if why:
        raise PackError(f"{loc}: {why}")
    return r


_TOML_LINE = regex.compile(r"at line (\d+)")
_TABLE = regex.compile(r"^\s*\[")
_RULE_ID = regex.compile(r"""^\s*id\s*=\s*["']([^"'\n]+)["']""")


def _toml_error(path: Path, raw: str, exc: tomllib.TOMLDecodeError) -> PackError:
    """``file:line: rule 'id': invalid TOML: ...``, the rule being the ``[[rule]]``
    table the error lies in, when its id can still be read."""
    found = _TOML_LINE.search(str(exc))
    if not found:
        return PackError(f"{path}: invalid TOML: {exc}")
    line = int(found.group(1))
    lines = raw.splitlines()
    start = next((n for n in range(min(line, len(lines)) - 1, -1, -1) if _TABLE.match(lines[n])), None)
    rule_id = None
    if start is not None and lines[start].strip().startswith("[[rule]]"):
        end = next((n for n in range(start + 1, len(lines)) if _TABLE.match(lines[n])), len(lines))
        rule_id = next((m.group(1) for n in range(start + 1, end) if (m := _RULE_ID.match(lines[n]))), None)
    where = f"{path}:{line}" + (f": rule {rule_id!r}" if rule_id else "")
    return PackError(f"{where}: invalid TOML: {exc}")


def _strings(value: Any, path: Path, raw: str, key: str) -> list[str]:
    """A list of strings from ``[pack]``, or a PackError naming the key's line."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PackError(f"{at(path, _line_of(raw, key))}: [pack] {key} must be a list of strings")
    return value


def _table(value: Any, path: Path, raw: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PackError(f"{at(path, _line_of(raw, what))}: {what} must be a table")
    return value


def read_pack_file(path: Path, _including: tuple[Path, ...] = ()) -> PackFile:
    """Parse one TOML pack file and build its declarative rules. Only parses and
    compiles: nothing in a pack is executed."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read pack: {exc}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, raw, exc) from None
    locator = Locator(raw)
    meta = _table(data.get("pack", {}), path, raw, "pack")
    try:
        check_schema(data, locator)
    except SchemaError as exc:
        raise PackError(f"{at(path, exc.line)}: {exc}") from None
    for key in ("name", "description"):
        if key in meta and not isinstance(meta[key], str):
            raise PackError(f"{at(path, locator.key(('pack',), key))}: [pack] {key} must be a string")
    pf = PackFile(path=path, name=meta.get("name", path.stem), raw=raw)
    here = (*_including, path.resolve())
    for include in _strings(meta.get("include", []), path, raw, "include"):
        if Path(include).is_absolute():
            raise PackError(f"{path}:{_line_of(raw, include)}: include {include!r} must be relative to the pack's folder")
        for sub in sorted(path.parent.glob(include)):
            if sub.resolve() in here:
                raise PackError(f"{path}:{_line_of(raw, include)}: include {include!r} includes {sub} again (a loop)")
            pf.rules.extend(read_pack_file(sub, here).rules)
            pf.definitions.append({"include": str(sub.relative_to(path.parent)), "sha256": _sha(sub.read_bytes())})
    entries = data.get("rule", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PackError(f"{at(path, _line_of(raw, 'rule'))}: rules are written as [[rule]] tables")
    for entry in entries:
        pf.rules.append(_declarative_rule(entry, path, raw))
        pf.definitions.append(entry)
    if "steps" in meta:
        pf.steps = list(_strings(meta["steps"], path, raw, "steps"))
    pf.add = _placements(meta.get("add", []), pf, locator)
    pf.disable = list(_strings(meta.get("disable", []), path, raw, "disable"))
    options = _table(data.get("options", {}), path, raw, "options")
    pf.options = {k: dict(_table(v, path, raw, f"options.{k}")) for k, v in options.items()}
    return pf


def _placements(value: Any, pf: PackFile, locator: Locator) -> list[Placement]:
    """``[pack] add``: a list of rule ids (or globs) and tables
    ``{ rule = "id", after = "id" }`` / ``{ rule = "id", before = "id" }``."""
    line = locator.key(("pack",), "add")
    shape = "a list of rule ids and tables such as { rule = \"id\", after = \"other/id\" }"
    if not isinstance(value, list):
        raise PackError(f"{at(pf.path, line)}: [pack] add must be {shape}")
    found = []
    for entry in value:
        if isinstance(entry, str):
            found.append(Placement(entry))
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str):
            raise PackError(f"{at(pf.path, line)}: [pack] add must be {shape}, not {entry!r}")
        unknown = set(entry) - set(ADD_KEYS)
        if unknown:
            raise PackError(f"{at(pf.path, line)}: {unknown_key_message(unknown, ADD_KEYS, '[pack] add')}")
        after, before = entry.get("after"), entry.get("before")
        if (after is not None and before is not None) or not all(isinstance(v, (str, type(None))) for v in (after, before)):
            raise PackError(f"{pf.where(entry['rule'])}: in [pack] add: give one rule id as 'after' or 'before', not both")
        found.append(Placement(entry["rule"], after, before))
    return found


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def builtin_packs() -> dict[str, Path]:
    """Packs shipped with cleaner that a user can name instead of giving a path
    (``--pack page-dump``): the top-level pack files beside the default one."""
    return {f.stem: f for f in sorted(packs_dir().glob("*.toml")) if f.stem != "default"}


def _pack_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    shipped = builtin_packs()
    for p in map(Path, paths):
        if not p.exists() and str(p) in shipped:
            files.append(shipped[str(p)])
        elif p.is_dir():
            found = sorted(p.rglob("*.toml"))
            if not found:
                raise PackError(f"{p}: folder holds no .toml pack files")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            close = difflib.get_close_matches(str(p), list(shipped), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PackError(
                f"{p}: no such pack file or folder, nor a built-in pack ({', '.join(shipped) or 'none'}){hint}"
            )
    return files



def _steps_first(packs: list[PackFile]) -> list[PackFile]:
    """The packs in the order their changes apply: those that set ``[pack] steps``
    first, then the others, each group in the order given.

    A pack with ``steps`` sets the whole order; a pack without adds to, moves or
    disables rules in whatever order it finds. Applied in the order given,
    ``--pack corpus --pack page-dump`` let page-dump's steps wipe out the corpus
    rules while the pack was still named ``default+corpus+page-dump``. Applied
    steps first, either order gives the same pipeline, name and hash.

    Two packs other than the default that both set ``steps`` cannot be combined
    that way: the later would replace the earlier's order, so the rules only the
    earlier one runs are refused by name instead of dropped.
    """
    with_steps = [pf for pf in packs if pf.steps is not None]
    default = default_pack_path().resolve()
    chosen = [pf for pf in with_steps if pf.path.resolve() != default]
    for earlier, later in zip(chosen, chosen[1:]):
        _refuse_replaced_steps(earlier, later)
    return with_steps + [pf for pf in packs if pf.steps is None]


def _refuse_replaced_steps(earlier: PackFile, later: PackFile) -> None:
    left_out = [step for step in earlier.steps or [] if step not in set(later.steps or [])]
    if left_out:
        raise PackError(
            f"{at(later.path, None)}: [pack] steps would replace the steps of {earlier.path.name}, "
            f"which also sets them, and leave out {', '.join(left_out)}; give one pack with steps "
            "(copy the other's into it), and let the other packs add rules with [pack] add"
        )


def _insert_after_last_line_rule(order: list[Rule], new: Sequence[Rule]) -> list[Rule]:
    last = max((i for i, r in enumerate(order) if r.kind == "line"), default=len(order) - 1)
    return [*order[: last + 1], *new, *order[last + 1 :]]


class _Placer:
    """Puts rules into an order at anchors. Rules placed after the same anchor keep
    the order they were given in (each goes after the one placed before it)."""

    def __init__(self, order: list[Rule]) -> None:
        self.order = order
        self._last_after: dict[str, str] = {}  # anchor id -> id of the last rule placed after it

    def _index(self, rule_id: str) -> int | None:
        return next((i for i, r in enumerate(self.order) if r.id == rule_id), None)

    def place(self, r: Rule, after: str | None = None, before: str | None = None) -> str | None:
        """Insert ``r``; returns an explicit anchor that is not in the order (an
        error for the caller), else None. A rule already in the order stays where
        it is, unless an anchor is given: then it moves there (a pack's own rule,
        say, put before a built-in one that would beat it)."""
        present = self._index(r.id)
        if present is not None:
            if after is None and before is None:
                return None
            del self.order[present]
        if before is not None:
            at_ = self._index(before)
            if at_ is None:
                return before
            self.order.insert(at_, r)
            return None
        if after is None and r.after is not None and self._index(r.after) is not None:
            after = r.after
        if after is None and r.private:  # masks personal data: first, before any rule records text
            self.order.insert(0, r)
            return None
        if after is None:
            last = max((i for i, x in enumerate(self.order) if x.kind == "line"), default=None)
            if last is None or r.kind == "filter":  # a filter judges the cleaned text: at the end
                self.order.append(r)
                return None
            after = self.order[last].id
        anchor = after
        tail = self._last_after.get(anchor)
        at_ = self._index(tail) if tail is not None else None
        at_ = at_ if at_ is not None else self._index(anchor)
        if at_ is None:
            return after
        self.order.insert(at_ + 1, r)
        self._last_after[anchor] = r.id
        return None


def _fingerprint(name: str, rules: Sequence[Rule], definitions: list[Any], impls: dict[str, Implementation]) -> str:
    """The pack's SHA-256: cleaner's version, the resolved steps with their options,
    the pack files' definitions, and for a plugin's rule its distribution, version
    and code hash (built-in rules are covered by cleaner's version)."""
    steps = []
    for r in rules:
        step = {"id": r.id, "kind": r.kind, "where": r.where, "block": r.block, "options": r.options,
                "origin": r.origin.split("/")[-1]}
        impl = impls.get(r.id)
        if impl is not None and impl.kind == "plugin":
            step["implementation"] = impl.to_dict()
        steps.append(step)
    canon = {"cleaner": __version__, "name": name, "steps": steps, "definitions": definitions}
    return _sha(json.dumps(canon, sort_keys=True, default=str).encode())


def load_pack(
    paths: Iterable[str | Path] = (),
    *,
    options: dict[str, dict[str, Any]] | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    include_default: bool = True,
    registry: Registry | None = None,
    warn: bool = True,
) -> Pipeline:
    """Resolve packs into a :class:`Pipeline`.

    ``paths``: pack files or folders applied on top of the default pack (see the
    module docs). ``enable``: rules to add (ids, aliases or globs; opt-in rules such
    as ``encoding/uncurl-quotes`` go to their own place), then ``disable``: rules
    to take out, then ``options``: ``{"rule/id": {"option": value}}``, all applied
    after the packs (the command line's ``--enable``, ``--disable``, ``--headings``).
    Raises :class:`PackError` with file, line and rule id when anything is wrong,
    before any text is cleaned: unknown tables, keys, rules and options, and option
    values of the wrong type. Warns (:class:`PackWarning`) about plugins left out
    and rules that another rule always beats; ``Pipeline.warnings`` keeps the texts.
    ``warn=False`` skips those checks (a worker rebuilding a pack the main process
    has loaded and warned about already).
    """
    paths = [str(p) for p in paths]
    reg = (registry or default_registry()).copy()
    notes = [str(problem) for problem in reg.problems]
    files = ([default_pack_path()] if include_default else []) + _pack_files(paths)
    order: list[Rule] = []
    names: list[str] = []
    definitions: list[Any] = []
    all_options: dict[str, dict[str, Any]] = {}
    own: list[Rule] = []  # rules of the user's packs and plugins: checked for being shadowed
    packs = [read_pack_file(path) for path in files]
    for pf in packs:
        for r in pf.rules:
            try:
                reg.add(r, Implementation("pack", pf.path.name))
            except RuleError as exc:
                raise PackError(f"{pf.where(r.id)}: {exc}") from None
        if not _is_builtin(pf.path):
            own.extend(pf.rules)
    for pf in _steps_first(packs):
        names.append(pf.name)
        definitions.append({"file": pf.path.name, "rules": pf.definitions, "steps": pf.steps, "disable": pf.disable,
                            **({"add": [p.__dict__ for p in pf.add]} if pf.add else {})})
        if pf.steps is not None:
            order = []
            for step in pf.steps:
                order.extend(_select(reg, step, f"{pf.where(step)}: in [pack] steps"))
        else:
            order = _insert_after_last_line_rule(order, pf.rules)
        order = _add(order, reg, pf.add, lambda rule_id: f"{pf.where(rule_id)}: in [pack] add")
        for rule_id in pf.disable:
            gone = {r.id for r in _select(reg, rule_id, f"{pf.where(rule_id)}: in [pack] disable")}
            order = [r for r in order if r.id not in gone]
        present = {r.id for r in order}
        for rule_id, opts in pf.options.items():
            real = reg.get(rule_id).id if rule_id in reg else rule_id
            if real not in present:
                known = "" if rule_id in reg else _did_you_mean(reg, rule_id)
                raise PackError(
                    f"{pf.where(rule_id)}: [options.{rule_id!r}] names a rule that is not in the pack's steps{known}"
                )
            merged = {**all_options.get(real, {}), **opts}
            _check_options(reg.get(real), merged, lambda name: _option_where(pf, rule_id, name))
            all_options[real] = merged
    pack_checks.save()
    order = _add(order, reg, [Placement(e) for e in enable], lambda rule_id: f"--enable {rule_id}")
    for rule_id in disable:
        gone = {r.id for r in _select(reg, rule_id, f"--disable {rule_id}")}
        order = [r for r in order if r.id not in gone]
    order = _dedupe(order)
    present = {r.id for r in order}
    for rule_id, opts in (options or {}).items():
        where = f"options for rule {rule_id!r}"
        target = _select(reg, rule_id, where)[0] if not _is_glob(rule_id) else None
        if target is None:
            raise PackError(f"{where}: name one rule, not a glob")
        _check_options(target, opts, lambda name: f"option {name!r} given for rule {target.id!r}")
        if target.id in present:  # a flag such as --headings is moot when its rule is off
            all_options[target.id] = {**all_options.get(target.id, {}), **opts}
    bound = [r.bound(**all_options[r.id]) if r.id in all_options else r for r in order]
    plugin_rules = [r for r in bound if reg.implementation(r.id).kind == "plugin"]
    own_ids = {r.id for r in own} | {r.id for r in plugin_rules}
    impls = {r.id: reg.implementation(r.id) for r in bound}
    labels = {r.id: impls[r.id].describe() if impls[r.id].kind == "plugin" else r.origin for r in bound}
    if warn:
        notes += shadowing_warnings(bound, [r for r in bound if r.id in own_ids], labels)
        for note in notes:
            warnings.warn(note, PackWarning, stacklevel=2)
    name = "+".join(names) or "empty"
    rebuildable = include_default and registry is None
    pipeline = Pipeline(
        bound,
        name=name,
        sha256=_fingerprint(name, bound, definitions, impls),
        packs=tuple(paths) if rebuildable else None,
        options=options,
        disable=tuple(disable),
        enable=tuple(enable),
        implementations=impls,
        warnings=tuple(notes),
    )
    pipeline.registry = reg
    return pipeline


def _is_builtin(path: Path) -> bool:
    """Whether a pack file is one of cleaner's own (its rules are not the user's)."""
    try:
        path.resolve().relative_to(packs_dir().resolve())
    except ValueError:
        return False
    return True


def _did_you_mean(reg: Registry, rule_id: str) -> str:
    """``; did you mean 'x/y'?`` for an id no rule has, when one is close."""
    try:
        reg.get(rule_id)
    except RuleError as exc:
        found = regex.search(r"did you mean '[^']+'\?", exc.detail)
        return f"; {found.group(0)}" if found else ""
    return ""


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def _select(reg: Registry, pattern: str, where: str) -> list[Rule]:
    """``reg.select(pattern)``, or a PackError that says where, and why a plugin's
    rule of that id is missing when a plugin problem left it out."""
    try:
        return reg.select(pattern)
    except RuleError as exc:
        left_out = [str(p) for p in reg.problems if f"rule {pattern!r}" in p.message]
        why = f" ({'; '.join(left_out)})" if left_out else ""
        raise PackError(f"{where}: {exc.detail}{why}") from None


def _add(order: list[Rule], reg: Registry, placements: Sequence[Placement], where: Any) -> list[Rule]:
    """``order`` with the placements' rules put in (see :class:`Placement`)."""
    placer = _Placer(list(order))
    for placement in placements:
        for r in _select(reg, placement.rules, where(placement.rules)):
            missing = placer.place(r, placement.after, placement.before)
            if missing is not None:
                side = "after" if placement.after is not None else "before"
                raise PackError(f"{where(placement.rules)}: cannot place it {side} {missing!r}: that rule is not in the order")
    return placer.order


def _option_where(pf: PackFile, rule_id: str, name: str) -> str:
    """``file:line: rule 'id'`` for an option set in ``[options."id"]``."""
    locator = Locator(pf.raw)
    line = locator.key(("options", rule_id), name) or locator.table("options", rule_id)
    return f"{at(pf.path, line)}: rule {rule_id!r}"


def _check_options(r: Rule, options: dict[str, Any], where: Any) -> None:
    """Refuse unknown option names and values of the wrong type, naming where each
    was set (one at a time, so the message points at the right line)."""
    for name, value in options.items():
        try:
            r.bound(**{name: value})
        except RuleError as exc:
            raise PackError(f"{where(name)}: {exc.detail}") from None


def _dedupe(rules: Iterable[Rule]) -> list[Rule]:
    seen: set[str] = set()
    out = []
    for r in rules:
        if r.id not in seen:
            seen.add(r.id)
            out.append(r)
    return out
