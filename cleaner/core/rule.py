"""Rules, their examples, and the decorators that declare them.

A rule is one small, pure step with a permanent id. There are three kinds:

* ``text`` rules transform the whole text: ``fn(text, **options) -> str``, or
  ``(str, why)`` to say what the change was. A ``private`` text rule (``pii/*``)
  must say it that way, by kind and count ("2 email addresses"): its change is
  recorded as ``masked`` with that reason and never with the text before and
  after it, not even in a traced run (``explain``).
* ``line`` rules judge one line in context: ``fn(line, ctx) -> None | True | dict | str``.
  ``None``/``False`` keeps the line, ``True`` removes it, a dict removes it and
  keeps the dict as document metadata (``{"source_name": "The Print"}``), a string
  removes it and is recorded in provenance as the reason (``"why"``). Where a
  line rule may fire (``head``, ``tail``, ``edge`` or ``anywhere``) is declared with
  the rule and enforced by the engine, see :mod:`cleaner.core.lines`.
* ``meta`` rules read the text and return metadata, never changing it.
* ``filter`` rules judge the whole document: ``fn(text, **options) -> Judgement``,
  keep or drop, with the reason and the measures taken (name, value, bound,
  passed), and metadata to keep (``language/identify`` sets ``language``). A
  dropped document has status ``dropped`` with the judgement's reason; the
  engine records the step, so ``explain`` prints each measure against its bound.

Every rule carries examples: at least one input it must change and one it must
leave alone. The examples are the tests (``tests/test_rule_examples.py``).

Fast paths: a rule may declare ``can_change(text) -> bool``, a cheap test that
returns False only when ``fn`` would return ``text`` unchanged (or, for a meta
rule, ``{}``); a line rule ``may_claim``, a standard-library regular expression
that matches at the start of every line ``fn`` could remove, in any context (the
line as it stands in the text, before stripping; see :mod:`cleaner.core.line_screen`);
and ``fast``, another implementation of ``fn``
that gives the same result for every input and option. ``fn`` stays the reference: the engine uses the
fast paths unless asked not to (``Pipeline(..., fast=False)``), and
``tests/test_fast_paths.py`` checks that both give identical outcomes.
A rule may also declare ``settles``, the kinds of change after which a text it
left alone stays so, which lets the engine's check pass leave it out (see
:mod:`cleaner.core.settled`; ``tests/test_settled.py`` checks every declaration).

A rule object is callable on plain text, so it drops into any pipeline::

    from cleaner.rules.whitespace import collapse_inline_runs
    collapse_inline_runs("a  \\t b")  # -> "a b"
"""

from __future__ import annotations

import inspect
import re
import textwrap
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import regex

from cleaner.corpus.model import CorpusExample
from cleaner.core.engine import apply_rule
from cleaner.core.lines import LineContext
from cleaner.core.options import conforms, describe_type
from cleaner.core.settled import KINDS

__all__ = [
    "CorpusExample", "Example", "Judgement", "LineContext", "Measure", "Rule", "RuleError", "corpus_rule",
    "filter_rule", "line_rule", "meta_rule", "rule",
]

RuleKind = Literal["text", "line", "meta", "corpus", "filter"]
Where = Literal["head", "tail", "edge", "anywhere"]
WHERE_VALUES: tuple[str, ...] = ("head", "tail", "edge", "anywhere")

#: ``area/name``: lower-case words joined by hyphens, one slash or more.
RULE_ID = regex.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+")


class RuleError(ValueError):
    """A rule or pack breaks the contract (bad id, missing examples, failing example).

    ``detail`` is the message without the rule's name in front, for callers (the
    pack loader) that say where the rule is in their own words."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail or message


@dataclass(frozen=True)
class Example:
    """An input and what the rule must make of it.

    ``output=None`` means the rule must leave ``input`` unchanged. For ``meta``
    rules, ``meta`` is the metadata the rule must return (``{}`` for none).
    For ``filter`` rules, ``drops=True`` means the rule must drop the document
    (else it must keep it), and ``meta`` the metadata it must set (the keys
    given; ``{}``: none at all).
    """

    input: str
    output: str | None = None
    note: str = ""
    meta: dict[str, Any] | None = None
    drops: bool = False

    @property
    def expected(self) -> str:
        if self.drops:
            return ""
        return self.input if self.output is None else self.output

    @property
    def changes(self) -> bool:
        return self.drops or self.expected != self.input


@dataclass(frozen=True)
class Measure:
    """One measure a filter took: its name, its value, the bound it is held to
    (a number or a few words: ``"≤ 10"``, ``"[en]"``) and whether it passed
    (``None``: not judged by it, only reported)."""

    name: str
    value: Any
    bound: Any = None
    passed: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "value": self.value}
        if self.bound is not None:
            d["bound"] = self.bound
        if self.passed is not None:
            d["passed"] = self.passed
        return d


@dataclass(frozen=True)
class Judgement:
    """A filter rule's judgement of one document: keep it or drop it.

    ``reason``: why it was dropped (``"language de (0.97), not in [en]"``), or,
    for a kept document, a note worth recording (``"too short to judge"``: the
    engine then records a ``kept`` step). ``label``: the reason without its
    document's values, by which the run counts drops (``"language de, not in
    [en]"``; the reason when not given). ``measures``: what was measured, for
    ``explain``. ``meta``: metadata to keep, kept or dropped."""

    keep: bool = True
    reason: str | None = None
    measures: tuple[Measure, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    label: str | None = None

    @classmethod
    def drop(cls, reason: str, *, measures: tuple[Measure, ...] | list[Measure] = (), meta: dict[str, Any] | None = None,
             label: str | None = None) -> Judgement:
        return cls(False, reason, tuple(measures), dict(meta or {}), label)

    @classmethod
    def kept(cls, reason: str | None = None, *, measures: tuple[Measure, ...] | list[Measure] = (),
             meta: dict[str, Any] | None = None) -> Judgement:
        return cls(True, reason, tuple(measures), dict(meta or {}))


@dataclass(frozen=True, eq=False)
class Rule:
    """One cleaning step. Build it with :func:`rule`, :func:`line_rule` or a pack."""

    id: str
    summary: str
    kind: RuleKind
    fn: Callable[..., Any]
    examples: tuple[Example, ...]
    doc: str = ""
    where: Where = "anywhere"
    block: bool = False  # line rules: also remove the rest of the tail after a match
    aliases: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # defaults, overridable per pack
    # the annotated type of each option (Literal[...], bool, int, str, list[str], X | None ...):
    # a value of another type is refused when the rule is bound, before any text is cleaned
    option_types: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    origin: str = ""  # module or pack file that defined it
    # opt-in rules: the rule after which --enable and a pack's `add` place this one
    after: str | None = None
    # Fast paths (see "Fast paths" above); the engine's reference mode ignores them.
    can_change: Callable[[str], bool] | None = field(default=None, compare=False, repr=False)
    fast: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    # Line rules: a stdlib pattern matching the start of every line ``fn`` could remove (see above).
    may_claim: str | None = field(default=None, compare=False, repr=False)
    # Line rules: a ``regex`` pattern (read case-insensitively) that every stripped line
    # ``fn`` could remove matches in full; screened as a declarative rule's pattern is
    claim_pattern: str | None = field(default=None, compare=False, repr=False)
    # Line rules: True when ``fn``'s verdict depends on the stripped line alone (it never
    # reads its context): the fast line pass may then ask it with ``ctx=None``
    alone: bool = field(default=False, compare=False, repr=False)
    # Corpus rules: the scan of one document, and the statistics its sketches go into
    scan: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    statistics: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    # Corpus rules: their examples are small corpora (``examples`` stays empty)
    corpus_examples: tuple[CorpusExample, ...] = ()
    # The check pass (see cleaner.core.settled): the kinds of change after which a text this
    # rule left alone stays so (the rule is idempotent); None: not declared, always run again
    settles: frozenset[str] | None = field(default=None, compare=False, repr=False)
    # Text rules with ``can_change``: the kinds of change after which a text that
    # ``can_change`` rules out stays ruled out (cleaner.core.settled); None: not declared
    idle_settles: frozenset[str] | None = field(default=None, compare=False, repr=False)
    # Text rules: the one kind of change this rule makes (cleaner.core.settled); None: any
    changes: str | None = field(default=None, compare=False, repr=False)
    # Text rules: what they change is private (personal data): recorded by the reason the
    # rule gives, never by text, not even in a traced run (see the module docs)
    private: bool = False

    def __post_init__(self) -> None:
        check_contract(self)

    def __call__(self, text: str, **options: Any) -> str:
        """Apply this rule alone to ``text`` and return the new text."""
        return apply_rule(self, text, **options).text

    def __repr__(self) -> str:
        return f"<Rule {self.id} ({self.kind})>"

    def bound(self, **options: Any) -> Rule:
        """This rule with some option defaults replaced. Unknown names and values
        of the wrong type are refused (:class:`RuleError`), so that a bad option
        fails when a pack loads, not on every document."""
        unknown = set(options) - set(self.options)
        if unknown:
            known = ", ".join(sorted(self.options)) or "none"
            detail = f"unknown option(s) {', '.join(sorted(unknown))} (known: {known})"
            raise RuleError(f"rule {self.id!r}: {detail}", detail=detail)
        for name, value in options.items():
            expected = self.option_types.get(name, type(self.options[name]))
            if not conforms(value, expected):
                detail = f"option {name!r} must be {describe_type(expected)}, not {value!r}"
                raise RuleError(f"rule {self.id!r}: {detail}", detail=detail)
        return Rule(**{**self.__dict__, "options": {**self.options, **options}})


def check_contract(r: Rule) -> None:
    """Refuse a rule that could not be trusted or tested."""

    def fail(detail: str) -> RuleError:
        where = f"{r.id!r}" + (f" from {r.origin}" if r.origin else "")
        return RuleError(f"rule {where}: {detail}", detail=detail)

    if not RULE_ID.fullmatch(r.id):
        raise fail("id must look like 'area/name' in lower-case words and hyphens")
    if not r.summary.strip():
        raise fail("a one-line summary is required")
    if r.kind not in ("text", "line", "meta", "corpus", "filter"):
        raise fail(f"unknown kind {r.kind!r}")
    if r.where not in WHERE_VALUES:
        raise fail(f"'where' must be one of {', '.join(WHERE_VALUES)}, not {r.where!r}")
    for name, default in r.options.items():
        if name in r.option_types and not conforms(default, r.option_types[name]):
            raise fail(f"the default of option {name!r}, {default!r}, is not {describe_type(r.option_types[name])}")
    if r.may_claim is not None:
        try:
            re.compile(r.may_claim)
        except re.error as exc:
            raise fail(f"may_claim is not a valid pattern: {exc}") from None
        if r.kind != "line":
            raise fail("may_claim is for line rules")
    if r.claim_pattern is not None:
        try:
            regex.compile(r.claim_pattern, regex.IGNORECASE)
        except regex.error as exc:
            raise fail(f"claim_pattern is not a valid pattern: {exc}") from None
        if r.kind != "line":
            raise fail("claim_pattern is for line rules")
    if r.settles is not None and not r.settles <= KINDS:
        raise fail(f"settles names unknown kinds of change: {', '.join(sorted(r.settles - KINDS))} (known: {', '.join(sorted(KINDS))})")
    if r.idle_settles is not None:
        if not r.idle_settles <= KINDS:
            raise fail(f"idle_settles names unknown kinds of change: {', '.join(sorted(r.idle_settles - KINDS))}")
        if r.kind != "text" or r.can_change is None:
            raise fail("idle_settles is for text rules with can_change")
    if r.private and r.kind != "text":
        raise fail("private is for text rules")
    if r.changes is not None and (r.changes not in KINDS or r.kind != "text"):
        raise fail(f"changes must be one of {', '.join(sorted(KINDS))}, for a text rule")
    if r.kind == "corpus":
        if r.scan is None or r.statistics is None:
            raise fail("a corpus rule needs a scan and statistics")
        if not any(e.changes for e in r.corpus_examples):
            raise fail("needs at least one example corpus it must change")
        if not any(not e.changes for e in r.corpus_examples):
            raise fail("needs at least one example corpus it must leave alone")
        return
    if r.corpus_examples:
        raise fail("corpus examples are for corpus rules")
    if r.kind == "meta":
        if not any(e.meta for e in r.examples) or not any(e.meta == {} for e in r.examples):
            raise fail("needs an example that yields metadata and one that yields none ({})")
        return
    if r.kind == "filter":
        if not any(e.drops or e.meta for e in r.examples):
            raise fail("needs an example it must drop or give metadata")
        if not any(not e.drops and not e.meta for e in r.examples):
            raise fail("needs an example it must keep without metadata")
        return
    if not any(e.changes for e in r.examples):
        raise fail("needs at least one example it must change")
    if not any(not e.changes for e in r.examples):
        raise fail("needs at least one example it must leave alone")


def _docstring(fn: Callable[..., Any]) -> str:
    return textwrap.dedent(inspect.getdoc(fn) or "").strip()


def _option_params(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    """Keyword-only parameters with defaults of a text or meta rule are its options."""
    return [
        p for p in inspect.signature(fn).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty
    ]


def _option_types(fn: Callable[..., Any], names: list[str]) -> dict[str, Any]:
    """The annotated types of the options (resolved, so string annotations work);
    an option without annotation is checked against its default's type."""
    try:
        hints = typing.get_type_hints(fn, include_extras=False)
    except Exception:  # an annotation that does not resolve: fall back to the defaults' types
        hints = {}
    return {name: hints[name] for name in names if name in hints}


def _declare(kind: RuleKind, id: str, summary: str, examples: list[Example], **fields: Any) -> Callable[..., Rule]:
    """The decorator behind :func:`rule`, :func:`line_rule` and :func:`meta_rule`:
    the function's docstring becomes the rule's doc, its keyword-only parameters
    with defaults its options."""

    def wrap(fn: Callable[..., Any]) -> Rule:
        params = _option_params(fn) if kind != "line" else []
        return Rule(
            id=id,
            summary=summary,
            kind=kind,
            fn=fn,
            examples=tuple(examples),
            doc=_docstring(fn),
            options={p.name: p.default for p in params},
            option_types=_option_types(fn, [p.name for p in params]),
            origin=fn.__module__,
            **fields,
        )

    return wrap


def rule(
    id: str,
    summary: str,
    *,
    examples: list[Example],
    aliases: tuple[str, ...] = (),
    can_change: Callable[[str], bool] | None = None,
    fast: Callable[..., str] | None = None,
    after: str | None = None,
    settles: frozenset[str] | None = None,
    changes: str | None = None,
    idle_settles: frozenset[str] | None = None,
    private: bool = False,
) -> Callable[[Callable[..., str]], Rule]:
    """Declare a text rule: ``fn(text, **options) -> str`` (or ``(str, why)``;
    ``private=True``: the change is recorded by its why alone). Keyword-only
    parameters with defaults become the rule's options; their annotations
    (``style: Literal["a", "b"] = "a"``) are checked when a pack sets them.
    ``can_change`` and ``fast`` are optional exact fast paths (see the module
    docs). ``after``: for a rule no pack runs by default, the rule after which
    ``--enable`` and a pack's ``add`` place it. ``settles``, ``changes`` and
    ``idle_settles``: what the engine's check pass may rely on (:mod:`cleaner.core.settled`)."""
    return _declare(
        "text", id, summary, examples, aliases=aliases, can_change=can_change, fast=fast, after=after,
        settles=settles, changes=changes, idle_settles=idle_settles, private=private,
    )


def line_rule(
    id: str,
    summary: str,
    *,
    where: Where,
    examples: list[Example],
    block: bool = False,
    aliases: tuple[str, ...] = (),
    may_claim: str | None = None,
    claim_pattern: str | None = None,
    after: str | None = None,
    settles: frozenset[str] | None = None,
    alone: bool = False,
) -> Callable[[Callable[[str, LineContext], Any]], Rule]:
    """Declare a line rule: ``fn(line, ctx) -> None | True | dict | str``.
    ``may_claim`` is an optional exact fast path: a stdlib regular expression
    that ``re.match`` matches at the start of every line ``fn`` could remove
    (unstripped), whatever its context; the rule is not asked about the others.
    ``claim_pattern``: another exact fast path, a ``regex`` pattern (matched
    ignoring case) that every stripped line ``fn`` could remove matches in full,
    whatever its context: the line screen reads it as it reads a declarative
    rule's pattern (by how its matches start, instead of trying ``may_claim`` on
    every line), and the rule is asked only about lines it matches.
    ``after``: as for :func:`rule`; without it an added line rule joins the
    residue line pass (after the last line rule of the order). ``settles``: the
    kinds of change (:mod:`cleaner.core.settled`) that cannot change the rule's verdict
    on any line. ``alone``: the rule's verdict on a line depends on the stripped
    line alone, never on its context; the fast line pass then asks it with
    ``ctx=None`` and without a line screen (the reference mode still builds each
    line's context)."""
    return _declare(
        "line", id, summary, examples, where=where, block=block, aliases=aliases, may_claim=may_claim, after=after,
        settles=settles, claim_pattern=claim_pattern, alone=alone,
    )


def corpus_rule(
    id: str,
    summary: str,
    *,
    scan: Callable[..., Any],
    statistics: Callable[..., Any],
    examples: list[CorpusExample],
    aliases: tuple[str, ...] = (),
    after: str | None = None,
) -> Callable[[Callable[..., Any]], Rule]:
    """Declare a corpus rule: ``fn(text, doc, stats, **options) -> CorpusVerdict``
    judges one document with the statistics of the whole corpus, which
    ``statistics(**options)`` gathers from ``scan(text, doc)`` of every document,
    offered in input order (see :mod:`cleaner.corpus.model`). Its examples are small
    corpora (:class:`~cleaner.corpus.model.CorpusExample`)."""
    return _declare(
        "corpus", id, summary, [], aliases=aliases, scan=scan, statistics=statistics, after=after,
        corpus_examples=tuple(examples),
    )


def filter_rule(
    id: str,
    summary: str,
    *,
    examples: list[Example],
    aliases: tuple[str, ...] = (),
    after: str | None = None,
) -> Callable[[Callable[..., Judgement]], Rule]:
    """Declare a filter rule: ``fn(text, **options) -> Judgement`` keeps or drops
    the whole document, with the reason and the measures taken, and may keep
    metadata. Examples: ``Example(text, drops=True)`` it must drop,
    ``Example(text)`` it must keep, ``meta={...}`` the metadata it must set.
    ``after``: as for :func:`rule` (an added filter without it goes after the last
    rule of the order)."""
    return _declare("filter", id, summary, examples, aliases=aliases, after=after)


def meta_rule(
    id: str,
    summary: str,
    *,
    examples: list[Example],
    aliases: tuple[str, ...] = (),
    fast: Callable[..., dict[str, Any]] | None = None,
    settles: frozenset[str] | None = None,
) -> Callable[[Callable[..., dict[str, Any]]], Rule]:
    """Declare a metadata rule: ``fn(text, **options) -> dict``; never changes text.
    ``settles``: the kinds of change (:mod:`cleaner.core.settled`) after which its
    result stays the same."""
    return _declare("meta", id, summary, examples, aliases=aliases, fast=fast, settles=settles)
