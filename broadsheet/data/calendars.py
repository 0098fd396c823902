"""Exchange calendars: which days a market trades, and why it was closed on the others.

The calendars come from exchange_calendars (XNYS for the US series, XTAI for Taiwan, …): the
trading days are not guessed from the data, so a missing row is a gap, a row on a holiday is an
error, and a figure on Good Friday can say why there is no close. Each catalog series names its
calendar (`calendar: XNYS`); macro releases have none.

`A&B` is the days both trade: Treasury yields are `XNYS&USBOND`, the NYSE's days less the two
days the US bond market closes while the NYSE trades (Columbus Day and Veterans Day, SIFMA's
recommended closes; FRED's DGS series have no value then). `USBOND` is defined here, not by
exchange_calendars, which has no bond-market calendar.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import os
import pickle
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from broadsheet.core.errors import NoDataForDate
from broadsheet.core.versions import installed_version

if TYPE_CHECKING:  # pandas is the caller's (a chart's weekly closes): this module imports none of it
    import pandas as pd

FIRST_YEAR = 2010  # calendars are built from here to a year past today (exchange_calendars' default end)
NAMES = {"USBOND": "US bond market", "XNYS": "NYSE", "XNAS": "Nasdaq", "XTAI": "TWSE", "XLON": "LSE",
         "XTKS": "TSE", "XHKG": "HKEX", "XFRA": "Frankfurt", "XSHG": "SSE", "XKRX": "KRX"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarError(NoDataForDate):
    """An unknown calendar code, or a day outside the span a calendar covers (a figure error too)."""


@contextlib.contextmanager
def _library() -> Iterator[ModuleType]:
    """exchange_calendars, with its warnings silenced: its use of newer pandas' deprecated APIs
    is not ours to report."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # imported here, not at the top: it imports pandas (half a second), and most builds take
        # the trading days from the memo (sessions_memo) or need no calendar at all
        import exchange_calendars

        yield exchange_calendars


@cache
def _calendar(code: str):  # noqa: ANN202 - an exchange_calendars.ExchangeCalendar
    with _library() as xcals:
        try:
            return xcals.get_calendar(code, start=f"{FIRST_YEAR}-01-01")
        except xcals.errors.InvalidCalendarName as exc:
            raise CalendarError(f"unknown exchange calendar {code!r}") from exc


def known(code: str) -> bool:
    """True when `code` names an exchange calendar (XNYS, XTAI, …) or several joined by `&`."""
    if _MEMO and code in _MEMO[-1]:  # its days are remembered: known without importing the library
        return True
    return all(part == BOND or part in _calendar_names() for part in _parts(code))


@cache
def _calendar_names() -> frozenset[str]:
    """The calendar codes exchange_calendars knows (a registry lookup: no calendar is built)."""
    with _library() as xcals:
        return frozenset(xcals.get_calendar_names(include_aliases=True))


def _parts(code: str) -> list[str]:
    return [part.strip() for part in code.split("&")]


def name(code: str) -> str:
    """The exchange's short name for messages: NYSE for XNYS."""
    return " and ".join(NAMES.get(part, part) for part in _parts(code))


BOND = "USBOND"
BOND_RULES = 2  # the memo's days are made again when the bond market's rules below change


def _bond_closures(year: int) -> dict[dt.date, str]:
    """The US bond market's closes on days the NYSE trades: Columbus Day, and Veterans Day on a
    weekday or, when 11 November is a Sunday, the Monday after (SIFMA; a Saturday's is not observed)."""
    october = dt.date(year, 10, 1)
    columbus = october + dt.timedelta(days=(7 - october.weekday()) % 7 + 7)  # the second Monday
    closures = {columbus: "Columbus Day"}
    veterans = dt.date(year, 11, 11)
    if veterans.weekday() < 5:
        closures[veterans] = "Veterans Day"
    elif veterans.weekday() == 6:  # 2012, 2018: Monday 12 November
        closures[veterans + dt.timedelta(days=1)] = "Veterans Day (observed)"
    return closures


_MEMO: list[dict[str, tuple[dt.date, ...]]] = []  # the on-disk memo of the build that is loading, if any


@contextlib.contextmanager
def sessions_memo(path: Path | None) -> Iterator[None]:
    """Within the block, a calendar's trading days are taken from `path` when it holds them.

    Building an exchange calendar costs about half a second per exchange (exchange_calendars
    computes every holiday rule); the days are a function of the library's version and of today
    (the calendar ends a year past it), which key the file, so it is made again once a day.
    """
    key = f"{_library_version()}:{FIRST_YEAR}:{BOND_RULES}:{dt.date.today().isoformat()}"
    memo: dict[str, tuple[dt.date, ...]] = {}
    if path is not None:
        with contextlib.suppress(OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
            stored = pickle.loads(path.read_bytes())  # noqa: S301 - our own cache file
            if isinstance(stored, dict) and stored.get("key") == key:
                memo = dict(stored["sessions"])
    known_before = set(memo)
    _MEMO.append(memo)
    try:
        yield
    finally:
        _MEMO.remove(memo)
    if path is not None and set(memo) != known_before:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
            tmp.write_bytes(pickle.dumps({"key": key, "sessions": memo}))
            os.replace(tmp, path)


def _library_version() -> str:
    return installed_version("exchange_calendars") or "?"


@cache
def _sessions(code: str) -> tuple[dt.date, ...]:
    if _MEMO and code in _MEMO[-1]:
        return _MEMO[-1][code]
    days = _make_sessions(code)
    if _MEMO:
        _MEMO[-1][code] = days
    return days


def _make_sessions(code: str) -> tuple[dt.date, ...]:
    parts = _parts(code)
    if len(parts) > 1:
        days = set(_sessions(parts[0]))
        for part in parts[1:]:
            days &= set(_sessions(part))
        return tuple(sorted(days))
    if code == BOND:  # every weekday but its own closures, over the NYSE calendar's span
        first, last = _sessions("XNYS")[0], _sessions("XNYS")[-1]
        closed = {d for year in range(first.year, last.year + 1) for d in _bond_closures(year)}
        every = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        return tuple(d for d in every if d.weekday() < 5 and d not in closed)
    return tuple(d.date() for d in _calendar(code).sessions)


@cache
def _holiday_names(code: str) -> dict[dt.date, str]:
    if code == BOND:
        first, last = bounds(code)
        return {d: label for year in range(first.year, last.year + 1) for d, label in _bond_closures(year).items()}
    cal = _calendar(code)
    names: dict[dt.date, str] = {}
    if cal.regular_holidays is not None:
        with _library():
            found = cal.regular_holidays.holidays(cal.first_session, cal.last_session, return_name=True)
        names = {stamp.date(): str(label) for stamp, label in found.items()}
    return names


def bounds(code: str) -> tuple[dt.date, dt.date]:
    """The first and last day the calendar knows."""
    days = _sessions(code)
    return days[0], days[-1]


def _inside(code: str, day: dt.date) -> None:
    first, last = bounds(code)
    if not first <= day <= last:
        raise CalendarError(f"{day} is outside the {name(code)} calendar ({first} … {last})")


def is_session(code: str, day: dt.date) -> bool:
    """True when the exchange trades on `day` (early closes included)."""
    _inside(code, day)
    days = _sessions(code)
    i = bisect.bisect_left(days, day)
    return i < len(days) and days[i] == day


def sessions(code: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """The trading days from `start` to `end`, both included."""
    days = _sessions(code)
    return list(days[bisect.bisect_left(days, start):bisect.bisect_right(days, end)])


def previous_session(code: str, day: dt.date) -> dt.date:
    """The last trading day strictly before `day`."""
    days = _sessions(code)
    i = bisect.bisect_left(days, day)
    if i == 0:
        raise CalendarError(f"no {name(code)} trading day before {day} in the calendar")
    return days[i - 1]


def last_session_of_week_before(code: str, day: dt.date) -> dt.date:
    """The last trading day of the calendar week (Monday–Sunday) before the week of `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return previous_session(code, monday)


def closed_reason(code: str, day: dt.date) -> str:
    """Why the exchange has no session on `day`: "Good Friday", "Saturday", "an exchange holiday"."""
    if day.weekday() >= 5:
        return WEEKDAYS[day.weekday()]
    return _holiday_names(code).get(day) or f"{WEEKDAYS[day.weekday()]}, an exchange holiday"


def closed_message(code: str, day: dt.date) -> str:
    """"2025-04-18: NYSE closed, Good Friday" (for `A&B`, the one that was closed)."""
    part = next((p for p in _parts(code) if not is_session(p, day)), _parts(code)[0])
    return f"{day}: {name(part)} closed, {closed_reason(part, day)}"


def weekly_closes(values: pd.Series) -> pd.Series:
    """The last close of each calendar week (Monday–Sunday), indexed by the day it was made: a
    holiday-shortened week ends on its last trading day (Thursday 2025-04-17 for Good Friday's)."""
    weeks = values.index.to_period("W-SUN")
    last_days = values.index.to_series().groupby(weeks).max()
    closes = values.groupby(weeks).last()
    closes.index = last_days.to_numpy()  # datetime64 values: pandas makes them a DatetimeIndex
    return closes
