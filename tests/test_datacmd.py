"""`data add`: editor-entered consensus and ISM values, checked, written atomically, with their source."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from broadsheet.data.catalog import load_catalog
from broadsheet.data.entry import DataEntryError, add_release_value, parse_entry, release_date_problem
from broadsheet.data.store import load_data, read_release_rows
from conftest import ROOT, run_cli


def test_a_consensus_is_added_ahead_of_the_release_with_its_source(make_site, capsys) -> None:
    root = make_site()
    assert run_cli(root, "data", "add", "CPI_YOY", "2025-04", "--consensus", "2.4",
                   "--release-date", "2025-05-13", "--source", "FactSet median (pre-release)") == 0
    assert "added CPI_YOY 2025-04: consensus 2.4 (source: FactSet median (pre-release))" in capsys.readouterr().out
    last = (root / "data/releases.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert last == "CPI_YOY,2025-04,2025-05-13,,2.4,,% y/y NSA,consensus: FactSet median (pre-release)"
    release = load_data(root / "data").release("CPI_YOY", "2025-04")
    assert (release.actual, release.consensus) == (None, 2.4)


def test_an_ism_print_is_entered_by_hand(make_site, capsys) -> None:
    root = make_site()
    before = (root / "data/releases.csv").read_text(encoding="utf-8")
    assert run_cli(root, "data", "add", "ISM_NEW_ORDERS", "2025-03", "--consensus", "46.0",
                   "--source", "test survey") == 0
    after = (root / "data/releases.csv").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1].startswith("ISM_NEW_ORDERS,2025-03,2025-04-01,45.2,46.0,")
    assert changed[0][1].endswith("; consensus: test survey")


@pytest.mark.parametrize(("args", "why"), [
    (["CPI_YOY", "2025-04", "--actual", "2.3", "--release-date", "2025-05-13"], "come from ALFRED (CPIAUCNS)"),
    (["CPI_YOY", "2025-03", "--consensus", "2.5"], "already has consensus 2.6; --replace to change it"),
    (["CPI_YOY", "2025-04", "--consensus", "2.4"], "is a new row: give its --release-date"),
    (["CPI_YOY", "2025-4", "--consensus", "2.4"], "period '2025-4' is not YYYY-MM"),
    (["CPI_YOY", "2025-04", "--consensus", "2_4", "--release-date", "2025-05-13"], "is not a plain number"),
    (["CPI_YOY", "2025-04", "--consensus", "nan", "--release-date", "2025-05-13"], "is not a plain number"),
    (["CPI_YOY", "2025-04", "--consensus", "2.4", "--release-date", "20250513"], "is not YYYY-MM-DD"),
    (["CPI", "2025-04", "--consensus", "2.4", "--release-date", "2025-05-13"], "unknown indicator 'CPI'"),
    (["ISM_MFG_PMI", "2025-04", "--release-date", "2025-05-01"], "nothing to add"),
])
def test_a_bad_entry_changes_nothing(make_site, capsys, args, why) -> None:
    root = make_site()
    before = (root / "data/releases.csv").read_bytes()
    source = ["--source", "a survey"]
    assert run_cli(root, "data", "add", *args, *source) == 1
    err = capsys.readouterr().err
    assert why in err and "data: nothing was changed" in err, err
    assert (root / "data/releases.csv").read_bytes() == before


def test_a_source_is_required(make_site, capsys) -> None:
    root = make_site()
    with pytest.raises(SystemExit):
        run_cli(root, "data", "add", "ISM_MFG_PMI", "2025-04", "--actual", "48.7", "--release-date", "2025-05-01")
    assert "--source" in capsys.readouterr().err


@pytest.mark.unit
def test_data_add_has_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli(ROOT, "data", "add", "--help")
    assert exit_info.value.code == 0
    assert "--consensus" in capsys.readouterr().out


# --- plausibility (issue 25) -----------------------------------------------------------------------
@pytest.mark.parametrize(("args", "why"), [
    (["ISM_MFG_PMI", "2031-04", "--actual", "48.7", "--release-date", "2031-05-01"],
     "period 2031-04 has not begun yet"),
    (["ISM_MFG_PMI", "2025-04", "--actual", "48.7", "--release-date", "2031-05-01"],
     "--release-date 2031-05-01 is after today"),
    (["ISM_MFG_PMI", "2025-04", "--actual", "48.7", "--release-date", "2025-04-15"],
     "--release-date 2025-04-15 is before the end of its period 2025-04"),
    (["UMICH_SENTIMENT_PRELIM", "2025-05", "--actual", "50.8", "--release-date", "2025-04-30"],
     "--release-date 2025-04-30 is before its period 2025-05 begins"),
    (["ISM_MFG_PMI", "2025-04", "--actual", "48700", "--release-date", "2025-05-01"],
     "--actual 48700 is outside ISM_MFG_PMI's range, 0 to 100 (min_value, max_value in data/catalog.yaml)"),
    (["ISM_MFG_PMI", "2025-04", "--actual", "-48.7", "--release-date", "2025-05-01"],
     "--actual -48.7 is outside ISM_MFG_PMI's range, 0 to 100"),
    (["ISM_NEW_ORDERS", "2025-03", "--consensus", "146", "--replace"], "--consensus 146 is outside"),
    (["CPI_YOY", "2025-04", "--consensus", "2.4", "--release-date", "2031-05-13"],
     "--release-date 2031-05-13 is more than 31 days after today"),
])
def test_an_implausible_entry_changes_nothing(make_site, capsys, args, why) -> None:
    root = make_site()
    before = (root / "data/releases.csv").read_bytes()
    assert run_cli(root, "data", "add", *args, "--source", "a survey") == 1
    err = capsys.readouterr().err
    assert why in err and "data: nothing was changed" in err, err
    assert (root / "data/releases.csv").read_bytes() == before


@pytest.mark.parametrize(("source", "why"), [
    ("ISM\x1b[31m release", "control character U+001B"),
    ("ISM release\x07", "control character U+0007"),
    ("ISM \u202eesaeler", "invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("ISM\u2028release", "line break U+2028 (LINE SEPARATOR)"),
    ("ISM\trelease", "control character U+0009"),
])
def test_a_source_with_control_or_bidi_characters_is_refused(make_site, capsys, source, why) -> None:
    root = make_site()
    before = (root / "data/releases.csv").read_bytes()
    assert run_cli(root, "data", "add", "ISM_NEW_ORDERS", "2025-03", "--consensus", "46.0",
                   "--source", source) == 1
    err = capsys.readouterr().err
    assert f"--source holds the {why}" in err and "data: nothing was changed" in err, err
    assert all(ch.isprintable() for line in err.splitlines() for ch in line), repr(err)
    assert (root / "data/releases.csv").read_bytes() == before


def test_a_consensus_ahead_of_its_release_and_a_preliminary_reading_in_its_month(make_site) -> None:
    """What the rules still allow: a consensus a few days before the release, UMich's preliminary
    reading in its own month, a value at the edge of its range."""
    root = make_site()
    today = dt.date(2025, 5, 10)
    add_release_value(root, parse_entry("CPI_YOY", "2025-04", {"consensus": "2.4"}, "2025-05-13", "FactSet"),
                      today=today)
    add_release_value(root, parse_entry("UMICH_SENTIMENT_PRELIM", "2025-05", {"actual": "50.8"}, "2025-05-09",
                                        "UMich"), today=today)
    add_release_value(root, parse_entry("ISM_MFG_PMI", "2025-04", {"actual": "100"}, "2025-05-01", "ISM"),
                      today=today)
    store = load_data(root / "data")
    assert store.release("CPI_YOY", "2025-04").consensus == 2.4
    assert store.release("UMICH_SENTIMENT_PRELIM", "2025-05").actual == 50.8
    # a consensus ahead of the release, then an actual before the release date on file: refused
    add_release_value(root, parse_entry("ISM_MFG_PMI", "2025-05", {"consensus": "49.0"}, "2025-06-02", "survey"),
                      today=dt.date(2025, 5, 20))
    with pytest.raises(DataEntryError, match=r"ISM_MFG_PMI 2025-05 is released on 2025-06-02, after today "
                                             r"\(2025-05-25\): an actual or prior is entered once it is out"):
        add_release_value(root, parse_entry("ISM_MFG_PMI", "2025-05", {"actual": "48.5"}, None, "ISM"),
                          today=dt.date(2025, 5, 25))


@pytest.mark.unit
def test_the_catalogs_ranges_and_release_timing_hold_for_every_release_on_file() -> None:
    """The bounds set in data/catalog.yaml (only where certain) agree with every row compiled so far."""
    catalog = load_catalog(ROOT / "data/catalog.yaml")
    bounded = {iid: (i.min_value, i.max_value) for iid, i in catalog.indicators.items()
               if (i.min_value, i.max_value) != (None, None)}
    assert bounded == {**dict.fromkeys(("ISM_MFG_PMI", "ISM_NEW_ORDERS", "ISM_EMPLOYMENT", "ISM_SUPPLIER_DELIVERIES",
                                        "UNEMPLOYMENT_RATE"), (0, 100)), "UMICH_SENTIMENT_PRELIM": (0, 200)}
    assert {iid for iid, i in catalog.indicators.items() if i.release_in_period} == {
        "UMICH_SENTIMENT_PRELIM", "UMICH_1Y_INFL_EXP_PRELIM", "UMICH_5_10Y_INFL_EXP_PRELIM"}
    rows = read_release_rows(ROOT / "data/releases.csv")
    assert rows
    for row in rows:
        info = catalog.indicators[row["indicator"]]
        assert release_date_problem(info, row["period"], dt.date.fromisoformat(row["release_date"]),
                                    dt.date(2100, 1, 1)) is None, row
        assert all(info.admits(float(row[k])) for k in ("actual", "consensus", "prior") if row[k]), row


@pytest.mark.unit
def test_the_catalog_example_in_docs_data_md_loads(tmp_path) -> None:
    """docs/data.md's example of min_value, max_value and release_in_period is a working catalog entry."""
    doc = (ROOT / "docs/data.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S) if "min_value" in b)
    entries = dict(re.findall(r"^  (\w+): (\{.*\})$", block, re.M))
    assert set(entries) == {"ISM_MFG_PMI", "UMICH_SENTIMENT_PRELIM"}
    text = (ROOT / "data/catalog.yaml").read_text(encoding="utf-8")
    for iid, entry in entries.items():
        text = re.sub(rf"^  {iid}: \{{.*\}}$", lambda m, iid=iid, entry=entry: f"  {iid}: {entry}", text, flags=re.M)
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    catalog = load_catalog(tmp_path / "catalog.yaml")
    pmi, umich = catalog.indicators["ISM_MFG_PMI"], catalog.indicators["UMICH_SENTIMENT_PRELIM"]
    assert (pmi.min_value, pmi.max_value, pmi.release_in_period) == (0, 100, False)
    assert (umich.min_value, umich.max_value, umich.release_in_period) == (0, 200, True)
    assert not pmi.admits(48700) and not pmi.admits(-48.7) and pmi.admits(48.7)
