"""Edition parity: every figure one edition quotes, the other quotes too (same function, data, field)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from broadsheet.content.issues import Issue, Page
from broadsheet.core.errors import SourceError
from broadsheet.figures.expressions import LiteralCall, expressions_in
from broadsheet.figures.uses import FigureUse

FORMAT_ONLY = {"digits", "rounding", "grouping", "move", "closed"}


def figure_key(use: FigureUse) -> tuple[str, tuple[Any, ...], str | None]:
    """What a figure says, without how it is printed: (function, args, release field)."""
    kwargs = {k: v for k, v in use.kwargs if k not in FORMAT_ONLY}
    return use.function, tuple(use.args), kwargs.get("field", "actual" if use.function == "release" else None)


def _describe(key: tuple[str, tuple[Any, ...], str | None]) -> str:
    function, args, fld = key
    text = ", ".join(f'"{a}"' if isinstance(a, str) else repr(a) for a in args)
    if fld and fld != "actual":
        text += f', field="{fld}"'
    return f"{function}({text})"


def _expression_lines(page: Page) -> list[tuple[int, str, tuple[Any, ...], str | None]]:
    """(line, function, literal args, field) of each figure expression in a page's source."""
    found = []
    for expr in expressions_in(page.body):
        call = expr.call()
        if not isinstance(call, LiteralCall):
            continue  # a bad expression is reported by the build, not here
        kwargs = dict(call.kwargs)
        line = page.body_line + page.body.count("\n", 0, expr.start)
        named = tuple(v for k, v in kwargs.items() if k not in FORMAT_ONLY and k != "field")
        found.append((line, call.name, call.args + named, kwargs.get("field")))
    return found


def _line_of(page: Page, key: tuple[str, tuple[Any, ...], str | None], nth: int) -> int:
    function, args, fld = key
    lines = [ln for ln, f, a, k in _expression_lines(page)
             if f == function and a[: len(args)] == args and (k or "actual") == (fld or "actual")]
    if not lines:
        return page.body_line
    return lines[min(nth, len(lines) - 1)]


def check_parity(issue: Issue, figures: Mapping[str, Sequence[FigureUse]]) -> list[SourceError]:
    """Figures one edition quotes and another lacks (same function, data and field).

    `figures` maps a language code to the figures its edition quotes (editions not there are not
    compared).
    """
    editions = [(code, issue.pages[code]) for code in issue.pages if code in figures]
    if len(editions) < 2:
        return []
    counts = {code: Counter(figure_key(u) for u in figures[code]) for code, _ in editions}
    problems: list[SourceError] = []
    for code, page in editions:
        for other, other_page in editions:
            if other == code:
                continue
            missing = counts[code] - counts[other]
            for key, extra in sorted(missing.items(), key=lambda kv: str(kv[0])):
                have = counts[code][key]
                for nth in range(have - extra, have):
                    problems.append(SourceError(
                        page.src_path, _line_of(page, key, nth),
                        f"{{{{ {_describe(key)} }}}} is in {page.src_path.name} but not in "
                        f"{other_page.src_path.name}",
                        "both editions must quote the same figures; add it to the other edition or remove it"))
    return problems
