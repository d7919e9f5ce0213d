"""Example cleaner rules (a plugin skeleton); the rules are in :mod:`.rules`."""
