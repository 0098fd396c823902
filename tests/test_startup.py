"""What a small build pays before it works: a build with nothing changed imports no library it
does not use (issue 27), and the fingerprint's library versions, read without importlib.metadata,
are the ones importlib.metadata gives."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import broadsheet.build.state as state
from broadsheet.build.incremental import LIBRARIES, library_versions
from broadsheet.build.pipeline import build
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.versions import installed_version
from broadsheet.data.store import DataStore, load_data
from broadsheet.figures.expressions import parse_figure_call
from conftest import ROOT, build_into

# imported by a build that has work to do, never by one with nothing to do
NOT_FOR_NOTHING = ("jinja2", "markdown", "importlib.metadata", "venv", "multiprocessing", "pandas", "altair",
                   "vl_convert", "svg2png_py")


def installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


@pytest.mark.unit
def test_the_library_versions_are_importlib_metadatas() -> None:
    assert library_versions() == {name: installed(name) for name in LIBRARIES}
    assert library_versions()["svg2png-py"]  # the PNG twins' rasteriser is part of the fingerprint
    assert installed_version("exchange_calendars") == installed("exchange_calendars")  # any spelling
    assert installed_version("no-such-library") == ""


@pytest.mark.unit
def test_a_figure_expression_of_another_shape_is_still_read_by_jinja() -> None:
    assert parse_figure_call('level("SP500")|round') == "filters ('|') are not allowed in figure expressions"
    assert parse_figure_call("level('SP500',)").name == "level"  # Jinja's reading: a trailing comma


def test_a_build_with_nothing_changed_imports_only_what_it_uses(make_site) -> None:
    root = make_site()
    build_into(root)  # the first build: everything is computed
    script = ("import sys; import broadsheet.commands.bootstrap; from broadsheet.commands.cli import main; "
              "code = main(['--root', sys.argv[1], 'build']); "
              f"print(sorted(m for m in {NOT_FOR_NOTHING!r} if m in sys.modules)); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    said, loaded = done.stdout.strip().splitlines()
    assert "is up to date" in said
    assert loaded == "[]"


def test_serve_keeps_the_data_between_builds_until_it_changes(make_site, monkeypatch) -> None:
    """`serve` builds in one process at every save: the data is read and checked again only when
    a file of data/ changed (a build outside serve always reads it)."""
    root = make_site()
    loads: list[Path] = []

    def counted(data_dir: Path) -> DataStore:
        loads.append(data_dir)
        return load_data(data_dir)

    monkeypatch.setattr(state, "load_data", counted)
    monkeypatch.setattr(state, "PREVIEW_STORES", {})
    ctx = lambda: BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "preview",  # noqa: E731
                               preview=True, drafts=True, search=False)
    build(ctx())
    page = root / "content/issues/2025-04-13-sample/zh-Hant.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    assert build(ctx()).pages_rendered and len(loads) == 1  # the edit used the data it had
    markets = root / "data" / "markets.csv"
    markets.write_text(markets.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build(ctx())
    assert len(loads) == 2  # a file of data/ changed: read again
