"""Corrections: the dated notes of an issue's corrections box, from its front matter and from
`corrections.yaml`, which `python3 build.py correct` writes beside the Markdown files.

A front-matter correction is an editor's note (`{date, text}`); a recorded one also lists each
figure whose published value changed, with its old and new text in every edition, and each chart
whose points were revised (figures/lock.py compares; build/publish.py records). Both kinds are one
`Correction` on the page, so the box, the feeds' updated time and the email read them alike.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadsheet.core.errors import BuildFailed, Problems, SourceError
from broadsheet.core.lines import line_of
from broadsheet.core.yamlsource import load_yaml, read_text

CORRECTIONS_FILE = "corrections.yaml"
HINT = "write it again with python3 build.py correct, or fix the entry as docs/writing.md shows"


@dataclass(frozen=True)
class CorrectedValue:
    """One published value a correction changed: what it is, the old text and the new (a chart:
    its title, and no texts: its points were revised)."""

    label: str
    was: str = ""
    now: str = ""


@dataclass(frozen=True)
class Correction:
    """A dated correction note shown in the issue's corrections box."""

    date: dt.date
    text: str
    changes: tuple[CorrectedValue, ...] = ()  # the figures and charts it corrected (recorded by `correct`)


def add_recorded_corrections(pages: dict[str, Any], folder: Path, problems: Problems) -> None:
    """Add the corrections `correct` recorded in the folder's corrections.yaml to each page's own
    (`pages`: language code → Page, replaced with the corrections added)."""
    path = folder / CORRECTIONS_FILE
    if not pages or not path.is_file():
        return
    try:
        recorded = read_corrections(path, list(pages))
    except SourceError as exc:
        problems.error(exc)
        return
    except BuildFailed as many:
        for exc in many.problems:
            problems.error(exc)
        return
    for code, page in list(pages.items()):
        mine = recorded.get(code, ())
        if mine:
            merged = tuple(sorted((*page.meta.corrections, *mine), key=lambda c: c.date))
            pages[code] = dataclasses.replace(page, meta=dataclasses.replace(page.meta, corrections=merged))


def read_corrections(path: Path, codes: list[str]) -> dict[str, tuple[Correction, ...]]:
    """corrections.yaml → each edition's corrections (a list of {date, note, figures, charts})."""
    data = load_yaml(read_text(path), path)
    if data is None:
        return {}
    if not isinstance(data, list):
        raise SourceError(path, 1, "corrections.yaml must be a list of corrections", HINT)
    found: dict[str, list[Correction]] = {code: [] for code in codes}
    for n, item in enumerate(data):
        at = getattr(item, "start_line", n + 1)
        if not isinstance(item, dict) or not isinstance(item.get("date"), dt.date):
            raise SourceError(path, at, f"correction {n + 1} needs a date (YYYY-MM-DD) and a note", HINT)
        for code in codes:
            note = _note(item.get("note"), code, path, line_of(item, "note", at))
            changes = [_figure(f) for f in item.get("figures") or [] if _edition(f) == code]
            changes += [CorrectedValue(str(c.get("title", c.get("chart", "")))) for c in item.get("charts") or []
                        if _edition(c) == code]
            found[code].append(Correction(item["date"], note, tuple(changes)))
    return {code: tuple(items) for code, items in found.items()}


def _edition(entry: object) -> str:
    return str(entry.get("edition", "")) if isinstance(entry, dict) else ""


def _figure(entry: dict[str, Any]) -> CorrectedValue:
    return CorrectedValue(str(entry.get("label", "")), str(entry.get("was", "")), str(entry.get("now", "")))


def _note(raw: object, code: str, path: Path, line: int) -> str:
    """The note in one edition: one text for all, or a text per language code."""
    if isinstance(raw, dict):
        raw = raw.get(code, next(iter(raw.values()), None))
    if not isinstance(raw, str) or not raw.strip():
        raise SourceError(path, line, "a correction's note is missing",
                          'say what changed: note: "…", or one per language: note: {zh-Hant: …, en: …}')
    return raw.strip()
