"""What the chart kinds share: the data in a declared range, series names, tables, tidy rows.

Each kind module imports these; spec.py reads `window` and `periods` for the checks that need
the data, and `chart_sources` for a chart's caption.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

from broadsheet.charts.built import Table
from broadsheet.charts.decls import ChartDecl
from broadsheet.charts.locale import ChartLocale

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore


def window(store: DataStore, sid: str, start: dt.date, end: dt.date) -> pd.Series:
    """A series' closes from `start` to `end`, both included."""
    values = store.series(sid)
    return values[(values.index >= pd.Timestamp(start)) & (values.index <= pd.Timestamp(end))]


def periods(store: DataStore, iid: str, start: dt.date, end: dt.date) -> list[str]:
    """The months ("2025-03") with a release of an indicator from `start` to `end`, oldest first."""
    first, last = f"{start:%Y-%m}", f"{end:%Y-%m}"
    return sorted(p for (i, p) in store.releases if i == iid and first <= p <= last)


def series_label(store: DataStore, sid: str, loc: ChartLocale) -> str:
    """A series' short name (or an indicator's name) in the chart's language, as its legend shows it."""
    if sid in store.catalog.series:
        return store.catalog.series[sid].short.get(loc.code, sid)
    return store.catalog.indicators[sid].name.get(loc.code, sid)


def chart_sources(store: DataStore, decl: ChartDecl, lang: str) -> list[str]:
    """The names of the sources a chart's series come from, each once, in the order of the series."""
    names: list[str] = []
    for sid in decl.series:
        found = store.catalog.source_of(sid, lang)
        if found is not None and found[0] not in names:
            names.append(found[0])
    return names


def day_table(wide: pd.DataFrame, labels: list[str], loc: ChartLocale, cell: Callable[[float], str]) -> Table:
    """A data table with a row per day and a column per series (`cell` formats a value)."""
    rows = [[loc.fmt.short_date(day.date())] + ["" if pd.isna(v) else cell(float(v)) for v in row]
            for day, row in zip(wide.index, wide.to_numpy(), strict=True)]
    return Table([loc.gettext("Date"), *labels], rows)


def long_rows(wide: pd.DataFrame, labels: list[str]) -> list[dict[str, Any]]:
    """Tidy rows for Vega-Lite: one {date, series, value} per point (values rounded); a day inside a
    series' span on which it has no close but another series of the chart has (it did not trade:
    another calendar) gets value null, so the series' line breaks there instead of crossing it."""
    columns = [wide.iloc[:, i] for i in range(wide.shape[1])]  # by position: a series may be named twice
    spans = [(c.first_valid_index(), c.last_valid_index()) for c in columns]
    rows = []
    for day, row in zip(wide.index, wide.to_numpy(), strict=True):
        for label, value, (first, last) in zip(labels, row, spans, strict=True):
            if not pd.isna(value):
                rows.append({"date": f"{day:%Y-%m-%d}", "series": label, "value": round(float(value), 6)})
            elif first is not None and first < day < last:
                rows.append({"date": f"{day:%Y-%m-%d}", "series": label, "value": None})
    return rows


def row_header() -> alt.Header:
    """The header of a panel stacked in rows: its series' name above it, bold, from the left."""
    return alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontSize=13,
                      labelFontWeight="bold", labelPadding=4)
