"""`serve` under load: a client that never sends its request is dropped, and connections beyond
the cap are refused without a thread, while a normal request is still answered.

The preview's HTTP server alone, on 127.0.0.1 (port 0: a free one), serving a one-page folder;
every loop is bounded and every socket is closed by the test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from broadsheet.commands import preview_server
from broadsheet.commands.preview_server import LiveState, PreviewServer

# not marked unit: each test waits out the server's deadline, seconds the quick loop has not got

HEADER_SECONDS = 2.0  # the server's deadline for a request, shortened for the test
MARGIN = 10.0  # seconds a loaded machine may add before the server's close is seen


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PreviewServer]:
    monkeypatch.setattr(preview_server, "HEADER_SECONDS", HEADER_SECONDS)
    (tmp_path / "index.html").write_text("<html><body>preview</body></html>", encoding="utf-8")
    state = LiveState()
    server = PreviewServer(("127.0.0.1", 0), tmp_path, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    state.close()
    server.shutdown()
    server.server_close()
    thread.join(timeout=MARGIN)


def connect(server: PreviewServer) -> socket.socket:
    sock = socket.create_connection(server.server_address[:2], timeout=HEADER_SECONDS + MARGIN)
    return sock


def get(server: PreviewServer, path: str = "/") -> tuple[int, bytes]:
    """One GET; (status, body)."""
    with connect(server) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data.split(b"\r\n\r\n", 1)[-1]


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed `sock` (recv gives b"" or a reset), None if it is still open."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_a_client_that_never_sends_its_request_is_dropped(server: PreviewServer) -> None:
    """Before, the thread waited on it for ever (1,800 such clients held 1,807 threads)."""
    with connect(server) as silent:
        seconds = closed_within(silent, HEADER_SECONDS + MARGIN)
    assert seconds is not None and seconds < HEADER_SECONDS + MARGIN


def test_a_client_that_drips_its_headers_is_dropped_at_the_deadline(server: PreviewServer) -> None:
    """A byte every 0.2 s keeps any per-read timeout happy: the deadline covers the whole request."""
    with connect(server) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        dropped = False
        for _ in range(int((HEADER_SECONDS + MARGIN) / 0.2)):  # bounded: the deadline and the margin
            try:
                slow.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                dropped = True
                break
            if closed_within(slow, 0.2) is not None:
                dropped = True
                break
        assert dropped and time.monotonic() - started < HEADER_SECONDS + MARGIN


def test_connections_beyond_the_cap_are_refused_and_a_normal_request_is_still_answered(server) -> None:
    cap = preview_server.MAX_CONNECTIONS
    threads_before = threading.active_count()
    with contextlib.ExitStack() as stack:
        idle = [stack.enter_context(connect(server)) for _ in range(cap + 16)]  # none sends a byte
        # the server takes them in order: the first `cap` get a thread, the rest a 503 and a close
        # (the first refusal may wait for the server to get there; the others are closed by then)
        refused = [sock for n, sock in enumerate(idle[cap:])
                   if closed_within(sock, MARGIN if n == 0 else 0.5) is not None]
        assert len(refused) == 16
        assert threading.active_count() <= threads_before + cap
        # the held ones are dropped at the deadline; then a normal request is answered
        assert all(closed_within(sock, HEADER_SECONDS + MARGIN) is not None for sock in idle[:cap])
    wait_for(lambda: threading.active_count() <= threads_before)  # each handler's thread ends with it
    assert get(server) == (200, b'<html><body>preview<script src="/__broadsheet/live.js"></script></body></html>')


def test_a_refused_connection_gets_503_saying_why(server: PreviewServer, monkeypatch) -> None:
    monkeypatch.setattr(server, "slots", threading.BoundedSemaphore(1))
    threads_before = threading.active_count()
    with connect(server) as held:
        wait_for(lambda: threading.active_count() > threads_before)  # the one slot is held
        status, body = get(server)
        assert (status, body) == (503, preview_server.BUSY_BODY)
        assert closed_within(held, HEADER_SECONDS + MARGIN) is not None
    wait_for(lambda: threading.active_count() <= threads_before)
    assert get(server)[0] == 200  # the slot is free again


def wait_for(condition: Callable[[], bool]) -> None:
    """Until condition() holds, every 20 ms, at most MARGIN seconds (then the test fails)."""
    deadline = time.monotonic() + MARGIN
    while not condition():
        assert time.monotonic() < deadline, "still not so after the margin"
        time.sleep(0.02)
