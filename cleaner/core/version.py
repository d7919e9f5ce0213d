"""cleaner's version: one place, read by the build (pyproject's ``[tool.hatch.version]``),
written into every manifest and checked against the pack-check caches.
``cleaner.__version__`` re-exports it."""

__version__ = "0.1.0"
