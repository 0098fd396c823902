"""The code base stays ruff-clean (the lint rules are in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it is a test extra in pyproject.toml)")
    result = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_job_per_module_and_functions_a_reader_can_hold() -> None:
    """No module of broadsheet/ is over 500 lines, and no file there is exempt from the McCabe limit."""
    import tomllib

    long = {p.relative_to(ROOT).as_posix(): n for p in (ROOT / "broadsheet").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert lint["mccabe"]["max-complexity"] <= 12 and "C90" in lint["select"]
    assert not [path for path in lint.get("per-file-ignores", {}) if path.startswith("broadsheet")]
