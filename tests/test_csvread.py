"""Strict CSV reading: a stray quote, a short row, 1_000, a huge field: each is path:line and stops the build."""

from __future__ import annotations

import csv
import io

import pytest

from broadsheet.core.errors import BuildFailed
from broadsheet.core.textcheck import formula_problem
from broadsheet.data.catalog import load_catalog
from broadsheet.data.csvread import iso_date, plain_number, read_rows
from broadsheet.data.store import load_releases
from conftest import ROOT, build_into

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


# --- cells a spreadsheet would run (issue 25): refused where they come from ------------------------
DDE = "-2+3+cmd|' /C calc'!A0"  # starts with a digit after the '-': still a formula


@pytest.mark.unit
@pytest.mark.parametrize("cell", ['=HYPERLINK("https://evil.example","x")', "+cmd", "-cmd", "@SUM(A1)", DDE,
                                  " =1+1", "\t=1+1", "＝1+1", "-1.5|x"])
def test_a_cell_that_would_start_a_formula_is_named(cell: str) -> None:
    assert formula_problem(cell) is not None


@pytest.mark.unit
@pytest.mark.parametrize("cell", ["-1.5", "+2.3", "-.5", "0", "", "FRED", "% m/m SA", "consensus: -0.1 (FactSet)",
                                  "actual/prior: USIC_CPI_MAR"])
def test_a_negative_number_and_plain_text_are_untouched(cell: str) -> None:
    assert formula_problem(cell) is None


@pytest.mark.unit
def test_a_formula_in_a_data_file_is_an_error_at_its_line_and_a_negative_number_loads(tmp_path) -> None:
    catalog = load_catalog(ROOT / "data/catalog.yaml")
    head = "indicator,period,release_date,actual,consensus,prior,unit,source\n"
    path = tmp_path / "releases.csv"
    path.write_text(head + "PPI_FD_MOM,2025-03,2025-04-11,-1.5,-0.2,+0.1,% m/m SA,BLS\n", encoding="utf-8")
    release = load_releases(path, catalog)[("PPI_FD_MOM", "2025-03")]
    assert (release.actual, release.consensus, release.prior) == (-1.5, -0.2, 0.1)
    path.write_text(head + f'PPI_FD_MOM,2025-03,2025-04-11,-1.5,,,% m/m SA,"{DDE}"\n'
                    + "PPI_FD_YOY,2025-03,2025-04-11,2.7,,,@x,BLS\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_releases(path, catalog)
    assert [p.format(tmp_path) for p in failed.value.problems] == [
        "releases.csv:2: source \"-2+3+cmd|' /C calc'!A0\" would start a formula in a spreadsheet "
        "(a cell may begin with =, +, - or @ only as a number such as -1.5; reword it, e.g. 'minus 2')",
        "releases.csv:3: unit '@x' would start a formula in a spreadsheet "
        "(a cell may begin with =, +, - or @ only as a number such as -1.5; reword it, e.g. 'minus 2')"]


@pytest.mark.unit
def test_control_and_bidi_characters_in_a_data_file_are_errors_at_their_line(tmp_path) -> None:
    path = tmp_path / "markets.csv"
    path.write_text(HEAD + "2025-04-04,SP500,5074.08,FRED\x1b[2J\n2025-04-07,SP500,5062.25,FR\u202eED\n",
                    encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        read_rows(path, ["date", "series", "value", "source"])
    assert [p.format(tmp_path) for p in failed.value.problems] == [
        "markets.csv:2: source holds the control character U+001B (remove it)",
        "markets.csv:3: source holds the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) (remove it)"]


@pytest.mark.unit
@pytest.mark.parametrize(("old", "new", "what"), [
    ('en: "FRED (Federal Reserve Bank of St. Louis) database"}', 'en: "=HYPERLINK(\\"https://evil.example\\")"}',
     "source FRED_XL: name '=HYPERLINK(\"https://evil.example\")'"),
    ('en: "Institute for Supply Management"}', f'en: "{DDE}"}}', f'indicator ISM_MFG_PMI: source_name "{DDE}"'),
    ("{zh-Hant: 標普 500 指數, en: S&P 500}", '{zh-Hant: 標普 500 指數, en: "@SUM(1)"}',
     "series SP500: name '@SUM(1)'"),
])
def test_a_catalog_text_that_would_start_a_formula_is_refused_at_its_line(tmp_path, old, new, what) -> None:
    """A source name `=HYPERLINK(…)` went into every data.csv (the receipts' CSV) as a formula."""
    text = (ROOT / "data/catalog.yaml").read_text(encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    path = tmp_path / "catalog.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_catalog(path)
    assert [p.format(tmp_path) for p in failed.value.problems] == [
        f"catalog.yaml:{line}: {what} would start a formula in a spreadsheet (a cell may begin with =, +, - or @ "
        "only as a number such as -1.5; reword it, e.g. 'minus 2')"]


@pytest.mark.unit
def test_a_catalog_name_with_a_bidi_override_is_refused(tmp_path) -> None:
    text = (ROOT / "data/catalog.yaml").read_text(encoding="utf-8")
    line = text[:text.index("en: S&P 500}")].count("\n") + 1
    path = tmp_path / "catalog.yaml"
    path.write_text(text.replace("en: S&P 500}", "en: S&P \u202e005}", 1), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_catalog(path)
    assert [p.format(tmp_path) for p in failed.value.problems] == [
        f"catalog.yaml:{line}: series SP500: name holds the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) "
        "(bidi controls and zero-width characters are not allowed in names; retype the text)"]


@pytest.mark.unit
def test_the_receipts_csv_keeps_a_negative_number_as_it_is() -> None:
    from broadsheet.pages.receipts import Receipt, receipts_csv

    receipt = Receipt(n=1, line=3, expression="{{ release('PPI_FD_MOM', '2025-03') }}", text="-1.5%",
                      function="release", series=("PPI_FD_MOM",), dates=("2025-04-11",), values=(-1.5,),
                      field="actual", source="U.S. Bureau of Labor Statistics")
    row = next(csv.reader(io.StringIO(receipts_csv([receipt]).decode().splitlines()[1])))
    assert row[3] == "-1.5%" and row[7] == "-1.5" and row[9] == "U.S. Bureau of Labor Statistics"


# --- the reader itself, line by line (issue 29: what the mutation run found unpinned) ---------------
COLUMNS = ["date", "series", "value", "source"]


@pytest.mark.unit
def test_a_blank_line_in_the_middle_drops_no_row_after_it(tmp_path) -> None:
    path = tmp_path / "markets.csv"
    path.write_text(HEAD + "2025-04-03,SP500,5396.52,FRED\n\n   \r\n2025-04-04,SP500,5074.08,FRED\r\n"
                    "2025-04-07,SP500,5062.25,FRED\n\n", encoding="utf-8")
    rows = read_rows(path, COLUMNS)
    assert [(line, row["date"], row["value"]) for line, row in rows] == [
        (2, "2025-04-03", "5396.52"), (5, "2025-04-04", "5074.08"), (6, "2025-04-07", "5062.25")]
    assert rows[1][1] == {"date": "2025-04-04", "series": "SP500", "value": "5074.08", "source": "FRED"}


@pytest.mark.unit
def test_every_bad_line_is_reported_and_the_good_rows_around_it_are_read(tmp_path) -> None:
    path = tmp_path / "markets.csv"
    path.write_text(HEAD + "2025-04-03,SP500\n2025-04-04,SP500,5074.08,FRED\n"
                    '2025-04-07,SP500,"5062.25,FRED\n2025-04-08,SP500,=1+1,FRED\n', encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        read_rows(path, COLUMNS)
    assert [p.format(tmp_path) for p in failed.value.problems] == [
        "markets.csv:2: wrong number of fields: 2, expected 4 (expected date,series,value,source)",
        "markets.csv:4: not a CSV row (unexpected end of data) (a quote opened on this line is not closed)",
        "markets.csv:5: value '=1+1' would start a formula in a spreadsheet "
        "(a cell may begin with =, +, - or @ only as a number such as -1.5; reword it, e.g. 'minus 2')"]


@pytest.mark.unit
def test_a_wrong_header_names_the_one_expected(tmp_path) -> None:
    path = tmp_path / "markets.csv"
    path.write_text("date,series,close,source\n2025-04-04,SP500,5074.08,FRED\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        read_rows(path, COLUMNS)
    [problem] = failed.value.problems
    assert problem.format(tmp_path) == ("markets.csv:1: unexpected header ['date', 'series', 'close', 'source'] "
                                        "(the header must be: date,series,value,source)")
    path.write_text('date,"series\n', encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        read_rows(path, COLUMNS)
    assert failed.value.problems[0].format(tmp_path) == ('markets.csv:1: unexpected header date,"series '
                                                         "(the header must be: date,series,value,source)")
    path.write_text("date,series,value,source\r\n2025-04-04,SP500,5074.08,FRED\r\n", encoding="utf-8")
    assert read_rows(path, COLUMNS) == [(2, {"date": "2025-04-04", "series": "SP500", "value": "5074.08",
                                             "source": "FRED"})]


@pytest.mark.unit
def test_a_line_at_the_limit_is_read_and_one_past_it_is_refused(tmp_path) -> None:
    path = tmp_path / "markets.csv"
    row = "2025-04-04,SP500,5074.08,"
    path.write_text(HEAD + row + "x" * (2_000 - len(row)) + "\n", encoding="utf-8")
    assert len(read_rows(path, COLUMNS)) == 1
    path.write_text(HEAD + row + "x" * (2_001 - len(row)) + "\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        read_rows(path, COLUMNS)
    assert failed.value.problems[0].format(tmp_path) == (
        "markets.csv:2: line is 2,001 characters long (a data row is short; the limit is 2,000) "
        "(a pasted blob or a broken export?)")


@pytest.mark.unit
def test_a_long_broken_header_is_shown_cut_to_80_characters(tmp_path) -> None:
    path = tmp_path / "markets.csv"
    header = 'date,"' + "x" * 100
    path.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        read_rows(path, COLUMNS)
    [problem] = failed.value.problems
    assert problem.line == 1 and problem.message == f"unexpected header {header[:80]}"


@pytest.mark.unit
def test_numbers_and_months_at_their_limits() -> None:
    from broadsheet.data.csvread import iso_month

    assert plain_number("1" * 24) == float("1" * 24)  # 24 characters at most
    assert plain_number("-" + "1" * 23) == -float("1" * 23)
    with pytest.raises(ValueError):
        plain_number("1" * 25)
    assert plain_number("") is None and plain_number(" 5158.20 ") == 5158.2
    assert plain_number("0") == 0.0 and plain_number("-0.4") == -0.4
    assert iso_month("2025-03") == "2025-03" and iso_month(" 2025-12 ") == "2025-12"
    for bad in ("2025-3", "2025-13", "202503", "2025-03-01", "2025-00"):
        with pytest.raises(ValueError):
            iso_month(bad)
    with pytest.raises(ValueError, match="^not a YYYY-MM month: '2025-3'$"):
        iso_month("2025-3")
    with pytest.raises(ValueError, match="^not a YYYY-MM-DD date: '20250417'$"):
        iso_date("20250417")
    assert str(iso_date(" 2025-04-17 ")) == "2025-04-17"
