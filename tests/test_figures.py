"""Figure functions on hand-checked values from data/ (computed by hand from the closes)."""

from __future__ import annotations

import pytest

from broadsheet.core.errors import FigureError, NoDataForDate, SeriesNotFound

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)


def test_level_rounds_groups_and_truncates(zh):
    assert zh.level("DJIA", "2025-04-09", digits=0) == "40,608"  # 40,608.45
    assert zh.level("SP500", "2025-04-09") == "5,456.90"
    # the article writes 5456: truncated, no separator
    assert zh.level("SP500", "2025-04-09", digits=0, rounding="down", grouping=False) == "5456"
    assert zh.level("NASDAQCOM", "2025-04-09", digits=0, rounding="down") == "17,124"  # 17,124.97
    assert zh.level("NASDAQCOM", "2025-04-09", digits=0) == "17,125"


def test_level_of_a_yield_prints_percent(zh):
    assert zh.level("DGS10", "2025-04-04") == "4.01%"
    assert zh.level("DGS20", "2025-04-09") == "4.78%"


def test_day_moves_of_the_april_9_rebound(zh):
    assert zh.day_pct("SP500", "2025-04-09") == "9.5%"  # 5456.90 / 4982.77 - 1 = 9.515%
    assert zh.day_pct("DJIA", "2025-04-09") == "7.9%"  # 40608.45 / 37645.59 - 1 = 7.870%
    assert zh.day_pct("NASDAQCOM", "2025-04-09") == "12.2%"  # 17124.97 / 15267.91 - 1 = 12.163%
    assert zh.day_points("NASDAQCOM", "2025-04-09") == "1,857.06"


def test_week_change_starts_from_previous_weeks_last_close(zh):
    # week to Friday 4/4 from Friday 3/28: 5074.08 / 5580.94 - 1 = -9.082%
    assert zh.week_pct("SP500", "2025-04-04") == "-9.1%"
    assert zh.week_pct("SP500", "2025-04-04", move="down") == "9.1%"
    assert zh.week_pct("NASDAQCOM", "2025-04-04", digits=0, move="down") == "10%"  # -10.016%
    assert zh.week_pct("DJIA", "2025-04-04", move="down") == "7.9%"  # -7.861%
    assert zh.week_pct("SP500", "2025-04-04", digits=0, rounding="down", move="down") == "9%"


def test_pct_points_and_basis_points(zh):
    assert zh.pct("SP500", "2025-04-08", "2025-04-09") == "9.5%"
    assert zh.points("DJIA", "2025-04-08", "2025-04-09") == "2,962.86"
    assert zh.bp("DGS10", "2025-04-04", "2025-04-09") == "33"  # 4.01 → 4.34
    assert zh.bp("DGS20", "2025-04-04", "2025-04-09", move="up") == "34"


def test_move_in_the_wrong_direction_fails(zh):
    with pytest.raises(FigureError, match="the text says SP500 moved up, but the data says it fell"):
        zh.week_pct("SP500", "2025-04-04", move="up")


def test_releases_in_each_locale(zh, en):
    assert zh.release("CPI_YOY", "2025-03") == "2.4%"
    assert zh.release("CPI_YOY", "2025-03", field="consensus") == "2.6%"
    assert zh.release("CPI_MOM", "2025-03") == "-0.1%"
    assert zh.release("ISM_MFG_PMI", "2025-03", digits=0) == "49"
    assert zh.release("UMICH_SENTIMENT_PRELIM", "2025-04") == "50.8"
    assert zh.release("NFP_CHANGE", "2025-03") == "22.8萬"
    assert zh.release("NFP_CHANGE", "2025-03", field="consensus") == "14萬"
    assert en.release("NFP_CHANGE", "2025-03") == "228,000"
    assert en.release("NFP_CHANGE", "2025-03", field="prior") == "117,000"


def test_missing_values_are_errors_not_guesses(zh):
    with pytest.raises(NoDataForDate, match=r"SP500 has no close on 2025-01-09: NYSE closed, Thursday"):
        zh.level("SP500", "2025-01-09")
    assert zh.level("SP500", "2025-01-09", closed="previous") == zh.level("SP500", "2025-01-08")
    with pytest.raises(NoDataForDate, match="the data runs 2024-12-31 … 2025-04-17"):
        zh.level("SP500", "2026-01-05")
    with pytest.raises(SeriesNotFound, match="unknown series 'SPX'"):
        zh.level("SPX", "2025-04-09")
    with pytest.raises(FigureError, match="has no consensus value"):
        zh.release("ISM_NEW_ORDERS", "2025-03", field="consensus")


def test_every_call_is_recorded(zh):
    zh.level("DJIA", "2025-04-09")
    zh.release("CPI_YOY", "2025-03")
    assert [(u.function, u.series) for u in zh.uses] == [("level", "DJIA"), ("release", "CPI_YOY")]
