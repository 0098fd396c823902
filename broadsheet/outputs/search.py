"""Full-text search: Pagefind indexes the written site (it segments Chinese) before it is swapped in.

The index is sharded by year: `pagefind/<year>/` is a whole Pagefind bundle of that year's issue
pages, made by its own Pagefind run, two years at a time. Pagefind holds every page it indexes
in memory (about 60 MB plus 0.4 MB a page), so one index of a 1,000-page site was the biggest
process of a build; a year at a time bounds it, and an edit re-indexes only its year. The search
page loads the newest year's bundle and merges the others into it (static/js/search.js).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from broadsheet.core.errors import BroadsheetError

# The index, the search UI's script and style are written here inside the site (no CDN).
BUNDLE_DIR = "pagefind"


def pagefind_executable() -> Path:
    """Return the Pagefind binary shipped by the `pagefind[extended]` package."""
    try:  # here, not at the top: a missing binary package is an error of the search step alone
        from pagefind_bin_extended import get_executable
    except ImportError as exc:
        raise BroadsheetError(
            "search: the Pagefind binary is not installed "
            "(install the project's dependencies: pip install 'pagefind[extended]')") from exc
    try:
        return get_executable()
    except FileNotFoundError as exc:
        raise BroadsheetError(f"search: the Pagefind binary is missing ({exc}); "
                              "reinstall it with pip install --force-reinstall 'pagefind[extended]'") from exc


SHARD_RE = re.compile(r"(?:^|/)issues/(\d{4})-")  # issues/<date>-<slug>/: the year of the date
SHARD_DIR_RE = re.compile(rf"^{BUNDLE_DIR}/\d{{4}}/")  # what a sharded index's files look like


def shard_of(page: str) -> str:
    """The shard of an indexed page: its issue's year ("en/issues/2025-04-13-x/index.html" → "2025")."""
    found = SHARD_RE.search(page)
    if found is None:
        raise BroadsheetError(f"search: {page} is not an issue page, so it has no year to be indexed under")
    return found.group(1)


def shards_of(pages: Iterable[str]) -> dict[str, list[str]]:
    """The indexed pages by shard, newest year first."""
    shards: dict[str, list[str]] = {}
    for page in sorted(pages):
        shards.setdefault(shard_of(page), []).append(page)
    return dict(sorted(shards.items(), reverse=True))


def shard_glob(shard: str) -> str:
    """The pages of one shard, as Pagefind's --glob (the root edition's and the others').

    Only the issue pages carry data-pagefind-body; the email editions beside them (email.html,
    with their inlined CSS) are half the HTML and none of the index, so they are not read;
    tests/test_search_index.py checks the premise.
    """
    return f"**/issues/{shard}-*/index.html"


# Pagefind runs at once: two keep both cores busy while the build waits for the index at its end
# (one run is mostly single-threaded), and two years' worth of pages is still a small process.
PARALLEL_RUNS = 2


class ShardIndexer:
    """Pagefind on each shard, PARALLEL_RUNS at a time, in threads: the build renders and writes
    meanwhile."""

    def __init__(self, site_dir: Path, bundle_root: Path, shards: Iterable[str]) -> None:
        self.site_dir, self.bundle_root, self.shards = site_dir, bundle_root, list(shards)
        self.error: BroadsheetError | None = None
        self._todo = list(self.shards)  # newest year first
        self._running: set[subprocess.Popen] = set()
        self._stopped = False
        self._lock = threading.Lock()
        runs = max(1, min(PARALLEL_RUNS, os.cpu_count() or 1, len(self.shards)))
        self._threads = [threading.Thread(target=self._run, name=f"pagefind-{n}", daemon=True) for n in range(runs)]

    def start(self) -> ShardIndexer:
        """Start indexing (returns self)."""
        for thread in self._threads:
            thread.start()
        return self

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._stopped or self.error is not None or not self._todo:
                    return
                shard = self._todo.pop(0)
                try:
                    proc = start_indexer(self.site_dir, self.bundle_root / shard, shard_glob(shard))
                except BroadsheetError as exc:
                    self.error = exc
                    return
                self._running.add(proc)
            try:
                out, err = proc.communicate()
                finish_index(proc.returncode, err or out, self.bundle_root / shard)
            except BroadsheetError as exc:
                with self._lock:
                    self.error = self.error or exc
            finally:
                with self._lock:
                    self._running.discard(proc)

    def wait(self) -> None:
        """Wait for every shard; raise with Pagefind's message if one failed."""
        for thread in self._threads:
            thread.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """Stop at once (the build failed or was interrupted)."""
        with self._lock:
            self._stopped = True
            for proc in self._running:
                if proc.poll() is None:
                    proc.kill()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()


def index_site(site_dir: Path, shards: Iterable[str], bundle_root: Path | None = None) -> None:
    """Index the pages marked `data-pagefind-body` of each shard (year) in site_dir into
    site_dir/pagefind/<year>/ (or `bundle_root`/<year>/)."""
    ShardIndexer(site_dir, bundle_root if bundle_root is not None else site_dir / BUNDLE_DIR, shards).start().wait()


def start_indexer(site_dir: Path, bundle: Path, glob: str, capture: bool = True) -> subprocess.Popen:
    """Start Pagefind on the pages of site_dir that `glob` matches, writing its bundle to `bundle`;
    finish with finish_index()."""
    exe = pagefind_executable()
    # Pagefind splits the index per <html lang>, so each edition's search sees its own pages.
    cmd = [str(exe), "--site", str(site_dir), "--output-path", str(bundle), "--glob", glob, "--silent"]
    try:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    except OSError as exc:
        raise BroadsheetError(f"search: cannot run Pagefind at {exe}: {exc}") from exc


def finish_index(returncode: int, output: str, bundle: Path) -> None:
    """Check how Pagefind ended (raise with its message) and make its bundle reproducible."""
    if returncode != 0:
        raise BroadsheetError(f"search: Pagefind failed (exit {returncode}): {(output or '').strip()}")
    _sort_languages(bundle / "pagefind-entry.json")


def _die_with_parent() -> None:
    """In the indexer's process: be killed with the build (Linux prctl PR_SET_PDEATHSIG).

    Otherwise a build killed while Pagefind runs leaves it writing into the unfinished folder
    after the next build has removed it, and the folder comes back.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _sort_languages(entry: Path) -> None:
    """Rewrite Pagefind's entry file with its languages sorted, so that builds are reproducible.

    Pagefind lists the languages in hash-map order, which changes from run to run; the search
    script looks languages up by key, so the order carries no meaning.
    """
    if not entry.exists():
        return
    data = json.loads(entry.read_text(encoding="utf-8"))
    if isinstance(data.get("languages"), dict):
        data["languages"] = dict(sorted(data["languages"].items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
