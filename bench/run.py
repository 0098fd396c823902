"""Time broadsheet builds of a synthetic site as whole processes, optionally beside Pelican and Hugo.

    python bench/run.py --issues 500 --runs 5 --peers --profile --write-doc

Each scenario is timed as a separate process (the wall time an editor waits for), `--runs`
times, and reported as the median; peak memory is each process's own maximum resident set
(os.wait4 returns the rusage of exactly that child). Scenarios, in this order:

- cold: no .cache/ and no output folder
- no-change: the same build again
- one-issue edit: a paragraph appended to the newest issue
- data change: one value in data/markets.csv changed
- template change: a Jinja comment added to templates/base.html

With --peers, the same corpus is written as a Pelican site and a Hugo site and their cold and
no-change builds are timed in the same run. The Markdown report goes to stdout and, with
--write-doc, between the markers in docs/benchmarks.md (the text around them is kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import pstats
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import LANGS, REPO, make_corpus, write_project  # noqa: E402
from peers import ensure_peers_venv, peer_versions, write_hugo, write_pelican  # noqa: E402

DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SCENARIOS = ("cold", "no-change", "one-issue edit", "data change", "template change")


@dataclass
class Run:
    """One timed process."""

    seconds: float
    max_rss_mb: float


@dataclass
class Timings:
    """The runs of every scenario of one tool."""

    runs: dict[str, list[Run]] = field(default_factory=dict)

    def median(self, scenario: str) -> float | None:
        """The median wall time of a scenario, or None when it was not run."""
        runs = self.runs.get(scenario)
        return statistics.median(r.seconds for r in runs) if runs else None

    def peak_mb(self) -> float:
        """The largest resident set of any process of this tool."""
        return max(r.max_rss_mb for runs in self.runs.values() for r in runs)


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to completion; return its wall time and its own peak memory; fail loudly on error."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            tail = out.read().decode("utf-8", "replace")[-3000:]
            raise SystemExit(f"failed ({proc.returncode}): {shlex.join(cmd)}\n{tail}")
    return Run(seconds, usage.ru_maxrss / 1024)  # Linux reports kilobytes


def clear(*paths: Path) -> None:
    """Remove folders if they exist (a cold build starts without cache and output)."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def bench_broadsheet(project: Path, runs: int) -> Timings:
    """Time every scenario of broadsheet on the synthetic project."""
    out = project / "site"
    env = {**os.environ, "BROADSHEET_NO_VENV": "1"}
    cmd = [sys.executable, str(REPO / "build.py"), "--root", str(project), "build", "--out", str(out)]
    t = Timings()

    def series(name: str, before=None) -> None:
        t.runs[name] = []
        for n in range(runs):
            if before:
                before(n)
            t.runs[name].append(timed(cmd, project, env))
        print(f"  broadsheet {name}: {t.median(name):.2f} s", file=sys.stderr)

    series("cold", lambda n: clear(project / ".cache", out))
    series("no-change")
    newest = max((project / "content" / "issues").iterdir()) / "zh-Hant.md"
    series("one-issue edit", lambda n: append(newest, f"\n新增的段落 {n}:市場持續關注聯準會的下一步動作。\n"))
    series("data change", lambda n: change_market_value(project / "data" / "markets.csv", n))
    series("template change", lambda n: append(project / "templates" / "base.html", f"{{# bench edit {n} #}}\n"))
    return t


def append(path: Path, text: str) -> None:
    """Append text to a file (an editor's small edit)."""
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def change_market_value(path: Path, n: int) -> None:
    """Nudge the last value of the file by ±0.01 (small enough that no figure's direction flips)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    date, series, value, source = lines[-1].split(",")
    nudged = float(value) + (0.01 if n % 2 == 0 else -0.01)
    lines[-1] = ",".join((date, series, f"{nudged:.2f}", source))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bench_pelican(site: Path, pelican: Path, runs: int) -> Timings:
    """Time Pelican's cold build (no cache) and its cached no-change rebuild."""
    cmd = [str(pelican), "content", "-o", "output", "-s", "pelicanconf.py", "--quiet"]
    t = Timings(runs={"cold": [], "no-change": []})
    for _ in range(runs):
        clear(site / "output", site / "cache")
        t.runs["cold"].append(timed(cmd, site))
    for _ in range(runs):
        t.runs["no-change"].append(timed(cmd, site))
    print(f"  pelican cold {t.median('cold'):.2f} s, no-change {t.median('no-change'):.2f} s", file=sys.stderr)
    return t


def bench_hugo(site: Path, hugo: Path, runs: int) -> Timings:
    """Time Hugo's cold build (no public/, resources/ or cache) and a second, no-change run."""
    cmd = [str(hugo), "--quiet", "--destination", "public", "--cacheDir", str(site / ".hugo-cache")]
    t = Timings(runs={"cold": [], "no-change": []})
    for _ in range(runs):
        clear(site / "public", site / "resources", site / ".hugo-cache")
        t.runs["cold"].append(timed(cmd, site))
    for _ in range(runs):
        t.runs["no-change"].append(timed(cmd, site))
    print(f"  hugo cold {t.median('cold'):.2f} s, no-change {t.median('no-change'):.2f} s", file=sys.stderr)
    return t


def profile(project: Path, top: int = 12) -> str:
    """Profile one cold and one no-change build with cProfile; return a Markdown summary."""
    out = project / "site"
    env = {**os.environ, "BROADSHEET_NO_VENV": "1"}
    sections = []
    for label in ("cold", "no-change"):
        if label == "cold":
            clear(project / ".cache", out)
        prof = project / f"{label}.prof"
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), str(REPO / "build.py"), "--root",
                        str(project), "build", "--out", str(out)], env=env, check=True, capture_output=True)
        sections.append(summarize_profile(prof, label, top))
    return "\n".join(sections)


# The stages of a build, by the function that does each (cumulative time under it).
STAGES = (
    ("imports (all modules)", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("load data/", "data.py", "load_data"),
    ("read content/", "content.py", "read_issues"),
    ("figures (evaluate expressions)", "markdown.py", "evaluate_figures"),
    ("Markdown → HTML", "core.py", "convert"),
    ("render templates", "pipeline.py", "render_outputs"),
    ("write site/", "writer.py", "write_site"),
)


def summarize_profile(path: Path, label: str, top: int) -> str:
    """A stage table and the top functions by own time, from one cProfile file."""
    stats = pstats.Stats(str(path))
    raw = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, _, ct, _) in raw.values())
    lines = [f"#### Profile: {label} build ({total:.2f} s under cProfile)", "",
             "| stage | cumulative s | share |", "|---|---:|---:|"]
    for name, filename, func in STAGES:
        cum = sum(v[3] for (f, _, fn), v in raw.items() if fn == func and f.endswith(filename))
        if func == "_find_and_load":  # nested imports are counted once, at the outermost call
            cum = max((v[3] for (f, _, fn), v in raw.items() if fn == func and f.endswith(filename)), default=0)
        lines.append(f"| {name} | {cum:.2f} | {cum / total:.0%} |")
    lines += ["", "| own time s | calls | function |", "|---:|---:|---|"]
    ranked = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (filename, line, func), (_, calls, tottime, _, _) in ranked:
        where = "/".join(Path(filename).parts[-2:]) if filename.startswith("/") else filename
        lines.append(f"| {tottime:.2f} | {calls} | `{func}` ({where}:{line}) |")
    return "\n".join(lines) + "\n"


def machine_facts() -> dict[str, str]:
    """nproc, CPU model, Python, OS and the load average when the run started."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}"}


def load_text() -> str:
    """The 1/5/15-minute load averages, as top prints them."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def ratio_row(label: str, ours: float | None, theirs: float | None, limit: float, peer: str) -> str:
    """One target line: our median, the peer's, the ratio, and whether the target is met."""
    if ours is None or theirs is None:
        return f"| {label} | ≤ {limit:g} × {peer} | – | – | – | not measured |"
    ratio = ours / theirs
    verdict = "met" if ratio <= limit else f"missed: {ratio / limit:.1f}× the limit"
    return f"| {label} | ≤ {limit:g} × {peer} | {ours:.2f} s | {theirs:.2f} s | {ratio:.2f} | {verdict} |"


def report(args: argparse.Namespace, facts: dict[str, str], ours: Timings, pelican: Timings | None,
           hugo: Timings | None, versions: dict[str, str], corpus: dict[str, str], loads: list[str],
           profile_md: str) -> str:
    """The Markdown report: conditions, medians, target ratios, profile."""
    def fmt(t: Timings | None, scenario: str) -> str:
        value = t.median(scenario) if t else None
        return "–" if value is None else f"{value:.2f} s"

    lines = [
        f"Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} with:", "",
        "```", f"python bench/run.py {shlex.join(args.argv)}", "```", "",
        f"- machine: {facts['nproc']} cores ({facts['cpu']}), {facts['os']}, Python {facts['python']}",
        f"- load average (1/5/15 min) before and after each tool: {'; '.join(loads)}",
        f"- corpus: {corpus['issues']} issues × {len(LANGS)} languages, {corpus['sections']} sections each, "
        f"{corpus['mb']} MB of Markdown, seed {args.seed}, {args.charts} charts per issue",
        f"- broadsheet {corpus['commit']}"
        + (f"; Pelican {versions['pelican']} (Python-Markdown {versions['markdown']}); Hugo {versions['hugo']}"
           if versions else ""),
        f"- every number is the median of {args.runs} whole-process runs; memory is the largest peak resident "
        "set of any process of that tool",
        "",
        "| scenario | broadsheet | Pelican | Hugo |", "|---|---:|---:|---:|",
    ]
    for scenario in SCENARIOS:
        lines.append(f"| {scenario} | {fmt(ours, scenario)} | {fmt(pelican, scenario)} | {fmt(hugo, scenario)} |")
    peak = [f"{t.peak_mb():.0f} MB" if t else "–" for t in (ours, pelican, hugo)]
    lines += [f"| peak memory | {peak[0]} | {peak[1]} | {peak[2]} |", ""]
    if pelican and hugo:
        lines += ["| target | limit | broadsheet | peer | ratio | verdict |", "|---|---|---:|---:|---:|---|",
                  ratio_row("cold vs Pelican cold", ours.median("cold"), pelican.median("cold"), 0.4, "Pelican"),
                  ratio_row("cold vs Hugo cold", ours.median("cold"), hugo.median("cold"), 1.2, "Hugo"),
                  ratio_row("no-change vs Hugo no-change", ours.median("no-change"), hugo.median("no-change"),
                            0.25, "Hugo"),
                  ratio_row("one-issue edit vs Hugo no-change", ours.median("one-issue edit"),
                            hugo.median("no-change"), 0.3, "Hugo")]
        mem_ok = ours.peak_mb() <= hugo.peak_mb()
        verdict = "met" if mem_ok else f"missed: {ours.peak_mb() / hugo.peak_mb():.2f}× Hugo's"
        lines.append(f"| peak memory vs Hugo | ≤ 1 × Hugo | {ours.peak_mb():.0f} MB | {hugo.peak_mb():.0f} MB | "
                     f"{ours.peak_mb() / hugo.peak_mb():.2f} | {verdict} |")
        lines.append("")
    if profile_md:
        lines += [profile_md]
    return "\n".join(lines).rstrip() + "\n"


def write_doc(text: str) -> None:
    """Put the report between the markers of docs/benchmarks.md, keeping the text around them."""
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def git_commit() -> str:
    """The short commit of the tree being measured (with + when it has local changes)."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return git("rev-parse", "--short", "HEAD") + ("+" if git("status", "--porcelain", "--", "broadsheet") else "")


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, time, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=500, help="weekly issues in the synthetic site (default 500)")
    parser.add_argument("--sections", type=int, default=5, help="## sections per issue (default 5)")
    parser.add_argument("--charts", type=int, default=0, help="chart declarations per issue (default 0)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario; the median is reported (default 5)")
    parser.add_argument("--peers", action="store_true", help="also time Pelican and Hugo on the same corpus")
    parser.add_argument("--peers-venv", type=Path, default=Path(tempfile.gettempdir()) / "broadsheet-bench-peers",
                        help="virtualenv for Pelican and Hugo, created on first use (default: in the temp folder)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "broadsheet-bench",
                        help="where the synthetic sites are written (default: in the temp folder)")
    parser.add_argument("--profile", action="store_true", help="add cProfile summaries of a cold and a no-change build")
    parser.add_argument("--write-doc", action="store_true", help="write the report into docs/benchmarks.md")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)

    facts = machine_facts()
    loads = [f"start {load_text()}"]
    docs = make_corpus(args.issues, args.seed, args.sections)
    project = write_project(args.work / "broadsheet", docs, args.charts)
    corpus = {"issues": str(args.issues), "sections": str(args.sections), "commit": git_commit(),
              "mb": f"{sum(len(d.body[lang].encode()) for d in docs for lang in LANGS) / 1e6:.1f}"}
    print(f"timing broadsheet on {project} (load {load_text()})", file=sys.stderr)
    ours = bench_broadsheet(project, args.runs)
    loads.append(f"after broadsheet {load_text()}")
    pelican = hugo = None
    versions: dict[str, str] = {}
    if args.peers:
        tools = ensure_peers_venv(args.peers_venv)
        versions = peer_versions(tools)
        pelican = bench_pelican(write_pelican(args.work / "pelican", docs), tools["pelican"], args.runs)
        loads.append(f"after Pelican {load_text()}")
        hugo = bench_hugo(write_hugo(args.work / "hugo", docs), tools["hugo"], args.runs)
        loads.append(f"after Hugo {load_text()}")
    profile_md = profile(project) if args.profile else ""
    text = report(args, facts, ours, pelican, hugo, versions, corpus, loads, profile_md)
    high = max(os.getloadavg()[0], 0) > (os.cpu_count() or 1) * 0.75
    if high:
        text += f"\n> The machine was busy (1-minute load {os.getloadavg()[0]:.2f} on {facts['nproc']} cores): " \
                "other processes shared the cores, so these times are pessimistic.\n"
    print(text)
    if args.write_doc:
        write_doc(text)
        print(f"wrote {DOC.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
