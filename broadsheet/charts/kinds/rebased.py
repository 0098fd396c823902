"""The `rebased` chart kind: each series rebased to `base` (100) on its first close in the range.

    gold-vs-stocks:
      kind: rebased
      series: [GOLD, SP500]
      start: 2025-03-03
      options: {base: 100}          # optional: the value of the first day (100)
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


def build_rebased(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
                  layout: Layout = WIDE) -> Built:
    """Each series rebased to `base` (100) on its first close in the range."""
    labels = [series_label(store, s, loc) for s in decl.series]
    base = decl.options["base"]
    frames = [window(store, s, decl.start, decl.end) for s in decl.series]
    wide = pd.concat([f / f.iloc[0] * base for f in frames], axis=1, sort=True)
    title = loc.gettext("Rebased, first day = %(base)s") % {"base": loc.fmt.decimal(base, 0)}
    chart = line_chart(long_rows(wide, labels), labels, loc, title, ",.0f", ",.1f", interactive, layout=layout)
    return Built(chart, day_table(wide, labels, loc, lambda v: loc.fmt.decimal(v, 1)), title)
