"""Drawing charts: vl-convert renders each spec to SVG (wide, narrow) and a PNG twin.

The wide SVG is rendered once; the narrow one only when its spec differs; the PNG twin is
rasterised (resvg, through vl-convert's svg_to_png) from the wide SVG framed with its title.
Results go through the content-hash cache, keyed by the spec, RENDER_VERSION and the font set;
misses render in a pool of processes, one JavaScript engine each, in chunks (a process is
replaced after RECYCLE_AFTER chunks: the engine's heap grows with every render). Fonts: the
system's, plus the project's fonts/ folder when present (fonts.py).

Only step.py imports this module, when charts are drawn; what a job and a drawing are
(drawing.py) and the vega bundle (vega.py) live apart, so that placing cached charts and shipping
the bundle need no vl-convert. A render worker imports this module: no pandas, no Altair.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import re
import sys
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import vl_convert as vlc

from broadsheet.charts import CACHE_NAMESPACE
from broadsheet.charts.drawing import Drawing, RenderJob
from broadsheet.charts.theme import FONT, LIGHT, PNG_SCALE
from broadsheet.core.cache import Cache, content_key
from broadsheet.core.failures import held_interrupts  # Ctrl-C: one line from this process, none from workers

PARALLEL_MIN = 8  # below this many misses, one process is faster than starting several engines
# How a chart becomes its drawings; part of every key, so a change here redraws every chart.
# 2: the PNG is rasterised from the wide SVG under its title (one Vega render fewer); the narrow
# drawing is rendered only when its spec differs from the wide one.
RENDER_VERSION = 2
PNG_PADDING = 16  # around the PNG twin, as Vega's `padding` was
TITLE_SIZE, NOTE_SIZE, TITLE_GAP = 17, 13, 12  # theme_config()'s title, subtitle and offset


_REGISTERED: set[str] = set()  # font folders this process's vl-convert already knows


def register_fonts(folders: list[Path]) -> None:
    """Make font folders known to vl-convert (its own font database, once per process and folder:
    registering again would add every face a second time)."""
    for folder in folders:
        if str(folder) not in _REGISTERED:
            vlc.register_font_directory(str(folder))
            _REGISTERED.add(str(folder))


def render_job(job: RenderJob) -> tuple[str, str, bytes]:
    """Render one chart to (wide SVG, narrow SVG, PNG bytes): one or two Vega renders, one rasterisation."""
    locales = {"format_locale": job.format_locale, "time_format_locale": job.time_format_locale}
    svg = vlc.vegalite_to_svg(job.svg_spec, **locales)
    narrow = svg if job.narrow_spec is None else vlc.vegalite_to_svg(job.narrow_spec, **locales)
    png = vlc.svg_to_png(png_frame(svg, job.title, job.note), scale=PNG_SCALE)
    return svg, narrow, png


SVG_SIZE_RE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def _text_width(text: str, size: int) -> float:
    """A generous estimate of a line's width: full-width characters 1 em, others 0.6 em."""
    return sum(size * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6) for c in text)


def png_frame(svg: str, title: str, note: str) -> str:
    """The PNG twin's drawing: the wide SVG on the light background under its title and note.

    It replaces a third Vega render (the same chart with a title) by a few lines of SVG that
    resvg rasterises with the same fonts.
    """
    found = SVG_SIZE_RE.search(svg)
    if found is None:
        raise ValueError("the chart's SVG has no width and height")
    width, height = float(found.group(1)), float(found.group(2))
    pad = PNG_PADDING
    font = html.escape(FONT, quote=True)
    lines = [f'<text x="{pad}" y="{pad + TITLE_SIZE}" font-family="{font}" font-size="{TITLE_SIZE}" '
             f'font-weight="bold" fill="{LIGHT["fg"]}">{html.escape(title)}</text>']
    top = pad + TITLE_SIZE + 4
    if note:
        lines.append(f'<text x="{pad}" y="{top + NOTE_SIZE + 2}" font-family="{font}" font-size="{NOTE_SIZE}" '
                     f'fill="{LIGHT["muted"]}">{html.escape(note)}</text>')
        top += NOTE_SIZE + 6
    top += TITLE_GAP
    inner = max(width, _text_width(title, TITLE_SIZE), _text_width(note, NOTE_SIZE))
    full_w, full_h = round(inner + 2 * pad), round(top + height + pad)
    chart = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg).replace("<svg", f'<svg x="{pad}" y="{top}"', 1)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{full_w}" height="{full_h}" '
            f'viewBox="0 0 {full_w} {full_h}"><rect width="{full_w}" height="{full_h}" fill="{LIGHT["bg"]}"/>'
            f'{"".join(lines)}{chart}</svg>')


def _render_batch(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, bytes]]:
    register_fonts(fonts)
    return [render_job(job) for job in jobs]


CHUNK = 32  # charts per task: drawings come back as they are made, not all at the end
# Tasks a render process runs before a fresh one replaces it: the JavaScript engine's heap grows
# by about 0.2 MB a chart, so a process that drew thousands of charts held gigabytes.
RECYCLE_AFTER = 16


def render_many(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, bytes]]:
    """Render jobs, in several processes when there are enough to pay for the engines' start."""
    workers = min(os.cpu_count() or 1, len(jobs) // PARALLEL_MIN + 1)
    if workers <= 1:
        return _render_batch(jobs, fonts)
    # vl-convert holds the GIL while it renders, so threads do not help: processes do. Each one
    # starts its own JavaScript engine (~0.5 s) and keeps it for RECYCLE_AFTER chunks. "spawn"
    # because forking a process that already runs the engine's threads is unsafe.
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    context = multiprocessing.get_context("spawn")
    out: list[tuple[str, str, bytes]] = []
    with held_interrupts(), ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                max_tasks_per_child=RECYCLE_AFTER) as pool:
        for drawn in pool.map(_render_batch, chunks, [fonts] * len(chunks)):
            out.extend(drawn)
    return out


def draw_all(charts: list[tuple[str, RenderJob]], cache: Cache, fonts: list[Path],
             fonts_key: str = "") -> tuple[list[Drawing], int]:
    """Draw every chart, given as its spec's key (spec.ChartSpec.key) and its render job, from the
    cache when its key is known; return the drawings, in order, and the number of misses.

    A drawing's key is the spec's, the renderer's version and the font set (fonts.font_set_key):
    the same spec drawn with other fonts is another drawing.
    """
    keys = [content_key(spec_key, RENDER_VERSION, fonts_key) for spec_key, _ in charts]
    done: dict[str, Drawing] = {}
    misses: dict[str, RenderJob] = {}
    for key, (_, job) in zip(keys, charts, strict=True):
        png = cache.path(CACHE_NAMESPACE, key, "png") or cache.get(CACHE_NAMESPACE, key, "png")
        svgs = [cache.get(CACHE_NAMESPACE, key, s) for s in ("svg", "narrow.svg")] if png is not None else []
        if png is not None and all(s is not None for s in svgs):
            done[key] = Drawing(svgs[0].decode("utf-8"), svgs[1].decode("utf-8"), png)  # type: ignore[union-attr]
        elif key not in misses:
            misses[key] = job
    if misses and sys.stderr.isatty():  # progress for a person waiting, not for logs and tests
        print(f"rendering {len(misses)} chart(s)…", file=sys.stderr, flush=True)
    for key, (svg, narrow, png) in zip(misses, render_many(list(misses.values()), fonts), strict=True):
        cache.put(CACHE_NAMESPACE, key, "svg", svg.encode("utf-8"))
        cache.put(CACHE_NAMESPACE, key, "narrow.svg", narrow.encode("utf-8"))
        cache.put(CACHE_NAMESPACE, key, "png", png)
        done[key] = Drawing(svg, narrow, cache.path(CACHE_NAMESPACE, key, "png") or png)
    return [done[key] for key in keys], len(misses)
