"""The first issue's cold build now and at an older commit, measured in the same run.

    python bench/first_issue.py --runs 3 --baseline a504726 --write-doc

Each version builds its own tree (code and content, the older one extracted with `git archive`
into a temporary folder, so no worktree or checkout is touched), with this interpreter and the
project's installed libraries. Cold: no .cache/ and no output, so every chart is drawn. The
builds of the two versions take turns, so load from other processes hits both alike. Target
(issue 17): the current cold build ≤ 40% of the baseline's. With --write-doc the table goes
between the `first:` markers of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_site import copy_project  # noqa: E402
from run import DOC, Run, git_commit, load_text, machine_facts, timed  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- first:begin -->", "<!-- first:end -->"
TARGET = 0.4


def extract(commit: str, target: Path) -> Path:
    """The tree of `commit` (code and project) written into `target`."""
    data = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(target, filter="data")
    return target


def current(target: Path) -> Path:
    """The working tree's code and project copied into `target`."""
    copy_project(target)
    shutil.copytree(REPO / "broadsheet", target / "broadsheet", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "build.py", target / "build.py")
    shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")
    return target


def cold(tree: Path) -> Run:
    """One cold build of `tree` by its own build.py."""
    out = tree / "site"
    shutil.rmtree(tree / ".cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, str(tree / "build.py"), "--root", str(tree), "build", "--out", str(out)]
    return timed(cmd, tree, {**os.environ, "BROADSHEET_NO_VENV": "1"})


def report(baseline: str, runs: dict[str, list[Run]], loads: list[str]) -> str:
    """The Markdown table."""
    facts = machine_facts()
    med = {k: (statistics.median(r.seconds for r in v), statistics.median(r.cpu_seconds for r in v))
           for k, v in runs.items()}
    ratio = med["now"][0] / med["baseline"][0]
    verdict = "met" if ratio <= TARGET else f"**missed** by {ratio / TARGET:.1f}×"
    return "\n".join([
        f"Measured with `python bench/first_issue.py --runs {len(runs['now'])} --baseline {baseline}` at broadsheet "
        f"{git_commit()}; {facts['nproc']} cores ({facts['cpu']}), Python {facts['python']}; load average "
        f"{'; '.join(loads)}.", "",
        "| cold build of the first issue (both editions, every chart drawn) | median wall (CPU) | ratio | target |",
        "|---|---:|---:|---|",
        f"| {baseline} (baseline) | {med['baseline'][0]:.2f} s ({med['baseline'][1]:.2f} s) | | |",
        f"| now | {med['now'][0]:.2f} s ({med['now'][1]:.2f} s) | {ratio:.2f} | ≤ {TARGET:g}: {verdict} |", ""])


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold builds of each version (default 3)")
    parser.add_argument("--baseline", default="a504726", help="the older commit (default a504726)")
    parser.add_argument("--write-doc", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    loads = [f"start {load_text()}"]
    with tempfile.TemporaryDirectory(prefix="broadsheet-first-") as tmp:
        trees = {"baseline": extract(args.baseline, Path(tmp) / "baseline"), "now": current(Path(tmp) / "now")}
        runs: dict[str, list[Run]] = {"baseline": [], "now": []}
        for _ in range(args.runs):
            for name, tree in trees.items():
                runs[name].append(cold(tree))
                print(f"  {name}: {runs[name][-1].seconds:.2f} s", file=sys.stderr)
    loads.append(f"end {load_text()}")
    text = report(args.baseline, runs, loads)
    print(text)
    if args.write_doc:
        current_doc = DOC.read_text(encoding="utf-8")
        if BEGIN not in current_doc:
            current_doc += f"\n{BEGIN}\n{END}\n"
        head, rest = current_doc.split(BEGIN, 1)
        DOC.write_text(f"{head}{BEGIN}\n{text}{END}{rest.split(END, 1)[1]}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
