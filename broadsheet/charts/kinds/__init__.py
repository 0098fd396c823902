"""The chart kinds: one module per kind, each an Altair builder (data in, chart and data table out).

Builders are pure. spec.py calls each per language and per layout (wide, narrow), static, turns
its output into Vega-Lite dicts and derives the interactive variant (lines.interactive_variant;
the tests build it with `interactive=True` and compare). The kinds share common.py (data in a
range, names, tables) and lines.py (the daily line chart), and return built.Built. What a kind
reads and its options are declared in decls.KIND_SCHEMAS; spec.BUILDERS holds a builder for each.

The kind modules load pandas and Altair: only spec.py imports them, when a chart is built. The
kinds may import charts' lower modules (built, decls, locale, theme), data and core.
"""
