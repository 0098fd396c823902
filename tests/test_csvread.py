"""Strict CSV reading: a stray quote, a short row, 1_000, a huge field: each is path:line and stops the build."""

from __future__ import annotations

import pytest

from broadsheet.core.errors import BuildFailed
from broadsheet.data.csvread import iso_date, plain_number
from conftest import build_into

HEAD = "date,series,value,source\n"


def failures(make_site, markets: str) -> list[str]:
    root = make_site({"data/markets.csv": markets})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    assert not (root / "site").exists()
    return [p.format(root) for p in failed.value.problems]


def real_rows(make_site) -> list[str]:
    from conftest import ROOT

    return (ROOT / "data/markets.csv").read_text(encoding="utf-8").splitlines(keepends=True)


def test_a_stray_quote_is_an_error_at_its_line_and_swallows_nothing(make_site) -> None:
    lines = real_rows(make_site)
    lines[3] = lines[3].replace(",FRED_SM", ',"FRED_SM')  # an unclosed quote on line 4
    assert failures(make_site, "".join(lines)) == [
        'data/markets.csv:4: not a CSV row (unexpected end of data) (a quote opened on this line is not closed)']


def test_a_wrong_column_count_is_an_error_at_its_line(make_site) -> None:
    lines = real_rows(make_site)
    lines[9] = lines[9].rstrip("\n") + ",extra\n"
    assert failures(make_site, "".join(lines)) == [
        "data/markets.csv:10: wrong number of fields: 5, expected 4 (expected date,series,value,source)"]


@pytest.mark.parametrize(("value", "shown"), [
    ("5_158.20", "'5_158.20'"), ("5,158.20", None), ("nan", "'nan'"), ("1e3", "'1e3'"),
    ("9" * 300, "'99999999999999999999'… (300 characters)"),
])
def test_numbers_must_be_plain_decimals(make_site, value: str, shown: str | None) -> None:
    if shown is None:  # an unquoted thousands separator is a wrong column count
        assert "wrong number of fields" in failures(make_site, HEAD + f"2025-04-04,SP500,{value},X\n")[0]
        return
    assert failures(make_site, HEAD + f"2025-04-04,SP500,{value},X\n") == [
        f"data/markets.csv:2: value {shown} is not a number (a plain decimal such as 5158.20, without _ or "
        "an exponent)"]


@pytest.mark.parametrize("text", ["20250404", "2025-W14-5", "2025-04-04T00:00"])
def test_dates_must_be_yyyy_mm_dd(make_site, text: str) -> None:
    assert failures(make_site, HEAD + f"{text},SP500,5074.08,X\n") == [
            f"data/markets.csv:2: bad date '{text}' (write dates as YYYY-MM-DD)"]


def test_a_huge_line_is_refused_with_its_size(make_site) -> None:
    [message] = failures(make_site, HEAD + "2025-04-04,SP500,5074.08," + "x" * 100_000 + "\n")
    assert message.startswith("data/markets.csv:2: line is 100,025 characters long")


@pytest.mark.unit
def test_the_parsers_themselves() -> None:
    assert plain_number("-0.4") == -0.4 and plain_number(" ") is None
    for bad in ("1_000", "inf", "0x10", "+", "1.2.3", "٣"):
        with pytest.raises(ValueError):
            plain_number(bad)
    assert str(iso_date("2025-04-17")) == "2025-04-17"
    for bad in ("20250417", "2025-W16-5", "2025-4-17", "2025-04-31"):
        with pytest.raises(ValueError):
            iso_date(bad)
