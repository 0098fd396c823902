"""Exchange calendars: Good Friday, a missing trading day, a Taiwan holiday, an early close."""

from __future__ import annotations

import datetime as dt

import exchange_calendars
import pandas as pd
import pytest

from broadsheet.checks.data_sanity import check_data_sanity
from broadsheet.core.config import load_config
from broadsheet.core.errors import BuildFailed, NoDataForDate
from broadsheet.core.i18n import NumberFormatter
from broadsheet.data import calendars
from broadsheet.data.store import find_gaps, load_catalog, load_data
from broadsheet.figures.functions import FigureFunctions
from conftest import ROOT

D = dt.date


@pytest.fixture(scope="module")
def en() -> FigureFunctions:
    return FigureFunctions(load_data(ROOT / "data"), NumberFormatter("en_US"))


# --- Good Friday: the week of 2025-04-14 ends on Thursday ------------------------------------------
@pytest.mark.unit
def test_a_figure_on_good_friday_says_the_exchange_was_closed(en) -> None:
    with pytest.raises(NoDataForDate) as failed:
        en.level("SP500", "2025-04-18")
    assert "2025-04-18: NYSE closed, Good Friday" in str(failed.value)
    assert "fetch" not in str(failed.value)  # fetch cannot bring a close that never existed


@pytest.mark.unit
def test_closed_previous_takes_thursday_even_after_the_last_row(en) -> None:
    assert en.store.series("SP500").index[-1].date() == D(2025, 4, 17)  # the data ends on Thursday
    assert en.level("SP500", "2025-04-18", closed="previous") == "5,282.70"
    # the holiday-shortened week: Friday 4/11 5,363.36 → Thursday 4/17 5,282.70 = -1.504%
    assert en.week_pct("SP500", "2025-04-18", closed="previous") == "-1.5%"
    assert en.week_pct("SP500", "2025-04-18", closed="previous") == en.week_pct("SP500", "2025-04-17")
    assert en.week_pct("DJIA", "2025-04-18", closed="previous", sign=True) == "-2.7%"  # 40,212.71 → 39,142.23
    assert en.uses[-1].dates == (D(2025, 4, 11), D(2025, 4, 17))


@pytest.mark.unit
def test_the_week_before_a_monday_holiday_ends_on_friday(en) -> None:
    # Presidents' Day 2025-02-17: the week to Friday 2/21 starts from Friday 2/14's close
    en.week_pct("SP500", "2025-02-21")
    assert en.uses[-1].dates == (D(2025, 2, 14), D(2025, 2, 21))
    en.day_pct("SP500", "2025-02-18")  # Tuesday's change is from Friday
    assert en.uses[-1].dates == (D(2025, 2, 14), D(2025, 2, 18))


@pytest.mark.unit
def test_an_adhoc_closure_and_a_weekend_say_so(en) -> None:
    with pytest.raises(NoDataForDate, match="2025-01-09: NYSE closed, Thursday, an exchange holiday"):
        en.level("DGS10", "2025-01-09")
    with pytest.raises(NoDataForDate, match="2025-04-12: NYSE closed, Saturday"):
        en.level("SP500", "2025-04-12")


def test_after_the_data_fetch_is_suggested_only_when_it_could_help(make_site) -> None:
    store = load_data(make_site() / "data")
    store.today = D(2025, 4, 30)
    with pytest.raises(NoDataForDate) as fetchable:
        store.close("SP500", "2025-04-21")
    assert "run `python3 build.py fetch`" in fetchable.value.hint
    with pytest.raises(NoDataForDate) as future:
        store.close("SP500", "2025-05-02")
    assert "not come yet" in future.value.hint and "fetch" not in future.value.hint


# --- a missing trading day ---------------------------------------------------------------------
@pytest.fixture
def gap_site(make_site):
    """The real data without SP500's close of Wednesday 2025-04-16."""
    root = make_site()
    path = root / "data/markets.csv"
    path.write_text("".join(ln for ln in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not ln.startswith("2025-04-16,SP500,")), encoding="utf-8")
    return root


def test_a_missing_trading_day_is_a_gap_no_option_papers_over(gap_site) -> None:
    store = load_data(gap_site / "data")
    assert store.gaps == {"SP500": [D(2025, 4, 16)]}
    zh = FigureFunctions(store, NumberFormatter("zh_Hant_TW"))
    with pytest.raises(NoDataForDate, match="SP500 has no close on 2025-04-16, a NYSE trading day: a gap"):
        zh.level("SP500", "2025-04-16", closed="previous")
    with pytest.raises(NoDataForDate, match="a gap") as failed:
        zh.day_pct("SP500", "2025-04-17")  # from the previous trading day, which is missing
    assert 'closed="previous" does not skip a gap' in failed.value.hint
    assert zh.level("SP500", "2025-04-17") == "5,282.70"  # the days around it still work


def test_check_reports_every_gap(gap_site) -> None:
    problems = check_data_sanity(load_data(gap_site / "data"), load_config(gap_site / "site.yaml"))
    assert [p.message for p in problems if "trading day" in p.message] == [
        "SP500 has no close on 2025-04-16, a trading day of its calendar (XNYS)"]


def test_a_value_on_a_closed_day_stops_the_build(make_site) -> None:
    root = make_site()
    with (root / "data/markets.csv").open("a", encoding="utf-8") as handle:
        handle.write("2025-04-18,SP500,5282.70,X\n")
    with pytest.raises(BuildFailed) as failed:
        load_data(root / "data")
    [problem] = failed.value.problems
    assert problem.format(root) == ("data/markets.csv:890: SP500 has a value on 2025-04-18: NYSE closed, Good "
                                    "Friday (a value on a day the exchange was closed is wrong: remove the row)")


# --- Taiwan: TAIEX is closed on 2025-04-03 and 04-04 --------------------------------------------
@pytest.mark.unit
def test_the_taiwan_calendar_has_its_own_holidays() -> None:
    assert not calendars.is_session("XTAI", D(2025, 4, 3))
    assert not calendars.is_session("XTAI", D(2025, 4, 4))
    assert calendars.is_session("XNYS", D(2025, 4, 4))  # New York traded that Friday
    assert calendars.closed_message("XTAI", D(2025, 4, 4)) == "2025-04-04: TWSE closed, Women and Children's Day"
    assert calendars.previous_session("XTAI", D(2025, 4, 7)) == D(2025, 4, 2)


def test_a_taiwan_series_on_its_own_calendar(make_site) -> None:
    """A series with `calendar: XTAI`: a row on 04-03 is refused, 04-01 → 04-07 is not a gap."""
    root = make_site()
    catalog = root / "data/catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("series:\n", (
        "series:\n  TWTEST:\n    name: {zh-Hant: 測試, en: Test}\n    unit: index\n    calendar: XTAI\n"
        "    source: FRED\n    retrieved: 2025-04-19\n"), 1), encoding="utf-8")
    assert load_catalog(catalog).series["TWTEST"].calendar == "XTAI"
    # placeholder values: only the dates matter here
    assert find_gaps({(D(2025, 4, 1), "TWTEST"): 1.0, (D(2025, 4, 2), "TWTEST"): 1.0,
                      (D(2025, 4, 7), "TWTEST"): 1.0}, load_catalog(catalog)) == {}
    markets = root / "data/markets.csv"
    with markets.open("a", encoding="utf-8") as handle:
        handle.write("2025-04-02,TWTEST,1.0,FRED\n2025-04-03,TWTEST,1.0,FRED\n")
    with pytest.raises(BuildFailed) as failed:
        load_data(root / "data")
    assert [p.message for p in failed.value.problems] == [
        "TWTEST has a value on 2025-04-03: TWSE closed, Thursday, an exchange holiday"]


# --- an early close is a trading day ---------------------------------------------------------------
@pytest.mark.filterwarnings("ignore")  # exchange_calendars' use of pandas' deprecated APIs
def test_an_early_close_is_a_trading_day_and_missing_it_is_a_gap(make_site) -> None:
    # Christmas Eve is a half day on the NYSE (the library's early closes), and a trading day
    assert pd.Timestamp(2024, 12, 24) in exchange_calendars.get_calendar("XNYS").early_closes
    assert calendars.is_session("XNYS", D(2024, 12, 24))
    assert calendars.closed_message("XNYS", D(2024, 12, 25)) == "2024-12-25: NYSE closed, Christmas"
    catalog = load_catalog(make_site() / "data/catalog.yaml")
    # placeholder values around Christmas Eve's half day: only the dates matter here
    values = {(D(2024, 12, 23), "SP500"): 1.0, (D(2024, 12, 26), "SP500"): 1.0}
    assert find_gaps(values, catalog) == {"SP500": [D(2024, 12, 24)]}
    # the week of Good Friday ends on Thursday: a weekly chart takes that close
    week = pd.Series(1.0, index=pd.to_datetime(calendars.sessions("XNYS", D(2025, 4, 14), D(2025, 4, 20))))
    assert list(calendars.weekly_closes(week).index.date) == [D(2025, 4, 17)]


# --- Treasury yields: the NYSE's days that the bond market trades too ------------------------------
@pytest.mark.unit
def test_the_bond_market_closes_on_columbus_and_veterans_day(en) -> None:
    code = en.store.calendar("DGS10")
    assert code == "XNYS&USBOND" and en.store.calendar("SP500") == "XNYS"
    assert calendars.is_session("XNYS", D(2025, 10, 13)) and not calendars.is_session(code, D(2025, 10, 13))
    assert calendars.closed_message(code, D(2025, 10, 13)) == "2025-10-13: US bond market closed, Columbus Day"
    assert calendars.closed_message(code, D(2025, 11, 11)) == "2025-11-11: US bond market closed, Veterans Day"
    assert calendars.closed_message(code, D(2025, 4, 18)) == "2025-04-18: NYSE closed, Good Friday"
    assert calendars.is_session(code, D(2023, 11, 10))  # Veterans Day on a Saturday: no Friday close
    # so a yield series without a 2025-10-13 row has no gap there
    catalog = en.store.catalog
    values = {(D(2025, 10, 10), "DGS10"): 1.0, (D(2025, 10, 14), "DGS10"): 1.0}  # placeholders: dates only
    assert find_gaps(values, catalog) == {}
