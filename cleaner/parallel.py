"""Run a function over a stream of work in worker processes, results in input order,
with a bounded number of items in flight so that memory does not grow with the corpus."""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
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
) -> Iterator[tuple[T, R]]:
    """Yield ``(item, fn(item))`` in the order of ``items``.

    ``jobs == 1`` runs in this process (after calling ``initializer`` here), so
    that the single-process path is the very same code. Otherwise at most
    ``window`` items (default ``3 * jobs``) are submitted and not yet collected.
    """
    if jobs <= 1:
        initializer(*initargs)
        for item in items:
            yield item, fn(item)
        return
    window = window or 3 * jobs
    pending: deque[tuple[T, Future[R]]] = deque()
    with ProcessPoolExecutor(jobs, mp_context=_context(), initializer=initializer, initargs=initargs) as pool:
        try:
            for item in items:
                pending.append((item, pool.submit(fn, item)))
                if len(pending) >= window:
                    first, future = pending.popleft()
                    yield first, future.result()
            while pending:
                first, future = pending.popleft()
                yield first, future.result()
        except BaseException:
            for _, future in pending:
                future.cancel()
            raise
