"""Figure expressions in a text evaluated: each `{{ function("literal", key=literal) }}` replaced by
its value, every problem collected with its file and line.

Content may hold only one call to a known figure function with literal arguments
(expressions.py parses it); anything else is refused with the file and line, and the call itself
is made directly with the literal values, so no template code compiled from content ever runs.
The Markdown stage (pages/markdown.py) and chart texts (charts/spec.py) both use it.
"""

from __future__ import annotations

import bisect
import html
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from broadsheet.core.errors import FigureError, ReportedElsewhere, SourceError
from broadsheet.figures.expressions import (
    EXPRESSION_RE,
    MAX_EXPRESSION,
    STATEMENT_RE,
    LiteralCall,
    parse_figure_call,
)

MARK = "BROADSHEETBLOCK"  # a block's place in the text: a mark + its number + "END"


class FigureMarker(Protocol):
    """What puts a figure's receipt mark in the text (pages/receipts.py's FigureMarks)."""

    def figure(self, expression: str, line: int, text: str) -> str:
        """The text that stands for the figure `text` of `expression` at `line`."""
        ...


def block_mark(body: str) -> str:
    """A placeholder stem that does not occur in `body` (an editor may type BROADSHEETBLOCK5END)."""
    longest = max((len(m.group(1)) for m in re.finditer(MARK + "(X*)", body)), default=-1)
    return MARK + "X" * (longest + 1)


def evaluate_figures(body: str, path: Path, first_line: int, functions: dict[str, Callable[..., Any]],
                     mark: str = MARK, marks: FigureMarker | None = None) -> tuple[str, list[Any], list[SourceError]]:
    """Replace each `{{ … }}` in `body` by its value; return (text, blocks, errors).

    A block (a chart) is replaced by `mark` + its number + "END"; pass `block_mark(body)`. With
    `marks` a figure is replaced by a marker that the Markdown stage turns into the figure with its
    receipt (receipts.py); without, by its escaped text.
    """
    names = frozenset(functions)
    errors: list[SourceError] = []
    blocks: list[Any] = []
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
        value, problems = _evaluated(functions[call.name], call, path, line, expr)
        if value is None:
            errors.extend(problems)
            return refused(match)
        if not isinstance(value, str):  # a block (a chart): placed between paragraphs
            blocks.append(value)
            return f"{mark}{len(blocks) - 1}END"
        if marks is not None:
            return marks.figure(expr, line, str(value))
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


def _evaluated(function: Callable[..., Any], call: LiteralCall, path: Path, line: int,
               expr: str) -> tuple[Any, list[SourceError]]:
    """(value, []) or (None, [the problem at its line]); (None, []) for an expression whose source
    failed and was reported at its own line (a chart whose charts.yaml declaration has a mistake)."""
    try:
        return call_figure(function, call), []
    except ReportedElsewhere:
        return None, []
    except FigureError as exc:
        return None, [SourceError(path, line, f"{{{{{expr}}}}}: {exc.message}", exc.hint)]


def call_figure(function: Callable[..., Any], call: LiteralCall) -> Any:
    """Call a content function with the literals of `call`; wrong arguments are a FigureError."""
    kwargs = dict(call.kwargs)
    try:
        inspect.signature(function).bind(*call.args, **kwargs)
    except TypeError as exc:  # chart("x", 1, 2) would otherwise fail inside the function
        raise FigureError(f"wrong arguments: {call.name}() {exc}", "see docs/writing.md for each function") from exc
    except ValueError:  # no signature to check: the call itself will tell
        pass
    return function(*call.args, **kwargs)


def _breaks(text: str) -> list[int]:
    """Offsets of the line breaks of `text`, to find the line of many offsets quickly."""
    return [m.start() for m in re.finditer("\n", text)]


def _line_index(breaks: list[int], offset: int) -> int:
    """The 0-based line of `offset`, given the offsets of the line breaks."""
    return bisect.bisect_left(breaks, offset)
