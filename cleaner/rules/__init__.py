"""Built-in rule logic, one module per area. Every rule is importable on its own::

    from cleaner.rules.whitespace import collapse_inline_runs
"""
