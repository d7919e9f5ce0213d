"""cleaner: turn scraped text and HTML into clean corpora, and say exactly what was removed.

Quick use::

    from cleaner import clean, load_pack
    clean("Body text.\\n\\nYou may also like...\\n")        # -> "Body text.\\n"
    pipeline = load_pack()                                  # the default pack
    outcome = pipeline.clean(text)                          # text, steps, meta, status

Every rule is importable and callable on its own, e.g.
``from cleaner.rules.whitespace import collapse_inline_runs``.

The package is laid out by layer (io, core, rules, loading, running, cli): docs/architecture.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

# The alias module cleaner.rule (= cleaner.core.rule) is loaded first, so that its loading binds
# the attribute ``cleaner.rule`` now and the line below rebinds it to the decorator, as it always
# was; loaded later (by a plugin's ``from cleaner.rule import ...``) it would replace the decorator.
from cleaner import rule as _rule_module  # noqa: I001
from cleaner.core.engine import Outcome, Pipeline, Step
from cleaner.core.rule import Example, Judgement, Measure, Rule, filter_rule, line_rule, meta_rule, rule
from cleaner.core.version import __version__

del _rule_module

if TYPE_CHECKING:  # pragma: no cover
    from cleaner.loading.registry import Registry

__all__ = [
    "Example",
    "Judgement",
    "Measure",
    "Outcome",
    "Pipeline",
    "Rule",
    "Step",
    "__version__",
    "clean",
    "default_pipeline",
    "filter_rule",
    "line_rule",
    "load_pack",
    "meta_rule",
    "rule",
]

_default: Pipeline | None = None


def load_pack(
    paths: Iterable[str | Path] = (),
    *,
    options: dict[str, dict[str, Any]] | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    include_default: bool = True,
    registry: Registry | None = None,
) -> Pipeline:
    """Resolve packs into a :class:`Pipeline`; see :func:`cleaner.loading.pack.load_pack`.

    Imported lazily: the pack module imports every built-in rule module, which
    ``import cleaner`` alone should not pay for.
    """
    from cleaner.loading.pack import load_pack as _load_pack

    return _load_pack(
        paths, options=options, disable=disable, enable=enable, include_default=include_default, registry=registry
    )


def default_pipeline() -> Pipeline:
    """The default pack, loaded once per process."""
    global _default
    if _default is None:
        _default = load_pack()
    return _default


def clean(text: str) -> str:
    """Clean ``text`` with the default pack and return the cleaned text.

    A document the pack drops (nothing but residue) comes back as ``""``; a rule
    error leaves the text unchanged. Use ``default_pipeline().clean(text)`` to see
    the steps, metadata and status.
    """
    return default_pipeline().clean(text).text
