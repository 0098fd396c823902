"""docs/architecture.md stays true to the code: its module table names every module of the package
and no other, the paths, functions, classes and constants it names exist, its plan table lists
every `UnitKind` and its folder map every stage folder of the import contract
(tests/test_architecture.py). A unit test: it reads files and builds no site."""

from __future__ import annotations

import ast
import re
from functools import cache

import pytest
from test_architecture import LAYERS

from broadsheet.build.plan import UnitKind
from conftest import ROOT

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)

DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "broadsheet"
# where the names the document quotes may be defined: the package and the import contract
DEFINING = [*sorted(PACKAGE.rglob("*.py")), ROOT / "tests" / "test_architecture.py"]

MODULE_ROW = re.compile(r"^\| `(broadsheet/[\w/]+\.py)` \|", re.M)
FIRST_CELL = re.compile(r"^\| `([^`]+)` \|", re.M)
PATH = re.compile(r"(?<![\w/.-])((?:broadsheet|tests|docs)/[\w./-]*)")
# a module named from its stage folder, as the data-flow diagram does: build/plan.py
STAGE_PATH = re.compile(r"(?<![\w/.-])((?:%s)/[\w/]+\.py)" % "|".join(LAYERS))  # noqa: UP031
DOTTED_MODULE = re.compile(r"`(broadsheet(?:\.\w+)+)`")
CALL = re.compile(r"`((?:\w+\.)*\w+)\(\)`")
DIAGRAM = re.compile(r"^```\n(.*?)^```", re.M | re.S)
DIAGRAM_CALL = re.compile(r"\b(\w+)\(\)")
CLASS_OR_MEMBER = re.compile(r"`([A-Z][a-z]\w*(?:\.\w+)?)`")
CONSTANT = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,})`")
NOT_OURS = {"TYPE_CHECKING"}  # names the document quotes from Python itself
QUOTED_VALUE = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)`? \((\d[\d,]*)\)")  # `ISSUE_BATCH` (100)


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text under the `## title` heading, up to the next `## ` heading."""
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", doc(), re.M | re.S)
    assert found is not None, f"docs/architecture.md has no '## {title}' section"
    return found.group(1)


@cache
def definitions() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(top-level name → the modules defining it, class name → its members) over DEFINING;
    a module is named by its path without .py, '/'-separated, relative to the project."""
    top: dict[str, set[str]] = {}
    members: dict[str, set[str]] = {}
    for path in DEFINING:
        module = path.relative_to(ROOT).with_suffix("").as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            for name in _names(node):
                top.setdefault(name, set()).add(module)
            if isinstance(node, ast.ClassDef):
                members.setdefault(node.name, set()).update(n for inner in node.body for n in _names(inner))
    return top, members


def _names(node: ast.stmt) -> list[str]:
    """The names a statement defines (functions, classes, assignments)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.If):  # `if TYPE_CHECKING:` / optional definitions
        return [n for inner in node.body + node.orelse for n in _names(inner)]
    return []


def resolves(reference: str) -> bool:
    """Whether `name`, `module.name`, `folder.module.name` or `Class.member` is defined."""
    top, members = definitions()
    *prefix, name = reference.split(".")
    if not prefix:  # a function, a class, or a method named alone (a page's `chart()`)
        return name in top or any(name in names for names in members.values())
    if prefix[-1] in members and len(prefix) == 1:
        return name in members[prefix[-1]]
    suffix = "/" + "/".join(prefix)
    return any(module.endswith(suffix) for module in top.get(name, ()))


def test_the_module_table_names_every_module_and_no_other() -> None:
    rows = MODULE_ROW.findall(section("Modules"))
    assert len(rows) == len(set(rows)), sorted({r for r in rows if rows.count(r) > 1})
    listed = {row for row in rows if not row.endswith("/__init__.py")}  # package files may be left out
    modules = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    missing, extra = sorted(modules - listed), sorted(listed - modules)
    assert (missing, extra) == ([], []), f"missing from the table: {missing}; not modules: {extra}"


def test_every_path_the_document_names_exists() -> None:
    named = {m.rstrip(".") for m in PATH.findall(doc())}
    assert any(p.startswith("broadsheet/") for p in named)
    missing = sorted(p for p in named if not (ROOT / p).exists())
    missing += sorted(p for p in set(STAGE_PATH.findall(doc())) if not (PACKAGE / p).is_file())
    assert missing == [], f"no such path: {missing}"


def test_every_dotted_module_path_resolves() -> None:
    for dotted in DOTTED_MODULE.findall(doc()):
        parts = dotted.split(".")
        # the longest prefix that is a module (a file or a package), then a name defined in it
        for n in range(len(parts), 0, -1):
            base = ROOT.joinpath(*parts[:n])
            if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
                rest = parts[n:]
                assert len(rest) <= 1, dotted
                assert not rest or resolves(f"{parts[n - 1]}.{rest[0]}"), dotted
                break
        else:
            raise AssertionError(f"{dotted}: no such module")


def test_every_function_class_and_constant_the_document_names_is_defined() -> None:
    text = doc()
    top, members = definitions()
    top = set(top)
    diagrams = "\n".join(DIAGRAM.findall(text))
    calls = [c for c in CALL.findall(text) + DIAGRAM_CALL.findall(diagrams) if not resolves(c)]
    classes = [c for c in CLASS_OR_MEMBER.findall(text) if not resolves(c)]
    enum_members = {m for names in members.values() for m in names}
    constants = [c for c in CONSTANT.findall(text) if c not in top | enum_members | NOT_OURS]
    assert (calls, classes, constants) == ([], [], []), f"calls: {calls}; classes: {classes}; constants: {constants}"


def test_the_plan_table_lists_every_unit_kind() -> None:
    rows = FIRST_CELL.findall(section("The build plan"))
    listed = [row.split(":")[0] for row in rows]
    assert len(listed) == len(set(listed)), listed
    kinds = {kind.value for kind in UnitKind}
    missing, extra = sorted(kinds - set(listed)), sorted(set(listed) - kinds)
    assert (missing, extra) == ([], []), f"unit kinds missing: {missing}; not unit kinds: {extra}"


def test_the_folder_map_names_the_stage_folders_lowest_first() -> None:
    rows = [row.removesuffix("/") for row in FIRST_CELL.findall(section("The folder map"))]
    missing, extra = sorted(set(LAYERS) - set(rows)), sorted(set(rows) - set(LAYERS))
    assert (missing, extra) == ([], []), f"stage folders missing: {missing}; not stage folders: {extra}"
    ranks = [LAYERS[row] for row in rows]
    assert ranks == sorted(ranks), rows



def constant_values(name: str) -> set[object]:
    """The literal values `name` is given at the top of a module (or a class) of DEFINING."""
    values = set()
    for path in DEFINING:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                values.add(ast.literal_eval(node.value))
    return values


def test_every_number_quoted_beside_a_constant_is_its_value() -> None:
    quoted = QUOTED_VALUE.findall(doc())
    assert quoted
    wrong = [f"{name} ({number}) is {sorted(constant_values(name), key=str)}" for name, number in quoted
             if int(number.replace(",", "")) not in constant_values(name)]
    assert wrong == []
