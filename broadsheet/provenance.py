"""Provenance: as of when a page's data runs and where it comes from, from the figures it used."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .config import Language
from .figures import FigureUse

if TYPE_CHECKING:
    from .data import DataStore
    from .render import Renderer
    from .views import IssuePage

PARTIAL = "partials/provenance.html"


def _chart_usage(charts: Iterable[Any]) -> tuple[list[str], list[dt.date]]:
    """Series and dates of placed charts, when their records carry them (`series`, `dates`/`last_date`)."""
    series: list[str] = []
    dates: list[dt.date] = []
    for chart in charts:
        get = chart.get if isinstance(chart, dict) else lambda k, d=None, c=chart: getattr(c, k, d)
        named = get("series", ()) or ()
        series.extend([named] if isinstance(named, str) else list(named))
        for day in list(get("dates", ()) or ()) + [get("last_date")]:
            if isinstance(day, dt.date):
                dates.append(day)
            elif isinstance(day, str):
                try:
                    dates.append(dt.date.fromisoformat(day))
                except ValueError:
                    continue
    return series, dates


def provenance(figures: list[FigureUse], store: DataStore, charts: Iterable[Any] = (),
               lang: str = "") -> dict[str, Any]:
    """{as_of: the last date the figures (and charts) used, sources: [{name, url}] in order of first use}."""
    chart_series, chart_dates = _chart_usage(charts)
    dates = [d for use in figures for d in use.dates] + chart_dates
    sources: dict[str, dict[str, str]] = {}
    for ident in [use.series for use in figures] + chart_series:
        found = store.catalog.source_of(ident, lang)
        if found is None:
            continue
        name, url = found
        known = sources.setdefault(name, {"name": name, "url": url})
        if url and not known["url"]:
            known["url"] = url
    return {"as_of": max(dates) if dates else None, "sources": list(sources.values())}


def page_provenance(ip: IssuePage, store: DataStore) -> dict[str, Any]:
    """The provenance of an assembled page: its figures and the charts it placed."""
    return provenance(ip.figures, store, ip.extra.get("charts") or (), ip.lang.code)


def provenance_html(renderer: Renderer, lang: Language, prov: dict[str, Any]) -> Markup:
    """The "data as of … · sources" note as HTML in the page's language (for feeds and email)."""
    return Markup(renderer.render(PARTIAL, lang, provenance=prov))
