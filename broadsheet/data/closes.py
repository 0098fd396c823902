"""`data add SERIES DATE VALUE` and `data import SERIES FILE`: closes of a daily series entered by
the editor, checked as `fetch` checks what it downloads, and written all or nothing.

    python3 build.py data add TAIEX 2025-04-07 19232.35
    python3 build.py data import TAIEX taiex.csv --date-column 日期 --value-column 收盤指數 …

Every row must be: a strict date and a plain number, positive unless the catalog says `sign: any`;
a trading day of the series' calendar (a row on a holiday is refused with the holiday's name, or
with `skip_closed` left out and counted, as fetch leaves such values out); not after today in the
site's time zone; once in the file; no one-day move beyond the series' max_daily_move_pct from the
close next to it; and a close already in markets.csv is kept unless `overwrite`. Every refused
row is reported, each at its line, and one refused row writes nothing: the new markets.csv is
loaded as a build would before it replaces the old one (data/datawrite.py). `data_add()` sends
`data add` here or to entry.py (releases), and says which form an id takes when given the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.suggest import suggest
from broadsheet.data import calendars
from broadsheet.data.catalog import Catalog, SeriesInfo, load_catalog
from broadsheet.data.csvread import iso_date, iso_month, plain_number
from broadsheet.data.datawrite import commit, csv_text, locked, recover, snapshot
from broadsheet.data.entry import DataEntryError, add_release_value, loads_as_built, parse_entry, site_today
from broadsheet.data.store import MARKET_COLUMNS, find_gaps, read_market_rows, read_markets

ADD_A_MARKET = 'docs/data.md, "Add a market"'
SHOWN_GAPS = 5  # gaps named one by one in the report; more are counted
SHOWN_REFUSALS = 20  # refused rows listed one by one (a wrong column refuses every row); more are counted


class SourceRequired(DataEntryError):
    """A release value was given without --source (the command line's usage error)."""


@dataclass(frozen=True)
class CloseRow:
    """One close to enter: its line in the editor's file (None on the command line), day and value text."""

    line: int | None
    day: dt.date
    value: str


@dataclass(frozen=True)
class Refusal:
    """Why a row was refused, at its line of the editor's file (None: the command line or the whole file)."""

    line: int | None
    message: str
    hint: str | None = None


@dataclass
class CloseBatch:
    """What the editor gave: the rows read, what reading them refused already, rows without a value."""

    rows: list[CloseRow]
    origin: Path | None = None  # the editor's file; None: one close on the command line
    refused: list[Refusal] = field(default_factory=list)
    without_value: int = 0  # empty, null, ".", "--": a day the export has no close for, left out


@dataclass
class ClosesReport:
    """What `data add` or `data import` did to one series."""

    series: str
    source: str  # the `sources:` tag written into the rows
    added: list[tuple[dt.date, str]] = field(default_factory=list)
    replaced: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (day, old, new), with overwrite
    kept: int = 0  # rows that equal the file's
    closed: int = 0  # rows on days the exchange was closed, left out (skip_closed)
    without_value: int = 0
    gaps: list[dt.date] = field(default_factory=list)  # trading days without a close inside the span, after


def read_catalog(root: Path) -> Catalog:
    """data/catalog.yaml, read as every reader of data/ reads it (under its lock, after recovery)."""
    data_dir = root / "data"
    with locked(data_dir):
        recover(data_dir)
        return load_catalog(data_dir / "catalog.yaml")


def series_info(catalog: Catalog, sid: str) -> SeriesInfo:
    """The catalog entry of a daily series, or an error that says what `sid` is and what to do."""
    if sid in catalog.series:
        return catalog.series[sid]
    if sid in catalog.indicators:
        raise DataEntryError(f"{sid} is a release, not a daily series: enter it as `python3 build.py data add "
                             f"{sid} PERIOD --actual X --release-date YYYY-MM-DD --source TEXT` (PERIOD: YYYY-MM)")
    raise DataEntryError(f"unknown series {sid!r} ({suggest(sid, catalog.series, 'series in data/catalog.yaml')}); "
                         f"a new market needs its catalog entry first ({ADD_A_MARKET})")


def data_add(root: Path, ident: str, when: str, value: str | None, release: dict[str, str | None],
             release_date: str | None, source: str | None, replace: bool, today: dt.date | None = None) -> str:
    """`data add`: one close of a daily series (ID DATE VALUE) or a release value (ID PERIOD --actual …),
    chosen by what the catalog says `ident` is; return what was done."""
    catalog = read_catalog(root)
    given = sorted(f"--{name}" for name, text in release.items() if text is not None)
    if ident in catalog.series or (value is not None and ident not in catalog.indicators):
        info = series_info(catalog, ident)
        if given or release_date is not None:
            options = given + (["--release-date"] if release_date is not None else [])
            raise DataEntryError(f"{ident} is a daily series: {' and '.join(options)} "
                                 f"{'is' if len(options) == 1 else 'are'} for a release; a close is "
                                 f"`python3 build.py data add {ident} DATE VALUE`")
        row = CloseRow(None, _close_day(ident, when), _close_value(ident, when, value))
        report = add_closes(root, info.id, CloseBatch([row]), source, replace, today=today)
        return format_one(report, row)
    if value is not None:
        period = when[:7] if len(when) == 10 else when  # a date given for a month: show the month
        raise DataEntryError(f"{ident} is a release: give its value as --actual, --consensus or --prior, not after "
                             f"the period (`python3 build.py data add {ident} {period} --actual {value} "
                             "--release-date YYYY-MM-DD --source TEXT`)")
    if source is None:
        raise SourceRequired("the following arguments are required: --source (where a release value was read)")
    entry = parse_entry(ident, when, release, release_date, source, replace)
    return add_release_value(root, entry, today=today)


def _close_day(sid: str, when: str) -> dt.date:
    try:
        return iso_date(when)
    except ValueError:
        pass
    try:
        month = iso_month(when)
    except ValueError:
        raise DataEntryError(f"{sid}: date {when[:30]!r} is not YYYY-MM-DD") from None
    raise DataEntryError(f"{sid} is a daily series: its close is given for a day, YYYY-MM-DD, not the month "
                         f"{month} (`python3 build.py data add {sid} {month}-DD VALUE`)")


def _close_value(sid: str, when: str, value: str | None) -> str:
    if value is None:
        raise DataEntryError(f"{sid} is a daily series: give the close after the date "
                             f"(`python3 build.py data add {sid} {when} VALUE`); a history: "
                             f"`python3 build.py data import {sid} FILE`")
    return value.strip()


def add_closes(root: Path, sid: str, batch: CloseBatch, source: str | None = None, overwrite: bool = False,
               skip_closed: bool = False, today: dt.date | None = None) -> ClosesReport:
    """Check every row of `batch` and write them into data/markets.csv, all or none; return what was
    done. `source`: a `sources:` tag (default the series' own); `today` (for tests): the day dates
    are judged by, else today in the site's time zone."""
    today = today or site_today(root)
    data_dir = root / "data"
    with locked(data_dir):
        recover(data_dir)
        catalog = load_catalog(data_dir / "catalog.yaml")
        path = data_dir / catalog.markets_file
        read_markets(path, catalog)  # the file must be valid before anything is added to it
        rows = read_market_rows(path)
        before = snapshot(data_dir, [path.name])
    info = series_info(catalog, sid)
    report = ClosesReport(sid, _source_tag(catalog, info, source), without_value=batch.without_value)
    existing = {dt.date.fromisoformat(r["date"]): r for r in rows if r["series"] == sid}
    refused = list(batch.refused)
    changes = _changes(info, batch, existing, report, refused, (overwrite, skip_closed, today))
    refused += _move_problems(info, existing, changes)
    if not batch.rows and not refused:
        refused.append(Refusal(None, "no rows to add"))
    if refused:
        raise _refusal(batch, report, refused, len(changes))
    if changes:
        merged = _merged(rows, existing, changes, sid, report.source)
        text = csv_text(merged, MARKET_COLUMNS)
        values = loads_as_built(text, path.name, lambda scratch: read_markets(scratch, catalog).values)
        report.gaps = find_gaps({k: v for k, v in values.items() if k[1] == sid}, catalog).get(sid, [])
        commit(data_dir, {path.name: text}, expected=before)
    return report


def _source_tag(catalog: Catalog, info: SeriesInfo, source: str | None) -> str:
    tag = (source or info.source).strip()
    if tag not in catalog.sources:
        raise DataEntryError(f"--source {tag[:40]!r} is not a tag under sources: in data/catalog.yaml "
                             f"(known: {', '.join(catalog.sources)}); a new source needs its own entry there, "
                             "e.g. TWSE: {name: {zh-Hant: …, en: …}, url: \"https://…\"}")
    return tag


def _changes(info: SeriesInfo, batch: CloseBatch, existing: dict[dt.date, dict[str, str]], report: ClosesReport,
             refused: list[Refusal], flags: tuple[bool, bool, dt.date]) -> dict[dt.date, CloseRow]:
    """The rows that add or replace a close; every other row is kept, left out or refused (listed)."""
    overwrite, skip_closed, today = flags
    seen: dict[dt.date, int | None] = {}
    changes: dict[dt.date, CloseRow] = {}
    for row in batch.rows:
        problem = _row_problem(info, row, today, skip_closed and batch.origin is not None)
        if problem == "closed":
            report.closed += 1
            continue
        if row.day in seen:
            first = f" (the first is line {seen[row.day]})" if seen[row.day] else ""
            problem = Refusal(row.line, f"a second row for {row.day}{first}", "keep one row per day")
        seen.setdefault(row.day, row.line)
        old = existing.get(row.day)
        if problem is None and old is not None and float(old["value"]) != float(row.value) and not overwrite:
            problem = Refusal(row.line, f"{info.id} already has {old['value']} on {row.day} in data/markets.csv "
                              f"(source {old['source']}), not {row.value}", "--overwrite replaces it")
        if isinstance(problem, Refusal):
            refused.append(problem)
        elif old is None:
            changes[row.day] = row
            report.added.append((row.day, row.value))
        elif float(old["value"]) == float(row.value):
            report.kept += 1
        else:
            changes[row.day] = row
            report.replaced.append((row.day, old["value"], row.value))
    return changes


def _row_problem(info: SeriesInfo, row: CloseRow, today: dt.date, skip_closed: bool) -> Refusal | str | None:
    """What is wrong with one row on its own, "closed" for a closed day left out, or None."""
    try:
        number = plain_number(row.value)
    except ValueError:
        number = None
    if number is None:
        return Refusal(row.line, f"{info.id} {row.day}: {row.value[:30]!r} is not a number",
                       "a plain decimal such as 19232.35, without a thousands separator or an exponent")
    if info.sign == "positive" and number <= 0:
        return Refusal(row.line, f"{info.id} {row.day}: {row.value} is not positive",
                       "sign: any in the catalog allows it")
    if row.day > today:
        return Refusal(row.line, f"{info.id} {row.day}: dated after today ({today} in the site's time zone)",
                       "a close is entered once the market has closed")
    code = info.calendar
    if code is None:
        return None
    first, last = calendars.bounds(code)
    if not first <= row.day <= last:
        return Refusal(row.line, f"{info.id} {row.day}: outside the {calendars.name(code)} calendar ({first} … {last})")
    if calendars.is_session(code, row.day):
        return None
    if skip_closed:
        return "closed"
    hint = "a close on a day the exchange was closed is wrong: remove the row"
    return Refusal(row.line, f"{info.id} has a value on {calendars.closed_message(code, row.day)}",
                   hint + (", or --skip-closed to leave such rows out, as fetch does" if row.line else ""))


def _move_problems(info: SeriesInfo, existing: dict[dt.date, dict[str, str]],
                   changes: dict[dt.date, CloseRow]) -> list[Refusal]:
    """A one-day move beyond max_daily_move_pct between a new close and the close next to it."""
    closes = {day: row["value"] for day, row in existing.items()}  # as written: a message quotes them so
    closes.update({day: row.value for day, row in changes.items()})
    days = sorted(closes)
    bound = info.max_move()
    found = []
    for before, after in zip(days, days[1:], strict=False):
        if (before not in changes and after not in changes) or not float(closes[before]):
            continue
        move = (float(closes[after]) / float(closes[before]) - 1) * 100
        if abs(move) > bound:
            line = changes[after].line if after in changes else changes[before].line
            found.append(Refusal(line, f"{info.id}: {before} {closes[before]} → {after} {closes[after]} is a "
                                 f"move of {move:+.1f}%, beyond its max_daily_move_pct of {bound:g}%",
                                 "a typo or a misplaced decimal point? if the move is real, raise "
                                 "max_daily_move_pct in data/catalog.yaml"))
    return found


def _refusal(batch: CloseBatch, report: ClosesReport, refused: list[Refusal], fine: int) -> Exception:
    """Every refusal at its line of the editor's file and what the rows came to, or, for one close on
    the command line, its one message."""
    if batch.origin is None:
        first = refused[0]
        return DataEntryError(first.message + (f" ({first.hint})" if first.hint else ""))
    listed = sorted(refused, key=_line)[:SHOWN_REFUSALS]
    problems = [SourceError(batch.origin, r.line, r.message, r.hint) for r in listed]
    more = f" ({len(refused) - len(listed)} not listed)" if len(refused) > len(listed) else ""
    problems.append(SourceError(batch.origin, None, f"{report.series}: {len(batch.rows)} row(s) read: "
                                f"{fine} to add or replace, {report.kept} kept, {len(refused)} refused{more}; "
                                "nothing was written"))
    return BuildFailed(problems)


def _line(refusal: Refusal) -> int:
    return refusal.line or 0


def _merged(rows: list[dict[str, str]], existing: dict[dt.date, dict[str, str]], changes: dict[dt.date, CloseRow],
            sid: str, tag: str) -> list[dict[str, str]]:
    """markets.csv's rows with the changes, sorted by series then date as fetch writes them."""
    for day, row in changes.items():
        if day in existing:
            existing[day].update(value=row.value, source=tag)
        else:
            rows.append({"date": day.isoformat(), "series": sid, "value": row.value, "source": tag})
    return sorted(rows, key=lambda r: (r["series"], r["date"]))


def format_one(report: ClosesReport, row: CloseRow) -> str:
    """`data add`'s line for one close: added, replaced or kept."""
    where = f"(source {report.source}) in data/markets.csv"
    if report.added:
        text = f"added {report.series} {row.day}: {row.value} {where}"
    elif report.replaced:
        day, old, new = report.replaced[0]
        text = f"replaced {report.series} {day}: {old} → {new} {where}"
    else:
        return f"{report.series} {row.day} already holds {row.value} in data/markets.csv: kept, nothing written"
    return "\n".join([text, *gap_lines(report)])


def format_report(report: ClosesReport, origin: str) -> list[str]:
    """`data import`'s report: added, replaced, kept, left out, and the gaps the series now has."""
    lines = [f"{report.series} from {origin} (source {report.source}): {len(report.added)} added, "
             f"{len(report.replaced)} replaced, {report.kept} kept in data/markets.csv"]
    lines += [f"  {day}: {old} → {new} (replaced)" for day, old, new in report.replaced]
    if report.closed:
        lines.append(f"  {report.closed} row(s) on days the exchange was closed left out")
    if report.without_value:
        lines.append(f"  {report.without_value} row(s) without a value left out")
    if not report.added and not report.replaced:
        lines.append("  nothing written: every close was already there")
    return lines + gap_lines(report)


def gap_lines(report: ClosesReport) -> list[str]:
    """A note on the trading days the series now lacks inside its span (`check` reports them too)."""
    if not report.gaps:
        return []
    shown = ", ".join(str(day) for day in report.gaps[:SHOWN_GAPS])
    more = f" and {len(report.gaps) - SHOWN_GAPS} more" if len(report.gaps) > SHOWN_GAPS else ""
    return [f"note: {report.series} has no close on {shown}{more}, trading days of its calendar inside its span: "
            f"gaps (`check` reports them; add each with `python3 build.py data add {report.series} DATE VALUE`)"]
