"""Run a function over a stream of work in worker processes, results in input order,
with a bounded number of items in flight so that memory does not grow with the corpus.

A worker that dies (killed by the OS for using too much memory, a crash in C code)
breaks the whole process pool and every item in flight with it. The pool is then
replaced, and the items that were in flight run again one at a time, each in a
fresh pool if need be: the innocent ones succeed, and an item that kills its worker
again is handed to ``on_broken``, whose answer stands in for its result.

Ctrl-C is the main process's to handle: workers ignore SIGINT (a terminal sends it
to every process of the group), and an interrupt in the main process ends the
workers at once instead of waiting for the items they hold.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where available: no fork of a process that runs threads (the
    progress display), and workers start from a clean interpreter."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...] = (),
    window: int | None = None,
    on_broken: Callable[[T, BaseException], R] | None = None,
) -> Iterator[tuple[T, R]]:
    """Yield ``(item, fn(item))`` in the order of ``items``.

    ``jobs == 1`` runs in this process (after calling ``initializer`` here), so
    that the single-process path is the very same code. Otherwise at most
    ``window`` items (default ``3 * jobs``) are submitted and not yet collected.

    ``on_broken(item, error)``: the result for an item whose worker process died
    twice, once among the others and once running alone (see the module docs).
    Without it, a dead worker raises :class:`BrokenProcessPool`.
    """
    if jobs <= 1:
        initializer(*initargs)
        for item in items:
            yield item, fn(item)
        return
    window = window or 3 * jobs

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            jobs, mp_context=_context(), initializer=_start_worker, initargs=(initializer, *initargs)
        )

    pending: deque[tuple[T, Future[R]]] = deque()
    pool = new_pool()
    try:
        source = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                item = next(source, _END)
                if item is _END:
                    exhausted = True
                    break
                pending.append((item, pool.submit(fn, item)))
            if not pending:
                break
            first, future = pending[0]
            try:
                result = future.result()
            except BrokenProcessPool:
                if on_broken is None:
                    raise
                suspects = [item for item, _ in pending]
                pending.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                pool = new_pool()
                for suspect in suspects:
                    try:
                        result = pool.submit(fn, suspect).result()
                    except BrokenProcessPool as exc:
                        pool.shutdown(wait=True, cancel_futures=True)
                        pool = new_pool()
                        result = on_broken(suspect, exc)
                    yield suspect, result
                continue
            pending.popleft()
            yield first, result
    except BaseException as exc:
        for _, future in pending:
            future.cancel()
        if isinstance(exc, (KeyboardInterrupt, GeneratorExit)):  # Ctrl-C, or the caller closed us on one
            _end_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_END: Any = object()


def _start_worker(initializer: Callable[..., None], *initargs: Any) -> None:
    """A worker's start: leave Ctrl-C to the main process (see the module docs)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now; the items they held are not collected (a run
    does them again when resumed)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
