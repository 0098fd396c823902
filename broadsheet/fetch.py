"""`fetch`: refresh data/markets.csv from FRED's CSV download, all or nothing.

Every series of data/catalog.yaml that has a `fred_id` is downloaded from
https://fred.stlouisfed.org/graph/fredgraph.csv?id=<fred_id>. New rows are merged in; rows
already in the file win unless `overwrite` (FRED sometimes revises a value, and the values an
issue quoted must not move silently); each revision is reported. The data keeps one calendar
for every series, the NYSE trading days on which the S&P 500 has a close (docs/data.md): values
FRED has on other days (the bond market is open on some exchange holidays) are left out. If
any download fails or any response is not the CSV expected, nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import load_config
from .data import MARKET_COLUMNS, Catalog, load_catalog, load_markets, read_market_rows
from .errors import BroadsheetError, BuildFailed
from .yamlsource import load_yaml, read_text

DEFAULT_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
URL_ENV = "BROADSHEET_FRED_URL"  # tests point fetch at a local server with this (or --source-url)
MAX_BYTES = 5_000_000  # a daily FRED series since 2024 is a few kB; anything this big is wrong
CALENDAR_SERIES = "SP500"  # its dates are the NYSE trading days every series shares
SOURCE_TAG = "FRED"  # the `source` of fetched rows (catalog.yaml sources: FRED)
DATE_HEADERS = {"observation_date", "date"}


class FetchError(BroadsheetError):
    """A download failed or returned something other than FRED's CSV; nothing was changed."""


@dataclass
class SeriesReport:
    """What fetch did to one series."""

    series: str
    fred_id: str
    added: int = 0
    kept: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (date, ours, FRED's)
    revised: list[tuple[dt.date, str, str]] = field(default_factory=list)
    off_calendar: int = 0  # FRED values on days that are not NYSE trading days


@dataclass
class FetchReport:
    """What fetch did: per series, plus the series it could not fetch from FRED."""

    series: list[SeriesReport]
    skipped: list[str]
    retrieved: dt.date


def resolve_source_url(explicit: str | None) -> str:
    """The FRED CSV endpoint: --source-url, else $BROADSHEET_FRED_URL, else FRED itself."""
    return explicit or os.environ.get(URL_ENV) or DEFAULT_URL


def download(url: str, timeout: float, max_bytes: int = MAX_BYTES) -> str:
    """GET `url` and return its text; any failure becomes a FetchError saying why."""
    request = urllib.request.Request(url, headers={"User-Agent": "broadsheet-fetch/0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: could not connect ({exc.reason})") from exc
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"{url}: download failed ({exc or 'timed out'})") from exc
    if len(data) > max_bytes:
        raise FetchError(f"{url}: the response is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FetchError(f"{url}: the response is not UTF-8 text") from exc


def parse_fred_csv(text: str, fred_id: str, url: str) -> dict[dt.date, str]:
    """Parse FRED's `observation_date,<ID>` CSV into {date: value text}, skipping "." (none)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or len(rows[0]) != 2 or rows[0][0].strip().lower() not in DATE_HEADERS \
            or rows[0][1].strip().upper() != fred_id.upper():
        head = text[:80].strip().replace("\n", " ")
        raise FetchError(f"{url}: not a FRED CSV for {fred_id} (it starts with {head!r})")
    values: dict[dt.date, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 2:
            raise FetchError(f"{url}: line {number} has {len(row)} fields, expected 2")
        try:
            day = dt.date.fromisoformat(row[0].strip())
        except ValueError as exc:
            raise FetchError(f"{url}: line {number}: bad date {row[0]!r}") from exc
        value = row[1].strip()
        if value in (".", ""):
            continue  # FRED's mark for a day without a value
        try:
            number_value = float(value)
        except ValueError as exc:
            raise FetchError(f"{url}: line {number}: {value!r} is not a number") from exc
        if not math.isfinite(number_value):
            raise FetchError(f"{url}: line {number}: {value!r} is not a number")
        values[day] = value
    return values


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fetch_data(root: Path, series: list[str] | None = None, source_url: str | None = None,
               overwrite: bool = False, timeout: float = 30.0,
               today: dt.date | None = None) -> FetchReport:
    """Download, merge and write data/markets.csv and the catalog's `retrieved` dates."""
    data_dir = root / "data"
    catalog_path = data_dir / "catalog.yaml"
    catalog = load_catalog(catalog_path)
    markets_path = data_dir / catalog.markets_file
    load_markets(markets_path, catalog)  # the file must be valid before anything is merged into it
    rows = read_market_rows(markets_path)
    wanted, skipped = _select(catalog, series)
    if SOURCE_TAG not in catalog.sources:
        raise FetchError(f"{catalog_path}: add a `{SOURCE_TAG}` entry under sources: "
                         "(the source of fetched rows)")
    start = min((r["date"] for r in rows), default="2024-12-31")
    base = resolve_source_url(source_url)
    # 1. download and parse everything first: one failure and nothing is written
    fetched: dict[str, dict[dt.date, str]] = {}
    for n, sid in enumerate(wanted, start=1):
        fred_id = catalog.series[sid].fred_id or sid
        query = urllib.parse.urlencode({"id": fred_id, "cosd": start})
        url = f"{base}{'&' if '?' in base else '?'}{query}"
        _progress(f"fetch: [{n}/{len(wanted)}] {sid} (FRED {fred_id}) …")
        fetched[sid] = parse_fred_csv(download(url, timeout), fred_id, url)
    # 2. merge on the shared calendar
    reports, merged = _merge(rows, fetched, catalog, dt.date.fromisoformat(start), overwrite)
    # 3. write: the markets file, then the retrieval dates, each by an atomic replace
    retrieved = today or dt.datetime.now(ZoneInfo(_timezone(root))).date()
    newline = "\r\n" if b"\r\n" in markets_path.read_bytes()[:4096] else "\n"
    text = _csv_text(merged, newline)
    _check_loads(text, markets_path, catalog)
    write_atomic(markets_path, text)
    catalog_text = set_retrieved(read_text(catalog_path), catalog_path, wanted, retrieved)
    write_atomic(catalog_path, catalog_text)
    return FetchReport(series=reports, skipped=skipped, retrieved=retrieved)


def _select(catalog: Catalog, series: list[str] | None) -> tuple[list[str], list[str]]:
    names = series or list(catalog.series)
    unknown = [s for s in names if s not in catalog.series]
    if unknown:
        raise FetchError(f"unknown series {', '.join(unknown)} "
                         f"(catalog series: {', '.join(catalog.series)})")
    wanted = [s for s in names if catalog.series[s].fred_id]
    skipped = [s for s in names if not catalog.series[s].fred_id]
    # the calendar series first: its dates decide which dates the others keep
    wanted.sort(key=lambda s: s != CALENDAR_SERIES)
    return wanted, skipped


def _merge(rows: list[dict[str, str]], fetched: dict[str, dict[dt.date, str]], catalog: Catalog,
           start: dt.date, overwrite: bool) -> tuple[list[SeriesReport], list[dict[str, str]]]:
    by_key = {(r["series"], dt.date.fromisoformat(r["date"])): r for r in rows}
    calendar = {d for (s, d) in by_key if s == CALENDAR_SERIES}
    calendar |= {d for d in fetched.get(CALENDAR_SERIES, {}) if d >= start}
    shared = CALENDAR_SERIES in catalog.series  # a project without it keeps every date
    reports = []
    for sid, values in fetched.items():
        report = SeriesReport(sid, catalog.series[sid].fred_id or sid)
        for day, value in sorted(values.items()):
            if day < start:
                continue
            if shared and day not in calendar:
                report.off_calendar += 1
                continue
            row = by_key.get((sid, day))
            if row is None:
                by_key[(sid, day)] = {"date": day.isoformat(), "series": sid, "value": value,
                                      "source": SOURCE_TAG}
                report.added += 1
            elif float(row["value"]) != float(value):
                if overwrite:
                    report.revised.append((day, row["value"], value))
                    row.update(value=value, source=SOURCE_TAG)
                else:
                    report.kept.append((day, row["value"], value))
        reports.append(report)
    merged = [by_key[k] for k in sorted(by_key)]
    return reports, merged


def _timezone(root: Path) -> str:
    try:
        return load_config(root / "site.yaml").timezone
    except BroadsheetError:
        return "UTC"


def _csv_text(rows: list[dict[str, str]], newline: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MARKET_COLUMNS, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _check_loads(text: str, markets_path: Path, catalog: Catalog) -> None:
    """Load the merged file from a scratch copy: a merge that breaks the data writes nothing."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / markets_path.name
        path.write_text(text, encoding="utf-8", newline="")
        try:
            load_markets(path, catalog)
        except BuildFailed as exc:
            raise FetchError(f"the merged data would not load: {exc.problems[0].message}") from exc


RETRIEVED_RE = re.compile(r"(retrieved:\s*)([^,}\s#]+)")


def set_retrieved(text: str, path: Path, series: list[str], day: dt.date) -> str:
    """Set `retrieved:` of each series in catalog.yaml's text, keeping every comment and layout."""
    data = load_yaml(text, path)
    lines = text.split("\n")
    for sid in series:
        spec = data["series"][sid]
        number = spec.lines.get("retrieved") if hasattr(spec, "lines") else None
        if number is None:
            raise FetchError(f"{path}: series {sid} has no `retrieved:` field to update")
        lines[number - 1] = RETRIEVED_RE.sub(lambda m: m.group(1) + day.isoformat(),
                                             lines[number - 1], count=1)
    return "\n".join(lines)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def format_report(report: FetchReport, root: Path) -> list[str]:
    """Human-readable lines: per series what was added, revised or kept, then the skipped ones."""
    lines = []
    for s in report.series:
        line = f"{s.series} (FRED {s.fred_id}): {s.added} new row(s)"
        if s.revised:
            line += f", {len(s.revised)} revised value(s) replaced"
        if s.off_calendar:
            line += (f", {s.off_calendar} value(s) left out (no {CALENDAR_SERIES} close that day: "
                     "an exchange holiday, or the S&P 500 not fetched yet)")
        lines.append(line)
        for day, ours, theirs in s.revised:
            lines.append(f"  {day}: {ours} → {theirs}")
        for day, ours, theirs in s.kept:
            lines.append(f"  {day}: FRED now says {theirs}, kept {ours} (--overwrite takes FRED's)")
    for sid in report.skipped:
        lines.append(f"{sid}: no fred_id in data/catalog.yaml, not fetched (update it by hand)")
    lines.append(f"retrieved: {report.retrieved} recorded in data/catalog.yaml")
    return lines
