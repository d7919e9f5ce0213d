"""The names users import keep working whatever the package's layout: every ``from cleaner...
import ...`` that README and docs/ show, and the two modules plugins import by their old
names (``cleaner.rule``, ``cleaner.registry``), which are the layered modules themselves."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "rules" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
IMPORT = re.compile(r"^\s*from (cleaner[\w.]*) import ([\w, ]+)$", re.M)


def _documented() -> list[tuple[str, str]]:
    found = {(m.group(1), name.strip()) for doc in DOCS for m in IMPORT.finditer(doc.read_text(encoding="utf-8"))
             for name in m.group(2).split(",") if name.strip()}
    return sorted(found)


def test_the_docs_show_imports():
    names = _documented()
    assert ("cleaner", "load_pack") in names and ("cleaner.rule", "LineContext") in names, names


@pytest.mark.parametrize("module, name", _documented())
def test_every_import_the_docs_show_works(module, name):
    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as exc:  # an integration whose optional library is not installed
        if exc.name and not exc.name.startswith("cleaner"):
            pytest.skip(f"{module} needs {exc.name}")
        raise
    assert hasattr(imported, name), f"{module} has no {name}"


def test_the_old_module_names_are_the_layered_modules():
    """``cleaner.rule`` is ``cleaner.core.rule`` and ``cleaner.registry`` is
    ``cleaner.loading.registry``: one module under two names, so a patch through one is seen
    through the other; and ``cleaner.rule`` as an attribute stays the decorator."""
    code = (
        "import cleaner, cleaner.rule, cleaner.registry, cleaner.core.rule, cleaner.loading.registry, sys\n"
        "from cleaner.rule import LineContext, corpus_rule\n"
        "from cleaner.registry import failing_example, discover_plugins\n"
        "assert sys.modules['cleaner.rule'] is cleaner.core.rule\n"
        "assert sys.modules['cleaner.registry'] is cleaner.loading.registry\n"
        "assert cleaner.registry is cleaner.loading.registry\n"
        "from cleaner import rule\n"
        "assert rule is cleaner.core.rule.rule and cleaner.rule is rule, (rule, cleaner.rule)\n"
        "assert cleaner.__version__ == cleaner.core.version.__version__\n"
    )
    # a fresh interpreter: which name is imported first is what matters
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    plugin_first = "import cleaner.rule\nimport cleaner\nfrom cleaner import rule\nassert callable(rule) and rule.__name__ == 'rule'\n"
    done = subprocess.run([sys.executable, "-c", plugin_first], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
