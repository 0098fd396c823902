"""`fetch`: refresh data/ from each series' and release's source, all or nothing.

Each catalog entry names its source (`fetch:` in data/catalog.yaml, docs/data.md): the FRED API
for the market series FRED carries, a CSV address for the others, ALFRED's first releases for the
macro releases (consensus figures and ISM are entered with `data add`). Everything is downloaded
and checked first: strict dates, finite numbers of the series' sign, no one-day move beyond the
series' `max_daily_move_pct`, values only on the trading days of its calendar, no value dated
after the retrieval day, releases within their catalog range and released after their period.
A series' `retrieved:` is stamped only when its source gave values. Rows already in the
files win unless `overwrite` (the values an issue quoted must not move silently); every revision
is reported. markets.csv, releases.csv and catalog.yaml are then replaced together
(data/datawrite.py): a failure or a kill at any moment leaves the old set or the new set.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.core.errors import BuildFailed
from broadsheet.core.yamlsource import load_yaml
from broadsheet.data import calendars, sources
from broadsheet.data.catalog import Catalog, load_catalog
from broadsheet.data.datawrite import commit, csv_text, lf, locked, recover, snapshot
from broadsheet.data.download import redact
from broadsheet.data.entry import release_date_problem, site_today
from broadsheet.data.sources import FetchError, FirstRelease
from broadsheet.data.store import (
    MARKET_COLUMNS,
    RELEASE_COLUMNS,
    load_releases,
    read_market_rows,
    read_markets,
    read_release_rows,
)

__all__ = ["FetchError", "fetch_data", "format_report"]
FRED_TAG = "FRED"  # the `source` of rows fetched from FRED (catalog.yaml sources: FRED)


@dataclass
class SeriesReport:
    """What fetch did to one series or release."""

    series: str
    source: str  # "FRED SP500", "ALFRED CPIAUCSL", "CSV https://…"
    added: int = 0
    unchanged: int = 0  # values the source confirms
    kept: list[tuple[str, str, str]] = field(default_factory=list)  # (date, ours, the source's) not taken
    revised: list[tuple[str, str, str]] = field(default_factory=list)  # taken with --overwrite
    off_calendar: int = 0  # values on days the series' exchange was closed, left out
    read: int = -1  # values the source gave (-1: not counted, a release); 0 leaves `retrieved:` as it was


@dataclass
class FetchReport:
    """What fetch did: per series and release, plus those it has no source for."""

    series: list[SeriesReport]
    skipped: list[str]
    retrieved: dt.date
    stamped: list[str] = field(default_factory=list)  # series whose `retrieved:` was set (they gave values)
    daily: list[str] = field(default_factory=list)  # the skipped that are daily series (closes, not releases)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _select(catalog: Catalog, names: list[str] | None) -> tuple[list[str], list[str], list[str]]:
    """(market series to fetch, releases to fetch, names without a fetch source)."""
    every = list(catalog.series) + list(catalog.indicators)
    names = names or every
    unknown = [n for n in names if n not in every]
    if unknown:
        raise FetchError(f"unknown series or release {', '.join(unknown)} (catalog: {', '.join(every)})")
    fetchable = [n for n in names if catalog.fetchable(n)]
    skipped = [n for n in names if not catalog.fetchable(n)]
    return [n for n in fetchable if n in catalog.series], [n for n in fetchable if n in catalog.indicators], skipped


def _download_series(catalog: Catalog, sid: str, start: dt.date, timeout: float,
                     api: str | None) -> tuple[str, dict[dt.date, str]]:
    spec = catalog.series[sid].fetch
    assert spec is not None
    if spec.kind == "fred":
        return f"FRED {spec.id}", sources.fetch_fred(spec, start, timeout, api)
    return f"CSV {redact(spec.url or '')}", sources.fetch_csv(spec, timeout)


def fetch_data(root: Path, series: list[str] | None = None, api_url: str | None = None,
               overwrite: bool = False, timeout: float = 30.0, today: dt.date | None = None) -> FetchReport:
    """Download everything, merge, check, then replace data/'s files together.
    `today` (for tests): the retrieval day, else today in the site's time zone."""
    if not 0 < timeout < float("inf"):  # NaN too
        raise FetchError(f"--timeout must be a number of seconds above 0, got {timeout:g}")
    retrieved = today or site_today(root)
    data_dir = root / "data"
    with locked(data_dir):
        recover(data_dir)
        catalog_path = data_dir / "catalog.yaml"
        catalog = load_catalog(catalog_path)
        markets_path, releases_path = data_dir / catalog.markets_file, data_dir / catalog.releases_file
        read_markets(markets_path, catalog)  # the files must be valid before anything is merged into them
        load_releases(releases_path, catalog)
        market_rows, release_rows = read_market_rows(markets_path), read_release_rows(releases_path)
        before = snapshot(data_dir, [markets_path.name, releases_path.name, catalog_path.name])
    wanted, indicators, skipped = _select(catalog, series)
    if any(catalog.series[s].fetch.kind == "fred" for s in wanted) and FRED_TAG not in catalog.sources:
        raise FetchError(f"{catalog_path}: add a `{FRED_TAG}` entry under sources: (the source of fetched rows)")
    start = dt.date.fromisoformat(min((r["date"] for r in market_rows), default="2024-12-31"))
    since = min((r["period"] for r in release_rows), default="2025-01")
    # 1. download and parse everything first: one failure and nothing is written
    fetched: dict[str, tuple[str, dict[dt.date, str]]] = {}
    for n, sid in enumerate(wanted, start=1):
        _progress(f"fetch: [{n}/{len(wanted) + len(indicators)}] {sid} …")
        fetched[sid] = _download_series(catalog, sid, start, timeout, api_url)
    releases: dict[str, list[FirstRelease]] = {}
    for n, iid in enumerate(indicators, start=len(wanted) + 1):
        _progress(f"fetch: [{n}/{len(wanted) + len(indicators)}] {iid} (ALFRED first releases) …")
        releases[iid] = sources.fetch_alfred(catalog.indicators[iid].fetch, since, timeout, api_url)
    # 2. check, merge and check again: a value that is wrong stops everything
    check_dates(fetched, retrieved)
    check_releases(releases, catalog, retrieved)
    reports, merged = merge_markets(market_rows, fetched, catalog, start, overwrite)
    check_values(merged, catalog, list(fetched))
    release_reports, merged_releases = merge_releases(release_rows, releases, catalog, overwrite)
    # 3. write the new set, checked by loading it, all or nothing; `retrieved:` only where values came
    stamped = [report.series for report in reports if report.read > 0]
    files = {markets_path.name: csv_text(merged, MARKET_COLUMNS),
             releases_path.name: csv_text(merged_releases, RELEASE_COLUMNS),
             catalog_path.name: lf(set_retrieved(before[catalog_path.name].decode("utf-8-sig"), catalog_path,
                                                 stamped, retrieved))}
    _check_loads(files, catalog, data_dir)
    # every file is written with LF (datawrite.lf): a CRLF file the fetch changes no value of is
    # written again, with LF, so the data files end up with one kind of line ending
    changed = {name: text for name, text in files.items() if text.encode() != before[name]}
    if changed:
        commit(data_dir, changed, expected=before)
    return FetchReport(series=reports + release_reports, skipped=skipped, retrieved=retrieved, stamped=stamped,
                       daily=[n for n in skipped if n in catalog.series])


def check_dates(fetched: dict[str, tuple[str, dict[dt.date, str]]], today: dt.date) -> None:
    """No value dated after the retrieval day: a source that dates a close tomorrow (or in 2027) is wrong."""
    for sid, (where, values) in fetched.items():
        future = [day for day in values if day > today]
        if future:
            day = min(future)
            raise FetchError(f"{sid}: the source dates a value {day} ({values[day]}), after the retrieval day "
                             f"{today} ({where}; {len(future)} such value(s)); nothing was written")


def check_releases(fetched: dict[str, list[FirstRelease]], catalog: Catalog, today: dt.date) -> None:
    """Each first release: released by the retrieval day, after its period, its values in the catalog's range."""
    for iid, found in fetched.items():
        info = catalog.indicators[iid]
        for release in found:
            where = f"{iid} {release.period}"
            if release.vintage > today:
                raise FetchError(f"{where}: the source dates its release {release.vintage}, after the retrieval "
                                 f"day {today}; nothing was written")
            problem = release_date_problem(info, release.period, release.vintage, today)
            if problem is not None:
                raise FetchError(f"{where}: the source's release date {release.vintage} {problem}")
            for name, value in (("actual", release.actual), ("prior", release.prior)):
                if value is not None and not info.admits(float(value)):
                    raise FetchError(f"{where}: {name} {value} is outside its range, {info.range_text()} "
                                     "(min_value, max_value in data/catalog.yaml); nothing was written")


def merge_markets(rows: list[dict[str, str]], fetched: dict[str, tuple[str, dict[dt.date, str]]],
                  catalog: Catalog, start: dt.date, overwrite: bool) -> tuple[list[SeriesReport], list[dict[str, str]]]:
    """Add new rows, compare existing ones; values on days the series' exchange was closed are left out."""
    by_key = {(r["series"], r["date"]): r for r in rows}
    reports = []
    for sid, (where, values) in fetched.items():
        info = catalog.series[sid]
        tag = FRED_TAG if info.fetch.kind == "fred" else info.fetch.tag
        report = SeriesReport(sid, where, read=len(values))
        for day, value in sorted(values.items()):
            if day < start:
                continue
            code = info.calendar
            if code and (not _in(code, day) or not calendars.is_session(code, day)):
                report.off_calendar += 1
                continue
            _merge_one(by_key, report, (sid, day.isoformat()), value, tag, overwrite)
        reports.append(report)
    return reports, [by_key[k] for k in sorted(by_key)]


def _in(code: str, day: dt.date) -> bool:
    first, last = calendars.bounds(code)
    return first <= day <= last


def _merge_one(by_key: dict, report: SeriesReport, key: tuple[str, str], value: str, tag: str,
               overwrite: bool) -> None:
    row = by_key.get(key)
    if row is None:
        by_key[key] = {"date": key[1], "series": key[0], "value": value, "source": tag}
        report.added += 1
    elif float(row["value"]) == float(value):
        report.unchanged += 1
    elif overwrite:
        report.revised.append((key[1], row["value"], value))
        row.update(value=value, source=tag)
    else:
        report.kept.append((key[1], row["value"], value))


def check_values(rows: list[dict[str, str]], catalog: Catalog, fetched: list[str]) -> None:
    """Every fetched series: of its sign, and no one-day move beyond its max_daily_move_pct."""
    previous: dict[str, tuple[str, float]] = {}
    for row in rows:  # sorted by series, then date
        sid = row["series"]
        if sid not in fetched:
            continue
        info = catalog.series[sid]
        value = float(row["value"])
        if info.sign == "positive" and value <= 0:
            raise FetchError(f"{sid} {row['date']}: {row['value']} is not positive (from {row['source']})")
        bound = info.max_move()
        before = previous.get(sid)
        if before is not None and before[1] and abs(value / before[1] - 1) * 100 > bound:
            move = (value / before[1] - 1) * 100
            raise FetchError(f"{sid} {row['date']}: {row['value']} is {move:+.1f}% from the previous close "
                             f"{before[0]} ({before[1]:g}), beyond its max_daily_move_pct of {bound:g}%")
        previous[sid] = (row["date"], value)


def merge_releases(rows: list[dict[str, str]], fetched: dict[str, list[FirstRelease]], catalog: Catalog,
                   overwrite: bool) -> tuple[list[SeriesReport], list[dict[str, str]]]:
    """Add first releases the file lacks (consensus left for `data add`); compare the others."""
    by_key = {(r["indicator"], r["period"]): r for r in rows}
    reports = []
    for iid, found in fetched.items():
        spec = catalog.indicators[iid].fetch
        report = SeriesReport(iid, f"ALFRED {spec.id}")
        units = [r["unit"] for r in rows if r["indicator"] == iid]
        for release in found:
            row = by_key.get((iid, release.period))
            source = f"ALFRED {spec.id} first release {release.vintage}"
            if row is None:
                by_key[(iid, release.period)] = {
                    "indicator": iid, "period": release.period, "release_date": release.vintage.isoformat(),
                    "actual": release.actual, "consensus": "", "prior": release.prior or "",
                    "unit": units[-1] if units else catalog.indicators[iid].unit, "source": source}
                report.added += 1
            elif row["actual"] and float(row["actual"]) == float(release.actual):
                report.unchanged += 1
            elif not row["actual"]:  # entered ahead with `data add --consensus`: the release is out
                row.update(actual=release.actual, prior=row["prior"] or release.prior or "",
                           release_date=release.vintage.isoformat(), source=f"{row['source']}; actual: {source}")
                report.added += 1
            elif overwrite:
                report.revised.append((release.period, row["actual"], release.actual))
                row.update(actual=release.actual, source=f"{row['source']}; actual: {source}")
            else:
                report.kept.append((release.period, row["actual"], release.actual))
        reports.append(report)
    return reports, sorted(by_key.values(), key=_release_order(rows))


def _release_order(rows: list[dict[str, str]]):  # noqa: ANN202
    """Existing rows keep their place; new ones follow, by period then indicator."""
    place = {(r["indicator"], r["period"]): n for n, r in enumerate(rows)}
    return lambda r: (place.get((r["indicator"], r["period"]), len(place)), r["period"], r["indicator"])


def _check_loads(files: dict[str, str], catalog: Catalog, data_dir: Path) -> None:
    """Load the new set from a scratch folder: a merge that breaks the data writes nothing."""
    with tempfile.TemporaryDirectory() as scratch:
        for name, text in files.items():
            Path(scratch, name).write_text(text, encoding="utf-8", newline="")
        try:
            new_catalog = load_catalog(Path(scratch) / "catalog.yaml")
            read_markets(Path(scratch) / catalog.markets_file, new_catalog)
            load_releases(Path(scratch) / catalog.releases_file, new_catalog)
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
        lines[number - 1] = RETRIEVED_RE.sub(lambda m: m.group(1) + day.isoformat(), lines[number - 1], count=1)
    return "\n".join(lines)


def format_report(report: FetchReport, root: Path) -> list[str]:
    """Per series and release: added, revised, kept; then what has no source."""
    lines = []
    for s in report.series:
        if s.read == 0:
            lines.append(f"{s.series} ({s.source}): no values read (its retrieved: date stays)")
            continue
        line = (f"{s.series} ({s.source}): {s.added} added, {len(s.revised)} revised, "
                f"{s.unchanged + len(s.kept)} kept")
        if s.off_calendar:
            line += f"; {s.off_calendar} value(s) on days its exchange was closed left out"
        lines.append(line)
        lines.extend(f"  {day}: {ours} → {theirs} (revised)" for day, ours, theirs in s.revised)
        lines.extend(f"  {day}: the source now says {theirs}, kept {ours} (--overwrite takes the source's)"
                     for day, ours, theirs in s.kept)
    for sid in report.skipped:
        how = (f"`python3 build.py data add {sid} DATE VALUE` or `data import {sid} FILE`" if sid in report.daily
               else "`python3 build.py data add`")
        lines.append(f"{sid}: entered by the editor ({how}), not fetched")
    unread = [s.series for s in report.series if s.read == 0]
    if report.stamped:
        but = f" (not for {', '.join(unread)}: no values read)" if unread else ""
        lines.append(f"retrieved: {report.retrieved} recorded in data/catalog.yaml{but}")
    elif unread:
        lines.append("retrieved: unchanged in data/catalog.yaml (no values read)")
    return lines
