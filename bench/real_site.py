"""Time the real project's builds as whole processes: cold, no change, one-paragraph edit.

    python bench/real_site.py --runs 5 --write-doc

The project (content/, data/, templates/, static/, translations/, site.yaml) is copied to a
temporary folder so the repository's own .cache/ and site/ are not touched. A cold build starts
with no .cache/ (so every chart is drawn) and no output; the edit appends one paragraph to the
first issue's zh-Hant.md before each run. Targets: no change ≤ 20% of a cold build, a
one-paragraph edit ≤ 40%. With --write-doc the table goes between the `real:` markers of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import DOC, Run, git_commit, load_text, machine_facts, timed  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- real:begin -->", "<!-- real:end -->"
COPIED = ("content", "data", "templates", "static", "translations", "site.yaml")


def copy_project(target: Path) -> Path:
    """Copy the real project's inputs into `target`."""
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    return target


def measure(project: Path, runs: int) -> dict[str, list[Run]]:
    """Time cold, no-change and one-paragraph-edit builds of `project`."""
    out = project / "site"
    cmd = [sys.executable, str(REPO / "build.py"), "--root", str(project), "build", "--out", str(out)]
    env = {**os.environ, "BROADSHEET_NO_VENV": "1"}
    results: dict[str, list[Run]] = {"cold": [], "no-change": [], "one-paragraph edit": []}
    for _ in range(max(1, runs // 2 + 1)):  # a cold build draws every chart: fewer runs
        shutil.rmtree(project / ".cache", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        results["cold"].append(timed(cmd, project, env))
    for _ in range(runs):
        results["no-change"].append(timed(cmd, project, env))
    page = project / "content" / "issues" / "2025-04-13-tariff-shock" / "zh-Hant.md"
    for n in range(runs):
        with page.open("a", encoding="utf-8") as f:
            f.write(f"\n編輯時新增的一段文字 {n}。\n")
        results["one-paragraph edit"].append(timed(cmd, project, env))
    return results


def report(results: dict[str, list[Run]], runs: int) -> str:
    """A Markdown table of medians and their share of the cold build."""
    cold = statistics.median(r.seconds for r in results["cold"])
    facts = machine_facts()
    lines = [
        f"Measured with `python bench/real_site.py --runs {runs} --write-doc` at broadsheet {git_commit()}; "
        f"{facts['nproc']} cores ({facts['cpu']}), Python {facts['python']}; load average {load_text()}.",
        "",
        "| build | median wall time | share of cold | target |",
        "|---|---:|---:|---|",
    ]
    targets = {"cold": "", "no-change": "≤ 20%", "one-paragraph edit": "≤ 40%"}
    for name, timings in results.items():
        median = statistics.median(r.seconds for r in timings)
        share = "" if name == "cold" else f"{median / cold:.0%}"
        verdict = ""
        if targets[name]:
            limit = 0.2 if name == "no-change" else 0.4
            verdict = f"{targets[name]}: {'met' if median <= limit * cold else '**missed**'}"
        lines.append(f"| {name} ({len(timings)} runs) | {median:.2f} s | {share} | {verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of the no-change and edit builds (default 5)")
    parser.add_argument("--write-doc", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="broadsheet-real-") as tmp:
        text = report(measure(copy_project(Path(tmp)), args.runs), args.runs)
    print(text)
    if args.write_doc:
        doc = DOC.read_text(encoding="utf-8")
        start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
        DOC.write_text(doc[:start] + "\n" + text + doc[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
