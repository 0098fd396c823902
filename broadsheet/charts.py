"""Charts: charts.yaml declarations → Vega-Lite specs (one builder per kind) → SVG and PNG.

An issue declares its charts in `content/issues/<issue>/charts.yaml` and places them in the
Markdown with `{{ chart("name") }}`. Builders are pure (data in, Altair chart out) and produce one
spec per language; vl-convert renders each spec to an inline SVG and a PNG twin, through the
content-hash cache, misses in parallel. Altair and vl-convert are imported only here and only
when a chart has to be built or rendered.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import multiprocessing
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from .cache import Cache, content_key
from .chart_a11y import presentational_marks
from .config import Config, Language
from .content import Issue
from .data import DataStore
from .errors import FigureError, Problems, SourceError
from .figures import FigureFunctions
from .i18n import NumberFormatter, load_translations
from .markdown import BlockHTML, FigureProblems, evaluate_figures
from .urls import Urls
from .writer import Output
from .yamlsource import LineDict, line_of, load_yaml, read_text

if TYPE_CHECKING:
    pass

CHARTS_FILE = "charts.yaml"
CACHE_NAMESPACE = "charts"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PERIOD_RE = re.compile(r"^\d{4}-\d{2}$")
FIELDS = ("kind", "series", "start", "end", "title", "description", "options")
REQUIRED = ("kind", "series", "start", "end", "title")

# The site's palette (static/css/site.css). Series colours are mid-tones that keep their
# contrast on both the light (#fdfcf9) and the dark (#15161a) background; the text, grid and
# axis colours below are the light theme's, and site.css repaints them in dark mode.
LIGHT = {"bg": "#fdfcf9", "fg": "#1d1d1f", "muted": "#5b5b63", "rule": "#dedad2"}
SERIES_COLORS = ("#2f72c4", "#e07b24", "#2a9d8f", "#a35db8", "#c9a227")
RED, GREEN = "#d23f3f", "#1f9a55"
REFERENCE_COLOR = "#8a6d1a"
CJK_FAMILY = "Noto Sans CJK TC"  # named first: the default family may fall back to a serif face
FONT = f'"{CJK_FAMILY}", "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif'
# vl-convert loads the system's fonts by itself (Debian's fonts-noto-cjk lives here); registering
# them again doubles its font database and measured twice the render time, so only a project
# folder (fonts/ beside site.yaml, for machines without a system CJK font) is registered.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                    Path.home() / ".local/share/fonts", Path.home() / ".fonts")
CJK_FONT_FILES = ("NotoSansCJK*", "NotoSansTC*", "NotoSansMonoCJK*", "SourceHanSans*")
WIDTH, HEIGHT = 560, 260  # the plot area; the text column is 42rem ≈ 670 px
PNG_SCALE = 2  # crisp on high-density screens and in social previews
VEGA_BUNDLE = "vendor/vega.js"  # under static/, generated at build time from vl-convert
CHART_SCRIPT = "js/charts.js"
PARALLEL_MIN = 8  # below this many misses, one process is faster than starting several engines

# Date and up/down conventions per language (by Babel language code; English is the fallback).
STYLES: dict[str, dict[str, Any]] = {
    "zh": {"day": "%-m/%-d", "month": "%Y/%-m", "tooltip_day": "%Y/%-m/%-d", "date": "%Y/%-m/%-d",
           "rise": RED, "fall": GREEN},  # Taiwan: red is up
    "en": {"day": "%b %-d", "month": "%b %Y", "tooltip_day": "%b %-d, %Y", "date": "%-m/%-d/%Y",
           "rise": GREEN, "fall": RED},
}


# --- declarations -------------------------------------------------------------------------
@dataclass(frozen=True)
class ChartDecl:
    """One chart declared in charts.yaml."""

    name: str
    kind: str
    series: tuple[str, ...]
    start: dt.date
    end: dt.date
    title: dict[str, str]
    description: dict[str, str]
    options: dict[str, Any]
    src_path: Path
    line: int
    text_lines: dict[str, int] = field(default_factory=dict)  # "description.en" → its line


@dataclass(frozen=True)
class Layout:
    """The size a chart is drawn at: wide for the text column, narrow for phones."""

    width: int  # the plot area
    height: int
    ticks: int  # about this many labels on a date axis
    narrow: bool  # panels stacked vertically, legends wrapped


# A phone's text column is ~384 px: the narrow variant must fit it unscaled, axis labels included,
# or its 12 px labels shrink below legibility.
WIDE = Layout(WIDTH, HEIGHT, 6, False)
NARROW = Layout(300, 220, 4, True)


@dataclass(frozen=True)
class Kind:
    """A chart kind: its builder, which data it reads, and its options with their defaults."""

    build: Callable[[ChartDecl, DataStore, ChartLocale, bool, Layout], Built]
    data: str  # "markets" (daily series) or "releases" (macro indicators)
    options: dict[str, Any] = field(default_factory=dict)


def _date_value(value: Any, monthly: bool) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.replace(day=1) if monthly else value
    if monthly and isinstance(value, str) and PERIOD_RE.match(value):
        return dt.date.fromisoformat(value + "-01")
    return None


def read_chart_decls(path: Path, store: DataStore, codes: list[str]) -> tuple[list[ChartDecl],
                                                                             list[SourceError]]:
    """Read and check an issue's charts.yaml; return the declarations and every problem found."""
    try:
        data = load_yaml(read_text(path), path)
    except SourceError as exc:
        return [], [exc]
    if data is None:
        return [], []
    if not isinstance(data, dict):
        return [], [SourceError(path, 1, "charts.yaml must map chart names to declarations",
                                "see the Charts section of docs/writing.md")]
    decls: list[ChartDecl] = []
    errors: list[SourceError] = []
    for name, spec in data.items():
        line = line_of(data, name, 1)
        problems = _check_decl(path, str(name), spec, line, store, codes)
        if isinstance(problems, ChartDecl):
            decls.append(problems)
        else:
            errors.extend(problems)
    return decls, errors


def _check_decl(path: Path, name: str, spec: Any, line: int, store: DataStore,
                codes: list[str]) -> ChartDecl | list[SourceError]:
    """Validate one declaration; return it, or the list of its problems."""
    errors: list[SourceError] = []

    def err(key: str | None, message: str, hint: str | None = None) -> None:
        where = line_of(spec, key, line) if key and isinstance(spec, LineDict) else line
        errors.append(SourceError(path, where, f"chart {name!r}: {message}", hint))

    if not NAME_RE.match(name):
        err(None, "a chart name may hold only lower-case letters, digits, - and _",
            "e.g. drawdown or dollar-oil")
    if not isinstance(spec, dict):
        err(None, "must be a mapping with kind, series, start, end, title")
        return errors
    for key in sorted(set(spec) - set(FIELDS), key=str):
        err(key, f"unknown field {key!r}", f"fields: {', '.join(FIELDS)}")
    for key in REQUIRED:
        if key not in spec:
            err(None, f"field {key!r} is missing", f"fields: {', '.join(REQUIRED)}")
    if errors:
        return errors
    kind = KINDS.get(spec["kind"])
    if kind is None:
        err("kind", f"unknown kind {spec['kind']!r}", f"kinds: {', '.join(sorted(KINDS))}")
        return errors
    series = spec["series"]
    series = [series] if isinstance(series, str) else series
    if not isinstance(series, list) or not series or not all(isinstance(s, str) for s in series):
        err("series", "series must be a list of series ids such as [SP500, DJIA]")
        series = []
    known = store.catalog.series if kind.data == "markets" else store.catalog.indicators
    what = "series" if kind.data == "markets" else "indicator"
    for sid in series:
        if sid not in known:
            err("series", f"unknown {what} {sid!r}", f"known: {', '.join(sorted(known))}")
        elif kind.data == "markets" and sid not in store.markets.columns:
            err("series", f"series {sid!r} has no rows in the data")
    monthly = kind.data == "releases"
    start, end = (_date_value(spec[k], monthly) for k in ("start", "end"))
    for key, value in (("start", start), ("end", end)):
        if value is None:
            err(key, f"{key} must be a date like 2025-04-11" + (" or a month like 2025-03"
                                                                  if monthly else ""),
                f"got {spec[key]!r}")
    if start and end and start > end:
        err("end", f"end {end} is before start {start}")
    texts: dict[str, dict[str, str]] = {}
    text_lines: dict[str, int] = {}
    for key in ("title", "description"):
        value = spec.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            err(key, f"{key} must map each language to a text", "e.g. {zh-Hant: …, en: …}")
            value = {}
        texts[key] = {str(k): v.strip() for k, v in value.items()}
        for code in value:
            text_lines[f"{key}.{code}"] = line_of(value, code, line_of(spec, key, line))
    for code in codes:
        if code not in texts["title"]:
            err("title", f"title has no {code!r} text", f"add `{code}: …` under title")
    options = spec.get("options") or {}
    if not isinstance(options, dict):
        err("options", "options must be a mapping such as {threshold: -20}")
        options = {}
    for key in options:
        if key not in kind.options:
            allowed = ", ".join(kind.options) or "none"
            err("options", f"unknown option {key!r} for kind {spec['kind']}", f"options: {allowed}")
    merged = {**kind.options, **options}
    for key, default in kind.options.items():
        problem = _check_option(key, merged[key], default)
        if problem:
            err("options", problem)
    if errors or start is None or end is None:
        return errors
    decl = ChartDecl(name, spec["kind"], tuple(series), start, end, texts["title"],
                     texts["description"], merged, path, line, text_lines)
    if kind.data == "markets":
        for sid in decl.series:
            if len(_window(store, sid, decl.start, decl.end)) < 2:
                err("start", f"{sid} has fewer than two closes from {start} to {end}",
                    "widen the date range")
    else:
        for iid in decl.series:
            if not _periods(store, iid, decl.start, decl.end):
                err("start", f"{iid} has no release from {start:%Y-%m} to {end:%Y-%m}")
    return errors or decl


def _check_option(key: str, value: Any, default: Any) -> str | None:
    choices = OPTION_CHOICES.get(key)
    if choices and value not in choices:
        return f"option {key} must be one of {', '.join(map(str, choices))}, got {value!r}"
    if key in OPTION_LISTS:
        ok = isinstance(value, list) and value and all(v in OPTION_LISTS[key] for v in value)
        return None if ok else f"option {key} must be a list of {', '.join(OPTION_LISTS[key])}"
    numeric = isinstance(default, int | float) and not isinstance(default, bool) or default is None
    if numeric and key not in OPTION_CHOICES:
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if value is not None and (not is_number or not math.isfinite(value)):
            return f"option {key} must be a number, got {value!r}"
    if isinstance(default, bool) and not isinstance(value, bool):
        return f"option {key} must be true or false, got {value!r}"
    return None


# --- language ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChartLocale:
    """Everything language-dependent in a chart: names, formats, colours, UI strings."""

    code: str  # content language: "zh-Hant"
    babel: Locale
    fmt: NumberFormatter
    gettext: Callable[[str], str]
    style: dict[str, Any]
    format_locale: dict[str, Any]
    time_format_locale: dict[str, Any]


def d3_format_locale(locale: Locale) -> dict[str, Any]:
    """A d3-format locale built from Babel's symbols (vl-convert has no "zh-TW" format locale).

    The minus is CLDR's, as in the prose and the labels Babel formats ("-20%"), not d3's "−".
    """
    return {"decimal": get_decimal_symbol(locale), "thousands": get_group_symbol(locale),
            "grouping": [3], "currency": ["", ""], "minus": get_minus_sign_symbol(locale)}


def d3_time_format_locale(locale: Locale, date_format: str) -> dict[str, Any]:
    """A d3-time-format locale with Babel's month and day names (d3 weeks start on Sunday)."""
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    days, months = locale.days["format"], locale.months["format"]
    return {"dateTime": f"{date_format} %H:%M", "date": date_format, "time": "%H:%M:%S",
            "periods": [format_time(dt.time(9), "a", locale=locale),
                        format_time(dt.time(15), "a", locale=locale)],
            "days": [days["wide"][i] for i in sunday_first],
            "shortDays": [days["abbreviated"][i] for i in sunday_first],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)]}


def chart_locale(lang: Language, translations_dir: Path) -> ChartLocale:
    """The chart conventions of one edition."""
    babel = Locale.parse(lang.locale)
    style = STYLES.get(babel.language, STYLES["en"])
    return ChartLocale(lang.code, babel, NumberFormatter(lang.locale),
                       load_translations(translations_dir, lang.locale).gettext, style,
                       d3_format_locale(babel), d3_time_format_locale(babel, style["date"]))


# --- data helpers ----------------------------------------------------------------------------
def _window(store: DataStore, sid: str, start: dt.date, end: dt.date) -> pd.Series:
    values = store.series(sid)
    return values[(values.index >= pd.Timestamp(start)) & (values.index <= pd.Timestamp(end))]


def _periods(store: DataStore, iid: str, start: dt.date, end: dt.date) -> list[str]:
    first, last = f"{start:%Y-%m}", f"{end:%Y-%m}"
    return sorted(p for (i, p) in store.releases if i == iid and first <= p <= last)


def _label(store: DataStore, sid: str, loc: ChartLocale) -> str:
    if sid in store.catalog.series:
        return store.catalog.series[sid].short.get(loc.code, sid)
    return store.catalog.indicators[sid].name.get(loc.code, sid)


def _sources(store: DataStore, decl: ChartDecl, lang: str) -> list[str]:
    names: list[str] = []
    for sid in decl.series:
        found = store.catalog.source_of(sid, lang)
        if found is not None and found[0] not in names:
            names.append(found[0])
    return names


@dataclass
class Table:
    """The numbers behind a chart, formatted for the page's language."""

    columns: list[str]
    rows: list[list[str]]


@dataclass
class Built:
    """What a builder returns: the Altair chart, its data table and an optional key note."""

    chart: Any  # an altair TopLevelMixin
    table: Table
    note: str = ""


def _day_table(wide: pd.DataFrame, labels: list[str], loc: ChartLocale,
               cell: Callable[[float], str]) -> Table:
    rows = [[loc.fmt.short_date(day.date())] + ["" if pd.isna(v) else cell(float(v)) for v in row]
            for day, row in zip(wide.index, wide.to_numpy(), strict=True)]
    return Table([loc.gettext("Date"), *labels], rows)


def _long(wide: pd.DataFrame, labels: list[str]) -> list[dict[str, Any]]:
    """Tidy rows for Vega-Lite: one {date, series, value} per point (values rounded)."""
    rows = []
    for day, row in zip(wide.index, wide.to_numpy(), strict=True):
        for label, value in zip(labels, row, strict=True):
            if not pd.isna(value):
                rows.append({"date": f"{day:%Y-%m-%d}", "series": label,
                             "value": round(float(value), 6)})
    return rows


# --- builders (one per kind) -------------------------------------------------------------------
def _line_chart(values: list[dict[str, Any]], labels: list[str], loc: ChartLocale, y_title: str,
                y_format: str, tip_format: str, interactive: bool, zero: bool = False,
                legend: bool = True, layout: Layout = WIDE) -> Any:
    import altair as alt

    x = alt.X("date:T", timeUnit="utcyearmonthdate", title=None,
              axis=alt.Axis(format=loc.style["day"], labelOverlap=True, tickCount=layout.ticks,
                                       grid=False))
    # no axis title: it would collide with the legend; the caption's note says what y is
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=zero, nice=True, padding=6),
              axis=alt.Axis(format=y_format))
    key = alt.Legend(orient="top", direction="horizontal", symbolType="stroke", symbolStrokeWidth=3,
                     columns=3 if layout.narrow else alt.Undefined)
    color = alt.Color("series:N", sort=labels, title=None,
                      scale=alt.Scale(domain=labels, range=list(SERIES_COLORS[: len(labels)])),
                      legend=key if legend and len(labels) > 1 else None)
    tooltip = [alt.Tooltip("date:T", timeUnit="utcyearmonthdate", format=loc.style["tooltip_day"],
                           title=loc.gettext("Date")),
               alt.Tooltip("series:N", title=loc.gettext("Series")),
               alt.Tooltip("value:Q", format=tip_format, title=y_title)]
    # invisible points only in the interactive version: they carry the tooltips
    point = alt.OverlayMarkDef(opacity=0, size=80) if interactive else False
    return alt.Chart(alt.Data(values=values)).mark_line(strokeWidth=2, point=point).encode(
        x=x, y=y, color=color, tooltip=tooltip).properties(width=layout.width, height=layout.height)


def build_drawdown(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Each series as % below its highest close since `start` (optional threshold line)."""
    import altair as alt

    labels = [_label(store, s, loc) for s in decl.series]
    frames = [_window(store, s, decl.start, decl.end) for s in decl.series]
    wide = pd.concat([f / f.cummax() - 1 for f in frames], axis=1)
    chart = _line_chart(_long(wide, labels), labels, loc, loc.gettext("Below the high"), ".0%",
                        ".1%", interactive, zero=True, layout=layout)
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
    table = _day_table(wide * 100, labels, loc, lambda v: loc.fmt.percent(v, 1))
    note = loc.gettext("Percent below each series' highest close since %(start)s") % {
        "start": loc.fmt.short_date(decl.start)}
    return Built(chart, table, note)


def build_rebased(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Each series rebased to `base` (100) on its first close in the range."""
    labels = [_label(store, s, loc) for s in decl.series]
    base = decl.options["base"]
    frames = [_window(store, s, decl.start, decl.end) for s in decl.series]
    wide = pd.concat([f / f.iloc[0] * base for f in frames], axis=1)
    title = loc.gettext("Rebased, first day = %(base)s") % {"base": loc.fmt.decimal(base, 0)}
    chart = _line_chart(_long(wide, labels), labels, loc, title, ",.0f", ",.1f", interactive,
                        layout=layout)
    return Built(chart, _day_table(wide, labels, loc, lambda v: loc.fmt.decimal(v, 1)), title)


def build_yields(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Yields in percent, several maturities on one axis."""
    labels = [_label(store, s, loc) for s in decl.series]
    wide = pd.concat([_window(store, s, decl.start, decl.end) for s in decl.series], axis=1)
    chart = _line_chart(_long(wide / 100, labels), labels, loc, loc.gettext("Yield"), ".1%", ".2%",
                        interactive, layout=layout)
    return Built(chart, _day_table(wide, labels, loc, lambda v: loc.fmt.percent(v, 2)))


def build_line(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Levels; with `panels: true` one panel per series, each with its own scale."""
    import altair as alt

    labels = [_label(store, s, loc) for s in decl.series]
    wide = pd.concat([_window(store, s, decl.start, decl.end) for s in decl.series], axis=1)
    table = _day_table(wide, labels, loc, lambda v: loc.fmt.decimal(v, 2))
    if not decl.options["panels"] or len(labels) == 1:
        chart = _line_chart(_long(wide, labels), labels, loc, loc.gettext("Close"), ",.0f", ",.2f",
                            interactive, layout=layout)
        return Built(chart, table)
    height = max(110, layout.height // len(labels) + 20)
    base = _line_chart(_long(wide, labels), labels, loc, "", ",.0f", ",.2f", interactive,
                       legend=False, layout=layout)
    chart = base.properties(height=height).facet(
        row=alt.Row("series:N", sort=labels, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                      labelOrient="top", labelFontSize=13, labelFontWeight="bold",
                                      labelPadding=4)),
        spacing=18,
    ).resolve_scale(y="independent")
    return Built(chart, table)


def _changes(values: pd.Series, start: dt.date, end: dt.date, step: str) -> pd.Series:
    """Percent changes over each trading day (or calendar week) ending inside [start, end]."""
    if step == "week":
        values = values.groupby(values.index.to_period("W-FRI")).last()
        values.index = values.index.end_time.normalize() - pd.Timedelta(days=0)
    change = values / values.shift(1) - 1
    inside = (change.index >= pd.Timestamp(start)) & (change.index <= pd.Timestamp(end))
    return change[inside].dropna()


def build_moves(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Bars of each day's (or week's) % change, one panel per series, coloured up/down."""
    import altair as alt

    _ = loc.gettext
    labels = [_label(store, s, loc) for s in decl.series]
    step = decl.options["step"]
    wide = pd.concat([_changes(store.series(s), decl.start, decl.end, step) for s in decl.series],
                     axis=1)
    rise, fall = _("Up"), _("Down")
    values, order = [], []
    for day, row in zip(wide.index, wide.to_numpy(), strict=True):
        d = day.date()
        if step == "week":
            period = _("Week to %(date)s") % {"date": format_skeleton("Md", d, locale=loc.babel)}
        else:
            period = format_skeleton("Md", d, locale=loc.babel) + "\n" + format_date(
                d, "EEE", locale=loc.babel)
        order.append(period)
        for label, value in zip(labels, row, strict=True):
            if not pd.isna(value):
                values.append({"period": period, "series": label, "value": round(float(value), 6),
                               "move": rise if value >= 0 else fall})
    y_title = _("Daily change") if step == "day" else _("Weekly change")
    base = alt.Chart().encode(
        x=alt.X("period:N", sort=order, title=None,
                axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '\\n')", ticks=False,
                              labelPadding=6, domain=True)),
        # no y title: the panel headers sit where it would go, and the chart title says it
        y=alt.Y("value:Q", title=None, axis=alt.Axis(
            format="+.0%", tickCount=5,  # a sign on rises, none on zero
            labelExpr="datum.value > 0 ? datum.label : format(datum.value, '.0%')")),
    )
    bars = base.mark_bar(cornerRadius=1).encode(
        color=alt.Color("move:N", scale=alt.Scale(domain=[rise, fall],
                                                  range=[loc.style["rise"], loc.style["fall"]]),
                        legend=None),
        tooltip=[alt.Tooltip("series:N", title=_("Series")),
                 alt.Tooltip("period:N", title=_("Date")),
                 alt.Tooltip("value:Q", format="+.2%", title=y_title)])
    text = base.mark_text(fontSize=11, fontWeight="bold").encode(
        text=alt.Text("value:Q", format="+.1%"), color=alt.value(LIGHT["fg"]))
    up = text.transform_filter("datum.value >= 0").mark_text(baseline="bottom", dy=-3, fontSize=11)
    down = text.transform_filter("datum.value < 0").mark_text(baseline="top", dy=3, fontSize=11)
    up, down = up.properties(name="value_up"), down.properties(name="value_down")
    gap = 14
    layered = alt.layer(bars, up, down, data=alt.Data(values=values))
    header = alt.Header(labelFontSize=13, labelFontWeight="bold")
    if layout.narrow:  # panels stacked, each as wide as the phone's column
        chart = layered.properties(width=layout.width, height=max(120, layout.height * 2 // 3)).facet(
            row=alt.Row("series:N", sort=labels, title=None,
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                          labelOrient="top", labelFontSize=13,
                                          labelFontWeight="bold", labelPadding=4)),
            spacing=gap)
    else:
        cell = max(120, (layout.width - gap * (len(labels) - 1)) // len(labels))
        chart = layered.properties(width=cell, height=layout.height).facet(
            column=alt.Column("series:N", sort=labels, title=None, header=header), spacing=gap)
    table_rows = [[p.replace("\n", " ")] + ["" if pd.isna(v) else loc.fmt.percent(float(v) * 100, 2)
                                            for v in row]
                  for p, row in zip(order, wide.to_numpy(), strict=True)]
    return Built(chart, Table([_("Date"), *labels], table_rows))


def build_macro(decl: ChartDecl, store: DataStore, loc: ChartLocale, interactive: bool,
               layout: Layout = WIDE) -> Built:
    """Macro releases: bars of the actual print, marks for the consensus; optional reference."""
    import altair as alt

    _ = loc.gettext
    fields = decl.options["fields"]
    reference = decl.options["reference"]
    labels = [_label(store, i, loc) for i in decl.series]
    units = {store.catalog.indicators[i].unit for i in decl.series}
    percent = units == {"percent"}
    scale = 0.01 if percent else 1.0
    y_format, tip_format = (".1%", ".1%") if percent else (",.0f", ",.1f")
    field_names = {"actual": _("Actual"), "consensus": _("Consensus"), "prior": _("Prior")}
    values, order, rows = [], [], []
    for iid, label in zip(decl.series, labels, strict=True):
        for period in _periods(store, iid, decl.start, decl.end):
            release = store.releases[(iid, period)]
            month = format_skeleton("yMMM", dt.date.fromisoformat(period + "-01"), locale=loc.babel)
            if month not in order:
                order.append(month)
            row: dict[str, Any] = {"period": month, "indicator": label}
            for f in fields:
                value = getattr(release, f)
                row[f] = None if value is None else round(value * scale, 6)
            values.append(row)
            cells = []
            for f in fields:
                value = getattr(release, f)
                cells.append("" if value is None else (loc.fmt.percent(value, 1) if percent
                                                        else loc.fmt.decimal(value, 1)))
            rows.append([month, label, *cells])
    x = alt.X("period:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, ticks=False))
    offset = alt.XOffset("indicator:N", sort=labels, scale=alt.Scale(paddingInner=0.12))
    y = alt.Y(f"{fields[0]}:Q", title=None, scale=alt.Scale(zero=reference is None),
              axis=alt.Axis(format=y_format, tickCount=6))
    tooltip = [alt.Tooltip("indicator:N", title=_("Indicator")),
               alt.Tooltip("period:N", title=_("Month"))]
    tooltip += [alt.Tooltip(f"{f}:Q", format=tip_format, title=field_names[f]) for f in fields]
    color = alt.Color("indicator:N", sort=labels, title=None,
                      scale=alt.Scale(domain=labels, range=list(SERIES_COLORS[: len(labels)])),
                      legend=alt.Legend(orient="top", direction="horizontal", columns=2,
                                        symbolType="square"))
    base = alt.Chart().encode(x=x, xOffset=offset)
    encoding: dict[str, Any] = {"y": y, "color": color, "tooltip": tooltip}
    if reference is not None:
        encoding["y2"] = alt.datum(reference * scale)
    layers: list[Any] = [base.mark_bar().encode(**encoding)]
    note_parts = [_("Bars: actual")]
    tick = max(6, round(layout.width / max(1, len(order)) / len(labels) * 0.75))  # about a bar's width
    for f in fields[1:]:
        layers.append(base.mark_tick(thickness=3, size=tick,
                                     color=LIGHT["fg"] if f == "consensus" else LIGHT["muted"])
                      .encode(y=f"{f}:Q", tooltip=tooltip).properties(name=f))
        note_parts.append(_("short lines: consensus") if f == "consensus"
                          else _("grey short lines: prior"))
    if reference is not None:
        ref = alt.Chart(alt.Data(values=[{"y": reference * scale}]))
        layers.append(ref.mark_rule(color=REFERENCE_COLOR, strokeDash=[5, 4]).encode(y="y:Q")
                      .properties(name="reference"))
        note_parts.append(_("line: %(value)s") % {"value": loc.fmt.decimal(reference, 0)})
    chart = alt.layer(*layers, data=alt.Data(values=values)).properties(width=layout.width,
                                                                        height=layout.height)
    table = Table([_("Month"), _("Indicator"), *(field_names[f] for f in fields)], rows)
    return Built(chart, table, note=_("; ").join(note_parts))


KINDS: dict[str, Kind] = {
    "drawdown": Kind(build_drawdown, "markets", {"threshold": None}),
    "rebased": Kind(build_rebased, "markets", {"base": 100}),
    "yields": Kind(build_yields, "markets"),
    "line": Kind(build_line, "markets", {"panels": False}),
    "moves": Kind(build_moves, "markets", {"step": "day"}),
    "macro": Kind(build_macro, "releases", {"fields": ["actual", "consensus"], "reference": None}),
}
OPTION_CHOICES: dict[str, tuple[Any, ...]] = {"step": ("day", "week")}
OPTION_LISTS: dict[str, tuple[str, ...]] = {"fields": ("actual", "consensus", "prior")}


# --- specs -------------------------------------------------------------------------------------
def theme_config(font: str = FONT) -> dict[str, Any]:
    """Vega-Lite config in the site's light palette (site.css repaints the SVG in dark mode)."""
    text = {"labelFont": font, "titleFont": font}
    return {
        "font": font,
        "background": "transparent",
        "aria": False,  # the figure carries one accessible name and a data table instead
        "view": {"stroke": None},
        # the y title sits above the axis, horizontal: rotated Chinese reads badly
        "axisY": {"titleAngle": 0, "titleAlign": "left", "titleAnchor": "end", "titleX": 0,
                  "titleY": -10, "titleBaseline": "bottom"},
        "axis": {**text, "labelColor": LIGHT["muted"], "titleColor": LIGHT["muted"],
                 "gridColor": LIGHT["rule"], "domainColor": LIGHT["muted"],
                 "tickColor": LIGHT["muted"], "labelFontSize": 12, "titleFontSize": 12,
                 "titleFontWeight": "normal"},
        "legend": {**text, "labelColor": LIGHT["fg"], "labelFontSize": 13},
        "header": {**text, "labelColor": LIGHT["fg"], "titleColor": LIGHT["fg"]},
        "title": {"font": font, "subtitleFont": font, "color": LIGHT["fg"], "fontSize": 17,
                  "subtitleColor": LIGHT["muted"], "subtitleFontSize": 13, "anchor": "start",
                  "offset": 12},
        "text": {"font": font},
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


def build_spec(decl: ChartDecl, store: DataStore, loc: ChartLocale) -> ChartSpec:
    """Build the Vega-Lite specs of a chart in one language (pure: data in, dicts out)."""
    kind = KINDS[decl.kind]
    built = kind.build(decl, store, loc, False, WIDE)

    def to_spec(chart: Any) -> dict[str, Any]:
        # schema validation costs ~50 ms a chart; tests validate every kind against the schema
        spec = chart.to_dict(validate=False)
        spec["config"] = {**theme_config(), **{k: v for k, v in spec.get("config", {}).items()
                                               if k not in theme_config()}}
        spec.pop("$schema", None)
        return spec

    spec = to_spec(built.chart)
    interactive = to_spec(kind.build(decl, store, loc, True, WIDE).chart)
    narrow = to_spec(kind.build(decl, store, loc, False, NARROW).chart)
    narrow_interactive = to_spec(kind.build(decl, store, loc, True, NARROW).chart)
    title, description = chart_texts(decl, store, loc)
    description = description or loc.gettext(
        "%(title)s, from %(start)s to %(end)s. The numbers are in the data table.") % {
        "title": title, "start": loc.fmt.short_date(decl.start),
        "end": loc.fmt.short_date(decl.end)}
    return ChartSpec(decl, loc.code, title, description, built.note, _sources(store, decl, loc.code), spec,
                     interactive, narrow, narrow_interactive, built.table, loc.format_locale,
                     loc.time_format_locale)


def chart_texts(decl: ChartDecl, store: DataStore, loc: ChartLocale) -> tuple[str, str]:
    """A chart's title and description in one language, figure expressions evaluated.

    Raises FigureProblems with the charts.yaml line of each expression that fails.
    """
    functions = FigureFunctions(store, loc.fmt).namespace()
    out: list[str] = []
    errors: list[SourceError] = []
    for key, texts in (("title", decl.title), ("description", decl.description)):
        text = texts.get(loc.code, "")
        line = decl.text_lines.get(f"{key}.{loc.code}", decl.line)
        value, _, problems = evaluate_figures(text, decl.src_path, line, functions)
        errors.extend(problems)
        # evaluate_figures escapes the figures for HTML; figure_html escapes the whole text
        out.append(html.unescape(value))
    if errors:
        raise FigureProblems(errors)
    return out[0], out[1]


# --- rendering ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderJob:
    """What a worker needs to render one chart (picklable)."""

    svg_spec: dict[str, Any]
    narrow_spec: dict[str, Any]
    png_spec: dict[str, Any]
    format_locale: dict[str, Any]
    time_format_locale: dict[str, Any]


def has_cjk_font(folder: Path) -> bool:
    """Whether a folder holds a Traditional Chinese sans-serif font the renderer can use."""
    return folder.is_dir() and any(next(folder.rglob(p), None) for p in CJK_FONT_FILES)


def font_folders(project_fonts: Path) -> tuple[list[Path], bool]:
    """The folders to register with vl-convert, and whether any CJK font is available."""
    extra = [project_fonts] if project_fonts.is_dir() else []
    found = any(has_cjk_font(folder) for folder in (*extra, *SYSTEM_FONT_DIRS))
    return extra, found


def register_fonts(folders: list[Path]) -> None:
    """Make font folders known to vl-convert (its own font database, once per process)."""
    import vl_convert as vlc

    for folder in folders:
        vlc.register_font_directory(str(folder))


def render_job(job: RenderJob) -> tuple[str, str, bytes]:
    """Render one chart to (wide SVG, narrow SVG, PNG bytes) with vl-convert."""
    import vl_convert as vlc

    locales = {"format_locale": job.format_locale, "time_format_locale": job.time_format_locale}
    svg = vlc.vegalite_to_svg(job.svg_spec, **locales)
    narrow = vlc.vegalite_to_svg(job.narrow_spec, **locales)
    png = vlc.vegalite_to_png(job.png_spec, scale=PNG_SCALE, **locales)
    return svg, narrow, png


def _render_batch(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, bytes]]:
    register_fonts(fonts)
    return [render_job(job) for job in jobs]


def render_many(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, bytes]]:
    """Render jobs, in several processes when there are enough to pay for the engines' start."""
    workers = min(os.cpu_count() or 1, len(jobs) // PARALLEL_MIN + 1)
    if workers <= 1:
        return _render_batch(jobs, fonts)
    # vl-convert holds the GIL while it renders, so threads do not help: processes do. Each one
    # starts its own JavaScript engine (~0.5 s), hence one batch per process. "spawn" because
    # forking a process that already runs the engine's threads is unsafe.
    batches = [jobs[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(_render_batch, batches, [fonts] * workers))
    out: list[tuple[str, str, bytes]] = [("", "", b"")] * len(jobs)
    for i, batch in enumerate(results):
        for j, result in enumerate(batch):
            out[i + j * workers] = result
    return out


def vega_bundle(cache: Cache) -> bytes:
    """The offline vega + vega-lite + vega-embed bundle from vl-convert (cached: ~2 s to make)."""
    key = content_key("vega-bundle", version("vl-convert-python"))
    data = cache.get(CACHE_NAMESPACE, key, "js")
    if data is None:
        import vl_convert as vlc

        data = vlc.javascript_bundle().encode("utf-8")
        cache.put(CACHE_NAMESPACE, key, "js", data)
    return data


# --- HTML --------------------------------------------------------------------------------------
SVG_ID_RE = re.compile(r'\bid="([^"]+)"')
SVG_URL_RE = re.compile(r"url\(#([^)]+)\)")
SVG_OPEN_RE = re.compile(r"<svg\b([^>]*)>")


def png_size(png: bytes) -> tuple[int, int]:
    """The pixel width and height in a PNG's header (IHDR is always the first chunk)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def accessible_svg(svg: str, prefix: str, title: str, description: str) -> str:
    """Give the SVG unique ids (several share a page), role="img", a <title> and a <desc>."""
    svg = presentational_marks(svg)  # Vega's per-mark roles: one image, one name (chart_a11y.py)
    svg = SVG_ID_RE.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = SVG_URL_RE.sub(lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    labels = (f'<title id="{prefix}-title">{html.escape(title)}</title>'
              f'<desc id="{prefix}-desc">{html.escape(description)}</desc>')
    return SVG_OPEN_RE.sub(lambda m: f'<svg{m.group(1)} role="img" aria-labelledby="{prefix}-title '
                                     f'{prefix}-desc">{labels}', svg, count=1)


def figure_html(spec: ChartSpec, svg: str, narrow: str, loc: ChartLocale) -> str:
    """The <figure> placed in the page: caption, inline SVGs, data table, interactive specs."""
    _ = loc.gettext
    prefix = f"chart-{spec.decl.name}"
    esc = html.escape
    head = "".join(f"<th scope=\"col\">{esc(c)}</th>" for c in spec.table.columns)
    body = "".join("<tr>" + f"<th scope=\"row\">{esc(row[0])}</th>"
                   + "".join(f"<td>{esc(c)}</td>" for c in row[1:]) + "</tr>"
                   for row in spec.table.rows)
    payload = json.dumps({"spec": spec.interactive, "narrow": spec.narrow_interactive,
                          "formatLocale": spec.format_locale,
                          "timeFormatLocale": spec.time_format_locale},
                         ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c")  # nothing inside may close the <script>
    note = f'<span class="chart-note">{esc(spec.note)}</span>' if spec.note else ""
    # both sizes ship; site.css shows the narrow one on phones, where the wide one would shrink
    graphic = (f'<div class="chart-wide">{accessible_svg(svg, prefix, spec.title, spec.description)}'
               f'</div><div class="chart-narrow">'
               f'{accessible_svg(narrow, prefix + "-narrow", spec.title, spec.description)}</div>')
    source = _("Source: %(names)s") % {"names": _(", ").join(spec.sources)}
    data_label = _("Data")
    return (
        f'<figure class="chart chart-{esc(spec.decl.kind)}" id="{prefix}" '
        f'data-chart="{esc(spec.decl.name)}">'
        f'<figcaption><span class="chart-title">{esc(spec.title)}</span>{note}</figcaption>'
        f'<div class="chart-graphic" data-pagefind-ignore>{graphic}</div>'
        f'<p class="chart-source">{esc(source)}</p>'
        f'<details class="chart-data" data-pagefind-ignore><summary>{esc(data_label)}</summary>'
        f'<div class="table-scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"</table></div></details>"
        f'<script type="application/json" class="chart-spec">{payload}</script>'
        f"</figure>"
    )


# --- the build step ----------------------------------------------------------------------------
@dataclass
class RenderedChart:
    """A chart of one page, ready to place: its figure HTML and its PNG twin."""

    name: str
    title: str
    html: str
    png: bytes
    width: int
    height: int


@dataclass
class PageCharts:
    """The chart() function of one page, and the record of the charts it placed."""

    issue_key: str
    lang: Language
    urls: Urls
    charts: dict[str, RenderedChart]
    declared_in: Path | None
    placed: list[RenderedChart] = field(default_factory=list)

    def chart(self, name: str) -> BlockHTML:
        """Place the chart declared as `name` in charts.yaml (a figure block)."""
        if not isinstance(name, str):
            raise FigureError(f"chart() takes the chart's name, got {name!r}")
        found = self.charts.get(name)
        if found is None:
            if self.declared_in is None:
                raise FigureError(f"no chart {name!r}: this issue has no {CHARTS_FILE}",
                                  f"declare it in {CHARTS_FILE} beside the Markdown files")
            known = ", ".join(sorted(self.charts)) or "none"
            raise FigureError(f"unknown chart {name!r}", f"charts in {CHARTS_FILE}: {known}")
        if found not in self.placed:
            self.placed.append(found)
        return BlockHTML(found.html)

    def records(self) -> list[dict[str, Any]]:
        """The placed charts for feeds and social cards: name, title, PNG site path and size."""
        return [{"name": c.name, "title": c.title, "width": c.width, "height": c.height,
                 "png_path": self.urls.chart(self.issue_key, c.name, self.lang, "png")}
                for c in self.placed]

    def assets(self) -> dict[str, str]:
        """The scripts that upgrade the page's charts where JavaScript runs."""
        return {"script": self.urls.href(self.urls.static(CHART_SCRIPT)),
                "vega": self.urls.href(self.urls.static(VEGA_BUNDLE))}


@dataclass
class ChartSet:
    """Every chart of the site, rendered, by (issue key, language code)."""

    config: Config
    charts: dict[tuple[str, str], dict[str, RenderedChart]] = field(default_factory=dict)
    declared_in: dict[str, Path] = field(default_factory=dict)
    rendered: int = 0  # charts rendered by this build (cache misses)
    bundle: bytes = b""

    def for_page(self, issue_key: str, lang: Language) -> PageCharts:
        """The chart() function for one page."""
        return PageCharts(issue_key, lang, Urls(self.config),
                          self.charts.get((issue_key, lang.code), {}),
                          self.declared_in.get(issue_key))

    def outputs(self) -> list[Output]:
        """The PNG twins and, when any chart exists, the vega bundle."""
        urls = Urls(self.config)
        out = [Output(urls.chart(key, c.name, self.config.language(code), "png"), c.png)
               for (key, code), charts in self.charts.items() for c in charts.values()]
        if self.bundle:
            out.append(Output(urls.static(VEGA_BUNDLE), self.bundle))
        return out


def prepare_charts(issues: list[Issue], store: DataStore, config: Config, translations_dir: Path,
                   fonts_dir: Path, cache: Cache, problems: Problems) -> ChartSet:
    """Read every charts.yaml, build the specs per language, render misses; collect problems."""
    result = ChartSet(config)
    specs: list[tuple[str, ChartSpec, ChartLocale]] = []
    locales: dict[str, ChartLocale] = {}
    for issue in issues:
        path = issue.src_dir / CHARTS_FILE
        if not path.is_file():
            continue
        result.declared_in[issue.key] = path
        decls, errors = read_chart_decls(path, store, list(issue.pages))
        for err in errors:
            problems.error(err)
        for code in issue.pages:
            lang = config.language(code)
            loc = locales.setdefault(code, chart_locale(lang, translations_dir))
            for decl in decls:
                try:
                    specs.append((issue.key, build_spec(decl, store, loc), loc))
                except FigureProblems as many:
                    for err in many.errors:
                        problems.error(err)
                except FigureError as exc:
                    problems.error(SourceError(decl.src_path, decl.line,
                                               f"chart {decl.name!r}: {exc.message}", exc.hint))
    if not specs:
        return result
    fonts, found = font_folders(fonts_dir)
    if not found:
        first = next(iter(result.declared_in.values()))
        problems.warn(SourceError(first, None, "no CJK font found: Chinese text in chart images "
                                  "will show as boxes",
                                  "install fonts-noto-cjk (scripts/install-system-deps.sh)"))
    keys = [spec.key() for _, spec, _ in specs]
    svgs: dict[str, tuple[str, str]] = {}  # key → (wide, narrow)
    pngs: dict[str, bytes] = {}
    misses: dict[str, RenderJob] = {}
    for key, (_, spec, _) in zip(keys, specs, strict=True):
        svg, narrow = (cache.get(CACHE_NAMESPACE, key, s) for s in ("svg", "narrow.svg"))
        png = cache.get(CACHE_NAMESPACE, key, "png")
        if svg is not None and narrow is not None and png is not None:
            svgs[key], pngs[key] = (svg.decode("utf-8"), narrow.decode("utf-8")), png
        elif key not in misses:
            misses[key] = RenderJob(spec.spec, spec.narrow, spec.png_spec(), spec.format_locale,
                                    spec.time_format_locale)
    if misses and sys.stderr.isatty():  # progress for a person waiting, not for logs and tests
        print(f"rendering {len(misses)} chart(s)…", file=sys.stderr, flush=True)
    rendered = render_many(list(misses.values()), fonts)
    for key, (svg, narrow, png) in zip(misses, rendered, strict=True):
        cache.put(CACHE_NAMESPACE, key, "svg", svg.encode("utf-8"))
        cache.put(CACHE_NAMESPACE, key, "narrow.svg", narrow.encode("utf-8"))
        cache.put(CACHE_NAMESPACE, key, "png", png)
        svgs[key], pngs[key] = (svg, narrow), png
    result.rendered = len(misses)
    for key, (issue_key, spec, loc) in zip(keys, specs, strict=True):
        width, height = png_size(pngs[key])
        page = result.charts.setdefault((issue_key, spec.lang), {})
        page[spec.decl.name] = RenderedChart(spec.decl.name, spec.title,
                                             figure_html(spec, *svgs[key], loc), pngs[key],
                                             width, height)
    result.bundle = vega_bundle(cache)
    return result
