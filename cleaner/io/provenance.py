"""A run's ``provenance.jsonl``: its name, how much of each step it keeps, and reading it.

On a page dump, provenance is larger than the input (every removed line is kept with
its text: 2.9 times the input with ``--pack page-dump``). Two choices make it smaller,
both recorded in the manifest and in the run's fingerprint:

* **compression** (``--provenance-compress gz|zst``): ``provenance.jsonl.gz`` or
  ``provenance.jsonl.zst``, written deterministically (:class:`CompressedLineWriter`);
  every reader here reads any of them.
* **level** (``--provenance-level light``): each step keeps its rule, action, line
  number and the characters before and after (so the length of what went), but not
  the removed line's ``text`` (the input still holds it) nor the rule's ``why`` (on a
  page dump, ``page/main-text``'s "before the main text (5 words)" is as long as the
  line). The ``why`` of corpus rules stays: it is the only record of which site a
  template line belongs to (the manifest counts them per site from it) and of which
  document a duplicate repeats. A light line is a full line with fields left out, so
  whatever reads full provenance reads it. Statuses, reasons, sources, outputs and
  metadata are kept whole.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Collection, Iterator

PROVENANCE = "provenance.jsonl"

#: ``--provenance-compress``: the ending each choice adds to ``provenance.jsonl``.
COMPRESSIONS = {"gz": ".gz", "zst": ".zst"}

#: ``--provenance-level``: ``full`` keeps each removed line's text, ``light`` does not.
LEVELS = ("full", "light")


def provenance_name(compress: str | None = None) -> str:
    """The file name of a run's provenance: ``provenance.jsonl`` or, compressed,
    ``provenance.jsonl.zst`` (``.gz``)."""
    if compress is None:
        return PROVENANCE
    if compress not in COMPRESSIONS:
        raise ValueError(f"provenance compression must be one of {', '.join(COMPRESSIONS)}, not {compress!r}")
    return PROVENANCE + COMPRESSIONS[compress]


#: Every name a run's provenance may have (a folder cleaned again leaves them all out).
PROVENANCE_NAMES = tuple(provenance_name(c) for c in (None, *COMPRESSIONS))


def provenance_lines(path: Path) -> Iterator[str]:
    """The lines of a provenance file, compressed or not (told by its first bytes
    and name, as inputs are), streaming."""
    from cleaner.io.compression import open_binary

    with open_binary(path) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as handle:
        yield from handle


def light_steps(steps: list[dict[str, Any]], keep_why: Collection[str] = ()) -> list[dict[str, Any]]:
    """Steps as the light level keeps them: without the removed line's ``text``, and
    without ``why`` unless the step's rule is in ``keep_why`` (the corpus rules)."""
    return [
        {k: v for k, v in step.items() if k != "text" and (k != "why" or step["rule"] in keep_why)}
        for step in steps
    ]


def at_level(record: dict[str, Any], level: str, keep_why: Collection[str] = ()) -> dict[str, Any]:
    """A document's provenance record as ``level`` keeps it (see the module docs;
    ``keep_why``: the ids of the corpus rules, whose reasons stay)."""
    if level == "full" or not record.get("steps"):
        return record
    if level != "light":
        raise ValueError(f"provenance level must be one of {', '.join(LEVELS)}, not {level!r}")
    return {**record, "steps": light_steps(record["steps"], keep_why)}
