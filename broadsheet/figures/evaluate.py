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
from broadsheet.core.spans import replace_spans
from broadsheet.figures.expressions import (
    MAX_EXPRESSION,
    STATEMENT_RE,
    Expression,
    LiteralCall,
    expressions_in,
    parse_figure_call,
)

MARK = "BROADSHEETBLOCK"  # a block's place in the text: a mark + its number + "END"
MAX_REPORTED = 50  # figure problems of one text made into errors; the rest are counted
MAX_FIGURES = 2_000  # figure expressions evaluated in one text (a long issue has 60)


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
    found = _Found(path, first_line, _breaks(body))
    blocks: list[Any] = []
    for match in STATEMENT_RE.finditer(body):
        found.add(match.start(), f"'{match.group()}' is not allowed in content",
                  "content may hold only {{ figure(...) }} expressions")

    def refused(expr: Expression) -> str:
        # drop the expression (keeping its line breaks) so it is not reported again as unclosed
        return "\n" * expr.source.count("\n")

    expressions = list(expressions_in(body))
    beyond = found.too_many(expressions)  # expressions from here on are not evaluated

    def replace(expr: Expression) -> str:
        source, line = expr.source, found.line(expr.start)
        call = _parsed(source, names) if expr.start < beyond else None
        if not isinstance(call, LiteralCall):
            if call is not None:
                found.add(expr.start, *call)
            return refused(expr)
        value, problems = _evaluated(functions[call.name], call, path, line, source)
        if value is None:
            found.extend(problems)
            return refused(expr)
        if not isinstance(value, str):  # a block (a chart): placed between paragraphs
            blocks.append(value)
            return f"{mark}{len(blocks) - 1}END"
        if marks is not None:
            return marks.figure(source, line, str(value))
        return html.escape(str(value), quote=False)  # a figure is text, never markup

    text = replace_spans(body, expressions, replace)
    # a published page's functions (published.py) say which of its locked figures it did not meet
    found.extend(getattr(functions, "missing", lambda *_: [])(path, first_line))
    # an opening {{ with no closing }} is what is left once every {{ … }} is taken out (a failed
    # expression has been reported already)
    rest = replace_spans(body, expressions, refused)
    unclosed = _Found(path, first_line, _breaks(rest), share=found)
    for match in re.finditer(r"\{\{", rest):
        unclosed.add(match.start(), "unclosed '{{'", "close the figure expression with }}")
    return text, blocks, found.errors()


class _Found:
    """The problems of one text: the first MAX_REPORTED made into SourceErrors, the rest counted.

    A page of 2 MB of `{` has a million unclosed `{{`: as errors they took 650 MB and the report
    was a million lines (issue 25). `share`: count into that collector's list (the same text with
    its expressions taken out, whose offsets are not the body's).
    """

    def __init__(self, path: Path, first_line: int, breaks: list[int], share: _Found | None = None) -> None:
        self.path, self.first_line, self.breaks = path, first_line, breaks
        self.made: list[SourceError] = share.made if share else []
        self.more: list[int] = share.more if share else [0, 0]  # how many were not made, the line of the first

    def line(self, offset: int) -> int:
        """The file line of an offset of the text."""
        return self.first_line + _line_index(self.breaks, offset)

    def add(self, offset: int, message: str, hint: str | None) -> None:
        """A problem at `offset` of the text."""
        if len(self.made) < MAX_REPORTED:
            self.made.append(SourceError(self.path, self.line(offset), message, hint))
        else:
            self._count(self.line(offset))

    def extend(self, problems: list[SourceError]) -> None:
        """Problems made already (by a figure function)."""
        for problem in problems:
            if len(self.made) < MAX_REPORTED:
                self.made.append(problem)
            else:
                self._count(problem.line or self.first_line)

    def too_many(self, expressions: list[Expression]) -> float:
        """Where evaluating stops: after MAX_FIGURES expressions (each is a call into the data: 2 MB
        of them took 3.5 s), said once; infinity when there are fewer."""
        if len(expressions) <= MAX_FIGURES:
            return float("inf")
        self.add(expressions[MAX_FIGURES].start, f"more than {MAX_FIGURES:,} figure expressions",
                 "an issue has a few dozen; split it")
        return expressions[MAX_FIGURES].start

    def _count(self, line: int) -> None:
        self.more[0] += 1
        self.more[1] = self.more[1] or line

    def errors(self) -> list[SourceError]:
        """The problems made, and one that says how many more there are."""
        if not self.more[0]:
            return self.made
        return [*self.made, SourceError(self.path, self.more[1], f"and {self.more[0]:,} more figure problems",
                                        "fix the ones above first; `check` shows the next ones")]


def _parsed(source: str, names: frozenset[str]) -> LiteralCall | tuple[str, str]:
    """The call an expression makes, or (the problem, a hint)."""
    if "\n" in source or len(source) > MAX_EXPRESSION:
        return "a figure expression must fit on one line", "close it with }} on the same line"
    call = parse_figure_call(source, names)
    return (call, "see docs/writing.md for the figure functions") if isinstance(call, str) else call


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
