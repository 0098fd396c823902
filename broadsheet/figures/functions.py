"""The figure functions that Markdown may call: data in, one formatted number out.

Each function computes from the DataStore and formats with the page's NumberFormatter, so the
same expression prints 22.8萬 on the Chinese page and 228,000 on the English one. Every call is
recorded (series, dates) so pages can say as of when their data runs and `check` can compare
editions.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from broadsheet.core.errors import FigureError, NoDataForDate
from broadsheet.core.i18n import ROUNDING, NumberFormatter, quantize
from broadsheet.core.suggest import did_you_mean
from broadsheet.data import calendars
from broadsheet.data.store import RELEASE_FIELDS, DataStore, parse_day
from broadsheet.figures.arithmetic import bp_change, pct_change, points_change, spread_bp
from broadsheet.figures.ranges import extreme, range_closes
from broadsheet.figures.uses import FigureUse

MOVES = ("up", "down")
CLOSED = ("error", "previous")  # what a figure does on a day the exchange was closed


# keywords editors reach for, and the one each function takes
KEYWORD_SYNONYMS = {"decimals": "digits", "decimal": "digits", "precision": "digits", "places": "digits",
                    "dp": "digits", "round": "rounding", "direction": "move", "signed": "sign", "kind": "field",
                    "value": "field", "thousands": "grouping", "separator": "grouping"}


def _argument_hint(error: str, func: Callable[..., Any]) -> str:
    """'did you mean digits=?' for an unknown keyword, else where the functions are described."""
    found = re.search(r"unexpected keyword argument '(\w+)'", error)
    if found:
        accepted = [p for p in inspect.signature(func).parameters if p != "self"]
        word = found.group(1)
        close = KEYWORD_SYNONYMS.get(word) if KEYWORD_SYNONYMS.get(word) in accepted else did_you_mean(word, accepted)
        listed = f"it takes {', '.join(accepted)}"
        return f"did you mean {close}=? {listed}" if close else listed
    return "see docs/writing.md for each function"


@dataclass
class FigureFunctions:
    """The functions exposed to one page's Markdown, bound to the data and the page's locale."""

    store: DataStore
    fmt: NumberFormatter
    uses: list[FigureUse] = field(default_factory=list)

    def namespace(self) -> dict[str, Callable[..., str]]:
        """Return the name → function mapping that figure expressions may call."""
        names = ("level", "pct", "day_pct", "week_pct", "points", "day_points", "bp", "spread", "spread_change",
                 "gap_pct", "low", "high", "low_date", "high_date", "release")
        return {name: self._guarded(name, getattr(self, name)) for name in names}

    def _guarded(self, name: str, func: Callable[..., str]) -> Callable[..., str]:
        def call(*args: Any, **kwargs: Any) -> str:
            try:
                return func(*args, **kwargs)
            except TypeError as exc:
                message = str(exc).replace(f"{func.__qualname__}()", f"{name}()")
                raise FigureError(f"wrong arguments: {message}", _argument_hint(str(exc), func)) from exc

        call.__name__ = name
        return call

    def _record(self, name: str, args: tuple, kwargs: dict, series: str, dates: tuple, text: str,
                values: tuple = (), span: tuple = ()) -> str:
        self.uses.append(FigureUse(name, args, tuple(sorted(kwargs.items())), series, dates, text,
                                   tuple(float(v) for v in values), span))
        return text

    # --- checks shared by the change functions -------------------------------------------
    @staticmethod
    def _options(digits: int, rounding: str, move: str | None, closed: str = "error", sign: bool = False) -> None:
        if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 6:
            raise FigureError(f"digits must be a whole number from 0 to 6, got {digits!r}")
        if rounding not in ROUNDING:
            raise FigureError(f"rounding must be one of {', '.join(ROUNDING)}, got {rounding!r}")
        if move is not None and move not in MOVES:
            raise FigureError(f'move must be "up" or "down", got {move!r}')
        if closed not in CLOSED:
            raise FigureError(f'closed must be "error" or "previous", got {closed!r}')
        if not isinstance(sign, bool):
            raise FigureError(f"sign must be True or False, got {sign!r}")
        if sign and move is not None:
            raise FigureError("sign=True and move= contradict each other",
                              "move prints the size for prose that says the direction; sign prints +/-")

    @staticmethod
    def _directed(change: float, move: str | None, what: str) -> float:
        """Apply `move`: the prose says the direction, so print the size; fail if it is wrong."""
        if move is None:
            return change
        if (move == "up" and change < 0) or (move == "down" and change > 0):
            actual = "fell" if change < 0 else "rose"
            raise FigureError(f'the text says {what} moved {move}, but the data says it {actual} ({change:+.4g})',
                              "fix the wording or the dates")
        return abs(change)

    @staticmethod
    def _signed(text: str, value: float, digits: int, rounding: str, sign: bool) -> str:
        """With sign=True a rise prints "+2.8%" (as the charts do); a fall keeps its minus, zero none."""
        if sign and quantize(value, digits, rounding) > 0:
            return "+" + text
        return text

    def _pct_text(self, start: float, end: float, digits: int, rounding: str, move: str | None, what: str,
                  sign: bool = False) -> str:
        change = self._directed(pct_change(start, end, what), move, what)
        return self._signed(self.fmt.percent(change, digits, rounding), change, digits, rounding, sign)

    def _points_text(self, change: float, digits: int, rounding: str, move: str | None, what: str,
                     sign: bool) -> str:
        change = self._directed(change, move, what)
        return self._signed(self.fmt.decimal(change, digits, rounding), change, digits, rounding, sign)

    def _value_text(self, series: str, value: float, digits: int, rounding: str, grouping: bool) -> str:
        """A close as `level` prints it: percent series with a % sign."""
        if self.store.catalog.series[series].unit == "percent":
            return self.fmt.percent(value, digits, rounding)
        return self.fmt.decimal(value, digits, rounding, grouping)

    def _own_change_day(self, name: str, series: str, date: str, closed: str) -> None:
        """A day's change belongs to a trading day: with closed="previous" a closed day would print
        the last trading day's change beside prose about the closed day, so it is refused, naming
        the expression that says what it would print."""
        if closed != "previous":
            return
        day, _ = self.store.close(series, date, closed)
        asked = parse_day(date)
        if day == asked:
            return
        code = self.store.calendar(series)
        why = (calendars.closed_message(code, asked) if code is not None and calendars.bounds(code)[0] <= asked
               <= calendars.bounds(code)[1] else f"{asked} ({calendars.WEEKDAYS[asked.weekday()]})")
        raise NoDataForDate(f'{series} has no change on {why}; the last trading day\'s change is '
                            f'{name}("{series}", "{day}")',
                            'closed="previous" takes the last close, not its change: write that day, '
                            'or quote the week with week_pct(…, closed="previous")')

    def _yield_series(self, name: str, *series: str) -> None:
        for sid in series:
            info = self.store.catalog.series.get(sid)
            if info is not None and info.unit != "percent":
                raise FigureError(f"{name}() needs yield series in percent; {sid} is not one")

    # --- the functions -------------------------------------------------------------------
    def level(self, series: str, date: str, digits: int = 2, rounding: str = "half-up",
              grouping: bool = True, closed: str = "error") -> str:
        """The close of `series` on `date` (percent series print with a % sign)."""
        self._options(digits, rounding, None, closed)
        day, value = self.store.close(series, date, closed=closed)
        text = self._value_text(series, value, digits, rounding, grouping)
        return self._record("level", (series, date), {"digits": digits}, series, (day,), text, (value,))

    def pct(self, series: str, start: str, end: str, digits: int = 1, rounding: str = "half-up",
            move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        """The % change of `series` from the close on `start` to the close on `end`."""
        self._options(digits, rounding, move, closed, sign)
        d0, v0 = self.store.close(series, start, closed)
        d1, v1 = self.store.close(series, end, closed)
        text = self._pct_text(v0, v1, digits, rounding, move, series, sign)
        return self._record("pct", (series, start, end), {"digits": digits}, series, (d0, d1), text, (v0, v1))

    def day_pct(self, series: str, date: str, digits: int = 1, rounding: str = "half-up",
                move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        """The % change of `series` on `date` from the previous trading day's close."""
        self._options(digits, rounding, move, closed, sign)
        self._own_change_day("day_pct", series, date, closed)
        d1, v1 = self.store.close(series, date, closed)
        d0, v0 = self.store.previous_close(series, date, closed)
        text = self._pct_text(v0, v1, digits, rounding, move, series, sign)
        return self._record("day_pct", (series, date), {"digits": digits}, series, (d0, d1), text, (v0, v1))

    def week_pct(self, series: str, week_ending: str, digits: int = 1, rounding: str = "half-up",
                 move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        """The % change over the week ending on `week_ending`, from the last close of the week before
        (a holiday-shortened week ends on its last trading day: closed="previous" on Good Friday)."""
        self._options(digits, rounding, move, closed, sign)
        d1, v1 = self.store.close(series, week_ending, closed)
        d0, v0 = self.store.week_start_close(series, week_ending, closed)
        text = self._pct_text(v0, v1, digits, rounding, move, series, sign)
        return self._record("week_pct", (series, week_ending), {"digits": digits}, series, (d0, d1), text,
                            (v0, v1))

    def points(self, series: str, start: str, end: str, digits: int = 2, rounding: str = "half-up",
               move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        """The change of `series` in points from `start` to `end`."""
        self._options(digits, rounding, move, closed, sign)
        d0, v0 = self.store.close(series, start, closed)
        d1, v1 = self.store.close(series, end, closed)
        text = self._points_text(points_change(v0, v1), digits, rounding, move, series, sign)
        return self._record("points", (series, start, end), {"digits": digits}, series, (d0, d1), text, (v0, v1))

    def day_points(self, series: str, date: str, digits: int = 2, rounding: str = "half-up",
                   move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        """The change of `series` in points on `date` from the previous trading day."""
        self._options(digits, rounding, move, closed, sign)
        self._own_change_day("day_points", series, date, closed)
        d1, v1 = self.store.close(series, date, closed)
        d0, v0 = self.store.previous_close(series, date, closed)
        text = self._points_text(points_change(v0, v1), digits, rounding, move, series, sign)
        return self._record("day_points", (series, date), {"digits": digits}, series, (d0, d1), text,
                            (v0, v1))

    def bp(self, series: str, start: str, end: str, move: str | None = None, closed: str = "error",
           sign: bool = False) -> str:
        """The change of a yield series in basis points from `start` to `end`."""
        self._options(0, "half-up", move, closed, sign)
        self._yield_series("bp", series)
        d0, v0 = self.store.close(series, start, closed)
        d1, v1 = self.store.close(series, end, closed)
        text = self._points_text(bp_change(v0, v1), 0, "half-up", move, series, sign)
        return self._record("bp", (series, start, end), {}, series, (d0, d1), text, (v0, v1))

    def spread(self, long: str, short: str, date: str, closed: str = "error", sign: bool = False) -> str:
        """The spread `long` − `short` of two yields on `date`, in basis points (the 2s10s: DGS10, DGS2)."""
        self._options(0, "half-up", None, closed, sign)
        self._yield_series("spread", long, short)
        d0, v0 = self.store.close(long, date, closed)
        d1, v1 = self.store.close(short, date, closed)
        text = self._points_text(spread_bp(v0, v1), 0, "half-up", None, long, sign)
        self._record("spread", (long, short, date), {}, short, (d1,), text, (v1,))  # it reads both series
        return self._record("spread", (long, short, date), {}, long, (d0,), text, (v0,))

    def spread_change(self, long: str, short: str, start: str, end: str, move: str | None = None,
                      closed: str = "error", sign: bool = False) -> str:
        """How the spread `long` − `short` changed from `start` to `end`, in basis points (steepening > 0)."""
        self._options(0, "half-up", move, closed, sign)
        self._yield_series("spread_change", long, short)
        days, values = [], []
        for sid in (long, short):
            for when in (start, end):
                day, value = self.store.close(sid, when, closed)
                days.append(day)
                values.append(value)
        change = ((values[1] - values[3]) - (values[0] - values[2])) * 100
        text = self._points_text(change, 0, "half-up", move, f"the {long}-{short} spread", sign)
        self._record("spread_change", (long, short, start, end), {}, short, (days[2], days[3]), text,
                     (values[2], values[3]))
        return self._record("spread_change", (long, short, start, end), {}, long, (days[0], days[1]), text,
                            (values[0], values[1]))

    def gap_pct(self, series_a: str, series_b: str, start: str, end: str, digits: int = 1,
                rounding: str = "half-up", move: str | None = None, closed: str = "error", sign: bool = False) -> str:
        """How many percentage points `series_a`'s % change from `start` to `end` beat (> 0) or trailed
        (< 0) `series_b`'s, from the unrounded changes."""
        self._options(digits, rounding, move, closed, sign)
        read = {}
        for sid in (series_a, series_b):
            read[sid] = (*self.store.close(sid, start, closed), *self.store.close(sid, end, closed))
        (a0, va0, a1, va1), (b0, vb0, b1, vb1) = read[series_a], read[series_b]
        gap = pct_change(va0, va1, series_a) - pct_change(vb0, vb1, series_b)
        text = self._points_text(gap, digits, rounding, move, f"{series_a} against {series_b}", sign)
        args = (series_a, series_b, start, end)
        self._record("gap_pct", args, {"digits": digits}, series_a, (a0, a1), text, (va0, va1))
        return self._record("gap_pct", args, {"digits": digits}, series_b, (b0, b1), text, (vb0, vb1))

    # --- a range of days: the lowest and highest close, and the day it was made -------------------
    def _extreme(self, name: str, series: str, start: str, end: str, lowest: bool, text_of: Callable[..., str],
                 kwargs: dict[str, Any]) -> str:
        closes = range_closes(self.store, series, start, end)
        day, value = extreme(closes, lowest)
        return self._record(name, (series, start, end), kwargs, series, (day,), text_of(day, value), (value,),
                            (closes[0][0], closes[-1][0]))

    def low(self, series: str, start: str, end: str, digits: int = 2, rounding: str = "half-up",
            grouping: bool = True) -> str:
        """The lowest close of `series` from `start` to `end` (both included), printed as `level` does."""
        self._options(digits, rounding, None)
        return self._extreme("low", series, start, end, True,
                             lambda _, v: self._value_text(series, v, digits, rounding, grouping), {"digits": digits})

    def high(self, series: str, start: str, end: str, digits: int = 2, rounding: str = "half-up",
             grouping: bool = True) -> str:
        """The highest close of `series` from `start` to `end` (both included), printed as `level` does."""
        self._options(digits, rounding, None)
        return self._extreme("high", series, start, end, False,
                             lambda _, v: self._value_text(series, v, digits, rounding, grouping), {"digits": digits})

    def low_date(self, series: str, start: str, end: str) -> str:
        """The day of the lowest close of `series` from `start` to `end`: 4 月 8 日 / April 8."""
        return self._extreme("low_date", series, start, end, True, lambda d, _: self.fmt.day_month(d), {})

    def high_date(self, series: str, start: str, end: str) -> str:
        """The day of the highest close of `series` from `start` to `end`: 4 月 9 日 / April 9."""
        return self._extreme("high_date", series, start, end, False, lambda d, _: self.fmt.day_month(d), {})

    # --- macro releases ------------------------------------------------------------------------
    def release(self, indicator: str, period: str, field: str = "actual", digits: int | None = None) -> str:
        """A field of a macro release (actual, consensus or prior), in the indicator's unit."""
        if field not in RELEASE_FIELDS:
            raise FigureError(f"field must be one of {', '.join(RELEASE_FIELDS)}, got {field!r}")
        found = self.store.release(indicator, period)
        value = getattr(found, field)
        if value is None:
            raise FigureError(f"{indicator} {period} has no {field} value in the data",
                              "data/releases.csv leaves it empty: quote it as a claim or add the real value")
        places = 1 if digits is None else digits
        self._options(places, "half-up", None)
        unit = self.store.catalog.indicators[indicator].unit
        if unit == "percent":
            text = self.fmt.percent(value, places)
        elif unit == "thousands_persons":
            text = self.fmt.thousands_persons(value)
        else:
            text = self.fmt.decimal(value, places)
        return self._record("release", (indicator, period), {"field": field, "digits": digits},
                            indicator, (found.release_date,), text, (value,))
