"""Shared fixtures: a small sample site written inline, and builds of it or of the real project."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broadsheet.cli import main  # noqa: E402
from broadsheet.config import load_config  # noqa: E402
from broadsheet.context import BuildContext  # noqa: E402
from broadsheet.pipeline import build  # noqa: E402

SAMPLE = Path(__file__).resolve().parent / "sample_site"
# Command-line builds in the suite wait for their search index; tests/test_search_job.py tests the
# background indexer through the pipeline API (BuildContext.search_in_background).
os.environ.setdefault("BROADSHEET_WAIT_SEARCH", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true",
                     help="also run the tests marked slow (browsers, conformance, killed builds); CI=true does too")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The default run leaves out the slow tests; `--slow` or CI=true (as .ci/run has) runs them all."""
    if config.getoption("--slow") or os.environ.get("CI", "").lower() == "true":
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


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


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Copy the sample site (templates, data, config from the project) and add or replace files."""

    def make(files: dict[str, str | bytes] | None = None, with_sample_issue: bool = True) -> Path:
        root = tmp_path / "project"
        for name in ("templates", "static", "translations", "data"):
            shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "site.yaml", root / "site.yaml")
        if with_sample_issue:
            shutil.copytree(SAMPLE / "content", root / "content")
        write_files(root, files or {})
        return root

    return make


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
    """The real project built once per test session into a temporary folder."""
    out = tmp_path_factory.mktemp("real") / "site"
    ctx = BuildContext(root=ROOT, config=load_config(ROOT / "site.yaml"), out_dir=out)
    build(ctx)
    return out
