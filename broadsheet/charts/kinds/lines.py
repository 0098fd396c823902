"""The line chart of daily series that drawdown, rebased, yields and line share, and its interactive variant.

The one difference between a static and an interactive spec: line marks carry invisible points
(they hold the tooltips). spec.py builds the static spec and derives the interactive one with
`interactive_variant()`, so Altair runs half as often; tests check the two ways agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt

from broadsheet.charts.kinds.days import day_axis, day_tooltip
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import SERIES_COLORS, WIDE, Layout

POINT_OVERLAY: dict[str, Any] = {"opacity": 0, "size": 80}


def interactive_variant(spec: Any) -> Any:
    """The interactive Vega-Lite spec of a static one (a new dict; the static one is not changed)."""
    if isinstance(spec, list):
        return [interactive_variant(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {key: interactive_variant(value) for key, value in spec.items()}
    mark = out.get("mark")
    if isinstance(mark, dict) and mark.get("type") == "line" and mark.get("point") is False:
        out["mark"] = {**mark, "point": dict(POINT_OVERLAY)}
    return out


def line_chart(values: list[dict[str, Any]], labels: list[str], loc: ChartLocale, y_title: str, y_format: str,
               tip_format: str, interactive: bool, zero: bool = False, legend: bool = True,
               layout: Layout = WIDE) -> alt.Chart:
    """Lines of {date, series, value} rows (kinds.common.long_rows), one colour a series, in `labels` order,
    over the chart's trading days (kinds.days).

    `y_title` names the value in the tooltip; `y_format` formats the axis, `tip_format` the tooltip.
    """
    # the chart's trading days, not a continuous time: no line across a closed stretch (days.py)
    days = sorted({dt.date.fromisoformat(row["date"]) for row in values})
    x = day_axis(days, loc, layout)
    # the tooltip's day as text: a temporal field would make Vega-Lite parse `date` into times,
    # which the point scale's ISO domain would no longer match
    tips = {day.isoformat(): day_tooltip(day, loc) for day in days}
    values = [{**row, "day": tips[row["date"]]} for row in values]
    # no axis title: it would collide with the legend; the caption's note says what y is
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=zero, nice=True, padding=6),
              axis=alt.Axis(format=y_format))
    key = alt.Legend(orient="top", direction="horizontal", symbolType="stroke", symbolStrokeWidth=3,
                     columns=3 if layout.narrow else alt.Undefined)
    color = alt.Color("series:N", sort=labels, title=None,
                      scale=alt.Scale(domain=labels, range=list(SERIES_COLORS[: len(labels)])),
                      legend=key if legend and len(labels) > 1 else None)
    tooltip = [alt.Tooltip("day:N", title=loc.gettext("Date")),
               alt.Tooltip("series:N", title=loc.gettext("Series")),
               alt.Tooltip("value:Q", format=tip_format, title=y_title)]
    # invisible points only in the interactive version: they carry the tooltips
    point = alt.OverlayMarkDef(**POINT_OVERLAY) if interactive else False
    # a null value (a day this series did not trade but another did) breaks the line there
    return alt.Chart(alt.Data(values=values)).mark_line(strokeWidth=2, point=point,
                                                        invalid="break-paths-filter-domains").encode(
        x=x, y=y, color=color, tooltip=tooltip).properties(width=layout.width, height=layout.height)
