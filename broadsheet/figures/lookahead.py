"""No look-ahead: an issue uses only data its author could have had.

An issue's as-of date is `as_of:` in its original's front matter, else its date. A figure (in the
Markdown or in a chart's texts) whose data is dated after it, a chart whose `end` is after it, or
a chart that would show a close or a release published after it, is an error at its line. A
chart's `end` defaults to the as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from broadsheet.core.errors import FigureError

if TYPE_CHECKING:
    from broadsheet.content.issues import Issue
    from broadsheet.figures.uses import FigureUse

HINT = "use data up to the issue's as-of date, or set `as_of:` in the front matter"


def issue_as_of(issue: Issue) -> dt.date:
    """The newest date an issue's data may have: `as_of:` of its original, else its date."""
    metas = [page.meta for page in issue.pages.values()]
    explicit = [m.as_of for m in metas if m.as_of is not None]
    return min(explicit) if explicit else issue.date


def guarded(functions: dict[str, Callable[..., Any]], uses: list[FigureUse],
            as_of: dt.date) -> dict[str, Callable[..., Any]]:
    """The figure functions, each failing when the data it used is dated after `as_of`."""

    def guard(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            before = len(uses)
            value = func(*args, **kwargs)
            late = [d for use in uses[before:] for d in (*use.dates, *use.span) if d > as_of]
            if late:
                raise FigureError(f"uses data of {max(late)}, after the issue's as-of date {as_of}", HINT)
            return value

        call.__name__ = name
        return call

    return {name: guard(name, func) for name, func in functions.items()}
