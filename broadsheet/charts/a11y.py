"""Inline chart drawings for assistive technology: one image with one name, not hundreds of marks.

Vega marks every group and mark of its SVG with an ARIA role (`graphics-object`,
`graphics-symbol`), `aria-roledescription` and sometimes `aria-label`. Inside our `<svg role="img"
aria-labelledby="…title …desc">` those children are presentational anyway, but axe-core reports
each unnamed `graphics-symbol` (rule `svg-img-alt`, serious) and screen readers may still walk
them. The chart's content is in its caption, its <title>/<desc> and the data table beside it.
"""

from __future__ import annotations

import re

INNER_ARIA_RE = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def presentational_marks(svg: str) -> str:
    """Remove role, aria-roledescription and aria-label from every element but the root <svg>."""
    start = svg.find("<svg")
    end = svg.find(">", start) + 1 if start >= 0 else 0
    return svg[:end] + INNER_ARIA_RE.sub("", svg[end:])
