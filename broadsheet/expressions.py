"""Figure expressions: the one parser of `{{ function("literal", key=literal) }}` in content.

Markdown bodies, chart titles and descriptions, the build plan (which series a chart's texts
read) and `check` all find expressions here. Each is parsed by Jinja's sandboxed parser and
accepted only as one call of a known function with literal arguments; nothing is compiled or run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from .schema import known_hint

MAX_EXPRESSION = 500  # characters; a figure call is short, anything longer is a mistake
MAX_DEPTH = 8  # nested brackets: a figure call needs two; deeper is hostile or broken (Jinja recurses per level)
# bounded, so that a page full of `{{` without `}}` costs linear time, not quadratic
EXPRESSION_RE = re.compile(r"\{\{(.{0,%s}?)\}\}" % MAX_EXPRESSION, re.S)  # noqa: UP031 (regex braces)
STATEMENT_RE = re.compile(r"\{%|\{#")


@dataclass(frozen=True)
class LiteralCall:
    """A parsed figure expression: the function's name and its literal arguments."""

    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Expression:
    """One `{{ … }}` found in a text: where it starts and what is inside."""

    start: int
    end: int
    source: str  # the text between the braces

    def call(self, names: frozenset[str] | None = None) -> LiteralCall | str:
        """Parse as a call of one of `names` (any name when None), or say why it is not one."""
        return parse_figure_call(self.source, names)

    def literal_args(self) -> tuple[Any, ...]:
        """The literal arguments when it parses as a call, else ()."""
        found = self.call()
        return found.args + tuple(v for _, v in found.kwargs) if isinstance(found, LiteralCall) else ()


def expressions_in(text: str) -> Iterator[Expression]:
    """Every `{{ … }}` of `text`, in order."""
    for match in EXPRESSION_RE.finditer(text):
        yield Expression(match.start(), match.end(), match.group(1))


def _sandbox() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False)
    env.globals.clear()  # no range(), dict(), lipsum(): only the figure functions passed in
    return env


def _depth(expr: str) -> int:
    depth = deepest = 0
    for char in expr:
        depth += char in "([{"
        depth -= char in ")]}"
        deepest = max(deepest, depth)
    return deepest


@functools.lru_cache(maxsize=8192)
def parse_figure_call(expr: str, names: frozenset[str] | None = None) -> LiteralCall | str:
    """Parse `expr` as one call of a known function with literal arguments, or say why it is not.

    Pure, so it is memoized: a weekly newsletter repeats the same expressions across editions.
    """
    if len(expr) > MAX_EXPRESSION:
        return f"a figure expression is at most {MAX_EXPRESSION} characters"
    if _depth(expr) > MAX_DEPTH:
        return f"brackets nested more than {MAX_DEPTH} deep are not allowed in figure expressions"
    try:
        tree = _sandbox().parse("{{" + expr + "}}")
    except TemplateSyntaxError as exc:
        return f"not a valid expression: {exc.message}"
    except RecursionError:
        return "the expression is nested too deeply"
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        return "only one function call is allowed inside {{ }}"
    call = body[0].nodes[0]
    refused = _refused_construct(call) or _refused_call(call, names)
    if refused:
        return refused
    assert isinstance(call, nodes.Call) and isinstance(call.node, nodes.Name)
    return LiteralCall(call.node.name, tuple(arg.value for arg in call.args),  # type: ignore[attr-defined]
                       tuple((kw.key, kw.value.value) for kw in call.kwargs))  # type: ignore[attr-defined]


def _refused_construct(call: nodes.Node) -> str | None:
    """Name the construct that was refused, so the editor knows what to remove."""
    if isinstance(call, nodes.Getattr | nodes.Getitem) or call.find(nodes.Getattr | nodes.Getitem):
        return "attribute and item access ('.name', '[key]') are not allowed in figure expressions"
    if isinstance(call, nodes.Filter) or call.find(nodes.Filter):
        return "filters ('|') are not allowed in figure expressions"
    if isinstance(call, nodes.BinExpr | nodes.UnaryExpr | nodes.Compare | nodes.Concat):
        return "arithmetic and operators are not allowed in figure expressions"
    if not isinstance(call, nodes.Call) or not isinstance(call.node, nodes.Name):
        return "only a call such as level(\"SP500\", \"2025-04-09\") is allowed inside {{ }}"
    return None


def _refused_call(call: nodes.Call, names: frozenset[str] | None) -> str | None:
    """A plain call: a known function, literal arguments, each keyword once."""
    name = call.node.name  # type: ignore[attr-defined]
    if names is not None and name not in names:
        return f"unknown figure function {name!r} ({known_hint(name, sorted(names))})"
    if call.dyn_args is not None or call.dyn_kwargs is not None:
        return "*args and **kwargs are not allowed in figure expressions"
    if not all(isinstance(v, nodes.Const) for v in [*call.args, *(kw.value for kw in call.kwargs)]):
        return "arguments must be literals such as \"SP500\", \"2025-04-09\", 1 or True"
    keys = [kw.key for kw in call.kwargs]
    repeated = next((k for k in keys if keys.count(k) > 1), None)
    return f"argument {repeated!r} is given twice" if repeated else None
