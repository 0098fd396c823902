"""The chart kinds: one module per kind, each an Altair builder (data in, chart and data table out).

Builders are pure. spec.py calls each per language and per layout (wide, narrow), static, turns
its output into Vega-Lite dicts and derives the interactive variant (lines.interactive_variant;
the tests build it with `interactive=True` and compare). The kinds share common.py (data in a
range, names, tables) and lines.py (the daily line chart), and return built.Built. What a kind
reads and its options are declared in decls.KIND_SCHEMAS; this registry holds a builder for each.

Importing this package loads pandas and Altair: only spec.py imports it, when a chart is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from broadsheet.charts.built import Built
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.kinds.curve import build_curve
from broadsheet.charts.kinds.drawdown import build_drawdown
from broadsheet.charts.kinds.line import build_line
from broadsheet.charts.kinds.macro import build_macro
from broadsheet.charts.kinds.moves import build_moves
from broadsheet.charts.kinds.rebased import build_rebased
from broadsheet.charts.kinds.yields import build_yields
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import Layout

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore

# (declaration, data, language, interactive, layout) → the chart and its table
Builder = Callable[[ChartDecl, "DataStore", ChartLocale, bool, Layout], Built]
BUILDERS: dict[str, Builder] = {
    "drawdown": build_drawdown,
    "rebased": build_rebased,
    "yields": build_yields,
    "line": build_line,
    "moves": build_moves,
    "curve": build_curve,
    "macro": build_macro,
}
