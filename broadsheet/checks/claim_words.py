"""The words of directional and threshold claims, and when a sentence says they happened.

content/claims.yaml holds the vocabulary (directions, levels, thresholds, window words and the
words that make a clause unreadable: a condition, a negation, an intraday extreme); this module
reads it into regular expressions per language and reads the window a clause speaks of (a day,
since a day, from one day to another, the issue's week). claims_direction.py compares the claims
with the data; quotations.py uses the quotation words.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadsheet.checks.prose_words import DATE_RE, MONTHS_EN
from broadsheet.core.errors import SourceError
from broadsheet.core.yamlsource import load_yaml, read_text

CLAIMS_FILE = "claims.yaml"  # under content/
NEAR_AFTER = 8  # characters between a date and 以來/起 that still make it "since"
NEAR_BEFORE = 3  # characters between 自/從 (or since, from) and the date


def word_pattern(words: list[str], english: bool) -> re.Pattern[str] | None:
    """One regex for a list of words, the longest first; English words whole, in any case."""
    words = sorted({str(w) for w in words if str(w).strip()}, key=len, reverse=True)
    if not words:
        return None
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<![A-Za-z'])(?:{body})(?![A-Za-z])", re.I) if english else re.compile(body)


@dataclass(frozen=True)
class Threshold:
    """A level below the high a word names: a bear market is 20% below it."""

    name: str
    words: re.Pattern[str]
    below_high_pct: float


@dataclass
class LanguageWords:
    """The claim words of one language, as regular expressions (None: the file lists none)."""

    english: bool
    up: re.Pattern[str] | None = None
    down: re.Pattern[str] | None = None
    continuing: re.Pattern[str] | None = None
    below: re.Pattern[str] | None = None
    above: re.Pattern[str] | None = None
    thresholds: list[Threshold] = field(default_factory=list)
    windows: dict[str, re.Pattern[str] | None] = field(default_factory=dict)
    skip: re.Pattern[str] | None = None
    verbs: re.Pattern[str] | None = None
    titles: re.Pattern[str] | None = None
    readings: dict[str, dict[str, re.Pattern[str]]] = field(default_factory=dict)  # indicator → up/down


def _per_language(section: Any, key: str) -> dict[str, list[str]]:
    value = section.get(key) if isinstance(section, dict) else None
    return {str(k): [str(w) for w in v] for k, v in value.items() if isinstance(v, list)} \
        if isinstance(value, dict) else {}


def _language(data: dict, lang: str) -> LanguageWords:
    english = not lang.startswith("zh")
    words = LanguageWords(english)

    def pattern(section: str, key: str | None = None) -> re.Pattern[str] | None:
        value = (data.get(section) or {}).get(lang) if key is None else \
            ((data.get(section) or {}).get(lang) or {}).get(key)
        return word_pattern(list(value or []), english)

    words.up, words.down = pattern("directions", "up"), pattern("directions", "down")
    words.continuing = pattern("continuing")
    words.below, words.above = pattern("levels", "below"), pattern("levels", "above")
    words.skip = pattern("skip")
    words.windows = {key: pattern("windows", key)
                     for key in ("since_before", "since_after", "to", "this_week", "last_week")}
    quotations = data.get("quotations") or {}
    words.verbs = word_pattern(_per_language(quotations, "verbs").get(lang, []), english)
    words.titles = word_pattern(_per_language(quotations, "titles").get(lang, []), english)
    for iid, ways in (data.get("readings") or {}).items():
        found_ways = {way: word_pattern(list((ways.get(way) or {}).get(lang) or []), english) for way in ("up", "down")}
        words.readings[str(iid)] = {way: p for way, p in found_ways.items() if p is not None}
    for entry in data.get("thresholds") or []:
        found = word_pattern(list((entry.get("words") or {}).get(lang) or []), english)
        if found is not None:
            name = (entry.get("name") or {}).get(lang) or found.pattern
            words.thresholds.append(Threshold(str(name), found, float(entry.get("below_high_pct", 20))))
    return words


@dataclass
class ClaimWords:
    """content/claims.yaml, per language code (zh-Hant, en)."""

    languages: dict[str, LanguageWords] = field(default_factory=dict)

    def of(self, lang: str) -> LanguageWords | None:
        """The words of a language code (zh-Hant-TW falls back to zh-Hant, en-GB to en)."""
        for code in (lang, lang.rsplit("-", 1)[0], lang.split("-")[0]):
            if code in self.languages:
                return self.languages[code]
        return None


def load_claim_words(content_dir: Path) -> tuple[ClaimWords | None, list[SourceError]]:
    """Read content/claims.yaml (absent: these checks do not run)."""
    path = content_dir / CLAIMS_FILE
    if not path.is_file():
        return None, []
    try:
        data: Any = load_yaml(read_text(path), path) or {}
    except SourceError as exc:
        return None, [exc]
    if not isinstance(data, dict) or not isinstance(data.get("directions") or {}, dict):
        return None, [SourceError(path, 1, "claims.yaml holds directions:, levels:, thresholds:, windows:, skip: "
                                           "and quotations:, each with its words per language")]
    try:
        codes = {str(c) for section in ("directions", "levels", "windows", "skip") for c in (data.get(section) or {})}
        return ClaimWords({code: _language(data, code) for code in codes}), []
    except (AttributeError, TypeError, ValueError) as exc:
        return None, [SourceError(path, 1, f"claims.yaml cannot be read: {exc}",
                                  "each section lists words per language, as the file's own examples do")]


# --- when a clause says it happened -----------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """The span a claim speaks of: a day's move, a move since a day, between two days, a week's."""

    kind: str  # "day", "since", "range", "week"
    start: dt.date
    end: dt.date  # since: the issue's date; week: the week's last day

    def label(self) -> str:
        """How the message names it."""
        return {"day": f"on {self.start}", "since": f"since {self.start}",
                "range": f"from {self.start} to {self.end}"}.get(self.kind, f"in the week to {self.end}")


@functools.lru_cache(maxsize=64)
def dates_in(text: str, issue_date: dt.date) -> tuple[tuple[int, int, dt.date], ...]:
    """(start, end, day) of each date written in the text (4/4, 4 月 11 日, April 11), its year the
    issue's (or the year before, for a month after the issue's). Asked for a sentence once for each
    of its clauses: read once."""
    found = []
    for m in DATE_RE.finditer(text):
        if m.group(1):
            month, day = int(m.group(1)), int(m.group(2))
        else:
            short = m.group(3).rstrip(".").lower()[:3]  # April, Apr., Sept
            month = next(n for n, name in enumerate(MONTHS_EN, start=1) if name.startswith(short))
            day = int(m.group(4))
        year = issue_date.year if month <= issue_date.month else issue_date.year - 1
        try:
            found.append((m.start(), m.end(), dt.date(year, month, day)))
        except ValueError:
            continue
    return tuple(found)


def week_of(day: dt.date) -> Window:
    """The trading week (Monday to Sunday) that holds `day`, up to `day`."""
    return Window("week", day - dt.timedelta(days=day.weekday()), day)


@functools.lru_cache(maxsize=64)
def _near(pattern: re.Pattern[str] | None, text: str) -> bool:
    """Whether `text` holds a word of `pattern` (a sentence is asked once for each of its clauses)."""
    return pattern is not None and pattern.search(text) is not None


def windows_of(texts: list[str], words: LanguageWords, issue_date: dt.date) -> list[Window]:
    """The windows the first of `texts` (a clause, then its sentence) that says when means, each
    reading it may have (上週 in an issue dated on a Sunday: the week just ended, or the one before);
    empty when none says."""
    for text in texts:
        dates = dates_in(text, issue_date)
        if dates:
            return [_dated_window(text, dates, words, issue_date)]
    for text in texts:
        if _near(words.windows.get("this_week"), text):
            return [week_of(issue_date)]
        if _near(words.windows.get("last_week"), text):
            return [week_of(issue_date), week_of(issue_date - dt.timedelta(days=7))]
    return []


def _dated_window(text: str, dates: tuple[tuple[int, int, dt.date], ...], words: LanguageWords,
                  issue_date: dt.date) -> Window:
    (start, end, first) = dates[0]
    if len(dates) > 1 and _near(words.windows.get("to"), text[end:dates[1][0]]) and first < dates[1][2]:
        return Window("range", first, dates[1][2])
    before = text[max(0, start - (12 if words.english else NEAR_BEFORE)):start]
    after = text[end:end + NEAR_AFTER]
    since_before, since_after = words.windows.get("since_before"), words.windows.get("since_after")
    after = re.split(r"[,，。;；]", after)[0]
    if (since_before is not None and since_before.search(before)) or _near(since_after, after):
        return Window("since", first, issue_date)
    return Window("day", first, first)


def first_date(texts: list[str], issue_date: dt.date) -> dt.date | None:
    """The earliest date written in the first text that has one (a clause, its sentence, its line)."""
    for text in texts:
        dates = dates_in(text, issue_date)
        if dates:
            return min(d for _, _, d in dates)
    return None
