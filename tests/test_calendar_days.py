"""Trading days at the edges: the bond market's own closes across the years (Columbus Day when
October begins on a Monday, Veterans Day on a weekend), the first and last day a calendar knows,
the week before a holiday, and the reasons a closed day gives. Each day here is a fact of the
calendar (the second Monday of October; 11 November), checked against the weekday it falls on."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from broadsheet.data import calendars
from broadsheet.data.calendars import CalendarError

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)
D = dt.date
BONDS = "XNYS&USBOND"  # the Treasury yields' calendar


# --- the US bond market's closes on days the NYSE trades -----------------------------------------
@pytest.mark.parametrize(("year", "columbus"), [
    (2012, D(2012, 10, 8)),  # 1 October a Monday: the second Monday is the 8th
    (2018, D(2018, 10, 8)),  # the same
    (2017, D(2017, 10, 9)),  # 1 October a Sunday
    (2022, D(2022, 10, 10)),  # 1 October a Saturday
    (2023, D(2023, 10, 9)),
    (2024, D(2024, 10, 14)),  # 1 October a Tuesday: the latest a second Monday falls
    (2025, D(2025, 10, 13)),
])
def test_columbus_day_is_the_second_monday_of_october(year: int, columbus: dt.date) -> None:
    assert columbus.weekday() == 0 and 8 <= columbus.day <= 14
    assert calendars.is_session("XNYS", columbus)
    assert not calendars.is_session(BONDS, columbus)
    assert calendars.closed_message(BONDS, columbus) == f"{columbus}: US bond market closed, Columbus Day"
    week = [columbus + dt.timedelta(days=n) for n in range(-7, 8) if n]
    assert all(calendars.is_session(BONDS, day) for day in week if calendars.is_session("XNYS", day))


@pytest.mark.parametrize(("day", "closed"), [
    (D(2024, 11, 11), True),  # a Monday
    (D(2025, 11, 11), True),  # a Tuesday
    (D(2020, 11, 11), True),  # a Wednesday
    (D(2010, 11, 11), True),  # a Thursday, in the calendar's first year
    (D(2016, 11, 11), True),  # a Friday
    (D(2023, 11, 10), False),  # 11 November a Saturday: the Friday before trades
    (D(2023, 11, 13), False),  # nor is the Monday after closed
    (D(2012, 11, 12), True),  # 11 November a Sunday: the Monday after is closed (SIFMA)
    (D(2018, 11, 12), True),
    (D(2012, 11, 9), False),
])
def test_veterans_day_closes_the_bond_market_on_a_weekday_or_the_monday_after_a_sunday(day, closed) -> None:
    assert calendars.is_session("XNYS", day)
    assert calendars.is_session(BONDS, day) is not closed
    if closed:
        label = "Veterans Day" if day.day == 11 else "Veterans Day (observed)"
        assert calendars.closed_message(BONDS, day) == f"{day}: US bond market closed, {label}"


def test_the_bond_calendar_has_exactly_its_two_closes_a_year() -> None:
    first, last = calendars.bounds("USBOND")
    for year in range(first.year + 1, last.year):
        weekdays = [d for d in (D(year, 1, 1) + dt.timedelta(days=n) for n in range(366))
                    if d.year == year and d.weekday() < 5]
        closed = [d for d in weekdays if not calendars.is_session("USBOND", d)]
        assert [d.month for d in closed] == [10, 11] or ([d.month for d in closed] == [10]
                                                         and D(year, 11, 11).weekday() == 5), (year, closed)
    assert not calendars.is_session("USBOND", D(2025, 4, 19))  # a Saturday
    assert calendars.is_session("USBOND", D(2025, 4, 18))  # Good Friday is the NYSE's close, not its own


def test_a_joined_calendar_trades_when_both_do() -> None:
    assert calendars.sessions(BONDS, D(2025, 10, 10), D(2025, 10, 15)) == [D(2025, 10, 10), D(2025, 10, 14),
                                                                          D(2025, 10, 15)]
    assert calendars.sessions("XNYS", D(2025, 10, 10), D(2025, 10, 15)) == [D(2025, 10, 10), D(2025, 10, 13),
                                                                           D(2025, 10, 14), D(2025, 10, 15)]
    assert calendars.closed_message(BONDS, D(2025, 4, 18)) == "2025-04-18: NYSE closed, Good Friday"
    assert calendars.name(BONDS) == "NYSE and US bond market"
    assert calendars.name("XTAI") == "TWSE" and calendars.name("XXXX") == "XXXX"
    assert calendars.known(BONDS) and calendars.known("XNYS") and calendars.known("USBOND")
    assert not calendars.known("XNYS&NOPE") and not calendars.known("NOPE")


# --- the first and the last day of a calendar -------------------------------------------------------
@pytest.mark.parametrize("code", ["XNYS", BONDS])
def test_the_first_day_of_a_calendar_has_no_day_before_it(code: str) -> None:
    first, last = calendars.bounds(code)
    assert first == D(2010, 1, 4)  # the first trading day of 2010 (1 January a holiday, then a weekend)
    assert calendars.is_session(code, first)
    with pytest.raises(CalendarError, match=f"^no {calendars.name(code)} trading day before {first} in the calendar$"):
        calendars.previous_session(code, first)  # it must not wrap round to the last day
    with pytest.raises(CalendarError):
        calendars.previous_session(code, first - dt.timedelta(days=3))
    second = calendars.sessions(code, first, first + dt.timedelta(days=7))[1]
    assert second == D(2010, 1, 5) and calendars.previous_session(code, second) == first
    with pytest.raises(CalendarError, match=rf"^2010-01-03 is outside the {calendars.name(code)} calendar "
                                            rf"\({first} … {last}\)"):
        calendars.is_session(code, first - dt.timedelta(days=1))
    with pytest.raises(CalendarError):  # the week before the first week is not in the calendar
        calendars.last_session_of_week_before(code, first)


@pytest.mark.parametrize("code", ["XNYS", BONDS])
def test_the_last_day_of_a_calendar_is_in_it_and_the_day_after_is_not(code: str) -> None:
    first, last = calendars.bounds(code)
    assert last > dt.date.today()  # the calendar runs past today
    assert calendars.is_session(code, last)
    with pytest.raises(CalendarError, match=rf"^{last + dt.timedelta(days=1)} is outside the "
                                            rf"{calendars.name(code)} calendar \({first} … {last}\)$"):
        calendars.is_session(code, last + dt.timedelta(days=1))
    assert calendars.sessions(code, last - dt.timedelta(days=1), last + dt.timedelta(days=30))[-1] == last
    assert calendars.previous_session(code, last + dt.timedelta(days=30)) == last
    assert calendars.sessions(code, first, first) == [first]
    assert calendars.sessions(code, last, last) == [last]
    assert calendars.sessions(code, last, first) == []


def test_sessions_take_both_ends_and_skip_the_closed_days() -> None:
    # the week of Good Friday 2025: Monday 4/14 … Thursday 4/17
    assert calendars.sessions("XNYS", D(2025, 4, 14), D(2025, 4, 20)) == [D(2025, 4, 14 + n) for n in range(4)]
    assert calendars.sessions("XNYS", D(2025, 4, 15), D(2025, 4, 16)) == [D(2025, 4, 15), D(2025, 4, 16)]
    assert calendars.sessions("XNYS", D(2025, 4, 18), D(2025, 4, 20)) == []
    assert calendars.previous_session("XNYS", D(2025, 4, 21)) == D(2025, 4, 17)
    assert calendars.previous_session("XNYS", D(2025, 4, 17)) == D(2025, 4, 16)
    assert calendars.previous_session("XNYS", D(2025, 4, 19)) == D(2025, 4, 17)


@pytest.mark.parametrize(("day", "before"), [
    (D(2025, 4, 25), D(2025, 4, 17)),  # the week after Good Friday: its week ended on Thursday
    (D(2025, 4, 21), D(2025, 4, 17)),  # from the Monday itself
    (D(2025, 4, 27), D(2025, 4, 17)),  # from the Sunday that ends the week
    (D(2025, 4, 17), D(2025, 4, 11)),
    (D(2025, 2, 21), D(2025, 2, 14)),  # Presidents' Day week: the Friday before
    (D(2025, 1, 10), D(2025, 1, 3)),  # the week of the 9 January closure
])
def test_the_last_trading_day_of_the_week_before(day: dt.date, before: dt.date) -> None:
    assert calendars.last_session_of_week_before("XNYS", day) == before


def test_a_closed_day_says_why() -> None:
    assert calendars.closed_reason("XNYS", D(2025, 4, 19)) == "Saturday"
    assert calendars.closed_reason("XNYS", D(2025, 4, 20)) == "Sunday"
    assert calendars.closed_reason("XNYS", D(2025, 4, 18)) == "Good Friday"
    assert calendars.closed_reason("XNYS", D(2025, 1, 9)) == "Thursday, an exchange holiday"  # not a rule
    assert calendars.closed_reason("USBOND", D(2025, 10, 13)) == "Columbus Day"
    assert calendars.closed_message("XNYS", D(2025, 4, 19)) == "2025-04-19: NYSE closed, Saturday"
    assert calendars.closed_message(BONDS, D(2025, 12, 25)) == "2025-12-25: NYSE closed, Christmas"
    with pytest.raises(CalendarError, match="^unknown exchange calendar 'NOPE'$"):
        calendars.is_session("NOPE", D(2025, 4, 17))


def test_weekly_closes_end_on_each_weeks_last_trading_day() -> None:
    days = pd.to_datetime(["2025-04-07", "2025-04-11", "2025-04-14", "2025-04-17", "2025-04-21"])
    closes = calendars.weekly_closes(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=days))
    assert [d.date() for d in closes.index] == [D(2025, 4, 11), D(2025, 4, 17), D(2025, 4, 21)]
    assert closes.tolist() == [2.0, 4.0, 5.0]



# --- the sessions memo: the days kept on disk between builds ----------------------------------------
@pytest.fixture
def fresh_sessions():
    """The in-process memory of each calendar's days emptied before and after (the memo is what is tested)."""
    calendars._sessions.cache_clear()
    yield
    calendars._sessions.cache_clear()


def test_the_memo_keeps_each_calendars_days_keyed_by_library_rules_and_day(tmp_path, fresh_sessions) -> None:
    import pickle
    from importlib.metadata import version

    memo = tmp_path / "a" / "memo" / "sessions.pickle"  # its folders are made
    with calendars.sessions_memo(memo):
        assert calendars.bounds("XNYS")[0] == D(2010, 1, 4)
    stored = pickle.loads(memo.read_bytes())
    today = dt.date.today().isoformat()
    assert stored["key"] == f"{version('exchange_calendars')}:2010:{calendars.BOND_RULES}:{today}"
    assert stored["sessions"]["XNYS"][:2] == (D(2010, 1, 4), D(2010, 1, 5))
    assert list(memo.parent.iterdir()) == [memo]  # written whole, through a temporary file

    # a memo with the right key is believed (here one planted with two days)
    stored["sessions"]["XNYS"] = (D(2025, 1, 2), D(2025, 1, 3))
    stored["sessions"]["XPLANTED"] = (D(2025, 1, 2),)
    memo.write_bytes(pickle.dumps(stored))
    calendars._sessions.cache_clear()
    written = memo.stat().st_ino
    with calendars.sessions_memo(memo):
        assert calendars.bounds("XNYS") == (D(2025, 1, 2), D(2025, 1, 3))
        assert calendars.known("XPLANTED")
    assert not calendars.known("XPLANTED")  # outside the block the memo is not read
    assert memo.stat().st_ino == written  # nothing new was learnt: the file is not written again

    # one with another key (another library, another day) is not
    stored["key"] = "0.0:2010:1:2000-01-01"
    memo.write_bytes(pickle.dumps(stored))
    calendars._sessions.cache_clear()
    with calendars.sessions_memo(memo):
        assert calendars.bounds("XNYS")[0] == D(2010, 1, 4)
    assert pickle.loads(memo.read_bytes())["key"].endswith(today)  # and it is made again


@pytest.mark.parametrize("junk", [b"not a pickle", b"", b"\x80\x04N.", b"\x80\x04]\x94."])
def test_a_broken_memo_is_made_again(tmp_path, fresh_sessions, junk) -> None:
    import pickle

    memo = tmp_path / "sessions.pickle"
    memo.write_bytes(junk)
    with calendars.sessions_memo(memo):
        assert calendars.is_session("XNYS", D(2025, 4, 17))
    assert "XNYS" in pickle.loads(memo.read_bytes())["sessions"]


def test_without_a_path_nothing_is_written(tmp_path, fresh_sessions) -> None:
    with calendars.sessions_memo(None):
        assert calendars.is_session("XNYS", D(2025, 4, 17))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("code", "short"), [
    ("USBOND", "US bond market"), ("XNYS", "NYSE"), ("XNAS", "Nasdaq"), ("XTAI", "TWSE"), ("XLON", "LSE"),
    ("XTKS", "TSE"), ("XHKG", "HKEX"), ("XFRA", "Frankfurt"), ("XSHG", "SSE"), ("XKRX", "KRX"),
])
def test_each_exchange_has_its_short_name_in_messages(code: str, short: str) -> None:
    assert calendars.name(code) == short
    assert calendars.name(f"{code}&XNYS") == f"{short} and NYSE"


@pytest.mark.parametrize(("day", "reason"), [
    (D(2012, 10, 29), "Monday, an exchange holiday"),  # Hurricane Sandy: no rule names these
    (D(2012, 10, 30), "Tuesday, an exchange holiday"),
    (D(2018, 12, 5), "Wednesday, an exchange holiday"),  # a national day of mourning
    (D(2025, 1, 9), "Thursday, an exchange holiday"),
    (D(2025, 4, 18), "Good Friday"),
    (D(2025, 4, 19), "Saturday"),
    (D(2025, 4, 20), "Sunday"),
])
def test_a_closed_day_without_a_rule_says_its_weekday(day: dt.date, reason: str) -> None:
    assert calendars.closed_reason("XNYS", day) == reason
    assert calendars.closed_message("XNYS", day) == f"{day}: NYSE closed, {reason}"


def test_the_bond_calendar_spans_the_nyses_and_names_its_closes_to_the_last_year() -> None:
    assert calendars.bounds("USBOND") == calendars.bounds("XNYS")
    last = calendars.bounds("USBOND")[1]
    columbus = [d for d in (D(last.year, 10, 8 + n) for n in range(7)) if d.weekday() == 0][0]
    assert calendars.closed_reason("USBOND", columbus) == "Columbus Day"
    assert calendars.closed_reason("USBOND", D(last.year - 1, 11, 11)) in ("Veterans Day", "Saturday", "Sunday")
    assert calendars.closed_reason("USBOND", D(2010, 10, 11)) == "Columbus Day"  # the first year's


def test_an_exchange_calendar_is_known_by_its_aliases_too() -> None:
    assert calendars.known("NYSE") and calendars.known("XNYS&NYSE")  # exchange_calendars' alias of XNYS
