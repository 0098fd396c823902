"""Charts: charts.yaml declarations → Vega-Lite specs (one builder per kind) → drawings → blocks.

An issue declares its charts in `content/issues/<issue>/charts.yaml` and places them in the
Markdown with `{{ chart("name") }}`. The modules, in the order a chart passes through them:

- decls.py: the declarations, checked against a schema (no pandas; the build plan reads it too)
- builders.py: one Altair builder per kind (data in, chart and data table out); theme.py, locale.py
- spec.py: the Vega-Lite specs of a chart in one language, its texts and the checks against the data
- engine.py: vl-convert draws SVGs and the PNG twin, through the cache, misses in parallel
- blocks.py: `ChartBlock`, a placed chart as data; templates render it per output

Altair and vl-convert are imported only when a chart has to be built or drawn.
"""

from __future__ import annotations

import importlib
from typing import Any

VEGA_BUNDLE = "vendor/vega.js"  # under static/, generated at build time from vl-convert
CHART_SCRIPT = "js/charts.js"
CHARTS_FILE = "charts.yaml"

# Names re-exported lazily (PEP 562): importing broadsheet.charts.decls must not load pandas.
_EXPORTS = {
    "BUILDERS": "builders", "KINDS": "decls", "KIND_SCHEMAS": "decls", "ChartDecl": "decls",
    "read_chart_decls": "decls", "declared_series": "decls", "GREEN": "theme", "RED": "theme",
    "chart_locale": "locale", "build_spec": "spec", "ChartSpec": "spec", "font_folders": "engine",
    "vega_bundle": "engine", "ChartBlock": "blocks", "ChartSet": "step", "PageCharts": "step",
    "prepare_charts": "step",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), "KIND_SCHEMAS" if name == "KINDS" else name)
