"""Directional and threshold claims of `check`: which way a series went, and how far below its high.

A clause that names one market series, a direction (上漲, fell) or a level it crossed (跌破 100,
broke below 100) and a window it can read (4/11, since April 4, 本週; claim_words.py) is compared
with the closes in data/: a warning when the data went the other way, or never crossed the level.
A sentence that puts series in a bear market or a correction (20% or 10% below the high) is
compared with each series' highest close before then: the warning names those that were not.
What it cannot read (no window, a clause with a figure expression, which checks its own direction,
a family such as "yields", a condition, a negation, an intraday extreme) is left alone: precision
over recall. The words are content/claims.yaml's; docs/writing.md explains the rules to editors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from broadsheet.checks.claim_words import (
    ClaimWords,
    LanguageWords,
    Threshold,
    Window,
    first_date,
    windows_of,
)
from broadsheet.checks.typed_number_claims import (
    CLAUSE_RE,
    EXPRESSION_RE,
    FIGURE_MARK,
    SENTENCE_RE,
    NameIndex,
    _canonical,
    prose_lines,
)
from broadsheet.content.issues import Page
from broadsheet.core.errors import SourceError
from broadsheet.core.yamlsource import read_text
from broadsheet.data.store import DataStore

if TYPE_CHECKING:  # the store hands pandas Series; this module needs no pandas of its own
    import pandas as pd

HINT = "mark <!-- reviewed: why --> if it is meant"
PCT_TOLERANCE = 0.05  # a move smaller than this (in %) says no direction
POINT_TOLERANCE = 0.005  # the same for a series quoted in percent (a yield), in points
LEVEL_RE = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<pct>\s*[%％])?")
CHART_TEXT_RE = re.compile(r"^\s*(?P<lang>zh-Hant|en)\s*:\s*(?P<text>.+)$")
MAX_LINES = 5_000  # lines read on one page (an issue has a few hundred)
MAX_JUDGED = 500  # clauses compared with the data on one page (each costs lookups; an issue has a few dozen)


@dataclass(frozen=True)
class Text:
    """A sentence to read: its line, its clauses and the line it is on (for a threshold's date)."""

    line: int
    sentence: str
    whole_line: str


class ClaimReader:
    """Reads the claims of one language's sentences and judges them against the data."""

    def __init__(self, store: DataStore, names: NameIndex, words: LanguageWords, lang: str, issue_date: dt.date):
        self.store, self.names, self.words, self.lang, self.issue_date = store, names, words, lang, issue_date
        self.judged = 0  # clauses compared with the data so far (at most MAX_JUDGED)
        self.closes: dict[str, pd.Series] = {}

    # --- what a text names ---------------------------------------------------------------------------
    def series_named(self, text: str) -> tuple[list[str], bool]:
        """(market series named one by one, in order; whether a family such as "yields" is named)."""
        if self.names.folded is None:
            return [], False
        found: list[str] = []
        family = False
        for m in self.names.folded.finditer(text.lower()):
            ids = self.names.names.get(_canonical(text[m.start():m.end()], self.names.names), set())
            market = sorted(i for i in ids if i in self.store.catalog.series)
            if len(ids) > 1:
                family = True
            elif market and market[0] not in found:
                found.append(market[0])
        return found, family

    def _readable(self, clause: str) -> bool:
        return FIGURE_MARK.strip() not in clause and not (self.words.skip and self.words.skip.search(clause))

    # --- the claims of a sentence -------------------------------------------------------------------
    def warnings(self, text: Text) -> Iterator[str]:
        """The message of each claim of the sentence that the data contradicts."""
        clauses = [c for c in CLAUSE_RE.split(text.sentence) if c.strip()]
        for clause in clauses:
            named, family = self.series_named(clause)
            if not named or family or not self._readable(clause):
                continue
            windows = windows_of([clause, text.sentence], self.words, self.issue_date)
            if not windows:
                continue
            self.judged += 1
            if self.judged > MAX_JUDGED:
                return
            level = self._level(clause)
            for sid in named:
                message = (self._judge_level(sid, level, windows) if level is not None
                           else self._judge_direction(sid, clause, windows))
                if message:
                    yield message
        yield from self._thresholds(text, clauses)
        yield from self._readings(clauses)

    def _direction(self, clause: str) -> tuple[str, str] | None:
        """("up"/"down", the words as written) when the clause says one direction only."""
        ups = list(self.words.up.finditer(clause)) if self.words.up else []
        downs = list(self.words.down.finditer(clause)) if self.words.down else []
        if bool(ups) == bool(downs):
            return None
        m = (ups or downs)[0]
        start = m.start()
        if self.words.continuing is not None:
            before = clause[max(0, start - 20):start]
            lead = [c for c in self.words.continuing.finditer(before) if not before[c.end():].strip()]
            if lead:
                start -= len(before) - lead[-1].start()
        return ("up" if ups else "down"), clause[start:m.end()]

    def _level(self, clause: str) -> tuple[str, float, str, bool] | None:
        """(below/above, the level, the words as written, the level typed with %) of a level crossed."""
        for side, pattern in (("below", self.words.below), ("above", self.words.above)):
            m = pattern.search(clause) if pattern is not None else None
            if m is None:
                continue
            gap = r"(?:\s+[A-Za-z-]+){0,3}\s+" if self.words.english else r"[^\d,，。;；]{0,8}?"
            number = re.match(gap + LEVEL_RE.pattern, clause[m.end():])
            if number is None:
                return None
            value = float(number.group("num").replace(",", ""))
            return side, value, clause[m.start():m.end() + number.end()].strip(), bool(number.group("pct"))
        return None

    # --- the data ------------------------------------------------------------------------------------
    def _closes(self, sid: str) -> pd.Series:
        """The closes of `sid` up to the issue's date (read once a page)."""
        if sid not in self.closes:
            values = self.store.series(sid)
            self.closes[sid] = values[values.index <= dt.datetime.combine(self.issue_date, dt.time())]
        return self.closes[sid]

    def _span(self, sid: str, window: Window) -> tuple[tuple[dt.date, float], tuple[dt.date, float],
                                                      pd.Series] | None:
        """The close a window's move starts from, the close it ends on, and the closes in between."""
        closes = self._closes(sid)
        start, end = (dt.datetime.combine(d, dt.time()) for d in (window.start, window.end))
        if window.kind == "day":
            if start not in closes.index:
                return None  # no close that day: a weekend, a holiday, another market's
            base = closes[closes.index < start]
            inside = closes[closes.index == start]
        elif window.kind == "week":
            base, inside = closes[closes.index < start], closes[(closes.index >= start) & (closes.index <= end)]
        else:
            base, inside = closes[closes.index <= start], closes[(closes.index > start) & (closes.index <= end)]
        if base.empty or inside.empty:
            return None
        return (base.index[-1].date(), float(base.iloc[-1])), (inside.index[-1].date(), float(inside.iloc[-1])), inside

    def _percent(self, sid: str) -> bool:
        return self.store.catalog.series[sid].unit == "percent"

    def _move_text(self, sid: str, start: float, end: float) -> tuple[float, str]:
        """The move (in % or, for a yield, in points) and how the message prints it."""
        if self._percent(sid):
            change = end - start
            verb = "rose" if change > 0 else "fell"
            return change, f"{verb} {abs(change) * 100:.0f} bp ({start:.2f}% → {end:.2f}%)"
        change = (end / start - 1) * 100 if start else 0.0
        verb = "rose" if change > 0 else "fell"
        return change, f"{verb} {abs(change):.1f}% ({start:,.2f} → {end:,.2f})"

    def _judge_direction(self, sid: str, clause: str, windows: list[Window]) -> str | None:
        direction = self._direction(clause)
        if direction is None:
            return None
        way, said = direction
        tolerance = POINT_TOLERANCE if self._percent(sid) else PCT_TOLERANCE
        found: list[str] = []
        for window in windows:  # every reading of the window must contradict the claim
            span = self._span(sid, window)
            if span is None:
                return None
            change, text = self._move_text(sid, span[0][1], span[1][1])
            if (way == "up" and change > -tolerance) or (way == "down" and change < tolerance):
                return None
            label = f"in the week to {span[1][0]}" if window.kind == "week" else window.label()
            found.append(f"{label}, the data says it {text}")
        return f"the sentence says {sid} {said} " + "; or ".join(found)

    def _judge_level(self, sid: str, level: tuple[str, float, str, bool], windows: list[Window]) -> str | None:
        side, value, said, percent = level
        if percent and not self._percent(sid):
            return None  # "跌破 20%" of an index is a drawdown, not a level
        found: list[str] = []
        for window in windows:
            span = self._span(sid, window)
            if span is None:
                return None
            inside = span[2]
            extreme = inside.idxmin() if side == "below" else inside.idxmax()
            close = float(inside[extreme])
            if (side == "below" and close < value) or (side == "above" and close > value):
                return None
            what = "lowest" if side == "below" else "highest"
            label = f"in the week to {span[1][0]}" if window.kind == "week" else window.label()
            found.append(f"{label}, the data's {what} close was {close:,.2f} ({extreme.date()})")
        return f"the sentence says {sid} {said} " + "; or ".join(found)

    # --- what a phrase says about a release ---------------------------------------------------------
    def _readings(self, clauses: list[str]) -> Iterator[str]:
        """A phrase that reads a release's move (交貨速度趨緩: the supplier deliveries index rose)
        against the newest release of the indicator before the issue's date."""
        for iid, ways in self.words.readings.items():
            for way, pattern in ways.items():
                clause = next((c for c in clauses if pattern.search(c)), None)
                if clause is None or (self.words.skip and self.words.skip.search(clause)):
                    continue
                released = [r for (i, _), r in self.store.releases.items()
                            if i == iid and r.release_date <= self.issue_date]
                release = max(released, key=lambda r: r.release_date, default=None)
                if release is None or release.actual is None or release.prior is None:
                    continue
                change = release.actual - release.prior
                if (way == "up" and change < 0) or (way == "down" and change > 0):
                    said = pattern.search(clause)
                    reading = f"{iid} {'rising' if way == 'up' else 'falling'}"
                    yield (f"the sentence says {said.group() if said else way} ({reading}), the data says it "
                           f"{'fell' if change < 0 else 'rose'} from {release.prior:g} to {release.actual:g} "
                           f"({release.period})")

    # --- bear markets and corrections ----------------------------------------------------------------
    def _thresholds(self, text: Text, clauses: list[str]) -> Iterator[str]:
        for threshold in self.words.thresholds:
            clause = next((c for c in clauses if threshold.words.search(c)), None)
            if clause is None or (self.words.skip and self.words.skip.search(clause)):
                continue
            named, _ = self.series_named(clause)
            named = named or self.series_named(text.sentence)[0]
            start = first_date([clause, text.sentence, text.whole_line], self.issue_date)
            window = Window("since", start, self.issue_date) if start else None
            if window is None:
                window = next(iter(windows_of([text.sentence], self.words, self.issue_date)), None)
            if not named or window is None:
                continue
            short = [self._short_of_threshold(sid, threshold, window) for sid in named]
            missed = [s for s in short if s]
            if missed:
                said = threshold.words.search(clause)
                yield (f"the sentence says {', '.join(named)} reached {said.group() if said else threshold.name} "
                       f"({threshold.below_high_pct:g}% below the high) from {window.start} to the issue's date; "
                       f"the data says {'; '.join(missed)}")

    def _short_of_threshold(self, sid: str, threshold: Threshold, window: Window) -> str | None:
        """Why `sid` was not `threshold` below its high in the window (None: it was)."""
        closes = self._closes(sid)
        highs = closes.cummax()
        start = dt.datetime.combine(window.start, dt.time())
        inside = closes[closes.index >= start]
        if inside.empty:
            return None
        drawdown = (inside / highs[inside.index] - 1) * 100
        deepest = drawdown.idxmin()
        if drawdown[deepest] <= -threshold.below_high_pct:
            return None
        high_day = closes[:deepest].idxmax()
        name = self.store.catalog.series[sid].name.get(self.lang) or sid
        return (f"{name} ({sid}) was at most {abs(drawdown[deepest]):.1f}% below its high "
                f"({closes[high_day]:,.2f} on {high_day.date()} → {inside[deepest]:,.2f} on {deepest.date()})")


# --- pages and chart texts -----------------------------------------------------------------------------
def _texts(lines: Iterator[tuple[int, str]], english: bool) -> Iterator[Text]:
    for count, (line, text) in enumerate(lines):
        if count == MAX_LINES:
            return
        for sentence in SENTENCE_RE.split(text):
            if sentence and sentence.strip():
                yield Text(line, sentence, text)


def _read(reader: ClaimReader, path: Path, lines: Iterator[tuple[int, str]]) -> list[SourceError]:
    """The warnings of the lines, until MAX_JUDGED clauses were compared: then one that says where
    the check stopped (an absurd page would take minutes; what was not read is not vouched for)."""
    problems: list[SourceError] = []
    for text in _texts(lines, reader.words.english):
        problems += [SourceError(path, text.line, message, HINT) for message in reader.warnings(text)]
        if reader.judged > MAX_JUDGED:
            problems.append(SourceError(path, text.line, "too many sentences naming a series with a direction: "
                                                         "the directional check stopped at this line",
                                        "an issue has a few dozen; check the text above"))
            break
    return problems


def check_page_claims(page: Page, store: DataStore, words: ClaimWords, names: NameIndex | None = None
                      ) -> list[SourceError]:
    """Warnings for the directional and threshold claims of a page the data contradicts."""
    lang_words = words.of(page.lang)
    if lang_words is None:
        return []
    reader = ClaimReader(store, names or NameIndex(store), lang_words, page.lang, page.meta.date)
    lines = ((line, text) for line, text, reviewed, _ in prose_lines(page) if not reviewed)
    return _read(reader, page.src_path, lines)


def chart_text_lines(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, language, text with figures masked) of each text of a charts.yaml (titles, notes,
    descriptions), as the Markdown's prose lines are read."""
    for number, raw in enumerate(read_text(path).split("\n"), start=1):
        m = CHART_TEXT_RE.match(raw)
        if m and not m.group("text").startswith(("{", "[", "|", ">")):
            yield number, m.group("lang"), EXPRESSION_RE.sub(FIGURE_MARK, m.group("text").strip().strip("\"'"))


def check_chart_claims(path: Path, issue_date: dt.date, store: DataStore, words: ClaimWords,
                       names: NameIndex | None = None) -> list[SourceError]:
    """The same check on the chart texts of an issue's charts.yaml, each in its language."""
    names = names or NameIndex(store)
    problems: list[SourceError] = []
    for line, lang, text in chart_text_lines(path):
        lang_words = words.of(lang)
        if lang_words is not None:
            reader = ClaimReader(store, names, lang_words, lang, issue_date)
            problems += _read(reader, path, iter([(line, text)]))
    return problems


def check_text_claims(text: str, lang: str, issue_date: dt.date, store: DataStore, words: ClaimWords
                      ) -> list[str]:
    """The messages for one text (a sentence or a paragraph): what the tests and docs feed it."""
    lang_words = words.of(lang)
    if lang_words is None:
        return []
    reader = ClaimReader(store, NameIndex(store), lang_words, lang, issue_date)
    masked = EXPRESSION_RE.sub(FIGURE_MARK, text)
    return [message for t in _texts(iter([(1, masked)]), lang_words.english) for message in reader.warnings(t)]

