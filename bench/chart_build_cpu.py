"""CPU time per chart as a whole build pays it: a cold build of a 10-issue site with 3 charts an
issue, minus the same site without charts, divided by the charts drawn.

    python bench/chart_build_cpu.py [--issues 10] [--charts 3] [--runs 3]

Both sites come from bench/generate.py with the same seed (the one without charts has the same
prose: its chart paragraphs are left out). Each build is a whole process, timed as bench/run.py
does (user + system CPU of the process and its children, which is what a loaded machine does not
stretch); the builds with and without charts take turns, and the medians are compared. The cost
per chart includes everything the charts bring to a build: their specs, drawings, PNG twins,
the render processes' start and the vega bundle.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_corpus, write_project  # noqa: E402
from run import broadsheet_tool, git_commit, load_text  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Command line: build both sites `--runs` times each, taking turns; print the CPU per chart."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10)
    parser.add_argument("--charts", type=int, default=3, help="chart declarations per issue (default 3)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "broadsheet-chart-cpu")
    args = parser.parse_args(argv)
    tools = {count: broadsheet_tool(write_project(args.work / f"charts-{count}",
                                                  make_corpus(args.issues, 1, 5, count)))
             for count in (0, args.charts)}
    load = load_text()
    for _ in range(args.runs):
        for tool in tools.values():
            tool.run("cold")
    cpu = {count: [r.cpu_seconds for r in tool.timings.runs["cold"]] for count, tool in tools.items()}
    drawn = args.issues * args.charts * 2
    with_charts, without = statistics.median(cpu[args.charts]), statistics.median(cpu[0])
    print(f"broadsheet {git_commit()}; load at start {load}, at end {load_text()}")
    print(f"cold build CPU, {args.issues} issues × 2: without charts {without:.2f} s "
          f"(runs {', '.join(f'{c:.2f}' for c in cpu[0])}); with {args.charts} charts an issue "
          f"{with_charts:.2f} s (runs {', '.join(f'{c:.2f}' for c in cpu[args.charts])})")
    print(f"{drawn} charts drawn: {(with_charts - without) / drawn:.3f} s CPU per chart")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
