"""Drawing charts: vl-convert renders each spec to SVG (wide, narrow), resvg its PNG twins.

The wide SVG is rendered once; the narrow one only when its spec differs; each PNG twin the job
asks for (drawing.RenderJob.pngs: the ones an output links) is rasterised by resvg (svg2png-py)
from its SVG framed with the chart's title, with one font database per process (vl-convert's own
svg_to_png read the font file again for every text run: 0.10 s a PNG instead of 0.04 s, the same
pixels). Results go through the content-hash cache, keyed by the spec, RENDER_VERSION, the font
set and the twins; misses render in a pool of processes, one JavaScript engine each, in chunks
(a process is replaced after RECYCLE_AFTER chunks: the engine's heap grows with every render).
Fonts: the system's, plus the project's fonts/ folder when present (fonts.py).

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

import svg2png_py
import vl_convert as vlc

from broadsheet.charts import CACHE_NAMESPACE
from broadsheet.charts.drawing import NARROW_PNG, PNG_SOURCES, Drawing, RenderJob
from broadsheet.charts.fonts import FONT_SUFFIXES
from broadsheet.charts.theme import FONT, LIGHT, PNG_SCALE
from broadsheet.core.cache import Cache, content_key
from broadsheet.core.failures import held_interrupts  # Ctrl-C: one line from this process, none from workers

PARALLEL_MIN = 8  # below this many misses, one process is faster than starting several engines
# How a chart becomes its drawings; part of every key, so a change here redraws every chart.
# 2: the PNG is rasterised from the wide SVG under its title (one Vega render fewer); the narrow
# drawing is rendered only when its spec differs from the wide one.
# 3: PNG twins by svg2png-py (the same pixels, smaller files), only those the job asks for.
# 4: the narrow twin's title and note wrapped to the chart's width, with less padding (png_frame).
RENDER_VERSION = 4
PNG_PADDING = 16  # around the PNG twin, as Vega's `padding` was
NARROW_PNG_PADDING = 8  # around the narrow twin: every pixel of its width shrinks the labels on a phone
TITLE_SIZE, NOTE_SIZE, TITLE_GAP = 17, 13, 12  # theme_config()'s title, subtitle and offset


_REGISTERED: set[str] = set()  # font folders this process's vl-convert and font database already know
_FONT_DB: list[svg2png_py.FontDatabase] = []  # this process's font database for the PNG twins, made once


def register_fonts(folders: list[Path]) -> None:
    """Make font folders known to vl-convert and to the PNG twins' font database (once per
    process and folder: registering again would add every face a second time)."""
    database = font_database()
    for folder in folders:
        if str(folder) not in _REGISTERED:
            vlc.register_font_directory(str(folder))
            for path in sorted(folder.rglob("*")):  # vl-convert reads sub-folders too
                if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                    database.load_font_file(str(path))
            _REGISTERED.add(str(folder))


def font_database() -> svg2png_py.FontDatabase:
    """The fonts the PNG twins are drawn with, loaded once a process: the system's, as vl-convert
    loads them for the SVGs, plus the folders register_fonts() adds."""
    if not _FONT_DB:
        database = svg2png_py.FontDatabase()
        database.load_system_fonts()
        _FONT_DB.append(database)
    return _FONT_DB[0]


def rasterise(svg: str) -> bytes:
    """A framed drawing (png_frame) as PNG, PNG_SCALE pixels per SVG unit."""
    found = SVG_SIZE_RE.search(svg)
    if found is None:
        raise ValueError("the drawing's SVG has no width and height")
    size = (round(float(found.group(1)) * PNG_SCALE), round(float(found.group(2)) * PNG_SCALE))
    # the transform is (a, b, c, d, e, f): x' = a·x + b·y + c, y' = d·x + e·y + f
    return svg2png_py.svg_to_png(svg, font_database(), transform=(PNG_SCALE, 0, 0, 0, PNG_SCALE, 0), bg_size=size)


def render_job(job: RenderJob) -> tuple[str, str, dict[str, bytes]]:
    """Render one chart to (wide SVG, narrow SVG, {twin: PNG bytes}): one or two Vega renders, a
    rasterisation for each PNG twin the job asks for."""
    locales = {"format_locale": job.format_locale, "time_format_locale": job.time_format_locale}
    svg = vlc.vegalite_to_svg(job.svg_spec, **locales)
    narrow = svg if job.narrow_spec is None else vlc.vegalite_to_svg(job.narrow_spec, **locales)
    drawn = {"svg": svg, "narrow_svg": narrow}
    pngs = {twin: rasterise(png_frame(drawn[PNG_SOURCES[twin]], job.title, job.note, narrow=twin == NARROW_PNG))
            for twin in job.pngs}
    return svg, narrow, pngs


SVG_SIZE_RE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def _text_width(text: str, size: int) -> float:
    """A generous estimate of a line's width: full-width characters 1 em, others 0.6 em."""
    return sum(size * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6) for c in text)


def _tokens(text: str) -> list[str]:
    """`text` in the pieces a line may break between: each full-width character, each word with
    the spaces after it."""
    out, run = [], ""
    for char in text:
        if unicodedata.east_asian_width(char) in "WF":
            out.extend([run, char] if run else [char])
            run = ""
        else:
            run += char
            if char == " ":
                out.append(run)
                run = ""
    return [*out, run] if run else out


NO_LINE_START = frozenset("，。、：；？！）」』〉》・…")  # clreq: never at the start of a line


def wrapped(text: str, size: int, width: float) -> list[str]:
    """`text` in lines no wider than `width` (estimated as _text_width does), broken at spaces or
    between full-width characters; a closing mark stays on the line before."""
    lines, line = [], ""
    for token in _tokens(text):
        if line.strip() and token not in NO_LINE_START and _text_width((line + token).rstrip(), size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() or not lines else lines


def png_frame(svg: str, title: str, note: str, narrow: bool = False) -> str:
    """A PNG twin's drawing: a chart's SVG on the light background under its title and note.

    It replaces a third Vega render (the same chart with a title) by a few lines of SVG that
    resvg rasterises with the same fonts. The narrow twin (the email's, shown about 350 px wide
    on a phone) wraps its title and note to the chart's width and has less padding, so the frame
    is no wider than the drawing needs and its axis labels stay at least 11 px on a phone.
    """
    found = SVG_SIZE_RE.search(svg)
    if found is None:
        raise ValueError("the chart's SVG has no width and height")
    width, height = float(found.group(1)), float(found.group(2))
    pad = NARROW_PNG_PADDING if narrow else PNG_PADDING
    titles = wrapped(title, TITLE_SIZE, width) if narrow else [title]
    notes = (wrapped(note, NOTE_SIZE, width) if narrow else [note]) if note else []
    font = html.escape(FONT, quote=True)
    lines = [f'<text x="{pad}" y="{pad + TITLE_SIZE + n * (TITLE_SIZE + 4)}" font-family="{font}" '
             f'font-size="{TITLE_SIZE}" font-weight="bold" fill="{LIGHT["fg"]}">{html.escape(line)}</text>'
             for n, line in enumerate(titles)]
    top = pad + len(titles) * (TITLE_SIZE + 4)
    lines += [f'<text x="{pad}" y="{top + NOTE_SIZE + 2 + n * (NOTE_SIZE + 6)}" font-family="{font}" '
              f'font-size="{NOTE_SIZE}" fill="{LIGHT["muted"]}">{html.escape(line)}</text>'
              for n, line in enumerate(notes)]
    top += len(notes) * (NOTE_SIZE + 6) + TITLE_GAP
    inner = max(width, *(_text_width(t, TITLE_SIZE) for t in titles), *(_text_width(t, NOTE_SIZE) for t in notes))
    full_w, full_h = round(inner + 2 * pad), round(top + height + pad)
    chart = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg).replace("<svg", f'<svg x="{pad}" y="{top}"', 1)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{full_w}" height="{full_h}" '
            f'viewBox="0 0 {full_w} {full_h}"><rect width="{full_w}" height="{full_h}" fill="{LIGHT["bg"]}"/>'
            f'{"".join(lines)}{chart}</svg>')


def _render_batch(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, dict[str, bytes]]]:
    register_fonts(fonts)
    return [render_job(job) for job in jobs]


CHUNK = 32  # charts per task: drawings come back as they are made, not all at the end
# Tasks a render process runs before a fresh one replaces it: the JavaScript engine's heap grows
# by about 0.2 MB a chart, so a process that drew thousands of charts held gigabytes.
RECYCLE_AFTER = 16


def render_many(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, dict[str, bytes]]]:
    """Render jobs, in several processes when there are enough to pay for the engines' start."""
    workers = min(os.cpu_count() or 1, len(jobs) // PARALLEL_MIN + 1)
    if workers <= 1:
        return _render_batch(jobs, fonts)
    # vl-convert holds the GIL while it renders, so threads do not help: processes do. Each one
    # starts its own JavaScript engine (~0.5 s) and keeps it for RECYCLE_AFTER chunks. "spawn"
    # because forking a process that already runs the engine's threads is unsafe.
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    context = multiprocessing.get_context("spawn")
    out: list[tuple[str, str, dict[str, bytes]]] = []
    with held_interrupts(), ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                max_tasks_per_child=RECYCLE_AFTER) as pool:
        for drawn in pool.map(_render_batch, chunks, [fonts] * len(chunks)):
            out.extend(drawn)
    return out


def draw_all(charts: list[tuple[str, RenderJob]], cache: Cache, fonts: list[Path],
             fonts_key: str = "") -> tuple[list[Drawing], int]:
    """Draw every chart, given as its spec's key (spec.ChartSpec.key) and its render job, from the
    cache when its key is known; return the drawings, in order, and the number of misses.

    A drawing's key is the spec's, the renderer's version, the font set (fonts.font_set_key) and
    the PNG twins asked for: the same spec drawn with other fonts is another drawing.
    """
    keys = [content_key(spec_key, RENDER_VERSION, fonts_key, list(job.pngs)) for spec_key, job in charts]
    done: dict[str, Drawing] = {}
    misses: dict[str, RenderJob] = {}
    for key, (_, job) in zip(keys, charts, strict=True):
        found = cached_drawing(cache, key, job)
        if found is not None:
            done[key] = found
        elif key not in misses:
            misses[key] = job
    if misses and sys.stderr.isatty():  # progress for a person waiting, not for logs and tests
        print(f"rendering {len(misses)} chart(s)…", file=sys.stderr, flush=True)
    for key, (svg, narrow, pngs) in zip(misses, render_many(list(misses.values()), fonts), strict=True):
        cache.put(CACHE_NAMESPACE, key, "svg", svg.encode("utf-8"))
        cache.put(CACHE_NAMESPACE, key, "narrow.svg", narrow.encode("utf-8"))
        for twin, png in pngs.items():
            cache.put(CACHE_NAMESPACE, key, twin, png)
        done[key] = Drawing(svg, narrow, {twin: cache.path(CACHE_NAMESPACE, key, twin) or png
                                          for twin, png in pngs.items()})
    return [done[key] for key in keys], len(misses)


def cached_drawing(cache: Cache, key: str, job: RenderJob) -> Drawing | None:
    """A drawing from the cache when every file of it is there (its PNG twins as files), or None."""
    pngs: dict[str, bytes | Path] = {}
    for twin in job.pngs:
        png = cache.path(CACHE_NAMESPACE, key, twin) or cache.get(CACHE_NAMESPACE, key, twin)
        if png is None:
            return None
        pngs[twin] = png
    svg, narrow = (cache.get(CACHE_NAMESPACE, key, name) for name in ("svg", "narrow.svg"))
    if svg is None or narrow is None:
        return None
    return Drawing(svg.decode("utf-8"), narrow.decode("utf-8"), pngs)
