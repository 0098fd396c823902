"""`fetch` against a local server speaking the FRED API, ALFRED and CSV (never the internet).

Every fault a real server can commit (a short body, broken chunks, a byte a second, a redirect
elsewhere, a bad date or number, an impossible move) ends with a message and leaves data/
byte-identical; a kill at any step of the write leaves the old set or the new set.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.core.errors import BroadsheetError
from broadsheet.data import datawrite
from broadsheet.data.fetch import fetch_data
from broadsheet.data.store import load_catalog, load_data
from conftest import ROOT, run_cli
from fakeapi import FakeApi, broken_chunks, drip, observations, redirect_to, short_body

TODAY = dt.date(2025, 4, 19)
DROPPED = ("2025-04-15", "2025-04-16", "2025-04-17")
FILES = ("markets.csv", "releases.csv", "catalog.yaml")


@pytest.fixture
def api(monkeypatch) -> Iterator[FakeApi]:
    fake = FakeApi().start()
    monkeypatch.setenv("FRED_API_KEY", "test-key")
    monkeypatch.setenv("BROADSHEET_FRED_API", fake.api)
    yield fake
    fake.stop()


def rows(root: Path) -> dict[tuple[str, str], tuple[str, str]]:
    with (root / "data/markets.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["date"], r["series"]): (r["value"], r["source"]) for r in csv.DictReader(handle)}


def snapshot(root: Path) -> dict[str, bytes]:
    return {name: (root / "data" / name).read_bytes() for name in FILES}


@pytest.fixture
def stale_site(make_site) -> tuple[Path, dict]:
    """A project whose SP500 and DGS10 rows stop on 2025-04-14 (the real file has three more)."""
    root = make_site()
    path = root / "data/markets.csv"
    full = rows(root)
    lines = path.read_bytes().decode().splitlines(keepends=True)
    kept = [ln for ln in lines if not (ln.startswith(DROPPED) and (",SP500," in ln or ",DGS10," in ln))]
    path.write_bytes("".join(kept).encode())
    return root, full


# --- what fetch adds ------------------------------------------------------------------------------
def test_fetch_adds_the_missing_rows_exactly(stale_site, api: FakeApi) -> None:
    root, full = stale_site
    report = fetch_data(root, series=["SP500", "DGS10"], today=TODAY)
    after = rows(root)
    assert {(s.series, s.added) for s in report.series} == {("SP500", 3), ("DGS10", 3)}
    for day in DROPPED:
        for sid in ("SP500", "DGS10"):
            assert after[(day, sid)] == (full[(day, sid)][0], "FRED")
    # nothing else changed, and no row appeared for a day the NYSE was closed
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in full.items()}
    assert ("2025-01-09", "DGS10") not in after
    assert next(s for s in report.series if s.series == "DGS10").off_calendar == 1  # 2025-01-09
    # the API was asked for the period the data covers, with the key from the environment
    path, query = api.requests[0]
    assert path == "/fred/series/observations"
    assert query["observation_start"] == ["2024-12-31"] and query["file_type"] == ["json"]
    assert query["api_key"] == ["test-key"]
    raw = (root / "data/markets.csv").read_bytes()
    assert b"\r" not in raw  # written with LF line endings, whatever the platform (docs/data.md, "Files")


def test_fetch_reports_added_revised_and_kept_per_series(stale_site, api: FakeApi, capsys) -> None:
    root, _ = stale_site
    assert run_cli(root, "fetch", "--series", "SP500", "DJIA", "ISM_MFG_PMI") == 1  # DJIA: not recorded
    assert "DJIA" in capsys.readouterr().err
    assert run_cli(root, "fetch", "--series", "SP500", "ISM_MFG_PMI") == 0
    out = capsys.readouterr().out
    assert "SP500 (FRED SP500): 3 added, 0 revised, 12 kept" in out
    assert "ISM_MFG_PMI: entered by the editor (`python3 build.py data add`), not fetched" in out


def test_fetch_records_the_retrieval_date_keeping_the_catalog_as_written(stale_site, api) -> None:
    root, _ = stale_site
    before = (root / "data/catalog.yaml").read_text(encoding="utf-8")
    fetch_data(root, series=["SP500"], today=TODAY)
    after = (root / "data/catalog.yaml").read_text(encoding="utf-8")
    catalog = load_catalog(root / "data/catalog.yaml")
    assert catalog.series["SP500"].retrieved == "2025-04-19"
    assert catalog.series["DGS10"].retrieved != "2025-04-19"
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and "retrieved: 2025-04-19" in changed[0][1]


def test_existing_values_win_unless_overwrite(stale_site, api: FakeApi) -> None:
    root, _ = stale_site
    api.bodies["SP500"] = observations("SP500", ("2025-04-14", "5406.00"))
    report = fetch_data(root, series=["SP500"], today=TODAY)
    assert report.series[0].kept == [("2025-04-14", "5405.97", "5406.00")]
    assert rows(root)[("2025-04-14", "SP500")][0] == "5405.97"
    report = fetch_data(root, series=["SP500"], today=TODAY, overwrite=True)
    assert report.series[0].revised == [("2025-04-14", "5405.97", "5406.00")]
    assert rows(root)[("2025-04-14", "SP500")] == ("5406.00", "FRED")


def test_alfred_first_releases_computed_from_the_levels_as_first_published(make_site, api) -> None:
    """Synthetic levels (tests/fixtures/alfred/README.md) whose changes round to the real first prints."""
    root = make_site()
    before = (root / "data/releases.csv").read_text(encoding="utf-8")
    report = fetch_data(root, series=["CPI_MOM"], today=dt.date(2025, 5, 14))
    cpi = report.series[0]
    assert (cpi.source, cpi.added, cpi.unchanged, cpi.kept) == ("ALFRED CPIAUCSL", 1, 3, [])
    after = (root / "data/releases.csv").read_text(encoding="utf-8")
    assert after.startswith(before)  # the rows as they were, then the new one
    new = after[len(before):].strip()
    # April: 100.802 / 100.600 - 1 = 0.2008% → 0.2, published 2025-05-13; the prior is March as
    # stated in that release; the consensus is left for `data add`
    assert new == "CPI_MOM,2025-04,2025-05-13,0.2,,-0.1,% m/m SA,ALFRED CPIAUCSL first release 2025-05-13"
    _, query = api.requests[0]
    assert query["realtime_start"] == ["1776-07-04"] and query["realtime_end"] == ["9999-12-31"]
    release = load_data(root / "data").release("CPI_MOM", "2025-04")
    assert (release.actual, release.consensus, release.prior) == (0.2, None, -0.1)


@pytest.mark.unit
def test_first_release_uses_the_prior_month_as_revised_in_the_same_vintage() -> None:
    from broadsheet.data.catalog import FetchSpec
    from broadsheet.data.sources import first_releases, parse_observations

    body = (ROOT / "tests/fixtures/alfred/CPIAUCSL.json").read_bytes()
    found = first_releases(FetchSpec("alfred", id="CPIAUCSL", compute="pct_change", months=1),
                           parse_observations(body, "test"), "2025-01")
    by_period = {r.period: r for r in found}
    # March's release revised February to 100.710: March = 100.600/100.710 - 1 = -0.109% → -0.1,
    # and the prior it states is February from the revised level: 100.710/100.500 - 1 → 0.2
    assert (by_period["2025-03"].actual, by_period["2025-03"].prior) == ("-0.1", "0.2")
    assert by_period["2025-03"].vintage == dt.date(2025, 4, 10)
    assert by_period["2025-02"].actual == "0.2"  # 100.701 as first published (not the revised 100.710)
    assert by_period["2025-01"].vintage == dt.date(2025, 2, 12)  # not the "." period before it


def test_a_csv_source_maps_its_columns_and_dates(make_site, api: FakeApi) -> None:
    root = make_site()
    catalog = root / "data/catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    text = text.replace('https://stooq.com/q/d/l/?s=dx.f&i=d", date: Date, value: Close',
                        f'http://127.0.0.1:{api.port}/csv/dxy.csv", date: Datum, value: Schluss, '
                        'date_format: "%d.%m.%Y"')
    catalog.write_text(text, encoding="utf-8")
    # the rows of data/markets.csv for 04-16 and 04-17 (INV_FG), dated as a German export would
    api.bodies["/csv/dxy.csv"] = b"Datum,Schluss\n16.04.2025,99.38\n17.04.2025,99.38\n18.04.2025,99.23\n"
    markets = root / "data/markets.csv"
    markets.write_text("".join(ln for ln in markets.read_text(encoding="utf-8").splitlines(keepends=True)
                               if not ln.startswith("2025-04-17,DXY,")), encoding="utf-8")
    report = fetch_data(root, series=["DXY"], today=TODAY)
    assert (report.series[0].added, report.series[0].unchanged, report.series[0].off_calendar) == (1, 1, 1)
    assert rows(root)[("2025-04-17", "DXY")] == ("99.38", "STOOQ")


def test_a_csv_source_needs_no_fred_key_and_fetch_writes_lf(make_site, api: FakeApi, monkeypatch) -> None:
    """CSV addresses need no FRED_API_KEY; data files saved with CRLF (an editor on Windows) still read,
    and fetch writes them back with LF."""
    monkeypatch.delenv("FRED_API_KEY")
    root = make_site()
    catalog = root / "data/catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        "https://stooq.com/q/d/l/?s=dx.f&i=d", f"http://127.0.0.1:{api.port}/csv/dxy.csv"), encoding="utf-8")
    api.bodies["/csv/dxy.csv"] = b"Date,Close\n2025-04-17,99.38\n"
    markets = root / "data/markets.csv"
    markets.write_text("".join(ln for ln in markets.read_text(encoding="utf-8").splitlines(keepends=True)
                               if not ln.startswith("2025-04-17,DXY,")), encoding="utf-8")
    for name in FILES:
        path = root / "data" / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = fetch_data(root, series=["DXY"], today=TODAY)
    assert report.series[0].added == 1 and rows(root)[("2025-04-17", "DXY")] == ("99.38", "STOOQ")
    for name in FILES:
        assert b"\r" not in (root / "data" / name).read_bytes(), name


# --- faults: each leaves data/ byte-identical and says why ----------------------------------------
FAULTS = [
    ("a body shorter than its Content-Length", lambda api: api.faults.update(SP500=short_body),
     "incomplete response"),
    ("a chunked body cut short", lambda api: api.faults.update(SP500=broken_chunks), "incomplete response"),
    ("a redirect to another host",
     lambda api: api.faults.update(SP500=redirect_to(f"http://localhost:{api.port}/fred/x")), "another host"),
    ("a redirect to another scheme",
     lambda api: api.faults.update(SP500=redirect_to(f"https://127.0.0.1:{api.port}/fred/x")),
     "another host or scheme"),
    ("a compact date", lambda api: api.bodies.update(SP500=observations("SP500", ("20250417", "5282.70"))),
     "'20250417' is not a YYYY-MM-DD date"),
    ("an ISO week date", lambda api: api.bodies.update(SP500=observations("SP500", ("2025-W16-5", "5282.70"))),
     "'2025-W16-5' is not a YYYY-MM-DD date"),
    ("a 300-digit value", lambda api: api.bodies.update(SP500=observations("SP500", ("2025-04-15", "9" * 300))),
     "(300 characters)' is not a number"),
    ("an infinite value", lambda api: api.bodies.update(SP500=observations("SP500", ("2025-04-15", "Infinity"))),
     "'Infinity' is not a number"),
    ("a number with underscores",
     lambda api: api.bodies.update(SP500=observations("SP500", ("2025-04-15", "5_396.60"))),
     "'5_396.60' is not a number"),
    ("a truncated value (the close was 5158.20)",
     lambda api: api.bodies.update(SP500=observations("SP500", ("2025-04-15", "51"))),
     "beyond its max_daily_move_pct of 15%"),
    ("a negative index", lambda api: api.bodies.update(SP500=observations("SP500", ("2025-04-15", "-5396.63"))),
     "is not positive"),
    ("an error page", lambda api: api.bodies.update(SP500=b"<!DOCTYPE html><html><body>Down</body></html>"),
     "not FRED JSON"),
    ("a server error", lambda api: api.faults.update(SP500=lambda h: h.answer(500, b"oops")), "HTTP 500"),
    ("a release level that is not a number",
     lambda api: api.bodies.update(CPIAUCSL=b'{"observations": [{"realtime_start": "2025-05-13", '
                                   b'"realtime_end": "9999-12-31", "date": "2025-04-01", "value": "1e400"}]}'),
     "'1e400' is not a number"),
]


@pytest.mark.parametrize(("label", "setup", "why"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_fault_changes_nothing_and_says_why(stale_site, api, capsys, label, setup, why) -> None:
    root, _ = stale_site
    before = snapshot(root)
    setup(api)
    # DGS10 (fetched first) succeeds; the fault is in SP500 or CPI's answer
    assert run_cli(root, "fetch", "--series", "DGS10", "SP500", "CPI_MOM", "--timeout", "5") == 1
    err = capsys.readouterr().err
    assert why in err and "fetch: nothing was changed" in err, err
    assert "test-key" not in err and "api_key=" not in err, err  # no error path shows the key
    assert snapshot(root) == before
    assert sorted(p.name for p in (root / "data").iterdir()) == sorted(FILES)  # nothing left behind


def test_the_timeout_bounds_the_whole_download(stale_site, api: FakeApi) -> None:
    root, _ = stale_site
    before = snapshot(root)
    api.faults["SP500"] = drip  # a byte every 0.1 s: no single read ever waits 1 s
    started = time.monotonic()
    with pytest.raises(BroadsheetError, match="timed out"):
        fetch_data(root, series=["SP500"], timeout=1.0)
    assert time.monotonic() - started < 3
    assert snapshot(root) == before


def test_network_failure_changes_nothing(stale_site, api: FakeApi) -> None:
    root, _ = stale_site
    before = snapshot(root)
    api.stop()  # nothing listens on that port any more
    with pytest.raises(BroadsheetError, match="could not connect"):
        fetch_data(root, series=["SP500"], timeout=2)
    assert snapshot(root) == before


def test_a_server_that_never_answers_times_out(stale_site, api, monkeypatch) -> None:
    import socket

    root, _ = stale_site
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never sends a byte
    monkeypatch.setenv("BROADSHEET_FRED_API", f"http://127.0.0.1:{silent.getsockname()[1]}/fred")
    try:
        with pytest.raises(BroadsheetError, match="timed out"):
            fetch_data(root, series=["SP500"], timeout=0.5)
    finally:
        silent.close()


def test_without_an_api_key_nothing_is_asked(stale_site, api, monkeypatch) -> None:
    root, _ = stale_site
    monkeypatch.delenv("FRED_API_KEY")
    with pytest.raises(BroadsheetError, match="set FRED_API_KEY"):
        fetch_data(root, series=["SP500"])
    assert api.requests == []


def test_an_oversized_response_is_refused(stale_site, api: FakeApi) -> None:
    root, _ = stale_site
    api.bodies["SP500"] = b'{"observations": [' + b'{"date": "2025-04-15", "value": "1.0"},' * 150_000 + b"]}"
    with pytest.raises(BroadsheetError, match="larger than 5,000,000 bytes"):
        fetch_data(root, series=["SP500"])


# --- all or nothing across the three files --------------------------------------------------------
KILLER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from broadsheet.data import datawrite
from broadsheet.data.fetch import fetch_data
import datetime as dt
target = {step!r}
def hook(name):
    if name == target:
        os.kill(os.getpid(), signal.SIGKILL)
datawrite.step_hook = hook
fetch_data(Path({project!r}), series=["SP500", "CPI_MOM"], today=dt.date(2025, 5, 14))
"""
STEPS = ["wrote catalog.yaml", "wrote markets.csv", "wrote releases.csv", "journal", "renamed catalog.yaml",
         "renamed markets.csv", "renamed releases.csv", "journal removed"]


@pytest.fixture
def old_and_new(stale_site, api: FakeApi, tmp_path) -> tuple[Path, dict, dict]:
    """The project before a fetch, and the files an uninterrupted fetch gives."""
    import shutil

    root, _ = stale_site
    old = snapshot(root)
    done = tmp_path / "done"
    shutil.copytree(root, done)
    fetch_data(done, series=["SP500", "CPI_MOM"], today=dt.date(2025, 5, 14))
    new = snapshot(done)
    assert all(new[name] != old[name] for name in FILES)  # the fetch changes all three files
    return root, old, new


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_leaves_the_old_set_or_the_new_set(old_and_new, api: FakeApi, step) -> None:
    root, old, new = old_and_new
    script = KILLER.format(root=str(ROOT), step=step, project=str(root))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()[-2000:]
    load_data(root / "data")  # every reader recovers first
    expected = old if STEPS.index(step) < STEPS.index("journal") else new
    assert snapshot(root) == expected
    assert sorted(p.name for p in (root / "data").iterdir()) == sorted(FILES)


def test_a_failure_between_renames_is_finished_by_the_next_reader(old_and_new, monkeypatch) -> None:
    root, old, new = old_and_new

    def fail(name: str) -> None:
        if name == "renamed catalog.yaml":
            raise OSError("disk full")

    monkeypatch.setattr(datawrite, "step_hook", fail)
    with pytest.raises(OSError, match="disk full"):
        fetch_data(root, series=["SP500", "CPI_MOM"], today=dt.date(2025, 5, 14))
    monkeypatch.setattr(datawrite, "step_hook", None)
    assert snapshot(root) != old and snapshot(root) != new  # half-way on disk …
    store = load_data(root / "data")  # … until the next reader finishes the journal
    assert snapshot(root) == new
    assert store.release("CPI_MOM", "2025-04").actual == 0.2


@pytest.mark.unit
def test_every_series_and_release_has_a_source_or_is_editor_entered() -> None:
    catalog = load_catalog(ROOT / "data/catalog.yaml")
    for ident, info in [*catalog.series.items(), *catalog.indicators.items()]:
        assert info.fetch is not None, f"{ident} names no fetch source"
    kinds = {ident: info.fetch.kind for ident, info in [*catalog.series.items(), *catalog.indicators.items()]}
    assert {k for k, v in kinds.items() if v == "editor"} == {
        "ISM_MFG_PMI", "ISM_NEW_ORDERS", "ISM_EMPLOYMENT", "ISM_SUPPLIER_DELIVERIES", "UMICH_SENTIMENT_PRELIM",
        "UMICH_1Y_INFL_EXP_PRELIM", "UMICH_5_10Y_INFL_EXP_PRELIM"}
    assert {sid: info.calendar for sid, info in catalog.series.items() if info.calendar != "XNYS"} == {
        sid: "XNYS&USBOND" for sid in ("DGS2", "DGS10", "DGS20", "DGS30")}  # yields: bond-market closes too
    assert all(not hasattr(info, "calendar") for info in catalog.indicators.values())  # releases have none


def test_a_catalog_fetch_source_is_checked(make_site) -> None:
    root = make_site()
    catalog = root / "data/catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("fetch: {fred: SP500}", "fetch: {ftp: SP500}"),
                       encoding="utf-8")
    from broadsheet.core.errors import BuildFailed

    with pytest.raises(BuildFailed) as failed:
        load_catalog(catalog)
    assert "series SP500: fetch needs exactly one of fred, alfred, csv" in failed.value.problems[0].message


def test_a_data_add_during_a_fetch_is_not_lost(stale_site, api: FakeApi, monkeypatch) -> None:
    """fetch merges into the files as it read them: if one changed meanwhile it writes nothing."""
    from broadsheet.data import sources
    from broadsheet.data.entry import add_release_value, parse_entry

    root, _ = stale_site
    real = sources.fetch_fred

    def slow_fetch(*args, **kwargs):  # the editor runs `data add` while fetch downloads
        add_release_value(root, parse_entry("ISM_NEW_ORDERS", "2025-03", {"consensus": "46.0"}, None, "a survey"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sources, "fetch_fred", slow_fetch)
    with pytest.raises(BroadsheetError, match="data/releases.csv changed while this ran"):
        fetch_data(root, series=["SP500"], today=TODAY)
    assert ",46.0," in (root / "data/releases.csv").read_text(encoding="utf-8")  # the editor's value stays
    assert ("2025-04-15", "SP500") not in rows(root)
