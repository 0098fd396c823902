"""The `drawdown` chart kind: each series as % below its highest close since `start`.

    drawdown:
      kind: drawdown
      series: [SP500, NASDAQCOM, DJIA]
      start: 2025-01-02
      options: {threshold: -20}     # optional: a dashed line at -20%, labelled "bear market"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from broadsheet.charts.built import Built
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.kinds.common import day_table, long_rows, series_label, window
from broadsheet.charts.kinds.lines import line_chart
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import REFERENCE_COLOR, WIDE, Layout

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore


def build_drawdown(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
                   layout: Layout = WIDE) -> Built:
    """Each series as % below its highest close since `start` (optional threshold line)."""
    labels = [series_label(store, s, loc) for s in decl.series]
    frames = [window(store, s, decl.start, decl.end) for s in decl.series]
    wide = pd.concat([f / f.cummax() - 1 for f in frames], axis=1, sort=True)
    chart: alt.TopLevelMixin = line_chart(long_rows(wide, labels), labels, loc, loc.gettext("Below the high"),
                                          ".0%", ".1%", interactive, zero=True, layout=layout)
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
    table = day_table(wide * 100, labels, loc, lambda v: loc.fmt.percent(v, 1))
    note = loc.gettext("Percent below each series' highest close since %(start)s") % {
        "start": loc.fmt.long_date(decl.start)}
    return Built(chart, table, note)
