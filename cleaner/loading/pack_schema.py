"""What a pack file may hold, and where in the file each thing was written.

A misspelt table or key must not load as if it were not there: ``[[rules]]`` for
``[[rule]]`` would leave every rule out and the run would go on without a word.
:func:`check_schema` refuses every table and key this schema does not know, with
the file, the line and the nearest known name. ``tomllib`` gives values without
positions, so :class:`Locator` finds the line of a table header or a key by
reading the text again; it understands the headers and ``key =`` lines that packs
are written with (not every corner of TOML), and when it cannot find a line the
message gives the file alone.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import regex

#: The top-level tables of a pack, and how each is written.
TABLES = {"pack": "[pack]", "rule": "[[rule]]", "options": '[options."rule/id"]'}
#: Keys of ``[pack]``.
PACK_KEYS = ("name", "description", "include", "steps", "add", "disable")
#: Keys of a ``[[rule]]`` table (declarative rules).
RULE_KEYS = ("id", "summary", "doc", "where", "pattern", "case_sensitive", "block", "aliases", "examples")
#: Keys of one example of a declarative rule.
EXAMPLE_KEYS = ("input", "output", "note")
#: Keys of a table in ``[pack] add``.
ADD_KEYS = ("rule", "after", "before")

_HEADER = regex.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = regex.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_PART = regex.compile(r"""\s*("[^"]*"|'[^']*'|[^."'\s]+)\s*(?:\.|$)""")


class SchemaError(ValueError):
    """A table or key the schema does not know; ``line`` is where it was written."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in "\"'" and name[-1:] == name[:1] else name


def _table_path(header: str) -> tuple[str, ...]:
    return tuple(_unquote(m.group(1)) for m in _PART.finditer(header) if m.group(1))


class Locator:
    """Line numbers (1-based) of table headers and keys in a pack's text."""

    def __init__(self, raw: str) -> None:
        self.headers: list[tuple[int, tuple[str, ...]]] = []
        self.keys: list[tuple[int, tuple[str, ...], str]] = []
        table: tuple[str, ...] = ()
        for n, line in enumerate(raw.splitlines(), 1):
            header = _HEADER.match(line)
            if header:
                table = _table_path(header.group(2))
                self.headers.append((n, table))
                continue
            key = _KEY.match(line)
            if key:
                self.keys.append((n, table, _unquote(key.group(1))))

    def table(self, *path: str) -> int | None:
        """The line of the first header ``[a.b]`` or ``[[a.b]]`` for ``path``."""
        return next((n for n, table in self.headers if table == path), None)

    def key(self, table: tuple[str, ...], key: str) -> int | None:
        """The line where ``key`` is set in ``table`` (``()`` for the top level),
        or where a dotted header names it (``[options."rule/id"]``)."""
        found = next((n for n, t, k in self.keys if t == table and k == key), None)
        return found if found is not None else self.table(*table, key)


def _did_you_mean(name: str, known: tuple[str, ...] | list[str], render: dict[str, str] | None = None) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {(render or {}).get(close[0], repr(close[0]))}?"


def check_schema(data: dict[str, Any], locator: Locator) -> None:
    """Refuse (:class:`SchemaError`) the first table or key of a parsed pack that
    the schema does not know: at the top level and in ``[pack]``. (Keys of a
    ``[[rule]]`` are checked with the rule, so the message can name it; option
    names with the rule they belong to.)"""
    for name, value in data.items():
        if name in TABLES:
            continue
        is_table = isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value))
        if is_table:
            line = locator.table(name)
            suggestion = _did_you_mean(name, list(TABLES), TABLES)
            raise SchemaError(f"unknown table {name!r}{suggestion or '; a pack has ' + ', '.join(TABLES.values())}", line)
        line = locator.key((), name)
        if name in PACK_KEYS:
            raise SchemaError(f"{name!r} belongs in [pack]: write it under a [pack] header", line)
        suggestion = _did_you_mean(name, PACK_KEYS)
        hint = f"{suggestion[:-1]} (in [pack])?" if suggestion else f"; a pack has {', '.join(TABLES.values())}"
        raise SchemaError(f"unknown key {name!r}{hint}", line)
    meta = data.get("pack")
    if isinstance(meta, dict):
        for key in meta:
            if key not in PACK_KEYS:
                suggestion = _did_you_mean(key, PACK_KEYS) or f"; [pack] keys are {', '.join(PACK_KEYS)}"
                raise SchemaError(f"unknown key {key!r} in [pack]{suggestion}", locator.key(("pack",), key))


def unknown_key_message(keys: set[str], known: tuple[str, ...], where: str) -> str:
    """``unknown key 'paterns' in [[rule]]; did you mean 'pattern'?``"""
    first = sorted(keys)[0]
    suggestion = _did_you_mean(first, known) or f"; allowed: {', '.join(known)}"
    more = f" (and {', '.join(sorted(keys)[1:])})" if len(keys) > 1 else ""
    return f"unknown key {first!r}{more} in {where}{suggestion}"


def at(path: Path, line: int | None) -> str:
    """``file:line``, or the file alone when the line is not known."""
    return f"{path}:{line}" if line else str(path)
