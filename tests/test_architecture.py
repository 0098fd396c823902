"""The package's shape, as docs/architecture.md states it: one folder per stage, imports only go
down, no import circle, few imports inside functions (each says why), and a build with nothing
changed loads neither pandas, Altair nor vl-convert."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from conftest import ROOT, build_into

PACKAGE = ROOT / "broadsheet"
# The stages, lowest first: a module may import its own folder and the folders of lower ranks.
# data and content share a rank and do not import each other.
LAYERS = {"core": 0, "data": 1, "content": 1, "figures": 2, "charts": 3, "pages": 4, "outputs": 5,
          "build": 6, "checks": 7, "commands": 8}
MAX_DEPTH = 12  # modules on the longest chain of imports (every import counted)
MAX_FUNCTION_IMPORTS = 20
HEAVY = ("pandas", "altair", "vl_convert")


def module_name(path: Path) -> str:
    """broadsheet/build/plan.py → broadsheet.build.plan (a package: its __init__'s name)."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The names an import statement may refer to (a module, or a name inside one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
    target = ".".join(base + ([node.module] if node.module else []))
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module → the package's modules it imports: every import, inside functions and
    TYPE_CHECKING blocks too."""
    known = modules()
    graph = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                targets |= {t for t in imported(node, package) if t in known and t != name}
        graph[name] = frozenset(targets)
    return graph


def folder(module: str) -> str | None:
    """The stage folder of a module (None for the package's own __init__)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


@pytest.mark.unit
def test_every_module_sits_in_a_stage_folder() -> None:
    stray = [name for name in modules() if name != "broadsheet" and folder(name) not in LAYERS]
    assert stray == []
    assert {folder(name) for name in modules()} - {None} == set(LAYERS)


@pytest.mark.unit
def test_there_is_no_import_circle() -> None:
    assert cycles(dict(import_graph())) == []


@pytest.mark.unit
def test_imports_only_go_down_the_stages() -> None:
    upward = []
    for name, targets in import_graph().items():
        here = folder(name)
        for target in targets:
            there = folder(target)
            if here is None or there is None or there == here:
                continue
            if LAYERS[there] >= LAYERS[here]:
                upward.append(f"{name} → {target}")
    assert sorted(upward) == []


def test_the_longest_chain_of_imports_is_at_most_twelve_modules() -> None:
    graph = import_graph()

    @cache
    def depth(module: str) -> int:
        return 1 + max((depth(t) for t in graph[module]), default=0)

    deepest = max(graph, key=depth)
    assert depth(deepest) <= MAX_DEPTH, deepest


def function_imports() -> list[tuple[str, int, bool]]:
    """(module path, line, whether a comment says why) for each import inside a function."""
    found = []
    for path in modules().values():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    said = "#" in lines[inner.end_lineno - 1] or "#" in lines[inner.lineno - 2]
                    found.append((path.relative_to(ROOT).as_posix(), inner.lineno, said))
    return found


@pytest.mark.unit
def test_imports_inside_functions_are_few_and_each_says_why() -> None:
    found = function_imports()
    assert [f"{path}:{line}" for path, line, said in found if not said] == []
    assert len(found) <= MAX_FUNCTION_IMPORTS, [f"{path}:{line}" for path, line, _ in found]


@pytest.mark.unit
def test_no_module_is_over_four_hundred_lines() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


@pytest.mark.unit
def test_each_stage_folder_says_what_it_holds_and_may_import() -> None:
    for name in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert len(doc.splitlines()) >= 3 and "import" in doc, name


def test_a_build_with_nothing_changed_loads_no_heavy_library(make_site) -> None:
    root = make_site()
    build_into(root)  # the first build: everything is computed
    script = ("import sys; from broadsheet.commands.cli import main; code = main(['--root', sys.argv[1], 'build']); "
              f"print(sorted(m for m in {HEAVY!r} if m in sys.modules)); sys.exit(code)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    said, loaded = done.stdout.strip().splitlines()
    assert "is up to date" in said  # a no-change build
    assert loaded == "[]"


@pytest.mark.unit
@pytest.mark.parametrize("command", [["--help"], ["build", "--help"]])
def test_the_command_line_starts_without_heavy_libraries(command: list[str]) -> None:
    script = ("import sys\nfrom broadsheet.commands.cli import main\ntry:\n    main(sys.argv[1:])\n"
              f"except SystemExit:\n    pass\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script, *command], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, check=False)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr
