"""The fonts chart drawings are made with: where they are, whether a CJK one is there, and their key.

The standard library and core.cache only: the no-change check (incremental.py) reads
`font_set_key()` without loading vl-convert. The key is part of every chart's cache key and of the build's fingerprint,
so installing or removing a font (say fonts-noto-cjk after a build that drew boxes) redraws
every chart instead of reporting "nothing changed".
"""

from __future__ import annotations

import os
from pathlib import Path

from broadsheet.core.cache import content_key

# vl-convert loads the system's fonts by itself (Debian's fonts-noto-cjk lives here); registering
# them again doubles its font database and measured twice the render time, so only a project
# folder (fonts/ beside site.yaml, for machines without a system CJK font) is registered.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                    Path.home() / ".local/share/fonts", Path.home() / ".fonts")
# Set, it replaces SYSTEM_FONT_DIRS (folders joined by os.pathsep; empty: none), so that the test
# suite can show a machine without a CJK font on one that has it (CI installs fonts-noto-cjk).
SYSTEM_FONT_DIRS_ENV = "BROADSHEET_SYSTEM_FONT_DIRS"
CJK_FONT_FILES = ("NotoSansCJK*", "NotoSansTC*", "NotoSansMonoCJK*", "SourceHanSans*")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2", ".pfb", ".pfa")


def system_font_dirs() -> tuple[Path, ...]:
    """The system's font folders: SYSTEM_FONT_DIRS, or those BROADSHEET_SYSTEM_FONT_DIRS names."""
    named = os.environ.get(SYSTEM_FONT_DIRS_ENV)
    if named is None:
        return SYSTEM_FONT_DIRS
    return tuple(Path(folder) for folder in named.split(os.pathsep) if folder)


def has_cjk_font(folder: Path) -> bool:
    """Whether a folder holds a Traditional Chinese sans-serif font the renderer can use."""
    return folder.is_dir() and any(next(folder.rglob(p), None) for p in CJK_FONT_FILES)


def font_folders(project_fonts: Path) -> tuple[list[Path], bool]:
    """The folders to register with vl-convert, and whether any CJK font is available."""
    extra = [project_fonts] if project_fonts.is_dir() else []
    found = any(has_cjk_font(folder) for folder in (*extra, *system_font_dirs()))
    return extra, found


def font_set(project_fonts: Path) -> list[list[object]]:
    """Every font file the renderer can see: [folder, relative path, size, mtime_ns], sorted.

    Size and modification time, not bytes: the system's CJK fonts weigh hundreds of megabytes,
    and a package install or upgrade changes both (about 40 files on a Debian machine: < 1 ms).
    """
    found: list[list[object]] = []
    for folder in (project_fonts, *system_font_dirs()):
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.lower().endswith(FONT_SUFFIXES):
                    continue
                path = Path(dirpath) / name
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found.append([str(folder), path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns])
    return found


def font_set_key(project_fonts: Path) -> str:
    """A hash of `font_set()`: part of every chart's cache key and of the build's fingerprint."""
    return content_key("fonts", font_set(project_fonts))
