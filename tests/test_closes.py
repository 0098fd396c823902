"""Closes of any daily series, entered (`data add SERIES DATE VALUE`) or imported (`data import SERIES FILE`):
checked as fetch checks what it downloads, written all or nothing, with LF line endings.

The TAIEX closes are test values (tests/fixtures/taiex/README.md), imported into a copy of data/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from broadsheet.data.fetch import FetchReport, format_report
from broadsheet.data.store import load_data, read_market_rows
from conftest import ROOT, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "taiex"
TWSE_SOURCE = ('  TWSE: {name: {zh-Hant: "臺灣證券交易所", en: "Taiwan Stock Exchange"}, '
               'url: "https://www.twse.com.tw/"}\n')
TAIEX_ENTRY = """\
  TAIEX:
    name: {zh-Hant: 臺灣證券交易所發行量加權股價指數, en: TAIEX}
    short: {zh-Hant: 台股, en: TAIEX}
    unit: index
    calendar: XTAI
    source: TWSE
    fetch: editor
    retrieved: 2025-04-12
    max_daily_move_pct: 11
"""
WEEK = {"2025-03-31": "21000.00", "2025-04-01": "21281.20", "2025-04-02": "21298.22", "2025-04-07": "19232.35",
        "2025-04-08": "18459.95", "2025-04-09": "17391.76", "2025-04-10": "19000.02", "2025-04-11": "19528.77"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's data/ and site.yaml with the TAIEX in the catalog and no closes yet;
    the working folder is the project, where the editor keeps the export."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    catalog = tmp_path / "data" / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    text = text.replace("\nsources:\n", "\nsources:\n" + TWSE_SOURCE, 1)
    text = text.replace("\nseries:\n", "\nseries:\n" + TAIEX_ENTRY, 1)
    catalog.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def taiex_rows(root: Path) -> dict[str, tuple[str, str]]:
    """{date: (value, source)} of the TAIEX rows of markets.csv."""
    rows = read_market_rows(root / "data" / "markets.csv")
    return {r["date"]: (r["value"], r["source"]) for r in rows if r["series"] == "TAIEX"}


def markets(root: Path) -> bytes:
    return (root / "data" / "markets.csv").read_bytes()


# --- data import ---------------------------------------------------------------------------------
@pytest.mark.unit
def test_an_import_with_a_holiday_row_is_refused_with_the_holidays_name(project, capsys) -> None:
    shutil.copy(FIXTURES / "closes-with-holiday.csv", "taiex.csv")
    before = markets(project)
    assert run_cli(project, "data", "import", "TAIEX", "taiex.csv") == 1
    err = capsys.readouterr().err
    assert ("taiex.csv:5: TAIEX has a value on 2025-04-03: TWSE closed, Thursday, an exchange holiday "
            "(a close on a day the exchange was closed is wrong: remove the row, or --skip-closed") in err
    assert "taiex.csv: TAIEX: 9 row(s) read: 8 to add or replace, 0 kept, 1 refused; nothing was written" in err
    assert "data: nothing was changed" in err
    assert markets(project) == before  # all rows or none


@pytest.mark.unit
def test_the_taiex_closes_are_imported_on_the_twse_calendar(project, capsys) -> None:
    shutil.copy(FIXTURES / "closes.csv", "taiex.csv")
    assert run_cli(project, "data", "import", "TAIEX", "taiex.csv") == 0
    assert capsys.readouterr().out == ("TAIEX from taiex.csv (source TWSE): 8 added, 0 replaced, 0 kept in "
                                       "data/markets.csv\n")
    assert taiex_rows(project) == {day: (value, "TWSE") for day, value in WEEK.items()}
    store = load_data(project / "data")  # as a build reads it: no gap on 04-03 and 04-04, the TWSE's holidays
    assert "TAIEX" not in store.gaps
    assert store.close("TAIEX", "2025-04-09")[1] == 17391.76
    # again: every close is already there, nothing is written
    assert run_cli(project, "data", "import", "TAIEX", "taiex.csv") == 0
    assert "0 added, 0 replaced, 8 kept" in capsys.readouterr().out


@pytest.mark.unit
def test_skip_closed_leaves_holiday_rows_out_as_fetch_does(project, capsys) -> None:
    shutil.copy(FIXTURES / "closes-with-holiday.csv", "taiex.csv")
    assert run_cli(project, "data", "import", "TAIEX", "taiex.csv", "--skip-closed") == 0
    out = capsys.readouterr().out
    assert "8 added" in out and "1 row(s) on days the exchange was closed left out" in out
    assert "2025-04-03" not in taiex_rows(project)


@pytest.mark.unit
def test_a_twse_export_is_read_with_its_layout(project, capsys) -> None:
    # TWSE's layout: a title line, ROC years, thousands separators, a trailing comma, Big5
    lines = ['"114年04月 發行量加權股價指數歷史資料"', '"日期","開盤指數","最高指數","最低指數","收盤指數",']
    for day, value in WEEK.items():
        year, month, dom = day.split("-")
        grouped = f"{float(value):,.2f}"
        lines.append(f'"{int(year) - 1911}/{month}/{dom}","{grouped}","{grouped}","{grouped}","{grouped}",')
    Path("MI_5MINS_HIST.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp950"))
    assert run_cli(project, "data", "import", "TAIEX", "MI_5MINS_HIST.csv") == 1
    assert "MI_5MINS_HIST.csv:1: not utf-8 text (a TWSE download is Big5: --encoding cp950)" in capsys.readouterr().err
    args = ["--encoding", "cp950", "--date-column", "日期", "--value-column", "收盤指數", "--date-format", "%ROC/%m/%d"]
    assert run_cli(project, "data", "import", "TAIEX", "MI_5MINS_HIST.csv", *args) == 1
    err = capsys.readouterr().err
    assert "MI_5MINS_HIST.csv:3: 2025-03-31: '21,000.00' has a thousands separator" in err
    assert '--thousands ","' in err
    assert run_cli(project, "data", "import", "TAIEX", "MI_5MINS_HIST.csv", *args, "--thousands", ",") == 0
    assert "8 added" in capsys.readouterr().out
    assert {day: value for day, (value, _) in taiex_rows(project).items()} == {
        day: f"{float(value):.2f}" for day, value in WEEK.items()}


@pytest.mark.unit
def test_a_yahoo_export_leaves_out_days_without_a_value(project, capsys) -> None:
    rows = [f"{day},1,1,1,{value},{value},0" for day, value in WEEK.items()]
    rows.insert(3, "2025-04-03,null,null,null,null,null,null")
    header = "Date,Open,High,Low,Close,Adj Close,Volume\n"
    Path("TWII.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    assert run_cli(project, "data", "import", "TAIEX", "TWII.csv") == 1
    assert "no header with the columns 'date' and 'value'" in capsys.readouterr().err
    columns = ["--date-column", "Date", "--value-column", "Close"]
    assert run_cli(project, "data", "import", "TAIEX", "TWII.csv", *columns) == 0
    out = capsys.readouterr().out
    assert "8 added" in out and "1 row(s) without a value left out" in out


@pytest.mark.unit
def test_every_refused_row_is_listed_and_nothing_is_written(project, capsys) -> None:
    Path("bad.csv").write_text("date,value\n"
                               "2025-04-07,19232.35\n"
                               "2025/04/08,18459.95\n"      # 3: not ISO
                               "2025-04-09,1e4\n"           # 4: not a plain number
                               "2025-04-10,-19000.02\n"     # 5: not positive
                               "2025-04-07,19232.35\n"      # 6: a second row
                               "2025-04-11,1952.877\n"      # 7: -90% from 04-07: beyond 11%
                               "2099-04-13,19000\n"         # 8: after today
                               "2025-04-14,=1+2\n",         # 9: a formula, not a number
                               encoding="utf-8")
    before = markets(project)
    assert run_cli(project, "data", "import", "TAIEX", "bad.csv") == 1
    err = capsys.readouterr().err
    for expected in ("bad.csv:3: bad date '2025/04/08' (expected %Y-%m-%d)",
                     "bad.csv:4: TAIEX 2025-04-09: '1e4' is not a number",
                     "bad.csv:5: TAIEX 2025-04-10: -19000.02 is not positive",
                     "bad.csv:6: a second row for 2025-04-07 (the first is line 2)",
                     "bad.csv:7: TAIEX: 2025-04-07 19232.35 → 2025-04-11 1952.877 is a move of -89.8%, beyond its "
                     "max_daily_move_pct of 11%",
                     "bad.csv:8: TAIEX 2099-04-13: dated after today",
                     "bad.csv:9: TAIEX 2025-04-14: '=1+2' is not a number",
                     "nothing was written"):
        assert expected in err, (expected, err)
    assert markets(project) == before


@pytest.mark.unit
def test_a_different_close_is_kept_unless_overwrite(project, capsys) -> None:
    shutil.copy(FIXTURES / "closes.csv", "taiex.csv")
    assert run_cli(project, "data", "import", "TAIEX", "taiex.csv") == 0
    Path("revised.csv").write_text("date,value\n2025-04-08,18459.95\n2025-04-09,17391.67\n", encoding="utf-8")
    assert run_cli(project, "data", "import", "TAIEX", "revised.csv") == 1
    assert ("revised.csv:3: TAIEX already has 17391.76 on 2025-04-09 in data/markets.csv (source TWSE), not "
            "17391.67 (--overwrite replaces it)") in capsys.readouterr().err
    assert run_cli(project, "data", "import", "TAIEX", "revised.csv", "--overwrite") == 0
    out = capsys.readouterr().out
    assert "0 added, 1 replaced, 1 kept" in out and "2025-04-09: 17391.76 → 17391.67 (replaced)" in out
    assert taiex_rows(project)["2025-04-09"] == ("17391.67", "TWSE")


@pytest.mark.unit
def test_a_gap_left_by_an_import_is_named(project, capsys) -> None:
    Path("gap.csv").write_text("date,value\n2025-04-07,19232.35\n2025-04-09,17391.76\n", encoding="utf-8")
    assert run_cli(project, "data", "import", "TAIEX", "gap.csv") == 0
    out = capsys.readouterr().out
    assert "note: TAIEX has no close on 2025-04-08, trading days of its calendar inside its span" in out


@pytest.mark.unit
def test_import_takes_a_daily_series_only(project, capsys) -> None:
    Path("x.csv").write_text("date,value\n2025-04-07,2.4\n", encoding="utf-8")
    assert run_cli(project, "data", "import", "CPI_YOY", "x.csv") == 1
    assert "CPI_YOY is a release, not a daily series: enter it as `python3 build.py data add CPI_YOY PERIOD" \
        in capsys.readouterr().err
    assert run_cli(project, "data", "import", "TAIX", "x.csv") == 1
    err = capsys.readouterr().err
    assert "unknown series 'TAIX' (did you mean 'TAIEX'?" in err and '(docs/data.md, "Add a market")' in err


# --- data add SERIES DATE VALUE --------------------------------------------------------------------
@pytest.mark.unit
def test_one_close_is_added_kept_and_replaced(project, capsys) -> None:
    shutil.copy(FIXTURES / "closes.csv", "taiex.csv")
    assert run_cli(project, "data", "import", "TAIEX", "taiex.csv") == 0
    capsys.readouterr()
    assert run_cli(project, "data", "add", "TAIEX", "2025-04-14", "19600.00") == 0
    assert capsys.readouterr().out == "added TAIEX 2025-04-14: 19600.00 (source TWSE) in data/markets.csv\n"
    assert run_cli(project, "data", "add", "TAIEX", "2025-04-14", "19600") == 0
    assert "already holds 19600 in data/markets.csv: kept, nothing written" in capsys.readouterr().out
    assert run_cli(project, "data", "add", "TAIEX", "2025-04-14", "19650.10") == 1
    assert "TAIEX already has 19600.00 on 2025-04-14" in capsys.readouterr().err
    assert run_cli(project, "data", "add", "TAIEX", "2025-04-14", "19650.10", "--overwrite") == 0
    assert "replaced TAIEX 2025-04-14: 19600.00 → 19650.10" in capsys.readouterr().out
    assert taiex_rows(project)["2025-04-14"] == ("19650.10", "TWSE")


@pytest.mark.unit
@pytest.mark.parametrize(("args", "why"), [
    (["TAIEX", "2025-04-04", "21300"], "TAIEX has a value on 2025-04-04: TWSE closed, Women and Children's Day"),
    (["TAIEX", "2025-04-05", "21300"], "TAIEX has a value on 2025-04-05: TWSE closed, Saturday"),
    (["TAIEX", "2025-04-07", "19,232.35"], "'19,232.35' is not a number"),
    (["TAIEX", "2025-04-07", "0"], "is not positive"),
    (["TAIEX", "2025-04-07", "19232.35", "--source", "NOPE"], "--source 'NOPE' is not a tag under sources:"),
    (["TAIEX", "20250407", "19232.35"], "date '20250407' is not YYYY-MM-DD"),
    # the other kind: each message says which form the id takes
    (["TAIEX", "2025-04", "--actual", "19232.35"],
     "TAIEX is a daily series: --actual is for a release; a close is `python3 build.py data add TAIEX DATE VALUE`"),
    (["TAIEX", "2025-04-07"], "give the close after the date (`python3 build.py data add TAIEX 2025-04-07 VALUE`)"),
    (["TAIEX", "2025-04", "19232.35"], "its close is given for a day, YYYY-MM-DD, not the month 2025-04"),
    (["CPI_YOY", "2025-04-07", "--consensus", "2.4", "--release-date", "2025-05-13", "--source", "x"],
     "period '2025-04-07' is a date, not YYYY-MM: a release's period is its month (2025-04); a close of a daily "
     "series is `python3 build.py data add SERIES DATE VALUE`"),
    (["CPI_YOY", "2025-04", "2.4"], "CPI_YOY is a release: give its value as --actual, --consensus or --prior"),
    (["TAIX", "2025-04-07", "19232.35"], "unknown series 'TAIX' (did you mean 'TAIEX'?"),
    (["TAIX", "2025-04", "--consensus", "2.4", "--source", "x"],
     "a close of a daily series is `python3 build.py data add SERIES DATE VALUE`"),
])
def test_a_refused_close_changes_nothing_and_says_why(project, capsys, args, why) -> None:
    before = markets(project), (project / "data/releases.csv").read_bytes()
    assert run_cli(project, "data", "add", *args) == 1
    err = capsys.readouterr().err
    assert why in err and "data: nothing was changed" in err, err
    assert (markets(project), (project / "data/releases.csv").read_bytes()) == before


@pytest.mark.unit
def test_fetch_points_an_editor_series_to_data_add_and_import() -> None:
    import datetime as dt

    lines = format_report(FetchReport([], ["TAIEX", "ISM_MFG_PMI"], dt.date(2025, 4, 12), daily=["TAIEX"]), ROOT)
    assert lines == ["TAIEX: entered by the editor (`python3 build.py data add TAIEX DATE VALUE` or "
                     "`data import TAIEX FILE`), not fetched",
                     "ISM_MFG_PMI: entered by the editor (`python3 build.py data add`), not fetched"]


# --- line endings --------------------------------------------------------------------------------
@pytest.mark.unit
def test_crlf_data_files_still_read_and_are_written_back_with_lf(project, capsys) -> None:
    data = project / "data"
    for name in ("markets.csv", "releases.csv", "catalog.yaml"):  # as an editor on Windows may save them
        (data / name).write_bytes((data / name).read_bytes().replace(b"\n", b"\r\n"))
    rows_before = read_market_rows(data / "markets.csv")
    assert load_data(data).close("SP500", "2025-04-09")[1] == 5456.90  # a CRLF file reads
    assert run_cli(project, "data", "add", "TAIEX", "2025-04-07", "19232.35") == 0
    raw = (data / "markets.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    assert read_market_rows(data / "markets.csv") == sorted(
        [*rows_before, {"date": "2025-04-07", "series": "TAIEX", "value": "19232.35", "source": "TWSE"}],
        key=lambda r: (r["series"], r["date"]))
    assert run_cli(project, "data", "add", "CPI_YOY", "2025-04", "--consensus", "2.4", "--release-date",
                   "2025-05-13", "--source", "FactSet median") == 0
    assert b"\r" not in (data / "releases.csv").read_bytes()


@pytest.mark.unit
def test_the_data_files_are_lf_and_git_keeps_them_so() -> None:
    for name in ("markets.csv", "releases.csv", "catalog.yaml"):
        assert b"\r" not in (ROOT / "data" / name).read_bytes(), name
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8").split("\n")
    assert "data/*.csv text eol=lf" in attributes and "data/*.yaml text eol=lf" in attributes


@pytest.mark.unit
def test_the_data_commands_document_their_options(capsys) -> None:
    for args in (["data", "import", "--help"], ["fetch", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            run_cli(ROOT, *args)
        assert exit_info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--date-column", "--value-column", "--date-format", "--thousands", "--encoding", "--skip-closed",
                   "--overwrite"):
        assert option in out
    assert "FRED and ALFRED sources need FRED_API_KEY in the environment; CSV addresses do not" in out
