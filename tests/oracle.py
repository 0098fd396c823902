"""An independent reference for every figure function: what each should print, worked out the
plain way, to compare with broadsheet/figures (tests/test_oracle.py).

It shares no code with broadsheet: it reads data/markets.csv, data/releases.csv and
data/catalog.yaml itself (csv and yaml), takes the NYSE's trading days from exchange_calendars
and the US bond market's two closes from their rule (the second Monday of October; 11 November
on a weekday, the Monday after when it is a Sunday), and does its arithmetic in Decimal on the
numbers as written in the CSV, so no float ever rounds. Its printing is Python's own format
(both editions print 5,456.90, -9.1% and 33; Chinese spells a payroll count in 萬 and a day as
"4 月 9 日").

The one rule it shares with the figures is the editor's: round half away from zero, after
clearing anything below 1e-10 (a value that close to a half is taken as on it).

Each method returns the printed text, or raises NoFigure where the figure must be an error
(a closed day without closed="previous", a gap, a move in the wrong direction, a bad option).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import exchange_calendars
import yaml

HUNDRED = Decimal(100)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


class NoFigure(Exception):
    """The figure function must fail here (with a located error), not print a number."""


def _bond_closes(year: int) -> set[dt.date]:
    mondays = [week[calendar.MONDAY] for week in calendar.monthcalendar(year, 10) if week[calendar.MONDAY]]
    closes = {dt.date(year, 10, mondays[1])}
    veterans = dt.date(year, 11, 11)
    if veterans.weekday() < 5:
        closes.add(veterans)
    elif veterans.weekday() == 6:
        closes.add(dt.date(year, 11, 12))
    return closes


class Oracle:
    """The data of data/ as Decimals, and each figure function worked out from it."""

    def __init__(self, data_dir: Path, locale: str):
        self.zh = locale.startswith("zh")
        catalog = yaml.safe_load((data_dir / "catalog.yaml").read_text(encoding="utf-8"))
        self.units = {sid: info["unit"] for sid, info in catalog["series"].items()}
        self.calendars = {sid: info.get("calendar") for sid, info in catalog["series"].items()}
        self.indicator_units = {iid: info["unit"] for iid, info in catalog["releases"].items()}
        self.closes: dict[str, dict[dt.date, Decimal]] = {sid: {} for sid in self.units}
        with (data_dir / "markets.csv").open(encoding="utf-8", newline="") as fp:
            for row in csv.DictReader(fp):
                self.closes[row["series"]][dt.date.fromisoformat(row["date"])] = Decimal(row["value"])
        self.releases: dict[tuple[str, str], dict[str, Decimal | None]] = {}
        with (data_dir / "releases.csv").open(encoding="utf-8", newline="") as fp:
            for row in csv.DictReader(fp):
                self.releases[(row["indicator"], row["period"])] = {
                    f: Decimal(row[f]) if row[f].strip() else None for f in ("actual", "consensus", "prior")}
        nyse = exchange_calendars.get_calendar("XNYS", start="2010-01-01")
        self.nyse = {stamp.date() for stamp in nyse.sessions}
        self.bond_closed = {day for year in range(2010, 2031) for day in _bond_closes(year)}

    # --- which close a figure reads --------------------------------------------------------------
    def _trades(self, series: str, day: dt.date) -> bool:
        code = self.calendars[series]
        if code == "XNYS":
            return day in self.nyse
        if code == "XNYS&USBOND":
            return day in self.nyse and day not in self.bond_closed
        raise NotImplementedError(code)

    def _before(self, series: str, day: dt.date) -> dt.date:
        """The last trading day before `day`."""
        day -= dt.timedelta(days=1)
        while not self._trades(series, day):
            day -= dt.timedelta(days=1)
        return day

    def _row(self, series: str, day: dt.date) -> Decimal:
        if series not in self.closes:
            raise NoFigure(f"unknown series {series}")
        if day not in self.closes[series]:
            raise NoFigure(f"{series} has no close on {day}")
        return self.closes[series][day]

    def _close(self, series: str, date: str, closed: str) -> tuple[dt.date, Decimal]:
        if series not in self.closes:
            raise NoFigure(f"unknown series {series}")
        day = dt.date.fromisoformat(date)
        if not self._trades(series, day):
            if closed != "previous":
                raise NoFigure(f"{series} does not trade on {day}")
            day = self._before(series, day)
        return day, self._row(series, day)

    def _day_before(self, series: str, date: str, closed: str) -> tuple[Decimal, Decimal]:
        """(previous close, close) of a day's change; a closed day has no change of its own."""
        day, value = self._close(series, date, closed)
        if day != dt.date.fromisoformat(date):
            raise NoFigure(f"{date} is not a trading day of {series}: it has no change")
        return self._row(series, self._before(series, day)), value

    def _week_before(self, series: str, date: str, closed: str) -> tuple[Decimal, Decimal]:
        day, value = self._close(series, date, closed)
        monday = day - dt.timedelta(days=day.weekday())
        return self._row(series, self._before(series, monday)), value

    # --- arithmetic and printing ----------------------------------------------------------------
    @staticmethod
    def _check(digits: object, rounding: object, move: object = None, closed: object = "error",
               sign: object = False) -> None:
        if type(digits) is not int or not 0 <= digits <= 6:
            raise NoFigure(f"digits {digits!r}")
        if rounding not in ("half-up", "down") or move not in (None, "up", "down"):
            raise NoFigure(f"rounding {rounding!r}, move {move!r}")
        if closed not in ("error", "previous") or type(sign) is not bool or (sign and move is not None):
            raise NoFigure(f"closed {closed!r}, sign {sign!r}, move {move!r}")

    @staticmethod
    def _round(value: Decimal, digits: int, rounding: str = "half-up") -> Decimal:
        cleared = value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)
        return cleared.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP if rounding == "half-up"
                                else ROUND_DOWN)

    @staticmethod
    def _text(rounded: Decimal, digits: int, grouping: bool = True) -> str:
        body = format(abs(rounded), f"{',' if grouping else ''}.{digits}f")
        return ("-" if rounded < 0 else "") + body

    def _change(self, change: Decimal, digits: int, rounding: str, move: str | None, sign: bool,
                percent: bool) -> str:
        if (move == "up" and change < 0) or (move == "down" and change > 0):
            raise NoFigure(f"moved {move}, but the change is {change}")
        if move is not None:
            change = abs(change)
        rounded = self._round(change, digits, rounding)
        text = self._text(rounded, digits) + ("%" if percent else "")
        return "+" + text if sign and rounded > 0 else text

    @staticmethod
    def _pct(start: Decimal, end: Decimal) -> Decimal:
        if start == 0:
            raise NoFigure("a percent change from zero")
        with localcontext() as ctx:
            ctx.prec = 60
            return (end / start - 1) * HUNDRED

    def _yields(self, *series: str) -> None:
        for sid in series:
            if sid in self.units and self.units[sid] != "percent":
                raise NoFigure(f"{sid} is not a yield")

    def _value(self, series: str, value: Decimal, digits: int, rounding: str, grouping: bool) -> str:
        rounded = self._round(value, digits, rounding)
        if self.units[series] == "percent":
            return self._text(rounded, digits) + "%"
        return self._text(rounded, digits, grouping)

    # --- the figure functions ---------------------------------------------------------------------
    def level(self, series: str, date: str, digits: int = 2, rounding: str = "half-up", grouping: bool = True,
              closed: str = "error") -> str:
        self._check(digits, rounding, None, closed)
        return self._value(series, self._close(series, date, closed)[1], digits, rounding, grouping)

    def pct(self, series: str, start: str, end: str, digits: int = 1, rounding: str = "half-up",
            move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        self._check(digits, rounding, move, closed, sign)
        change = self._pct(self._close(series, start, closed)[1], self._close(series, end, closed)[1])
        return self._change(change, digits, rounding, move, sign, percent=True)

    def day_pct(self, series: str, date: str, digits: int = 1, rounding: str = "half-up",
                move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        self._check(digits, rounding, move, closed, sign)
        return self._change(self._pct(*self._day_before(series, date, closed)), digits, rounding, move, sign, True)

    def week_pct(self, series: str, week_ending: str, digits: int = 1, rounding: str = "half-up",
                 move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        self._check(digits, rounding, move, closed, sign)
        change = self._pct(*self._week_before(series, week_ending, closed))
        return self._change(change, digits, rounding, move, sign, True)

    def points(self, series: str, start: str, end: str, digits: int = 2, rounding: str = "half-up",
               move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        self._check(digits, rounding, move, closed, sign)
        change = self._close(series, end, closed)[1] - self._close(series, start, closed)[1]
        return self._change(change, digits, rounding, move, sign, percent=False)

    def day_points(self, series: str, date: str, digits: int = 2, rounding: str = "half-up",
                   move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        self._check(digits, rounding, move, closed, sign)
        before, value = self._day_before(series, date, closed)
        return self._change(value - before, digits, rounding, move, sign, percent=False)

    def bp(self, series: str, start: str, end: str, move: str | None = None, closed: str = "error",
           sign: bool = False) -> str:
        self._check(0, "half-up", move, closed, sign)
        self._yields(series)
        change = (self._close(series, end, closed)[1] - self._close(series, start, closed)[1]) * HUNDRED
        return self._change(change, 0, "half-up", move, sign, percent=False)

    def spread(self, long: str, short: str, date: str, closed: str = "error", sign: bool = False) -> str:
        self._check(0, "half-up", None, closed, sign)
        self._yields(long, short)
        gap = (self._close(long, date, closed)[1] - self._close(short, date, closed)[1]) * HUNDRED
        return self._change(gap, 0, "half-up", None, sign, percent=False)

    def spread_change(self, long: str, short: str, start: str, end: str, move: str | None = None,
                      closed: str = "error", sign: bool = False) -> str:
        self._check(0, "half-up", move, closed, sign)
        self._yields(long, short)
        before = self._close(long, start, closed)[1] - self._close(short, start, closed)[1]
        after = self._close(long, end, closed)[1] - self._close(short, end, closed)[1]
        return self._change((after - before) * HUNDRED, 0, "half-up", move, sign, percent=False)

    def gap_pct(self, series_a: str, series_b: str, start: str, end: str, digits: int = 1,
                rounding: str = "half-up", move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        self._check(digits, rounding, move, closed, sign)
        changes = [self._pct(self._close(s, start, closed)[1], self._close(s, end, closed)[1])
                   for s in (series_a, series_b)]
        return self._change(changes[0] - changes[1], digits, rounding, move, sign, percent=False)

    def _range(self, series: str, start: str, end: str) -> list[tuple[dt.date, Decimal]]:
        if series not in self.closes:
            raise NoFigure(f"unknown series {series}")
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        trading = [day for day in days if self._trades(series, day)]
        if not trading:
            raise NoFigure(f"no trading day from {start} to {end}")
        return [(day, self._row(series, day)) for day in trading]

    def _extreme(self, series: str, start: str, end: str, lowest: bool) -> tuple[dt.date, Decimal]:
        closes = self._range(series, start, end)
        best = closes[0]
        for day, value in closes[1:]:  # the first of equal closes
            if (value < best[1]) if lowest else (value > best[1]):
                best = (day, value)
        return best

    def low(self, series: str, start: str, end: str, digits: int = 2, rounding: str = "half-up",
            grouping: bool = True) -> str:
        self._check(digits, rounding)
        return self._value(series, self._extreme(series, start, end, True)[1], digits, rounding, grouping)

    def high(self, series: str, start: str, end: str, digits: int = 2, rounding: str = "half-up",
             grouping: bool = True) -> str:
        self._check(digits, rounding)
        return self._value(series, self._extreme(series, start, end, False)[1], digits, rounding, grouping)

    def _day_month(self, day: dt.date) -> str:
        return f"{day.month} 月 {day.day} 日" if self.zh else f"{MONTHS[day.month - 1]} {day.day}"

    def low_date(self, series: str, start: str, end: str) -> str:
        return self._day_month(self._extreme(series, start, end, True)[0])

    def high_date(self, series: str, start: str, end: str) -> str:
        return self._day_month(self._extreme(series, start, end, False)[0])

    def release(self, indicator: str, period: str, field: str = "actual", digits: int | None = None) -> str:
        found = self.releases.get((indicator, period))
        if field not in ("actual", "consensus", "prior") or found is None or found[field] is None:
            raise NoFigure(f"no {field} of {indicator} {period}")
        places = 1 if digits is None else digits
        self._check(places, "half-up")
        value, unit = found[field], self.indicator_units[indicator]
        if unit == "thousands_persons":
            return self._persons(value)
        rounded = self._round(value, places)
        return self._text(rounded, places) + ("%" if unit == "percent" else "")

    def _persons(self, thousands: Decimal) -> str:
        count = self._round(thousands * 1000, 0)
        if not self.zh:
            return self._text(count, 0)
        if not 10_000 <= abs(count) < 100_000_000:
            raise NotImplementedError(f"a count of {count} in Chinese")  # the data has none
        wan = (count / 10_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        text = self._text(wan, 1, grouping=False)
        return text.removesuffix(".0") + "萬"
