"""Lighthouse (mobile) on both issue pages, served as GitHub Pages serves them: gzip, base path.

    python3 build.py && .venv/bin/python bench/lighthouse.py [--runs 3] [--site site]

Serves site/ at http://127.0.0.1:<port>/broadsheet/ with gzip for text files and GitHub Pages'
`Cache-Control: max-age=600`, runs Lighthouse from .tools/ (scripts/install-web-tools.sh) with
Debian chromium, mobile emulation and Lighthouse's default simulated throttling, `--runs` times
per page, and prints the median score of each category (performance, accessibility, best
practices, SEO) and the median Largest Contentful Paint and Total Blocking Time. docs/readers.md
records the numbers.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / ".tools" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = ("issues/2025-04-13-tariff-shock/", "en/issues/2025-04-13-tariff-shock/")
COMPRESSED = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".xsl", ".pf_meta", ".mjs"}


class PagesHandler(SimpleHTTPRequestHandler):
    """Static files like GitHub Pages: gzip for text when asked, a 10-minute cache, quiet."""

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's "/"
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _Body:
    """A file-like object over bytes, for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, size: int = -1) -> bytes:
        out, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return out

    def close(self) -> None:
        pass


def run_lighthouse(url: str, profile: Path) -> dict[str, float]:
    """One mobile Lighthouse run: category scores (0–100) and LCP/TBT in ms."""
    flags = f"--headless=new --no-sandbox --disable-gpu --user-data-dir={profile}"
    done = subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output-path=stdout",
                           f"--chrome-path={CHROMIUM}", f"--chrome-flags={flags}",
                           "--only-categories=" + ",".join(CATEGORIES)],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    scores["LCP ms"] = round(report["audits"]["largest-contentful-paint"]["numericValue"])
    scores["TBT ms"] = round(report["audits"]["total-blocking-time"]["numericValue"])
    failing = [a["id"] for a in report["audits"].values()
               if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"]
    if failing:
        print(f"  failing audits: {', '.join(sorted(failing))}", file=sys.stderr)
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit("lighthouse is not installed: bash scripts/install-web-tools.sh")
    with tempfile.TemporaryDirectory() as top:
        (Path(top) / "broadsheet").symlink_to(args.site.resolve(), target_is_directory=True)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PagesHandler, directory=top))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/broadsheet/"
        rows = []
        try:
            for page in PAGES:
                runs = [run_lighthouse(base + page, Path(top) / f"profile-{n}") for n in range(args.runs)]
                median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                rows.append((page, median))
                print(f"{page}: " + ", ".join(f"{k} {v:g}" for k, v in median.items()), flush=True)
        finally:
            server.shutdown()
    print("\n| page | " + " | ".join(rows[0][1]) + " |")
    print("|---|" + "---:|" * len(rows[0][1]))
    for page, median in rows:
        print(f"| {page} | " + " | ".join(f"{v:g}" for v in median.values()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
