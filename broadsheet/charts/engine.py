"""Drawing charts: vl-convert renders each spec to SVG (wide, narrow) and a PNG twin.

Results go through the content-hash cache; misses render in a pool of processes, one
JavaScript engine each. Fonts: the system's, plus the project's fonts/ folder when present.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..cache import Cache, content_key
from ..failures import held_interrupts  # Ctrl-C: one line from this process, none from workers
from .spec import PNG_SCALE, ChartSpec

CACHE_NAMESPACE = "charts"
PARALLEL_MIN = 8  # below this many misses, one process is faster than starting several engines
# vl-convert loads the system's fonts by itself (Debian's fonts-noto-cjk lives here); registering
# them again doubles its font database and measured twice the render time, so only a project
# folder (fonts/ beside site.yaml, for machines without a system CJK font) is registered.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                    Path.home() / ".local/share/fonts", Path.home() / ".fonts")
CJK_FONT_FILES = ("NotoSansCJK*", "NotoSansTC*", "NotoSansMonoCJK*", "SourceHanSans*")


@dataclass(frozen=True)
class RenderJob:
    """What a worker needs to render one chart (picklable)."""

    svg_spec: dict[str, Any]
    narrow_spec: dict[str, Any]
    png_spec: dict[str, Any]
    format_locale: dict[str, Any]
    time_format_locale: dict[str, Any]


def has_cjk_font(folder: Path) -> bool:
    """Whether a folder holds a Traditional Chinese sans-serif font the renderer can use."""
    return folder.is_dir() and any(next(folder.rglob(p), None) for p in CJK_FONT_FILES)


def font_folders(project_fonts: Path) -> tuple[list[Path], bool]:
    """The folders to register with vl-convert, and whether any CJK font is available."""
    extra = [project_fonts] if project_fonts.is_dir() else []
    found = any(has_cjk_font(folder) for folder in (*extra, *SYSTEM_FONT_DIRS))
    return extra, found


def register_fonts(folders: list[Path]) -> None:
    """Make font folders known to vl-convert (its own font database, once per process)."""
    import vl_convert as vlc

    for folder in folders:
        vlc.register_font_directory(str(folder))


def render_job(job: RenderJob) -> tuple[str, str, bytes]:
    """Render one chart to (wide SVG, narrow SVG, PNG bytes) with vl-convert."""
    import vl_convert as vlc

    locales = {"format_locale": job.format_locale, "time_format_locale": job.time_format_locale}
    svg = vlc.vegalite_to_svg(job.svg_spec, **locales)
    narrow = vlc.vegalite_to_svg(job.narrow_spec, **locales)
    png = vlc.vegalite_to_png(job.png_spec, scale=PNG_SCALE, **locales)
    return svg, narrow, png


def _render_batch(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, bytes]]:
    register_fonts(fonts)
    return [render_job(job) for job in jobs]


def render_many(jobs: list[RenderJob], fonts: list[Path]) -> list[tuple[str, str, bytes]]:
    """Render jobs, in several processes when there are enough to pay for the engines' start."""
    workers = min(os.cpu_count() or 1, len(jobs) // PARALLEL_MIN + 1)
    if workers <= 1:
        return _render_batch(jobs, fonts)
    # vl-convert holds the GIL while it renders, so threads do not help: processes do. Each one
    # starts its own JavaScript engine (~0.5 s), hence one batch per process. "spawn" because
    # forking a process that already runs the engine's threads is unsafe.
    batches = [jobs[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    with held_interrupts(), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(_render_batch, batches, [fonts] * workers))
    out: list[tuple[str, str, bytes]] = [("", "", b"")] * len(jobs)
    for i, batch in enumerate(results):
        for j, result in enumerate(batch):
            out[i + j * workers] = result
    return out


def vega_bundle(cache: Cache) -> bytes:
    """The offline vega + vega-lite + vega-embed bundle from vl-convert (cached: ~2 s to make)."""
    key = content_key("vega-bundle", version("vl-convert-python"))
    data = cache.get(CACHE_NAMESPACE, key, "js")
    if data is None:
        import vl_convert as vlc

        data = vlc.javascript_bundle().encode("utf-8")
        cache.put(CACHE_NAMESPACE, key, "js", data)
    return data


def png_size(png: bytes) -> tuple[int, int]:
    """The pixel width and height in a PNG's header (IHDR is always the first chunk)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@dataclass(frozen=True)
class Drawing:
    """The rendered forms of one chart in one language."""

    svg: str
    narrow_svg: str
    png: bytes


def draw_all(specs: list[ChartSpec], cache: Cache, fonts: list[Path]) -> tuple[list[Drawing], int]:
    """Draw every spec (from the cache when its key is known); return the drawings and the misses."""
    keys = [spec.key() for spec in specs]
    done: dict[str, Drawing] = {}
    misses: dict[str, RenderJob] = {}
    for key, spec in zip(keys, specs, strict=True):
        parts = [cache.get(CACHE_NAMESPACE, key, s) for s in ("svg", "narrow.svg", "png")]
        if all(p is not None for p in parts):
            done[key] = Drawing(parts[0].decode("utf-8"), parts[1].decode("utf-8"), parts[2])  # type: ignore[union-attr]
        elif key not in misses:
            misses[key] = RenderJob(spec.spec, spec.narrow, spec.png_spec(), spec.format_locale,
                                    spec.time_format_locale)
    if misses and sys.stderr.isatty():  # progress for a person waiting, not for logs and tests
        print(f"rendering {len(misses)} chart(s)…", file=sys.stderr, flush=True)
    for key, (svg, narrow, png) in zip(misses, render_many(list(misses.values()), fonts), strict=True):
        cache.put(CACHE_NAMESPACE, key, "svg", svg.encode("utf-8"))
        cache.put(CACHE_NAMESPACE, key, "narrow.svg", narrow.encode("utf-8"))
        cache.put(CACHE_NAMESPACE, key, "png", png)
        done[key] = Drawing(svg, narrow, png)
    return [done[key] for key in keys], len(misses)
