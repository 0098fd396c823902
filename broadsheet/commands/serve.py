"""`serve`: build with drafts, serve the preview on 127.0.0.1, rebuild on change, reload the page.

Three parts share one LiveState: the HTTP server (preview_server.py, one thread per request),
the watchers (watchfiles) and the builder thread. Each change rebuilds the whole site into the
preview folder; the writer swaps the new folder in only when the build succeeded, so after a
build error the last good site stays served while the page shows the error over itself.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles

from broadsheet.build.pipeline import build
from broadsheet.build.searchjob import in_background
from broadsheet.commands.preview_server import LiveState, PreviewServer
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BroadsheetError, BuildFailed, SourceError
from broadsheet.core.failures import failure_text

WATCHED_DIRS = ("content", "templates", "data", "static", "translations")
WATCHED_FILES = ("site.yaml",)


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
