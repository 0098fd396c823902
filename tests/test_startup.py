"""What a small build pays before it works: a build with nothing changed imports no library it
does not use (issue 27), and the fingerprint's library versions, read without importlib.metadata,
are the ones importlib.metadata gives."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version

import pytest

from broadsheet.build.incremental import LIBRARIES, library_versions
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
