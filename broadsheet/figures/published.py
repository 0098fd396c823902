"""A page compared with its issue's figure lock while it is assembled (the lock itself: lock.py).

`locked()` wraps the page's figure functions (after the look-ahead guard): each figure is compared
with the locked figure of the same call and occurrence (lines move as prose is edited; calls do
not), each placed chart with the locked chart of its name. A figure that would print another text
fails at its line with the published and the new value, and the data values that moved; with
`"if_data_changes": "keep"` it prints the published text instead, its receipt saying "as published
on …; the data has since been revised to …" in the edition's language (Babel's date, the UI
catalog's words). A chart whose numbers changed fails at its line, naming the values that moved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadsheet.core.errors import FigureError, FigureProblems, SourceError
from broadsheet.core.i18n import NumberFormatter, load_translations
from broadsheet.figures.lock import (
    KEEP,
    CallKey,
    ChartChange,
    IssueLock,
    call_key,
    chart_entry,
    lock_hint,
    moved_points,
    read_lock,
)
from broadsheet.figures.lookahead import guarded, issue_as_of

if TYPE_CHECKING:
    from broadsheet.content.issues import Issue
    from broadsheet.core.context import BuildContext
    from broadsheet.core.settings import Language
    from broadsheet.figures.functions import FigureFunctions
    from broadsheet.figures.uses import FigureUse


def _key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallKey:
    return name, repr((args, sorted(kwargs.items())))


@dataclass
class EditionLock:
    """One edition's lock while its page is assembled: each call compared with the locked figure of
    the same call and occurrence (lines move as prose is edited; expressions do not)."""

    lock: IssueLock
    lang: str
    fmt: NumberFormatter
    gettext: Callable[[str], str]
    row_of: Callable[[str, dt.date], str] = lambda series, day: ""  # "data/markets.csv:732" of a close
    _figures: dict[CallKey, list[dict[str, Any]]] = field(default_factory=dict)
    _seen: dict[CallKey, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.lock.figures(self.lang):
            if (key := call_key(entry["expression"])) is not None:
                self._figures.setdefault(key, []).append(entry)

    def guard(self, functions: dict[str, Callable[..., Any]], uses: list[FigureUse]) -> dict[str, Callable[..., Any]]:
        """The page's functions, each comparing what it returns with the lock."""

        def wrap(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
            def call(*args: Any, **kwargs: Any) -> Any:
                before, key = len(uses), _key(name, args, kwargs)
                try:
                    value = func(*args, **kwargs)
                except Exception:  # reported at its line as it is: not missing as well
                    self._seen[key] = self._seen.get(key, -1) + 1
                    raise
                if name == "chart":
                    self._chart(value)
                elif isinstance(value, str):
                    return self._figure(key, value, uses, before)
                return value

            call.__name__ = name
            return call

        return LockedFunctions({name: wrap(name, func) for name, func in functions.items()}, lock=self)

    def missing(self, path: Path, line: int) -> list[SourceError]:
        """The locked figures the page did not evaluate (removed, or their expression rewritten), at
        the body's first line: a published number does not vanish silently either."""
        found = []
        for key, entries in self._figures.items():
            for entry in entries[self._seen.get(key, -1) + 1:]:
                found.append(SourceError(path, line, f"published figure missing: {entry['expression']} printed "
                                         f"{entry['text']}; it is no longer on the page",
                                         f"put it back, or lock the page as it is: python3 build.py publish "
                                         f"{self.lock.issue} (and say so in a corrections: note)"))
        return found

    def _figure(self, key: CallKey, text: str, uses: list[FigureUse], before: int) -> str:
        n = self._seen[key] = self._seen.get(key, -1) + 1
        entries = self._figures.get(key, [])
        if n >= len(entries) or entries[n]["text"] == text:
            return text
        entry = entries[n]
        if self.lock.on_change != KEEP:
            raise FigureError(f"published figure changed: printed {entry['text']}, the data now gives {text}"
                              f"{_moved_values(entry, uses[before:], self.row_of)}", lock_hint(self.lock.issue))
        day = dt.date.fromisoformat(entry.get("corrected") or self.lock.published.isoformat())
        note = self.gettext("as published on {date}; the data has since been revised to {value}").format(
            date=self.fmt.long_date(day), value=text)
        uses[before:] = _as_published(uses[before:], entry, note)
        return str(entry["text"])

    def _chart(self, block: Any) -> None:
        entry = self.lock.charts(self.lang).get(getattr(block, "name", ""))
        if entry is None or entry.get("hash") == chart_entry(block)["hash"]:
            return
        change = ChartChange(self.lang, block.name, block.title, moved_points(entry, chart_entry(block)))
        raise FigureError(f"published chart changed: {change.describe()}", lock_hint(self.lock.issue, chart=True))


class LockedFunctions(dict[str, Callable[..., Any]]):
    """A published page's functions, with the lock that evaluate_figures asks, once the page's
    figures are evaluated, which locked figures it did not meet (`missing`)."""

    def __init__(self, functions: dict[str, Callable[..., Any]], lock: EditionLock) -> None:
        super().__init__(functions)
        self.lock = lock

    def missing(self, path: Path, line: int) -> list[SourceError]:
        """The locked figures not evaluated (EditionLock.missing)."""
        return self.lock.missing(path, line)


def _moved_values(entry: dict[str, Any], uses: list[FigureUse], row_of: Callable[[str, dt.date], str]) -> str:
    """The data values that moved since the lock, and their rows:
    ` (SP500 2025-04-04: 5,074.08 → 5,000, data/markets.csv:732)`."""
    was = dict(zip(entry.get("dates", []), entry.get("values", []), strict=False))
    moved = []
    for use in uses:
        for day, value in zip(use.dates, use.values, strict=False):
            before = was.get(day.isoformat())
            if before is not None and before != value:
                row = row_of(use.series, day)
                moved.append(f"{use.series} {day.isoformat()}: {before:,.10g} → {value:,.10g}{', ' * bool(row)}{row}")
    return f" ({'; '.join(moved)})" if moved else ""


def _as_published(uses: list[FigureUse], entry: dict[str, Any], note: str) -> list[FigureUse]:
    """A kept figure's uses: the locked text and values, and the revision note for its receipt."""
    values = list(entry.get("values", []))
    kept = []
    for use in uses:
        mine, values = tuple(values[:len(use.values)]), values[len(use.values):]
        same = len(mine) == len(use.values)
        kept.append(dataclasses.replace(use, text=str(entry["text"]), values=mine if same else use.values,
                                        revised=note))
    return kept


def edition_lock(issue: Issue, lang: Language, ctx: BuildContext) -> EditionLock | None:
    """The lock a page of `issue` is compared with: none for a draft, an issue never published, or
    while `publish`/`correct` record new values (ctx.figure_locks off)."""
    if not ctx.figure_locks or any(page.meta.draft for page in issue.pages.values()):
        return None
    try:
        lock = read_lock(issue.src_dir)
    except SourceError as damaged:
        raise FigureProblems([damaged]) from None
    if lock is None:
        return None
    return EditionLock(lock, lang.code, NumberFormatter(lang.locale), _gettext(ctx.translations_dir, lang.locale))


def page_functions(figures: FigureFunctions, chart: Callable[..., Any], issue: Issue, lang: Language,
                   ctx: BuildContext) -> dict[str, Callable[..., Any]]:
    """The functions a page may call: the figure functions guarded against look-ahead
    (lookahead.py), `chart`, and, on a published page with a lock, each compared with it."""
    functions = {**guarded(figures.namespace(), figures.uses, issue_as_of(issue)), "chart": chart}
    lock = edition_lock(issue, lang, ctx)
    if lock is None:
        return functions
    store = figures.store
    lock.row_of = lambda series, day: (f"data/{store.catalog.markets_file}:{store.lines[(day, series)]}"
                                       if (day, series) in store.lines else "")
    return lock.guard(functions, figures.uses)


_CATALOGS: dict[tuple[Path, str], Callable[[str], str]] = {}


def _gettext(translations_dir: Path, locale: str) -> Callable[[str], str]:
    """The UI catalog's gettext of a locale (compiled once per process)."""
    key = (translations_dir, locale)
    if key not in _CATALOGS:
        _CATALOGS[key] = load_translations(translations_dir, locale).gettext
    return _CATALOGS[key]
