"""The import graph of the `ddrl` package: which ddrl modules each module imports, and any cycle.

Every import counts, at the top of a module or inside a function (a lazy import is still a dependency).
Imports are read with `ast` from the exported files in ddrl/, so nothing is executed.
Usage: python tools/module_graph.py [PACKAGE_DIR]   (default: ddrl/ of this checkout; exit status 1 on a cycle)
"""
from __future__ import annotations
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "ddrl"


def module_names(package_dir: Path) -> list[str]:
    "The modules of the package, `__init__` for the package itself; nbdev's symbol index left out."
    return sorted(p.stem for p in Path(package_dir).glob("*.py") if p.stem != "_modidx")


def imported_modules(node: ast.AST, modules: list[str]) -> list[str]:
    "The package modules that one import statement names (`from . import x` names module x if it exists)."
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name == PACKAGE or a.name.startswith(PACKAGE + ".")]
        return [n.split(".")[1] if "." in n else "__init__" for n in names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level == 0 and node.module != PACKAGE and not (node.module or "").startswith(PACKAGE + "."):
        return []
    if node.level > 1:
        raise ValueError(f"line {node.lineno}: relative import beyond the package")
    base = node.module if node.level == 0 else (f"{PACKAGE}.{node.module}" if node.module else PACKAGE)
    if base != PACKAGE:
        return [base.split(".")[1]]
    return [a.name if a.name in modules else "__init__" for a in node.names]


def module_graph(package_dir: Path = ROOT / PACKAGE) -> dict[str, dict[str, str]]:
    "`{module: {imported module: 'top' or 'lazy'}}`; `lazy` when every import of it is inside a function or class."
    modules = module_names(package_dir)
    graph = {}
    for name in modules:
        tree = ast.parse((Path(package_dir) / f"{name}.py").read_text())
        top_level = {id(n) for n in tree.body}
        edges = {}
        for node in ast.walk(tree):
            for target in imported_modules(node, modules):
                if target == name:
                    continue
                kind = "top" if id(node) in top_level else "lazy"
                edges[target] = "top" if edges.get(target) == "top" else kind
        graph[name] = dict(sorted(edges.items()))
    return graph


def find_cycles(graph: dict[str, dict]) -> list[list[str]]:
    "The strongly connected components with more than one module (Tarjan): every module in one reaches every other."
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def layers(graph: dict[str, dict]) -> list[list[str]]:
    "Modules by height: layer 0 imports no package module, layer k imports only from layers below k (no cycles)."
    height = {}

    def h(v):
        if v not in height:
            height[v] = 1 + max((h(w) for w in graph.get(v, {})), default=-1)
        return height[v]

    for v in graph:
        h(v)
    return [sorted(v for v in graph if height[v] == k) for k in range(max(height.values(), default=-1) + 1)]


def describe(graph: dict[str, dict]) -> str:
    "The graph as text: each module's imports (lazy ones marked), then the cycles or the layers."
    width = max(map(len, graph), default=0)
    lines = []
    for name, edges in graph.items():
        targets = ", ".join(f"{t} (lazy)" if kind == "lazy" else t for t, kind in edges.items())
        lines.append(f"{name:<{width}} -> {targets or '-'}")
    cycles = find_cycles(graph)
    if cycles:
        lines.append("")
        lines += [f"cycle: {' <-> '.join(c)}" for c in cycles]
    else:
        lines.append("")
        lines.append("no cycle; layers from the bottom up:")
        lines += [f"  {k}: {', '.join(layer)}" for k, layer in enumerate(layers(graph))]
    return "\n".join(lines)


def main():
    package_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / PACKAGE
    graph = module_graph(package_dir)
    print(describe(graph))
    sys.exit(1 if find_cycles(graph) else 0)


if __name__ == "__main__":
    main()
