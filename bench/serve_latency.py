"""How long a save takes to reach the page in `serve`, on the real site.

    python bench/serve_latency.py [--runs 6]

Copies the project (content, data, templates, static, translations, site.yaml, fonts/) into a
temporary folder, starts `serve`'s Preview there (the command's own object, on a free port),
waits for its first build and one save that is not counted (the first after the start also
loads what an edit needs and meets the first build's search job), then `--runs` times appends a
paragraph with a new word to the first issue's zh-Hant.md and polls the served issue page over
HTTP until the word is in it (asked only once the served file changed: the polling runs in
the same process as the rebuild, and a request every few milliseconds took the GIL from it).
Reports the median and each time from the save to the page (watchfiles' 200 ms debounce
included: it is part of what an editor waits for), and the CPU time of this process (the
rebuild runs in its builder thread) over the same span.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from broadsheet.commands.serve import Preview  # noqa: E402

PARTS = ("content", "data", "templates", "static", "translations", "fonts", "site.yaml")
POLL = 0.005  # seconds between two looks at the served file
TIMEOUT = 30.0


def copy_project(dest: Path) -> Path:
    """The project's sources (no .cache/, no site/) in `dest`."""
    for part in PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        elif source.is_file():
            shutil.copy(source, dest / part)
    return dest


def page_text(url: str) -> str:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (localhost)
        return response.read().decode("utf-8", "replace")
    return ""


def modified(path: Path) -> int:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime_ns
    return 0


def one_save(page: Path, url: str, word: str, served: Path) -> tuple[float, float]:
    """Append a paragraph holding `word`; return (wall, CPU) seconds until the served page shows it
    (`served`: the page's file in the preview folder)."""
    before = modified(served)
    started, cpu = time.perf_counter(), time.process_time()
    with page.open("a", encoding="utf-8") as fp:
        fp.write(f"\n\n新的一段:{word}。\n")
    while modified(served) == before or word not in page_text(url):
        if time.perf_counter() - started > TIMEOUT:
            raise SystemExit(f"the page did not show {word!r} within {TIMEOUT:.0f} s")
        time.sleep(POLL)
    return time.perf_counter() - started, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    """Command line: measure, print a Markdown line for docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args(argv)
    # a search job or the remover of a replaced preview may still write there as the folder goes
    with tempfile.TemporaryDirectory(prefix="broadsheet-serve-", ignore_cleanup_errors=True) as tmp:
        root = copy_project(Path(tmp) / "project")
        issue = sorted((root / "content" / "issues").iterdir())[0]
        preview = Preview(root, Path(tmp) / "preview", port=0, log=lambda line: None)
        served = Path(tmp) / "preview" / "issues" / issue.name / "index.html"
        started = time.perf_counter()
        preview.start()  # the first build: every chart drawn, nothing in the cache
        first = time.perf_counter() - started
        url = f"{preview.url}issues/{issue.name}/"
        try:
            time.sleep(1.0)  # the first build's background work (search job) settles
            warm_up = one_save(issue / "zh-Hant.md", url, f"warmup{time.time_ns() % 10**6}", served)[0]
            time.sleep(1.0)
            times = []
            for n in range(args.runs):
                times.append(one_save(issue / "zh-Hant.md", url, f"probe{n}x{time.time_ns() % 10**6}", served))
                time.sleep(0.5)
        finally:
            preview.stop()
    walls, cpus = [w for w, _ in times], [c for _, c in times]
    print(f"serve, the real site ({issue.name}): a save reaches the page in {statistics.median(walls):.2f} s "
          f"(median of {len(walls)}: {', '.join(f'{w:.2f}' for w in walls)}); CPU {statistics.median(cpus):.2f} s "
          f"a save (median); first build {first:.1f} s, first save {warm_up:.2f} s (not counted)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
