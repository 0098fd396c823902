"""The preview's HTTP server: the files of the preview folder, the live-reload script, the event stream.

A ThreadingHTTPServer (one thread per request) that serves only what is inside the preview
folder, answers only to its own address (no DNS rebinding), and adds the reload script to the
HTML it sends: the script is never in a built file. A client has HEADER_SECONDS to send its
request line and headers (one that sends nothing, or drips them, is dropped), and at most
MAX_CONNECTIONS are served at once (the next gets 503 at once, without a thread). Each open
page listens on a Server-Sent Events stream; `LiveState.publish` (called by serve.py after each
build) makes it reload, or show the build's errors over the last good page.
"""

from __future__ import annotations

import contextlib
import errno
import io
import ipaddress
import json
import mimetypes
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from broadsheet.core.failures import failure_text

PREFIX = "/__broadsheet/"  # the dev server's own endpoints, outside any site path
EVENTS_PATH = PREFIX + "events"
SCRIPT_PATH = PREFIX + "live.js"
KEEPALIVE_SECONDS = 10.0  # an idle event stream sends a comment this often (finds closed tabs)
MAX_PATH = 2048  # characters of a request path; longer gets 414 (a site path is far shorter)
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}
HEADER_SECONDS = 5.0  # for a request line and its headers, from the connection on (a browser takes milliseconds)
WRITE_SECONDS = 30.0  # a client that stops reading an answer this long is dropped
MAX_CONNECTIONS = 64  # served at once: pages, their assets, and an event stream per open tab
BUSY_BODY = b"the preview is busy: too many connections at once; reload in a moment\n"
BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" % len(BUSY_BODY)) + BUSY_BODY

LIVE_JS = """\
// broadsheet serve: reload when the site is rebuilt; show build errors over the page.
(() => {
  const source = new EventSource("EVENTS_PATH");
  let first = null;
  const show = (problems) => {
    let box = document.getElementById("broadsheet-errors");
    if (!box) {
      box = document.createElement("div");
      box.id = "broadsheet-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;" +
        "padding:2rem;background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 monospace;" +
        "white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Build failed; showing the last good version underneath.\\n\\n" +
      problems.join("\\n");
  };
  const handle = (data) => {
    const state = JSON.parse(data);
    if (first === null) {
      first = state.build;
      document.documentElement.dataset.broadsheetLive = "ready";  // tests wait for this
    }
    if (state.problems.length) { show(state.problems); return; }
    if (state.build !== first) location.reload();
  };
  source.addEventListener("state", (event) => handle(event.data));
})();
""".replace("EVENTS_PATH", EVENTS_PATH)


@dataclass
class LiveState:
    """The latest build's id and problems, and a condition that wakes the event streams."""

    build_id: str = ""
    problems: list[str] = field(default_factory=list)
    closed: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: list[str]) -> None:
        """Record a finished build (problems empty = success) and wake every open page."""
        with self.changed:
            self.build_id = uuid.uuid4().hex[:12]
            self.problems = problems
            self.changed.notify_all()

    def close(self) -> None:
        """Tell every event stream to finish (the server is stopping)."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def wait(self, seen: str | None, timeout: float) -> tuple[str, list[str], bool]:
        """Wait until a build other than `seen` is published, or `timeout` passes."""
        with self.changed:
            self.changed.wait_for(lambda: self.closed or self.build_id != seen, timeout)
            return self.build_id, list(self.problems), self.closed


class PreviewServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows the preview folder, the base path and the live state."""

    daemon_threads = True  # an open event stream must not keep the process alive
    # connections the kernel holds until they are taken (socketserver's 5 made a burst of a page's
    # assets, or of clients, wait a second for a retried connect)
    request_queue_size = MAX_CONNECTIONS

    def __init__(self, address: tuple[str, int], out_dir: Path, state: LiveState):
        self.out_dir = out_dir.resolve()
        self.base_path = "/"
        self.state = state
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)  # one per connection being served
        super().__init__(address, PreviewHandler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Serve the connection in a thread of its own, or refuse it when MAX_CONNECTIONS are served:
        1,800 connections that never sent a byte held 1,800 threads."""
        if not self.slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.setblocking(False)  # the answer fits the socket's buffer; never wait for the client
                request.sendall(BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: its slot is free again
            self.slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Serve one connection, then free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        """A request that failed in a way not handled below: one line, not a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            print(f"serve: a request failed: {failure_text(error) if error else 'unknown error'}",
                  file=sys.stderr)

    def allows_host(self, header: str | None) -> bool:
        """Whether a request's Host names this server: its address or localhost (no DNS rebinding).

        A page on another site can make the browser send requests here under its own name (DNS
        rebinding); such a request carries that name in Host and gets 421.
        """
        if header is None:
            return True  # HTTP/1.0 without Host: not a browser
        name = header.strip().lower()
        name = name[1:name.index("]")] if name.startswith("[") and "]" in name else name.rsplit(":", 1)[0]
        bound = str(self.server_address[0]).lower()
        if name in LOCAL_NAMES or name == bound:
            return True
        try:  # bound to every interface: an address literal is fine (rebinding needs a name)
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return bound in ("0.0.0.0", "::")


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves files of the preview folder only, the live-reload script and the event stream."""

    server: PreviewServer
    server_version = "broadsheet-serve"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  (stdlib signature)
        """Stay quiet: the terminal is for build output."""

    def setup(self) -> None:
        """Read the request through HeaderDeadline: all of it within HEADER_SECONDS."""
        super().setup()
        self.rfile.close()  # the socket's own reader: unused (the socket stays open)
        self.rfile = io.BufferedReader(HeaderDeadline(self.connection, HEADER_SECONDS))

    def parse_request(self) -> bool:
        """Parse the request line and headers; the answer is then written with WRITE_SECONDS."""
        parsed = super().parse_request()
        self.connection.settimeout(WRITE_SECONDS)
        return parsed

    def do_HEAD(self) -> None:  # noqa: N802  (http.server naming)
        """Answer like GET, without a body."""
        self._respond(head=True)

    def do_GET(self) -> None:  # noqa: N802
        """Serve a site file, the reload script or the event stream."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._respond(head=False)  # a browser may go away mid-response: nothing to do

    def _respond(self, head: bool) -> None:
        if not self.server.allows_host(self.headers.get("Host")):
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"this preview answers only to its own address "
                       b"(127.0.0.1 or localhost)\n", "text/plain", head)
            return
        if len(self.path) > MAX_PATH:
            self._send(HTTPStatus.REQUEST_URI_TOO_LONG, b"path too long\n", "text/plain", head)
            return
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            self._events()
        elif path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, LIVE_JS.encode(), "text/javascript; charset=utf-8", head)
        else:
            try:
                self._file(unquote(path), head)
            except OSError as exc:  # a name too long for the file system, a path through a file
                status = (HTTPStatus.REQUEST_URI_TOO_LONG if exc.errno == errno.ENAMETOOLONG
                          else HTTPStatus.NOT_FOUND)
                self._send(status, b"not found\n", "text/plain", head)

    def _file(self, path: str, head: bool) -> None:
        base = self.server.base_path
        if not path.startswith(base):
            if path in ("/", base.rstrip("/")):
                self._redirect(base)
            else:
                self._not_found(head)
            return
        rel = PurePosixPath(path[len(base):])
        if rel.is_absolute() or any(part == ".." or "\\" in part or "\0" in part
                                    for part in rel.parts):
            self._send(HTTPStatus.FORBIDDEN, b"outside the site\n", "text/plain", head)
            return
        target = (self.server.out_dir / rel).resolve()
        if not target.is_relative_to(self.server.out_dir):  # a symlink pointing out of the site
            self._send(HTTPStatus.FORBIDDEN, b"outside the site\n", "text/plain", head)
            return
        if target.is_dir():
            if not path.endswith("/"):
                self._redirect(path + "/")
                return
            target = target / "index.html"
        if not target.is_file():
            self._not_found(head)
            return
        self._send_file(HTTPStatus.OK, target, head)

    def _not_found(self, head: bool) -> None:
        page = self.server.out_dir / "404.html"
        if page.is_file():
            self._send_file(HTTPStatus.NOT_FOUND, page, head)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", head)

    def _send_file(self, status: HTTPStatus, target: Path, head: bool) -> None:
        try:
            data = target.read_bytes()
        except OSError:  # swapped away by a rebuild between the check and the read
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"rebuilding, reload\n", "text/plain", head)
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = inject_script(data)
        if kind.startswith("text/") or kind in ("application/json", "application/xml",
                                                "image/svg+xml", "application/javascript"):
            kind += "; charset=utf-8"
        self._send(status, data, kind, head)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self) -> None:
        """A Server-Sent Events stream: one `state` event per build, comments to keep it alive."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.server.state
        seen: str | None = None
        while True:
            build_id, problems, closed = state.wait(seen, KEEPALIVE_SECONDS)
            if closed:
                return
            if build_id == seen:
                message = ": keep-alive\n\n"
            else:
                seen = build_id
                payload = json.dumps({"build": build_id, "problems": problems}, ensure_ascii=False)
                message = f"event: state\ndata: {payload}\n\n"
            try:
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return  # the page was closed or reloaded


class HeaderDeadline(io.RawIOBase):
    """A connection's reads, every one of them before one deadline.

    A per-read timeout alone lets a client that sends a byte every few seconds hold its thread for
    ever; here the whole request (line and headers: a GET has no body) must arrive in time. When
    the deadline passes, the read raises TimeoutError and http.server drops the connection.
    """

    def __init__(self, connection: socket.socket, seconds: float):
        self.connection = connection
        self.deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        """A reader."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Receive what the client sent, waiting at most until the deadline."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.connection.settimeout(left)
        return self.connection.recv_into(buffer)


def inject_script(html: bytes) -> bytes:
    """Add the live-reload script before </body> (or at the end) of a served page."""
    tag = f'<script src="{SCRIPT_PATH}"></script>'.encode()
    index = html.lower().rfind(b"</body>")
    return html + tag if index < 0 else html[:index] + tag + html[index:]
