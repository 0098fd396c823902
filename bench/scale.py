"""How a cold build grows with the site: one cold and one no-change build per size.

    python bench/scale.py --sizes 100,500,2000 --charts 0 --write-doc
    python bench/scale.py --sizes 100 --charts 3 --write-doc

Each size is a synthetic project from bench/generate.py (N issues × 2 languages, `--charts`
chart declarations per issue), built as a whole process like bench/run.py does (wall time, CPU
time of the build and its children, peak resident set of the largest process). With
--write-doc the rows are added between the `scale:` markers of docs/benchmarks.md (rows of
other sizes or chart counts already there are kept, so the two commands above fill one table).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_corpus, write_project  # noqa: E402
from run import DOC, broadsheet_tool, git_commit, load_text, machine_facts  # noqa: E402

BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"
HEADER = ["| issues × 2 | charts per issue | charts drawn | cold: wall (CPU) | s per issue (wall) | "
          "no-change | peak memory | commit, load at start |", "|---:|---:|---:|---:|---:|---:|---:|---|"]


def measure(issues: int, charts: int, work: Path) -> str:
    """One table row: a cold and a no-change build of a project of `issues` issues."""
    project = write_project(work / f"scale-{issues}-{charts}", make_corpus(issues, 1, 5, charts))
    tool = broadsheet_tool(project)
    load = load_text()
    tool.run("cold")
    tool.run("no-change")
    cold, again = tool.timings.runs["cold"][0], tool.timings.runs["no-change"][0]
    shutil.rmtree(project, ignore_errors=True)
    return (f"| {issues} | {charts} | {issues * charts * 2} | {cold.seconds:.1f} s ({cold.cpu_seconds:.1f} s) | "
            f"{cold.seconds / issues:.3f} | {again.seconds:.2f} s | {tool.timings.peak_mb():.0f} MB | "
            f"{git_commit()}, {load} |")


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,2000", help="comma-separated issue counts")
    parser.add_argument("--charts", type=int, default=0, help="chart declarations per issue (default 0)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "broadsheet-scale")
    parser.add_argument("--write-doc", action="store_true", help="add the rows to docs/benchmarks.md")
    args = parser.parse_args(argv)
    facts = machine_facts()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows.append(measure(size, args.charts, args.work))
        print(rows[-1], file=sys.stderr)
    print("\n".join([*HEADER, *rows]))
    if args.write_doc:
        doc = DOC.read_text(encoding="utf-8")
        if BEGIN not in doc:
            doc += f"\n{BEGIN}\n{END}\n"
        head, rest = doc.split(BEGIN, 1)
        old, tail = rest.split(END, 1)
        kept = [line for line in old.strip().splitlines() if line.startswith("| ") and not line.startswith("| issues")
                and line.split("|")[1:3] not in [r.split("|")[1:3] for r in rows]]
        note = f"{facts['nproc']} cores ({facts['cpu']}), Python {facts['python']}."
        body = "\n".join([note, "", *HEADER, *sorted(kept + rows, key=lambda r: (int(r.split("|")[2]),
                                                                                 int(r.split("|")[1])))])
        DOC.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
