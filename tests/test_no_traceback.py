"""A hostile environment ends in one `broadsheet: …` line, exit 1 (130 for Ctrl-C), the last site intact.

Full disk, read-only project, `--out` under a file, an input nested too deeply, a bug, Ctrl-C at
any moment of `python build.py`, `new` with an absurd title, and `--out` pointing at a folder
broadsheet did not make.
"""

from __future__ import annotations

import builtins
import errno
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from broadsheet.build import pipeline
from broadsheet.build.writer import MARKER
from conftest import ROOT, run_cli, sample_project


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory, fresh_cache: Path) -> Path:
    """The sample project, built once by the command line (`built` copies it)."""
    root = sample_project(tmp_path_factory.mktemp("built") / "project", fresh_cache)
    assert run_cli(root, "build") == 0
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A project whose site/ was built once by the command line: a copy of built_once, its sources,
    site/ and .cache/ (the last build's manifest is keyed by the folder's path: these tests build
    with --clean, or fail before reading it)."""
    root = tmp_path / "project"
    shutil.copytree(built_once, root, symlinks=True)
    return root


def fail_when(monkeypatch, method: str, number: int, where: str) -> None:
    """Make a pathlib.Path method raise OSError(number) for paths containing `where`."""
    original = getattr(pathlib.Path, method)

    def failing(self, *args, **kwargs):
        if where in str(self):
            raise OSError(number, os.strerror(number), str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, method, failing)


def fail_open(monkeypatch, number: int, where: str) -> None:
    """Make open() for writing raise OSError(number) for paths containing `where`."""
    original = builtins.open

    def failing(file, mode="r", *args, **kwargs):
        if where in str(file) and any(m in mode for m in "wax"):
            raise OSError(number, os.strerror(number), str(file))
        return original(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing)


def test_a_full_disk_is_one_line_and_the_last_site_stays(built, monkeypatch, capsys) -> None:
    before = snapshot(built / "site")
    capsys.readouterr()
    fail_when(monkeypatch, "write_bytes", errno.ENOSPC, ".site.new-")
    fail_open(monkeypatch, errno.ENOSPC, ".site.new-")  # the writer writes pages with open()
    assert run_cli(built, "build", "--clean") == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("broadsheet: no space left on the device writing site/")
    assert err[0].endswith("; the last site is intact")
    assert snapshot(built / "site") == before
    assert not list(built.glob(".site.new-*"))


def test_a_read_only_project_is_one_line(built, monkeypatch, capsys) -> None:
    before = snapshot(built / "site")
    capsys.readouterr()
    fail_when(monkeypatch, "open", errno.EROFS, ".site.lock")
    assert run_cli(built, "build") == 1
    assert capsys.readouterr().err.splitlines() == [
        "broadsheet: the file system is read-only: cannot write .site.lock; the last site is intact"]
    assert snapshot(built / "site") == before


def test_permission_denied_is_one_line(built, monkeypatch, capsys) -> None:
    capsys.readouterr()
    fail_when(monkeypatch, "mkdir", errno.EACCES, ".site.new-")
    assert run_cli(built, "build", "--clean") == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("broadsheet: permission denied: site") and "Traceback" not in line


def test_out_under_a_file_is_refused(make_site, tmp_path, capsys) -> None:
    root = make_site()
    (tmp_path / "a-file").write_text("x")
    assert run_cli(root, "build", "--out", str(tmp_path / "a-file" / "site")) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"refusing to build into {tmp_path.resolve()}/a-file/site: {tmp_path.resolve()}/a-file is a file, "
        "not a folder; choose another --out")


@pytest.mark.parametrize("error", [RecursionError("maximum recursion depth exceeded"), MemoryError(),
                                   TypeError("'NoneType' object is not subscriptable")])
def test_errors_that_are_not_about_a_source_are_one_line(make_site, monkeypatch, capsys, error) -> None:
    root = make_site()

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(pipeline, "assemble_site", broken)
    assert run_cli(root, "build") == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("broadsheet: ") and line.endswith("the last site is intact")
    assert not (root / "site").exists()


def test_a_bug_in_another_command_is_one_line(make_site, monkeypatch, capsys) -> None:
    from broadsheet.checks import run as check

    def broken(*args, **kwargs):
        raise KeyError("x")

    monkeypatch.setattr(check, "check_site", broken)
    assert run_cli(make_site(), "check") == 1
    assert capsys.readouterr().err.splitlines() == [
        "broadsheet: internal error: KeyError: 'x' (a bug in broadsheet; run again with BROADSHEET_DEBUG=1 "
        "for the details)"]


def test_serve_on_an_impossible_port_is_one_line(make_site, capsys) -> None:
    assert run_cli(make_site(), "serve", "--port", "99999") == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("serve: cannot listen on 127.0.0.1:99999 (")


@pytest.mark.parametrize(("title", "message"), [
    ("關稅" * 5000, "the title is 10,000 characters long; keep it under 200"),
    ("a\x00b", "the title cannot be used: control character U+0000 is not allowed in text"),
    ("關\u202e稅", "the title cannot be used: invisible characters (bidi controls, zero-width) are not "
                  "allowed in a title"),
])
def test_new_refuses_an_absurd_title(make_site, capsys, title, message) -> None:
    root = make_site(with_sample_issue=False)
    assert run_cli(root, "new", title) == 1
    assert capsys.readouterr().err.splitlines() == [message, "new: nothing was created"]
    assert not (root / "content").exists()


def test_new_with_a_long_title_makes_a_short_slug(make_site, capsys) -> None:
    root = make_site(with_sample_issue=False)
    assert run_cli(root, "new", "Tariff week " * 15, "--date", "2025-04-27") == 0
    (folder,) = (root / "content/issues").iterdir()
    assert len(folder.name) <= 11 + 80


# --out replaces only a folder broadsheet made

def test_every_output_folder_holds_the_marker(built) -> None:
    assert (built / "site" / MARKER).is_file()


def test_a_folder_with_an_index_html_but_no_marker_is_refused(make_site, tmp_path, capsys) -> None:
    root = make_site()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.html").write_text("<p>someone's documentation</p>")
    assert run_cli(root, "build", "--out", str(docs)) == 1
    assert "was not built by broadsheet (it has no .broadsheet-site file)" in capsys.readouterr().err
    assert (docs / "index.html").read_text() == "<p>someone's documentation</p>"


def test_a_folder_broadsheet_made_is_replaced(make_site, tmp_path) -> None:
    root = make_site()
    out = tmp_path / "elsewhere"
    assert run_cli(root, "build", "--out", str(out)) == 0
    assert run_cli(root, "build", "--out", str(out), "--clean") == 0
    assert (out / MARKER).is_file() and (out / "index.html").is_file()


@pytest.mark.parametrize("name", ["site", ".preview"])
def test_the_projects_own_folder_built_before_the_marker_is_still_replaced(built, name) -> None:
    if name == "site":
        (built / "site" / MARKER).unlink()  # as an older version left it
    else:
        (built / ".preview").mkdir()
        (built / ".preview" / "index.html").write_text("old")
    assert run_cli(built, "build", "--clean", "--out", str(built / name)) == 0
    assert (built / name / MARKER).is_file()


# Ctrl-C at any moment of the real command line

@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.03, 0.06, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0])
def test_ctrl_c_at_any_moment_prints_one_line(tmp_path, delay) -> None:
    """SIGINT to the whole process group, as a terminal sends it, from start-up to the swap.

    Started as an editor starts it: the base Python runs build.py, which re-executes itself in
    .venv (bootstrap.py). A signal that comes before Python has set up its own handler ends the
    process silently (status -SIGINT), which is also fine. The base Python runs with -S: its own
    start-up (its site-packages' .pth hooks, before build.py's first line) is not the project's;
    the .venv interpreter's start-up is, and starts with Ctrl-C held back (bootstrap.py).
    """
    out = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if k not in ("BROADSHEET_NO_VENV", "VIRTUAL_ENV")}
    python = getattr(sys, "_base_executable", sys.executable)
    proc = subprocess.Popen([python, "-S", str(ROOT / "build.py"), "--out", str(out), "--clean"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    lines = stderr.decode().splitlines()
    assert "Traceback" not in stderr.decode(), stderr.decode()
    if proc.returncode == 0:  # it finished first
        assert stdout.decode().startswith("built ")
        return
    if proc.returncode == -signal.SIGINT:  # before Python's handler existed: nothing printed
        assert lines == []
        return
    assert proc.returncode == 130 and len(lines) == 1, stderr.decode()
    assert lines[0] in ("broadsheet: interrupted", "build interrupted; the site was not changed")
    assert not list(tmp_path.glob(".site.new-*"))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "example.com/w/", "http://", "https://ex ample.com/"])
def test_a_base_url_that_is_not_http_is_refused(make_site, capsys, url) -> None:
    """Every feed, canonical and sharing link is made from it: a javascript: base would be in all."""
    root = make_site()
    assert run_cli(root, "build", "--base-url", url) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"--base-url must be an absolute http(s) URL such as https://user.github.io/repo/, got {url!r}")
    assert not (root / "site").exists()


def _spawned_workers(pid: int) -> list[int]:
    """The ids of spawn workers (chart rendering) among the descendants of `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if b"multiprocessing" in cmdline and int(stat[3]) == pid:  # ppid, after the name
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the chart workers through /proc")
def test_ctrl_c_while_charts_render_in_worker_processes_prints_one_line(tmp_path) -> None:
    """Each spawned chart worker used to print its own KeyboardInterrupt traceback."""
    root = tmp_path / "project"
    for name in ("content", "data", "templates", "static", "translations"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")  # no .cache: every chart is rendered
    code = f"import sys; from broadsheet.commands.cli import main; sys.exit(main(['--root', {str(root)!r}, 'build']))"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 90
    while not _spawned_workers(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the workers are starting or rendering
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert stderr.decode().splitlines() == ["build interrupted; the site was not changed"], stderr.decode()
    assert proc.returncode == 130 and not (root / "site").exists()


@pytest.mark.unit
def test_a_chart_worker_importing_build_py_keeps_ctrl_c_held_back() -> None:
    """The chart workers are started with "spawn", which imports build.py again as __mp_main__.

    That import must leave Ctrl-C blocked: once unblocked, a later Ctrl-C raised KeyboardInterrupt
    inside the worker, which printed its own traceback beside the build's one line.
    """
    probe = ("import runpy, signal, sys\n"
             "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})\n"
             f"runpy.run_path({str(ROOT / 'build.py')!r}, run_name='__mp_main__')\n"
             "print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "True", done.stderr


@pytest.mark.unit
def test_a_problem_found_in_an_assembly_process_comes_back_whole() -> None:
    """A page's problems cross from the assembly processes pickled: each must arrive as it left
    (Exception's own pickling called __init__ with the formatted text alone, which failed)."""
    import pickle

    from broadsheet.core.errors import BuildFailed, FigureError, SeriesNotFound, SourceError
    from broadsheet.pages.markdown import FigureProblems

    problem = SourceError(Path("content/issues/x/zh-Hant.md"), 7, "unknown series 'SPX'", "did you mean SP500?")
    for error in (problem, BuildFailed([problem]), FigureProblems([problem]), FigureError("no data", "a hint"),
                  SeriesNotFound("unknown series")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
    assert pickle.loads(pickle.dumps(problem)).format() == problem.format()
    assert [p.format() for p in pickle.loads(pickle.dumps(FigureProblems([problem]))).problems] == [problem.format()]
