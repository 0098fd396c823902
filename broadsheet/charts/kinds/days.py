"""The trading-day axis of the daily charts: one position per day a series of the chart traded.

A continuous date axis draws a straight line across every closed stretch (a weekend, the TWSE's
4/3–4/4 holidays: the -9.7% gap of 4/7 looked like a gentle slide) and puts ticks on days without
a close. Here the x positions are the chart's trading days in order (a Vega-Lite point scale on
the ISO dates), the ticks are chosen among them (each week's or month's first trading day, or
every day of a short range), and the labels are Babel's in the chart's language (4/9, Apr 9).
A series that does not trade on a day another series of the chart trades has no value there
(kinds.common.long_rows writes null), so its line breaks instead of crossing the closed day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Hashable

import altair as alt
from babel.dates import format_skeleton

from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import Layout

# thinning steps tried in order: each week's first trading day (every one, every other), then each
# month's (every 1, 2, 3, 6), then each year's: the first that fits `Layout.ticks` is used
WEEK_STEPS, MONTH_STEPS, YEAR_STEPS = (1, 2), (1, 2, 3, 6), (1, 2, 5, 10)


def day_label(day: dt.date, loc: ChartLocale) -> str:
    """A day on a chart in its language: 4/9 (zh-Hant), Apr 9 (English), from Babel's skeletons."""
    return format_skeleton(loc.style["day_skeleton"], day, locale=loc.babel)


def day_tooltip(day: dt.date, loc: ChartLocale) -> str:
    """A day in a chart's tooltip, with its year: 2025/4/9, Apr 9, 2025."""
    return format_skeleton(loc.style["tooltip_day"], day, locale=loc.babel)


def _firsts(days: list[dt.date], group: Callable[[dt.date], Hashable]) -> list[dt.date]:
    """The first day of each group (week, month, year) among `days`, in order."""
    seen: set[Hashable] = set()
    found = []
    for day in days:
        if group(day) not in seen:
            seen.add(group(day))
            found.append(day)
    return found


def tick_days(days: list[dt.date], ticks: int) -> list[dt.date]:
    """At most `ticks` + 1 of the chart's trading days to label: every day of a short range, else
    the first trading day of every week, month or year (thinned to fit), never a closed day."""
    fits = ticks + 1
    if len(days) <= fits:
        return list(days)
    if len(days[::2]) <= fits:
        return days[::2]
    weeks = _firsts(days, lambda d: d.isocalendar()[:2])
    months = _firsts(days, lambda d: (d.year, d.month))
    years = _firsts(days, lambda d: d.year)
    for firsts, steps in ((weeks, WEEK_STEPS), (months, MONTH_STEPS), (years, YEAR_STEPS)):
        for step in steps:
            if len(firsts[::step]) <= fits:
                return firsts[::step]
    step = -(-len(years) // fits)
    return years[::step]


def day_axis(days: list[dt.date], loc: ChartLocale, layout: Layout) -> alt.X:
    """The x encoding of a daily chart: a point per trading day (the field `date`, ISO), ticks and
    labels on trading days only."""
    domain = [d.isoformat() for d in days]
    ticks = tick_days(days, layout.ticks)
    values = [d.isoformat() for d in ticks]
    labels = [day_label(d, loc) for d in ticks]
    # the label of each tick looked up by its date (JSON literals are valid Vega expressions)
    label_expr = f"{json.dumps(labels, ensure_ascii=False)}[indexof({json.dumps(values)}, datum.value)]"
    return alt.X("date:O", title=None, scale=alt.Scale(type="point", domain=domain, padding=0.3),
                 axis=alt.Axis(values=values, labelExpr=label_expr, labelAngle=0, labelOverlap=True, grid=False))
