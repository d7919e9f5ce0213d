"""Imported once by the process that forks a run's workers (multiprocessing's
forkserver; :func:`cleaner.running.parallel.warm_up`), so that every worker starts as a fork
of a process that has done the slow part of starting already.

Starting from a fresh interpreter, a worker took 1.5-3 s before its first document:
importing cleaner and its dependencies, reading the pack and compiling its patterns
(~1 s). A run with corpus rules starts its workers three times (two scans, then the
clean). Here the run's packs (named in :data:`cleaner.running.parallel.PRELOAD_ENV` by the
run) are loaded once; a forked worker then loads its pack in ~0.1 s: the modules are
imported and ``regex`` has kept the compiled patterns. Imported anywhere else (the
variable unset), it loads nothing: the run's main process once imported it and so
loaded its pack a second time before the forkserver could start.

The preload also compiles the pack's patterns and builds its line screens (see
:func:`_compile_and_screen`). Left to the workers that need them: trafilatura (HTML
pages) and datasketch, which imports scipy (duplicates' scan). Imported here they
would be in every worker forked after, the clean phase's included: datasketch and
scipy are 46 MB of each one's resident memory (measured), for ~1 s saved once per
duplicates scan.

Nothing here may stop a run: any error leaves the workers to do it all themselves,
as before. What it leaves alone: the worker's own pipeline, which each worker still
builds and checks against the run's pack hash (:func:`cleaner.running.worker.init_worker`).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from cleaner.running.parallel import PRELOAD_ENV

if TYPE_CHECKING:
    from cleaner.core.engine import Pipeline

def _warm() -> None:
    if PRELOAD_ENV not in os.environ:  # imported by some other process than a run's forkserver
        return
    try:
        import cleaner.running.commit  # noqa: F401  (what a worker imports to run a unit)
        import cleaner.running.run  # noqa: F401
        from cleaner.loading.pack import load_pack

        spec = json.loads(os.environ.get(PRELOAD_ENV) or "{}")
        pipeline = load_pack(spec.get("packs", []), options=spec.get("options") or None,
                             disable=spec.get("disable", ()), enable=spec.get("enable", ()), warn=False)
        _compile_and_screen(pipeline)
    except Exception:  # the workers will do it themselves
        pass


#: Cleaned once here so that the line screens are built before the workers fork.
_WARM_TEXT = "A title\n\nA first sentence of some text. A second one.\nShare this article\n"


def _compile_and_screen(pipeline: Pipeline) -> None:
    """Compile every declarative pattern (loading leaves the ones known to compile
    for their first use: :mod:`cleaner.loading.pack_checks`; compiled here they sit in
    ``regex``'s cache, which a worker's own load finds) and build the line screens
    (~0.4 s in each worker otherwise, on its first document) by cleaning a short
    text with the pack's rules other than its corpus rules: those would sketch
    the text as a corpus of its own and import datasketch and scipy here, into
    every worker (see above)."""
    from cleaner.core.engine import Pipeline as Built
    from cleaner.loading.pack_checks import LazyPattern

    for r in pipeline.rules:
        pattern = getattr(r.fn, "pattern", None)
        if isinstance(pattern, LazyPattern):
            pattern.compiled  # noqa: B018  (compiles it)
    Built([r for r in pipeline.rules if r.kind != "corpus"], pipeline.name, pipeline.sha256).clean(_WARM_TEXT)


_warm()
