"""Adapters that run cleaner's per-document work on other engines (Ray Data, ...)."""
