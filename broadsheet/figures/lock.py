"""Figure locks: a published issue's numbers, as they were published, in `figures.lock.json`.

`python3 build.py publish ISSUE` writes the lock into the issue's folder (build/publish.py makes it):
for each edition, each figure (its expression, the text it printed, the data values it read, the
series' name and its receipt) and each chart (its data table, the figures of its texts, and the
hash of their numbers). From then on, while a page is assembled, published.py's `EditionLock`
compares every figure and chart with the locked one of the same call and occurrence: a figure
that would print another text, or a chart that would show other numbers, is an error at its line
with the published and the new value (`check` lists them all). A published number never
changes silently. Two ways out: keep the published values (`"if_data_changes": "keep"`, which
`publish ISSUE --keep` sets: the figure prints its locked text, its receipt names the revision),
or `correct ISSUE --note "…"` (a dated correction with each old and new value, and a new lock). A
draft is never compared or locked; a draft that was published keeps its lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from broadsheet.core.errors import SourceError
from broadsheet.figures.expressions import LiteralCall, parse_figure_call

LOCK_FILE = "figures.lock.json"
LOCK_VERSION = 1
KEEP, STOP = "keep", "stop"  # what a page does when the data now gives another value
MOVED_SHOWN = 5  # a changed chart's message names its first few moved points
CallKey = tuple[str, str]  # a figure call: its function and its literal arguments (repr)


def lock_hint(issue: str, chart: bool = False) -> str:
    """The ways out of a changed figure (a chart cannot keep its published points)."""
    correct = f'record a correction (python3 build.py correct {issue} --note "…")'
    return correct if chart else f"{correct} or keep the published value (python3 build.py publish {issue} --keep)"


class Table(Protocol):
    """A chart's data table (charts/built.py's Table)."""

    columns: list[str]
    rows: list[list[str]]


class PlacedChart(Protocol):
    """What the lock reads of a placed chart (charts/blocks.py's ChartBlock)."""

    name: str
    title: str
    table: Table
    figures: tuple[Any, ...]  # the FigureUses of its title and description (their `text`)


def chart_entry(chart: PlacedChart) -> dict[str, Any]:
    """A chart's lock entry: its data table as printed, the figures its texts quote, its title, and
    the hash of its numbers (each row's values, by position, and the figures): a new wording of
    its title, description or day labels changes no published number."""
    columns, rows = [str(c) for c in chart.table.columns], [[str(v) for v in row] for row in chart.table.rows]
    figures = [str(use.text) for use in chart.figures]
    numbers = json.dumps([[row[1:] for row in rows], figures], ensure_ascii=False)
    return {"hash": hashlib.sha256(numbers.encode("utf-8")).hexdigest()[:16], "columns": columns, "rows": rows,
            "figures": figures, "title": chart.title}


@dataclass(frozen=True)
class FigureChange:
    """A figure whose printed text the data changes: the published text and the new one."""

    lang: str
    expression: str
    label: str
    was: str
    now: str


@dataclass(frozen=True)
class ChartChange:
    """A chart whose numbers the data changes: (row, column, was, now) of each moved value."""

    lang: str
    name: str
    title: str
    moved: tuple[tuple[str, str, str, str], ...]

    def describe(self) -> str:
        """The moved points, the first few of them."""
        shown = [f"{row} {column}: {was} → {now}" for row, column, was, now in self.moved[:MOVED_SHOWN]]
        more = f"; and {len(self.moved) - MOVED_SHOWN} more" if len(self.moved) > MOVED_SHOWN else ""
        return "; ".join(shown) + more if shown else "its numbers changed"


@dataclass
class IssueLock:
    """A lock file: what each edition printed when the issue was published (or last corrected)."""

    issue: str
    published: dt.date
    on_change: str = STOP
    editions: dict[str, dict[str, Any]] = field(default_factory=dict)  # lang → {"figures": [...], "charts": {...}}

    def figures(self, lang: str) -> list[dict[str, Any]]:
        """The locked figures of an edition, in page order."""
        return list(self.editions.get(lang, {}).get("figures", []))

    def charts(self, lang: str) -> dict[str, dict[str, Any]]:
        """The locked charts of an edition, by name."""
        return dict(self.editions.get(lang, {}).get("charts", {}))

    def as_json(self) -> dict[str, Any]:
        """The lock file's content."""
        return {"version": LOCK_VERSION, "issue": self.issue, "published": self.published.isoformat(),
                "if_data_changes": self.on_change, "editions": self.editions}


def read_lock(folder: Path) -> IssueLock | None:
    """The lock of an issue folder, or None; a damaged lock is a SourceError."""
    path = folder / LOCK_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise SourceError(path, None, f"the figure lock cannot be read: {exc}",
                          "restore it from git, or write it again with python3 build.py publish") from exc
    try:
        on_change = raw.get("if_data_changes", STOP)
        if on_change not in (KEEP, STOP) or not isinstance(raw["editions"], dict):
            raise ValueError(on_change)
        return IssueLock(str(raw["issue"]), dt.date.fromisoformat(raw["published"]), on_change, raw["editions"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SourceError(path, None, f"the figure lock is not one `publish` wrote ({exc!r})",
                          '"if_data_changes" is "stop" or "keep"; restore the rest from git') from exc


def lock_text(lock: IssueLock) -> str:
    """The lock as plain JSON, keys sorted: each figure and each chart row on a line of its own."""
    return _dump(lock.as_json(), 0) + "\n"


def _dump(value: Any, depth: int) -> str:
    """JSON with sorted keys; mappings open one level a line, a figure or a row stays on one line."""
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, dict) and value and "expression" not in value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(value[k], depth + 1)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(f"{inner}{_dump(v, depth + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def call_key(expression: str) -> CallKey | None:
    """The call an expression makes, as a key (spacing and quotes do not matter); None if it is none."""
    text = expression.strip()
    if text.startswith("{{") and text.endswith("}}"):
        text = text[2:-2]
    call = parse_figure_call(text.strip())
    return (call.name, repr((call.args, sorted(call.kwargs)))) if isinstance(call, LiteralCall) else None


def moved_points(old: dict[str, Any], new: dict[str, Any]) -> tuple[tuple[str, str, str, str], ...]:
    """(row, column, was, now) of each value that differs, rows matched by position (named by the
    new row's first cell), then each figure of the chart's texts that differs."""
    columns = [str(c) for c in new.get("columns") or old.get("columns") or []]
    before, after = old.get("rows", []), new.get("rows", [])
    moved = []
    for n in range(max(len(before), len(after))):
        was_row = [str(v) for v in before[n]] if n < len(before) else []
        now_row = [str(v) for v in after[n]] if n < len(after) else []
        label = (now_row or was_row or [str(n + 1)])[0]
        for m in range(1, max(len(was_row), len(now_row))):
            was = was_row[m] if m < len(was_row) else "–"
            now = now_row[m] if m < len(now_row) else "–"
            if was != now:
                moved.append((label, columns[m] if m < len(columns) else str(m), was, now))
    was_figures, now_figures = old.get("figures", []), new.get("figures", [])
    for n in range(max(len(was_figures), len(now_figures))):
        was = was_figures[n] if n < len(was_figures) else "–"
        now = now_figures[n] if n < len(now_figures) else "–"
        if was != now:
            moved.append(("its texts", f"figure {n + 1}", was, now))
    return tuple(moved)


def changed_figures(old: IssueLock, new: IssueLock) -> list[FigureChange]:
    """The figures whose text differs between two locks (same call and occurrence)."""
    found = []
    for lang in new.editions:
        before: dict[CallKey | None, list[dict[str, Any]]] = {}
        for entry in old.figures(lang):
            before.setdefault(call_key(entry["expression"]), []).append(entry)
        seen: dict[CallKey | None, int] = {}
        for entry in new.figures(lang):
            key = call_key(entry["expression"])
            n = seen[key] = seen.get(key, -1) + 1
            previous = before.get(key, [])
            if n < len(previous) and previous[n]["text"] != entry["text"]:
                found.append(FigureChange(lang, entry["expression"], entry.get("label", ""), previous[n]["text"],
                                          entry["text"]))
    return found


def changed_charts(old: IssueLock, new: IssueLock) -> list[ChartChange]:
    """The charts whose numbers differ between two locks."""
    found = []
    for lang in new.editions:
        before = old.charts(lang)
        for name, entry in sorted(new.charts(lang).items()):
            if name in before and before[name].get("hash") != entry.get("hash"):
                title = str(entry.get("title") or name)
                found.append(ChartChange(lang, name, title, moved_points(before[name], entry)))
    return found
