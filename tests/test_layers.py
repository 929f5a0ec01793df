"""Imports run one way: law → plan → execution → analyses → interfaces.

This test reads every module's imports (also the ones inside functions: a lazy import is still a
dependency) and fails when the engine or the evaluation imports *up* into the ruleset language
and layering, the analyses or the interfaces. Why: the plan is the contract between compiling
the law and executing it; an executor that reaches back into the YAML model or the layered
regime can no longer be held to the plan, and an evaluation that imports an analysis or the CLI
makes the pipeline circular.

The modules predate this rule in one flat package, and some evaluation modules still read the
ruleset model or the layered regime directly. Those imports are listed in :data:`KNOWN` (the
debt to remove when the package is rearranged into the layout of docs/architecture.md); the test
fails on any *other* upward import, and also when a listed one is gone, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

LAW = ("regimes.ruleset", "regimes.layer", "regimes.library", "regimes.compile", "regimes.plan")
"""The ruleset language, its loading and layering, and compiling it into the plan."""
ANALYSES = (
    "regimes.diff",
    "regimes.caseload",
    "regimes.partition",
    "regimes.witness",
    "regimes.check",
    "regimes.safeguards",
    "regimes.explorer",
    "regimes.testing",
    "regimes.population",
)
INTERFACES = ("regimes.cli", "regimes.service", "regimes.session", "regimes.demo")

EXECUTION = (
    "engine",
    "regimes.evaluate",
    "regimes.windows",
    "regimes.status",
    "regimes.facts",
    "regimes.results",
    "regimes.horizon",
    "regimes.columnar",
)
"""The engine (plan, back ends) and the evaluation modules."""

KNOWN: frozenset[tuple[str, str]] = frozenset(
    {
        # The per-case evaluator still compiles and reads the model and the layered regime.
        ("regimes.evaluate", "regimes.compile"),
        ("regimes.evaluate", "regimes.layer"),
        ("regimes.evaluate", "regimes.library"),
        ("regimes.evaluate", "regimes.ruleset.model"),
        ("regimes.windows", "regimes.ruleset.model"),
        ("regimes.horizon", "regimes.layer"),
        # The columnar adapter accepts a Regime and compiles its plan on the way in.
        ("regimes.columnar", "regimes.layer"),
        ("regimes.columnar", "regimes.library"),
        ("regimes.columnar", "regimes.plan"),
    }
)


def _module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = SRC) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = _module_name(path, root).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return found


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def upward_imports(root: Path = SRC) -> set[tuple[str, str]]:
    """(importer, imported) pairs where execution imports law, analyses or interfaces."""
    found: set[tuple[str, str]] = set()
    for path in sorted(root.rglob("*.py")):
        importer = _module_name(path, root)
        if not _within(importer, EXECUTION):
            continue
        for imported in _imports(path, root):
            if _within(imported, LAW + ANALYSES + INTERFACES):
                found.add((importer, imported))
    return found


def test_no_new_upward_import() -> None:
    new = upward_imports() - KNOWN
    assert not new, f"execution imports up into law, analyses or interfaces: {sorted(new)}"


def test_the_debt_list_only_shrinks() -> None:
    gone = KNOWN - upward_imports()
    assert not gone, f"remove these from KNOWN, they are fixed: {sorted(gone)}"


def test_the_engine_imports_nothing_of_the_product_but_its_errors() -> None:
    for path in sorted((SRC / "engine").rglob("*.py")):
        for imported in _imports(path):
            if imported.startswith("regimes"):
                assert imported == "regimes.errors", f"{_module_name(path)} imports {imported}"


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The reader is not blind: planted upward imports (also lazy and relative ones) are found."""
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "planted.py").write_text(
        "def f():\n    from regimes.diff import population\n", encoding="utf-8"
    )
    (tmp_path / "regimes").mkdir()
    (tmp_path / "regimes" / "columnar.py").write_text("from .cli import app\n", encoding="utf-8")
    found = upward_imports(tmp_path)
    assert ("engine.planted", "regimes.diff") in found
    assert ("regimes.columnar", "regimes.cli") in found
