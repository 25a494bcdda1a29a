"""The package's shape (decision 0015): imports only go down, and nothing goes round.

main.py
rollcall.http.*        rollcall.consumers.*     (side by side: neither imports the other)
rollcall.core.*        (the domain both use: QR, sessions, standing, events, schema)
rollcall.*             (the base: config, errors, logs, clients, pubsub, contracts, ...)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT

FUNCTIONS = ROOT / "functions"
LAYERS = {"base": 0, "core": 1, "http": 2, "consumers": 2, "main": 3}


def module_name(path: Path) -> str:
    parts = path.relative_to(FUNCTIONS).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module == "main":
        return "main"
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in ("core", "http", "consumers"):
        return parts[1]
    if len(parts) == 2 and parts[1] in ("core", "http", "consumers"):
        return parts[1]  # the sub-package itself
    return "base"


def imports_of(path: Path) -> set[str]:
    """Every ``rollcall`` module the file imports, at any depth (function bodies too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "rollcall"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "rollcall":
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return found


MODULES = {module_name(p) for p in FUNCTIONS.rglob("*.py")}
GRAPH = {module_name(p): imports_of(p) for p in FUNCTIONS.rglob("*.py")}


def test_the_package_has_the_three_sides_of_the_picture():
    sides = {"rollcall.http.router", "rollcall.consumers.delivery", "rollcall.core.events"}
    assert sides <= MODULES
    flat = [m for m in MODULES if m.count(".") == 1 and layer(m) == "base"]
    assert len(flat) <= 10, f"the base should stay small, not the whole package: {sorted(flat)}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_only_go_down(module):
    mine = layer(module)
    for target in sorted(GRAPH[module]):
        theirs = layer(target)
        if theirs == mine:
            continue
        assert LAYERS[theirs] < LAYERS[mine], f"{module} ({mine}) imports {target} ({theirs})"


def test_no_import_circle():
    seen: dict[str, str] = {}  # module -> "active" | "done"

    def visit(module: str, path: list[str]) -> None:
        state = seen.get(module)
        if state == "done":
            return
        assert state != "active", "import circle: " + " -> ".join([*path, module])
        seen[module] = "active"
        for target in sorted(GRAPH.get(module, ())):
            # Importing a package's own module loads the package's __init__ first,
            # which is harmless; only module-to-module edges make a circle.
            if target in GRAPH and target != module.rpartition(".")[0]:
                visit(target, [*path, module])
        seen[module] = "done"

    for module in sorted(GRAPH):
        visit(module, [])
