"""`data add` for a release: enter a value the sources cannot fetch (a consensus, an ISM print), checked
and recorded. (A close of a daily series, `data add SERIES DATE VALUE`, is closes.py's; its
`data_add()` sends each form to its module.)

    python3 build.py data add CPI_YOY 2025-04 --consensus 2.4 --release-date 2025-05-13 --source "FactSet median"
    python3 build.py data add ISM_MFG_PMI 2025-04 --actual 48.7 --release-date 2025-05-01 --source "ISM release"

Every value is a plain decimal, dates and periods are strict ISO, the source is required (one line,
no control, bidi or zero-width character) and is written into the row's `source` column beside the
field it supports. Values must be plausible: no period that has not begun, a release date after
its period's end (within it for `release_in_period` releases) and not after today, except a
consensus entered ahead of its release (up to CONSENSUS_AHEAD_DAYS before), and every value in the
indicator's catalog range (`min_value`, `max_value`). A value fetched from ALFRED
(the actual and prior of CPI, PPI, payrolls, the unemployment rate) is not typed here. A field
that already holds another value is replaced only with --replace. The new releases.csv is loaded
as a build would before it replaces the old one (data/datawrite.py), so a mistake changes
nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from broadsheet.core.config import load_config
from broadsheet.core.errors import BroadsheetError, BuildFailed
from broadsheet.core.textcheck import char_problem
from broadsheet.data.catalog import Catalog, IndicatorInfo, load_catalog
from broadsheet.data.csvread import iso_date, iso_month, plain_number
from broadsheet.data.datawrite import commit, csv_text, locked, recover, snapshot
from broadsheet.data.store import RELEASE_COLUMNS, load_releases, read_release_rows

T = TypeVar("T")

UNIT_TEXT = {"percent": "%", "index": "index", "usd": "USD", "thousands_persons": "k"}
# a consensus is a survey taken before the release: it may be entered up to this many days ahead of
# the release date (a monthly release's survey closes in the week or two before it)
CONSENSUS_AHEAD_DAYS = 31
RANGE_FIELDS = "min_value, max_value in data/catalog.yaml"
CLOSE_FORM = "python3 build.py data add SERIES DATE VALUE"


class DataEntryError(BroadsheetError):
    """A value given to `data add` was refused; nothing was changed."""


@dataclass
class Entry:
    """What the editor asked `data add` to write."""

    indicator: str
    period: str
    values: dict[str, str]  # field → plain decimal text
    release_date: str | None
    source: str
    replace: bool = False


def parse_entry(indicator: str, period: str, values: dict[str, str | None], release_date: str | None,
                source: str, replace: bool = False) -> Entry:
    """Check the command line's values: strict period, date and numbers, a one-line source."""
    try:
        period = iso_month(period)
    except ValueError as exc:
        raise DataEntryError(period_hint(period)) from exc
    if release_date is not None:
        try:
            release_date = iso_date(release_date).isoformat()
        except ValueError as exc:
            raise DataEntryError(f"--release-date {release_date!r} is not YYYY-MM-DD") from exc
    given = {k: v.strip() for k, v in values.items() if v is not None}
    if not given:
        raise DataEntryError("nothing to add: give --actual, --consensus or --prior")
    for name, text in given.items():
        try:
            ok = plain_number(text) is not None
        except ValueError:
            ok = False
        if not ok:
            raise DataEntryError(f"--{name} {text[:30]!r} is not a plain number (e.g. 2.4, -0.1, 228)")
    source = (source or "").strip()
    if not source or "\n" in source or len(source) > 200:
        raise DataEntryError("--source must name where the value was read (one line, up to 200 characters)")
    if (problem := char_problem(source)) is not None:
        # it lands in releases.csv and, later, on pages: ESC or BEL would act on a terminal, U+202E reverse the text
        raise DataEntryError(f"--source {problem} (retype it as plain text on one line)")
    return Entry(indicator, period, given, release_date, source, replace)


def period_hint(period: str) -> str:
    """Why `period` is not a release's period, pointing to the close form when it is a date."""
    try:
        day = iso_date(period)
    except ValueError:
        return f"period {period!r} is not YYYY-MM"
    return (f"period {period!r} is a date, not YYYY-MM: a release's period is its month ({day:%Y-%m}); "
            f"a close of a daily series is `{CLOSE_FORM}`")


def site_today(root: Path) -> dt.date:
    """Today in the site's time zone (site.yaml; UTC when it cannot be read): the day `fetch` and
    `data add` judge dates by, and the day fetch records as `retrieved:`."""
    try:
        zone = load_config(root / "site.yaml").timezone
    except BroadsheetError:
        zone = "UTC"
    return dt.datetime.now(ZoneInfo(zone)).date()


def period_problem(period: str, today: dt.date) -> str | None:
    """Why a release period cannot be entered yet (it has not begun), or None."""
    if dt.date.fromisoformat(f"{period}-01") > today:
        return f"period {period} has not begun yet (today is {today} in the site's time zone)"
    return None


def release_date_problem(info: IndicatorInfo, period: str, release: dt.date, today: dt.date,
                         ahead_days: int = 0) -> str | None:
    """What is wrong with `release` as the release date of `period`, phrased to follow the date
    (`is before the end of its period 2025-04`), or None. `ahead_days`: how far after today it may be."""
    first = dt.date.fromisoformat(f"{period}-01")
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if info.release_in_period and release < first:
        return f"is before its period {period} begins"
    if not info.release_in_period and release <= last:
        return (f"is before the end of its period {period} ({info.id} is published after its month; "
                "`release_in_period: true` in data/catalog.yaml says otherwise)")
    if release > today + dt.timedelta(days=ahead_days):
        if ahead_days:
            return f"is more than {ahead_days} days after today ({today}): a consensus is entered in the weeks before"
        return f"is after today ({today}): a release is entered once it is out"
    return None


def _check(entry: Entry, catalog: Catalog, row: dict[str, str] | None, today: dt.date) -> None:
    info = catalog.indicators.get(entry.indicator)
    if info is None and entry.indicator in catalog.series:
        raise DataEntryError(f"{entry.indicator} is a daily series, not a release: its closes are entered as "
                             f"`python3 build.py data add {entry.indicator} DATE VALUE` (or `data import`)")
    if info is None:
        raise DataEntryError(f"unknown indicator {entry.indicator!r} (known: {', '.join(sorted(catalog.indicators))}; "
                             f"a close of a daily series is `{CLOSE_FORM}`)")
    fetched = info.fetch is not None and info.fetch.kind == "alfred"
    typed = sorted(set(entry.values) - {"consensus"})
    if fetched and typed:
        raise DataEntryError(f"{entry.indicator}'s {' and '.join(typed)} come from ALFRED ({info.fetch.id}): "
                             "run `python3 build.py fetch`; only --consensus is entered by hand")
    if row is None and entry.release_date is None:
        raise DataEntryError(f"{entry.indicator} {entry.period} is a new row: give its --release-date")
    for name, text in entry.values.items():
        old = (row or {}).get(name, "")
        if old and float(old) != float(text) and not entry.replace:
            raise DataEntryError(f"{entry.indicator} {entry.period} already has {name} {old}; "
                                 "--replace to change it")
    _plausible(entry, info, row, today)


def _plausible(entry: Entry, info: IndicatorInfo, row: dict[str, str] | None, today: dt.date) -> None:
    """No period that has not begun, values in the catalog's range, a release date that fits."""
    if (problem := period_problem(entry.period, today)) is not None:
        raise DataEntryError(f"{entry.indicator}: {problem}")
    for name, text in entry.values.items():
        if not info.admits(float(text)):
            raise DataEntryError(f"--{name} {text} is outside {info.id}'s range, {info.range_text()} ({RANGE_FIELDS})")
    ahead = CONSENSUS_AHEAD_DAYS if set(entry.values) == {"consensus"} else 0
    if entry.release_date is not None:
        problem = release_date_problem(info, entry.period, dt.date.fromisoformat(entry.release_date), today, ahead)
        if problem is not None:
            raise DataEntryError(f"--release-date {entry.release_date} {problem}")
    elif row and not ahead and row["release_date"] and dt.date.fromisoformat(row["release_date"]) > today:
        raise DataEntryError(f"{entry.indicator} {entry.period} is released on {row['release_date']}, after today "
                             f"({today}): an actual or prior is entered once it is out (--release-date if it moved)")


def add_release_value(root: Path, entry: Entry, today: dt.date | None = None) -> str:
    """Write the entry into data/releases.csv, all or nothing; return what was done, for the editor.
    `today` (for tests): the day dates are judged by, else today in the site's time zone."""
    today = today or site_today(root)
    data_dir = root / "data"
    with locked(data_dir):
        recover(data_dir)
        catalog = load_catalog(data_dir / "catalog.yaml")
        path = data_dir / catalog.releases_file
        load_releases(path, catalog)  # the file must be valid before anything is added to it
        rows = read_release_rows(path)
        before = snapshot(data_dir, [path.name])
    row = next((r for r in rows if (r["indicator"], r["period"]) == (entry.indicator, entry.period)), None)
    _check(entry, catalog, row, today)
    note = "; ".join(f"{name}: {entry.source}" for name in entry.values)
    if row is None:
        units = [r["unit"] for r in rows if r["indicator"] == entry.indicator]
        row = {"indicator": entry.indicator, "period": entry.period, "release_date": entry.release_date or "",
               "actual": "", "consensus": "", "prior": "",
               "unit": units[-1] if units else UNIT_TEXT[catalog.indicators[entry.indicator].unit], "source": note}
        rows.append(row)
        done = "added"
    else:
        row["source"] = f"{row['source']}; {note}" if row["source"] else note
        done = "updated"
    row.update(entry.values)
    if entry.release_date:
        row["release_date"] = entry.release_date
    text = csv_text(rows, RELEASE_COLUMNS)
    loads_as_built(text, path.name, lambda scratch: load_releases(scratch, catalog))
    commit(data_dir, {path.name: text}, expected=before)
    shown = ", ".join(f"{k} {v}" for k, v in entry.values.items())
    return f"{done} {entry.indicator} {entry.period}: {shown} (source: {entry.source}) in data/{path.name}"


def loads_as_built(text: str, name: str, read: Callable[[Path], T]) -> T:
    """Read the new text of data file `name` as a build reads it (with `read`, from a scratch folder),
    so that a change is committed only if it loads; what `read` returns."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / name
        path.write_text(text, encoding="utf-8", newline="")
        try:
            return read(path)
        except BuildFailed as exc:
            raise DataEntryError(f"the new {name} would not load: {exc.problems[0].message}") from exc
