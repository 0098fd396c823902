"""The typed-number check of `check`: a number typed in prose beside a series' name is compared with the data.

typed_number_claims.py finds the claims; this module finds the readings of the data each could
mean (a close, a day's or a week's change, a release field) and reports one problem per line:
numbers that disagree with the data, and numbers that agree but should be figure expressions.
docs/writing.md ("Numbers a reader can trust") explains the rules to editors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from broadsheet.checks.typed_number_claims import Claim, NameIndex, find_claims
from broadsheet.content.issues import Page
from broadsheet.core.errors import SourceError
from broadsheet.data.store import DataStore
from broadsheet.figures.arithmetic import pct_change, points_change
from broadsheet.figures.uses import FigureUse

if TYPE_CHECKING:  # the store hands pandas Series; this module needs no pandas of its own
    import pandas as pd


PERCENT_UNITS = {"%", "％", "percent", "個百分點"}
BP_UNITS = {"bp", "bps", "basis point", "basis points", "基點", "個基點"}
PERCENTAGE_POINT_UNITS = {"個百分點", "percentage point", "percentage points"}  # a change of a rate
WINDOW_DAYS = 13  # "near the issue date": the issue's week and the week before
MAX_CLAIMS = 200  # claims compared with the data on one page (a long issue has a few)


@dataclass
class Finding:
    """What the data says about one claim: agree, disagree (with the data's value) or unknown."""

    claim: Claim
    verdict: str  # "agrees", "disagrees"
    label: str  # e.g. PPI_FD_YOY 2025-03 actual
    data_text: str = ""  # the data's value, as the text would print it
    figure: str = ""  # the figure expression that prints it


# --- comparing a claim with the data ----------------------------------------------------------
def _agrees(typed: float, value: float, decimals: int) -> bool:
    return abs(typed - value) < 10 ** -decimals - 1e-9


def _fmt(value: float, decimals: int, unit: str) -> str:
    if unit == "persons":
        return f"{value * 1000:,.0f} persons"
    text = f"{value:,.{decimals}f}"
    if unit in PERCENT_UNITS and unit not in PERCENTAGE_POINT_UNITS:
        return text + "%"
    return f"{text} {unit}" if unit else text


def _window(store: DataStore, sid: str, claim: Claim, issue_date: dt.date) -> pd.Series:
    """The closes a claim may speak of: on its day (or the last before it), else near the issue date."""
    values = store.series(sid)
    end = dt.datetime.combine(claim.day or issue_date, dt.time())
    # a day named in the text: the close on it, or the last one before it (a weekend, a holiday)
    start = end - dt.timedelta(days=4 if claim.day is not None else WINDOW_DAYS)
    return values[(values.index >= start) & (values.index <= end)]


def _series_candidates(store: DataStore, sid: str, claim: Claim, issue_date: dt.date
                       ) -> list[tuple[float, str, str, bool]] | None:
    """(value, label, figure expression, is a change) of each reading of `sid` the claim could mean."""
    info = store.catalog.series[sid]
    percent = claim.unit in PERCENT_UNITS
    window = _window(store, sid, claim, issue_date)
    if window.empty:
        return None
    everything = store.series(sid)
    closes = [(float(v), f"{sid} close {d.date()}", f'level("{sid}", "{d.date()}")', False)
              for d, v in window.items()]
    if info.unit == "percent":
        if claim.unit.lower() in PERCENTAGE_POINT_UNITS:  # a yield's change, as day_points prints it
            return _changes(everything, window, sid, "points", 1.0)
        if percent:
            return closes
        if claim.unit in BP_UNITS:
            return _changes(everything, window, sid, "bp", 100.0)
        return None
    if percent:
        return _changes(everything, window, sid, "pct", None) if claim.moved else None
    low, high = float(everything.min()), float(everything.max())
    plausible = 0.5 * low <= abs(claim.value) <= 2 * high  # else a count, a rank, another quantity
    if claim.unit in ("點", "points", "point"):  # "5,456 點" is a level, "1,857 點" a change
        return _changes(everything, window, sid, "points", 1.0) + (closes if plausible else [])
    if claim.unit and claim.unit not in ("美元", "dollars", "dollar"):
        return None
    return closes if plausible else None


def _changes(values: pd.Series, window: pd.Series, sid: str, kind: str, scale: float | None
             ) -> list[tuple[float, str, str, bool]]:
    out: list[tuple[float, str, str, bool]] = []
    for stamp, close in window.items():
        before = values[values.index < stamp]
        if before.empty:
            continue
        prev = float(before.iloc[-1])
        if not prev:  # no percent change from zero (the data check reports such a close)
            continue
        change = pct_change(prev, close, sid) if scale is None else points_change(prev, close) * scale
        day = stamp.date()
        func = {"pct": "day_pct", "points": "day_points", "bp": "bp"}[kind]
        expr = (f'bp("{sid}", "{before.index[-1].date()}", "{day}")' if kind == "bp"
                else f'{func}("{sid}", "{day}")')
        out.append((abs(change), f"{sid} change on {day}", expr, True))
        week_start = values[values.index < stamp - dt.timedelta(days=stamp.weekday())]
        if kind == "pct" and not week_start.empty:
            wchange = pct_change(float(week_start.iloc[-1]), close, sid)
            out.append((abs(wchange), f"{sid} change in the week to {day}", f'week_pct("{sid}", "{day}")', True))
    return out


def _release_value(store: DataStore, iid: str, claim: Claim, issue_date: dt.date, uses: list[FigureUse]
                   ) -> tuple[float, str, str] | None:
    period = claim.period
    if period is None:
        used = sorted(u.args[1] for u in uses if u.function == "release" and u.args[0] == iid)
        if used:
            period = used[-1]
        else:
            released = sorted((r.release_date, p) for (i, p), r in store.releases.items()
                              if i == iid and r.release_date <= issue_date)
            if not released:
                return None
            period = released[-1][1]
    release = store.releases.get((iid, period))
    if release is None:
        return None
    value = getattr(release, claim.field)
    if value is None:
        return None
    unit = store.catalog.indicators[iid].unit
    typed_unit = claim.unit
    if unit == "percent" and typed_unit not in PERCENT_UNITS:
        return None
    if unit == "index" and typed_unit:
        return None
    field_arg = "" if claim.field == "actual" else f', field="{claim.field}"'
    return value, f"{iid} {period} {claim.field}", f'release("{iid}", "{period}"{field_arg})'


def _typed_thousands(claim: Claim) -> float | None:
    """A payroll count as typed (22.8萬, 228,000, 228K) in thousands of persons."""
    unit = claim.unit.lower()
    if unit == "萬":
        return claim.value * 10
    if unit in ("k", "thousand"):
        return claim.value
    if unit == "million":
        return claim.value * 1000
    if not unit:
        return claim.value / 1000 if claim.value >= 1000 else claim.value
    return None


class Reading(NamedTuple):
    """One value of the data a claim could mean, and the claim's number as it compares with it."""

    value: float
    label: str  # e.g. PPI_FD_YOY 2025-03 actual
    figure: str  # the figure expression that prints it
    typed: float  # the claim's number in the reading's unit (a change: its size)
    places: int  # the decimals the claim was typed with, in that unit
    unit: str


def _series_readings(claim: Claim, decimals: int, store: DataStore, issue_date: dt.date) -> list[Reading]:
    """The closes and changes of the one series a claim names that it could mean."""
    series = [t for t in claim.targets if t in store.catalog.series]
    if len(series) != 1:
        return []
    return [Reading(value, label, figure, abs(claim.value) if is_change else claim.value, decimals, claim.unit)
            for value, label, figure, is_change in _series_candidates(store, series[0], claim, issue_date) or []]


def _release_readings(claim: Claim, decimals: int, store: DataStore, issue_date: dt.date,
                      uses: list[FigureUse]) -> list[Reading]:
    """The release field of each indicator a claim names, a payroll count taken in thousands."""
    readings: list[Reading] = []
    for target in (t for t in claim.targets if t in store.catalog.indicators):
        typed, places, as_typed, unit = claim.value, decimals, claim, claim.unit
        if store.catalog.indicators[target].unit == "thousands_persons":
            thousands = _typed_thousands(claim)
            if thousands is None:
                continue
            typed, places = thousands, max(decimals - 1, 0) if claim.unit == "萬" else 0
            as_typed, unit = Claim(**{**claim.__dict__, "unit": ""}), "persons"
        found = _release_value(store, target, as_typed, issue_date, uses)
        if found is not None:
            readings.append(Reading(*found, typed, places, unit))
    return readings


def judge(claim: Claim, decimals: int, store: DataStore, issue_date: dt.date, uses: list[FigureUse]
          ) -> Finding | None:
    """Compare a claim with every reading it could mean; None when the data cannot say."""
    if sum(t in store.catalog.series for t in claim.targets) > 1:
        return None  # "yields" without a maturity: not one series, so not checked
    readings = (_series_readings(claim, decimals, store, issue_date)
                + _release_readings(claim, decimals, store, issue_date, uses))
    if not readings:
        return None
    agreeing = next((r for r in readings if _agrees(r.typed, r.value, r.places)), None)
    if agreeing is not None:
        return Finding(claim, "agrees", agreeing.label, _fmt(agreeing.value, agreeing.places, agreeing.unit),
                       agreeing.figure)
    closest = min(readings, key=lambda r: abs(r.typed - r.value))
    return Finding(claim, "disagrees", closest.label, _fmt(closest.value, closest.places, closest.unit),
                   closest.figure)


@dataclass
class Judged:
    """The findings of a page's claims by line, and the line where judging stopped (if it did)."""

    by_line: dict[int, list[Finding]]
    stopped_at: int | None


def judge_page(page: Page, store: DataStore, uses: list[FigureUse], names: NameIndex | None = None) -> Judged:
    """Judge every claim of a page (a number typed beside a series or indicator name)."""
    by_line: dict[int, list[Finding]] = {}
    claims = find_claims(page, names or NameIndex(store))
    stopped_at = claims.stopped_at
    for n, (claim, decimals) in enumerate(claims.found):
        if n == MAX_CLAIMS:  # each costs lookups in the data (~1 ms)
            stopped_at = claim.line
            break
        finding = judge(claim, decimals, store, page.meta.date, uses)
        if finding is not None:
            by_line.setdefault(claim.line, []).append(finding)
    return Judged(by_line, stopped_at)


def lint_numbers(page: Page, store: DataStore, uses: list[FigureUse], judged: Judged | None = None
                 ) -> list[SourceError]:
    """Numbers typed beside a series or indicator name instead of a figure: one problem per line."""
    judged = judged or judge_page(page, store, uses)
    by_line, stopped_at = judged.by_line, judged.stopped_at
    problems: list[SourceError] = []
    if stopped_at is not None:  # an absurd page would take minutes: what was not read is not vouched for
        problems.append(SourceError(page.src_path, stopped_at, "too many numbers typed beside a series' name: "
                                                               "the typed-number check stopped at this line",
                                    "write them as figure expressions; an issue types a handful"))
    for line, findings in sorted(by_line.items()):
        wrong = [f for f in findings if f.verdict == "disagrees"]
        parts = [f"{f.claim.text} ({f.label}: the data says {f.data_text})" if f.verdict == "disagrees"
                 else f"{f.claim.text} ({f.label}: matches)" for f in findings]
        figures = ", ".join(dict.fromkeys("{{ " + f.figure + " }}" for f in findings))
        if wrong:
            message = "typed numbers disagree with the data: " + "; ".join(parts)
        else:
            message = "typed numbers should be figure expressions: " + "; ".join(parts)
        hint = f"write {figures}, or mark a quoted claim with <!-- reviewed: why --> on the line before"
        problems.append(SourceError(page.src_path, line, message, hint))
    return problems
