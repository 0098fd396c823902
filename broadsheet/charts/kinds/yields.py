"""The `yields` chart kind: yields in percent, several maturities on one axis.

    yields:
      kind: yields
      series: [DGS10, DGS20, DGS30]
      start: 2025-03-03
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from broadsheet.charts.built import Built
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.kinds.common import day_table, long_rows, series_label, window
from broadsheet.charts.kinds.lines import line_chart
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import WIDE, Layout

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore


def build_yields(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
                 layout: Layout = WIDE) -> Built:
    """Yields in percent, several maturities on one axis."""
    labels = [series_label(store, s, loc) for s in decl.series]
    wide = pd.concat([window(store, s, decl.start, decl.end) for s in decl.series], axis=1, sort=True)
    chart = line_chart(long_rows(wide / 100, labels), labels, loc, loc.gettext("Yield"), ".1%", ".2%",
                       interactive, layout=layout)
    return Built(chart, day_table(wide, labels, loc, lambda v: loc.fmt.percent(v, 2)))
