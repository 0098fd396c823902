"""A chart in one language as Vega-Lite specs (static, interactive, narrow) plus its texts and data.

Also the checks that need the data: a declared range with too few closes or no release.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from altair.utils.schemapi import debug_mode

from broadsheet.charts.built import Built, Table
from broadsheet.charts.decls import KIND_SCHEMAS, ChartDecl
from broadsheet.charts.drawing import WIDE_PNG, RenderJob
from broadsheet.charts.kinds.common import chart_sources, periods, window
from broadsheet.charts.kinds.curve import build_curve
from broadsheet.charts.kinds.drawdown import build_drawdown
from broadsheet.charts.kinds.line import build_line
from broadsheet.charts.kinds.lines import interactive_variant, nearest_values
from broadsheet.charts.kinds.macro import build_macro
from broadsheet.charts.kinds.moves import build_moves
from broadsheet.charts.kinds.rebased import build_rebased
from broadsheet.charts.kinds.yields import build_yields
from broadsheet.charts.locale import ChartLocale
from broadsheet.charts.theme import LIGHT, NARROW, PNG_SCALE, WIDE, Layout, theme_config
from broadsheet.core.cache import content_key
from broadsheet.core.errors import FigureProblems, SourceError
from broadsheet.figures.evaluate import evaluate_figures
from broadsheet.figures.functions import FigureFunctions
from broadsheet.figures.lookahead import guarded
from broadsheet.figures.uses import FigureUse

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore

# (declaration, data, language, interactive, layout) → the chart and its table: one builder per kind
# (charts/kinds/), for every kind decls.KIND_SCHEMAS declares
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




@dataclass
class ChartSpec:
    """One chart in one language: the static spec (rendered), the interactive one, its table."""

    decl: ChartDecl
    lang: str
    title: str
    description: str
    note: str
    sources: list[str]
    spec: dict[str, Any]  # without title: the page shows the title as HTML
    interactive: dict[str, Any]
    narrow: dict[str, Any]  # the phone variant of `spec` (the PNG twin stays wide)
    narrow_interactive: dict[str, Any]
    table: Table
    format_locale: dict[str, Any]
    time_format_locale: dict[str, Any]
    last_date: dt.date | None = None  # the newest day (or release date) the chart shows
    figures: list[FigureUse] = field(default_factory=list)  # figures quoted in its title and description

    def png_spec(self) -> dict[str, Any]:
        """The PNG twin carries its title and note, on the light background, for feeds."""
        title: dict[str, Any] = {"text": self.title}
        if self.note:
            title["subtitle"] = self.note
        config = {**self.spec["config"], "background": LIGHT["bg"], "padding": 16}
        return {**self.spec, "title": title, "config": config}

    def key(self) -> str:
        """The cache key: everything that decides the SVG and the PNG bytes."""
        return content_key(self.spec, self.narrow, self.png_spec(), self.format_locale,
                           self.time_format_locale, PNG_SCALE, version("vl-convert-python"))

    def render_job(self, pngs: tuple[str, ...] = (WIDE_PNG,)) -> RenderJob:
        """What the renderer needs to draw this chart (engine.draw_all), with the PNG twins `pngs`."""
        narrow = None if self.narrow == self.spec else self.narrow
        return RenderJob(self.spec, narrow, self.title, self.note, self.format_locale, self.time_format_locale,
                         pngs)


def build_spec(decl: ChartDecl, store: DataStore, loc: ChartLocale) -> ChartSpec:
    """Build the Vega-Lite specs of a chart in one language (pure: data in, dicts out)."""
    build = BUILDERS[decl.kind]

    def to_spec(chart: Any) -> dict[str, Any]:
        spec = chart.to_dict(validate=False)
        spec["config"] = {**theme_config(), **{k: v for k, v in spec.get("config", {}).items()
                                               if k not in theme_config()}}
        spec.pop("$schema", None)
        return spec

    # Altair validates every object it makes against the schema (its "debug mode"): 60% of a
    # spec's time. Tests validate every chart kind's specs against the schema instead.
    with debug_mode(False):
        built = build(decl, store, loc, False, WIDE)
        spec = to_spec(built.chart)
        narrow = to_spec(build(decl, store, loc, False, NARROW).chart)
    # Altair costs ~0.1 s a variant: the interactive specs are derived from the static ones
    interactive = nearest_values(interactive_variant(spec))
    narrow_interactive = nearest_values(interactive_variant(narrow))
    title, description, uses = chart_texts(decl, store, loc)
    description = description or loc.gettext(
        "%(title)s, from %(start)s to %(end)s. The numbers are in the data table.") % {
        "title": title, "start": loc.fmt.short_date(decl.start),
        "end": loc.fmt.short_date(decl.end)}
    return ChartSpec(decl, loc.code, title, description, built.note, chart_sources(store, decl, loc.code), spec,
                     interactive, narrow, narrow_interactive, built.table, loc.format_locale,
                     loc.time_format_locale, last_data_date(decl, store), uses)


def chart_texts(decl: ChartDecl, store: DataStore, loc: ChartLocale) -> tuple[str, str, list[FigureUse]]:
    """A chart's title and description in one language, figure expressions evaluated.

    Raises FigureProblems with the charts.yaml line of each expression that fails.
    """
    figures = FigureFunctions(store, loc.fmt)
    functions = figures.namespace()
    if decl.as_of is not None:
        functions = guarded(functions, figures.uses, decl.as_of)
    out: list[str] = []
    errors: list[SourceError] = []
    for key, texts in (("title", decl.title), ("description", decl.description)):
        text = texts.get(loc.code, "")
        line = decl.text_lines.get(f"{key}.{loc.code}", decl.line)
        value, _, problems = evaluate_figures(text, decl.src_path, line, functions)
        errors.extend(problems)
        # evaluate_figures escapes the figures for HTML; the templates escape the whole text
        out.append(html.unescape(value))
    if errors:
        raise FigureProblems(errors)
    return out[0], out[1], figures.uses


# --- rendering ---------------------------------------------------------------------------------


def last_data_date(decl: ChartDecl, store: DataStore) -> dt.date | None:
    """The newest close a markets chart shows, or the newest release date of a macro chart."""
    if KIND_SCHEMAS[decl.kind].data == "markets":
        days = [w.index[-1].date() for w in (window(store, s, decl.start, decl.end) for s in decl.series) if len(w)]
    else:
        days = [store.releases[(i, p)].release_date
                for i in decl.series for p in periods(store, i, decl.start, decl.end)]
    return max(days) if days else None


def check_data_range(decl: ChartDecl, store: DataStore) -> list[SourceError]:
    """Problems of a declaration that only the data shows: too few closes, no release, no rows."""
    line = decl.text_lines.get("start", decl.line)
    errors: list[SourceError] = []
    if KIND_SCHEMAS[decl.kind].data == "markets":
        for sid in decl.series:
            if sid not in store.markets.columns:
                errors.append(SourceError(decl.src_path, decl.text_lines.get("series", decl.line),
                                          f"chart {decl.name!r}: series {sid!r} has no rows in the data"))
            elif len(window(store, sid, decl.start, decl.end)) < 2:
                errors.append(SourceError(decl.src_path, line, f"chart {decl.name!r}: {sid} has fewer than two closes "
                                          f"from {decl.start} to {decl.end}", "widen the date range"))
    else:
        for iid in decl.series:
            if not periods(store, iid, decl.start, decl.end):
                errors.append(SourceError(decl.src_path, line, f"chart {decl.name!r}: {iid} has no release from "
                                          f"{decl.start:%Y-%m} to {decl.end:%Y-%m}"))
    return errors
