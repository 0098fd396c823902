"""A placed chart as data: what the page, the feeds and the email each render in their own partial.

Nothing here writes HTML for a page: templates/partials/chart.html (page: inline SVGs and the
data table), chart-feed.html (PNG and caption) and chart-email.html (PNG) do. The SVGs are
prepared once here (unique ids, an accessible name) because they are vl-convert's output;
step.chart_block makes a block of a spec and its drawing. No pandas, Altair or vl-convert: a
chart set taken from the cache holds blocks.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from broadsheet.charts.a11y import presentational_marks
from broadsheet.charts.built import Table
from broadsheet.figures.uses import FigureUse

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
    narrow_png_path: str = ""  # site path of the narrow PNG twin (the email's), when drawn
    narrow_png_width: int = 0  # its size in CSS pixels (the image has PNG_SCALE pixels a CSS pixel)
    narrow_png_height: int = 0

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


def svg_size(svg: str) -> tuple[int, int]:
    """The width and height an SVG declares on its root element (0, 0 when it does not)."""
    found = SVG_SIZE_RE.search(svg)
    return (round(float(found.group(1))), round(float(found.group(2)))) if found else (0, 0)


def standalone_svg(svg: str) -> str:
    """An accessible drawing as a file for <img>: dark-mode rules inside it."""
    return SVG_OPEN_RE.sub(lambda m: f"<svg{m.group(1)}>{DARK_STYLE}", svg, count=1)
