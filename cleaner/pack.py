"""Packs: TOML files that say which rules run, in which order, with which options,
and that define declarative residue rules. A pack is data: loading one parses TOML
and compiles regular expressions, nothing else. The schema is in ``rules/README.md``.

Resolution, from the defaults outwards:

* the built-in ``default`` pack is the start;
* each further pack file is read in the order given (a folder: its ``*.toml`` files,
  sorted by path). Its ``[[rule]]`` entries become available; if it has
  ``[pack] steps``, those steps become the order, otherwise its rules run right
  after the last line rule of the order so far (where residue rules go);
* ``[pack] disable`` removes rules from the order; ``[options."rule/id"]`` sets options.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

import regex

from cleaner import __version__
from cleaner.engine import Pipeline, apply_rule
from cleaner.lines import PatternMatcher
from cleaner.registry import Registry, default_registry
from cleaner.rule import WHERE_VALUES, Example, Rule, RuleError

RULE_KEYS = {"id", "summary", "doc", "where", "pattern", "case_sensitive", "block", "aliases", "examples"}
EXAMPLE_KEYS = {"input", "output", "note"}


class PackError(RuleError):
    """A pack cannot be used; the message names the file, line and rule id."""


def packs_dir() -> Path:
    """The folder holding the built-in packs: inside the installed package
    (``cleaner/packs``, copied there from ``rules/`` at build time), or the
    source tree's ``rules/`` when running from a checkout."""
    installed = resources.files("cleaner").joinpath("packs")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "rules"


def default_pack_path() -> Path:
    return packs_dir() / "default.toml"


@dataclass
class PackFile:
    path: Path
    name: str
    rules: list[Rule] = field(default_factory=list)
    steps: list[str] | None = None
    disable: list[str] = field(default_factory=list)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    definitions: list[dict[str, Any]] = field(default_factory=list)  # raw, for the hash


def _line_of(raw: str, needle: str) -> int | None:
    for n, line in enumerate(raw.splitlines(), 1):
        if needle in line:
            return n
    return None


def _where(path: Path, raw: str, rule_id: str | None) -> str:
    line = _line_of(raw, f'"{rule_id}"') or _line_of(raw, f"'{rule_id}'") if rule_id else None
    at = f"{path}:{line}" if line else str(path)
    return f"{at}: rule {rule_id!r}" if rule_id else at


def _declarative_rule(entry: dict[str, Any], path: Path, raw: str) -> Rule:
    rule_id = entry.get("id")
    loc = _where(path, raw, rule_id if isinstance(rule_id, str) else None)
    if not isinstance(rule_id, str):
        raise PackError(f"{loc}: every [[rule]] needs an id (a string such as \"residue/my-site-app\")")
    unknown = set(entry) - RULE_KEYS
    if unknown:
        raise PackError(f"{loc}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(RULE_KEYS))}")
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
        compiled = regex.compile(pattern, flags)
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
            not isinstance(ex, dict) or "input" not in ex or set(ex) - EXAMPLE_KEYS
            or not all(isinstance(v, str) for v in ex.values())
        ):
            raise PackError(f"{loc}: each example is a table of strings: 'input', and optional 'output' and 'note'")
        examples.append(Example(ex["input"], ex.get("output"), ex.get("note", "")))
    try:
        r = Rule(
            id=rule_id,
            summary=entry.get("summary", ""),
            kind="line",
            fn=PatternMatcher(compiled, rule_id),
            examples=tuple(examples),
            doc=entry.get("doc", "").strip(),
            where=where,
            block=bool(entry.get("block", False)),
            aliases=tuple(entry.get("aliases", ())),
            origin=str(path),
        )
    except RuleError as exc:
        raise PackError(f"{loc}: {exc}") from None
    for ex in r.examples:
        got = apply_rule(r, ex.input).text
        if got != ex.expected:
            raise PackError(
                f"{loc}: example fails{f' ({ex.note})' if ex.note else ''}:\n"
                f"  input:    {ex.input!r}\n  expected: {ex.expected!r}\n  got:      {got!r}"
            )
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
        line = _line_of(raw, key)
        raise PackError(f"{path}{f':{line}' if line else ''}: [pack] {key} must be a list of strings")
    return value


def _table(value: Any, path: Path, raw: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        line = _line_of(raw, what)
        raise PackError(f"{path}{f':{line}' if line else ''}: {what} must be a table")
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
    meta = _table(data.get("pack", {}), path, raw, "pack")
    name = meta.get("name", path.stem)
    pf = PackFile(path=path, name=name if isinstance(name, str) else path.stem)
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
        line = _line_of(raw, "rule")
        raise PackError(f"{path}{f':{line}' if line else ''}: rules are written as [[rule]] tables")
    for entry in entries:
        pf.rules.append(_declarative_rule(entry, path, raw))
        pf.definitions.append(entry)
    if "steps" in meta:
        pf.steps = list(_strings(meta["steps"], path, raw, "steps"))
    pf.disable = list(_strings(meta.get("disable", []), path, raw, "disable"))
    options = _table(data.get("options", {}), path, raw, "options")
    pf.options = {k: dict(_table(v, path, raw, f"options.{k}")) for k, v in options.items()}
    return pf


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
            raise PackError(f"{p}: no such pack file or folder, nor a built-in pack ({', '.join(shipped) or 'none'})")
    return files


def _insert_after_last_line_rule(order: list[Rule], new: Sequence[Rule]) -> list[Rule]:
    last = max((i for i, r in enumerate(order) if r.kind == "line"), default=len(order) - 1)
    return [*order[: last + 1], *new, *order[last + 1 :]]


def _fingerprint(name: str, rules: Sequence[Rule], definitions: list[Any]) -> str:
    canon = {
        "cleaner": __version__,
        "name": name,
        "steps": [
            {"id": r.id, "kind": r.kind, "where": r.where, "block": r.block, "options": r.options, "origin": r.origin.split("/")[-1]}
            for r in rules
        ],
        "definitions": definitions,
    }
    return _sha(json.dumps(canon, sort_keys=True, default=str).encode())


def load_pack(
    paths: Iterable[str | Path] = (),
    *,
    options: dict[str, dict[str, Any]] | None = None,
    include_default: bool = True,
    registry: Registry | None = None,
) -> Pipeline:
    """Resolve packs into a :class:`Pipeline`.

    ``paths``: pack files or folders applied on top of the default pack (see the
    module docs). ``options``: ``{"rule/id": {"option": value}}`` applied last,
    e.g. from command-line flags. Raises :class:`PackError` with file, line and
    rule id when anything is wrong.
    """
    paths = [str(p) for p in paths]
    reg = (registry or default_registry()).copy()
    files = ([default_pack_path()] if include_default else []) + _pack_files(paths)
    order: list[Rule] = []
    names: list[str] = []
    definitions: list[Any] = []
    all_options: dict[str, dict[str, Any]] = {}
    for path in files:
        pf = read_pack_file(path)
        names.append(pf.name)
        definitions.append({"file": path.name, "rules": pf.definitions, "steps": pf.steps, "disable": pf.disable})
        for r in pf.rules:
            try:
                reg.add(r)
            except RuleError as exc:
                raise PackError(f"{_where(path, path.read_text(encoding='utf-8'), r.id)}: {exc}") from None
        if pf.steps is not None:
            order = []
            for step in pf.steps:
                try:
                    order.extend(reg.select(step))
                except RuleError as exc:
                    raise PackError(f"{_where(path, path.read_text(encoding='utf-8'), step)}: in [pack] steps: {exc}") from None
        else:
            order = _insert_after_last_line_rule(order, pf.rules)
        for rule_id in pf.disable:
            try:
                gone = {r.id for r in reg.select(rule_id)}
            except RuleError as exc:
                raise PackError(f"{_where(path, path.read_text(encoding='utf-8'), rule_id)}: in [pack] disable: {exc}") from None
            order = [r for r in order if r.id not in gone]
        present = {r.id for r in order}
        for rule_id, opts in pf.options.items():
            real = reg.get(rule_id).id if rule_id in reg else rule_id
            if real not in present:
                raise PackError(
                    f"{_where(path, path.read_text(encoding='utf-8'), rule_id)}: "
                    f"[options.{rule_id!r}] names a rule that is not in the pack's steps"
                )
            all_options.setdefault(real, {}).update(opts)
    present = {r.id for r in order}
    for rule_id, opts in (options or {}).items():
        if rule_id in present:  # a flag such as --headings is moot when its rule is off
            all_options.setdefault(rule_id, {}).update(opts)
    bound = []
    for r in _dedupe(order):
        opts = all_options.get(r.id)
        try:
            bound.append(r.bound(**opts) if opts else r)
        except RuleError as exc:
            raise PackError(str(exc)) from None
    name = "+".join(names) or "empty"
    rebuildable = include_default and registry is None
    return Pipeline(
        bound,
        name=name,
        sha256=_fingerprint(name, bound, definitions),
        packs=tuple(paths) if rebuildable else None,
        options=options,
    )


def _dedupe(rules: Iterable[Rule]) -> list[Rule]:
    seen: set[str] = set()
    out = []
    for r in rules:
        if r.id not in seen:
            seen.add(r.id)
            out.append(r)
    return out
