"""The typed-number check's own arithmetic: which closes and changes a number typed in prose is
compared with (the day named, else the issue's two weeks), a day's and a week's change, basis
points, 萬/K/million payroll counts, and how close counts as agreeing. Each claim is judged
against the real data in data/ (the closes worked out by hand in the comments)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from broadsheet.checks.typed_number_claims import Claim, NameIndex, find_claims
from broadsheet.checks.typed_numbers import judge, lint_numbers
from broadsheet.content.issues import FrontMatter, Page
from broadsheet.figures.uses import FigureUse

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)
D = dt.date
ISSUE_DATE = D(2025, 4, 13)  # a Sunday: its two weeks are 2025-03-31 … 2025-04-13


def claim(value: float, unit: str = "", targets: tuple[str, ...] = ("SP500",), moved: bool = False,
          day: dt.date | None = None, field: str = "actual", period: str | None = None) -> Claim:
    return Claim(line=3, text=f"{value}{unit}", value=value, unit=unit, targets=targets, field=field, moved=moved,
                 period=period, day=day)


def verdict(store, typed: Claim, decimals: int, uses: list[FigureUse] | None = None) -> tuple[str, ...] | None:
    found = judge(typed, decimals, store, ISSUE_DATE, uses or [])
    return None if found is None else (found.verdict, found.label, found.data_text, found.figure)


# --- closes: the day named, or the last four days before it; else the issue's two weeks --------------
def test_a_close_on_the_day_named_agrees(store) -> None:
    assert verdict(store, claim(5456.90, day=D(2025, 4, 9)), 2) == (
        "agrees", "SP500 close 2025-04-09", "5,456.90", 'level("SP500", "2025-04-09")')


def test_the_days_window_takes_four_days_before_the_day_and_none_after(store) -> None:
    # 4/8 looks back to 4/4 (5,074.08) and includes 4/8 itself (4,982.77)
    assert verdict(store, claim(5074.08, day=D(2025, 4, 8)), 2)[:2] == ("agrees", "SP500 close 2025-04-04")
    assert verdict(store, claim(4982.77, day=D(2025, 4, 8)), 2)[:2] == ("agrees", "SP500 close 2025-04-08")
    # from 4/9 the 4/4 close is five days back: the nearest close in the window is 4/7's 5,062.25
    assert verdict(store, claim(5074.08, day=D(2025, 4, 9)), 2) == (
        "disagrees", "SP500 close 2025-04-07", "5,062.25", 'level("SP500", "2025-04-07")')
    # a close after the day named (4/9's 5,456.90) is not what the text says of 4/8
    assert verdict(store, claim(5456.90, day=D(2025, 4, 8)), 2)[0] == "disagrees"


def test_without_a_day_the_window_is_the_issues_two_weeks(store) -> None:
    assert verdict(store, claim(5611.85), 2)[:2] == ("agrees", "SP500 close 2025-03-31")  # its first day
    # 4/17's 5,282.70 comes after the issue: the nearest close by then is 4/10's 5,268.05
    assert verdict(store, claim(5282.70), 2)[:2] == ("disagrees", "SP500 close 2025-04-10")
    # 3/28's 5,580.94 is before the window: the nearest close in it is 3/31's
    assert verdict(store, claim(5580.94), 2) == (
        "disagrees", "SP500 close 2025-03-31", "5,611.85", 'level("SP500", "2025-03-31")')


def test_the_window_ends_on_the_issue_date(store) -> None:
    # 4/14's 5,405.97 comes after an issue of 4/13: the nearest close by then is 4/3's 5,396.52
    assert verdict(store, claim(5405.97), 2)[:3] == ("disagrees", "SP500 close 2025-04-03", "5,396.52")


# --- agreeing: less than one unit of the last place typed away (rounded or cut) ----------------------
@pytest.mark.parametrize(("typed", "decimals", "agrees"), [
    (5456.90, 2, True), (5456.9, 1, True), (5457, 0, True), (5456, 0, True),
    (5456.89, 2, False), (5456.91, 2, False), (5456.8, 1, False), (5457.0, 1, False), (5458, 0, False),
    (5455, 0, False),
])
def test_a_typed_close_agrees_within_less_than_one_unit_of_its_last_place(store, typed, decimals, agrees) -> None:
    assert verdict(store, claim(typed, day=D(2025, 4, 9)), decimals)[0] == ("agrees" if agrees else "disagrees")


@pytest.mark.parametrize(("typed", "decimals", "agrees"), [
    (9.5, 1, True), (9.6, 1, True), (9.51, 2, True), (9.52, 2, True), (10, 0, True), (9, 0, True),
    (9.4, 1, False), (9.7, 1, False), (9.50, 2, False), (9.53, 2, False), (12, 0, False), (11, 0, False),
])
def test_a_typed_change_agrees_within_less_than_one_unit_of_its_last_place(store, typed, decimals, agrees) -> None:
    # SP500 on 4/9: 5,456.90 / 4,982.77 - 1 = 9.5154%
    found = verdict(store, claim(typed, "%", moved=True, day=D(2025, 4, 9)), decimals)
    assert found[0] == ("agrees" if agrees else "disagrees")


# --- changes: a day's from the close before it, a week's from the last close of the week before ---------
def test_a_days_percent_change_is_from_the_close_before(store) -> None:
    # 5,456.90 / 4,982.77 - 1 = 9.515%
    assert verdict(store, claim(9.5, "%", moved=True, day=D(2025, 4, 9)), 1) == (
        "agrees", "SP500 change on 2025-04-09", "9.5%", 'day_pct("SP500", "2025-04-09")')
    assert verdict(store, claim(9.52, "%", moved=True, day=D(2025, 4, 9)), 2)[0] == "agrees"
    assert verdict(store, claim(9.4, "%", moved=True, day=D(2025, 4, 9)), 1)[0] == "disagrees"
    # a fall is typed as its size, or with its minus: -1.57% on 4/8 (4,982.77 / 5,062.25 - 1)
    assert verdict(store, claim(-1.6, "%", moved=True, day=D(2025, 4, 8)), 1)[:2] == (
        "agrees", "SP500 change on 2025-04-08")
    assert verdict(store, claim(1.6, "％", moved=True, day=D(2025, 4, 8)), 1)[:2] == (
        "agrees", "SP500 change on 2025-04-08")


def test_a_weeks_change_is_from_the_last_close_of_the_week_before(store) -> None:
    # the week to 4/4: 5,074.08 / 5,580.94 (Friday 3/28) - 1 = -9.08%
    assert verdict(store, claim(-9.1, "%", moved=True), 1) == (
        "agrees", "SP500 change in the week to 2025-04-04", "9.1%", 'week_pct("SP500", "2025-04-04")')
    # to Wednesday 4/9: 5,456.90 / 5,074.08 - 1 = 7.54%
    assert verdict(store, claim(7.5, "%", moved=True, day=D(2025, 4, 9)), 1)[:2] == (
        "agrees", "SP500 change in the week to 2025-04-09")
    # no day nor week of the two weeks moved 8.2%: the nearest is the week to 4/9 (7.54%)
    assert verdict(store, claim(8.2, "%", moved=True), 1)[:2] == ("disagrees", "SP500 change in the week to 2025-04-09")


def test_a_percent_without_a_movement_word_is_not_a_change_of_an_index(store) -> None:
    assert verdict(store, claim(9.5, "%", day=D(2025, 4, 9)), 1) is None


def test_a_change_in_points_and_a_level_in_points(store) -> None:
    # Nasdaq 15,267.91 → 17,124.97 on 4/9: +1,857.06 points
    assert verdict(store, claim(1857.06, "點", targets=("NASDAQCOM",), moved=True, day=D(2025, 4, 9)), 2) == (
        "agrees", "NASDAQCOM change on 2025-04-09", "1,857.06 點", 'day_points("NASDAQCOM", "2025-04-09")')
    assert verdict(store, claim(1857, "points", targets=("NASDAQCOM",), moved=True, day=D(2025, 4, 9)), 0)[0] \
        == "agrees"
    # "5,456 點" is the level of 4/9 (5,456.90), not a change
    assert verdict(store, claim(5456, "點", day=D(2025, 4, 9)), 0)[:2] == ("agrees", "SP500 close 2025-04-09")
    # the DJIA's 2,962.86 on 4/9 (37,645.59 → 40,608.45), typed with the decimals a reader sees
    assert verdict(store, claim(2962.9, "point", targets=("DJIA",), moved=True, day=D(2025, 4, 9)), 1)[:2] == (
        "agrees", "DJIA change on 2025-04-09")
    assert verdict(store, claim(2963.1, "point", targets=("DJIA",), moved=True, day=D(2025, 4, 9)), 1)[0] \
        == "disagrees"


def test_a_yield_in_percent_is_a_close_and_in_basis_points_a_change(store) -> None:
    assert verdict(store, claim(4.34, "%", targets=("DGS10",), day=D(2025, 4, 9)), 2) == (
        "agrees", "DGS10 close 2025-04-09", "4.34%", 'level("DGS10", "2025-04-09")')
    # 4.01% (4/4) → 4.15% (4/7): 14 bp, in the four days to 4/9; typed to a tenth, 14.1 would not agree
    assert verdict(store, claim(14.0, "bp", targets=("DGS10",), moved=True, day=D(2025, 4, 9)), 1) == (
        "agrees", "DGS10 change on 2025-04-07", "14.0 bp", 'bp("DGS10", "2025-04-04", "2025-04-07")')
    assert verdict(store, claim(14.2, "bp", targets=("DGS10",), moved=True, day=D(2025, 4, 9)), 1)[:2] == (
        "disagrees", "DGS10 change on 2025-04-07")
    assert verdict(store, claim(8, "基點", targets=("DGS10",), day=D(2025, 4, 9)), 0)[:2] == (
        "agrees", "DGS10 change on 2025-04-09")  # 4.26 → 4.34
    assert verdict(store, claim(8, "basis points", targets=("DGS10",), day=D(2025, 4, 9)), 0)[0] == "agrees"
    assert verdict(store, claim(4, "點", targets=("DGS10",), day=D(2025, 4, 9)), 0) is None
    assert verdict(store, claim(4.34, targets=("DGS10",), day=D(2025, 4, 9)), 2) is None


def test_a_number_far_from_every_close_is_some_other_quantity(store) -> None:
    # SP500 closed between ~4,983 and ~6,144 in the data: 3 (a count) and 20,000 are not its level
    assert verdict(store, claim(3), 0) is None
    assert verdict(store, claim(20000), 0) is None
    assert verdict(store, claim(2500), 0)[0] == "disagrees"  # half the lowest close: still a level
    assert verdict(store, claim(5000, "萬"), 0) is None  # a unit an index does not have
    assert verdict(store, claim(3000.0, "美元", targets=("GOLD",), day=D(2025, 4, 9)), 0)[1].startswith("GOLD close")


def test_a_claim_naming_two_series_is_not_judged(store) -> None:
    assert verdict(store, claim(4.34, "%", targets=("DGS10", "DGS2"), day=D(2025, 4, 9)), 2) is None


# --- releases: payrolls in 萬, K, thousands, million; fields; the period ---------------------------------
NFP = ("NFP_CHANGE",)


@pytest.mark.parametrize(("value", "unit", "decimals"), [
    (22.8, "萬", 1), (228, "K", 0), (228, "k", 0), (228, "thousand", 0), (228000, "", 0), (228, "", 0),
    (0.228, "million", 3),
])
def test_a_payroll_count_in_any_unit_is_thousands_of_persons(store, value, unit, decimals) -> None:
    assert verdict(store, claim(value, unit, targets=NFP), decimals) == (
        "agrees", "NFP_CHANGE 2025-03 actual", "228,000 persons", 'release("NFP_CHANGE", "2025-03")')


@pytest.mark.parametrize(("value", "unit", "decimals"), [
    (22.9, "萬", 1), (23, "萬", 0), (229, "K", 0), (229000, "", 0), (2.28, "萬", 2), (0.229, "million", 3),
])
def test_a_payroll_count_off_by_a_thousand_disagrees(store, value, unit, decimals) -> None:
    assert verdict(store, claim(value, unit, targets=NFP), decimals)[:3] == (
        "disagrees", "NFP_CHANGE 2025-03 actual", "228,000 persons")


def test_a_payroll_count_with_a_unit_that_is_not_a_count_is_not_judged(store) -> None:
    assert verdict(store, claim(22.8, "%", targets=NFP), 1) is None
    assert verdict(store, claim(22.8, "億", targets=NFP), 1) is None


def test_the_field_and_the_period_a_claim_speaks_of(store) -> None:
    assert verdict(store, claim(14, "萬", targets=NFP, field="consensus"), 0) == (
        "agrees", "NFP_CHANGE 2025-03 consensus", "140,000 persons",
        'release("NFP_CHANGE", "2025-03", field="consensus")')
    assert verdict(store, claim(11.7, "萬", targets=NFP, field="prior"), 1)[:2] == (
        "agrees", "NFP_CHANGE 2025-03 prior")
    assert verdict(store, claim(14.3, "萬", targets=NFP, period="2025-01"), 1)[:2] == (
        "agrees", "NFP_CHANGE 2025-01 actual")
    # a page that quotes release("NFP_CHANGE", "2025-02") speaks of February
    used = [FigureUse("release", ("NFP_CHANGE", "2025-02"), (), "NFP_CHANGE", (D(2025, 3, 7),), "15.1萬")]
    assert verdict(store, claim(15.1, "萬", targets=NFP), 1, used)[:2] == ("agrees", "NFP_CHANGE 2025-02 actual")
    assert verdict(store, claim(15.1, "萬", targets=NFP), 1)[:2] == ("disagrees", "NFP_CHANGE 2025-03 actual")
    assert verdict(store, claim(15.1, "萬", targets=NFP, period="2024-06"), 1) is None  # no such release


def test_a_release_in_percent_or_an_index(store) -> None:
    assert verdict(store, claim(2.4, "%", targets=("CPI_YOY",)), 1) == (
        "agrees", "CPI_YOY 2025-03 actual", "2.4%", 'release("CPI_YOY", "2025-03")')
    assert verdict(store, claim(2.6, "%", targets=("CPI_YOY",)), 1)[:3] == ("disagrees", "CPI_YOY 2025-03 actual",
                                                                            "2.4%")
    assert verdict(store, claim(2.4, targets=("CPI_YOY",)), 1) is None  # a rate typed without %
    assert verdict(store, claim(49.0, targets=("ISM_MFG_PMI",)), 1)[:2] == ("agrees", "ISM_MFG_PMI 2025-03 actual")
    assert verdict(store, claim(49.0, "點", targets=("ISM_MFG_PMI",)), 1) is None
    assert verdict(store, claim(49.0, targets=("ISM_NEW_ORDERS",), field="consensus"), 1) is None  # no value


def test_before_the_first_release_there_is_nothing_to_compare(store) -> None:
    early = judge(claim(14.3, "萬", targets=NFP), 1, store, D(2025, 1, 31), [])
    assert early is None


# --- from the Markdown to the problem ---------------------------------------------------------------
def page(body: str, lang: str = "zh-Hant") -> Page:
    meta = FrontMatter(title="t", date=ISSUE_DATE, summary="s")
    return Page(src_path=Path("content/issues/2025-04-13-x") / f"{lang}.md", lang=lang, meta=meta, body=body,
                body_line=5, source_hash="0")


def test_claims_are_found_beside_a_name_with_their_day_and_field(store) -> None:
    found = find_claims(page("標普 500 指數 4 月 9 日大漲 9.5%。\n\n非農就業人數為 22.8萬,預期 14萬。\n"),
                        NameIndex(store))
    got = [(c.line, c.value, c.unit, c.targets, c.field, c.moved, c.day, decimals) for c, decimals in found.found]
    assert got == [(5, 9.5, "%", ("SP500",), "actual", True, D(2025, 4, 9), 1),
                   (7, 22.8, "萬", ("NFP_CHANGE",), "actual", False, None, 1),
                   (7, 14.0, "萬", ("NFP_CHANGE",), "consensus", False, None, 0)]


def test_lint_numbers_names_the_line_the_data_and_the_figure(store) -> None:
    problems = lint_numbers(page("標普 500 指數 4 月 9 日大漲 9.5%。\n\n非農就業人數增加 25萬。\n"), store, [])
    assert [(p.line, p.message, p.hint) for p in problems] == [
        (5, "typed numbers should be figure expressions: 9.5% (SP500 change on 2025-04-09: matches)",
         'write {{ day_pct("SP500", "2025-04-09") }}, or mark a quoted claim with <!-- reviewed: why --> '
         "on the line before"),
        (7, "typed numbers disagree with the data: 25萬 (NFP_CHANGE 2025-03 actual: the data says 228,000 persons)",
         'write {{ release("NFP_CHANGE", "2025-03") }}, or mark a quoted claim with <!-- reviewed: why --> '
         "on the line before")]


# --- the edges of each rule ----------------------------------------------------------------------------
def test_the_issues_window_is_thirteen_days(store) -> None:
    # an issue of Wednesday 4/16 looks back to Thursday 4/3 (5,396.52), not to 4/2 (5,670.97)
    assert judge(claim(5396.52), 2, store, D(2025, 4, 16), []).label == "SP500 close 2025-04-03"
    found = judge(claim(5670.97), 2, store, D(2025, 4, 16), [])
    assert (found.verdict, found.label) == ("disagrees", "SP500 close 2025-04-09")  # the nearest in it


def test_a_plausible_level_is_from_half_the_lowest_close_to_twice_the_highest(store) -> None:
    # SP500's closes run 4,982.77 … 6,144.15: 2,491.39 … 12,288.30 may be a level
    assert verdict(store, claim(2492), 0)[0] == "disagrees"
    assert verdict(store, claim(2490), 0) is None
    assert verdict(store, claim(12288), 0)[0] == "disagrees"
    assert verdict(store, claim(12289), 0) is None
    assert verdict(store, claim(-5456.9, day=D(2025, 4, 9)), 1)[0] == "disagrees"  # a level has no minus


@pytest.mark.parametrize("unit", ["%", "％", "percent", "個百分點"])
def test_each_way_of_writing_percent(store, unit) -> None:
    assert verdict(store, claim(9.5, unit, moved=True, day=D(2025, 4, 9)), 1)[:2] == (
        "agrees", "SP500 change on 2025-04-09")
    if unit != "個百分點":  # percentage points: a change, not a yield's level
        assert verdict(store, claim(4.34, unit, targets=("DGS10",), day=D(2025, 4, 9)), 2)[:2] == (
            "agrees", "DGS10 close 2025-04-09")


@pytest.mark.parametrize("unit", ["bp", "basis point", "basis points", "基點", "個基點"])
def test_each_way_of_writing_basis_points(store, unit) -> None:
    assert verdict(store, claim(8, unit, targets=("DGS10",), moved=True, day=D(2025, 4, 9)), 0)[:2] == (
        "agrees", "DGS10 change on 2025-04-09")


@pytest.mark.parametrize("unit", ["", "美元", "dollars", "dollar"])
def test_a_price_in_dollars(store, unit) -> None:
    # gold closed at 3,082.78 on 4/9
    assert verdict(store, claim(3082.78, unit, targets=("GOLD",), day=D(2025, 4, 9)), 2)[:3] == (
        "agrees", "GOLD close 2025-04-09", f"3,082.78 {unit}".strip())


def test_the_latest_period_a_page_quotes_and_a_release_on_the_issue_date(store) -> None:
    used = [FigureUse("release", ("NFP_CHANGE", period), (), "NFP_CHANGE", (), "") for period in
            ("2025-02", "2025-01")] + [FigureUse("level", ("NFP_CHANGE", "2025-03"), (), "NFP_CHANGE", (), "")]
    assert verdict(store, claim(15.1, "萬", targets=NFP), 1, used)[:2] == ("agrees", "NFP_CHANGE 2025-02 actual")
    other = [FigureUse("release", ("CPI_YOY", "2025-01"), (), "CPI_YOY", (), "")]
    assert verdict(store, claim(22.8, "萬", targets=NFP), 1, other)[:2] == ("agrees", "NFP_CHANGE 2025-03 actual")
    # March's payrolls came out on 4/4: an issue of that day speaks of them
    assert judge(claim(22.8, "萬", targets=NFP), 1, store, D(2025, 4, 4), []).label == "NFP_CHANGE 2025-03 actual"
    assert judge(claim(15.1, "萬", targets=NFP), 1, store, D(2025, 4, 3), []).label == "NFP_CHANGE 2025-02 actual"


def test_a_payroll_count_typed_to_a_hundred_persons_is_compared_to_the_thousand(store) -> None:
    assert verdict(store, claim(22.85, "萬", targets=NFP), 2)[0] == "disagrees"  # 228,500 is not 228,000
    assert verdict(store, claim(22.80, "萬", targets=NFP), 2)[0] == "agrees"


def page_of(lines: int) -> Page:
    return page("".join(f"標普 500 指數 4 月 9 日收 {5000 + n} 點。\n" for n in range(lines)))


def test_judging_stops_after_200_claims_and_says_where(store) -> None:
    problems = lint_numbers(page_of(201), store, [])
    assert problems[0].line == 5 + 200
    assert problems[0].message == ("too many numbers typed beside a series' name: the typed-number check stopped "
                                   "at this line")
    assert len(problems) == 1 + 200
    assert all("stopped" not in p.message for p in lint_numbers(page_of(200), store, []))


# --- more edges (each a change a test must notice) ------------------------------------------------------
@pytest.mark.parametrize("unit", ["個百分點", "percentage point", "percentage points"])
def test_a_yields_percentage_points_are_its_change(store, unit) -> None:
    # DGS10 4.34% (4/9) → 4.40% (4/10) → 4.48% (4/11): +0.08 points on 4/9 (4.26 → 4.34) and on 4/11
    found = verdict(store, claim(0.08, unit, targets=("DGS10",), moved=True, day=D(2025, 4, 11)), 2)
    assert found[:2] == ("agrees", "DGS10 change on 2025-04-09")


def test_the_plausible_range_includes_its_ends(store) -> None:
    assert verdict(store, claim(4982.77 / 2), 3)[0] == "disagrees"  # half the lowest close, exactly
    assert verdict(store, claim(6144.15 * 2), 1)[0] == "disagrees"  # twice the highest, exactly


def test_the_first_close_of_the_data_has_no_change_and_the_next_one_has(store) -> None:
    # SP500 5,881.63 (2024-12-31, the data's first row) → 5,868.55 (1/2): -0.22%
    assert verdict(store, claim(0.22, "%", moved=True, day=D(2025, 1, 2)), 2)[:2] == (
        "agrees", "SP500 change on 2025-01-02")


def test_a_yields_basis_points_have_no_weekly_percent_change(store) -> None:
    # 4.01% → 4.15% is 3.5% of the yield, not 3.5 bp: the nearest change in bp is 4/9's 8
    assert verdict(store, claim(3.5, "bp", targets=("DGS10",), moved=True, day=D(2025, 4, 9)), 1)[:2] == (
        "disagrees", "DGS10 change on 2025-04-09")


def test_an_indicator_the_unit_does_not_fit_is_passed_over_for_the_next(store) -> None:
    # 4.2% is not a payroll count: the unemployment rate of the same sentence is compared
    assert verdict(store, claim(4.2, "%", targets=("NFP_CHANGE", "UNEMPLOYMENT_RATE")), 1)[:2] == (
        "agrees", "UNEMPLOYMENT_RATE 2025-03 actual")


def test_a_payroll_count_in_thousands_is_compared_to_the_thousand(store) -> None:
    assert verdict(store, claim(228.5, "K", targets=NFP), 1)[:2] == ("agrees", "NFP_CHANGE 2025-03 actual")
    assert verdict(store, claim(229.0, "K", targets=NFP), 1)[0] == "disagrees"


@pytest.mark.parametrize("numbers", [" ".join(str(n) for n in range(2001)),  # 2,001 claims
                                     " ".join(f"{n}年" for n in range(2001))])  # 2,001 numbers, no claim
def test_a_page_with_too_many_numbers_stops_where_it_stopped(store, numbers) -> None:
    problems = lint_numbers(page("標普 500 指數 " + numbers + "\n"), store, [])
    assert (problems[0].line, problems[0].message, problems[0].hint) == (
        5, "too many numbers typed beside a series' name: the typed-number check stopped at this line",
        "write them as figure expressions; an issue types a handful")


def test_each_number_of_a_line_is_listed_with_its_figure(store) -> None:
    [problem] = lint_numbers(page("標普 500 指數 4 月 9 日大漲 9.5% 至 5,999.99 點\n"), store, [])
    assert problem.message.startswith("typed numbers disagree with the data: 9.5% (SP500 change on 2025-04-09: "
                                      "matches); 5,999.99 點 (SP500 ")
    assert problem.hint.startswith('write {{ day_pct("SP500", "2025-04-09") }}, {{ ')
