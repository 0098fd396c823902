"""The data-sanity check of `check`: one-day moves beyond a series' bound, trading days of its calendar
with no row (gaps), and releases whose actual repeats the prior (a copy-paste slip)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.core.errors import SourceError
from broadsheet.core.settings import Config
from broadsheet.core.yamlsource import read_text
from broadsheet.data.store import DataStore

UNCHANGED_RE = re.compile(r"unchanged|no change|same as (?:the )?prior|持平|不變", re.I)


@dataclass
class _MarketLines:
    """The line of each (date, series) row of the market CSV, for path:line messages."""

    lines: dict[tuple[dt.date, str], int] = field(default_factory=dict)

    @classmethod
    def read(cls, text: str) -> _MarketLines:
        found = cls()
        for n, row in enumerate(text.split("\n"), start=1):
            parts = row.split(",")
            if len(parts) >= 2:
                try:
                    found.lines[(dt.date.fromisoformat(parts[0].strip()), parts[1].strip())] = n
                except ValueError:
                    continue
        return found


def max_daily_move(store: DataStore, sid: str) -> float:
    """The largest believable one-day move of a series in percent (catalog, else by unit): the bound
    fetch, `data add` and `data import` hold new closes to (SeriesInfo.max_move)."""
    return store.catalog.series[sid].max_move()


def check_data_sanity(store: DataStore, config: Config, data_dir: Path | None = None) -> list[SourceError]:
    """Impossible daily moves, missing trading days, and releases whose actual repeats the prior."""
    data_dir = data_dir if data_dir is not None else config.path.parent / "data"
    markets_path = data_dir / store.catalog.markets_file
    releases_path = data_dir / store.catalog.releases_file
    rows = _MarketLines.read(read_text(markets_path)) if markets_path.exists() else _MarketLines()
    problems: list[SourceError] = []
    for sid in sorted(store.catalog.series):
        if sid not in store.markets.columns:
            continue
        values = store.series(sid)
        bound = max_daily_move(store, sid)
        moves = values.pct_change() * 100
        for stamp, move in moves.dropna().items():  # the first close has no move
            if abs(move) > bound:
                day = stamp.date()
                prev = values[values.index < stamp]
                problems.append(SourceError(
                    markets_path, rows.lines.get((day, sid)),
                    f"{sid} moves {move:+.1f}% on {day} (from {prev.iloc[-1]:g} to {values[stamp]:g}), "
                    f"beyond its {bound:g}% daily bound",
                    "check the value against the source; if the move is real, raise max_daily_move_pct "
                    "for the series in data/catalog.yaml"))
    for sid, days in sorted(getattr(store, "gaps", {}).items()):  # trading days of its calendar, no row
        for day in days:
            problems.append(SourceError(
                markets_path, None, f"{sid} has no close on {day}, a trading day of its calendar "
                f"({store.catalog.series[sid].calendar})",
                f"add it from its source: python3 build.py data add {sid} {day} VALUE"))
    for release in sorted(store.releases.values(), key=lambda r: r.line):
        if (release.actual is not None and release.actual == release.prior
                and not UNCHANGED_RE.search(release.source)):
            problems.append(SourceError(
                releases_path, release.line,
                f"{release.indicator} {release.period}: actual {release.actual:g} equals the prior",
                "a copy-paste slip? if the release really was unchanged, say so in the source column "
                "(e.g. \"unchanged per BLS\")"))
    return problems
