"""The ``cleaner`` script's entry point, kept apart from :mod:`cleaner.cli` so that
a Ctrl-C while the command line's libraries are still importing ends quietly
(exit 130) instead of with a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from cleaner.cli import main as cli_main
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    cli_main()
