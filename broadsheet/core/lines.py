"""Mappings that know where they came from: `LineDict`, a mapping read from YAML with the line of
each key, and `line_of()`, the line to report for a key. yamlsource.py makes them; schema.py and
every loader report problems at those lines. Imports nothing else of broadsheet."""

from __future__ import annotations

from typing import Any


class LineDict(dict):
    """A dict from YAML that knows the 1-based line of each of its keys (`.lines[key]`)."""

    lines: dict[Any, int]
    start_line: int


def line_of(mapping: Any, key: str, default: int) -> int:
    """Return the line of `key` in a LineDict, or `default` when unknown."""
    lines = getattr(mapping, "lines", {})
    return lines.get(key, getattr(mapping, "start_line", default))
