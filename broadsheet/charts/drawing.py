"""What the renderer (engine.py) is given and makes of a chart: a `RenderJob`, a `Drawing`.

No vl-convert here: spec.py makes the jobs, step.py places the drawings, and neither needs the
renderer loaded for that; a chart set taken from the cache needs neither at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The PNG twins a chart can have, named by their files' suffix (urls.chart's ext): the wide
# drawing and the narrow one, each framed under the chart's title and note (engine.png_frame).
WIDE_PNG, NARROW_PNG = "png", "narrow.png"
PNG_SOURCES = {WIDE_PNG: "svg", NARROW_PNG: "narrow_svg"}  # twin → the Drawing field it is rasterised from


@dataclass(frozen=True)
class RenderJob:
    """What a render worker needs to draw one chart (picklable)."""

    svg_spec: dict[str, Any]
    narrow_spec: dict[str, Any] | None  # None: the narrow drawing is the wide one
    title: str  # the PNG twins' title and note (the page shows them as HTML)
    note: str
    format_locale: dict[str, Any]
    time_format_locale: dict[str, Any]
    pngs: tuple[str, ...] = (WIDE_PNG,)  # the PNG twins to draw (chartset.png_twins(): what the outputs link)


@dataclass(frozen=True)
class Drawing:
    """The rendered forms of one chart in one language."""

    svg: str
    narrow_svg: str
    # twin (WIDE_PNG, NARROW_PNG) → its PNG, a file of the cache when there is one: thousands of
    # PNG twins are not held. Only the twins the job asked for.
    pngs: dict[str, bytes | Path]


def png_size(png: bytes | Path) -> tuple[int, int]:
    """The pixel width and height in a PNG's header (IHDR is always the first chunk)."""
    if isinstance(png, Path):
        with png.open("rb") as fp:
            png = fp.read(24)
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
