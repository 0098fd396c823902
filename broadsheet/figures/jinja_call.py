"""Jinja's sandboxed parser reading a figure expression that is not of the usual shape (issue 27).

expressions.py reads nearly every expression with Python's parser (plain_call) and hands any
other here, importing this module only then: Jinja is 30 ms of CPU to import, and a build with
nothing changed, or a plan that reads only plain expressions, does not need it. Jinja's reading
and messages are the rule; only a call of a known function with literal arguments passes, and
nothing is compiled or run.
"""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from broadsheet.core.suggest import known_hint


def _sandbox() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False)
    env.globals.clear()  # no range(), dict(), lipsum(): only the figure functions passed in
    return env


Read = tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]]  # a call: name, arguments, keyword arguments


def jinja_call(expr: str, names: frozenset[str] | None) -> Read | str:
    """(function name, arguments, keyword arguments) of `expr` as Jinja reads it, or why it is
    not one call of a known function (`names`; any when None) with literal arguments."""
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
    refused = _refused_construct(call) or _refused_call(call, names)  # type: ignore[arg-type]
    if refused:
        return refused
    assert isinstance(call, nodes.Call) and isinstance(call.node, nodes.Name)
    return (call.node.name, tuple(arg.value for arg in call.args),  # type: ignore[attr-defined]
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
