"""Markdown → HTML: figure expressions evaluated in a sandbox, then Python-Markdown.

Content may hold only `{{ function("literal", key=literal) }}` expressions: one call to a known
figure function with literal arguments. Each expression is parsed by Jinja's sandboxed
environment; anything but such a call (statements, attribute access, filters, arithmetic) is
refused with the file and line, and the call itself is made directly with the literal values, so
no template code compiled from content ever runs on the build machine.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from markdown.extensions.toc import slugify_unicode

from .errors import FigureError, SourceError

MAX_EXPRESSION = 500  # characters; a figure call is short, anything longer is a mistake
# bounded, so that a page full of `{{` without `}}` costs linear time, not quadratic
EXPRESSION_RE = re.compile(r"\{\{(.{0,%s}?)\}\}" % MAX_EXPRESSION, re.S)  # noqa: UP031 (regex braces)
STATEMENT_RE = re.compile(r"\{%|\{#")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)  # editors' notes (e.g. `<!-- reviewed: … -->`) stay out of the page
PLACEHOLDER = "BROADSHEETBLOCK{}END"
PLACEHOLDER_P_RE = re.compile(r"<p>(BROADSHEETBLOCK\d+END)</p>")
PLACEHOLDER_RE = re.compile(r"BROADSHEETBLOCK\d+END")

MARKDOWN_EXTENSIONS = ["toc", "tables", "footnotes", "attr_list", "admonition", "sane_lists", "md_in_html"]


@dataclass(frozen=True)
class BlockHTML:
    """What a content function returns to place a block (a chart) instead of text."""

    html: str


@dataclass
class RenderedBody:
    """A page body converted to HTML, with its table of contents."""

    html: str
    toc_html: str
    headings: list[dict[str, Any]]
    text: str  # plain text, for reading time and search
    blocks: list[BlockHTML] = field(default_factory=list)


def _sandbox() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False)
    env.globals.clear()  # no range(), dict(), lipsum(): only the figure functions passed in
    return env


@dataclass(frozen=True)
class LiteralCall:
    """A parsed figure expression: the function's name and its literal arguments."""

    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]


@functools.lru_cache(maxsize=8192)
def parse_figure_call(expr: str, names: frozenset[str]) -> LiteralCall | str:
    """Parse `expr` as one call of a known function with literal arguments, or say why it is not.

    Pure, so it is memoized: a weekly newsletter repeats the same expressions across editions.
    """
    call = _parse_call(expr, _sandbox(), names)
    if isinstance(call, str):
        return call
    return LiteralCall(call.node.name, tuple(arg.value for arg in call.args),
                       tuple((kw.key, kw.value.value) for kw in call.kwargs))


def _parse_call(expr: str, env: SandboxedEnvironment, names: frozenset[str]) -> nodes.Call | str:
    """Parse `expr` with Jinja's parser and check that it is a plain call with literal arguments."""
    try:
        tree = env.parse("{{" + expr + "}}")
    except TemplateSyntaxError as exc:
        return f"not a valid expression: {exc.message}"
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        return "only one function call is allowed inside {{ }}"
    call = body[0].nodes[0]
    # name the construct that was refused, so the editor knows what to remove
    if isinstance(call, nodes.Getattr | nodes.Getitem) or call.find(nodes.Getattr | nodes.Getitem):
        return "attribute and item access ('.name', '[key]') are not allowed in figure expressions"
    if isinstance(call, nodes.Filter) or call.find(nodes.Filter):
        return "filters ('|') are not allowed in figure expressions"
    if isinstance(call, nodes.BinExpr | nodes.UnaryExpr | nodes.Compare | nodes.Concat):
        return "arithmetic and operators are not allowed in figure expressions"
    if not isinstance(call, nodes.Call) or not isinstance(call.node, nodes.Name):
        return "only a call such as level(\"SP500\", \"2025-04-09\") is allowed inside {{ }}"
    if call.node.name not in names:
        return f"unknown figure function {call.node.name!r} (known: {', '.join(sorted(names))})"
    values = list(call.args) + [kw.value for kw in call.kwargs]
    if call.dyn_args is not None or call.dyn_kwargs is not None:
        return "*args and **kwargs are not allowed in figure expressions"
    for value in values:
        if not isinstance(value, nodes.Const):
            return "arguments must be literals such as \"SP500\", \"2025-04-09\", 1 or True"
    keys = [kw.key for kw in call.kwargs]
    for key in keys:
        if keys.count(key) > 1:
            return f"argument {key!r} is given twice"
    return call


def evaluate_figures(body: str, path: Path, first_line: int,
                     functions: dict[str, Callable[..., Any]]) -> tuple[str, list[BlockHTML], list[SourceError]]:
    """Replace each `{{ … }}` in `body` by its value; return (text, blocks, errors)."""
    names = frozenset(functions)
    errors: list[SourceError] = []
    blocks: list[BlockHTML] = []
    body_breaks = _breaks(body)
    for match in STATEMENT_RE.finditer(body):
        line = first_line + _line_index(body_breaks, match.start())
        errors.append(SourceError(path, line, f"'{match.group()}' is not allowed in content",
                                  "content may hold only {{ figure(...) }} expressions"))

    def refused(match: re.Match[str]) -> str:
        # drop the expression (keeping its line breaks) so it is not reported again as unclosed
        return "\n" * match.group().count("\n")

    def replace(match: re.Match[str]) -> str:
        line = first_line + _line_index(body_breaks, match.start())
        expr = match.group(1)
        if "\n" in expr or len(expr) > MAX_EXPRESSION:
            errors.append(SourceError(path, line, "a figure expression must fit on one line",
                                      "close it with }} on the same line"))
            return refused(match)
        call = parse_figure_call(expr, names)
        if isinstance(call, str):
            errors.append(SourceError(path, line, call,
                                      "see docs/writing.md for the figure functions"))
            return refused(match)
        try:
            value = functions[call.name](*call.args, **dict(call.kwargs))
        except FigureError as exc:
            errors.append(SourceError(path, line, f"{{{{{expr}}}}}: {exc.message}", exc.hint))
            return refused(match)
        if isinstance(value, BlockHTML):
            blocks.append(value)
            return PLACEHOLDER.format(len(blocks) - 1)
        return html.escape(str(value), quote=False)  # a figure is text, never markup

    text = EXPRESSION_RE.sub(replace, body)
    # an opening {{ with no closing }} is what is left once every {{ … }} is taken out (a failed
    # expression has been reported already)
    rest = EXPRESSION_RE.sub(lambda m: "\n" * m.group().count("\n"), body)
    rest_breaks = _breaks(rest)
    for match in re.finditer(r"\{\{", rest):
        line = first_line + _line_index(rest_breaks, match.start())
        errors.append(SourceError(path, line, "unclosed '{{'", "close the figure expression with }}"))
    return text, blocks, errors


def _breaks(text: str) -> list[int]:
    """Offsets of the line breaks of `text`, to find the line of many offsets quickly."""
    return [m.start() for m in re.finditer("\n", text)]


def _line_index(breaks: list[int], offset: int) -> int:
    """The 0-based line of `offset`, given the offsets of the line breaks."""
    return bisect.bisect_left(breaks, offset)


def render_markdown(body: str, path: Path, first_line: int,
                    functions: dict[str, Callable[..., Any]]) -> RenderedBody:
    """Evaluate figures and convert Markdown; raise the first SourceErrors as one list."""
    text, blocks, errors = evaluate_figures(body, path, first_line, functions)
    if errors:
        raise FigureProblems(errors)
    md = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3", "toc_class": "toc-list"}},
        output_format="html",
    )
    html = md.convert(COMMENT_RE.sub("", text))
    html = PLACEHOLDER_P_RE.sub(lambda m: m.group(1), html)
    plain = re.sub(r"<[^>]+>", " ", PLACEHOLDER_RE.sub(" ", html))  # blocks (charts) are not prose
    html = PLACEHOLDER_RE.sub(lambda m: blocks[int(m.group()[15:-3])].html, html)
    return RenderedBody(html=html, toc_html=md.toc, headings=_flatten(md.toc_tokens), text=plain, blocks=blocks)


def _flatten(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for token in tokens:
        out.append({"level": token["level"], "id": token["id"], "name": token["name"]})
        out.extend(_flatten(token.get("children", [])))
    return out


class FigureProblems(Exception):
    """Several SourceErrors from one page's figure expressions."""

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))
