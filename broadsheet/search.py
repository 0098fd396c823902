"""Full-text search: Pagefind indexes the written site (it segments Chinese) before it is swapped in."""

from __future__ import annotations

import contextlib
import ctypes
import json
import signal
import subprocess
import sys
from pathlib import Path

from .errors import BroadsheetError

# The index, the search UI's script and style are written here inside the site (no CDN).
BUNDLE_DIR = "pagefind"
# Only pages named index.html carry data-pagefind-body (the issue pages); the email editions
# (email.html, with their inlined CSS) are half the HTML and none of the index. Reading only
# index.html files gives the same index, byte for byte, in half the time and with a quarter
# less memory (docs/benchmarks.md); tests/test_search_index.py checks the premise.
INDEXED_GLOB = "**/index.html"


def pagefind_executable() -> Path:
    """Return the Pagefind binary shipped by the `pagefind[extended]` package."""
    try:
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


def index_site(site_dir: Path, output: Path | None = None) -> None:
    """Index every page marked `data-pagefind-body` in site_dir into site_dir/pagefind/ (or `output`)."""
    bundle = output if output is not None else site_dir / BUNDLE_DIR
    indexer = start_indexer(site_dir, bundle, capture=True)
    out, err = indexer.communicate()
    finish_index(indexer.returncode, err or out, bundle)


def start_indexer(site_dir: Path, bundle: Path, capture: bool = True) -> subprocess.Popen:
    """Start Pagefind on site_dir, writing its bundle to `bundle`; finish with finish_index()."""
    exe = pagefind_executable()
    # Pagefind splits the index per <html lang>, so each edition's search sees its own pages.
    cmd = [str(exe), "--site", str(site_dir), "--output-path", str(bundle), "--glob", INDEXED_GLOB, "--silent"]
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
