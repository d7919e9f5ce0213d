"""cleaner: turn scraped text and HTML into clean corpora, and say exactly what was removed.

Quick use::

    from cleaner import clean, load_pack
    clean("Body text.\\n\\nYou may also like...\\n")        # -> "Body text.\\n"
    pipeline = load_pack()                                  # the default pack
    outcome = pipeline.clean(text)                          # text, steps, meta, status

Every rule is importable and callable on its own, e.g.
``from cleaner.rules.whitespace import collapse_inline_runs``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any, Iterable, Sequence  # noqa: E402

from cleaner.engine import Outcome, Pipeline, Step  # noqa: E402
from cleaner.rule import Example, Judgement, Measure, Rule, filter_rule, line_rule, meta_rule, rule  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from cleaner.registry import Registry

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
    """Resolve packs into a :class:`Pipeline`; see :func:`cleaner.pack.load_pack`.

    Imported lazily: the pack module imports every built-in rule module, which
    ``import cleaner`` alone should not pay for.
    """
    from cleaner.pack import load_pack as _load_pack

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
