"""No import cycle among the modules of src/umr.

Every explicit import between two umr modules counts, module-level and function-level alike;
imports under ``if TYPE_CHECKING:`` do not (they never run), nor does a package ``__init__``
importing its own submodules to re-export them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from umr.spec.batch import strongly_connected

SRC = Path(__file__).resolve().parent.parent / "src"


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((SRC / "umr").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in the tree except those under ``if TYPE_CHECKING:``."""
    out: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _targets(
    module: str, is_package: bool, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]
) -> set[str]:
    """The umr modules an import statement names."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module or ""
    out: set[str] = set()
    for alias in node.names:
        if f"{stem}.{alias.name}" in modules:
            out.add(f"{stem}.{alias.name}")
        elif stem in modules:
            out.add(stem)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(name, is_package, node, modules):
                if target == name or (is_package and target.startswith(name + ".")):
                    continue  # a package re-exporting its own submodules
                edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, each sorted (the Tarjan
    walk the record batch check uses for inheritance cycles)."""
    found = strongly_connected(
        {name: dict.fromkeys(sorted(edges), 0) for name, edges in graph.items()}
    )
    return sorted(sorted(c) for c in found if len(c) > 1)


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_graph_reads_function_level_imports_and_skips_type_checking() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import umr.errors\n"
        "def f():\n    from umr import cli\n"
    )
    names = [n.module if isinstance(n, ast.ImportFrom) else n.names[0].name for n in _imports(tree)]
    assert names == ["typing", "umr"]
    graph = import_graph()
    assert "umr.errors" in graph and "umr.registry.store" in graph


def test_no_import_cycle_in_umr() -> None:
    graph = import_graph()
    found = cycles(graph)
    lines = []
    for component in found:
        members = set(component)
        edges = [f"  {a} -> {b}" for a in component for b in sorted(graph[a] & members)]
        lines.append("cycle among " + ", ".join(component) + ":\n" + "\n".join(edges))
    assert not found, "\n".join(lines)
