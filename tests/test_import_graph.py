"""The module graph of advmine/, stilts/ and cli.py has no cycle and follows the layers (issue 15):
stilts.core < stilts.models < {advmine, stilts.eval} < stilts.train < stilts.compare < cli.

Every import counts, also those inside functions: a lazy import hides a cycle from Python's import machinery,
not from the design. `from pkg import name` is an edge to `pkg.name` when that is a module, else to `pkg`.
A registry names its implementations as "module:attr" strings, which are no edges."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWN = ("advmine", "stilts", "cli")

# layer -> the layers its modules may import (besides their own); compare and cli may import anything.
LAYERS = {
    "stilts.core": set(),
    "stilts.models": {"stilts.core"},
    "advmine": {"stilts.core", "stilts.models"},
    "stilts.eval": {"stilts.core", "stilts.models"},
    "stilts.train": {"stilts.core", "stilts.models", "stilts.eval"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {_module_name(p): p for pkg in ("advmine", "stilts") for p in sorted((ROOT / pkg).rglob("*.py"))}
    found["cli"] = ROOT / "cli.py"
    return found


def _targets(node: ast.AST, module: str, is_package: bool, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:  # relative: resolve against this module's package
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[:len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]


def graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (the nearest known module of each dotted target)."""
    known = modules()
    edges: dict[str, set[str]] = {m: set() for m in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _targets(node, name, path.name == "__init__.py", known):
                if target.split(".")[0] not in OWN:
                    continue
                while target and target not in known:  # `import a.b.func`-style or a namespace package
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}   # 1: on the current path, 2: finished
    for start in sorted(edges):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(edges[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return None


def layer_of(module: str) -> str | None:
    return next((layer for layer in sorted(LAYERS, key=len, reverse=True)
                 if module == layer or module.startswith(layer + ".")), None)


def violations(edges: dict[str, set[str]], layer: str) -> list[str]:
    allowed = LAYERS[layer] | {layer}
    return sorted(f"{m} -> {t}" for m, targets in edges.items() if layer_of(m) == layer
                  for t in targets if (layer_of(t) or t) not in allowed)


def test_the_graph_sees_lazy_and_from_imports():
    edges = graph()
    assert "stilts.core.errors" in edges["stilts.core.registry"]          # module-level from-import
    assert "advmine.translators.seq2seq" in edges["advmine.config"]       # inside a function
    assert "stilts.core.tasks.formats" in edges["stilts.core.tasks.loader"]


def test_find_cycle_reports_the_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layering(layer):
    """Each layer imports only the layers below it; the message lists every upward import of the layer."""
    bad = violations(graph(), layer)
    assert not bad, f"{layer} may import only {sorted(LAYERS[layer]) or 'nothing of the project'}; " \
                    f"{len(bad)} upward import(s): " + "; ".join(bad)
