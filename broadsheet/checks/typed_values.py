"""The value lint of `check`: a number typed anywhere in an issue's prose that the data gives.

typed_numbers.py judges the numbers typed beside a series' name. This module reads every number of
the prose (typed_number_claims.prose_lines, with the series' names masked, so the 500 of S&P 500 is
not one) and of the chart texts (claims_direction.chart_text_lines), and looks it up among the
values the data gives inside the issue's window: every close of every series in the issue's week
and the week before, each week's lowest and highest close among them, and (beside a movement word)
each day's change and the week's change to it. A number that equals one at the precision it was
typed with (17,391.76 the close itself; 5,457 the close of 5,456.90 rounded to no decimals, as
`level(…, digits=0)` prints it) is a warning that names the value and the figure expression that
prints it, whether or not a name is near it.

What is left alone: a number the typed-number check already reported (beside a name), reviewed
lines, years, dates, counts, pages, bounds and thresholds (typed_number_claims.quantity), and a
number of fewer than three significant digits (5%, 17,000, 4.6%): too coarse to say which value
it is, it matches some close of a dozen series by chance (a change needs three with the day named,
four without). Its unit decides what it is compared with: a % with the closes of percent series
(yields) or the % changes of the others, 點/points with indices, 美元/$ with prices, a bare number
with both. docs/writing.md ("Numbers a reader can trust") explains it to editors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from broadsheet.checks.claims_direction import chart_text_lines
from broadsheet.checks.prose_words import NUMBER_RE, THRESHOLD_CLAUSE_RE
from broadsheet.checks.typed_number_claims import (
    CLAUSE_RE,
    MAX_NUMBERS,
    SENTENCE_RE,
    NameIndex,
    has_move_word,
    named_day,
    prose_lines,
    quantity,
    typed_decimals,
)
from broadsheet.checks.typed_numbers import Judged
from broadsheet.content.issues import Page
from broadsheet.core.errors import SourceError
from broadsheet.core.i18n import quantize
from broadsheet.data.store import DataStore
from broadsheet.figures.arithmetic import pct_change

DIGIT_RE = re.compile(r"\d")
MIN_SIGNIFICANT = 3  # 17,391.76 and 99.57 are read; 5%, 4.6% and 17,000 are not
# a change is read beside a movement word: with the day named, at 3 significant digits (9.52% on 4/9:
# ~30 changes that day, 1 in 30 of such numbers matches one by chance); else at 4 (1,857 points)
MIN_SIGNIFICANT_CHANGE = (3, 4)
MAX_DECIMALS = 4  # a number typed with more decimals is compared with nothing
# what a typed unit may be the close of (a series' catalog unit)
UNIT_KINDS = {"%": ("percent",), "％": ("percent",), "percent": ("percent",), "點": ("index",),
              "points": ("index",), "point": ("index",), "pts": ("index",), "pt": ("index",),
              "美元": ("usd",), "dollars": ("usd",), "dollar": ("usd",), "": ("index", "usd")}
# what a typed unit beside a movement word may be the change of: pct (% of an index or price), points
# (of an index), dollars (of a price), pp (percentage points of a yield), bp (basis points of a yield)
CHANGE_KINDS = {"%": ("pct",), "％": ("pct",), "percent": ("pct",), "點": ("points",), "points": ("points",),
                "point": ("points",), "pts": ("points",), "pt": ("points",), "美元": ("dollars",),
                "dollars": ("dollars",), "dollar": ("dollars",), "": ("points", "dollars"), "個百分點": ("pp",),
                "percentage points": ("pp",), "percentage point": ("pp",), "bp": ("bp",), "bps": ("bp",),
                "basis points": ("bp",), "basis point": ("bp",), "基點": ("bp",), "個基點": ("bp",)}


@dataclass(frozen=True)
class Quantity:
    """A number typed in prose that reads as a quantity, whether or not a name is beside it."""

    line: int
    text: str  # as typed, with its unit: 17,391.76 點
    number: str  # its digits as a plain decimal: 17391.76
    unit: str
    decimals: int
    significant: int  # its significant digits: 17,391.76 has 7, 17,000 has 2, 0.25 has 2
    moved: bool = False  # a movement word is in its sentence (漲, fell): it may be a change
    day: dt.date | None = None  # the day its sentence names (4/9, April 9)


@dataclass
class Quantities:
    """The quantities of a page, and the line where the search stopped after MAX_NUMBERS numbers."""

    found: list[Quantity]
    stopped_at: int | None = None


@dataclass(frozen=True)
class DataValue:
    """A value the data gives, as the warning names it and the figure expression that prints it."""

    label: str  # TAIEX's low of the week (2025-04-09)
    figure: str  # low("TAIEX", "2025-04-07", "2025-04-11")
    also: str = ""  # the same close as a level: level("TAIEX", "2025-04-09")


def significant_digits(num: str) -> int:
    """The significant digits of a number as typed: 17,391.76 → 7, 17,000 → 2, 0.25 → 2, 4.60 → 3."""
    whole, _, fraction = num.replace(",", "").partition(".")
    return len((whole + fraction).lstrip("0")) if fraction else len(whole.strip("0"))


def find_quantities(page: Page, names: NameIndex) -> Quantities:
    """Every number of a page's prose that reads as a quantity (not a year, date, count, page, bound
    or threshold), outside reviewed lines, with the series' names masked."""
    lines = ((line, text) for line, text, reviewed, _ in prose_lines(page) if not reviewed)
    return quantities_in(lines, names, page.meta.date)


def quantities_in(lines: Iterable[tuple[int, str]], names: NameIndex, issue_date: dt.date) -> Quantities:
    """The quantities of texts given as (line, text, figures masked): a page's prose, a chart's texts."""
    found = Quantities([])
    numbers = 0
    for line, text in lines:
        for sentence in SENTENCE_RE.split(text):
            masked = names.find(sentence)[0] if DIGIT_RE.search(sentence) else ""  # no number: nothing to read
            day = named_day(masked, issue_date)
            moved = has_move_word(masked)  # 分別上漲 7.87%、9.52%: the word may be a clause before
            for clause in CLAUSE_RE.split(masked):
                if THRESHOLD_CLAUSE_RE.search(clause):  # 一度, intraday: the data holds closes
                    continue
                for m in NUMBER_RE.finditer(clause):
                    if numbers == MAX_NUMBERS:  # an absurd page: what was not read is not vouched for
                        found.stopped_at = line
                        return found
                    numbers += 1
                    read = quantity(m, clause)
                    if read is not None:
                        plain = ("-" if read[1] < 0 else "") + m.group("num").replace(",", "")
                        found.found.append(Quantity(line, m.group().strip(), plain, read[0], typed_decimals(m),
                                                    significant_digits(m.group("num")), moved, day))
    return found


# --- the values of the data inside the window ------------------------------------------------
def issue_window(page: Page) -> tuple[dt.date, dt.date]:
    """The days an issue speaks of: its week and the week before, up to its date (or `as_of`)."""
    end = page.meta.as_of or page.meta.date
    return end - dt.timedelta(days=end.weekday() + 7), end


def _args(decimals: int, grouping: bool) -> str:
    """The keywords a figure needs to print a number as typed (level's defaults: 2 places, grouped)."""
    return (f", digits={decimals}" if decimals != 2 else "") + ("" if grouping else ", grouping=False")


def _week_values(sid: str, week: list[tuple[dt.date, float]], decimals: int, grouping: bool
                 ) -> list[tuple[float, DataValue]]:
    """Each close of a series' week in the window; its lowest and highest named so, with low()/high()."""
    args = _args(decimals, grouping)
    low = min(week, key=lambda row: row[1])  # the first of equal closes, as low() takes it
    high = max(week, key=lambda row: row[1])
    span = f'"{sid}", "{week[0][0]}", "{week[-1][0]}"'
    out: list[tuple[float, DataValue]] = []
    for day, close in week:
        level = f'level("{sid}", "{day}"{args})'
        extreme = "low" if (day, close) == low else "high" if (day, close) == high else None
        if extreme is None or len(week) == 1:
            out.append((close, DataValue(f"{sid}'s close on {day}", level)))
        else:
            out.append((close, DataValue(f"{sid}'s {extreme} of the week ({day})", f"{extreme}({span}{args})", level)))
    return out


def data_values(store: DataStore, start: dt.date, end: dt.date, decimals: int, grouping: bool = True
                ) -> dict[tuple[str, str], list[DataValue]]:
    """(kind, the value rounded to `decimals` as text) → the closes of every series from `start`
    to `end` that print so; kind is the series' catalog unit (index, usd, percent)."""
    weeks: dict[tuple[str, dt.date], list[tuple[dt.date, float]]] = defaultdict(list)
    for (day, sid), close in store.values.items():
        if start <= day <= end and sid in store.catalog.series:
            weeks[(sid, day - dt.timedelta(days=day.weekday()))].append((day, close))
    index: dict[tuple[str, str], list[DataValue]] = defaultdict(list)
    for (sid, _), week in sorted(weeks.items()):
        kind = store.catalog.series[sid].unit
        for close, value in _week_values(sid, sorted(week), decimals, grouping):
            index[(kind, str(quantize(close, decimals)))].append(value)
    return index


def _change_args(decimals: int, default: int, change: float) -> str:
    """The keywords of a change figure that prints its size as typed: digits, and move= for the
    direction the prose says in words."""
    move = ', move="up"' if change > 0 else ', move="down"' if change < 0 else ""
    return (f", digits={decimals}" if decimals != default else "") + move


def _series_changes(sid: str, unit: str, rows: list[tuple[dt.date, float]], start: dt.date, end: dt.date,
                    decimals: int) -> Iterable[tuple[str, float, dt.date, DataValue]]:
    """(kind, size, day, value) of each change of a series in the window: the day's change (in %
    and points, or a yield's in percentage points and basis points) and the week's change to it."""
    for n in range(1, len(rows)):
        (before, prev), (day, close) = rows[n - 1], rows[n]
        if not start <= day <= end or not prev:
            continue
        points = close - prev
        if unit == "percent":
            yield "pp", abs(points), day, DataValue(f"{sid}'s change on {day}",
                                                    f'day_points("{sid}", "{day}"{_change_args(decimals, 2, points)})')
            if decimals == 0:  # bp() prints whole basis points
                yield "bp", abs(points * 100), day, DataValue(f"{sid}'s change on {day} in basis points",
                                                              f'bp("{sid}", "{before}", "{day}"'
                                                              f'{_change_args(0, 0, points)})')
            continue
        pct = pct_change(prev, close, sid)
        yield "pct", abs(pct), day, DataValue(f"{sid}'s change on {day}",
                                              f'day_pct("{sid}", "{day}"{_change_args(decimals, 1, pct)})')
        yield ("points" if unit == "index" else "dollars"), abs(points), day, DataValue(
            f"{sid}'s change on {day}", f'day_points("{sid}", "{day}"{_change_args(decimals, 2, points)})')
        monday = day - dt.timedelta(days=day.weekday())
        week_before = [v for d, v in rows if d < monday]
        if week_before and week_before[-1]:
            week = pct_change(week_before[-1], close, sid)
            yield "pct", abs(week), day, DataValue(f"{sid}'s change in the week to {day}",
                                                   f'week_pct("{sid}", "{day}"{_change_args(decimals, 1, week)})')


def change_values(store: DataStore, start: dt.date, end: dt.date, decimals: int
                  ) -> dict[tuple[str, str], list[tuple[dt.date, DataValue]]]:
    """(kind, the size rounded to `decimals` as text) → (day, value) of the changes of every series
    in the window that print so (kinds: CHANGE_KINDS)."""
    rows: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    for (day, sid), close in store.values.items():
        if day <= end and sid in store.catalog.series:
            rows[sid].append((day, close))
    index: dict[tuple[str, str], list[tuple[dt.date, DataValue]]] = defaultdict(list)
    for sid, closes in sorted(rows.items()):
        closes.sort()
        recent = closes[max(0, _first_at(closes, start) - 10):]  # the window and the week before it
        for kind, size, day, value in _series_changes(sid, store.catalog.series[sid].unit, recent, start, end,
                                                      decimals):
            index[(kind, str(quantize(size, decimals)))].append((day, value))
    return index


def _first_at(rows: list[tuple[dt.date, float]], start: dt.date) -> int:
    return next((n for n, (day, _) in enumerate(rows) if day >= start), len(rows))


# --- the warnings --------------------------------------------------------------------------------
class _Lookup:
    """The values of the data in a window, indexed on first use per number of decimals typed."""

    def __init__(self, store: DataStore, start: dt.date, end: dt.date) -> None:
        self.store, self.start, self.end = store, start, end
        self._closes: dict[tuple[int, bool], dict[tuple[str, str], list[DataValue]]] = {}
        self._changes: dict[int, dict[tuple[str, str], list[tuple[dt.date, DataValue]]]] = {}

    def closes(self, q: Quantity) -> list[DataValue]:
        """The closes (and weeks' lows and highs) a number equals, in the series its unit may be."""
        kinds = ("usd",) if q.text.lstrip("+-−").startswith("$") else UNIT_KINDS.get(q.unit.lower(), ())
        grouping = "," in q.text or abs(float(q.number)) < 1000
        if (q.decimals, grouping) not in self._closes:
            self._closes[(q.decimals, grouping)] = data_values(self.store, self.start, self.end, q.decimals,
                                                               grouping)
        index = self._closes[(q.decimals, grouping)]
        return [v for kind in kinds for v in index.get((kind, q.number), [])]

    def changes(self, q: Quantity) -> list[DataValue]:
        """The changes a number beside a movement word equals: of the day its sentence names, else
        of any day of the window when it is typed precisely enough to tell."""
        if not q.moved or q.significant < MIN_SIGNIFICANT_CHANGE[q.day is None]:
            return []
        kinds = ("dollars",) if q.text.lstrip("+-−").startswith("$") else CHANGE_KINDS.get(q.unit.lower(), ())
        if q.decimals not in self._changes:
            self._changes[q.decimals] = change_values(self.store, self.start, self.end, q.decimals)
        index = self._changes[q.decimals]
        size = q.number.lstrip("-")
        return [v for kind in kinds for day, v in index.get((kind, size), []) if q.day in (None, day)]


def lint_values(page: Page, store: DataStore, judged: Judged, names: NameIndex | None = None
                ) -> list[SourceError]:
    """Warnings for numbers typed in prose that equal a value of the data inside the issue's window,
    but those the typed-number check already judged (`judged`, beside a name)."""
    reported = {(f.claim.line, f.claim.text) for findings in judged.by_line.values() for f in findings}
    quantities = find_quantities(page, names or NameIndex(store))
    return _warnings(page.src_path, quantities, store, issue_window(page), reported)


def lint_chart_values(path: Path, page: Page, store: DataStore, names: NameIndex | None = None
                      ) -> list[SourceError]:
    """The same warnings for the texts of an issue's charts.yaml (titles, notes, descriptions, in
    each language), in the window of the issue of `page` (any of its editions)."""
    lines = ((line, text) for line, _, text in chart_text_lines(path))
    quantities = quantities_in(lines, names or NameIndex(store), page.meta.date)
    return _warnings(path, quantities, store, issue_window(page), set())


def _warnings(path: Path, quantities: Quantities, store: DataStore, window: tuple[dt.date, dt.date],
              reported: set[tuple[int, str]]) -> list[SourceError]:
    lookup = _Lookup(store, *window)
    warnings: list[SourceError] = []
    seen: set[tuple[int, str]] = set()
    for q in quantities.found:
        where = (q.line, q.text)
        if where in reported or where in seen or q.significant < MIN_SIGNIFICANT or q.decimals > MAX_DECIMALS:
            continue
        matches = lookup.closes(q) + lookup.changes(q)
        if matches:
            seen.add(where)
            warnings.append(_warning(path, q, matches))
    if quantities.stopped_at is not None:
        warnings.append(SourceError(path, quantities.stopped_at,
                                    "too many numbers in the prose: the value check stopped at this line",
                                    "an issue types a few dozen; write the data's values as figure expressions"))
    return warnings


MAX_LISTED = 3  # values a warning names (a round yield can equal a dozen closes)


def _warning(path: Path, q: Quantity, matches: list[DataValue]) -> SourceError:
    listed = matches[:MAX_LISTED]
    more = f" (and {len(matches) - MAX_LISTED} more)" if len(matches) > MAX_LISTED else ""
    labels = " or ".join(v.label for v in listed) + more
    figures = " or ".join("{{ " + v.figure + " }}" + (" (or {{ " + v.also + " }})" if v.also else "")
                          for v in listed)
    return SourceError(path, q.line, f"{q.text} is {labels}: write {figures} so the number is computed",
                       "or mark a quotation with <!-- reviewed: why --> on the line before")
