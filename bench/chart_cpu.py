"""CPU time of drawing one chart (all its drawings), measured in one process on the real issue's charts.

    python bench/chart_cpu.py [--runs 3]

Builds the specs of every chart of content/issues/ (both languages), starts vl-convert's engine
(timed apart: once per worker), then draws every chart with `engine.render_job` and reports the
median CPU seconds (user + system of this process, all threads) per chart. Warm-up draws are
not counted. Prints a Markdown line for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def cpu() -> float:
    t = time.process_time()
    return t


def specs_of_real_site():
    from broadsheet.charts.step import issue_specs
    from broadsheet.content.issues import read_issues
    from broadsheet.core.config import load_config
    from broadsheet.core.errors import Problems
    from broadsheet.data.store import load_data

    config = load_config(REPO / "site.yaml")
    problems = Problems()
    issues = read_issues(REPO / "content", config, problems, drafts=True)
    store = load_data(REPO / "data")
    locales: dict = {}
    specs = []
    for issue in issues:
        specs.extend(issue_specs(issue, store, config, REPO / "translations", locales, problems)[0])
    return specs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="passes over every chart (default 3)")
    args = parser.parse_args(argv)
    from broadsheet.charts import engine

    specs = specs_of_real_site()
    jobs = [spec.render_job() for spec in specs]
    start = cpu()
    engine.render_job(jobs[0])  # the engine starts on its first draw
    first = cpu() - start
    per_chart = []
    for _ in range(args.runs):
        start = cpu()
        for job in jobs:
            engine.render_job(job)
        per_chart.append((cpu() - start) / len(jobs))
    median = statistics.median(per_chart)
    print(f"{len(jobs)} charts × {args.runs} passes: median {median:.3f} s CPU per chart with all its drawings "
          f"(passes: {', '.join(f'{p:.3f}' for p in per_chart)}); engine start + first chart {first:.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
