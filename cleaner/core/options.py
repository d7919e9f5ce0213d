"""Rule options and their types: does a value set in a pack fit the option?

A rule's options are the keyword-only parameters of its function; their
annotations say what a pack may set (``style: Literal["markdown", "plain"] =
"markdown"``). The check runs when a pack loads, so ``style = 3`` is refused with
the file, line and rule id instead of failing every document of the run. Only the
forms options use are understood (classes, ``Literal``, unions, lists, tuples,
tables); anything else is accepted as it is.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union


def conforms(value: Any, expected: Any) -> bool:
    """Whether ``value`` is of the annotated type ``expected``: plain classes,
    ``Literal[...]``, unions (``X | None``), ``list[X]``, ``tuple[X, ...]`` and
    ``dict[K, V]``. ``Any`` and forms it does not know accept anything; a bool is
    not taken for an int."""
    if expected is Any:
        return True
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin is Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin in (Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin in (list, tuple, set, frozenset):
        if not isinstance(value, (list, tuple)):  # TOML and JSON give lists
            return False
        inner = [a for a in args if a is not Ellipsis]
        return not inner or all(conforms(v, inner[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and (
            not args or all(conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
        )
    if expected is type(None) or expected is None:
        return value is None
    if isinstance(expected, type):
        if expected is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if expected is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, expected)
    return True


def describe_type(expected: Any) -> str:
    """``one of 'markdown', 'plain', 'keep'``, ``an integer``, ``a list of strings`` …"""
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        return " or ".join(describe_type(a) for a in args)
    if origin in (list, tuple, set, frozenset):
        inner = [a for a in args if a is not Ellipsis]
        return "a list" + (f" of {describe_type(inner[0]).removeprefix('a ').removeprefix('an ')}s" if inner else "")
    if origin is dict:
        return "a table"
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string", type(None): "none"}
    return names.get(expected, getattr(expected, "__name__", str(expected)))
