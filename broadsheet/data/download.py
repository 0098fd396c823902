"""How `fetch` downloads: `http_get`, whose answer is a whole, checked body or a FetchError.

The whole body is read and checked against its Content-Length (a truncated chunked body is an
error too); one deadline bounds the whole download, connection, headers and body alike: the
request runs in a worker thread the caller waits for no longer than the deadline, so a server
dripping its headers or its body a byte a second cannot outlast `--timeout`; a redirect to
another host or scheme is refused; larger than MAX_BYTES is refused. Every message is one line
without control characters, whatever the server sent, and never holds a key: `FetchError`
redacts any `…key…=`, `…token…=` or password in an address, and the FRED key itself wherever it
appears (a server may echo it in its error text).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import ssl
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from broadsheet.core.errors import BroadsheetError, shorten
from broadsheet.core.textcheck import CONTROL_RE, INVISIBLE_RE

KEY_ENV = "FRED_API_KEY"  # the key: from the environment (a repository secret in CI), never a file
MAX_BYTES = 5_000_000  # a daily series since 2024 is a few kB; every vintage of CPI since 2023 ~1 MB
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)
ERROR_TEXT_BYTES = 2_000  # of an error answer's body, quoted (cut) in the message
HIDDEN = "(hidden)"
# a query parameter whose name holds key, token, secret, password or signature (api_key, apikey,
# access_token…), and the user:password part of an address
# (the value ends where the address does: at &, ;, #, a space, a quote, or the ": " of a message)
SECRET_PARAM_RE = re.compile(r"([?&;][^=&;#\s]*(?:key|token|secret|passw|sig)[^=&;#\s]*=)"
                             r"[^&;#\s'\"]*?(?=[&;#\s'\"]|:\s|:$|$)", re.I)
USERINFO_RE = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s'\"]+@", re.I)
LINE_BREAK_RE = re.compile("[\n\r\t\v\f\x85\u2028\u2029]+")


def redact(text: str) -> str:
    """`text` with every secret an address may carry replaced by (hidden): query parameters named
    like a key, token or password, a user:password@, and the FRED key itself (a server may echo it)."""
    text = USERINFO_RE.sub(lambda m: m.group(1) + HIDDEN + "@", SECRET_PARAM_RE.sub(r"\1" + HIDDEN, text))
    key = os.environ.get(KEY_ENV, "").strip()
    return text.replace(key, HIDDEN) if len(key) >= 8 else text  # a short value would hide ordinary words


def one_line(text: str) -> str:
    """`text` on one line: line breaks and tabs become a space, control, bidi and zero-width
    characters are removed (a server's text must not move the cursor, ring or reorder the terminal)."""
    return INVISIBLE_RE.sub("", CONTROL_RE.sub("", LINE_BREAK_RE.sub(" ", text)))


class FetchError(BroadsheetError):
    """A download failed or returned something other than what was expected; nothing was changed.

    The message is made safe here, once for every error path: one line, no control characters,
    no secret (see redact)."""

    def __init__(self, message: str):
        super().__init__(shorten(redact(one_line(message))))


def _connection(url: str, remaining: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=remaining,
                                           context=ssl.create_default_context())
    if parts.scheme == "http":
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=remaining)
    raise FetchError(f"{redact(url)}: only http and https addresses can be fetched")


class _Deadline:
    def __init__(self, url: str, timeout: float):
        self.url, self.timeout, self.end = url, timeout, time.monotonic() + timeout

    def left(self) -> float:
        return max(self.end - time.monotonic(), 0.0)

    def error(self) -> FetchError:
        return FetchError(f"{self.url}: timed out: the download took longer than {self.timeout:g} s")

    def remaining(self) -> float:
        left = self.left()
        if left <= 0:
            raise self.error()
        return left


def _read_body(response: http.client.HTTPResponse, sock: socket.socket, deadline: _Deadline,
               shown: str, max_bytes: int) -> bytes:
    expected = response.getheader("Content-Length")
    chunks, total = [], 0
    while True:
        sock.settimeout(deadline.remaining())
        chunk = response.read1(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{shown}: the response is larger than {max_bytes:,} bytes")
        chunks.append(chunk)
    if expected is not None and expected.strip().isdigit() and total != int(expected):
        raise FetchError(f"{shown}: incomplete response: {total:,} of {int(expected):,} bytes (Content-Length)")
    return b"".join(chunks)


def _error_text(response: http.client.HTTPResponse, sock: socket.socket, deadline: _Deadline) -> bytes:
    """The start of an error answer's body (FRED says why in it), or nothing if it does not come."""
    sock.settimeout(deadline.remaining())
    with contextlib.suppress(OSError, http.client.HTTPException):
        return response.read1(ERROR_TEXT_BYTES)
    return b""


def _server_text(body: bytes) -> str:
    """What a server said in an error answer, for a message: FRED's error_message, else the text, cut."""
    text = body.decode("utf-8", "replace")
    with contextlib.suppress(ValueError, RecursionError):
        data = json.loads(text)
        if isinstance(data, dict) and "error_message" in data:
            text = str(data["error_message"])
    text = one_line(text).strip()
    return text if len(text) <= 200 else text[:200] + "…"


class _Request:
    """One GET. `run` does it (in a worker thread, see _bounded); `abort` shuts its socket, so a
    worker still connecting or reading fails at once."""

    def __init__(self, url: str, shown: str, deadline: _Deadline, max_bytes: int):
        self.url, self.shown, self.deadline, self.max_bytes = url, shown, deadline, max_bytes
        self.conn: http.client.HTTPConnection | None = None
        self.sock: socket.socket | None = None

    def run(self) -> tuple[int, str | None, bytes]:
        """(status, the Location or reason, the body: whole for 200, its start for an error)."""
        parts = urlsplit(self.url)
        self.conn = conn = _connection(self.url, self.deadline.remaining())
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.connect()
            self.sock = sock = conn.sock  # kept: with "Connection: close" the response takes it over from conn
            conn.request("GET", target, headers={"User-Agent": "broadsheet-fetch/0.2", "Accept-Encoding": "identity"})
            sock.settimeout(self.deadline.remaining())
            response = conn.getresponse()
            if response.status in REDIRECTS:
                return response.status, response.getheader("Location"), b""
            if response.status != 200:
                return response.status, response.reason, _error_text(response, sock, self.deadline)
            return 200, None, _read_body(response, sock, self.deadline, self.shown, self.max_bytes)
        finally:
            conn.close()

    def abort(self) -> None:
        # the socket itself (a TLS socket's too): its blocked read returns at once
        for sock in (self.sock, getattr(self.conn, "sock", None)):
            if sock is not None:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _bounded(request: _Request) -> tuple[int, str | None, bytes]:
    """request.run() in a worker thread, waited for no longer than the deadline.

    A socket timeout bounds one read, not a server that sends a byte just often enough (headers
    dripped a byte a second outlasted `--timeout 3` by minutes), nor name resolution; waiting for
    the worker bounds them all. A worker still running is aborted and left to end (a daemon).
    """
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append(request.run())
        except BaseException as exc:  # handed to the caller's thread, raised there
            outcome.append(exc)

    worker = threading.Thread(target=work, name="broadsheet-fetch", daemon=True)
    worker.start()
    late = True  # until the worker is seen done in time (a Ctrl-C while waiting aborts it too)
    try:
        worker.join(request.deadline.left())
        late = worker.is_alive()
    finally:
        if late:
            request.abort()  # its read fails at once; what it raises then is not the reason
    if late or not outcome:
        raise request.deadline.error()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _attempt(request: _Request) -> tuple[int, str | None, bytes]:
    """One bounded request; every failure a FetchError naming the shown (redacted) address."""
    shown, timeout = request.shown, request.deadline.timeout
    try:
        return _bounded(request)
    except FetchError:
        raise
    except (http.client.IncompleteRead, http.client.HTTPException) as exc:
        raise FetchError(f"{shown}: incomplete response ({type(exc).__name__})") from exc
    except TimeoutError as exc:
        raise FetchError(f"{shown}: timed out: the download took longer than {timeout:g} s") from exc
    except (ConnectionRefusedError, socket.gaierror) as exc:
        raise FetchError(f"{shown}: could not connect ({exc})") from exc
    except (OSError, ValueError) as exc:  # ValueError: an address http.client or IDNA cannot use
        raise FetchError(f"{shown}: download failed ({type(exc).__name__}: {exc})") from exc


def http_get(url: str, timeout: float, max_bytes: int = MAX_BYTES, show: str | None = None) -> bytes:
    """GET `url`: the whole body, checked, within `timeout` seconds in all (connection, headers and
    body); else a FetchError. `show` is the address to print in messages (redacted in any case)."""
    shown = redact(show or url)
    deadline = _Deadline(shown, timeout)
    origin = urlsplit(url)[:2]
    for _ in range(MAX_REDIRECTS + 1):
        status, extra, body = _attempt(_Request(url, shown, deadline, max_bytes))
        if status == 200:
            return body
        if extra is None or status not in REDIRECTS:
            said = f": {_server_text(body)}" if body.strip() else ""
            raise FetchError(f"{shown}: the server answered HTTP {status} {extra or ''}".rstrip() + said)
        target = urljoin(url, extra)
        if urlsplit(target)[:2] != origin:
            raise FetchError(f"{shown}: redirected to {urlsplit(target).scheme}://{urlsplit(target).netloc}, "
                             "another host or scheme: refused")
        url = target
    raise FetchError(f"{shown}: more than {MAX_REDIRECTS} redirects")
