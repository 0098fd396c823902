"""`fetch` trusts nothing (issue 25): no row from the future, one deadline for connect, headers and
body, one-line messages without the API key, no blank-line flood, `retrieved:` only for rows read.

A local server on 127.0.0.1 plays the misbehaving source (tests/fakeapi.py); data/ stays
byte-identical whenever fetch refuses.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import tracemalloc

import pytest
import test_fetch
from test_fetch import TODAY, rows, snapshot

from broadsheet.data.catalog import FetchSpec, load_catalog
from broadsheet.data.download import FetchError, one_line, redact
from broadsheet.data.fetch import fetch_data
from broadsheet.data.sources import parse_csv_source
from conftest import run_cli
from fakeapi import FakeApi, drip_headers, observations, short_body

api, stale_site = test_fetch.api, test_fetch.stale_site  # test_fetch's fixtures: a local FRED, a stale project

KEY = "test-key"  # the fixture's FRED_API_KEY


# --- 1. no row from the future ---------------------------------------------------------------------
@pytest.mark.parametrize(("today", "day"), [
    (dt.date(2025, 4, 16), "2025-04-17"),  # tomorrow, a NYSE trading day
    (TODAY, "2027-03-03"),  # a Wednesday in 2027
])
def test_a_row_dated_after_the_retrieval_day_is_refused(stale_site, api: FakeApi, today, day) -> None:
    root, _ = stale_site
    before = snapshot(root)
    api.bodies["SP500"] = observations("SP500", ("2025-04-15", "5396.63"), (day, "5400.00"))
    with pytest.raises(FetchError, match=f"SP500: the source dates a value {day} .*after the retrieval day {today}"):
        fetch_data(root, series=["SP500"], today=today)
    assert snapshot(root) == before


def test_a_release_the_source_dates_after_the_retrieval_day_is_refused(make_site, api: FakeApi) -> None:
    root = make_site()
    before = snapshot(root)
    # the fixture's April CPI was first published on 2025-05-13: not yet on 2025-05-01
    with pytest.raises(FetchError, match="CPI_MOM 2025-04: the source dates its release 2025-05-13, after the "
                                         "retrieval day 2025-05-01"):
        fetch_data(root, series=["CPI_MOM"], today=dt.date(2025, 5, 1))
    assert snapshot(root) == before


def test_a_fetched_release_outside_its_catalog_range_is_refused(make_site, api: FakeApi) -> None:
    root = make_site()
    before = snapshot(root)
    api.bodies["UNRATE"] = json.dumps({"observations": [
        {"realtime_start": "2025-05-02", "realtime_end": "9999-12-31", "date": "2025-04-01", "value": "420"}]}).encode()
    with pytest.raises(FetchError, match=r"UNEMPLOYMENT_RATE 2025-04: actual 420 is outside its range, 0 to 100"):
        fetch_data(root, series=["UNEMPLOYMENT_RATE"], today=dt.date(2025, 5, 14))
    assert snapshot(root) == before


# --- 2. one deadline: connect, headers and body -----------------------------------------------------
def test_a_server_that_drips_its_headers_cannot_outlast_the_timeout(stale_site, api: FakeApi, capsys) -> None:
    root, _ = stale_site
    before = snapshot(root)
    api.faults["SP500"] = drip_headers  # a header byte a second: every read is quick, the headers never end
    started = time.monotonic()
    assert run_cli(root, "fetch", "--series", "SP500", "--timeout", "3") == 1
    took = time.monotonic() - started
    assert took < 3 + 1.5, f"fetch took {took:.1f} s with --timeout 3"
    err = capsys.readouterr().err
    assert "timed out: the download took longer than 3 s" in err, err
    assert snapshot(root) == before


# --- 3. one line, no control characters, never the key ---------------------------------------------
def error_lines(err: str) -> list[str]:
    """stderr without fetch's progress lines."""
    return [line for line in err.splitlines() if not line.startswith("fetch: [")]


def test_a_short_body_is_reported_without_the_api_key(stale_site, api: FakeApi, capsys) -> None:
    root, _ = stale_site
    api.faults["SP500"] = short_body
    assert run_cli(root, "fetch", "--series", "SP500") == 1
    err = capsys.readouterr().err
    assert "incomplete response" in err
    assert KEY not in err and "api_key=" not in err, err


def test_a_servers_error_text_is_one_line_without_control_characters_or_the_key(stale_site, api: FakeApi,
                                                                                  capsys) -> None:
    root, _ = stale_site
    text = f"Bad Request.\n\x1b[2J\x1b[31mapi_key {KEY} is not registered.\x07\r\nSee\u202e line 3\x00"
    api.faults["SP500"] = lambda h: h.answer(200, json.dumps({"error_message": text}).encode())
    api.faults["DGS10"] = lambda h: h.answer(400, f"Down\nfor {KEY}\x1b[0m maintenance".encode())
    for series, said in (("SP500", "FRED says: Bad Request. [2J[31mapi_key (hidden) is not registered. See line 3"),
                         ("DGS10", "the server answered HTTP 400 Bad Request: Down for (hidden)[0m maintenance")):
        assert run_cli(root, "fetch", "--series", series) == 1
        lines = error_lines(capsys.readouterr().err)
        assert len(lines) == 2 and lines[1] == "fetch: nothing was changed", lines
        assert lines[0].endswith(said), lines[0]
        assert all(ch.isprintable() for ch in lines[0]) and KEY not in lines[0], repr(lines[0])


def test_an_address_that_cannot_be_fetched_is_shown_without_the_key(stale_site, api, monkeypatch) -> None:
    root, _ = stale_site
    monkeypatch.setenv("BROADSHEET_FRED_API", "ftp://127.0.0.1/fred")
    with pytest.raises(FetchError) as failed:
        fetch_data(root, series=["SP500"], today=TODAY)
    assert "only http and https addresses can be fetched" in str(failed.value)
    assert KEY not in str(failed.value)


def test_a_csv_address_with_a_token_is_never_shown_whole(make_site, api: FakeApi, capsys) -> None:
    root = make_site()
    catalog = root / "data/catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        "https://stooq.com/q/d/l/?s=dx.f&i=d", f"http://127.0.0.1:{api.port}/csv/dxy.csv?s=dx.f&apikey=s3cret"),
        encoding="utf-8")
    api.faults["/csv/dxy.csv"] = short_body
    assert run_cli(root, "fetch", "--series", "DXY") == 1
    err = capsys.readouterr().err
    assert "dxy.csv?s=dx.f&apikey=(hidden): incomplete response" in err and "s3cret" not in err, err
    api.faults.clear()
    api.bodies["/csv/dxy.csv"] = b"Date,Close\n2025-04-17,99.38\n"
    assert run_cli(root, "fetch", "--series", "DXY") == 0
    out = capsys.readouterr().out
    assert "DXY (CSV http://127.0.0.1:" in out and "s3cret" not in out, out


@pytest.mark.unit
def test_redact_hides_keys_tokens_and_passwords(monkeypatch) -> None:
    monkeypatch.setenv("FRED_API_KEY", "abcdef0123456789")
    url = ("https://x.example/a?series_id=SP500&api_key=abc&apikey=d&token=e&access_token=f&key=g&Key=h"
           "&signature=i#top")
    assert redact(url) == ("https://x.example/a?series_id=SP500&api_key=(hidden)&apikey=(hidden)&token=(hidden)"
                           "&access_token=(hidden)&key=(hidden)&Key=(hidden)&signature=(hidden)#top")
    assert redact("https://me:pa55@x.example/data.csv") == "https://(hidden)@x.example/data.csv"
    assert redact("the server said: key abcdef0123456789 unknown") == "the server said: key (hidden) unknown"
    assert one_line("a\nb\r\n\tc\x1b[0m\x07\u202ed\u2028e\x00") == "a b c[0md e"
    assert str(FetchError("x?api_key=k\nnext")) == "x?api_key=(hidden) next"


# --- 4. blank lines, and `retrieved:` only when rows were read --------------------------------------
@pytest.mark.unit
def test_a_response_of_blank_lines_is_refused_within_the_byte_limit() -> None:
    body = b"Date,Close\n" + b"\n" * 4_900_000  # 4.9 MB: under the 5 MB limit (it took 480 MB)
    spec = FetchSpec("csv", url="https://example.com/x.csv", tag="X")
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="more than 1,000 blank lines: not a CSV export"):
            parse_csv_source(body, spec, spec.url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000, f"{peak:,} bytes"


def test_retrieved_is_stamped_only_for_series_that_read_rows(stale_site, api: FakeApi, capsys) -> None:
    root, _ = stale_site
    retrieved = {sid: info.retrieved for sid, info in load_catalog(root / "data/catalog.yaml").series.items()}
    api.bodies["SP500"] = observations("SP500", ("2025-04-15", "."), ("2025-04-16", "."))  # no value at all
    assert run_cli(root, "fetch", "--series", "SP500", "DGS10") == 0
    out = capsys.readouterr().out
    after = load_catalog(root / "data/catalog.yaml").series
    assert after["SP500"].retrieved == retrieved["SP500"]  # nothing read: not stamped
    assert after["DGS10"].retrieved != retrieved["DGS10"]
    assert "SP500 (FRED SP500): no values read (its retrieved: date stays)" in out, out
    assert "(not for SP500: no values read)" in out, out
    assert ("2025-04-15", "SP500") not in rows(root)


def test_nothing_read_anywhere_stamps_nothing(make_site, api: FakeApi) -> None:
    root = make_site()
    api.bodies["/csv/dxy.csv"] = b"Date,Close\n\n\n"  # a header, then nothing
    catalog = root / "data/catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        "https://stooq.com/q/d/l/?s=dx.f&i=d", f"http://127.0.0.1:{api.port}/csv/dxy.csv"), encoding="utf-8")
    before = snapshot(root)
    report = fetch_data(root, series=["DXY"], today=TODAY)
    assert report.stamped == [] and report.series[0].read == 0
    assert snapshot(root) == before  # not even the catalog's retrieved: date
