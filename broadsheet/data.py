"""data/ → DataStore: the catalog, the daily market series (pandas) and the macro releases."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd

from .errors import BuildFailed, NoDataForDate, SeriesNotFound, SourceError
from .yamlsource import line_of, load_yaml, read_text

UNITS = {"index", "percent", "usd", "thousands_persons"}
MARKET_COLUMNS = ["date", "series", "value", "source"]
RELEASE_COLUMNS = ["indicator", "period", "release_date", "actual", "consensus", "prior", "unit", "source"]
RELEASE_FIELDS = ("actual", "consensus", "prior")


@dataclass(frozen=True)
class SeriesInfo:
    """Catalog entry of a daily market series."""

    id: str
    name: dict[str, str]
    short: dict[str, str]
    unit: str
    source: str
    retrieved: str
    fred_id: str | None = None
    max_daily_move_pct: float | None = None  # `check` flags a bigger one-day move as a data error


@dataclass(frozen=True)
class IndicatorInfo:
    """Catalog entry of a macro indicator (one row per release period in releases.csv)."""

    id: str
    name: dict[str, str]
    unit: str
    source_name: str | dict[str, str]  # one text, or one per language


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


@dataclass(frozen=True)
class Catalog:
    """What data exists, its names in each language, units and sources."""

    series: dict[str, SeriesInfo]
    indicators: dict[str, IndicatorInfo]
    sources: dict[str, dict[str, Any]]  # tag → {name: text or {language: text}, url}
    markets_file: str
    releases_file: str

    def source_of(self, ident: str, lang: str) -> tuple[str, str] | None:
        """(name in `lang`, url) of the source of a series or indicator; None when unknown."""
        if ident in self.series:
            tag = self.series[ident].source
            spec = self.sources.get(tag, {})
            return localized(spec.get("name", tag), lang), str(spec.get("url", "") or "")
        if ident in self.indicators:
            return localized(self.indicators[ident].source_name, lang), ""
        return None


def localized(value: str | dict[str, str], lang: str) -> str:
    """A catalog text that is either one text or one per language code."""
    if isinstance(value, dict):
        return value.get(lang) or next(iter(value.values()), "")
    return value


class DataStore:
    """Market series as a wide pandas frame (dates × series) plus the macro releases."""

    def __init__(self, catalog: Catalog, markets: pd.DataFrame, releases: dict[tuple[str, str], Release]):
        self.catalog = catalog
        self.markets = markets
        self.releases = releases
        self._closes: dict[str, tuple[list[dt.date], list[float]]] = {}  # per series, built on first use

    def _dated_closes(self, series_id: str) -> tuple[list[dt.date], list[float]]:
        """The closes of a series as sorted plain lists: figures look up thousands of single days."""
        if series_id not in self._closes:
            values = self.series(series_id)
            self._closes[series_id] = ([d.date() for d in values.index], [float(v) for v in values])
        return self._closes[series_id]

    def _close_before(self, series_id: str, day: dt.date) -> tuple[dt.date, float] | None:
        dates, values = self._dated_closes(series_id)
        i = bisect.bisect_left(dates, day)
        return (dates[i - 1], values[i - 1]) if i > 0 else None

    def series(self, series_id: str) -> pd.Series:
        """Return the daily closes of a series, indexed by date, with no gaps."""
        if series_id not in self.catalog.series:
            known = ", ".join(sorted(self.catalog.series))
            raise SeriesNotFound(f"unknown series {series_id!r}", f"known series: {known}")
        if series_id not in self.markets.columns:
            raise SeriesNotFound(f"series {series_id!r} is in the catalog but has no rows in the data")
        return self.markets[series_id].dropna()

    def close(self, series_id: str, date: str, closed: str = "error") -> tuple[dt.date, float]:
        """Return (date, close) on `date`; on a day with no close fail, or take the previous one."""
        day = parse_day(date)
        dates, values = self._dated_closes(series_id)
        i = bisect.bisect_left(dates, day)
        if i < len(dates) and dates[i] == day:
            return day, values[i]
        first, last = dates[0], dates[-1]
        if not first <= day <= last:
            raise NoDataForDate(f"{series_id} has no data for {day} (the data runs {first} … {last})",
                                "pick a date inside the data, or run `python build.py fetch`")
        if closed == "previous":
            return dates[i - 1], values[i - 1]
        raise NoDataForDate(f"{series_id} has no close on {day} ({day:%A}, a market holiday or weekend)",
                            'use a trading day, or add closed="previous" to take the previous close')

    def previous_close(self, series_id: str, date: str) -> tuple[dt.date, float]:
        """Return (date, close) of the trading day before `date`."""
        day, _ = self.close(series_id, date)
        found = self._close_before(series_id, day)
        if found is None:
            raise NoDataForDate(f"{series_id} has no close before {day}", "the data starts on that day")
        return found

    def week_start_close(self, series_id: str, week_ending: str) -> tuple[dt.date, float]:
        """Return the last close of the calendar week before the week containing `week_ending`."""
        day, _ = self.close(series_id, week_ending)
        monday = day - dt.timedelta(days=day.weekday())
        found = self._close_before(series_id, monday)
        if found is None:
            raise NoDataForDate(f"{series_id} has no close in the week before {monday}")
        return found

    def release(self, indicator: str, period: str) -> Release:
        """Return the release of `indicator` for `period` ("YYYY-MM")."""
        if indicator not in self.catalog.indicators:
            known = ", ".join(sorted(self.catalog.indicators))
            raise SeriesNotFound(f"unknown indicator {indicator!r}", f"known indicators: {known}")
        found = self.releases.get((indicator, period))
        if found is None:
            periods = sorted(p for (i, p) in self.releases if i == indicator)
            raise NoDataForDate(f"no {indicator} release for period {period!r}",
                                f"periods in the data: {', '.join(periods) or 'none'}")
        return found


def parse_day(text: str) -> dt.date:
    """Parse an ISO date given to a figure or chart ("2025-04-09")."""
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError as exc:
        raise NoDataForDate(f"{text!r} is not a date", "write dates as YYYY-MM-DD") from exc


def _number(text: str) -> float | None:
    if text.strip() == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _bound(value: object, sid: str, path: Path, line: int, errors: list[SourceError]) -> float | None:
    """An optional positive percent such as `max_daily_move_pct: 15`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        errors.append(SourceError(path, line, f"series {sid}: max_daily_move_pct must be a positive number of "
                                  f"percent, got {value!r}", "e.g. max_daily_move_pct: 15"))
        return None
    return float(value)


def load_catalog(path: Path) -> Catalog:
    """Read data/catalog.yaml."""
    data = load_yaml(read_text(path), path)
    errors: list[SourceError] = []
    if not isinstance(data, dict):
        raise BuildFailed([SourceError(path, 1, "catalog must be a mapping with files, sources, series, releases")])
    def section(key: str) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            errors.append(SourceError(path, line_of(data, key, 1),
                                      f"{key}: must be a mapping of id → fields"))
            return {}
        return value

    sources = section("sources")
    for tag, spec in sources.items():
        url = spec.get("url", "") if isinstance(spec, dict) else None
        if not isinstance(spec, dict) or not _text_or_per_language(spec.get("name")) \
                or not isinstance(url, str):
            errors.append(SourceError(path, line_of(sources, tag, 1),
                                      f"source {tag}: needs a name and a url (text)",
                                      'e.g. {name: "FRED download", url: "https://fred.stlouisfed.org/"}'))
        elif url and urlparse(url).scheme not in ("http", "https"):
            # the url becomes a link on every page that cites the source
            errors.append(SourceError(path, line_of(sources, tag, 1),
                                      f"source {tag}: url must start with http:// or https://, "
                                      f"got {url!r}", 'leave it "" when there is no page to link'))
    series: dict[str, SeriesInfo] = {}
    raw_series = section("series")
    for sid, spec in raw_series.items():
        line = line_of(raw_series, sid, 1)
        if not _fields_ok(spec, ("name", "unit", "source", "retrieved")):
            errors.append(SourceError(path, line, f"series {sid}: needs the fields name, unit, "
                                      "source, retrieved",
                                      "name (and short) map each language code to a text"))
            continue
        if spec["unit"] not in UNITS:
            errors.append(SourceError(path, line, f"series {sid}: unknown unit {spec['unit']!r}",
                                      f"units: {', '.join(sorted(UNITS))}"))
        if spec["source"] not in sources:
            errors.append(SourceError(path, line, f"series {sid}: source {spec['source']!r} is "
                                      "not under sources:"))
        series[str(sid)] = SeriesInfo(str(sid), dict(spec["name"]),
                                      dict(spec.get("short", spec["name"])), spec["unit"],
                                      spec["source"], str(spec["retrieved"]), spec.get("fred_id"),
                                      _bound(spec.get("max_daily_move_pct"), sid, path, line, errors))
    indicators: dict[str, IndicatorInfo] = {}
    raw_releases = section("releases")
    for iid, spec in raw_releases.items():
        line = line_of(raw_releases, iid, 1)
        if not _fields_ok(spec, ("name", "unit", "source_name")):
            errors.append(SourceError(path, line,
                                      f"indicator {iid}: needs the fields name, unit, source_name",
                                      "name maps each language code to a text"))
            continue
        source_name = spec["source_name"]
        indicators[str(iid)] = IndicatorInfo(str(iid), dict(spec["name"]), spec["unit"],
                                             dict(source_name) if isinstance(source_name, dict) else source_name)
        if spec["unit"] not in UNITS:
            errors.append(SourceError(path, line,
                                      f"indicator {iid}: unknown unit {spec['unit']!r}"))
    files = section("files")
    if errors:
        raise BuildFailed(errors)
    return Catalog(series, indicators, sources, files.get("markets", "markets.csv"),
                   files.get("releases", "releases.csv"))


def _fields_ok(spec: object, required: tuple[str, ...]) -> bool:
    """True when a catalog entry is a mapping with every required field of the right shape."""
    if not isinstance(spec, dict) or any(spec.get(key) in (None, "") for key in required):
        return False
    names = [spec["name"], spec.get("short", spec["name"])]
    if not all(isinstance(n, dict) and all(isinstance(v, str) for v in n.values()) for n in names):
        return False
    text_fields = [key for key in required if key not in ("name", "retrieved", "source_name")]
    if "source_name" in required and not _text_or_per_language(spec["source_name"]):
        return False
    return all(isinstance(spec[key], str) for key in text_fields)


def _text_or_per_language(value: object) -> bool:
    """A text, or a non-empty mapping of language code → text."""
    if isinstance(value, dict):
        return bool(value) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, str) and bool(value)


def _read_csv(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    text = read_text(path)
    reader = csv.DictReader(text.split("\n"))
    if reader.fieldnames != columns:
        raise BuildFailed([SourceError(path, 1, f"unexpected header {reader.fieldnames}",
                                       f"the header must be: {','.join(columns)}")])
    rows = []
    for row in reader:
        if not any((v or "").strip() for v in row.values()):
            continue
        rows.append((reader.line_num, row))
    return rows


def load_markets(path: Path, catalog: Catalog) -> pd.DataFrame:
    """Read the long-format market CSV into a wide frame (one column per series)."""
    errors: list[SourceError] = []
    records: dict[tuple[dt.date, str], float] = {}
    for line, row in _read_csv(path, MARKET_COLUMNS):
        if None in row or any(v is None for v in row.values()):
            errors.append(SourceError(path, line, "wrong number of fields", "expected date,series,value,source"))
            continue
        try:
            day = dt.date.fromisoformat(row["date"].strip())
        except ValueError:
            errors.append(SourceError(path, line, f"bad date {row['date']!r}", "write dates as YYYY-MM-DD"))
            continue
        sid = row["series"].strip()
        if sid not in catalog.series:
            errors.append(SourceError(path, line, f"series {sid!r} is not in data/catalog.yaml",
                                      "add it to the catalog with its source"))
            continue
        try:
            value = _number(row["value"])
        except ValueError:
            errors.append(SourceError(path, line, f"value {row['value']!r} is not a number"))
            continue
        if value is None:
            errors.append(SourceError(path, line, "empty value", "leave the row out instead of leaving a gap"))
            continue
        if (day, sid) in records:
            errors.append(SourceError(path, line, f"duplicate row for {sid} on {day}"))
            continue
        records[(day, sid)] = value
    if errors:
        raise BuildFailed(errors)
    frame = pd.Series(records, dtype="float64")
    if frame.empty:
        return pd.DataFrame()
    wide = frame.unstack()
    wide.index = pd.to_datetime(wide.index)
    return wide.sort_index()


def load_releases(path: Path, catalog: Catalog) -> dict[tuple[str, str], Release]:
    """Read the macro releases CSV, keyed by (indicator, period)."""
    errors: list[SourceError] = []
    releases: dict[tuple[str, str], Release] = {}
    for line, row in _read_csv(path, RELEASE_COLUMNS):
        if None in row or any(v is None for v in row.values()):
            errors.append(SourceError(path, line, "wrong number of fields", f"expected {','.join(RELEASE_COLUMNS)}"))
            continue
        ind, period = row["indicator"].strip(), row["period"].strip()
        if ind not in catalog.indicators:
            errors.append(SourceError(path, line, f"indicator {ind!r} is not in data/catalog.yaml"))
            continue
        try:
            day = dt.date.fromisoformat(row["release_date"].strip())
            dt.date.fromisoformat(period + "-01")
        except ValueError:
            errors.append(SourceError(path, line, "bad period or release_date", "period YYYY-MM, date YYYY-MM-DD"))
            continue
        values: dict[str, float | None] = {}
        for name in RELEASE_FIELDS:
            try:
                values[name] = _number(row[name])
            except ValueError:
                errors.append(SourceError(path, line, f"{name} {row[name]!r} is not a number",
                                          "leave it empty when the value is unknown"))
        if len(values) < len(RELEASE_FIELDS):
            continue
        if (ind, period) in releases:
            errors.append(SourceError(path, line, f"duplicate release {ind} {period}"))
            continue
        releases[(ind, period)] = Release(ind, period, day, values["actual"], values["consensus"],
                                          values["prior"], row["source"], line)
    if errors:
        raise BuildFailed(errors)
    return releases


def load_data(data_dir: Path) -> DataStore:
    """Load catalog, market series and releases from data/, validating every row."""
    catalog = load_catalog(data_dir / "catalog.yaml")
    markets = load_markets(data_dir / catalog.markets_file, catalog)
    releases = load_releases(data_dir / catalog.releases_file, catalog)
    return DataStore(catalog, markets, releases)


def read_market_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of the market CSV as written (text values), for `fetch` to merge into."""
    return [row for _, row in _read_csv(path, MARKET_COLUMNS)]
