"""Adapters that run cleaner's per-document work inside other tools, with the same
result as ``cleaner run``: :mod:`~cleaner.integrations.ray` (Ray Data),
:mod:`~cleaner.integrations.datatrove` (a datatrove pipeline step),
:mod:`~cleaner.integrations.hf` (Hugging Face ``datasets.map``); the shared
per-record code is in :mod:`~cleaner.integrations.columns`. Each imports its tool
only when used; see docs/integrations.md."""
