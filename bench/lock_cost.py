"""What the figure lock costs a build: the same synthetic site with and without a lock per issue.

    python bench/lock_cost.py --issues 500 --runs 7

Two copies of bench/generate.py's corpus are built cold; one then has every issue locked
(`build.py publish --all`, figures/lock.py), and both are built twice more, untimed (the locked
copy's pages are assembled again: the lock is part of their key). Then, for each scenario, the
two copies take turns, `--runs` times: a no-change build, and a one-issue edit (a paragraph
appended to the newest issue's zh-Hant.md, whose page is assembled again and, in the locked
copy, compared with its lock). Each build is a whole process, timed by bench/run.py's
`timed()`; the report gives the median CPU time (user + system, the process and its children:
what a shared machine does not stretch as it stretches the wall time) and the median wall time,
and the locked copy's extra CPU time in %.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import REPO, make_corpus, write_project  # noqa: E402
from run import Run, append, timed  # noqa: E402

ENV = {**os.environ, "BROADSHEET_NO_VENV": "1", "BROADSHEET_WAIT_SEARCH": "1"}


def build(project: Path, *args: str) -> Run:
    """One build of `project` (or another command), as a whole process."""
    return timed([sys.executable, str(REPO / "build.py"), "--root", str(project), *(args or ("build",))],
                 project, ENV)


def main(argv: list[str] | None = None) -> int:
    """Build both copies, then time the scenarios in turns; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=500, help="weekly issues in the synthetic site (default 500)")
    parser.add_argument("--runs", type=int, default=7, help="runs per scenario and copy (default 7)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "broadsheet-lock-bench")
    args = parser.parse_args(argv)
    docs = make_corpus(args.issues)
    copies = {name: write_project(args.work / name, docs) for name in ("unlocked", "locked")}
    for project in copies.values():
        build(project)
    locking = build(copies["locked"], "publish", "--all")
    print(f"publish --all: {locking.seconds:.1f} s ({locking.cpu_seconds:.1f} s CPU)", file=sys.stderr)
    for project in copies.values():  # the locked copy's pages are assembled again (the lock is in their
        build(project)  # key); then one untimed no-change build each, so both start alike
        build(project)
    runs: dict[tuple[str, str], list[Run]] = {}
    for scenario in ("no-change", "one-issue edit"):
        for n in range(args.runs):
            for name, project in copies.items():
                if scenario == "one-issue edit":
                    newest = max((project / "content" / "issues").iterdir()) / "zh-Hant.md"
                    append(newest, f"\n新增的段落 {n}:市場持續關注聯準會的下一步動作。\n")
                runs.setdefault((scenario, name), []).append(build(project))
    print("| scenario | without locks: CPU (wall) | with a lock per issue: CPU (wall) | extra CPU |")
    print("|---|---|---|---|")
    for scenario in ("no-change", "one-issue edit"):
        cpu = {name: statistics.median(r.cpu_seconds for r in runs[(scenario, name)]) for name in copies}
        wall = {name: statistics.median(r.seconds for r in runs[(scenario, name)]) for name in copies}
        extra = 100 * (cpu["locked"] / cpu["unlocked"] - 1)
        print(f"| {scenario} | {cpu['unlocked']:.2f} s ({wall['unlocked']:.2f} s) | "
              f"{cpu['locked']:.2f} s ({wall['locked']:.2f} s) | {extra:+.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
