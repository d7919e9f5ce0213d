"""The checks loading a pack makes on a declarative rule, remembered once passed.

Loading the default pack compiles some sixty patterns (``regex`` with full case
folding: ~0.45 s) and runs every rule's examples (~0.15 s), in every process that
loads it: each ``cleaner`` command, and the process that forks a run's workers.
That was more than cleaning a few hundred kilobytes, and most of what a small run
cost. Both checks have outcomes that depend on nothing but their inputs:

* whether a pattern compiles depends on the pattern, its flags and the ``regex``
  release. A pattern known to compile is not compiled at load: it becomes a
  :class:`LazyPattern`, compiled the first time a line is matched against it.
  The line screen asks most patterns about few lines or none, so a small run
  compiles few of them.
* whether a rule's examples hold depends on the rule's definition (pattern,
  flags, where, block, examples) and on the code that runs them: cleaner's own
  modules (every ``.py`` file of the package, hashed), Python, Unicode data,
  ``regex`` and ``ftfy``. Examples known to hold are not run again.

Only successes are kept: a pattern that does not compile, or a rule whose
examples fail, is checked anew each time, so the error message is the real one.
The values live in the user's cache folder (:mod:`cleaner.core.disk_cache`, off with
``CLEANER_CACHE_DIR=""``); without it every check runs at every load, as before.

What it leaves alone: plugin rules' examples (run when plugins are discovered,
see :mod:`cleaner.loading.registry`) and the patterns of Python rules (compiled when
their modules are imported).
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any, Callable

import regex

from cleaner.core.disk_cache import JsonCache, version_key


class LazyPattern:
    """A pattern that compiles on first use, standing in for a compiled
    ``regex`` pattern where the line pass uses one (``fullmatch``, ``pattern``,
    ``flags``). ``flags`` are the flags given (``regex.V1``, ``regex.IGNORECASE``),
    not the ones ``regex`` adds when compiling; callers test IGNORECASE only.
    Equal, and hashed, by pattern and flags, as compiled patterns are. Pickles as
    pattern and flags: a worker compiles what it uses."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int, compiled: regex.Pattern[str] | None = None) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled = compiled

    @property
    def compiled(self) -> regex.Pattern[str]:
        if self._compiled is None:
            self._compiled = regex.compile(self.pattern, self.flags)
        return self._compiled

    def fullmatch(self, string: str, *args: Any, **kwargs: Any) -> regex.Match[str] | None:
        return self.compiled.fullmatch(string, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # search, match, groupindex...: the compiled pattern's
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled, name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyPattern):
            return (self.pattern, self.flags) == (other.pattern, other.flags)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, (self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"


@cache
def _code_identity() -> str | None:
    """A hash of everything a rule's examples depend on besides the rule: cleaner's
    modules (their bytes), Python, Unicode data, regex and ftfy. None when the
    package's files cannot be read (nothing is then remembered)."""
    import ftfy

    package = Path(__file__).resolve().parents[1]  # all of cleaner/, not this folder alone
    digest = hashlib.sha256()
    try:
        for path in sorted(package.rglob("*.py")):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return version_key(digest.hexdigest(), sys.version, unicodedata.unidata_version, regex.__version__,
                       getattr(ftfy, "__version__", "?"))


@cache
def _passed() -> JsonCache:
    """Checks known to pass: ``{"compiles:<hash>": true, "examples:<hash>": true}``."""
    identity = _code_identity()
    return JsonCache("pack-checks", identity)


def _key(kind: str, value: Any) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return f"{kind}:{hashlib.sha256(data).hexdigest()[:32]}"


def pattern(source: str, flags: int) -> LazyPattern:
    """``source`` as a pattern for a declarative rule: compiled now unless it is
    known to compile (then on first use). Raises ``regex.error`` as
    ``regex.compile`` does."""
    key = _key("compiles", [source, flags, regex.__version__])
    if _passed().get(key) is True:
        return LazyPattern(source, flags)
    compiled = regex.compile(source, flags)
    _passed().put(key, True)
    return LazyPattern(source, flags, compiled)


def examples_failing(definition: dict[str, Any], run: Callable[[], str | None]) -> str | None:
    """Why a rule's examples fail, as ``run()`` says, unless examples of this very
    ``definition`` (the rule's TOML entry) are known to hold with this code."""
    key = _key("examples", definition)
    if _passed().get(key) is True:
        return None
    why = run()
    if why is None:
        _passed().put(key, True)
    return why


def save() -> None:
    """Write what this load learnt (once per pack load, not per rule)."""
    _passed().save()
