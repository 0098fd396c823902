"""`FigureUse`: one evaluated figure as data (the function, its arguments, the data it read and what
it printed). Receipts, provenance, chart blocks, the plan's dependencies and edition parity read it;
it imports nothing else of broadsheet, so they need not import the figure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FigureUse:
    """One evaluated figure: which function, which data, and what it printed."""

    function: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    series: str
    dates: tuple[dt.date, ...]
    text: str
    values: tuple[float, ...] = ()  # the data values it was computed from (the receipt shows them)
    # a range figure's first and last trading day (low, high): the receipt names the range, and
    # look-ahead and "data as of" count its end, though the value is the close of a day inside it
    span: tuple[dt.date, ...] = ()
    # a figure kept as published (figures/published.py): the receipt's note that the data has since been revised
    revised: str = ""
