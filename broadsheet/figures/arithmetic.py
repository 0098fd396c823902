"""The figure arithmetic, once: what a % change, a change in points and a change in basis points
are. figures/functions.py prints them, checks/typed_numbers.py compares typed numbers with them, the chart kinds draw
them (series at a time, the same formulas)."""

from __future__ import annotations

import math
from typing import Any

from broadsheet.core.errors import FigureError


def pct_change(start: float, end: float, what: str = "the series") -> float:
    """The % change from `start` to `end`; a start of 0 (or a value that is not finite) is an error."""
    if not start or not math.isfinite(end / start):  # a close of 0 (or a bad value) as the base
        raise FigureError(f"{what} is {start:g} at the start, so a percent change has no meaning",
                          "use points() for a change from zero, or check the data")
    return (end / start - 1) * 100


def points_change(start: float, end: float) -> float:
    """The change in points (index points, dollars, percentage points)."""
    return end - start


def bp_change(start: float, end: float) -> float:
    """The change of a yield in percent, in basis points."""
    return (end - start) * 100


def spread_bp(long: float, short: float) -> float:
    """The spread of two yields in percent, in basis points."""
    return (long - short) * 100


def pct_changes(values: Any) -> Any:
    """% changes of a pandas series from each value to the next, as fractions (charts draw them)."""
    return values / values.shift(1) - 1
