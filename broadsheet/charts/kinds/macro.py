"""The `macro` chart kind: monthly releases, bars of the actual print, marks for the consensus.

    ism:
      kind: macro
      series: [ISM_MFG_PMI, ISM_NEW_ORDERS]   # indicators, not daily series
      start: 2025-01                          # months
      options:
        fields: [actual, consensus]           # optional: any of actual, consensus, prior
        reference: 50                         # optional: a dashed line, bars start from it
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import altair as alt
from babel.dates import format_skeleton

from broadsheet.charts.built import Built, Table
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.kinds.common import periods, series_label
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import LIGHT, REFERENCE_COLOR, SERIES_COLORS, WIDE, Layout

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore


def field_names(loc: ChartLocale) -> dict[str, str]:
    """The names of a release's numbers in the chart's language."""
    return {"actual": loc.gettext("Actual"), "consensus": loc.gettext("Consensus"), "prior": loc.gettext("Prior")}


def release_rows(decl: ChartDecl, store: DataStore, loc: ChartLocale, labels: list[str],
                 percent: bool) -> tuple[list[dict[str, Any]], list[str], list[list[str]]]:
    """The chart's rows ({period, indicator, <field>…}), its months in order, and the table's rows."""
    fields = decl.options["fields"]
    scale = 0.01 if percent else 1.0
    values, order, rows = [], [], []
    for iid, label in zip(decl.series, labels, strict=True):
        for period in periods(store, iid, decl.start, decl.end):
            release = store.releases[(iid, period)]
            month = format_skeleton("yMMM", dt.date.fromisoformat(period + "-01"), locale=loc.babel)
            if month not in order:
                order.append(month)
            row: dict[str, Any] = {"period": month, "indicator": label}
            cells = []
            for f in fields:
                value = getattr(release, f)
                row[f] = None if value is None else round(value * scale, 6)
                cells.append("" if value is None else (loc.fmt.percent(value, 1) if percent
                                                        else loc.fmt.decimal(value, 1)))
            values.append(row)
            rows.append([month, label, *cells])
    return values, order, rows


def build_macro(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
                layout: Layout = WIDE) -> Built:
    """Macro releases: bars of the actual print, marks for the consensus; optional reference."""
    _ = loc.gettext
    fields = decl.options["fields"]
    reference = decl.options["reference"]
    labels = [series_label(store, i, loc) for i in decl.series]
    percent = {store.catalog.indicators[i].unit for i in decl.series} == {"percent"}
    scale = 0.01 if percent else 1.0
    y_format, tip_format = (".1%", ".1%") if percent else (",.0f", ",.1f")
    names = field_names(loc)
    values, order, rows = release_rows(decl, store, loc, labels, percent)
    x = alt.X("period:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, ticks=False))
    offset = alt.XOffset("indicator:N", sort=labels, scale=alt.Scale(paddingInner=0.12))
    y = alt.Y(f"{fields[0]}:Q", title=None, scale=alt.Scale(zero=reference is None),
              axis=alt.Axis(format=y_format, tickCount=6))
    tooltip = [alt.Tooltip("indicator:N", title=_("Indicator")), alt.Tooltip("period:N", title=_("Month"))]
    tooltip += [alt.Tooltip(f"{f}:Q", format=tip_format, title=names[f]) for f in fields]
    color = alt.Color("indicator:N", sort=labels, title=None,
                      scale=alt.Scale(domain=labels, range=list(SERIES_COLORS[: len(labels)])),
                      legend=alt.Legend(orient="top", direction="horizontal", columns=2, symbolType="square"))
    base = alt.Chart().encode(x=x, xOffset=offset)
    encoding: dict[str, Any] = {"y": y, "color": color, "tooltip": tooltip}
    if reference is not None:
        encoding["y2"] = alt.datum(reference * scale)
    layers: list[Any] = [base.mark_bar().encode(**encoding)]
    note_parts = [_("Bars: actual")]
    tick = max(6, round(layout.width / max(1, len(order)) / len(labels) * 0.75))  # about a bar's width
    for f in fields[1:]:
        layers.append(base.mark_tick(thickness=3, size=tick, color=LIGHT["fg"] if f == "consensus" else LIGHT["muted"])
                      .encode(y=f"{f}:Q", tooltip=tooltip).properties(name=f))
        note_parts.append(_("short lines: consensus") if f == "consensus" else _("grey short lines: prior"))
    if reference is not None:
        ref = alt.Chart(alt.Data(values=[{"y": reference * scale}]))
        layers.append(ref.mark_rule(color=REFERENCE_COLOR, strokeDash=[5, 4]).encode(y="y:Q")
                      .properties(name="reference"))
        note_parts.append(_("line: %(value)s") % {"value": loc.fmt.decimal(reference, 0)})
    chart = alt.layer(*layers, data=alt.Data(values=values)).properties(width=layout.width, height=layout.height)
    table = Table([_("Month"), _("Indicator"), *(names[f] for f in fields)], rows)
    return Built(chart, table, note=_("; ").join(note_parts))
