"""data/ → DataStore: the catalog, the daily market series (pandas) and the macro releases.

Every series lives on its exchange's calendar (calendars.py): a row dated on a day the
exchange was closed is an error, a trading day missing inside a series' span is a gap that no
figure papers over, and a figure on a closed day says why there is no close.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from broadsheet.core.errors import BuildFailed, NoDataForDate, SeriesNotFound, SourceError
from broadsheet.core.suggest import suggest
from broadsheet.data import calendars
from broadsheet.data.catalog import Catalog, IndicatorInfo, SeriesInfo, load_catalog, localized  # noqa: F401 - re-exported
from broadsheet.data.csvread import iso_date, iso_month, plain_number, read_rows
from broadsheet.data.datawrite import locked, recover

if TYPE_CHECKING:  # pandas is imported when a chart or a check reads a whole series, not by figures
    import pandas as pd

MARKET_COLUMNS = ["date", "series", "value", "source"]
RELEASE_COLUMNS = ["indicator", "period", "release_date", "actual", "consensus", "prior", "unit", "source"]
RELEASE_FIELDS = ("actual", "consensus", "prior")
FETCH = "python3 build.py fetch"


@dataclass(frozen=True)
class Release:
    """One macro release: first-print actual, survey consensus and (revised) prior."""

    indicator: str
    period: str
    release_date: dt.date
    actual: float | None
    consensus: float | None
    prior: float | None
    source: str
    line: int


@dataclass
class MarketRows:
    """The market CSV read and checked: values, the line of each row, and the gaps found."""

    values: dict[tuple[dt.date, str], float] = field(default_factory=dict)
    lines: dict[tuple[dt.date, str], int] = field(default_factory=dict)
    gaps: dict[str, list[dt.date]] = field(default_factory=dict)  # series → trading days without a row


class DataStore:
    """The market closes (by date and series), the macro releases and the catalog.

    Figures read single closes from plain sorted lists; the wide pandas frame (dates × series)
    that charts and checks read is made on first use, so a build that only computes figures
    never imports pandas (about half a second).
    """

    def __init__(self, catalog: Catalog, values: dict[tuple[dt.date, str], float],
                 releases: dict[tuple[str, str], Release], gaps: dict[str, list[dt.date]] | None = None,
                 today: dt.date | None = None, lines: dict[tuple[dt.date, str], int] | None = None):
        self.catalog = catalog
        self.values = values
        self.lines = lines or {}  # the market file's line of each close (a changed published figure names it)
        self.releases = releases
        self.gaps = gaps or {}
        self.today = today or dt.date.today()
        self._closes: dict[str, tuple[list[dt.date], list[float]]] = {}  # per series, built on first use

    @cached_property
    def markets(self) -> pd.DataFrame:
        """Every series as a wide frame: one column per series, indexed by date."""
        return _wide(self.values)

    @cached_property
    def _by_series(self) -> dict[str, list[tuple[dt.date, float]]]:
        rows: dict[str, list[tuple[dt.date, float]]] = {}
        for (day, sid), value in self.values.items():
            rows.setdefault(sid, []).append((day, value))
        return rows

    def _dated_closes(self, series_id: str) -> tuple[list[dt.date], list[float]]:
        """The closes of a series as sorted plain lists: figures look up thousands of single days."""
        if series_id not in self._closes:
            self._check_series(series_id)
            rows = sorted(self._by_series[series_id])
            self._closes[series_id] = ([d for d, _ in rows], [v for _, v in rows])
        return self._closes[series_id]

    def _check_series(self, series_id: str) -> None:
        if series_id not in self.catalog.series:
            raise SeriesNotFound(f"unknown series {series_id!r}",
                                 suggest(series_id, self.catalog.series, "known series"))
        if series_id not in self._by_series:
            raise SeriesNotFound(f"series {series_id!r} is in the catalog but has no rows in the data")

    def series(self, series_id: str) -> pd.Series:
        """Return the daily closes of a series, indexed by date (pandas)."""
        self._check_series(series_id)
        return self.markets[series_id].dropna()

    def calendar(self, series_id: str) -> str | None:
        """The exchange calendar code of a series (None: the series has no calendar)."""
        return self.catalog.series[series_id].calendar

    # --- one close -------------------------------------------------------------------------
    def close(self, series_id: str, date: str, closed: str = "error") -> tuple[dt.date, float]:
        """Return (date, close) on `date`. On a day the exchange was closed fail saying why, or with
        closed="previous" take the previous trading day (even one after the last row); a gap in the
        data fails either way."""
        day = parse_day(date)
        dates, values = self._dated_closes(series_id)
        i = bisect.bisect_left(dates, day)
        if i < len(dates) and dates[i] == day:
            return day, values[i]
        code = self.calendar(series_id)
        if code is None or not _in_calendar(code, day):
            return self._uncalendared(series_id, day, closed)
        if not calendars.is_session(code, day):
            if closed != "previous":
                raise NoDataForDate(f"{series_id} has no close on {calendars.closed_message(code, day)}",
                                    'use a trading day, or add closed="previous" to take the previous close')
            day = calendars.previous_session(code, day)
        return self.on_session(series_id, day)

    def on_session(self, series_id: str, day: dt.date) -> tuple[dt.date, float]:
        """The close on a trading day of the series' calendar; a missing one is a gap or not fetched yet."""
        dates, values = self._dated_closes(series_id)
        i = bisect.bisect_left(dates, day)
        if i < len(dates) and dates[i] == day:
            return day, values[i]
        first, last = dates[0], dates[-1]
        span = f"the data runs {first} … {last}"
        if day < first:
            raise NoDataForDate(f"{series_id} has no data for {day} ({span})", "pick a date inside the data")
        if day > last:
            raise NoDataForDate(f"{series_id} has no data for {day} ({span})", self._later_hint(series_id, day))
        market = calendars.name(self.calendar(series_id) or "")
        raise NoDataForDate(f"{series_id} has no close on {day}, a {market} trading day: a gap in the data",
                            self._gap_hint(series_id))

    def _uncalendared(self, series_id: str, day: dt.date, closed: str) -> tuple[dt.date, float]:
        """A day outside the series' calendar (or a series without one): only the rows decide."""
        dates, values = self._dated_closes(series_id)
        first, last = dates[0], dates[-1]
        if not first <= day <= last:
            hint = "pick a date inside the data" if day < first else self._later_hint(series_id, day)
            raise NoDataForDate(f"{series_id} has no data for {day} (the data runs {first} … {last})", hint)
        if closed == "previous":
            i = bisect.bisect_left(dates, day)
            return dates[i - 1], values[i - 1]
        raise NoDataForDate(f"{series_id} has no close on {day} ({day:%A})",
                            'use a day with a value, or add closed="previous" to take the previous one')

    def _later_hint(self, series_id: str, day: dt.date) -> str:
        if day > self.today:
            return "that day has not come yet"
        if self.catalog.fetchable(series_id):
            return f"pick a date inside the data, or run `{FETCH}`"
        return (f"pick a date inside the data, or add its closes: `python3 build.py data add {series_id} DATE VALUE` "
                f"or `python3 build.py data import {series_id} FILE`")

    def _gap_hint(self, series_id: str) -> str:
        if self.catalog.fetchable(series_id):
            return f"run `{FETCH}`, or add the row from the series' source; closed=\"previous\" does not skip a gap"
        return (f"add the close from the series' source: `python3 build.py data add {series_id} DATE VALUE`; "
                "closed=\"previous\" does not skip a gap")

    # --- closes relative to another ----------------------------------------------------------
    def previous_close(self, series_id: str, date: str, closed: str = "error") -> tuple[dt.date, float]:
        """Return (date, close) of the trading day before `date` (before the close it resolves to)."""
        day, _ = self.close(series_id, date, closed)
        code = self.calendar(series_id)
        if code is not None and _in_calendar(code, day):
            return self.on_session(series_id, calendars.previous_session(code, day))
        dates, values = self._dated_closes(series_id)
        i = bisect.bisect_left(dates, day)
        if i == 0:
            raise NoDataForDate(f"{series_id} has no close before {day}", "the data starts on that day")
        return dates[i - 1], values[i - 1]

    def week_start_close(self, series_id: str, week_ending: str, closed: str = "error") -> tuple[dt.date, float]:
        """Return the close of the last trading day of the calendar week before `week_ending`'s."""
        day, _ = self.close(series_id, week_ending, closed)
        code = self.calendar(series_id)
        if code is not None and _in_calendar(code, day):
            return self.on_session(series_id, calendars.last_session_of_week_before(code, day))
        monday = day - dt.timedelta(days=day.weekday())
        dates, values = self._dated_closes(series_id)
        i = bisect.bisect_left(dates, monday)
        if i == 0:
            raise NoDataForDate(f"{series_id} has no close in the week before {monday}")
        return dates[i - 1], values[i - 1]

    def release(self, indicator: str, period: str) -> Release:
        """Return the release of `indicator` for `period` ("YYYY-MM")."""
        if indicator not in self.catalog.indicators:
            raise SeriesNotFound(f"unknown indicator {indicator!r}",
                                 suggest(indicator, self.catalog.indicators, "known indicators"))
        found = self.releases.get((indicator, period))
        if found is None:
            periods = sorted(p for (i, p) in self.releases if i == indicator)
            raise NoDataForDate(f"no {indicator} release for period {period!r}",
                                f"periods in the data: {', '.join(periods) or 'none'}")
        return found


def _in_calendar(code: str, day: dt.date) -> bool:
    first, last = calendars.bounds(code)
    return first <= day <= last


def parse_day(text: str) -> dt.date:
    """Parse an ISO date given to a figure or chart ("2025-04-09")."""
    try:
        return iso_date(str(text))
    except ValueError as exc:
        raise NoDataForDate(f"{text!r} is not a date", "write dates as YYYY-MM-DD") from exc


# --- markets.csv -------------------------------------------------------------------------------
def _market_row(path: Path, line: int, row: dict[str, str],
                catalog: Catalog) -> tuple[dt.date, str, float] | SourceError:
    try:
        day = iso_date(row["date"])
    except ValueError:
        return SourceError(path, line, f"bad date {row['date']!r}", "write dates as YYYY-MM-DD")
    sid = row["series"].strip()
    if sid not in catalog.series:
        return SourceError(path, line, f"series {sid!r} is not in data/catalog.yaml",
                           "add it to the catalog with its source")
    try:
        value = plain_number(row["value"])
    except ValueError:
        return SourceError(path, line, f"value {_short(row['value'])} is not a number",
                           "a plain decimal such as 5158.20, without _ or an exponent")
    if value is None:
        return SourceError(path, line, "empty value", "leave the row out instead of leaving a gap")
    if catalog.series[sid].sign == "positive" and value <= 0:
        return SourceError(path, line, f"{sid} {value:g} is not positive", "sign: any in the catalog allows it")
    code = catalog.series[sid].calendar
    if code is not None and _in_calendar(code, day) and not calendars.is_session(code, day):
        return SourceError(path, line, f"{sid} has a value on {calendars.closed_message(code, day)}",
                           "a value on a day the exchange was closed is wrong: remove the row")
    return day, sid, value


def _short(text: str) -> str:
    return repr(text) if len(text) <= 30 else f"{text[:20]!r}… ({len(text)} characters)"


def read_markets(path: Path, catalog: Catalog) -> MarketRows:
    """Read and check every row of the market CSV, then find the gaps of each series' calendar."""
    errors: list[SourceError] = []
    found = MarketRows()
    for line, row in read_rows(path, MARKET_COLUMNS):
        parsed = _market_row(path, line, row, catalog)
        if isinstance(parsed, SourceError):
            errors.append(parsed)
            continue
        day, sid, value = parsed
        if (day, sid) in found.values:
            errors.append(SourceError(path, line, f"duplicate row for {sid} on {day}"))
            continue
        found.values[(day, sid)] = value
        found.lines[(day, sid)] = line
    if errors:
        raise BuildFailed(errors)
    found.gaps = find_gaps(found.values, catalog)
    return found


def find_gaps(values: dict[tuple[dt.date, str], float], catalog: Catalog) -> dict[str, list[dt.date]]:
    """Per series, the trading days of its calendar inside its first … last row that have no row."""
    days: dict[str, set[dt.date]] = {}
    for day, sid in values:
        days.setdefault(sid, set()).add(day)
    gaps: dict[str, list[dt.date]] = {}
    for sid, have in sorted(days.items()):
        code = catalog.series[sid].calendar
        if code is None:
            continue
        missing = [d for d in calendars.sessions(code, min(have), max(have)) if d not in have]
        if missing:
            gaps[sid] = missing
    return gaps


def _wide(records: dict[tuple[dt.date, str], float]) -> pd.DataFrame:
    """The closes as a frame of dates × series."""
    import pandas as pd  # here, not at the top: figures read single closes and never load pandas

    frame = pd.Series(records, dtype="float64")
    if frame.empty:
        return pd.DataFrame()
    wide = frame.unstack()
    wide.index = pd.to_datetime(wide.index)
    return wide.sort_index()


# --- releases.csv ------------------------------------------------------------------------------
def _release_row(path: Path, line: int, row: dict[str, str], catalog: Catalog) -> Release | list[SourceError]:
    ind = row["indicator"].strip()
    if ind not in catalog.indicators:
        return [SourceError(path, line, f"indicator {ind!r} is not in data/catalog.yaml")]
    try:
        period = iso_month(row["period"])
        day = iso_date(row["release_date"])
    except ValueError:
        return [SourceError(path, line, "bad period or release_date", "period YYYY-MM, date YYYY-MM-DD")]
    values: dict[str, float | None] = {}
    errors = []
    for name in RELEASE_FIELDS:
        try:
            values[name] = plain_number(row[name])
        except ValueError:
            errors.append(SourceError(path, line, f"{name} {_short(row[name])} is not a number",
                                      "leave it empty when the value is unknown"))
    if errors:
        return errors
    return Release(ind, period, day, values["actual"], values["consensus"], values["prior"], row["source"], line)


def load_releases(path: Path, catalog: Catalog) -> dict[tuple[str, str], Release]:
    """Read the macro releases CSV, keyed by (indicator, period)."""
    errors: list[SourceError] = []
    releases: dict[tuple[str, str], Release] = {}
    for line, row in read_rows(path, RELEASE_COLUMNS):
        parsed = _release_row(path, line, row, catalog)
        if isinstance(parsed, list):
            errors.extend(parsed)
        elif (parsed.indicator, parsed.period) in releases:
            errors.append(SourceError(path, line, f"duplicate release {parsed.indicator} {parsed.period}"))
        else:
            releases[(parsed.indicator, parsed.period)] = parsed
    if errors:
        raise BuildFailed(errors)
    return releases


def load_data(data_dir: Path) -> DataStore:
    """Load catalog, market series and releases from data/, validating every row."""
    with locked(data_dir):  # never beside a fetch's renames: one whole set of files
        recover(data_dir)  # finish (or undo) a fetch or `data add` that was killed half-way
        catalog = load_catalog(data_dir / "catalog.yaml")
        markets = read_markets(data_dir / catalog.markets_file, catalog)
        releases = load_releases(data_dir / catalog.releases_file, catalog)
    return DataStore(catalog, markets.values, releases, markets.gaps, lines=markets.lines)


def read_market_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of the market CSV as written (text values), for `fetch` to merge into."""
    return [row for _, row in read_rows(path, MARKET_COLUMNS)]


def read_release_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of the releases CSV as written, for `fetch` and `data add` to merge into."""
    return [row for _, row in read_rows(path, RELEASE_COLUMNS)]
