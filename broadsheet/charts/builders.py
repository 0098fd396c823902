"""One Altair builder per chart kind: data in, a Vega-Lite chart and its data table out.

Builders are pure. Each is called per language and per layout (wide, narrow) and per mode
(static, interactive with tooltips); spec.py turns their output into Vega-Lite dicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel.dates import format_date, format_skeleton

from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import LIGHT, REFERENCE_COLOR, SERIES_COLORS, WIDE, Layout
from broadsheet.data import calendars
from broadsheet.figures.arithmetic import pct_changes

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore


# --- data helpers ----------------------------------------------------------------------------
def window(store: DataStore, sid: str, start: dt.date, end: dt.date) -> pd.Series:
    values = store.series(sid)
    return values[(values.index >= pd.Timestamp(start)) & (values.index <= pd.Timestamp(end))]


def periods(store: DataStore, iid: str, start: dt.date, end: dt.date) -> list[str]:
    first, last = f"{start:%Y-%m}", f"{end:%Y-%m}"
    return sorted(p for (i, p) in store.releases if i == iid and first <= p <= last)


def _label(store: DataStore, sid: str, loc: ChartLocale) -> str:
    if sid in store.catalog.series:
        return store.catalog.series[sid].short.get(loc.code, sid)
    return store.catalog.indicators[sid].name.get(loc.code, sid)


def chart_sources(store: DataStore, decl: ChartDecl, lang: str) -> list[str]:
    names: list[str] = []
    for sid in decl.series:
        found = store.catalog.source_of(sid, lang)
        if found is not None and found[0] not in names:
            names.append(found[0])
    return names


@dataclass
class Table:
    """The numbers behind a chart, formatted for the page's language."""

    columns: list[str]
    rows: list[list[str]]


@dataclass
class Built:
    """What a builder returns: the Altair chart, its data table and an optional key note."""

    chart: Any  # an altair TopLevelMixin
    table: Table
    note: str = ""


def _day_table(wide: pd.DataFrame, labels: list[str], loc: ChartLocale,
               cell: Callable[[float], str]) -> Table:
    rows = [[loc.fmt.short_date(day.date())] + ["" if pd.isna(v) else cell(float(v)) for v in row]
            for day, row in zip(wide.index, wide.to_numpy(), strict=True)]
    return Table([loc.gettext("Date"), *labels], rows)


def _long(wide: pd.DataFrame, labels: list[str]) -> list[dict[str, Any]]:
    """Tidy rows for Vega-Lite: one {date, series, value} per point (values rounded)."""
    rows = []
    for day, row in zip(wide.index, wide.to_numpy(), strict=True):
        for label, value in zip(labels, row, strict=True):
            if not pd.isna(value):
                rows.append({"date": f"{day:%Y-%m-%d}", "series": label,
                             "value": round(float(value), 6)})
    return rows


# --- builders (one per kind) -------------------------------------------------------------------
# The one difference between a static and an interactive spec: line marks carry invisible points
# (they hold the tooltips). spec.py builds the static spec and derives the interactive one with
# interactive_variant(), so Altair runs half as often; tests check the two ways agree.
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


def _line_chart(values: list[dict[str, Any]], labels: list[str], loc: ChartLocale, y_title: str,
                y_format: str, tip_format: str, interactive: bool, zero: bool = False,
                legend: bool = True, layout: Layout = WIDE) -> Any:
    import altair as alt

    x = alt.X("date:T", timeUnit="utcyearmonthdate", title=None,
              axis=alt.Axis(format=loc.style["day"], labelOverlap=True, tickCount=layout.ticks,
                                       grid=False))
    # no axis title: it would collide with the legend; the caption's note says what y is
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=zero, nice=True, padding=6),
              axis=alt.Axis(format=y_format))
    key = alt.Legend(orient="top", direction="horizontal", symbolType="stroke", symbolStrokeWidth=3,
                     columns=3 if layout.narrow else alt.Undefined)
    color = alt.Color("series:N", sort=labels, title=None,
                      scale=alt.Scale(domain=labels, range=list(SERIES_COLORS[: len(labels)])),
                      legend=key if legend and len(labels) > 1 else None)
    tooltip = [alt.Tooltip("date:T", timeUnit="utcyearmonthdate", format=loc.style["tooltip_day"],
                           title=loc.gettext("Date")),
               alt.Tooltip("series:N", title=loc.gettext("Series")),
               alt.Tooltip("value:Q", format=tip_format, title=y_title)]
    # invisible points only in the interactive version: they carry the tooltips
    point = alt.OverlayMarkDef(**POINT_OVERLAY) if interactive else False
    return alt.Chart(alt.Data(values=values)).mark_line(strokeWidth=2, point=point).encode(
        x=x, y=y, color=color, tooltip=tooltip).properties(width=layout.width, height=layout.height)


def build_drawdown(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Each series as % below its highest close since `start` (optional threshold line)."""
    import altair as alt

    labels = [_label(store, s, loc) for s in decl.series]
    frames = [window(store, s, decl.start, decl.end) for s in decl.series]
    wide = pd.concat([f / f.cummax() - 1 for f in frames], axis=1)
    chart = _line_chart(_long(wide, labels), labels, loc, loc.gettext("Below the high"), ".0%",
                        ".1%", interactive, zero=True, layout=layout)
    threshold = decl.options["threshold"]
    if threshold is not None:
        text = loc.gettext("Bear market") + " " + loc.fmt.percent(threshold, 0)
        rule = alt.Chart(alt.Data(values=[{"y": threshold / 100, "text": text}]))
        chart = alt.layer(
            chart,
            rule.mark_rule(color=REFERENCE_COLOR, strokeDash=[5, 4]).encode(y="y:Q")
            .properties(name="reference"),  # site.css recolours named marks in dark mode
            rule.mark_text(align="left", baseline="top", dx=4, dy=4, color=REFERENCE_COLOR)
            .encode(y="y:Q", text="text:N", x=alt.value(0)).properties(name="reference_label"),
        )
    table = _day_table(wide * 100, labels, loc, lambda v: loc.fmt.percent(v, 1))
    note = loc.gettext("Percent below each series' highest close since %(start)s") % {
        "start": loc.fmt.short_date(decl.start)}
    return Built(chart, table, note)


def build_rebased(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Each series rebased to `base` (100) on its first close in the range."""
    labels = [_label(store, s, loc) for s in decl.series]
    base = decl.options["base"]
    frames = [window(store, s, decl.start, decl.end) for s in decl.series]
    wide = pd.concat([f / f.iloc[0] * base for f in frames], axis=1)
    title = loc.gettext("Rebased, first day = %(base)s") % {"base": loc.fmt.decimal(base, 0)}
    chart = _line_chart(_long(wide, labels), labels, loc, title, ",.0f", ",.1f", interactive,
                        layout=layout)
    return Built(chart, _day_table(wide, labels, loc, lambda v: loc.fmt.decimal(v, 1)), title)


def build_yields(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Yields in percent, several maturities on one axis."""
    labels = [_label(store, s, loc) for s in decl.series]
    wide = pd.concat([window(store, s, decl.start, decl.end) for s in decl.series], axis=1)
    chart = _line_chart(_long(wide / 100, labels), labels, loc, loc.gettext("Yield"), ".1%", ".2%",
                        interactive, layout=layout)
    return Built(chart, _day_table(wide, labels, loc, lambda v: loc.fmt.percent(v, 2)))


def build_line(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Levels; with `panels: true` one panel per series, each with its own scale."""
    import altair as alt

    labels = [_label(store, s, loc) for s in decl.series]
    wide = pd.concat([window(store, s, decl.start, decl.end) for s in decl.series], axis=1)
    table = _day_table(wide, labels, loc, lambda v: loc.fmt.decimal(v, 2))
    if not decl.options["panels"] or len(labels) == 1:
        chart = _line_chart(_long(wide, labels), labels, loc, loc.gettext("Close"), ",.0f", ",.2f",
                            interactive, layout=layout)
        return Built(chart, table)
    height = max(110, layout.height // len(labels) + 20)
    base = _line_chart(_long(wide, labels), labels, loc, "", ",.0f", ",.2f", interactive,
                       legend=False, layout=layout)
    chart = base.properties(height=height).facet(
        row=alt.Row("series:N", sort=labels, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                      labelOrient="top", labelFontSize=13, labelFontWeight="bold",
                                      labelPadding=4)),
        spacing=18,
    ).resolve_scale(y="independent")
    return Built(chart, table)


def _changes(values: pd.Series, start: dt.date, end: dt.date, step: str) -> pd.Series:
    """Percent changes over each trading day (or calendar week) ending inside [start, end]."""
    if step == "week":  # each week ends on its last trading day (Thursday before Good Friday)
        values = calendars.weekly_closes(values)
    change = pct_changes(values)
    inside = (change.index >= pd.Timestamp(start)) & (change.index <= pd.Timestamp(end))
    return change[inside].dropna()


def build_moves(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Bars of each day's (or week's) % change, one panel per series, coloured up/down."""
    import altair as alt

    _ = loc.gettext
    labels = [_label(store, s, loc) for s in decl.series]
    step = decl.options["step"]
    wide = pd.concat([_changes(store.series(s), decl.start, decl.end, step) for s in decl.series],
                     axis=1)
    rise, fall = _("Up"), _("Down")
    values, order = [], []
    for day, row in zip(wide.index, wide.to_numpy(), strict=True):
        d = day.date()
        if step == "week":
            period = _("Week to %(date)s") % {"date": format_skeleton("Md", d, locale=loc.babel)}
        else:
            period = format_skeleton("Md", d, locale=loc.babel) + "\n" + format_date(
                d, "EEE", locale=loc.babel)
        order.append(period)
        for label, value in zip(labels, row, strict=True):
            if not pd.isna(value):
                values.append({"period": period, "series": label, "value": round(float(value), 6),
                               "move": rise if value >= 0 else fall})
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
        color=alt.Color("move:N", scale=alt.Scale(domain=[rise, fall],
                                                  range=[loc.style["rise"], loc.style["fall"]]),
                        legend=None),
        tooltip=[alt.Tooltip("series:N", title=_("Series")),
                 alt.Tooltip("period:N", title=_("Date")),
                 alt.Tooltip("value:Q", format="+.2%", title=y_title)])
    text = base.mark_text(fontSize=11, fontWeight="bold").encode(
        text=alt.Text("value:Q", format="+.1%"), color=alt.value(LIGHT["fg"]))
    up = text.transform_filter("datum.value >= 0").mark_text(baseline="bottom", dy=-3, fontSize=11)
    down = text.transform_filter("datum.value < 0").mark_text(baseline="top", dy=3, fontSize=11)
    up, down = up.properties(name="value_up"), down.properties(name="value_down")
    gap = 14
    layered = alt.layer(bars, up, down, data=alt.Data(values=values))
    header = alt.Header(labelFontSize=13, labelFontWeight="bold")
    if layout.narrow:  # panels stacked, each as wide as the phone's column
        chart = layered.properties(width=layout.width, height=max(120, layout.height * 2 // 3)).facet(
            row=alt.Row("series:N", sort=labels, title=None,
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                          labelOrient="top", labelFontSize=13,
                                          labelFontWeight="bold", labelPadding=4)),
            spacing=gap)
    else:
        cell = max(120, (layout.width - gap * (len(labels) - 1)) // len(labels))
        chart = layered.properties(width=cell, height=layout.height).facet(
            column=alt.Column("series:N", sort=labels, title=None, header=header), spacing=gap)
    table_rows = [[p.replace("\n", " ")] + ["" if pd.isna(v) else loc.fmt.percent(float(v) * 100, 2)
                                            for v in row]
                  for p, row in zip(order, wide.to_numpy(), strict=True)]
    return Built(chart, Table([_("Date"), *labels], table_rows))


def build_macro(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Macro releases: bars of the actual print, marks for the consensus; optional reference."""
    import altair as alt

    _ = loc.gettext
    fields = decl.options["fields"]
    reference = decl.options["reference"]
    labels = [_label(store, i, loc) for i in decl.series]
    units = {store.catalog.indicators[i].unit for i in decl.series}
    percent = units == {"percent"}
    scale = 0.01 if percent else 1.0
    y_format, tip_format = (".1%", ".1%") if percent else (",.0f", ",.1f")
    field_names = {"actual": _("Actual"), "consensus": _("Consensus"), "prior": _("Prior")}
    values, order, rows = [], [], []
    for iid, label in zip(decl.series, labels, strict=True):
        for period in periods(store, iid, decl.start, decl.end):
            release = store.releases[(iid, period)]
            month = format_skeleton("yMMM", dt.date.fromisoformat(period + "-01"), locale=loc.babel)
            if month not in order:
                order.append(month)
            row: dict[str, Any] = {"period": month, "indicator": label}
            for f in fields:
                value = getattr(release, f)
                row[f] = None if value is None else round(value * scale, 6)
            values.append(row)
            cells = []
            for f in fields:
                value = getattr(release, f)
                cells.append("" if value is None else (loc.fmt.percent(value, 1) if percent
                                                        else loc.fmt.decimal(value, 1)))
            rows.append([month, label, *cells])
    x = alt.X("period:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, ticks=False))
    offset = alt.XOffset("indicator:N", sort=labels, scale=alt.Scale(paddingInner=0.12))
    y = alt.Y(f"{fields[0]}:Q", title=None, scale=alt.Scale(zero=reference is None),
              axis=alt.Axis(format=y_format, tickCount=6))
    tooltip = [alt.Tooltip("indicator:N", title=_("Indicator")),
               alt.Tooltip("period:N", title=_("Month"))]
    tooltip += [alt.Tooltip(f"{f}:Q", format=tip_format, title=field_names[f]) for f in fields]
    color = alt.Color("indicator:N", sort=labels, title=None,
                      scale=alt.Scale(domain=labels, range=list(SERIES_COLORS[: len(labels)])),
                      legend=alt.Legend(orient="top", direction="horizontal", columns=2,
                                        symbolType="square"))
    base = alt.Chart().encode(x=x, xOffset=offset)
    encoding: dict[str, Any] = {"y": y, "color": color, "tooltip": tooltip}
    if reference is not None:
        encoding["y2"] = alt.datum(reference * scale)
    layers: list[Any] = [base.mark_bar().encode(**encoding)]
    note_parts = [_("Bars: actual")]
    tick = max(6, round(layout.width / max(1, len(order)) / len(labels) * 0.75))  # about a bar's width
    for f in fields[1:]:
        layers.append(base.mark_tick(thickness=3, size=tick,
                                     color=LIGHT["fg"] if f == "consensus" else LIGHT["muted"])
                      .encode(y=f"{f}:Q", tooltip=tooltip).properties(name=f))
        note_parts.append(_("short lines: consensus") if f == "consensus"
                          else _("grey short lines: prior"))
    if reference is not None:
        ref = alt.Chart(alt.Data(values=[{"y": reference * scale}]))
        layers.append(ref.mark_rule(color=REFERENCE_COLOR, strokeDash=[5, 4]).encode(y="y:Q")
                      .properties(name="reference"))
        note_parts.append(_("line: %(value)s") % {"value": loc.fmt.decimal(reference, 0)})
    chart = alt.layer(*layers, data=alt.Data(values=values)).properties(width=layout.width,
                                                                        height=layout.height)
    table = Table([_("Month"), _("Indicator"), *(field_names[f] for f in fields)], rows)
    return Built(chart, table, note=_("; ").join(note_parts))


Builder = Callable[[ChartDecl, "DataStore", ChartLocale, bool, Layout], Built]
BUILDERS: dict[str, Builder] = {
    "drawdown": build_drawdown,
    "rebased": build_rebased,
    "yields": build_yields,
    "line": build_line,
    "moves": build_moves,
    "macro": build_macro,
}


def _curve(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool, layout: Layout = WIDE) -> Built:
    from broadsheet.charts.curve import build_curve  # the Treasury curve on two or three dates (curve.py)

    return build_curve(decl, store, loc, interactive, layout)


BUILDERS["curve"] = _curve
