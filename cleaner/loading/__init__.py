"""Packs: reading a pack's TOML (:mod:`~cleaner.loading.pack_schema`), resolving packs into a
pipeline (:mod:`~cleaner.loading.pack`), the rule registry and plugins
(:mod:`~cleaner.loading.registry`), the checks a pack passes once (:mod:`~cleaner.loading.pack_checks`),
shadowing warnings (:mod:`~cleaner.loading.precedence`) and the descriptions ``cleaner rules`` prints
(:mod:`~cleaner.loading.describe`). Sits above the rules; see docs/architecture.md."""
