"""The `moves` chart kind: bars of each day's (or week's) % change, one panel per series.

    rebound:
      kind: moves
      series: [SP500, NASDAQCOM, DJIA]
      start: 2025-04-07
      options: {step: week}         # optional: day (the default) or week; digits: 2 for "+9.52%"

Bars are coloured up/down in the language's convention (red is up in Taiwan). A week ends on
its last trading day (the Thursday before Good Friday), from the series' calendar. Each bar is a
trading day (or week) of its own series: in a chart of series on different calendars each panel
has its own days. The value written on each bar is formatted by Babel, rounded half-up to
`digits` decimals as the figure functions round, so it reads as the prose beside it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd
from babel.dates import format_date

from broadsheet.charts.built import Built, Table
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.kinds.common import row_header, series_label
from broadsheet.charts.kinds.days import day_label
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import LIGHT, WIDE, Layout
from broadsheet.core.i18n import quantize
from broadsheet.data import calendars
from broadsheet.figures.arithmetic import pct_changes

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore

PANEL_GAP = 14  # between panels, side by side or stacked


def changes(values: pd.Series, start: dt.date, end: dt.date, step: str) -> pd.Series:
    """Percent changes over each trading day (or calendar week) ending inside [start, end]."""
    if step == "week":  # each week ends on its last trading day (Thursday before Good Friday)
        values = calendars.weekly_closes(values)
    change = pct_changes(values)
    inside = (change.index >= pd.Timestamp(start)) & (change.index <= pd.Timestamp(end))
    return change[inside].dropna()


def period_label(day: dt.date, step: str, loc: ChartLocale) -> str:
    """A bar's x label: "Week to Apr 11" / "至 4/11 當週", or the day over its weekday ("Apr 9\\nWed")."""
    if step == "week":
        return loc.gettext("Week to %(date)s") % {"date": day_label(day, loc)}
    return day_label(day, loc) + "\n" + format_date(day, "EEE", locale=loc.babel)


def value_label(change: float, digits: int, loc: ChartLocale) -> str:
    """The change written on a bar: "+9.52%" (a rise signed, as figures print with sign=True)."""
    text = loc.fmt.percent(change * 100, digits)
    return "+" + text if quantize(change * 100, digits) > 0 else text


def move_rows(wide: pd.DataFrame, labels: list[str], step: str, loc: ChartLocale,
              digits: int = 1) -> tuple[list[dict[str, Any]], list[str]]:
    """One {period, series, value, move, label} row per bar, and the periods in order."""
    rise, fall = loc.gettext("Up"), loc.gettext("Down")
    values, order = [], []
    for day, row in zip(wide.index, wide.to_numpy(), strict=True):
        period = period_label(day.date(), step, loc)
        order.append(period)
        for label, value in zip(labels, row, strict=True):
            if not pd.isna(value):
                values.append({"period": period, "series": label, "value": round(float(value), 6),
                               "move": rise if value >= 0 else fall, "label": value_label(float(value), digits, loc)})
    return values, order


def move_layers(values: list[dict[str, Any]], order: list[str], step: str, loc: ChartLocale) -> alt.LayerChart:
    """The bars of one panel, each with its change written above (a rise) or below (a fall)."""
    _ = loc.gettext
    y_title = _("Daily change") if step == "day" else _("Weekly change")
    base = alt.Chart().encode(
        x=alt.X("period:N", sort=order, title=None,
                axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '\\n')", ticks=False,
                              labelPadding=6, domain=True)),
        # no y title: the panel headers sit where it would go, and the chart title says it
        y=alt.Y("value:Q", title=None, axis=alt.Axis(
            format="+.0%", tickCount=5,  # a sign on rises, none on zero
            labelExpr="datum.value > 0 ? datum.label : format(datum.value, '.0%')")),
    )
    bars = base.mark_bar(cornerRadius=1).encode(
        color=alt.Color("move:N", scale=alt.Scale(domain=[_("Up"), _("Down")],
                                                  range=[loc.style["rise"], loc.style["fall"]]),
                        legend=None),
        tooltip=[alt.Tooltip("series:N", title=_("Series")),
                 alt.Tooltip("period:N", title=_("Date")),
                 alt.Tooltip("value:Q", format="+.2%", title=y_title)])
    text = base.mark_text(fontSize=11, fontWeight="bold").encode(
        text=alt.Text("label:N"), color=alt.value(LIGHT["fg"]))  # Babel's text, rounded as the prose
    up = text.transform_filter("datum.value >= 0").mark_text(baseline="bottom", dy=-3, fontSize=11)
    down = text.transform_filter("datum.value < 0").mark_text(baseline="top", dy=3, fontSize=11)
    up, down = up.properties(name="value_up"), down.properties(name="value_down")  # site.css recolours them
    return alt.layer(bars, up, down, data=alt.Data(values=values))


def build_moves(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
                layout: Layout = WIDE) -> Built:
    """Bars of each day's (or week's) % change, one panel per series, coloured up/down."""
    labels = [series_label(store, s, loc) for s in decl.series]
    step = decl.options["step"]
    wide = pd.concat([changes(store.series(s), decl.start, decl.end, step) for s in decl.series], axis=1,
                     sort=True)  # the days of all series in order (series on other calendars differ)
    values, order = move_rows(wide, labels, step, loc, decl.options["digits"])
    layered = move_layers(values, order, step, loc)
    if layout.narrow:  # panels stacked, each as wide as the phone's column
        chart = layered.properties(width=layout.width, height=max(120, layout.height * 2 // 3)).facet(
            row=alt.Row("series:N", sort=labels, title=None, header=row_header()), spacing=PANEL_GAP)
    else:
        cell = max(120, (layout.width - PANEL_GAP * (len(labels) - 1)) // len(labels))
        header = alt.Header(labelFontSize=13, labelFontWeight="bold")
        chart = layered.properties(width=cell, height=layout.height).facet(
            column=alt.Column("series:N", sort=labels, title=None, header=header), spacing=PANEL_GAP)
    if len({store.calendar(s) for s in decl.series}) > 1:  # each panel on its own series' trading days
        chart = chart.resolve_scale(x="independent")
    table_rows = [[p.replace("\n", " ")] + ["" if pd.isna(v) else loc.fmt.percent(float(v) * 100, 2) for v in row]
                  for p, row in zip(order, wide.to_numpy(), strict=True)]
    return Built(chart, Table([loc.gettext("Date"), *labels], table_rows))
