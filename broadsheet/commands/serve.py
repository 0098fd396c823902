"""`serve`: build with drafts, serve the preview on 127.0.0.1, rebuild on change, reload the page.

Three parts share one LiveState: the HTTP server (ThreadingHTTPServer, one thread per request),
the watchers (watchfiles) and the builder thread. Each change rebuilds the whole site into the
preview folder; the writer swaps the new folder in only when the build succeeded, so after a
build error the last good site stays served while the page shows the error over itself. The
reload script is added to HTML responses by this server only: it is never in a built file.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import mimetypes
import queue
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import watchfiles

from broadsheet.build.pipeline import build
from broadsheet.build.searchjob import in_background
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BroadsheetError, BuildFailed, SourceError
from broadsheet.core.failures import failure_text

WATCHED_DIRS = ("content", "templates", "data", "static", "translations")
WATCHED_FILES = ("site.yaml",)
PREFIX = "/__broadsheet/"  # the dev server's own endpoints, outside any site path
EVENTS_PATH = PREFIX + "events"
SCRIPT_PATH = PREFIX + "live.js"
KEEPALIVE_SECONDS = 10.0  # an idle event stream sends a comment this often (finds closed tabs)
MAX_PATH = 2048  # characters of a request path; longer gets 414 (a site path is far shorter)
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}

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

    def __init__(self, address: tuple[str, int], out_dir: Path, state: LiveState):
        self.out_dir = out_dir.resolve()
        self.base_path = "/"
        self.state = state
        super().__init__(address, PreviewHandler)

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


def inject_script(html: bytes) -> bytes:
    """Add the live-reload script before </body> (or at the end) of a served page."""
    tag = f'<script src="{SCRIPT_PATH}"></script>'.encode()
    index = html.lower().rfind(b"</body>")
    return html + tag if index < 0 else html[:index] + tag + html[index:]


def build_preview(root: Path, out_dir: Path, base_url: str, drafts: bool) -> tuple[list[str], str]:
    """Build the preview; return (problems as `path:line: message` lines, summary)."""
    started = time.perf_counter()
    try:
        config = load_config(root / "site.yaml").with_base_url(base_url)
        ctx = BuildContext(root=root, config=config, out_dir=out_dir, drafts=drafts, preview=True,
                           search_in_background=in_background())
        result = build(ctx)
    except BuildFailed as exc:
        return [_relative(p.format(root), root) for p in exc.problems], ""
    except SourceError as exc:
        return [_relative(exc.format(root), root)], ""
    except BroadsheetError as exc:
        return [_relative(str(exc), root)], ""
    except Exception as exc:  # a full disk, a bug: it must not stop the preview; one line, no traceback
        return [_relative(failure_text(exc, root), root)], ""
    warnings = [w.format(root).replace(": ", ": warning: ", 1) for w in ctx.problems.warnings]
    for line in warnings:
        print(line, file=sys.stderr)
    took = time.perf_counter() - started
    return [], f"built {result.pages} page(s), {result.files} file(s) in {took:.2f} s"


def _relative(line: str, root: Path) -> str:
    """A message without the project's absolute path (the overlay is shown in a browser)."""
    line = line.replace(str(root.resolve()) + "/", "").replace(str(root.resolve()), ".")
    return line.replace(str(Path.home()) + "/", "~/")


class Preview:
    """The `serve` command as an object: start(), then stop(); tests drive it the same way."""

    def __init__(self, root: Path, out_dir: Path, host: str = "127.0.0.1", port: int = 8000,
                 drafts: bool = True, log: Callable[[str], None] | None = None):
        self.root = root.resolve()
        self.out_dir = out_dir
        self.drafts = drafts
        self.state = LiveState()
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.server = PreviewServer((host, port), out_dir, self.state)
        self.stop_event = threading.Event()
        self.changes: queue.Queue[set[str]] = queue.Queue()
        self.threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """The preview's address, base path included."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.server.base_path}"

    def rebuild(self, reason: str = "") -> bool:
        """Build the whole site into the preview folder, tell the open pages; True if it built."""
        # serve under the same base path as the published site (e.g. /repo/); if site.yaml is
        # broken, the build below reports it
        with contextlib.suppress(BroadsheetError):
            self.server.base_path = load_config(self.root / "site.yaml").base_path
        host, port = self.server.server_address[:2]
        base_url = f"http://{host}:{port}{self.server.base_path}"
        problems, summary = build_preview(self.root, self.out_dir, base_url, self.drafts)
        if problems:
            for line in problems:
                self.log(line)
            self.log("build failed; still serving the last good site")
        else:
            self.log(summary + (f" ({reason})" if reason else ""))
        self.state.publish(problems)
        return not problems

    def start(self) -> None:
        """Build once, then serve, watch and rebuild in background threads."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.rebuild()
        self._spawn(self._serve)
        self._spawn(self._watch_dirs)
        self._spawn(self._watch_root)
        self._spawn(self._builder)

    def stop(self) -> None:
        """Stop watching and serving; close every open event stream."""
        self.stop_event.set()
        self.state.close()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)

    def _serve(self) -> None:
        self.server.serve_forever(poll_interval=0.1)  # stop() returns within 0.1 s

    def _spawn(self, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, daemon=True, name=f"serve-{target.__name__}")
        thread.start()
        self.threads.append(thread)

    def _watch_dirs(self) -> None:
        dirs = [self.root / d for d in WATCHED_DIRS if (self.root / d).is_dir()]
        for changes in watchfiles.watch(*dirs, stop_event=self.stop_event, debounce=200,
                                        step=50, watch_filter=watchfiles.DefaultFilter()):
            self.changes.put({path for _, path in changes})

    def _watch_root(self) -> None:
        # site.yaml is watched through its folder: editors often save by renaming a new file over
        # the old one, which a watch on the file itself would lose.
        def wanted(_: watchfiles.Change, path: str) -> bool:
            return Path(path).name in WATCHED_FILES

        for changes in watchfiles.watch(self.root, stop_event=self.stop_event, debounce=200,
                                        step=50, recursive=False, watch_filter=wanted):
            self.changes.put({path for _, path in changes})

    def _builder(self) -> None:
        while not self.stop_event.is_set():
            try:
                changed = self.changes.get(timeout=0.2)
            except queue.Empty:
                continue
            while not self.changes.empty():  # several saves at once: one rebuild
                changed |= self.changes.get_nowait()
            names = sorted(str(Path(p).relative_to(self.root)) for p in changed
                           if Path(p).is_relative_to(self.root))
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            self.rebuild(f"changed: {shown}")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(root: Path, out_dir: Path, host: str = "127.0.0.1", port: int = 8000,
          drafts: bool = True) -> int:
    """Run the preview until Ctrl-C; return the exit status."""
    try:
        preview = Preview(root, out_dir, host=host, port=port, drafts=drafts)
    except (OSError, OverflowError) as exc:  # in use, not an address here, port out of range
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"serve: cannot listen on {host}:{port} ({reason}); try another --port",
              file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    preview.start()
    print(f"serving {preview.url} (drafts {'included' if drafts else 'left out'}); "
          "Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nstopping", file=sys.stderr)
    finally:
        preview.stop()
    return 0
