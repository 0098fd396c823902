"""The `line` chart kind: levels, on one axis or in one panel per series.

    dollar-oil:
      kind: line
      series: [DXY, BRENT]
      start: 2025-03-03
      options: {panels: true}       # optional: one panel per series, each with its own scale
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from broadsheet.charts.built import Built
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.kinds.common import day_table, long_rows, row_header, series_label, window
from broadsheet.charts.kinds.lines import line_chart
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import WIDE, Layout

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore


def build_line(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Levels; with `panels: true` one panel per series, each with its own scale."""
    labels = [series_label(store, s, loc) for s in decl.series]
    wide = pd.concat([window(store, s, decl.start, decl.end) for s in decl.series], axis=1, sort=True)
    table = day_table(wide, labels, loc, lambda v: loc.fmt.decimal(v, 2))
    if not decl.options["panels"] or len(labels) == 1:
        chart = line_chart(long_rows(wide, labels), labels, loc, loc.gettext("Close"), ",.0f", ",.2f",
                           interactive, layout=layout)
        return Built(chart, table)
    height = max(110, layout.height // len(labels) + 20)
    base = line_chart(long_rows(wide, labels), labels, loc, "", ",.0f", ",.2f", interactive, legend=False,
                      layout=layout)
    chart = base.properties(height=height).facet(
        row=alt.Row("series:N", sort=labels, title=None, header=row_header()),
        spacing=18,
    ).resolve_scale(y="independent")
    return Built(chart, table)
