"""Charts: charts.yaml declarations → Vega-Lite specs (one builder per kind) → drawings → blocks.

An issue declares its charts in `content/issues/<issue>/charts.yaml` and places them in the
Markdown with `{{ chart("name") }}`. The modules, in the order a chart passes through them:

- decls.py: the declarations, checked against a schema; options.py: the kinds' own option checks
- kinds/: one Altair builder per kind (data in, chart and data table out: built.py), a registry
  of them (kinds/__init__.py), what they share (common.py, lines.py); theme.py, locale.py
- spec.py: the Vega-Lite specs of a chart in one language, its texts and the checks against the data
- engine.py: vl-convert draws a spec's render job into SVGs and the PNG twin (drawing.py), through
  the cache, misses in parallel; fonts.py: the fonts it sees; vega.py: the vega bundle the pages
  redraw charts with
- blocks.py: `ChartBlock`, a placed chart as data (a11y.py cleans its SVG); templates render it
- step.py: the build's chart step, from charts.yaml to blocks; chartset.py: the drawn charts of a
  build, by issue and language (the cache keeps them per issue), and a page's chart() function

What loads what: decls.py, options.py, built.py, drawing.py, blocks.py, chartset.py, fonts.py and
vega.py need neither pandas, Altair nor vl-convert (the build plan reads declarations, the cache
gives back drawn charts); kinds/ and spec.py load pandas and Altair, engine.py vl-convert, and
step.py all of them: the build imports step.py only when a chart has to be built.

The charts may import figures, data, content and core; nothing here imports a later stage.
"""

VEGA_BUNDLE = "vendor/vega.js"  # under static/, generated at build time from vl-convert (vega.py)
CHART_SCRIPT = "js/charts.js"
CHARTS_FILE = "charts.yaml"
CACHE_NAMESPACE = "charts"  # the cache's folder of drawings and of the vega bundle
