"""A local stand-in for the FRED API, ALFRED and a CSV address (never the internet).

`fred/series/observations` answers in the FRED API's JSON, built from the recorded FRED CSVs of
tests/fixtures/fred (real values) or, for every-vintage requests, from tests/fixtures/alfred.
`faults[key]` replaces the answer for a series id or a path with a function of the handler, to
misbehave the ways a real server can (short bodies, broken chunks, a byte a second, redirects).
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
API_ERROR = b'{"error_code": 400, "error_message": "Bad Request.  %s"}'  # the API's error answer


def fred_json(series_id: str) -> bytes:
    """The FRED API's observations JSON for a recorded fredgraph CSV."""
    rows = list(csv.reader(io.StringIO((FIXTURES / "fred" / f"{series_id}.csv").read_text())))[1:]
    observations = [{"realtime_start": "2025-04-19", "realtime_end": "2025-04-19", "date": d, "value": v}
                    for d, v in rows]
    return json.dumps({"realtime_start": "2025-04-19", "realtime_end": "2025-04-19",
                       "observation_start": "2024-12-31", "observation_end": "9999-12-31", "units": "lin",
                       "output_type": 1, "file_type": "json", "order_by": "observation_date",
                       "sort_order": "asc", "count": len(observations), "offset": 0, "limit": 100000,
                       "observations": observations}).encode()


def observations(series_id: str, *rows: tuple[str, str]) -> bytes:
    """A FRED API answer with the given (date, value) rows."""
    return json.dumps({"observations": [{"realtime_start": "2025-04-19", "realtime_end": "2025-04-19",
                                         "date": d, "value": v} for d, v in rows]}).encode()


class FakeApi:
    """ThreadingHTTPServer on 127.0.0.1 serving the FRED API and CSV files."""

    def __init__(self) -> None:
        self.faults: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.bodies: dict[str, bytes] = {}  # series id or path → the body to send instead
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                fake.requests.append((parts.path, query))
                key = query.get("series_id", [parts.path])[0]
                if key in fake.faults:
                    fake.faults[key](self)
                    return
                self.answer(*fake.answer(parts.path, query, key))

            def answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.api = f"http://127.0.0.1:{self.port}/fred"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def answer(self, path: str, query: dict[str, list[str]], key: str) -> tuple[int, bytes, str]:
        if key in self.bodies:
            return 200, self.bodies[key], "application/json"
        if path.startswith("/csv/"):
            found = FIXTURES / "csv" / path.removeprefix("/csv/")
            return (200, found.read_bytes(), "text/csv") if found.exists() else (404, b"Not Found", "text/plain")
        if query.get("api_key") != ["test-key"]:
            return 400, API_ERROR % b"The value for variable api_key is not registered.", "application/json"
        if query.get("realtime_start") == ["1776-07-04"]:
            found = FIXTURES / "alfred" / f"{key}.json"
        else:
            found = FIXTURES / "fred" / f"{key}.csv"
        if not found.exists():
            return 400, API_ERROR % b"The series does not exist.", "application/json"
        return 200, found.read_bytes() if found.suffix == ".json" else fred_json(key), "application/json"

    def start(self) -> FakeApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- ways to misbehave -----------------------------------------------------------------------
def short_body(handler: BaseHTTPRequestHandler) -> None:
    """Content-Length says more than is sent, then the connection closes."""
    body = fred_json("SP500")
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 3])
    handler.wfile.flush()
    handler.close_connection = True


def broken_chunks(handler: BaseHTTPRequestHandler) -> None:
    """A chunked body that stops in the middle of a chunk, without the final empty chunk."""
    body = fred_json("SP500")
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(f"{len(body):x}\r\n".encode() + body[:200])
    handler.wfile.flush()
    handler.close_connection = True


def drip(handler: BaseHTTPRequestHandler) -> None:
    """The whole body, one byte every 0.1 s: each read is quick, the download never ends in time."""
    body = fred_json("SP500")
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        for i in range(len(body)):
            handler.wfile.write(body[i:i + 1])
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass  # the client gave up, as it should


def redirect_to(location: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return send


def drip_headers(handler: BaseHTTPRequestHandler) -> None:
    """The status line and headers one byte a second, never ending: each read is quick, the headers
    never complete (a client that bounds only each read waits for ever)."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 600
    try:
        for i in range(len(head)):
            handler.wfile.write(head[i:i + 1])
            handler.wfile.flush()
            time.sleep(1)
    except OSError:
        pass  # the client gave up, as it should
    handler.close_connection = True
