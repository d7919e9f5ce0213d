"""Progress of a run for people: a bar with documents/s and MB/s on a terminal,
a plain line every few seconds otherwise (logs, CI), nothing with --quiet; the same
for reading a run's provenance (``cleaner report``: :class:`ReadingProgress`)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from cleaner.cli.render import plural
from cleaner.running.run import Progress as RunProgress

#: Seconds between two plain progress lines when not on a terminal.
LINE_EVERY = 10.0


class _Rates:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.docs = 0
        self.bytes = 0
        self.total = 0

    def add(self, docs: int, nbytes: int) -> None:
        self.docs += docs
        self.bytes += nbytes

    def speeds(self) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        share = f", {self.bytes / self.total:.0%} of input" if self.total else ""
        return f"{self.docs / elapsed:,.0f} docs/s, {self.bytes / elapsed / 1e6:,.2f} MB/s{share}"

    def text(self) -> str:
        return f"{self.docs:,} documents ({self.speeds()})"


class BarProgress(RunProgress):
    """A rich progress bar over input bytes, with documents/s and MB/s."""

    def __init__(self, console: Console) -> None:
        self.rates = _Rates()
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[rates]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            auto_refresh=False,  # no refresh thread: a small run forks its workers from this process
        )
        self.task = self.bar.add_task("cleaning", total=None, rates="")

    def __enter__(self) -> BarProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def start(self, files: int, total_bytes: int) -> None:
        self.rates.total = total_bytes
        self.bar.update(self.task, total=total_bytes, refresh=True)

    def advance(self, documents: int, nbytes: int) -> None:
        self.rates.add(documents, nbytes)
        self.bar.update(self.task, advance=nbytes, rates=self.rates.speeds(), refresh=True)

    def phase(self, name: str) -> None:
        total, self.rates = self.rates.total, _Rates()
        self.rates.total = total
        self.bar.reset(self.task, total=total or None, description=name, rates="")
        self.bar.refresh()


class LineProgress(RunProgress):
    """A plain status line every :data:`LINE_EVERY` seconds."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.rates = _Rates()
        self.last = time.perf_counter()
        self.done = "cleaned"

    def start(self, files: int, total_bytes: int) -> None:
        self.rates.total = total_bytes
        self.console.print(f"cleaning {files:,} input files ({total_bytes / 1e6:,.1f} MB)", highlight=False)

    def advance(self, documents: int, nbytes: int) -> None:
        self.rates.add(documents, nbytes)
        now = time.perf_counter()
        if now - self.last >= LINE_EVERY:
            self.last = now
            self.console.print(f"{self.done} {self.rates.text()}", highlight=False)

    def phase(self, name: str) -> None:
        total, self.rates = self.rates.total, _Rates()
        self.rates.total = total
        self.done = "scanned" if name.startswith("scanning") else "cleaned"
        self.console.print(name, highlight=False)


class QuietProgress(RunProgress):
    """Nothing at all (--quiet)."""


def progress_for(console: Console, quiet: bool) -> BarProgress | LineProgress | QuietProgress:
    if quiet:
        return QuietProgress()
    return BarProgress(console) if console.is_terminal else LineProgress(console)


class ReadingProgress:
    """Progress of reading a run's provenance (``cleaner report``): a bar over its
    documents on a terminal, a plain line every :data:`LINE_EVERY` seconds otherwise,
    nothing with ``quiet``. Use as a context manager; :meth:`start` then :meth:`advance`."""

    #: Documents between two looks at the clock (a line costs microseconds).
    EVERY = 2048

    def __init__(self, console: Console, quiet: bool = False, what: str = "reading provenance") -> None:
        self.console = console
        self.quiet = quiet
        self.what = what
        self.done = 0
        self.pending = 0
        self.started = self.last = time.perf_counter()
        self.bar: Progress | None = None
        if not quiet and console.is_terminal:
            self.bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=console, transient=True,
            )
            self.task = self.bar.add_task(what, total=None, rate="")

    def __enter__(self) -> ReadingProgress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def start(self, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=total or None)
        elif not self.quiet:
            self.console.print(f"{self.what}: {plural(total, 'document')}", highlight=False)

    def phase(self, name: str) -> None:
        """The pass is over: the bar shows it whole and says what comes next."""
        self.done += self.pending
        self.pending = 0
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, total=max(self.done, 1), description=name)
        elif not self.quiet:
            self.console.print(name, highlight=False)

    def advance(self) -> None:
        self.pending += 1
        if self.pending < self.EVERY:
            return
        self.done += self.pending
        self.pending = 0
        now = time.perf_counter()
        rate = f"{self.done / max(now - self.started, 1e-9):,.0f} docs/s"
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, rate=rate)
        elif not self.quiet and now - self.last >= LINE_EVERY:
            self.last = now
            self.console.print(f"read {self.done:,} documents ({rate})", highlight=False)
