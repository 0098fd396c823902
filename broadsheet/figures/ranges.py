"""The closes of a range of days, for the range figures (low, high and the days they were made).

A range holds every trading day of the series' calendar from its start to its end, each with its
close: a trading day missing from the data is an error, as it is for a single close, because the
lowest close could be the one that is missing. Closed days inside the range are simply not in
it; a range with no trading day at all says why.
"""

from __future__ import annotations

import datetime as dt

from broadsheet.core.errors import FigureError, NoDataForDate, SeriesNotFound
from broadsheet.core.suggest import suggest
from broadsheet.data import calendars
from broadsheet.data.store import DataStore, parse_day


def range_closes(store: DataStore, series: str, start: str, end: str) -> list[tuple[dt.date, float]]:
    """(day, close) of every trading day of `series` from `start` to `end`, both included, in order."""
    if series not in store.catalog.series:
        raise SeriesNotFound(f"unknown series {series!r}", suggest(series, store.catalog.series, "known series"))
    first, last = parse_day(start), parse_day(end)
    if first > last:
        raise FigureError(f"the range {first} … {last} ends before it starts", "write the earlier date first")
    code = store.calendar(series)
    if code is None or not _inside(code, first, last):
        return _rows_between(store, series, first, last)
    days = calendars.sessions(code, first, last)
    if not days:
        raise NoDataForDate(f"{series} has no trading day from {first} to {last} ({calendars.name(code)} closed)",
                            "widen the range")
    return [store.on_session(series, day) for day in days]  # a missing day fails with its reason


def _inside(code: str, first: dt.date, last: dt.date) -> bool:
    low, high = calendars.bounds(code)
    return low <= first and last <= high


def _rows_between(store: DataStore, series: str, first: dt.date, last: dt.date) -> list[tuple[dt.date, float]]:
    """A series without a calendar (or a range beyond it): the rows the data has, whose ends must exist."""
    store.close(series, last.isoformat(), closed="previous")  # a range past the data fails as a close would
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    found = [(day, store.values[(day, series)]) for day in days if (day, series) in store.values]
    if not found:
        raise NoDataForDate(f"{series} has no close from {first} to {last}", "widen the range")
    return found


def extreme(closes: list[tuple[dt.date, float]], lowest: bool) -> tuple[dt.date, float]:
    """The lowest (or highest) close of a range and its day; of equal closes, the first."""
    pick = min if lowest else max
    return pick(closes, key=lambda row: row[1])  # min/max keep the first of equal keys
