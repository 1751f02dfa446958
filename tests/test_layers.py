"""The package's layers: no import cycle, no upward import (issue 13).

Each module belongs to a layer; it may import only from its own layer or those below::

    0  errors, limits, ages, periods, files   one-line errors, limits, age bands, periods, safe files
    1  schemas/                               every YAML file kind: models, safe reader, JSON Schema
    2  geography/                             district → county → region → England
    3  population/                            the cube: readers, areas, years, extension, variants, ethnicity
    4  assumptions/                           rate sets, relative risks, scenarios, registry
    5  model/                                 one kernel: project, simulate, derived, indicators, scale
    6  output/                                tables, charts, reports, writers
    7  specs/                                 table, report and indicator specs
    8  cli/                                   the command

Imports inside functions count too (they are imports all the same).  ``forecast/__init__``
imports lazily by name and is the only module above the command.
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "forecast"
LAYERS = {
    "_version": 0, "errors": 0, "limits": 0, "ages": 0, "periods": 0, "files": 0,
    "schemas": 1, "geography": 2, "population": 3, "assumptions": 4, "model": 5, "output": 6, "specs": 7, "cli": 8,
}


def _modules() -> dict[str, Path]:
    out = {}
    for f in PACKAGE.rglob("*.py"):
        parts = f.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Modules of the package that ``name`` imports (absolute names)."""
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for a in node.names:
                target = f"{base}.{a.name}"
                found.add(target if target in MODULES else base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in MODULES and m != name and not (path.name == "__init__.py" and m.startswith(name + "."))}


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return None if len(parts) == 1 else LAYERS[parts[1]]


def test_every_module_has_a_layer():
    assert all(layer(m) is not None for m in MODULES if m != "forecast"), [m for m in MODULES if m != "forecast" and
                                                                           m.split(".")[1] not in LAYERS]


def test_no_upward_import():
    upward = [f"{m} ({layer(m)}) imports {t} ({layer(t)})" for m, ts in GRAPH.items() for t in ts
              if m != "forecast" and layer(t) is not None and layer(t) > layer(m)]
    assert upward == []


def test_no_import_cycle():
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_checks_catch_a_cycle_and_an_upward_import(tmp_path):
    """The checks themselves: a planted upward import is found."""
    planted = dict(GRAPH)
    planted["forecast.population.cube"] = GRAPH["forecast.population.cube"] | {"forecast.model.project"}
    assert any(layer(t) > layer(m) for m, ts in planted.items() for t in ts if m != "forecast")
