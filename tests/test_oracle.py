"""Every figure function against an independent oracle (tests/oracle.py): hypothesis draws a
function, series, dates and options, and the text each edition prints must be the oracle's, or
both must refuse (a closed day, a gap, a move the data contradicts, a bad option).

Budget: small by default (about two seconds). For a long run:

    BROADSHEET_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_oracle.py -q
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.core.errors import BroadsheetError
from broadsheet.core.i18n import NumberFormatter
from broadsheet.data.store import DataStore, load_data
from broadsheet.figures.functions import FigureFunctions
from conftest import ROOT
from oracle import NoFigure, Oracle

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)
LONG = int(os.environ.get("BROADSHEET_FUZZ_EXAMPLES", "0"))
LOCALES = {"zh-Hant": "zh_Hant_TW", "en": "en_US"}


def budget(small: int) -> Callable[[Any], Any]:
    """Hypothesis settings: `small` examples, or BROADSHEET_FUZZ_EXAMPLES for a long run."""
    return settings(max_examples=LONG or small, deadline=None, derandomize=not LONG,
                    suppress_health_check=list(HealthCheck), database=None)


@cache
def store() -> DataStore:
    return load_data(ROOT / "data")


@cache
def oracle(locale: str) -> Oracle:
    return Oracle(ROOT / "data", locale)


def data_days() -> list[str]:
    return sorted({day.isoformat() for (day, _series) in store().values})


INDICES = ["SP500", "NASDAQCOM", "DJIA", "VIX", "DXY", "BRENT", "WTI", "GOLD"]
YIELDS = ["DGS2", "DGS10", "DGS20", "DGS30"]
series_ids = st.sampled_from(INDICES + YIELDS + ["NOPE"])
# mostly days with data, some any day of the data's months and the weeks around them (weekends,
# holidays, Good Friday, the days before the first and after the last close)
any_day = st.dates(min_value=dt.date(2024, 12, 20), max_value=dt.date(2025, 4, 30)).map(dt.date.isoformat)
data_day = st.sampled_from(data_days())
days = st.one_of(data_day, data_day, data_day, any_day)
BAD_OPTIONS = [("digits", 7), ("digits", -1), ("digits", True), ("digits", 1.0), ("rounding", "half-even"),
               ("move", "sideways"), ("closed", "next"), ("sign", 1), ("sign", "yes")]


@st.composite
def good_options(draw: st.DrawFn) -> dict[str, Any]:
    """digits, rounding, move, closed and sign as an editor may write them (sign only without move)."""
    move = draw(st.sampled_from([None, None, None, "up", "down"]))
    return {"digits": draw(st.integers(min_value=0, max_value=6)), "rounding": draw(st.sampled_from(["half-up",
            "down"])), "move": move, "closed": draw(st.sampled_from(["error", "previous"])),
            "sign": draw(st.booleans()) if move is None else False}


def with_one_bad(options: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(BAD_OPTIONS).map(lambda bad: {**options, bad[0]: bad[1]})


# one example in five has a wrong option (each must be refused), or sign=True with move
options = st.one_of(good_options(), good_options(), good_options(), good_options().flatmap(with_one_bad),
                    good_options().map(lambda o: {**o, "sign": True, "move": "up"}))


def compare(name: str, *args: Any, **kwargs: Any) -> str:
    """The figure's text in both editions equals the oracle's, or both refuse; returns one of them."""
    seen = ""
    for lang, locale in LOCALES.items():
        try:
            expected = getattr(oracle(locale), name)(*args, **kwargs)
        except NoFigure:
            expected = None
        figures = FigureFunctions(store(), NumberFormatter(locale))
        call = f"{name}{args!r} {kwargs!r} ({lang})"
        try:
            printed = getattr(figures, name)(*args, **kwargs)
        except BroadsheetError as exc:
            assert expected is None, f"{call} failed ({exc}); the oracle prints {expected!r}"
            continue
        assert printed == expected, f"{call} printed {printed!r}; the oracle says {expected!r}"
        seen = printed
    return seen


@budget(100)
@given(name=st.sampled_from(["pct", "points", "gap_pct"]), a=series_ids, b=series_ids, start=days, end=days,
       options=options)
def test_changes_between_two_days(name, a, b, start, end, options) -> None:
    if name == "gap_pct":
        compare(name, a, b, start, end, **options)
    else:
        compare(name, a, start, end, **options)


@budget(100)
@given(name=st.sampled_from(["day_pct", "week_pct", "day_points"]), series=series_ids, day=days, options=options)
def test_changes_of_a_day_or_a_week(name, series, day, options) -> None:
    compare(name, series, day, **options)


yields = st.one_of(st.sampled_from(YIELDS), st.sampled_from(YIELDS), st.sampled_from(YIELDS), series_ids)


@budget(100)
@given(name=st.sampled_from(["bp", "spread", "spread_change"]), a=yields, b=yields, start=days, end=days,
       options=options)
def test_basis_points_and_spreads(name, a, b, start, end, options) -> None:
    kept = {k: v for k, v in options.items() if k in ("move", "closed", "sign")}
    if name == "bp":
        compare(name, a, start, end, **kept)
    elif name == "spread":
        kept.pop("move")
        compare(name, a, b, end, **kept)
    else:
        compare(name, a, b, start, end, **kept)


@budget(100)
@given(name=st.sampled_from(["level", "low", "high", "low_date", "high_date"]), series=series_ids,
       start=days, end=days, options=options, grouping=st.booleans())
def test_levels_and_ranges(name, series, start, end, options, grouping) -> None:
    kept = {"digits": options["digits"], "rounding": options["rounding"], "grouping": grouping}
    if name == "level":
        compare(name, series, end, closed=options["closed"], **kept)
    elif name in ("low", "high"):
        first, last = sorted([start, end]) if options["sign"] is False else (start, end)
        compare(name, series, first, last, **kept)
    else:
        compare(name, series, *sorted([start, end]))


def release_keys() -> list[tuple[str, str]]:
    return sorted(store().releases)


@budget(50)
@given(key=st.one_of(st.sampled_from(release_keys()), st.tuples(st.sampled_from(["CPI_YOY", "NOPE"]),
                                                                   st.sampled_from(["2025-03", "2024-01"]))),
       field=st.sampled_from(["actual", "consensus", "prior", "forecast"]),
       digits=st.one_of(st.none(), st.integers(min_value=0, max_value=6), st.sampled_from([7, True])))
def test_releases(key, field, digits) -> None:
    compare("release", *key, field=field, digits=digits)


# --- the oracle itself, on values worked out by hand ----------------------------------------------------
def test_the_oracle_agrees_with_the_hand_checked_values() -> None:
    zh, en = oracle("zh_Hant_TW"), oracle("en_US")
    assert zh.day_pct("SP500", "2025-04-09") == "9.5%"  # 5456.90 / 4982.77 - 1 = 9.515%
    assert zh.week_pct("SP500", "2025-04-04") == "-9.1%"
    assert zh.spread("DGS30", "DGS2", "2025-04-10") == "102"
    assert zh.spread_change("DGS30", "DGS2", "2025-02-07", "2025-04-10", sign=True) == "+62"
    assert zh.day_pct("SP500", "2025-02-14") == "0.0%"  # -0.007%: no sign on zero
    assert zh.level("SP500", "2025-04-18", closed="previous") == "5,282.70"
    assert zh.low_date("SP500", "2025-04-01", "2025-04-17") == "4 月 8 日"
    assert en.low_date("SP500", "2025-04-01", "2025-04-17") == "April 8"
    assert zh.release("NFP_CHANGE", "2025-03") == "22.8萬" and en.release("NFP_CHANGE", "2025-03") == "228,000"
    assert zh.release("NFP_CHANGE", "2025-03", field="consensus") == "14萬"
    with pytest.raises(NoFigure):
        zh.level("SP500", "2025-04-18")  # Good Friday
    with pytest.raises(NoFigure):
        zh.day_pct("SP500", "2025-04-18", closed="previous")  # a closed day has no change
    with pytest.raises(NoFigure):
        zh.week_pct("SP500", "2025-04-04", move="up")


@pytest.mark.parametrize(("name", "args", "kwargs"), [
    ("day_pct", ("SP500", "2025-02-14"), {"sign": True}),
    ("day_points", ("SP500", "2025-02-26"), {"move": "up"}),
    ("week_pct", ("DJIA", "2025-04-18"), {"closed": "previous", "sign": True}),
    ("bp", ("DGS10", "2025-01-14", "2025-04-04"), {}),
    ("gap_pct", ("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09"), {"digits": 2}),
    ("high_date", ("DGS10", "2025-01-01", "2025-04-17"), {}),
    ("release", ("CPI_MOM", "2025-03"), {"digits": 2}),
])
def test_the_figures_print_the_oracles_text_on_known_days(name, args, kwargs) -> None:
    assert compare(name, *args, **kwargs)
