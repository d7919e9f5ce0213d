"""What the Gopher, C4 and FineWeb filter rules share: turning a list of measures
(:mod:`cleaner.rules._measures`) into a :class:`~cleaner.rule.Judgement`, and
judging only the languages a filter was made for.

A drop's reason names the first measure that failed, its value and its bound
(``gopher: mean word length 11.2 > 10``); its label, by which a run counts drops,
leaves the value out (``gopher: mean word length > 10``). Every measure goes with
the judgement, so ``cleaner explain`` prints each against its bound.

Languages: each filter has a ``languages`` option, the languages its heuristics
were made for (``["en"]`` by default: the papers tuned them on English, and the
word splitting is spaCy's English tokenizer). A document whose ``language`` (set
by ``language/identify`` earlier in the pipeline) is not among them is kept with
a note, not judged. A document whose language is not known is judged: the
published pipelines run these filters on whatever reaches them, after their own
language filter, and a pack that wants the gate adds ``language/identify`` or
``language/keep`` before the filters. ``languages = []`` judges every document.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from cleaner.core.rule import Judgement
from cleaner.core.rule import Measure as RuleMeasure
from cleaner.rules._measures import Measure, _num


@lru_cache(maxsize=1024)
def _bound(op: str, bound: float) -> str:
    """The bound as the side a text must stay on: ``≤ 10``, ``≥ 50``."""
    return f"{'≥' if op == '<' else '≤'} {_num(bound)}"


def _value(x: float) -> float | int:
    if isinstance(x, int) or (x == x and float(x).is_integer() and abs(x) < 1e15):
        return int(x)
    return round(float(x), 4)


def not_for_language(prefix: str, meta: dict[str, Any] | None, languages: Sequence[str]) -> Judgement | None:
    """A kept judgement with a note when the document's language is known and not
    one the filter was made for; None when the filter should judge it."""
    language = (meta or {}).get("language")
    if not languages or not language or language in languages:
        return None
    return Judgement.kept(f"{prefix}: language {language} not judged (made for {', '.join(languages)})")


def judge(prefix: str, measures: list[Measure]) -> Judgement:
    """Keep the text when every measure passed; else drop it for the first that failed."""
    taken = tuple(RuleMeasure(m.name, _value(m.value), _bound(m.op, m.bound), m.passed) for m in measures)
    failed = next((m for m in measures if not m.passed), None)
    if failed is None:
        return Judgement.kept(measures=taken)
    return Judgement.drop(failed.describe(prefix), measures=taken, label=f"{prefix}: {failed.name} {failed.op} {_num(failed.bound)}")
