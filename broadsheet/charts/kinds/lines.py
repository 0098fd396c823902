"""The line chart of daily series that drawdown, rebased, yields and line share, and its interactive variant.

The one difference between a static and an interactive spec: line marks carry invisible points
(they hold the tooltips). spec.py builds the static spec and derives the interactive one with
`interactive_variant()`, so Altair runs half as often; tests check the two ways agree. Then
`nearest_values()` makes those points answer to the nearest pointer or tap (Vega-Lite's voronoi):
a value shows without hitting the 2 px line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt

from broadsheet.charts.kinds.days import day_axis, day_tooltip
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import LIGHT, SERIES_COLORS, WIDE, Layout

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


NEAREST = "nearest"  # the selection of the point nearest the pointer (one line unit a chart)
NEAREST_TEXT = "nearest_text"  # the field of the value's text: day, series, value


def nearest_values(spec: Any) -> Any:
    """An interactive spec with nearest-point values (a new dict): each line unit with the
    invisible points of `interactive_variant()` becomes a layer whose points are picked by the
    nearest one to the pointer (Vega-Lite's voronoi), on a pointer's move or a finger's tap; the
    picked point is ringed, a rule marks its day, and its day, series and value are written in the
    plot's top left corner (in place of the tooltip, which would cover them). A mouse that leaves
    clears it; a tap keeps it."""
    if isinstance(spec, list):
        return [nearest_values(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    mark = spec.get("mark")
    if not (isinstance(mark, dict) and mark.get("type") == "line" and mark.get("point") == POINT_OVERLAY):
        return {key: nearest_values(value) for key, value in spec.items()}
    encoding = dict(spec["encoding"])
    tooltip = encoding.pop("tooltip")
    value_format = next(t.get("format", "") for t in tooltip if t["field"] == "value")
    picked = {"filter": {"param": NEAREST, "empty": False}}
    text = f"datum.day + '  ' + datum.series + '  ' + format(datum.value, '{value_format}')"
    layers = [
        {"mark": {**mark, "point": False}, "encoding": encoding},
        {"name": "nearest_point",
         "params": [{"name": NEAREST, "select": {
             "type": "point", "nearest": True, "fields": ["date", "series"],
             "on": "pointermove, pointerdown", "clear": "pointerout[event.pointerType === 'mouse']"}}],
         "mark": {"type": "point", "filled": False, "size": 90, "strokeWidth": 2.5},
         "encoding": {**encoding,
                      "opacity": {"condition": {"param": NEAREST, "empty": False, "value": 1}, "value": 0}}},
        {"name": "nearest_rule", "transform": [picked],
         "mark": {"type": "rule", "color": LIGHT["muted"], "strokeDash": [3, 3], "strokeWidth": 1},
         "encoding": {"x": encoding["x"]}},
        *({"name": name, "transform": [picked, {"calculate": text, "as": NEAREST_TEXT}],
           "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 13, "fontWeight": "bold",
                    "color": LIGHT["fg"], "dx": 2, "dy": 2, **halo},
           "encoding": {"x": {"value": 0}, "y": {"value": 0}, "text": {"field": NEAREST_TEXT, "type": "nominal"}}}
          # the text over a halo of the background, so a line under it does not cross it out
          for name, halo in (("nearest_halo", {"stroke": LIGHT["bg"], "strokeWidth": 4, "strokeJoin": "round"}),
                             ("nearest_label", {}))),
    ]
    return {**{key: value for key, value in spec.items() if key not in ("mark", "encoding")}, "layer": layers}


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
