"""The command line (``cleaner run | clean | explain | rules | report``): what a user types, turned into
calls on the layers below, and their results printed. Imported only by :mod:`cleaner.entry`
(the script) and tests; see docs/architecture.md.

:mod:`~cleaner.cli.base` holds the app; each command module registers its command on it when
imported, in the order ``cleaner --help`` lists them.
"""

from cleaner.cli import run_command  # noqa: F401, I001  (registers `cleaner run`; this order is --help's)
from cleaner.cli import clean_command  # noqa: F401
from cleaner.cli import explain_command  # noqa: F401
from cleaner.cli import rules_command  # noqa: F401
from cleaner.cli import report_command  # noqa: F401
from cleaner.cli.base import app, main

__all__ = ["app", "main"]
