"""Imported once by the process that forks a run's workers (multiprocessing's
forkserver; :func:`cleaner.parallel.warm_up`), so that every worker starts as a fork
of a process that has done the slow part of starting already.

Starting from a fresh interpreter, a worker took 1.5-3 s before its first document:
importing cleaner and its dependencies (trafilatura alone ~0.5 s), reading the pack
and compiling its patterns (~1 s), and for a duplicates scan importing datasketch
(~1 s). A run with corpus rules starts its workers three times (two scans, then the
clean). Here the run's packs (named in :data:`ENV` by the run) are loaded once and
each corpus rule sketches a short text, which imports what the scans need; a forked
worker then loads its pack in ~0.1 s: the modules are imported and ``regex`` has
kept the compiled patterns.

Nothing here may stop a run: any error leaves the workers to do it all themselves,
as before. What it leaves alone: the worker's own pipeline, which each worker still
builds and checks against the run's pack hash (:func:`cleaner.worker.init_worker`).
"""

from __future__ import annotations

import json
import os

#: The environment variable through which the run names its packs:
#: ``{"packs": [...], "options": {...}, "disable": [...], "enable": [...]}``.
ENV = "CLEANER_WORKER_PRELOAD"

_WARM_TEXT = "Warm-up text of the worker preload, long enough for a sketch of five words.\nHome\n"


def _warm() -> None:
    try:
        import cleaner.commit  # noqa: F401  (what a worker imports to run a unit)
        import cleaner.run  # noqa: F401
        from cleaner.corpus.model import CorpusDoc
        from cleaner.pack import load_pack

        spec = json.loads(os.environ.get(ENV) or "{}")
        pipeline = load_pack(spec.get("packs", []), options=spec.get("options") or None,
                             disable=spec.get("disable", ()), enable=spec.get("enable", ()), warn=False)
        for rule in pipeline.rules:
            if rule.kind == "corpus" and rule.scan is not None:
                rule.scan(_WARM_TEXT, CorpusDoc("warm-up"))
    except Exception:  # the workers will do it themselves
        pass


_warm()
