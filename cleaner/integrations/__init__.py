"""Adapters that run cleaner's per-document work inside other tools, with the same
result as ``cleaner run``: :mod:`~cleaner.integrations.ray` (Ray Data),
:mod:`~cleaner.integrations.datatrove` (a datatrove pipeline step),
:mod:`~cleaner.integrations.hf` (Hugging Face ``datasets.map``); the shared
per-record code is in :mod:`~cleaner.integrations.columns`. A tool is imported
only with its own module (``import cleaner`` imports none); see docs/integrations.md."""
