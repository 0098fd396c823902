"""A placed chart as data: what the page, the feeds and the email each render in their own partial.

Nothing here writes HTML for a page: templates/partials/chart.html (page: inline SVGs and the
data table), chart-feed.html (PNG and caption) and chart-email.html (PNG) do. The SVGs are
prepared once here (unique ids, an accessible name) because they are vl-convert's output.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from broadsheet.charts.a11y import presentational_marks
from broadsheet.charts.built import Table
from broadsheet.charts.drawing import Drawing, png_size
from broadsheet.core.typography import full_width_punctuation
from broadsheet.core.urls import Urls
from broadsheet.figures.functions import FigureUse

if TYPE_CHECKING:  # spec.py loads pandas and Altair; a placed (cached) block needs neither
    from broadsheet.charts.spec import ChartSpec

SVG_ID_RE = re.compile(r'\bid="([^"]+)"')
SVG_SIZE_RE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"')
# The narrow drawing is a file shown by <img>: the page's CSS cannot repaint it for dark mode, so it
# carries the same rules as site.css's chart section, with the dark palette's colours.
DARK_STYLE = (
    "<style>@media (prefers-color-scheme: dark){"
    ".role-axis-label text,.role-axis-title text,.prior_marks path{fill:#a8a6a0}"
    ".role-axis-grid path,.role-axis-grid line{stroke:#34353b}"
    ".role-axis-domain path,.role-axis-domain line,.role-axis-tick path,.role-axis-tick line{stroke:#a8a6a0}"
    ".role-legend-label text,.role-title-text text,.role-column-header text,.role-row-header text,"
    ".value_up_marks text,.value_down_marks text,.consensus_marks path{fill:#e8e6e1}"
    ".reference_marks path,.reference_marks line{stroke:#d6b445}.reference_label_marks text{fill:#d6b445}}"
    "</style>")
SVG_URL_RE = re.compile(r"url\(#([^)]+)\)")
SVG_OPEN_RE = re.compile(r"<svg\b([^>]*)>")


@dataclass(frozen=True)
class ChartBlock:
    """One chart placed on one page, with everything any output needs to show it."""

    name: str
    kind: str
    title: str
    description: str
    note: str
    sources: tuple[str, ...]
    series: tuple[str, ...]  # the series or indicators it draws: they count as the page's sources
    start: dt.date
    end: dt.date
    last_date: dt.date | None  # the newest data it shows: counts toward the page's "data as of"
    figures: tuple[FigureUse, ...]  # figures quoted in its title and description
    svg: str  # wide drawing, inline on the page: accessible, ids unique on the page
    narrow_svg: str  # the phone drawing, a file of its own (fetched only where it shows)
    table: Table
    payload: str  # the interactive specs as JSON, a file of its own (fetched when a reader touches the chart)
    png_path: str  # site path of the PNG twin
    width: int
    height: int
    narrow_path: str = ""  # site path of the narrow drawing
    wide_path: str = ""  # site path of the wide drawing as a file (charts after a page's first use it)
    wide_file: str = ""  # its content: the wide drawing with its own dark-mode rules
    wide_width: int = 0
    wide_height: int = 0
    spec_path: str = ""  # site path of the interactive specs
    narrow_width: int = 0
    narrow_height: int = 0

    @property
    def anchor(self) -> str:
        """The figure's id on the page."""
        return f"chart-{self.name}"


def accessible_svg(svg: str, prefix: str, title: str, description: str) -> str:
    """Give the SVG unique ids (several share a page), role="img", a <title> and a <desc>."""
    svg = presentational_marks(svg)  # one image with one name: Vega's per-mark roles go (a11y.py)
    svg = SVG_ID_RE.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = SVG_URL_RE.sub(lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    labels = (f'<title id="{prefix}-title">{html.escape(title)}</title>'
              f'<desc id="{prefix}-desc">{html.escape(description)}</desc>')
    return SVG_OPEN_RE.sub(lambda m: f'<svg{m.group(1)} role="img" aria-labelledby="{prefix}-title '
                                     f'{prefix}-desc">{labels}', svg, count=1)


def interactive_payload(spec: ChartSpec) -> str:
    """The specs and locales the page's script needs to redraw the chart with tooltips."""
    payload = json.dumps({"spec": spec.interactive, "narrow": spec.narrow_interactive,
                          "formatLocale": spec.format_locale, "timeFormatLocale": spec.time_format_locale},
                         ensure_ascii=False, separators=(",", ":"))
    return payload.replace("<", "\\u003c")  # nothing inside may close the <script>


def svg_size(svg: str) -> tuple[int, int]:
    """The width and height an SVG declares on its root element (0, 0 when it does not)."""
    found = SVG_SIZE_RE.search(svg)
    return (round(float(found.group(1))), round(float(found.group(2)))) if found else (0, 0)


def standalone_svg(svg: str) -> str:
    """An accessible drawing as a file for <img>: dark-mode rules inside it."""
    return SVG_OPEN_RE.sub(lambda m: f"<svg{m.group(1)}>{DARK_STYLE}", svg, count=1)


def chart_block(issue_key: str, spec: ChartSpec, drawing: Drawing, urls: Urls) -> ChartBlock:
    """The block of one chart of one page."""
    decl = spec.decl
    prefix = f"chart-{decl.name}"
    lang = urls.config.language(spec.lang)
    width, height = png_size(drawing.png)
    narrow = standalone_svg(accessible_svg(drawing.narrow_svg, prefix + "-narrow", spec.title, spec.description))
    wide_file = standalone_svg(accessible_svg(drawing.svg, prefix + "-file", spec.title, spec.description))
    if urls.config.full_width_punctuation and lang.html_lang.startswith("zh"):
        narrow = full_width_punctuation(narrow)  # its title and description read like the page's (clreq)
        wide_file = full_width_punctuation(wide_file)
    narrow_width, narrow_height = svg_size(narrow)
    wide_width, wide_height = svg_size(wide_file)
    return ChartBlock(
        name=decl.name, kind=decl.kind, title=spec.title, description=spec.description, note=spec.note,
        sources=tuple(spec.sources), series=decl.series, start=decl.start, end=decl.end,
        last_date=spec.last_date, figures=tuple(spec.figures),
        svg=accessible_svg(drawing.svg, prefix, spec.title, spec.description),
        narrow_svg=narrow, table=spec.table, payload=interactive_payload(spec),
        png_path=urls.chart(issue_key, decl.name, lang, "png"), width=width, height=height,
        narrow_path=urls.chart(issue_key, decl.name, lang, "narrow.svg"),
        spec_path=urls.chart(issue_key, decl.name, lang, "json"), narrow_width=narrow_width,
        narrow_height=narrow_height, wide_path=urls.chart(issue_key, decl.name, lang, "svg"), wide_file=wide_file,
        wide_width=wide_width, wide_height=wide_height)
