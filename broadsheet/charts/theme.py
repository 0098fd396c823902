"""The charts' look: palette, fonts, sizes and per-language conventions (no data, no pandas)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The site's palette (static/css/site.css). Series colours are mid-tones that keep their
# contrast on both the light (#fdfcf9) and the dark (#15161a) background; the text, grid and
# axis colours below are the light theme's, and site.css repaints them in dark mode.
LIGHT = {"bg": "#fdfcf9", "fg": "#1d1d1f", "muted": "#5b5b63", "rule": "#dedad2"}
SERIES_COLORS = ("#2f72c4", "#e07b24", "#2a9d8f", "#a35db8", "#c9a227")
RED, GREEN = "#d23f3f", "#1f9a55"
REFERENCE_COLOR = "#8a6d1a"
CJK_FAMILY = "Noto Sans CJK TC"  # named first: the default family may fall back to a serif face
FONT = f'"{CJK_FAMILY}", "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif'
PNG_SCALE = 2  # the PNG twin's pixels per SVG unit: crisp on high-density screens and in social previews
WIDTH, HEIGHT = 560, 260  # the plot area; the text column is 42rem ≈ 670 px

# Date and up/down conventions per language (by Babel language code; English is the fallback).
# `day_skeleton` (a day on a chart's axis or bar: 4/9, Apr 9) and `tooltip_day` (2025/4/9, Apr 9,
# 2025) are Babel skeletons; `month` and `date` are d3 formats.
STYLES: dict[str, dict[str, Any]] = {
    "zh": {"day_skeleton": "Md", "month": "%Y/%-m", "tooltip_day": "yMd", "date": "%Y/%-m/%-d",
           "rise": RED, "fall": GREEN},  # Taiwan: red is up
    "en": {"day_skeleton": "MMMd", "month": "%b %Y", "tooltip_day": "yMMMd", "date": "%-m/%-d/%Y",
           "rise": GREEN, "fall": RED},
}


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
