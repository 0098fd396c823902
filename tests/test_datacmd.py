"""`data add`: editor-entered consensus and ISM values, checked, written atomically, with their source."""

from __future__ import annotations

import pytest

from broadsheet.data.store import load_data
from conftest import run_cli


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
    from conftest import ROOT

    with pytest.raises(SystemExit) as exit_info:
        run_cli(ROOT, "data", "add", "--help")
    assert exit_info.value.code == 0
    assert "--consensus" in capsys.readouterr().out
