"""The `curve` chart kind: the Treasury yield curve (maturity → yield) on two or three dates.

    curve-week:
      kind: curve
      series: [DGS2, DGS10, DGS20, DGS30]   # the maturities, shortest first
      start: 2025-04-04                      # the first curve
      end: 2025-04-11                        # the last curve
      options: {also: 2025-04-08}            # optional: a third date between them

Each date must be a trading day of the series' calendar (a holiday fails the build with the
reason, as a figure does). The x axis lists the maturities in the order given. The `also`
option is checked by options.also_date, which the declarations read without pandas.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import altair as alt

from broadsheet.charts.built import Built, Table
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.kinds.common import series_label
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import WIDE, Layout

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore

CURVE_COLORS = ("#9aa5b1", "#e07b24", "#2f72c4")  # the earliest date muted, the last one strongest


def curve_dates(decl: ChartDecl) -> list[dt.date]:
    """The dates the curve is drawn on: start, the optional `also`, end."""
    also = decl.options.get("also")
    return sorted({decl.start, decl.end, *([also] if also else [])})


def build_curve(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
                layout: Layout = WIDE) -> Built:
    """Lines of yield by maturity, one per date; the table has a row per maturity."""
    labels = [series_label(store, s, loc) for s in decl.series]
    days = curve_dates(decl)
    names = [loc.fmt.short_date(d) for d in days]
    values, rows = [], []
    for sid, label in zip(decl.series, labels, strict=True):
        row = [label]
        for day, name in zip(days, names, strict=True):
            _, value = store.close(sid, day.isoformat())
            values.append({"maturity": label, "date": name, "value": round(value / 100, 6)})
            row.append(loc.fmt.percent(value, 2))
        rows.append(row)
    colors = list(CURVE_COLORS[-len(days):])
    key = alt.Legend(orient="top", direction="horizontal", symbolType="stroke", symbolStrokeWidth=3, title=None)
    chart = alt.Chart(alt.Data(values=values)).mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=40)).encode(
        x=alt.X("maturity:N", sort=labels, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False, nice=True, padding=6),
                axis=alt.Axis(format=".1%")),
        color=alt.Color("date:N", sort=names, scale=alt.Scale(domain=names, range=colors), legend=key),
        tooltip=[alt.Tooltip("date:N", title=loc.gettext("Date")),
                 alt.Tooltip("maturity:N", title=loc.gettext("Series")),
                 alt.Tooltip("value:Q", format=".2%", title=loc.gettext("Yield"))],
    ).properties(width=layout.width, height=layout.height)
    return Built(chart, Table([loc.gettext("Series"), *names], rows))
