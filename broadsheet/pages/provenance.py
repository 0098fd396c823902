"""Provenance: as of when a page's data runs and where it comes from, from its figures and charts,
and where its quotations come from (their `<!-- source: … -->` marks, content/quotes.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from broadsheet.content.quotes import source_marks
from broadsheet.core.typography import punctuate_text
from broadsheet.figures.uses import FigureUse

if TYPE_CHECKING:
    from broadsheet.charts.blocks import ChartBlock
    from broadsheet.content.issues import Page
    from broadsheet.data.store import DataStore


@dataclass(frozen=True)
class Source:
    """A data source cited by a page, in the page's language."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class Provenance:
    """The newest date a page's data shows, and its sources in order of first use."""

    as_of: dt.date | None
    sources: tuple[Source, ...] = field(default_factory=tuple)
    data_csv: str = ""  # "the data behind this issue": every figure it quotes (receipts.py)
    data_json: str = ""


def provenance(figures: list[FigureUse], store: DataStore, charts: Iterable[ChartBlock] = (),
               lang: str = "", data_links: dict[str, str] | None = None, full_width: bool = False) -> Provenance:
    """The provenance of the given figures and placed charts (their series, their last data).

    `full_width`: a Chinese edition's source names get clreq's punctuation (typography.py), as
    the edition shows them; data/catalog.yaml and data.csv keep them as written."""
    charts = list(charts)
    uses = [*figures, *(use for chart in charts for use in chart.figures)]
    # a range figure (low, high) read every close of its span, so its last day counts
    dates = [d for use in uses for d in (*use.dates, *use.span)]
    dates += [c.last_date for c in charts if c.last_date is not None]
    idents = [use.series for use in uses] + [sid for chart in charts for sid in chart.series]
    sources: dict[str, Source] = {}
    for ident in idents:
        found = store.catalog.source_of(ident, lang)
        if found is None:
            continue
        name, url = found
        name = punctuate_text(name) if full_width else name
        known = sources.get(name)
        if known is None or (url and not known.url):
            sources[name] = Source(name, url or (known.url if known else ""))
    links = data_links if figures and data_links else {}
    return Provenance(max(dates) if dates else None, tuple(sources.values()),
                      links.get("csv", ""), links.get("json", ""))


def with_quotations(found: Provenance, page: Page, full_width: bool = False) -> Provenance:
    """The provenance with the sources of the page's quotations (its `<!-- source: … -->` marks)
    after its data sources, each once (`full_width`: as a Chinese edition shows them)."""
    sources = list(found.sources)
    for quote in source_marks(page.body, page.body_line):
        source = Source(punctuate_text(quote.text) if full_width else quote.text, quote.url)
        if source not in sources:
            sources.append(source)
    return replace(found, sources=tuple(sources))
