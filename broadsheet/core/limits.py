"""Limits on what the build reads, and the check that sources stay inside the project.

A newsletter issue is tens of kilobytes; a source many times bigger is a mistake or an attack
(a 20 MB summary once made a 105 MB page). Each limit fails with the file, the size found and
the limit, never with a slow build or a traceback.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from pathlib import Path

from broadsheet.core.errors import BuildFailed, SourceError

MiB = 1024 * 1024
# the largest source file read, by suffix (anything else: DEFAULT_FILE_BYTES)
MAX_FILE_BYTES = {".md": 2 * MiB, ".yaml": 2 * MiB, ".yml": 2 * MiB}
DEFAULT_FILE_BYTES = 64 * MiB  # data files are checked by data.py, this only stops absurd ones
MAX_YAML_VALUE = 10_000  # characters in one YAML value (a title, a summary, a chart note)
EXCERPT = 60  # characters of a value quoted in a message

# The shape of a Markdown body, checked before anything reads it. Python-Markdown's time grows
# faster than the text on some shapes (each block moves the list of the blocks after it, each
# inline element copies its paragraph again, each level of nesting its block) and every element
# costs ~50-100 µs through the page's passes, so 2 MB of `*a* `, of blank lines or of `1. 1. 1.`
# took minutes (issue 25). A long issue has 420 lines, blocks of 1,900 characters, 250 marks and
# lists 2 deep; these are 20 to 50 times that.
MAX_BODY_LINES = 10_000
MAX_BLOCK_CHARS = 32_000  # a block: a paragraph, list, table or quote (lines between blank lines)
MAX_NESTING = 16  # quote and list markers at the start of a line, and its indentation in 4s
MAX_MARKUP = 10_000  # characters that may open inline markup, plus the nesting of every line
MARKUP_CHARS = "*_`[<&\\{"
NESTED_TOO_DEEPLY = "the Markdown is nested too deeply"
NESTING_STARTS = frozenset(" \t>-*+0123456789")  # what a nested line starts with
NESTING_RE = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]))")  # one quote or list marker

# the folders (and files) of a project the build reads; none may lead outside the project
SOURCE_DIRS = ("content", "static", "templates", "data", "translations", "fonts")
SOURCE_FILES = ("site.yaml",)


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """`repr(value)`, cut after `limit` characters (for messages that quote a value)."""
    text = repr(value[: limit + 1] if isinstance(value, str) else value)
    return text if len(text) <= limit else text[:limit] + "…"


def file_limit(path: Path) -> int:
    """The largest size, in bytes, a source file with this name may have."""
    return MAX_FILE_BYTES.get(path.suffix.lower(), DEFAULT_FILE_BYTES)


def check_size(path: Path, size: int) -> None:
    """Refuse a source file larger than its limit."""
    limit = file_limit(path)
    if size > limit:
        raise SourceError(path, None, f"the file is {size / MiB:.1f} MB, more than the limit of "
                                      f"{limit / MiB:.0f} MB", "split it, or remove what does not belong in it")


def markdown_shape(body: str, path: Path, first_line: int) -> list[SourceError]:
    """Why a Markdown body is refused before it is read (too many lines, a block too long, nesting
    too deep, too much markup), each once, at its line; [] for any body an issue could need.
    Linear in the body (a 34 KB issue: under 1 ms)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")  # Python-Markdown's line breaks
    if (count := body.count("\n") + 1) > MAX_BODY_LINES:
        return [SourceError(path, first_line + MAX_BODY_LINES, f"the text has {count:,} lines, more than the "
                                                               f"limit of {MAX_BODY_LINES:,}",
                            "an issue has a few hundred; split it, or remove what does not belong in it")]
    lines = body.split("\n")
    depths = [_nesting(line) for line in lines]
    found = []
    if (at := _long_block(lines)) is not None:
        found.append(SourceError(path, first_line + at, f"a paragraph (or list, table, quote) longer than "
                                                        f"{MAX_BLOCK_CHARS:,} characters",
                                 "put blank lines between its paragraphs, or split the list or table"))
    if max(depths, default=0) > MAX_NESTING:  # said as when Python-Markdown recursed too deeply (markdown.py)
        found.append(SourceError(path, first_line, NESTED_TOO_DEEPLY, "use fewer levels of quotes or lists"))
    if sum(body.count(char) for char in MARKUP_CHARS) + sum(depths) > MAX_MARKUP:
        marks = itertools.accumulate(sum(line.count(char) for char in MARKUP_CHARS) + depth
                                     for line, depth in zip(lines, depths, strict=True))
        at = next(n for n, total in enumerate(marks) if total > MAX_MARKUP)
        found.append(SourceError(path, first_line + at, f"more than {MAX_MARKUP:,} Markdown marks ("
                                                        f"{' '.join(MARKUP_CHARS)} and list or quote markers) "
                                                        "up to this line",
                                 "an issue has a few hundred; is this text generated? split it"))
    return found


def _long_block(lines: list[str]) -> int | None:
    """The index of the line where a block (lines between blank lines) grows past MAX_BLOCK_CHARS."""
    size = 0
    for number, line in enumerate(lines):
        size = size + len(line) + 1 if line.strip() else 0
        if size > MAX_BLOCK_CHARS:
            return number
    return None


def _nesting(line: str) -> int:
    """How deep a line is nested: its quote and list markers, and its indentation in 4s (counted
    up to MAX_NESTING + 1)."""
    if line[:1] not in NESTING_STARTS:
        return 0  # the common case: a line of prose
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    depth = len(indent.expandtabs(4)) // 4  # as Python-Markdown counts it
    pos = 0
    while depth <= MAX_NESTING and (marker := NESTING_RE.match(line, pos)) is not None:
        depth, pos = depth + 1, marker.end()
    return depth


def outside_links(root: Path) -> list[SourceError]:
    """Every link in the source folders that leads outside the project, and every special file.

    A link inside the project is fine (static/logo.svg → ../content/…); a link out of it is not
    followed, because the build would publish or read whatever it points to
    (`static/env.txt → /proc/self/environ` published the build's environment).
    """
    root = root.resolve()
    found: list[SourceError] = []
    for name in SOURCE_FILES:
        found += _check_entry(root / name, root)
    for name in SOURCE_DIRS:
        top = root / name
        found += _check_entry(top, root)
        if top.is_symlink() or not top.is_dir():
            continue
        found += _check_tree(str(top), root)
    return found


def _check_tree(folder: str, root: Path) -> list[SourceError]:
    """_check_entry for everything under `folder`, folders first, then files, each sorted by name.

    os.scandir tells links, files and folders apart from the directory listing itself, so only a
    link or a special file costs a stat: this runs on every build, over every issue folder.
    """
    found: list[SourceError] = []
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return found
    folders = [e for e in entries if e.is_dir()]  # as os.walk: a link to a folder is listed, not entered
    for entry in folders + [e for e in entries if not e.is_dir()]:
        if entry.is_symlink() or not (entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False)):
            found += _check_entry(Path(entry.path), root)
    for entry in folders:
        if not entry.is_symlink():
            found += _check_tree(entry.path, root)
    return found


def _check_entry(path: Path, root: Path) -> list[SourceError]:
    try:
        info = path.lstat()
    except OSError:
        return []  # absent: whoever needs it says so
    if stat.S_ISLNK(info.st_mode):
        target = path.resolve()
        if not target.is_relative_to(root):
            # relative: SourceError.format would resolve the link and show where it points
            return [SourceError(path.relative_to(root), None, "is a link to outside the project",
                                "copy the file into the project instead of linking to it")]
        try:
            info = target.stat()
        except OSError:
            return [SourceError(path, None, "is a broken link")]
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        return [SourceError(path, None, "is not a regular file (a device, a pipe or a socket)",
                            "remove it from the project")]
    return []


def refuse_outside_links(root: Path) -> None:
    """Raise BuildFailed if any source is a link out of the project or a special file."""
    found = outside_links(root)
    if found:
        raise BuildFailed(found)
