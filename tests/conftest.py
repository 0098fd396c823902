"""Shared fixtures: a small sample site written inline, and builds of it or of the real project."""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import broadsheet.build.pipeline as pipeline  # noqa: E402

# --- the unit mark ---------------------------------------------------------------------------------
# `python3 build.py test --unit` (pytest -m unit) runs only the tests marked `unit`: those that build
# no site, the quick loop while changing a function (about 10 s in all). A test that builds,
# assembles or checks a site (build(), assemble_site(), `build`, `check` or `serve` on a project, or
# a fixture that does, such as make_site's fresh_cache) is an integration test and stays unmarked;
# so does a test that waits out a timeout or a deadline (seconds of nothing). Every site goes through
# pipeline.build or pipeline.assemble_site, which are counted here, before any module imports them
# by name: a unit-marked test that makes a site fails (pytest_runtest_call below), so the mark stays true.
SITES_MADE = [0]  # site builds and assemblies in this process so far


def _counted(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def counted(*args: Any, **kwargs: Any) -> Any:
        SITES_MADE[0] += 1
        return function(*args, **kwargs)

    return counted


for _name in ("build", "assemble_site"):
    setattr(pipeline, _name, _counted(getattr(pipeline, _name)))

from broadsheet.build.pipeline import build  # noqa: E402
from broadsheet.build.searchjob import stop_jobs  # noqa: E402
from broadsheet.charts.fonts import CJK_FONT_FILES, SYSTEM_FONT_DIRS_ENV, system_font_dirs  # noqa: E402
from broadsheet.commands.cli import main  # noqa: E402
from broadsheet.core.cache import DiskCache  # noqa: E402
from broadsheet.core.config import load_config  # noqa: E402
from broadsheet.core.context import BuildContext  # noqa: E402
from broadsheet.core.typography import FULL_WIDTH  # noqa: E402
from browser import chromium, serve_site  # noqa: E402  (tests/browser.py)

SAMPLE = Path(__file__).resolve().parent / "sample_site"
# Command-line builds in the suite wait for their search index; tests/test_search_job.py tests the
# background indexer through the pipeline API (BuildContext.search_in_background).
os.environ.setdefault("BROADSHEET_WAIT_SEARCH", "1")


# The upper bound of a wait that normally ends in milliseconds (a process exit, a line on a pipe, a
# socket's answer, a folder removed): only a test that hangs meets it. Tests wait on the event
# itself, never for a while in the hope it has happened, so a loaded machine makes them slower,
# not flaky.
SAFETY_NET_SECONDS = 300.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Return as soon as condition() holds (checked every 20 ms); fail after SAFETY_NET_SECONDS.

    For what a test cannot be told about: a folder a detached process removes."""
    deadline = time.monotonic() + SAFETY_NET_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {SAFETY_NET_SECONDS:.0f} s: {what}"
        time.sleep(0.02)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true",
                     help="also run the tests marked slow (browsers, conformance, killed builds); CI=true does too")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The default run leaves out the slow tests; `--slow` or CI=true (as .ci/run has) runs them all,
    in one xdist group: browsers, killed builds and conformance tools run one at a time."""
    if config.getoption("--slow") or os.environ.get("CI", "").lower() == "true":
        for item in items:
            if item.get_closest_marker("slow"):
                item.add_marker(pytest.mark.xdist_group("slow"))
    else:
        slow = [item for item in items if item.get_closest_marker("slow")]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if not item.get_closest_marker("slow")]
    longest_first(config, items)


def longest_first(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files that took longest in the last run first (the workers hand their order to the scheduler).

    With a file as the unit of work, a long file begun last keeps one worker busy while the others
    have finished: longest first, each worker then takes the next file as it is done, and the run
    ends with short ones. A file not timed yet goes first, in case it is long.
    """
    seconds = _last_seconds(config)
    if seconds:
        unknown = max(seconds.values()) + 1.0
        items.sort(key=lambda item: -seconds.get(_scope_of(item), unknown))  # stable: a file's order is kept


_SITES_BEFORE = pytest.StashKey[int]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    """Note how many sites were made before the test's fixtures (the unit guard)."""
    item.stash[_SITES_BEFORE] = SITES_MADE[0]
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """Fail a test marked unit that made a site, in its fixtures or itself: it is an integration test."""
    result = yield
    made = SITES_MADE[0] - item.stash.get(_SITES_BEFORE, SITES_MADE[0])
    if made and item.get_closest_marker("unit"):
        raise AssertionError(f"marked unit, but it (or a fixture of its) called build() or assemble_site() "
                             f"{made} time(s): take the unit mark off, or test the function without a site")
    return result


# --- scheduling: a file per worker at a time, longest first, a worker more than the cores ----------
SECONDS_KEY = "broadsheet/seconds-per-file"  # in pytest's cache (.pytest_cache/): the last run's times
_SECONDS: dict[str, float] = {}  # this run's, summed in the process that reports (xdist's controller)


def _scope(nodeid: str) -> str:
    """The unit of work a test id belongs to: its xdist group (`…@slow`), else its file."""
    return nodeid.rsplit("@", 1)[1] if "@" in nodeid else nodeid.split("::", 1)[0]


def _scope_of(item: pytest.Item) -> str:
    group = item.get_closest_marker("xdist_group")
    return group.args[0] if group is not None else _scope(item.nodeid)


def _last_seconds(config: pytest.Config) -> dict[str, float]:
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    return cache.get(SECONDS_KEY, {}) if cache is not None else {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Sum each file's time (setup, call and teardown) for the next run's order."""
    _SECONDS[_scope(report.nodeid)] = _SECONDS.get(_scope(report.nodeid), 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep this run's times per file (the controller's, or a run without workers), beside the
    last run's for the files it did not run."""
    cache = getattr(session.config, "cache", None)
    if _SECONDS and cache is not None and not hasattr(session.config, "workerinput"):
        cache.set(SECONDS_KEY, {**_last_seconds(session.config), **_SECONDS})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (addopts): a worker more than the cores (at most 4: --maxprocesses). Many tests wait
    without using their core (a lock's grace period, a timeout they test, a server's deadline,
    Pagefind in another process): the extra worker runs meanwhile. The unit tests wait for
    nothing (`--unit`): a worker per core, as each worker's start costs collecting every file."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if config.getoption("markexpr") == "unit" else cores + 1


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `--dist loadgroup` (addopts): a test file is a unit of work, so that its module-scoped
    fixtures (a built project, a server) are made once, on one worker; a group (`slow`) is one too.
    The files come in the workers' order, longest first (pytest_collection_modifyitems_longest_first)
    once a run has timed them, instead of xdist's (most tests first)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    if _last_seconds(config):
        config.option.loadscopereorder = False

    class FileScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return nodeid.split("::", 1)[0] if scope == nodeid else scope

    return FileScheduling(config, log)


def pytest_report_header(config: pytest.Config) -> str:
    run_all = config.getoption("--slow") or os.environ.get("CI", "").lower() == "true"
    return "slow tests: " + ("included" if run_all else "left out (run with --slow; CI runs them)")

ZH_PAGE = """\
---
title: 範例週報
date: 2025-04-13
summary: 一期用來測試的週報。
tags: [美股, 基差交易]
slug: sample
---
## 美股回顧

標普500 下跌{{ week_pct("SP500", "2025-04-04", move="down") }},收在 {{ level("SP500", "2025-04-04") }}。
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write {relative path: text or bytes} under root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")


# --- expensive things made once per run ----------------------------------------------------------
# With pytest-xdist each worker has its own session: these are made by the first worker that needs
# them, in a folder every worker of the run shares, while the others wait for it (a file lock).
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder, shared by all xdist workers (each has its own subfolder in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def make_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name`, filled by make(folder) once per test run, however many workers ask for it."""
    shared = shared_folder(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.done"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


class _CopyingCache:
    """A cache that reads and writes through `inner` and keeps a copy of every entry it sees."""

    def __init__(self, inner: DiskCache, copy: DiskCache):
        self.inner, self.copy = inner, copy

    def get(self, namespace: str, key: str, suffix: str) -> bytes | None:
        data = self.inner.get(namespace, key, suffix)
        if data is not None:
            self.copy.put(namespace, key, suffix, data)
        return data

    def has(self, namespace: str, key: str, suffix: str) -> bool:
        return self.inner.has(namespace, key, suffix)

    def put(self, namespace: str, key: str, suffix: str, data: bytes) -> None:
        self.inner.put(namespace, key, suffix, data)
        self.copy.put(namespace, key, suffix, data)


# What a fresh project's .cache/ may start with: memos the engine keys by content alone (the text
# parsed, the library's version and the day), not by the project, its path or its outputs.
PROJECT_FREE_MEMOS = ("yaml-data.pickle", "yaml.pickle", "calendars.pickle")


@pytest.fixture(scope="session")
def fresh_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `.cache/` for the projects tests make (make_site, seed_cache): what a project that has
    built once has, and that does not depend on the project.

    - the vega bundle that pages with charts ship: ~3 s of CPU to make, from vl-convert's version
      alone; taken from the project's own .cache/ (or made and stored there, as the real
      project's build would);
    - PROJECT_FREE_MEMOS, from one build of the sample site: catalog.yaml (the same in almost
      every test project) is then parsed once per run instead of once per build.

    No drawing, page or manifest: charts are drawn, pages assembled and sites written as before.
    """
    from broadsheet.charts.vega import vega_bundle

    def make(folder: Path) -> None:
        vega_bundle(_CopyingCache(DiskCache(ROOT / ".cache"), DiskCache(folder)))
        sample = build_into(sample_project(tmp_path_factory.mktemp("fresh-cache") / "sample", None)).parent
        for name in PROJECT_FREE_MEMOS:
            if (sample / ".cache" / name).is_file():
                shutil.copy(sample / ".cache" / name, folder / name)

    return make_once(tmp_path_factory, "fresh-cache", make)


def seed_cache(root: Path, fresh_cache: Path) -> None:
    """Give a project the `.cache/` of fresh_cache (copied: a test may change or remove it)."""
    shutil.copytree(fresh_cache, root / ".cache", dirs_exist_ok=True)


def copy_cache(source: Path, root: Path) -> None:
    """Give `root` the content-addressed entries of another project's `.cache/` (drawn charts,
    chart sets, pages), as a CI run that restores .cache/ has them; not its per-folder manifests.

    Hard links where possible: the cache never writes into a stored file (it writes a new one and
    renames it over the old), so the source is never changed through them.
    """

    def link(src: str, dst: str) -> Any:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        return dst

    shutil.copytree(source / ".cache", root / ".cache", copy_function=link, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("builds", ".tmp-*"))


def copy_real_project(root: Path) -> Path:
    """A copy of the real project's sources (no site/, no .cache/) at `root`."""
    for name in ("templates", "static", "translations", "data", "content"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    return root


@pytest.fixture
def no_cjk_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine without a system CJK font, even where one is installed (CI installs
    fonts-noto-cjk): broadsheet's font search (charts/fonts.py) sees only the folder returned, empty,
    as the system's fonts. Set in the environment, so builds in other processes see it too; a font
    put into the folder is as if installed."""
    folder = tmp_path / "system-fonts"
    folder.mkdir()
    monkeypatch.setenv(SYSTEM_FONT_DIRS_ENV, str(folder))
    return folder


def system_cjk_font() -> Path | None:
    """A CJK font file of this machine's (fonts-noto-cjk), as the chart renderer finds them."""
    return next((font for folder in system_font_dirs() if folder.is_dir()
                 for pattern in CJK_FONT_FILES for font in sorted(folder.rglob(pattern))), None)


def project_slot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder for a test's project, at the same path in every test of this process.

    The build keeps the templates it compiled in memory for the process, keyed by each template's
    path and text (outputs/render.py, as for `serve`'s rebuilds), so a project at the path of the
    last test's builds with them instead of compiling them again: half of a small build's time.
    Every file of the last test's project is removed first, so nothing else carries over (what a
    failing test left stays until the next test of its process: run it alone to look at it).
    """
    slot = tmp_path_factory.getbasetemp() / "project-slot"
    if slot.exists():
        # a search job the last test left running would write into this test's project
        stop_jobs((slot / "project" / "site").resolve())
        shutil.rmtree(slot, onerror=_writable_and_again)
    slot.mkdir()
    return slot


def _writable_and_again(function: Callable[..., Any], path: str, exc_info: Any) -> None:
    """rmtree's error handler: a test may leave a folder without write or search permission; a
    replaced site may be going already (the build removes it in a detached process)."""
    if isinstance(exc_info[1], FileNotFoundError):
        return
    os.chmod(os.path.dirname(path), 0o700)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o700)
    function(path)


@pytest.fixture
def make_site(tmp_path_factory: pytest.TempPathFactory, fresh_cache: Path) -> Callable[..., Path]:
    """Copy the sample site (templates, data, config from the project) and add or replace files.

    Its `.cache/` starts as fresh_cache's: charts are drawn, pages assembled, sites written. It is
    made in project_slot(): the same path in every test of a process, emptied first.
    """

    def make(files: dict[str, str | bytes] | None = None, with_sample_issue: bool = True) -> Path:
        root = sample_project(project_slot(tmp_path_factory) / "project", fresh_cache, with_sample_issue)
        write_files(root, files or {})
        return root

    return make


def sample_project(root: Path, fresh_cache: Path | None, with_sample_issue: bool = True) -> Path:
    """The sample site at `root` (templates, data, config from the project), .cache/ as fresh_cache's."""
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    if with_sample_issue:
        shutil.copytree(SAMPLE / "content", root / "content")
    if fresh_cache is not None:
        seed_cache(root, fresh_cache)
    return root


def halfwidth(text: str) -> str:
    """Text of a page with typography.py's full-width marks set back half-width: tests compare it
    with the source as the editor typed it."""
    return text.translate(str.maketrans({full: half for half, full in FULL_WIDTH.items()}))


def run_cli(root: Path, *args: str) -> int:
    """Run the command line in-process against a project root."""
    return main(["--root", str(root), *args])


def build_into(root: Path, out: Path | None = None, **options) -> Path:
    """Build a project with the pipeline API; return the output folder.

    Without a search index unless `search=True` (Pagefind is a second per build, and only the
    search tests read its files).
    """
    options.setdefault("search", False)
    out = out or root / "site"
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out, **options)
    build(ctx)
    return out


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built once per test run (shared by the xdist workers) into a temporary
    folder: read it, never change it. Its charts and pages are then in the project's .cache/."""

    def make(folder: Path) -> None:
        ctx = BuildContext(root=ROOT, config=load_config(ROOT / "site.yaml"), out_dir=folder / "site")
        build(ctx)

    return make_once(tmp_path_factory, "real", make) / "site"


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory, fresh_cache: Path) -> Path:
    """The sample site as make_site() gives it, built once per run (build_into): read it, never
    change it. Tests that change the project or build it another way make their own."""

    def make(folder: Path) -> None:
        build_into(sample_project(folder / "project", fresh_cache))

    return make_once(tmp_path_factory, "sample", make) / "project" / "site"


@pytest.fixture(scope="session")
def real_cache(real_site: Path) -> Path:
    """The project root whose `.cache/` holds everything the real project's build made (for copy_cache)."""
    return ROOT


# --- the real site in a browser (the *_browser.py files; each module gets its own) ----------------
@pytest.fixture(scope="module")
def server(real_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real site served on 127.0.0.1: its address, ending in the base path."""
    with serve_site(real_site, tmp_path_factory.mktemp("served")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A headless Debian chromium (the test skips, saying why, where there is none)."""
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


# --- the project's data and its figure functions (unit tests of the numbers; each module reads it once) --
@pytest.fixture(scope="module")
def store() -> Any:
    """The project's data/ as the build reads it (a DataStore)."""
    from broadsheet.data.store import load_data  # pandas: only the tests that ask for the data pay for it

    return load_data(ROOT / "data")


@pytest.fixture
def zh(store: Any) -> Any:
    """The figure functions as the Chinese edition prints them."""
    from broadsheet.core.i18n import NumberFormatter
    from broadsheet.figures.functions import FigureFunctions

    return FigureFunctions(store, NumberFormatter("zh_Hant_TW"))


@pytest.fixture
def en(store: Any) -> Any:
    """The figure functions as the English edition prints them."""
    from broadsheet.core.i18n import NumberFormatter
    from broadsheet.figures.functions import FigureFunctions

    return FigureFunctions(store, NumberFormatter("en_US"))
