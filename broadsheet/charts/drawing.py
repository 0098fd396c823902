"""What the renderer makes of a chart: its drawings as data, and a PNG's pixel size.

No vl-convert here: blocks.py reads a drawing to place a chart, and a chart set taken from the
cache is unpickled without loading the renderer (engine.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Drawing:
    """The rendered forms of one chart in one language."""

    svg: str
    narrow_svg: str
    png: bytes | Path  # a file of the cache when there is one: thousands of PNG twins are not held


def png_size(png: bytes | Path) -> tuple[int, int]:
    """The pixel width and height in a PNG's header (IHDR is always the first chunk)."""
    if isinstance(png, Path):
        with png.open("rb") as fp:
            png = fp.read(24)
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
