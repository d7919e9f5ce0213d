"""cleaner/ is built in layers (docs/architecture.md), and a lower layer never imports an
upper one: reading inputs knows nothing of rules, the rule core nothing of packs, packs
nothing of runs, runs nothing of the command line.

Checked on the source of every module under cleaner/ (its ``import`` statements, those
inside functions too: an import done late is still a dependency), not by importing it.
Imports under ``if TYPE_CHECKING:`` are left out: they exist for type checkers only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cleaner"

#: Bottom to top, as docs/architecture.md lists them.
LAYERS = ("io", "core", "rules", "loading", "running", "interfaces", "package")

#: Where each module belongs: the longest prefix that names it decides. A module that
#: only ``cleaner`` itself names (a new module at the top of cleaner/) has no layer yet:
#: test_every_module_has_a_layer asks for one.
PLACES = {
    "cleaner.io": "io",
    "cleaner.document": "io",
    "cleaner.core": "core",
    "cleaner.rule": "core",  # the alias of cleaner.core.rule
    "cleaner.corpus.model": "core",  # what a corpus rule is given and returns; the engine passes it on
    "cleaner.rules": "rules",
    "cleaner.corpus": "rules",  # the corpus rules' scans and judges
    "cleaner.loading": "loading",
    "cleaner.registry": "loading",  # the alias of cleaner.loading.registry
    "cleaner.running": "running",
    "cleaner.corpus.within": "running",  # judges one document within its corpus: runs the scans
    "cleaner.report": "running",  # a finished run's report.html: reads provenance, the run's pack and its inputs
    "cleaner.cli": "interfaces",
    "cleaner.integrations": "interfaces",
    "cleaner.entry": "interfaces",
    "cleaner": "package",
}


def layer_of(module: str) -> str:
    for length in range(module.count(".") + 1, 0, -1):
        prefix = ".".join(module.split(".")[:length])
        if prefix in PLACES:
            return PLACES[prefix]
    raise KeyError(module)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(source: str, package: str) -> list[tuple[int, str]]:
    """``(line, module)`` for every cleaner module the source imports at run time
    (``from cleaner.x import y`` names ``cleaner.x.y`` when that is a module, else
    ``cleaner.x``); ``package`` resolves relative imports."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((node.lineno, full if _is_module(full) else base))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return [(line, name) for line, name in found if name == "cleaner" or name.startswith("cleaner.")]


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def upward_imports(path: Path, source: str | None = None) -> list[str]:
    """The imports in ``path`` (or in ``source``, read as that module's) of a layer above its own."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    own = LAYERS.index(layer_of(name))
    text = path.read_text(encoding="utf-8") if source is None else source
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {name} ({LAYERS[own]}) imports {target} ({layer_of(target)})"
        for line, target in imported(text, package)
        if LAYERS.index(layer_of(target)) > own
    ]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    unplaced = [module_name(p) for p in MODULES if p != PACKAGE / "__init__.py" and layer_of(module_name(p)) == "package"]
    assert not unplaced, f"give these a layer in PLACES (and in docs/architecture.md): {unplaced}"


def test_no_layer_imports_one_above_it():
    found = [problem for path in MODULES for problem in upward_imports(path)]
    assert not found, "a lower layer imports an upper one (see docs/architecture.md):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "module, source, upward",
    [
        ("io/readers.py", "from cleaner.core.engine import Pipeline\n", True),
        ("core/engine.py", "def f():\n    from cleaner.loading.pack import load_pack\n", True),  # inside a function
        ("rules/page.py", "import cleaner.running.run\n", True),
        ("running/run.py", "from cleaner.cli import render\n", True),
        ("loading/pack.py", "from cleaner import load_pack\n", True),  # the package's __init__ is the top
        ("core/rule.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cleaner.loading.registry import Registry\n", False),
        ("running/run.py", "from cleaner.loading.pack import load_pack\nfrom cleaner.io import readers\n", False),
        ("corpus/within.py", "from cleaner.running.worker import clean_document\n", False),
        ("corpus/templates.py", "from cleaner.corpus.within import judge_in_inputs\n", True),
    ],
)
def test_the_check_sees_an_upward_import(module, source, upward):
    """The check itself: an upward import is found wherever it stands, a type-only one is not."""
    assert bool(upward_imports(PACKAGE / module, source)) is upward


def test_at_most_eight_modules_at_the_top_of_cleaner():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
