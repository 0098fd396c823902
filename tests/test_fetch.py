"""`fetch` against a local HTTP server serving recorded FRED responses (never the internet)."""

from __future__ import annotations

import csv
import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from broadsheet.data import load_catalog
from broadsheet.errors import BroadsheetError
from broadsheet.fetch import fetch_data
from conftest import run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fred"
TODAY = dt.date(2025, 4, 19)
DROPPED = ("2025-04-15", "2025-04-16", "2025-04-17")


class FakeFred:
    """A local stand-in for fredgraph.csv: serves the fixtures, or an override per FRED id."""

    def __init__(self) -> None:
        self.overrides: dict[str, tuple[int, bytes]] = {}
        self.requests: list[dict[str, list[str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                query = parse_qs(urlsplit(self.path).query)
                fake.requests.append(query)
                fred_id = query["id"][0]
                path = FIXTURES / f"{fred_id}.csv"
                status, body = fake.overrides.get(
                    fred_id, (200, path.read_bytes()) if path.exists() else (404, b"Not Found"))
                self.send_response(status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/graph/fredgraph.csv"


@pytest.fixture
def fred() -> Iterator[FakeFred]:
    fake = FakeFred()
    thread = threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def rows(root: Path) -> dict[tuple[str, str], tuple[str, str]]:
    with (root / "data/markets.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["date"], r["series"]): (r["value"], r["source"]) for r in csv.DictReader(handle)}


@pytest.fixture
def stale_site(make_site) -> tuple[Path, dict]:
    """A project whose SP500 and DGS10 rows stop on 2025-04-14 (the real file has three more)."""
    root = make_site()
    path = root / "data/markets.csv"
    full = rows(root)
    lines = path.read_bytes().decode().splitlines(keepends=True)
    kept = [ln for ln in lines
            if not (ln.startswith(DROPPED) and (",SP500," in ln or ",DGS10," in ln))]
    path.write_bytes("".join(kept).encode())
    return root, full


def test_fetch_adds_the_missing_rows_exactly(stale_site, fred: FakeFred) -> None:
    root, full = stale_site
    report = fetch_data(root, series=["SP500", "DGS10"], source_url=fred.url, today=TODAY)
    after = rows(root)
    assert {(s.series, s.added) for s in report.series} == {("SP500", 3), ("DGS10", 3)}
    for day in DROPPED:
        for sid in ("SP500", "DGS10"):
            assert after[(day, sid)] == (full[(day, sid)][0], "FRED")
    # nothing else changed, and no row appeared for a day the NYSE was closed
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in full.items()}
    assert ("2025-01-09", "DGS10") not in after
    assert next(s for s in report.series if s.series == "DGS10").off_calendar == 1
    # the download asked only for the period the data covers
    assert fred.requests[0]["cosd"] == ["2024-12-31"]
    # the file keeps its line endings and sort order (series, then date)
    raw = (root / "data/markets.csv").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")


def test_fetch_records_the_retrieval_date_keeping_the_catalog_as_written(stale_site, fred) -> None:
    root, _ = stale_site
    before = (root / "data/catalog.yaml").read_text(encoding="utf-8")
    fetch_data(root, series=["SP500"], source_url=fred.url, today=TODAY)
    after = (root / "data/catalog.yaml").read_text(encoding="utf-8")
    catalog = load_catalog(root / "data/catalog.yaml")
    assert catalog.series["SP500"].retrieved == "2025-04-19"
    assert catalog.series["DGS10"].retrieved != "2025-04-19"
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert len(changed) == 1 and "retrieved: 2025-04-19" in changed[0][1]


def test_existing_values_win_unless_overwrite(stale_site, fred: FakeFred) -> None:
    root, full = stale_site
    recorded = (FIXTURES / "SP500.csv").read_text()
    revised = recorded.replace("2025-04-14,5405.97", "2025-04-14,5406.00")
    assert revised != recorded
    fred.overrides["SP500"] = (200, revised.encode())
    report = fetch_data(root, series=["SP500"], source_url=fred.url, today=TODAY)
    assert report.series[0].kept == [(dt.date(2025, 4, 14), "5405.97", "5406.00")]
    assert rows(root)[("2025-04-14", "SP500")][0] == "5405.97"
    report = fetch_data(root, series=["SP500"], source_url=fred.url, today=TODAY, overwrite=True)
    assert report.series[0].revised == [(dt.date(2025, 4, 14), "5405.97", "5406.00")]
    assert rows(root)[("2025-04-14", "SP500")] == ("5406.00", "FRED")


@pytest.mark.parametrize(("status", "body", "why"), [
    (200, b"<!DOCTYPE html><html><body>Series does not exist.</body></html>", "not a FRED CSV"),
    (200, b"observation_date,DGS10\n2025-04-15,abc\n", "'abc' is not a number"),
    (200, b"observation_date,DGS10\n15/04/2025,4.35\n", "bad date '15/04/2025'"),
    (500, b"oops", "HTTP 500"),
])
def test_a_bad_response_changes_nothing(stale_site, fred, capsys, status, body, why) -> None:
    root, _ = stale_site
    before = {p: (root / "data" / p).read_bytes() for p in ("markets.csv", "catalog.yaml")}
    fred.overrides["DGS10"] = (status, body)  # SP500 (fetched first) succeeds
    assert run_cli(root, "fetch", "--series", "SP500", "DGS10", "--source-url", fred.url) == 1
    err = capsys.readouterr().err
    assert why in err and "fetch: nothing was changed" in err
    assert {p: (root / "data" / p).read_bytes() for p in before} == before
    assert sorted(p.name for p in (root / "data").iterdir()) == sorted(
        ["catalog.yaml", "markets.csv", "releases.csv"])  # no temporary file left behind


def test_network_failure_changes_nothing(stale_site, fred: FakeFred) -> None:
    root, _ = stale_site
    before = (root / "data/markets.csv").read_bytes()
    fred.server.shutdown()
    fred.server.server_close()  # nothing listens on that port any more
    with pytest.raises(BroadsheetError, match="could not connect"):
        fetch_data(root, series=["SP500"], source_url=fred.url, timeout=2)
    assert (root / "data/markets.csv").read_bytes() == before


def test_an_oversized_response_is_refused(stale_site, fred: FakeFred) -> None:
    root, _ = stale_site
    fred.overrides["SP500"] = (200, b"observation_date,SP500\n" + b"2025-04-15,1.0\n" * 400_000)
    with pytest.raises(BroadsheetError, match="larger than 5,000,000 bytes"):
        fetch_data(root, series=["SP500"], source_url=fred.url)


def test_cli_reads_the_url_from_the_environment_and_skips_series_without_fred_id(
        stale_site, fred, monkeypatch, capsys) -> None:
    root, _ = stale_site
    monkeypatch.setenv("BROADSHEET_FRED_URL", fred.url)
    assert run_cli(root, "fetch", "--series", "SP500", "DJIA") == 0
    out = capsys.readouterr().out
    assert "SP500 (FRED SP500): 3 new row(s)" in out
    assert "DJIA: no fred_id in data/catalog.yaml, not fetched" in out
    assert [q["id"] for q in fred.requests] == [["SP500"]]


def test_a_server_that_never_answers_times_out_and_changes_nothing(stale_site) -> None:
    import socket

    root, _ = stale_site
    before = (root / "data/markets.csv").read_bytes()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never sends a byte
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/fred"
        with pytest.raises(BroadsheetError, match="timed out"):
            fetch_data(root, series=["SP500"], source_url=url, timeout=0.5)
    finally:
        silent.close()
    assert (root / "data/markets.csv").read_bytes() == before
