"""Run a function over a stream of work in worker processes, results in input order,
with a bounded number of items in flight so that memory does not grow with the corpus.

A worker that dies (killed by the OS for using too much memory, a crash in C code)
breaks the whole process pool and every item in flight with it. The pool is then
replaced, and the items that were in flight run again one at a time, each in a
fresh pool if need be: the innocent ones succeed, and an item that kills its worker
again is handed to ``on_broken``, whose answer stands in for its result.

Ctrl-C is the main process's to handle: workers ignore SIGINT (a terminal sends it
to every process of the group), and an interrupt in the main process ends the
workers at once instead of waiting for the items they hold. SIGTERM (what Slurm,
Kubernetes and ``kill`` send) is handled the same way inside
:func:`sigterm_interrupts`: the main process gets :class:`Terminated`, a
KeyboardInterrupt; a worker it reaches (alone, or with its whole process group)
ends at once, or, in a :func:`writing` block, right after it.

Workers are forked by a *forkserver* that :func:`warm_up` starts early and that
imports cleaner and loads the run's packs once (:mod:`cleaner.running.worker_preload`), so
that a worker is ready in a fraction of a second instead of 1.5-3 s. A run of a
small input (:data:`cleaner.running.plan.SMALL_INPUT`) forks its workers from the main
process instead, which has loaded everything already: ``ordered_map(..., fork=True)``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
from collections import deque
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Generator, Iterable, Iterator, TypeVar

#: The environment variable through which a run names its packs to the forkserver
#: (:mod:`cleaner.running.worker_preload`): ``{"packs", "options", "disable", "enable"}``.
#: Set only while the forkserver starts: a process without it preloads nothing.
PRELOAD_ENV = "CLEANER_WORKER_PRELOAD"

T = TypeVar("T")
R = TypeVar("R")


def _context(fork: bool = False) -> multiprocessing.context.BaseContext:
    """forkserver where available: workers start from a clean interpreter, not
    from a copy of a main process that may hold a corpus's statistics and caches.
    ``fork``: fork the workers from this process instead (ready in milliseconds,
    with everything it has loaded), where the system can and no other thread runs
    here (a thread holding a lock at the fork would leave it held in the worker)."""
    methods = multiprocessing.get_all_start_methods()
    if fork and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def can_fork() -> bool:
    """Whether ``ordered_map(..., fork=True)`` would fork from this process now."""
    return _context(fork=True).get_start_method() == "fork"


def warm_up(packs: dict[str, Any] | None = None) -> None:
    """Start the process that forks the workers now, so that it imports cleaner and
    loads ``packs`` (``{"packs", "options", "disable", "enable"}``, as
    :func:`cleaner.loading.pack.load_pack` takes them) while the caller does other work, and
    forks ready workers later (see :mod:`cleaner.running.worker_preload`). Does nothing
    without a forkserver, or when it is running already (it keeps what it loaded:
    one process, one run, in the command line)."""
    if _context().get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    forkserver.set_forkserver_preload(["__main__", "cleaner.running.worker_preload"])
    before = os.environ.get(PRELOAD_ENV)
    try:
        os.environ[PRELOAD_ENV] = json.dumps(packs or {})
    except (TypeError, ValueError):  # options JSON cannot hold: the built-in packs only
        os.environ[PRELOAD_ENV] = "{}"
    try:
        forkserver.ensure_running()
    finally:
        if before is None:
            os.environ.pop(PRELOAD_ENV, None)
        else:
            os.environ[PRELOAD_ENV] = before


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...] = (),
    window: int | None = None,
    on_broken: Callable[[T, BaseException], R] | None = None,
    fork: bool = False,
) -> Generator[tuple[T, R], None, None]:
    """Yield ``(item, fn(item))`` in the order of ``items``.

    ``jobs == 1`` runs in this process (after calling ``initializer`` here), so
    that the single-process path is the very same code. Otherwise at most
    ``window`` items (default ``3 * jobs``) are submitted and not yet collected.

    ``on_broken(item, error)``: the result for an item whose worker process died
    twice, once among the others and once running alone (see the module docs).
    Without it, a dead worker raises :class:`BrokenProcessPool`.

    ``fork``: fork the workers from this process where it can (see :func:`_context`).
    """
    if jobs <= 1:
        initializer(*initargs)
        for item in items:
            yield item, fn(item)
        return
    window = window or 3 * jobs

    def new_pool() -> ProcessPoolExecutor:
        context = _context(fork)
        if context.get_start_method() == "forkserver":
            # Started here, not in submit: a forkserver started with SIGTERM and SIGINT
            # held would keep them held, and outlive a SIGTERM to the whole group.
            from multiprocessing import forkserver

            forkserver.ensure_running()
        return ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start_worker, initargs=(initializer, *initargs)
        )

    def submit(item: T) -> Future[R]:
        # The pool may fork its workers here: a handler run in a fork hook raises where the
        # exception is only printed (SIGTERM, handled once, was lost), so signals wait till after.
        with _signals_held(_STOPS):
            return pool.submit(fn, item)

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
                pending.append((item, submit(item)))
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
                        result = submit(suspect).result()
                    except BrokenProcessPool as exc:
                        pool.shutdown(wait=True, cancel_futures=True)
                        pool = new_pool()
                        result = on_broken(suspect, exc)
                    yield suspect, result
                continue
            pending.popleft()
            yield first, result
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, GeneratorExit)):  # Ctrl-C, or the caller closed us on one
            # End the workers, then let the pool's own thread settle the items they held
            # (it marks them broken) before anything cancels them: on Python 3.11 that
            # thread raises, and prints a traceback, when it marks an item already cancelled.
            _end_workers(pool)
            pool.shutdown(wait=True)
        else:
            for _, future in pending:
                future.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_END: Any = object()


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (:func:`sigterm_interrupts`): a KeyboardInterrupt, so that
    everything that stops cleanly on Ctrl-C stops the same way on it; the caller
    tells them apart to exit 143 instead of 130."""


#: The exit code of a process stopped by SIGTERM, by the shell's convention (128 + 15).
SIGTERM_EXIT = 128 + signal.SIGTERM


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread, as
    Ctrl-C raises KeyboardInterrupt, instead of killing the process where it stands
    (temporary files and a pool's semaphores left behind). Only the first SIGTERM
    raises: one that follows while the first is being handled is ignored, so the
    clean-up is not cut short. Outside the main thread (where Python cannot set
    handlers) it changes nothing; the previous handler is back after the block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _start_worker(initializer: Callable[..., None], *initargs: Any) -> None:
    """A worker's start: leave Ctrl-C to the main process, end on SIGTERM (after
    any :func:`writing` block), and end with the main process (see
    :func:`_end_with_parent`). A worker forked from the main process would
    otherwise inherit its SIGTERM handler and raise :class:`Terminated` mid-item."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # forked from the main process, it held them (see ordered_map)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    _end_with_parent()
    initializer(*initargs)


#: Held by a worker while it writes what must not be left half-written (:func:`writing`).
_WRITING = threading.Lock()

#: The signals held back during a :func:`writing` block.
_HELD = {signal.SIGTERM}

#: The signals held back while the main process submits an item (and so may fork a worker).
_STOPS = {signal.SIGTERM, signal.SIGINT}


@contextmanager
def writing() -> Iterator[None]:
    """A worker writing files: if the main process dies, or SIGTERM arrives,
    meanwhile, the worker ends after the block, not in it (a unit's files are then
    all there or not at all, and no temporary file is left). SIGTERM is held back
    (blocked) for the block and takes effect when it ends."""
    with _WRITING, _signals_held():
        yield


@contextmanager
def _signals_held(signals: set[signal.Signals] = _HELD) -> Iterator[None]:
    """Block ``signals`` in this thread for the block (where the system can)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    # Read the mask before blocking, and block inside ``try``: a signal handled just as
    # SIG_BLOCK returns raises there, and must not leave this thread with them blocked for good.
    before = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _end_with_parent() -> None:
    """End this worker when the process that started it dies (kill -9, the OS out of
    memory): it would otherwise wait for work forever, as its pool's queue is still
    open (every worker holds its ends). A thread waits on the parent's sentinel,
    then ends the process once no :func:`writing` block is under way."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        _WRITING.acquire()
        os._exit(1)

    with _signals_held():  # the thread keeps this mask: SIGTERM is for the main thread, which may be writing
        threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now; the items they held are not collected (a run
    does them again when resumed).

    A worker ended while it sends a result back (SIGTERM to the whole group, or
    this very call) leaves part of it in the results' pipe, and the pool's thread
    waits for the rest in ``recv``, for ever: this process holds the pipe's write
    end too, so the pipe never ends, and ``shutdown(wait=True)`` (and the exit)
    waited for that thread with it. Closed here, once the workers are gone the
    thread reads the pipe's end and marks the pool broken."""
    results = getattr(pool, "_result_queue", None)
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
    else:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    writer = getattr(results, "_writer", None)
    if writer is not None:  # no worker starts after this, and only workers write there
        writer.close()
