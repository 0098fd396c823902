"""Where `fetch` gets values: the FRED API, ALFRED first releases, and any CSV address.

Downloads go through `http_get` (data/download.py), which cannot hand back a wrong body nor
outlast its deadline, and whose messages never show a key. Parsers accept only strict ISO dates
and plain finite numbers, and a CSV is read row by row (a flood of blank lines is refused, never
held in memory).

Formats (documented by the services; the tests serve the same shapes from a local server):

- FRED API `fred/series/observations` (https://fred.stlouisfed.org/docs/api/fred/series_observations.html):
  JSON `{"realtime_start", "realtime_end", …, "observations": [{"realtime_start", "realtime_end",
  "date", "value"}, …]}`; "." is a day without a value.
- ALFRED: the same endpoint with `realtime_start=1776-07-04&realtime_end=9999-12-31`
  (https://fred.stlouisfed.org/docs/api/fred/realtime_period.html, https://alfred.stlouisfed.org/):
  every vintage of every observation, each valid from its realtime_start to its realtime_end.
- a CSV address: a header row, then one row per day (`Date,Open,High,Low,Close,Volume`); the
  catalog names the date and value columns and the date format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from broadsheet.data.catalog import FetchSpec
from broadsheet.data.csvread import iso_date, plain_number
from broadsheet.data.download import KEY_ENV, FetchError, http_get, redact

__all__ = ["FetchError", "FirstRelease", "Observation", "fetch_alfred", "fetch_csv", "fetch_fred", "first_releases",
           "parse_csv_source", "parse_observations"]

FRED_API = "https://api.stlouisfed.org/fred"
API_ENV = "BROADSHEET_FRED_API"  # another API root (the tests' local server)
REALTIME_ALL = {"realtime_start": "1776-07-04", "realtime_end": "9999-12-31"}
NO_VALUE = {".", "", "null", "NaN"}  # the services' marks for "no value that day"
MAX_BLANK_LINES = 1_000  # a CSV export has none or a few (a trailing one); millions are a flood


def _text(body: bytes, url: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FetchError(f"{url}: the response is not UTF-8 text") from exc


# --- FRED API ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Observation:
    """One FRED/ALFRED observation: the value of `date` as known from realtime_start to realtime_end."""

    date: dt.date
    value: str
    realtime_start: dt.date
    realtime_end: dt.date


def api_root(explicit: str | None = None) -> str:
    return (explicit or os.environ.get(API_ENV) or FRED_API).rstrip("/")


def api_key() -> str:
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise FetchError(f"set {KEY_ENV} to a FRED API key (free: https://fred.stlouisfed.org/docs/api/api_key.html); "
                         "in GitHub Actions, a repository secret of that name")
    return key


def _observations_url(root: str, series_id: str, start: dt.date, realtime: bool) -> tuple[str, str]:
    query = {"series_id": series_id, "file_type": "json", "observation_start": start.isoformat()}
    if realtime:
        query.update(REALTIME_ALL)
    shown = f"{root}/series/observations?{urlencode(query)}"
    return f"{shown}&{urlencode({'api_key': api_key()})}", shown


def _realtime(text: object, field: str, where: str) -> dt.date:
    if text == "9999-12-31":
        return dt.date.max
    try:
        return iso_date(str(text))
    except ValueError as exc:
        raise FetchError(f"{where}: {field} {str(text)[:30]!r} is not a YYYY-MM-DD date") from exc


def _observation(item: object, n: int, url: str) -> Observation | None:
    where = f"{url}: observation {n}"
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("date", "value")):
        raise FetchError(f"{where}: not an observation with a date and a value")
    day = _realtime(item["date"], "date", where)
    value = item["value"].strip()
    if value in NO_VALUE:
        return None
    _check_number(value, where)
    start = _realtime(item.get("realtime_start", item["date"]), "realtime_start", where)
    end = _realtime(item.get("realtime_end", "9999-12-31"), "realtime_end", where)
    return Observation(day, value, start, end)


def _check_number(value: str, where: str) -> float:
    try:
        number = plain_number(value)
    except ValueError:
        number = None
    if number is None:
        shown = value if len(value) <= 30 else f"{value[:20]}… ({len(value)} characters)"
        raise FetchError(f"{where}: {shown!r} is not a number")
    return number


def parse_observations(body: bytes, url: str) -> list[Observation]:
    """FRED's `series/observations` JSON → observations (days without a value left out)."""
    try:
        data = json.loads(_text(body, url))
    except json.JSONDecodeError as exc:
        raise FetchError(f"{url}: not FRED JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:  # thousands of nested brackets
        raise FetchError(f"{url}: not FRED JSON (nested too deeply)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("observations"), list):
        if isinstance(data, dict) and "error_message" in data:
            raise FetchError(f"{url}: FRED says: {str(data['error_message'])[:200]}")
        raise FetchError(f"{url}: not FRED JSON (no observations list)")
    found = [_observation(item, n, url) for n, item in enumerate(data["observations"], start=1)]
    return [o for o in found if o is not None]


def fetch_fred(spec: FetchSpec, start: dt.date, timeout: float, root: str | None = None) -> dict[dt.date, str]:
    """A FRED series' current values from `start` on: {date: value text}."""
    url, shown = _observations_url(api_root(root), spec.id or "", start, realtime=False)
    return {o.date: o.value for o in parse_observations(http_get(url, timeout, show=shown), shown)}


# --- ALFRED first releases -----------------------------------------------------------------------
@dataclass(frozen=True)
class FirstRelease:
    """A release computed from the levels as first published."""

    period: str  # YYYY-MM
    vintage: dt.date  # the day the value was first published
    actual: str
    prior: str | None  # the previous period, as it stood in the same vintage (so revised)


def _month(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _as_of(history: dict[dt.date, list[Observation]], day: dt.date, vintage: dt.date) -> Decimal | None:
    for o in history.get(day, []):
        if o.realtime_start <= vintage <= o.realtime_end:
            return Decimal(o.value)
    return None


def _computed(spec: FetchSpec, history: dict[dt.date, list[Observation]], day: dt.date,
              vintage: dt.date) -> str | None:
    """The release value of the month `day` from the levels of vintage `vintage`, as the agency computes
    it: a change in % from the published levels rounded to one decimal, a change in units, or the level."""
    level = _as_of(history, day, vintage)
    if level is None:
        return None
    if spec.compute == "level":
        return format(level, "f")
    base = _as_of(history, _month(day, spec.months), vintage)
    if base is None or base == 0:
        return None
    scale = Decimal(str(spec.scale))
    if spec.compute == "change":
        return format(((level - base) * scale).quantize(Decimal(1), ROUND_HALF_UP), "f")
    return format(((level / base - 1) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP), "f")


def first_releases(spec: FetchSpec, observations: list[Observation], since: str) -> list[FirstRelease]:
    """For each month from `since` on: the value as first printed, its vintage date, and the prior
    month as stated in the same release."""
    history: dict[dt.date, list[Observation]] = {}
    for o in observations:
        history.setdefault(o.date, []).append(o)
    found = []
    for day in sorted(history):
        period = f"{day:%Y-%m}"
        if period < since or day.day != 1:
            continue
        vintage = min(o.realtime_start for o in history[day])
        actual = _computed(spec, history, day, vintage)
        if actual is not None:
            found.append(FirstRelease(period, vintage, actual, _computed(spec, history, _month(day, 1), vintage)))
    return found


def fetch_alfred(spec: FetchSpec, since: str, timeout: float, root: str | None = None) -> list[FirstRelease]:
    """Every vintage of an ALFRED series → its first releases from the month `since` on."""
    start = _month(dt.date.fromisoformat(since + "-01"), spec.months + 1)
    url, shown = _observations_url(api_root(root), spec.id or "", start, realtime=True)
    return first_releases(spec, parse_observations(http_get(url, timeout, show=shown), shown), since)


# --- any CSV address -----------------------------------------------------------------------------
def _csv_date(text: str, spec: FetchSpec, where: str) -> dt.date:
    try:
        if spec.date_format == "%Y-%m-%d":
            return iso_date(text)
        return dt.datetime.strptime(text.strip(), spec.date_format).date()
    except ValueError as exc:
        raise FetchError(f"{where}: bad date {text[:30]!r} (expected {spec.date_format})") from exc


def parse_csv_source(body: bytes, spec: FetchSpec, url: str) -> dict[dt.date, str]:
    """A CSV with a header → {date: value text} from the catalog's date and value columns, read a
    row at a time: a flood of blank lines is refused after MAX_BLANK_LINES, never held in memory."""
    text = _text(body, url)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        if spec.date_column not in header or spec.value_column not in header:
            head = text[:80].strip().replace("\n", " ")
            raise FetchError(f"{url}: no {spec.date_column!r} and {spec.value_column!r} columns "
                             f"(it starts with {head!r})")
        return _csv_values(reader, header, spec, url)
    except csv.Error as exc:
        raise FetchError(f"{url}: not a CSV file ({exc})") from exc


def _csv_values(reader: Any, header: list[str], spec: FetchSpec, url: str) -> dict[dt.date, str]:
    di, vi = header.index(spec.date_column), header.index(spec.value_column)
    values: dict[dt.date, str] = {}
    blank = 0
    for row in reader:
        if not row:
            blank += 1
            if blank > MAX_BLANK_LINES:
                raise FetchError(f"{url}: more than {MAX_BLANK_LINES:,} blank lines: not a CSV export; refused")
            continue
        where = f"{url}: line {reader.line_num}"
        if len(row) != len(header):
            raise FetchError(f"{where}: {len(row)} fields, expected {len(header)}")
        day, value = _csv_date(row[di], spec, where), row[vi].strip()
        if value in NO_VALUE:
            continue
        _check_number(value, where)
        if day in values:
            raise FetchError(f"{where}: a second row for {day}")
        values[day] = value
    return values


def fetch_csv(spec: FetchSpec, timeout: float) -> dict[dt.date, str]:
    """A CSV address's {date: value text} (the address shown redacted in every message)."""
    shown = redact(spec.url or "")
    return parse_csv_source(http_get(spec.url or "", timeout, show=shown), spec, shown)
