"""Builds are reproducible, atomic, interruptible and exclusive: the last good site stays."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from broadsheet.build import writer
from broadsheet.build.writer import lock_output, lock_path
from conftest import ROOT, build_into, run_cli

ISSUE = "content/issues/2025-04-13-sample/zh-Hant.md"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Temporary folders of a build still lying beside the output folder."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith((f".{out.name}.new-", f".{out.name}.old-")))


def build_command(root: Path, out: Path) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "--root", str(root), "build", "--out", str(out)]


# the index is made before the swap, as in CI: a detached search job would change the site later
ENV = {**os.environ, "BROADSHEET_NO_VENV": "1", "BROADSHEET_WAIT_SEARCH": "1"}


# --- reproducible ------------------------------------------------------------------------------
@pytest.mark.slow
def test_two_builds_give_identical_bytes(real_site: Path, tmp_path: Path) -> None:
    """A second build, in another process with another hash seed and folder, is byte-identical."""
    out = tmp_path / "again" / "public"
    env = {**ENV, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(build_command(ROOT, out), env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    first, second = snapshot(real_site), snapshot(out)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


# --- atomic and interruptible -------------------------------------------------------------------
@pytest.fixture
def slow_project(make_site) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """A project whose write step takes a while (static files, then the search index), built once.

    Returns (root, site, the site as built, the site the edited sources would give): a killed
    build must leave exactly the first, a finished one exactly the second.
    """
    files: dict[str, str | bytes] = {f"static/bulk/{i // 100}/{i}.txt": os.urandom(512)
                                     for i in range(300)}
    root = make_site(files)
    issue, charts = root / ISSUE, root / ISSUE.replace("zh-Hant.md", "charts.yaml")
    issue.write_text(issue.read_text(encoding="utf-8") + '\n{{ chart("drop") }}\n', encoding="utf-8")
    charts.write_text(CHART.format(title="跌幅"), encoding="utf-8")
    site = build_into(root)
    old = snapshot(site)
    # the edited sources need a new chart: killed builds render it and write it to the cache
    issue.write_text(issue.read_text(encoding="utf-8").replace("範例週報", "改過的週報"),
                     encoding="utf-8")
    charts.write_text(CHART.format(title="改過的跌幅"), encoding="utf-8")
    # a finished command-line build indexes the site for search: the expected site has the index
    new = snapshot(build_into(root, root.parent / "expected", use_cache=False, search=True))
    assert old != new
    return root, site, old, new


CHART = ("drop:\n  kind: drawdown\n  series: [SP500]\n  start: 2025-01-02\n  end: 2025-04-11\n"
         "  title: {{zh-Hant: {title}, en: Drawdown}}\n  description: {{zh-Hant: 說明, en: Text}}\n")


def start_and_kill(root: Path, site: Path, sig: int, when: str | float) -> subprocess.Popen:
    """Start a build and send `sig` after `when` seconds, or once it starts writing ("writing")."""
    stale = set(leftovers(site))  # a killed build's folder is not this build writing
    proc = subprocess.Popen(build_command(root, site), env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if when == "writing":
        deadline = time.monotonic() + 60
        while not set(leftovers(site)) - stale:
            assert proc.poll() is None, "the build finished before it was seen writing"
            assert time.monotonic() < deadline
            time.sleep(0.001)
    else:
        time.sleep(float(when))
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return proc


@pytest.mark.slow
def test_killed_builds_leave_the_last_site_whole(slow_project) -> None:
    """SIGKILL and Ctrl-C while writing, and a kill at a random moment: old or new, never half.

    The site and the chart cache stay usable: the last build gives exactly the new site.
    """
    root, site, old, new = slow_project
    # killed while the new folder is being written: the old site, as it was
    proc = start_and_kill(root, site, signal.SIGKILL, "writing")
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(site) == old
    assert leftovers(site) != []  # what it left is not the site, and is removed by the next build
    # Ctrl-C: the build removes its unfinished folder and says so, without a traceback
    proc = start_and_kill(root, site, signal.SIGINT, "writing")
    assert proc.returncode == 130
    assert proc.stderr.read() == "build interrupted; the site was not changed\n"
    assert snapshot(site) == old
    assert leftovers(site) == []
    # a kill at any moment of a whole build (start-up, loading, rendering, writing, swapping)
    seed = random.randrange(10**6)
    when = random.Random(seed).uniform(0.0, 2.5)
    start_and_kill(root, site, signal.SIGKILL, when)
    assert snapshot(site) in (old, new), f"half a site after a kill at {when:.3f} s (seed {seed})"
    # the next build clears what killed builds left and writes the new site, its chart taken
    # from the cache if a killed build got that far: the cache is never left half-written
    build_into(root, search=True)
    assert snapshot(site) == new
    assert leftovers(site) == []


def test_next_build_removes_what_killed_builds_left(make_site) -> None:
    root = make_site()
    site = build_into(root)
    (root / ".site.new-x1y2z3" / "issues").mkdir(parents=True)
    (root / ".site.old-4242").mkdir()
    build_into(root)
    assert leftovers(site) == []
    assert (site / "index.html").exists()


def test_a_gap_between_two_renames_is_repaired(make_site, capsys) -> None:
    """Where the system cannot exchange folders, a kill between the renames loses nothing."""
    root = make_site()
    site = build_into(root)
    old = snapshot(site)
    os.rename(site, root / ".site.old-999")  # as left by a kill after the first rename
    (root / ISSUE).write_text("---\ntitle: [\n---\n", encoding="utf-8")
    assert run_cli(root, "build") == 1  # even a failing build puts the last good site back
    assert snapshot(site) == old
    assert leftovers(site) == []


@pytest.mark.slow
def test_fallback_swap_interrupted_between_renames(make_site, monkeypatch) -> None:
    root = make_site()
    site = build_into(root)
    old = snapshot(site)
    monkeypatch.setattr(writer, "exchange_dirs", lambda a, b: False)  # a system without renameat2
    renames: list[tuple] = []
    real_rename = os.rename

    def rename(src, dst) -> None:
        renames.append((src, dst))
        if len(renames) == 2:  # Ctrl-C right between moving site/ away and moving the new one in
            raise KeyboardInterrupt
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        build_into(root, clean=True)  # clean: a build with nothing to do would not swap at all
    monkeypatch.setattr(os, "rename", real_rename)
    assert snapshot(site) == old
    assert leftovers(site) == []
    build_into(root, clean=True)  # and the two-rename swap itself works
    assert snapshot(site) == old


# --- one build at a time ------------------------------------------------------------------------
def test_second_build_fails_fast_while_one_holds_the_lock(make_site, capsys) -> None:
    root = make_site()
    site = build_into(root)
    old = snapshot(site)
    with lock_output(site):  # as a running `serve` rebuild would
        started = time.monotonic()
        status = run_cli(root, "build")
        elapsed = time.monotonic() - started
    assert status == 1 and elapsed < 5
    assert capsys.readouterr().err.splitlines() == [
        f"another build is writing site/ right now (lock: {lock_path(site)}); wait for it to "
        "finish, or stop `serve`, then build again",
        "build failed: 1 problem(s); the site was not changed",
    ]
    assert snapshot(site) == old
    assert run_cli(root, "build") == 0  # the lock is released with its holder


def test_lock_is_released_when_its_holder_is_killed(make_site) -> None:
    root = make_site()
    site = root / "site"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from broadsheet.build.writer import lock_output;"
        "cm = lock_output(Path(sys.argv[2])); cm.__enter__(); print('held', flush=True);"
        "time.sleep(60)"), str(ROOT), str(site)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(Exception, match="another build is writing"), lock_output(site):
            pass
    finally:
        holder.kill()
        holder.wait()
    with lock_output(site):
        pass


# --- an --out that must not be replaced ---------------------------------------------------------
@pytest.mark.parametrize(("out", "message"), [
    (".", "refusing to build into {root}: it would replace or lie inside {root}; choose another "
          "--out"),
    ("..", "refusing to build into {parent}: it would replace or lie inside {root}; choose "
           "another --out"),
    ("content", "refusing to build into {root}/content: it would replace or lie inside "
                "{root}/content; choose another --out"),
    ("data/out", "refusing to build into {root}/data/out: it would replace or lie inside "
                 "{root}/data; choose another --out"),
])
def test_out_folder_that_holds_sources_is_refused(make_site, capsys, out: str,
                                                  message: str) -> None:
    root = make_site()
    before = snapshot(root)
    assert run_cli(root, "build", "--out", str(root / out)) == 1
    expected = message.format(root=root.resolve(), parent=root.resolve().parent)
    assert capsys.readouterr().err.splitlines()[0] == expected
    assert snapshot(root) == before


def test_out_folder_that_is_not_a_site_is_refused(make_site, tmp_path, capsys) -> None:
    root = make_site()
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.txt").write_text("years of work")
    assert run_cli(root, "build", "--out", str(documents)) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"refusing to replace {documents.resolve()}: it is not empty and was not built by broadsheet "
        "(it has no .broadsheet-site file); choose another --out, or empty the folder first")
    assert (documents / "thesis.txt").read_text() == "years of work"


@pytest.mark.unit
def test_ctrl_c_as_the_fresh_folder_is_made_leaves_nothing_beside_the_site(tmp_path, monkeypatch) -> None:
    """Python checks for Ctrl-C as mkdir returns: an interrupt right there (a loaded CI machine
    met it) must not leave the fresh folder behind, since the build never got its writer to close."""
    from broadsheet.build.writer import SiteWriter

    made = Path.mkdir

    def interrupted(self: Path, *args, **kwargs) -> None:
        made(self, *args, **kwargs)
        if self.name.startswith(".site.new-"):
            raise KeyboardInterrupt

    monkeypatch.setattr(Path, "mkdir", interrupted)
    with pytest.raises(KeyboardInterrupt):
        SiteWriter(tmp_path / "site")
    assert leftovers(tmp_path / "site") == []
