"""The command line (``cleaner run | clean | explain | rules``): what a user types, turned into
calls on the layers below, and their results printed. Imported only by :mod:`cleaner.entry`
(the script) and tests; see docs/architecture.md."""

from cleaner.cli.base import app, main

__all__ = ["app", "main"]
