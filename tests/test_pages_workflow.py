"""The GitHub Pages workflow builds for the address Pages reports and publishes site/ as built."""

from __future__ import annotations

import os
import sys

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, build_into, run_cli


@pytest.mark.unit
def test_workflow_builds_with_the_pages_base_url_and_deploys_with_the_official_actions() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    # least privilege: nothing for the workflow, reading for the build, publishing only in the deploy job
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build_steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in build_steps]
    assert "actions/configure-pages" in uses and "actions/upload-pages-artifact" in uses
    configure = next(s for s in build_steps if s.get("uses", "").startswith("actions/configure-pages"))
    build_step = next(s for s in build_steps if "build.py build" in s.get("run", ""))
    assert build_step["env"]["BASE_URL"] == f'${{{{ steps.{configure["id"]}.outputs.base_url }}}}'
    assert '--base-url "$BASE_URL/"' in build_step["run"]  # through the environment, never into the script
    assert any("fonts-noto-cjk" in s.get("run", "") for s in build_steps)
    # .cache/ carried from run to run (tests/test_chart_cache.py: only new charts are drawn)
    cache = next(s for s in build_steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".cache"
    assert "hashFiles('pyproject.toml', 'requirements.lock')" in cache["with"]["key"]
    assert cache["with"]["key"].endswith("${{ github.run_id }}")
    assert cache["with"]["restore-keys"].strip() in cache["with"]["key"]
    assert uses.index("actions/cache") < next(i for i, s in enumerate(build_steps) if "build.py" in s.get("run", ""))
    upload = next(s for s in build_steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"] == {"path": "site", "include-hidden-files": True}  # keeps .nojekyll
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_cname_and_nojekyll_are_written(make_site) -> None:
    root = make_site()
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "cname: news.example.com\n",
                      encoding="utf-8")
    out = build_into(root)
    assert (out / "CNAME").read_text() == "news.example.com\n"
    assert (out / ".nojekyll").exists()


def test_build_options_without_the_command_name_build(make_site, capsys) -> None:
    """`python3 build.py --base-url URL` (as the README shows) is `build --base-url URL`."""
    root = make_site()
    assert run_cli(root, "--base-url", "https://example.github.io/weekly/") == 0
    assert capsys.readouterr().out.startswith("built ")
    soup = BeautifulSoup((root / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one('link[rel="canonical"]')["href"] == "https://example.github.io/weekly/"


@pytest.mark.unit
def test_every_command_has_help(capsys) -> None:
    for command in ("build", "serve", "new", "check", "fetch", "translated", "test"):
        with pytest.raises(SystemExit) as exit_info:
            run_cli(ROOT, command, "--help")
        assert exit_info.value.code == 0
        assert f"usage: build.py {command}" in capsys.readouterr().out


def _check_step() -> tuple[int, dict]:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    n = next(i for i, s in enumerate(steps) if "build.py check" in s.get("run", ""))
    return n, steps


@pytest.mark.unit
def test_check_gates_the_build_before_anything_is_published() -> None:
    n, steps = _check_step()
    build = next(i for i, s in enumerate(steps) if "build.py build" in s.get("run", ""))
    upload = next(i for i, s in enumerate(steps) if "upload-pages-artifact" in s.get("uses", ""))
    assert n < build < upload
    assert "continue-on-error" not in steps[n] and "if" not in steps[build]  # a failure stops the job


@pytest.mark.unit
@pytest.mark.parametrize("exit_code", [0, 1])
def test_a_failing_check_writes_its_messages_to_the_job_summary(tmp_path, exit_code: int) -> None:
    """The step's script runs with a stand-in `python3` whose check prints one problem."""
    import subprocess

    n, steps = _check_step()
    shim = tmp_path / "bin" / "python3"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\necho 'content/x/zh-Hant.md:3: title must be text'\nexit {exit_code}\n")
    shim.chmod(0o755)
    summary = tmp_path / "summary.md"
    summary.write_text("")
    done = subprocess.run(["bash", "-e", "-c", steps[n]["run"]], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": f"{shim.parent}:/usr/bin:/bin", "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == exit_code
    assert "zh-Hant.md:3: title must be text" in done.stdout
    if exit_code:
        assert "check` failed" in summary.read_text() and "zh-Hant.md:3" in summary.read_text()
    else:
        assert summary.read_text() == ""


@pytest.mark.unit
@pytest.mark.parametrize(("argv", "expected"), [
    (["test", "--slow"], ["--slow"]),
    (["test", "-k", "feeds", "-n", "0"], ["-k", "feeds", "-n", "0"]),
    (["test", "--", "--slow"], ["--slow"]),
    (["--root", "/somewhere", "test", "-x"], ["-x"]),
    (["test"], []),
    (["test", "--unit"], ["-m", "unit"]),
    (["test", "-x", "--unit", "-n", "0"], ["-m", "unit", "-x", "-n", "0"]),
])
def test_everything_after_test_goes_to_pytest(monkeypatch, argv: list[str], expected: list[str]) -> None:
    """`python3 build.py test --slow` (as the README says) runs pytest with `--slow`; os.execv is
    stood in for, so no second pytest starts inside this one."""
    from broadsheet.commands import cli

    ran: list[list[str]] = []
    bytecode: list[str | None] = []

    def fake_execv(path: str, args: list[str]) -> None:
        ran.append(args)
        bytecode.append(os.environ.get("PYTHONDONTWRITEBYTECODE"))
        raise SystemExit(0)

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # as this project's machines have it
    monkeypatch.setattr(cli.os, "execv", fake_execv)
    monkeypatch.setattr(cli.os, "chdir", lambda path: None)
    with pytest.raises(SystemExit):
        cli._main(argv, ROOT)
    assert ran == [[sys.executable, "-m", "pytest", *expected]]
    assert bytecode == [None]  # pytest runs with Python's default: bytecode written and read again
