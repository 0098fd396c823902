"""Every figure a reader sees, pinned: spreads and their change, basis points, the sign of a rise,
a fall and zero, move= on moves under one unit, half-up rounding (on the half, and on float
noise), and the arithmetic under them. The values are the real closes in data/, each worked out
by hand in its comment; a test here fails when a figure would print a wrong number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from broadsheet.core.errors import FigureError
from broadsheet.core.i18n import NumberFormatter, quantize
from broadsheet.figures.arithmetic import bp_change, pct_change, pct_changes, points_change, spread_bp
from broadsheet.figures.functions import FigureFunctions

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)
D = dt.date


# --- the arithmetic ------------------------------------------------------------------------------
def test_the_arithmetic_of_a_change() -> None:
    assert pct_change(200.0, 201.0) == pytest.approx(0.5)
    assert pct_change(4982.77, 5456.90) == pytest.approx(9.5153, abs=1e-4)
    assert pct_change(5580.94, 5074.08) == pytest.approx(-9.0819, abs=1e-4)
    assert points_change(37645.59, 40608.45) == pytest.approx(2962.86)
    assert points_change(40608.45, 37645.59) == pytest.approx(-2962.86)
    assert bp_change(4.01, 4.34) == pytest.approx(33.0)
    assert bp_change(4.78, 4.01) == pytest.approx(-77.0)
    assert spread_bp(4.86, 3.84) == pytest.approx(102.0)  # the 2s30s of 2025-04-10
    assert spread_bp(3.84, 4.86) == pytest.approx(-102.0)


@pytest.mark.parametrize("start", [0.0, -0.0])
def test_a_percent_change_from_zero_is_an_error_naming_the_series(start: float) -> None:
    with pytest.raises(FigureError) as failed:
        pct_change(start, 5.0, "SP500")
    assert str(failed.value) == f"SP500 is {start:g} at the start, so a percent change has no meaning"
    assert failed.value.hint == "use points() for a change from zero, or check the data"
    with pytest.raises(FigureError) as failed:
        pct_change(start, 5.0)
    assert str(failed.value).startswith("the series is ")


def test_a_percent_change_to_an_infinite_value_is_an_error() -> None:
    with pytest.raises(FigureError, match=r"^the series is \S+ at the start, so a percent change has no meaning$"):
        pct_change(1e-320, 1e300)
    assert pct_change(-2.0, -1.0) == pytest.approx(-50.0)  # a negative base is a number, not an error


def test_pct_changes_of_a_series_are_fractions_from_each_value_to_the_next(store) -> None:
    closes = store.series("SP500")["2025-04-07":"2025-04-09"]  # 5062.25, 4982.77, 5456.90
    changes = pct_changes(closes)
    assert changes.isna().tolist() == [True, False, False]
    assert changes.iloc[1] == pytest.approx(4982.77 / 5062.25 - 1)
    assert changes.iloc[2] == pytest.approx(0.095153, abs=1e-6)


# --- spreads ---------------------------------------------------------------------------------------
def test_the_spread_of_two_yields_in_basis_points(zh, en) -> None:
    # 2025-04-10: DGS30 4.86%, DGS2 3.84%: 102 bp (a sum would print 870, x1.01 would print 103)
    assert zh.spread("DGS30", "DGS2", "2025-04-10") == "102"
    assert en.spread("DGS30", "DGS2", "2025-04-10") == "102"
    assert zh.spread("DGS2", "DGS30", "2025-04-10") == "-102"  # an inverted spread is negative
    assert zh.spread("DGS30", "DGS2", "2025-04-10", sign=True) == "+102"
    assert zh.spread("DGS2", "DGS30", "2025-04-10", sign=True) == "-102"
    assert zh.spread("DGS10", "DGS2", "2025-04-04") == "33"  # 4.01 - 3.68 (32.99999999999997 in floats)
    assert zh.spread("DGS10", "DGS10", "2025-04-04", sign=True) == "0"


def test_a_spread_reads_both_series_and_records_each(zh) -> None:
    zh.spread("DGS30", "DGS2", "2025-04-10")
    assert [(u.function, u.series, u.dates, u.values, u.text) for u in zh.uses] == [
        ("spread", "DGS2", (D(2025, 4, 10),), (3.84,), "102"),
        ("spread", "DGS30", (D(2025, 4, 10),), (4.86,), "102")]
    assert zh.uses[-1].args == ("DGS30", "DGS2", "2025-04-10")


def test_a_spread_on_a_closed_day_takes_the_previous_close_only_when_asked(zh) -> None:
    with pytest.raises(FigureError, match="Good Friday"):
        zh.spread("DGS30", "DGS2", "2025-04-18")
    # 2025-04-17: DGS30 4.80, DGS2 3.80
    assert zh.spread("DGS30", "DGS2", "2025-04-18", closed="previous") == zh.spread("DGS30", "DGS2", "2025-04-17")
    assert zh.uses[-1].dates == (D(2025, 4, 17),)


def test_how_a_spread_changed_in_basis_points(zh, en) -> None:
    # DGS30 4.69 → 4.86, DGS2 4.29 → 3.84 from 2025-02-07 to 2025-04-10: 40 bp → 102 bp, +62 (steepening)
    assert zh.spread_change("DGS30", "DGS2", "2025-02-07", "2025-04-10") == "62"
    assert en.spread_change("DGS30", "DGS2", "2025-02-07", "2025-04-10") == "62"
    assert zh.spread_change("DGS30", "DGS2", "2025-04-10", "2025-02-07") == "-62"  # flattening
    assert zh.spread_change("DGS2", "DGS30", "2025-02-07", "2025-04-10") == "-62"
    assert zh.spread_change("DGS30", "DGS2", "2025-02-07", "2025-04-10", sign=True) == "+62"
    assert zh.spread_change("DGS30", "DGS2", "2025-02-07", "2025-04-10", move="up") == "62"
    assert zh.spread_change("DGS30", "DGS2", "2025-04-10", "2025-02-07", move="down") == "62"
    with pytest.raises(FigureError, match=r"^the text says the DGS30-DGS2 spread moved down, "
                                          r"but the data says it rose \(\+62\)$"):
        zh.spread_change("DGS30", "DGS2", "2025-02-07", "2025-04-10", move="down")
    # DGS10 4.01 → 4.34, DGS2 3.68 → 3.91 from 2025-04-04 to 2025-04-09: 33 → 43 bp
    assert zh.spread_change("DGS10", "DGS2", "2025-04-04", "2025-04-09") == "10"


def test_a_spread_change_records_both_series_at_both_dates(zh) -> None:
    zh.spread_change("DGS30", "DGS2", "2025-02-07", "2025-04-10")
    assert [(u.series, u.dates, u.values) for u in zh.uses] == [
        ("DGS2", (D(2025, 2, 7), D(2025, 4, 10)), (4.29, 3.84)),
        ("DGS30", (D(2025, 2, 7), D(2025, 4, 10)), (4.69, 4.86))]
    assert {u.function for u in zh.uses} == {"spread_change"}
    assert zh.uses[-1].args == ("DGS30", "DGS2", "2025-02-07", "2025-04-10")


@pytest.mark.parametrize("call", [
    lambda f: f.bp("SP500", "2025-04-04", "2025-04-09"),
    lambda f: f.spread("DGS10", "SP500", "2025-04-09"),
    lambda f: f.spread("SP500", "DGS10", "2025-04-09"),
    lambda f: f.spread_change("DGS10", "GOLD", "2025-04-04", "2025-04-09"),
    lambda f: f.spread_change("GOLD", "DGS10", "2025-04-04", "2025-04-09"),
])
def test_basis_points_of_a_series_not_in_percent_is_an_error(zh, call) -> None:
    # bp("SP500", …) would print index points x100
    with pytest.raises(FigureError, match=r"^(bp|spread|spread_change)\(\) needs yield series in percent; "
                                          r"(SP500|GOLD) is not one$"):
        call(zh)


# --- basis points ---------------------------------------------------------------------------------
def test_basis_points_of_a_large_move(zh) -> None:
    # DGS10 4.78% (2025-01-14) → 4.01% (2025-04-04): -77 bp (x1.01 would print -78)
    assert zh.bp("DGS10", "2025-01-14", "2025-04-04") == "-77"
    assert zh.bp("DGS10", "2025-01-14", "2025-04-04", move="down") == "77"
    assert zh.bp("DGS10", "2025-01-14", "2025-04-04", sign=True) == "-77"
    assert zh.bp("DGS10", "2025-04-04", "2025-01-14", sign=True) == "+77"
    assert zh.bp("DGS10", "2025-04-04", "2025-04-09") == "33"
    assert zh.uses[-1].values == (4.01, 4.34) and zh.uses[-1].dates == (D(2025, 4, 4), D(2025, 4, 9))


def test_basis_points_round_half_up_and_print_no_signed_zero(zh) -> None:
    fmt = zh.fmt
    assert fmt.decimal(bp_change(4.005, 4.0), 0) == "-1"  # -0.5 bp: half away from zero
    assert fmt.decimal(bp_change(4.0, 4.005), 0) == "1"
    assert fmt.decimal(32.5, 0) == "33" and fmt.decimal(33.5, 0) == "34"  # not half-even (32, 34)
    assert fmt.decimal(-32.5, 0) == "-33"
    # DGS10 4.78 → 4.78 on 2025-01-17: no change
    assert zh.bp("DGS10", "2025-01-16", "2025-01-17") == "0"
    assert zh.bp("DGS10", "2025-01-16", "2025-01-17", sign=True) == "0"


# --- sign=True ----------------------------------------------------------------------------------------
def test_sign_prints_a_plus_on_a_rise_and_keeps_the_minus_of_a_fall(zh, en) -> None:
    assert zh.day_pct("SP500", "2025-04-09", sign=True) == "+9.5%"
    assert en.day_pct("SP500", "2025-04-09", sign=True) == "+9.5%"
    assert zh.week_pct("SP500", "2025-04-04", sign=True) == "-9.1%"
    assert zh.pct("SP500", "2025-04-08", "2025-04-09", sign=True) == "+9.5%"
    assert zh.points("DJIA", "2025-04-08", "2025-04-09", sign=True) == "+2,962.86"
    assert zh.day_points("NASDAQCOM", "2025-04-09", sign=True) == "+1,857.06"
    assert zh.points("DJIA", "2025-04-09", "2025-04-08", sign=True) == "-2,962.86"
    assert zh.gap_pct("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09", sign=True) == "+2.6"  # 12.163 - 9.515


def test_a_change_that_rounds_to_zero_prints_no_sign(zh, en) -> None:
    """SP500 6,114.63 → 6,114.19 on 2025-02-14: -0.007%. Zero has no sign: "0.0%", never "-0.0%" or
    "+0.0%" (a "+" is printed only for what rounds to more than zero, a "-" only for less)."""
    for f in (zh, en):
        assert f.day_pct("SP500", "2025-02-14") == "0.0%"
        assert f.day_pct("SP500", "2025-02-14", sign=True) == "0.0%"
        assert f.day_pct("SP500", "2025-02-14", digits=2) == "-0.01%"
        assert f.day_pct("SP500", "2025-02-14", digits=2, sign=True) == "-0.01%"
        assert f.day_pct("SP500", "2025-02-14", digits=2, rounding="down") == "0.00%"
        assert f.day_points("SP500", "2025-02-14", digits=0) == "0"
        assert f.day_points("SP500", "2025-02-14", digits=0, sign=True) == "0"
        assert f.day_points("SP500", "2025-02-14", sign=True) == "-0.44"
    assert en.fmt.percent(-0.04, 1) == "0.0%" and en.fmt.decimal(-0.004, 2) == "0.00"
    assert quantize(-0.04, 1) == 0 and not quantize(-0.04, 1).is_signed()
    assert not quantize(-0.09, 1, "down").is_signed()


def test_a_rise_that_rounds_to_zero_prints_no_plus(zh) -> None:
    # SP500 on 2025-02-26: 5,955.25 → 5,956.06, +0.014%: "0.0%", and "+0.01%" at two places
    assert zh.day_pct("SP500", "2025-02-26", sign=True) == "0.0%"
    assert zh.day_pct("SP500", "2025-02-26", digits=2, sign=True) == "+0.01%"
    assert zh.day_points("SP500", "2025-02-26", digits=0, sign=True) == "+1"  # 0.81 rounds to 1
    assert zh.day_points("SP500", "2025-02-26", digits=0, rounding="down", sign=True) == "0"


# --- move= on small moves -------------------------------------------------------------------------
def test_move_checks_the_direction_of_a_move_under_one_unit(zh) -> None:
    # SP500 +0.81 points (+0.014%) on 2025-02-26, -0.44 points (-0.007%) on 2025-02-14
    assert zh.day_points("SP500", "2025-02-26", move="up") == "0.81"
    assert zh.day_pct("SP500", "2025-02-26", digits=3, move="up") == "0.014%"
    assert zh.day_points("SP500", "2025-02-14", move="down") == "0.44"
    assert zh.day_pct("SP500", "2025-02-14", digits=3, move="down") == "0.007%"
    with pytest.raises(FigureError, match=r"^the text says SP500 moved down, but the data says it rose \(\+0\.81\)$"):
        zh.day_points("SP500", "2025-02-26", move="down")
    with pytest.raises(FigureError, match="moved down, but the data says it rose"):
        zh.day_pct("SP500", "2025-02-26", move="down")
    with pytest.raises(FigureError, match=r"^the text says SP500 moved up, but the data says it fell \(-0\.44\)$"):
        zh.day_points("SP500", "2025-02-14", move="up")
    with pytest.raises(FigureError, match="moved up, but the data says it fell"):
        zh.day_pct("SP500", "2025-02-14", move="up")


def test_move_on_no_change_is_either_direction(zh) -> None:
    assert zh.bp("DGS10", "2025-01-16", "2025-01-17", move="up") == "0"
    assert zh.bp("DGS10", "2025-01-16", "2025-01-17", move="down") == "0"


def test_move_and_sign_together_contradict(zh) -> None:
    with pytest.raises(FigureError, match="^sign=True and move= contradict each other$") as failed:
        zh.day_pct("SP500", "2025-04-09", move="up", sign=True)
    assert failed.value.hint == "move prints the size for prose that says the direction; sign prints +/-"
    assert zh.day_pct("SP500", "2025-04-09", move="up", sign=False) == "9.5%"


# --- rounding --------------------------------------------------------------------------------------
def test_rounding_is_half_up_on_the_half_and_through_float_noise() -> None:
    fmt = NumberFormatter("en_US")
    assert fmt.decimal(2.675, 2) == "2.68"  # 2.67499999999999982236431605997495353221893310546875 as a float
    assert fmt.decimal(-2.675, 2) == "-2.68"
    assert fmt.decimal(0.125, 2) == "0.13" and fmt.decimal(2.5, 0) == "3"  # half-even would print 0.12, 2
    assert fmt.percent(0.25, 1) == "0.3%"
    # a 0.5% move computed in floats is 0.49999999999994493: the editor's half rounds up
    assert pct_change(200.0, 201.0) != 0.5
    assert fmt.percent(pct_change(200.0, 201.0), 0) == "1%"
    assert fmt.decimal(9.4999999999997, 0) == "10"  # noise below 1e-10 is cleared first
    assert fmt.decimal(9.49999999, 0) == "9"  # a real 9.49999999 is not a half
    assert fmt.decimal(2.675, 2, rounding="down") == "2.67"
    assert fmt.decimal(-2.679, 2, rounding="down") == "-2.67"  # down is toward zero
    assert quantize(Decimal("1.005"), 2) == Decimal("1.01")
    with pytest.raises(ValueError, match="rounding must be one of half-up, down"):
        quantize(1.0, 2, "half-even")


def test_digits_and_rounding_reach_every_change_function(zh) -> None:
    # SP500 2025-04-09: 5456.90 / 4982.77 - 1 = 9.51539...%, +474.13 points
    assert zh.day_pct("SP500", "2025-04-09", digits=3) == "9.515%"
    assert zh.day_pct("SP500", "2025-04-09", digits=0) == "10%"
    assert zh.day_pct("SP500", "2025-04-09", digits=0, rounding="down") == "9%"
    assert zh.day_points("SP500", "2025-04-09", digits=0) == "474"
    assert zh.day_points("SP500", "2025-04-09", digits=1) == "474.1"
    assert zh.points("SP500", "2025-04-08", "2025-04-09", digits=0, rounding="down") == "474"
    assert zh.gap_pct("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09", digits=2) == "2.65"  # 12.163 - 9.515
    assert zh.gap_pct("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09", digits=2, rounding="down") == "2.64"
    assert zh.gap_pct("SP500", "NASDAQCOM", "2025-04-08", "2025-04-09", move="down") == "2.6"
    assert zh.low("SP500", "2025-04-01", "2025-04-17", digits=0) == "4,983"  # 4,982.77 on 4/8
    assert zh.high("SP500", "2025-04-01", "2025-04-17", digits=1, rounding="down", grouping=False) == "5670.9"


# --- the option checks -----------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"digits": 7}, "digits must be a whole number from 0 to 6, got 7"),
    ({"digits": -1}, "digits must be a whole number from 0 to 6, got -1"),
    ({"digits": True}, "digits must be a whole number from 0 to 6, got True"),
    ({"digits": 1.0}, "digits must be a whole number from 0 to 6, got 1.0"),
    ({"rounding": "half-even"}, "rounding must be one of half-up, down, got 'half-even'"),
    ({"move": "sideways"}, 'move must be "up" or "down", got \'sideways\''),
    ({"closed": "next"}, 'closed must be "error" or "previous", got \'next\''),
    ({"sign": "yes"}, "sign must be True or False, got 'yes'"),
    ({"sign": 1}, "sign must be True or False, got 1"),
])
def test_each_option_is_checked_with_what_it_takes(zh, kwargs, message) -> None:
    with pytest.raises(FigureError) as failed:
        zh.day_pct("SP500", "2025-04-09", **kwargs)
    assert str(failed.value).startswith(message)


@pytest.mark.parametrize("digits", [0, 6])
def test_digits_from_0_to_6_are_taken(zh, digits) -> None:
    assert zh.day_pct("SP500", "2025-04-09", digits=digits) == ("10%" if digits == 0 else "9.515390%")
    assert zh.level("SP500", "2025-04-09", digits=digits) == ("5,457" if digits == 0 else "5,456.900000")


def test_a_wrong_keyword_names_the_function_and_the_one_meant(zh) -> None:
    day_pct = zh.namespace()["day_pct"]
    with pytest.raises(FigureError, match=r"day_pct\(\) got an unexpected keyword") as failed:
        day_pct("SP500", "2025-04-09", decimals=2)
    assert failed.value.hint.startswith("did you mean digits=? it takes series, date, digits")
    with pytest.raises(FigureError) as failed:
        day_pct("SP500", "2025-04-09", digts=2)
    assert failed.value.hint.startswith("did you mean digits=?")
    with pytest.raises(FigureError) as failed:
        day_pct("SP500")
    assert failed.value.hint == "see docs/writing.md for each function"
    assert day_pct.__name__ == "day_pct" and day_pct("SP500", "2025-04-09") == "9.5%"


def test_a_release_checks_its_digits_and_field(zh) -> None:
    assert zh.release("CPI_YOY", "2025-03", digits=2) == "2.40%"
    assert zh.release("UMICH_SENTIMENT_PRELIM", "2025-04", digits=0) == "51"  # 50.8
    with pytest.raises(FigureError, match="^digits must be a whole number from 0 to 6, got 9$"):
        zh.release("CPI_YOY", "2025-03", digits=9)
    with pytest.raises(FigureError, match="^field must be one of actual, consensus, prior, got 'forecast'$"):
        zh.release("CPI_YOY", "2025-03", field="forecast")
    zh.release("NFP_CHANGE", "2025-03", field="prior")
    assert zh.uses[-1].kwargs == (("digits", None), ("field", "prior"))
    assert zh.uses[-1].dates == (D(2025, 4, 4),) and zh.uses[-1].values == (117.0,)


# --- what each call records (receipts, provenance and parity read it) ----------------------------------
@pytest.mark.parametrize(("name", "args", "kwargs", "recorded"), [
    ("level", ("SP500", "2025-04-09"), {"digits": 1},
     [("SP500", ("SP500", "2025-04-09"), (("digits", 1),), (D(2025, 4, 9),), "5,456.9", (5456.9,), ())]),
    ("pct", ("SP500", "2025-04-08", "2025-04-09"), {},
     [("SP500", ("SP500", "2025-04-08", "2025-04-09"), (("digits", 1),), (D(2025, 4, 8), D(2025, 4, 9)), "9.5%",
       (4982.77, 5456.9), ())]),
    ("day_pct", ("SP500", "2025-04-09"), {"digits": 2},
     [("SP500", ("SP500", "2025-04-09"), (("digits", 2),), (D(2025, 4, 8), D(2025, 4, 9)), "9.52%",
       (4982.77, 5456.9), ())]),
    ("week_pct", ("SP500", "2025-04-04"), {},
     [("SP500", ("SP500", "2025-04-04"), (("digits", 1),), (D(2025, 3, 28), D(2025, 4, 4)), "-9.1%",
       (5580.94, 5074.08), ())]),
    ("points", ("DJIA", "2025-04-08", "2025-04-09"), {"digits": 0},
     [("DJIA", ("DJIA", "2025-04-08", "2025-04-09"), (("digits", 0),), (D(2025, 4, 8), D(2025, 4, 9)), "2,963",
       (37645.59, 40608.45), ())]),
    ("day_points", ("DJIA", "2025-04-09"), {},
     [("DJIA", ("DJIA", "2025-04-09"), (("digits", 2),), (D(2025, 4, 8), D(2025, 4, 9)), "2,962.86",
       (37645.59, 40608.45), ())]),
    ("bp", ("DGS10", "2025-04-04", "2025-04-09"), {},
     [("DGS10", ("DGS10", "2025-04-04", "2025-04-09"), (), (D(2025, 4, 4), D(2025, 4, 9)), "33", (4.01, 4.34), ())]),
    ("gap_pct", ("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09"), {},
     [("NASDAQCOM", ("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09"), (("digits", 1),),
       (D(2025, 4, 8), D(2025, 4, 9)), "2.6", (15267.91, 17124.97), ()),
      ("SP500", ("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09"), (("digits", 1),),
       (D(2025, 4, 8), D(2025, 4, 9)), "2.6", (4982.77, 5456.9), ())]),
    ("low", ("SP500", "2025-04-01", "2025-04-17"), {"digits": 0},
     [("SP500", ("SP500", "2025-04-01", "2025-04-17"), (("digits", 0),), (D(2025, 4, 8),), "4,983", (4982.77,),
       (D(2025, 4, 1), D(2025, 4, 17)))]),
    ("high", ("SP500", "2025-04-05", "2025-04-17"), {},
     [("SP500", ("SP500", "2025-04-05", "2025-04-17"), (("digits", 2),), (D(2025, 4, 9),), "5,456.90", (5456.9,),
       (D(2025, 4, 7), D(2025, 4, 17)))]),
    ("low_date", ("SP500", "2025-04-01", "2025-04-17"), {},
     [("SP500", ("SP500", "2025-04-01", "2025-04-17"), (), (D(2025, 4, 8),), "4 月 8 日", (4982.77,),
       (D(2025, 4, 1), D(2025, 4, 17)))]),
    ("high_date", ("SP500", "2025-04-05", "2025-04-17"), {},
     [("SP500", ("SP500", "2025-04-05", "2025-04-17"), (), (D(2025, 4, 9),), "4 月 9 日", (5456.9,),
       (D(2025, 4, 7), D(2025, 4, 17)))]),
    ("release", ("CPI_YOY", "2025-03"), {},
     [("CPI_YOY", ("CPI_YOY", "2025-03"), (("digits", None), ("field", "actual")), (D(2025, 4, 10),), "2.4%",
       (2.4,), ())]),
])
def test_each_call_records_what_it_read_and_printed(zh, name, args, kwargs, recorded) -> None:
    printed = zh.namespace()[name](*args, **kwargs)
    got = [(u.series, u.args, u.kwargs, u.dates, u.text, u.values, u.span) for u in zh.uses]
    assert got == recorded
    assert {u.function for u in zh.uses} == {name} and printed == recorded[-1][4]


# --- the words editors reach for name the keyword meant ---------------------------------------------
@pytest.mark.parametrize(("function", "word", "meant"), [
    ("day_pct", "decimals", "digits"), ("day_pct", "decimal", "digits"), ("day_pct", "precision", "digits"),
    ("day_pct", "places", "digits"), ("day_pct", "dp", "digits"), ("day_pct", "round", "rounding"),
    ("day_pct", "direction", "move"), ("day_pct", "signed", "sign"), ("release", "kind", "field"),
    ("release", "value", "field"), ("level", "thousands", "grouping"), ("level", "separator", "grouping"),
])
def test_a_synonym_names_the_keyword_it_means(zh, function, word, meant) -> None:
    args = ("CPI_YOY", "2025-03") if function == "release" else ("SP500", "2025-04-09")
    with pytest.raises(FigureError) as failed:
        zh.namespace()[function](*args, **{word: 1})
    assert failed.value.hint.startswith(f"did you mean {meant}=? it takes ")
    assert str(failed.value) == f"wrong arguments: {function}() got an unexpected keyword argument '{word}'"


def test_a_synonym_of_a_keyword_the_function_lacks_is_not_suggested(zh) -> None:
    with pytest.raises(FigureError) as failed:
        zh.namespace()["bp"]("DGS10", "2025-04-04", "2025-04-09", decimals=1)  # bp has no digits
    assert failed.value.hint == "it takes series, start, end, move, closed, sign"


# --- the messages that say which figure to write instead --------------------------------------------
def test_a_days_change_on_a_closed_day_names_the_change_it_would_print(zh) -> None:
    with pytest.raises(FigureError) as failed:
        zh.day_pct("SP500", "2025-04-18", closed="previous")
    assert str(failed.value) == ('SP500 has no change on 2025-04-18: NYSE closed, Good Friday; the last trading '
                                 'day\'s change is day_pct("SP500", "2025-04-17")')
    assert failed.value.hint.startswith('closed="previous" takes the last close, not its change')
    with pytest.raises(FigureError, match=r"^DJIA has no change on 2025-04-19: NYSE closed, Saturday; "
                                          r'the last trading day\'s change is day_points\("DJIA", "2025-04-17"\)$'):
        zh.day_points("DJIA", "2025-04-19", closed="previous")
    assert zh.day_pct("SP500", "2025-04-17", closed="previous") == zh.day_pct("SP500", "2025-04-17")


def test_a_wrong_direction_names_what_moved(zh) -> None:
    with pytest.raises(FigureError) as failed:
        zh.gap_pct("NASDAQCOM", "SP500", "2025-04-08", "2025-04-09", move="down")
    assert str(failed.value) == ("the text says NASDAQCOM against SP500 moved down, but the data says it rose "
                                 "(+2.648)")
    assert failed.value.hint == "fix the wording or the dates"
    with pytest.raises(FigureError, match=r"^the text says DGS10 moved up, but the data says it fell \(-77\)$"):
        zh.bp("DGS10", "2025-01-14", "2025-04-04", move="up")
    with pytest.raises(FigureError, match=r"^the text says SP500 moved down, but the data says it rose \(\+474\.1\)$"):
        zh.day_points("SP500", "2025-04-09", move="down")


def test_a_release_without_the_value_says_where_it_is_missing(zh) -> None:
    with pytest.raises(FigureError) as failed:
        zh.release("ISM_NEW_ORDERS", "2025-03", field="consensus")
    assert str(failed.value) == "ISM_NEW_ORDERS 2025-03 has no consensus value in the data"
    assert failed.value.hint.startswith("data/releases.csv leaves it empty")


# --- a range of a series without a calendar: the rows decide --------------------------------------------
@pytest.fixture
def uncalendared(store):
    """The real data with GOLD's calendar taken away (a series the catalog gives no exchange)."""
    import dataclasses

    from broadsheet.data.store import DataStore

    series = {**store.catalog.series, "GOLD": dataclasses.replace(store.catalog.series["GOLD"], calendar=None)}
    catalog = dataclasses.replace(store.catalog, series=series)
    return FigureFunctions(DataStore(catalog, store.values, store.releases), NumberFormatter("en_US"))


def test_a_range_without_a_calendar_is_the_rows_between_its_ends(uncalendared) -> None:
    # GOLD 4/7 2,982.01, 4/8 2,981.96, 4/9 3,082.78: both ends are inside the range
    assert uncalendared.low("GOLD", "2025-04-08", "2025-04-08") == "2,981.96"
    assert uncalendared.low("GOLD", "2025-04-05", "2025-04-09") == "2,981.96"
    assert uncalendared.low("GOLD", "2025-04-09", "2025-04-09") == "3,082.78"
    assert uncalendared.high_date("GOLD", "2025-04-05", "2025-04-09") == "April 9"
    assert uncalendared.uses[-1].span == (D(2025, 4, 7), D(2025, 4, 9))
    assert uncalendared.low("GOLD", "2025-04-07", "2025-04-07") == "2,982.01"
    with pytest.raises(FigureError, match=r"^GOLD has no close from 2025-04-12 to 2025-04-13$") as failed:
        uncalendared.low("GOLD", "2025-04-12", "2025-04-13")  # a weekend
    assert failed.value.hint == "widen the range"
    with pytest.raises(FigureError, match=r"^GOLD has no data for 2025-04-30"):
        uncalendared.low("GOLD", "2025-04-19", "2025-04-30")


def test_a_range_beyond_the_calendar_is_read_from_the_rows(zh) -> None:
    with pytest.raises(FigureError, match=r"^SP500 has no data for 2009-12-31 \(the data runs 2024-12-31 … "):
        zh.low("SP500", "2009-12-01", "2009-12-31")


def test_a_range_that_is_empty_or_backwards_says_so(zh) -> None:
    with pytest.raises(FigureError) as failed:
        zh.high("SP500", "2025-04-18", "2025-04-20")
    assert (str(failed.value), failed.value.hint) == (
        "SP500 has no trading day from 2025-04-18 to 2025-04-20 (NYSE closed)", "widen the range")
    with pytest.raises(FigureError) as failed:
        zh.high("SP500", "2025-04-11", "2025-04-10")
    assert (str(failed.value), failed.value.hint) == (
        "the range 2025-04-11 … 2025-04-10 ends before it starts", "write the earlier date first")
    assert zh.high("SP500", "2025-04-10", "2025-04-10") == "5,268.05"  # one day is a range
    with pytest.raises(FigureError, match=r"^unknown series 'SPX'$") as failed:
        zh.low_date("SPX", "2025-04-07", "2025-04-11")
    assert failed.value.hint.startswith("did you mean 'SP500'? known series: BRENT, DGS10, ")


def test_of_equal_closes_the_first_is_the_extreme(zh) -> None:
    # DGS2 closed at 4.25% on 1/2 and again on 1/3 (4.25 → 4.25 → 4.28)
    closes = zh.store.series("DGS2")["2024-12-31":"2025-01-07"]
    assert closes.tolist()[:3] == [4.25, 4.25, 4.28]
    assert zh.low_date("DGS2", "2024-12-31", "2025-01-02") == "12 月 31 日"
    assert zh.high_date("DGS2", "2024-12-31", "2025-01-02") == "12 月 31 日"


def test_a_days_change_without_a_calendar_names_the_weekday(uncalendared) -> None:
    with pytest.raises(FigureError) as failed:
        uncalendared.day_pct("GOLD", "2025-04-12", closed="previous")
    assert str(failed.value) == ('GOLD has no change on 2025-04-12 (Saturday); the last trading day\'s change is '
                                 'day_pct("GOLD", "2025-04-11")')
    assert failed.value.hint == ('closed="previous" takes the last close, not its change: write that day, '
                                 'or quote the week with week_pct(…, closed="previous")')
    # GOLD 3,175.39 (4/10) → 3,237.53 (4/11): the rows decide the day before
    assert uncalendared.day_points("GOLD", "2025-04-11") == uncalendared.points("GOLD", "2025-04-10", "2025-04-11")
