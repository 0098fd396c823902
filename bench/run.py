"""Time broadsheet builds of a synthetic site as whole processes, optionally beside Pelican and Hugo.

    python bench/run.py --issues 500 --runs 5 --peers --profile --write-doc

Each scenario is timed as a separate process (the wall time an editor waits for), `--runs`
times, and reported as the median; peak memory is each build process's own maximum resident
set (measured by GNU time, or a small fork-and-wait launcher, not inherited from this script). Scenarios, in this order:

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

    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the process and its children
    max_rss_mb: float
    ready_seconds: float | None = None  # from the start until a background search index was swapped in


@dataclass
class Timings:
    """The runs of every scenario of one tool."""

    runs: dict[str, list[Run]] = field(default_factory=dict)

    def median(self, scenario: str, cpu: bool = False) -> float | None:
        """The median wall (or CPU) time of a scenario, or None when it was not run."""
        runs = self.runs.get(scenario)
        if not runs:
            return None
        return statistics.median(r.cpu_seconds if cpu else r.seconds for r in runs)

    def median_ready(self, scenario: str) -> float | None:
        """The median time until the search index was complete, for runs that indexed in the background."""
        ready = [r.ready_seconds for r in self.runs.get(scenario, []) if r.ready_seconds is not None]
        return statistics.median(ready) if ready else None

    def peak_mb(self) -> float:
        """The largest resident set of any process of this tool."""
        return max(r.max_rss_mb for runs in self.runs.values() for r in runs)


@dataclass
class Tool:
    """How to build one site, and what a cold build must not find."""

    name: str
    cmd: list[str]
    cwd: Path
    cold_paths: tuple[Path, ...]
    env: dict[str, str] | None = None
    search_jobs: Path | None = None  # broadsheet: the output folder whose background search job to wait for
    timings: Timings = field(default_factory=Timings)
    loads: list[float] = field(default_factory=list)  # the 1-minute load average as each run started

    def run(self, scenario: str) -> None:
        """Time one build and file it under `scenario`."""
        if scenario == "cold":
            clear(*self.cold_paths)
        self.loads.append(os.getloadavg()[0])
        started = time.perf_counter()
        run = timed(self.cmd, self.cwd, self.env)
        if self.search_jobs is not None:  # the next run starts once the index is swapped in
            jobs = list(self.search_jobs.parent.glob(f".{self.search_jobs.name}.search-*"))
            while any(job.exists() for job in jobs):
                time.sleep(0.02)
            if jobs:
                run.ready_seconds = time.perf_counter() - started
        self.timings.runs.setdefault(scenario, []).append(run)


# The peak memory of a process forked from this one starts at this process's own peak (Linux keeps
# the high-water mark across fork and exec), and this one holds pandas. So each build is started
# by a small launcher that forks it and reports its rusage: GNU time when installed, otherwise a
# bare `python -S` (a floor of a few MB, the same for every tool).
GNU_TIME = Path("/usr/bin/time")
LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execvp(sys.argv[2], sys.argv[2:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to completion; return its wall time, CPU time and own peak memory; fail loudly on error."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as rss:
        if GNU_TIME.exists():
            launch = [str(GNU_TIME), "--format", "%M", "--output", rss.name, *cmd]
        else:
            launch = [sys.executable, "-S", "-c", LAUNCHER, rss.name, *cmd]
        # Python's default, as on an editor's machine: bytecode is written and reused (a shell
        # with PYTHONDONTWRITEBYTECODE=1 would recompile broadsheet's modules on every build)
        env = {k: v for k, v in (os.environ if env is None else env).items() if k != "PYTHONDONTWRITEBYTECODE"}
        started = time.perf_counter()
        proc = subprocess.Popen(launch, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)  # CPU time includes the build, a reaped grandchild
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            tail = out.read().decode("utf-8", "replace")[-3000:]
            raise SystemExit(f"failed ({proc.returncode}): {shlex.join(cmd)}\n{tail}")
        max_rss_kb = int(rss.read().split()[-1])  # GNU time and the launcher both report kilobytes
    return Run(seconds, usage.ru_utime + usage.ru_stime, max_rss_kb / 1024)


def clear(*paths: Path) -> None:
    """Remove folders if they exist (a cold build starts without cache and output)."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def broadsheet_tool(project: Path) -> Tool:
    """broadsheet's build of the synthetic project, with the interpreter running this script."""
    out = project / "site"
    cmd = [sys.executable, str(REPO / "build.py"), "--root", str(project), "build", "--out", str(out)]
    return Tool("broadsheet", cmd, project, (project / ".cache", out), {**os.environ, "BROADSHEET_NO_VENV": "1"},
                search_jobs=out)


def pelican_tool(site: Path, pelican: Path) -> Tool:
    """Pelican with its content cache; a cold build has neither output/ nor cache/."""
    cmd = [str(pelican), "content", "-o", "output", "-s", "pelicanconf.py", "--quiet"]
    return Tool("Pelican", cmd, site, (site / "output", site / "cache"))


def hugo_tool(site: Path, hugo: Path) -> Tool:
    """Hugo (the binary itself); a cold build has no public/, resources/ or cache folder."""
    cmd = [str(hugo), "--quiet", "--destination", "public", "--cacheDir", str(site / ".hugo-cache")]
    return Tool("Hugo", cmd, site, (site / "public", site / "resources", site / ".hugo-cache"))


def bench(tools: list[Tool], runs: int) -> None:
    """Time every scenario; cold and no-change builds of all tools take turns, so load hits all alike."""
    for scenario in ("cold", "no-change"):
        for _ in range(runs):
            for tool in tools:
                tool.run(scenario)
        print("  " + ", ".join(f"{t.name} {scenario} {t.timings.median(scenario):.2f} s" for t in tools),
              file=sys.stderr)
    ours = tools[0]
    project = ours.cwd
    newest = max((project / "content" / "issues").iterdir()) / "zh-Hant.md"
    edits = {
        "one-issue edit": lambda n: append(newest, f"\n新增的段落 {n}:市場持續關注聯準會的下一步動作。\n"),
        "data change": lambda n: change_market_value(project / "data" / "markets.csv", n),
        "template change": lambda n: append(project / "templates" / "base.html", f"{{# bench edit {n} #}}\n"),
    }
    for scenario, edit in edits.items():
        for n in range(runs):
            edit(n)
            ours.run(scenario)
        print(f"  broadsheet {scenario} {ours.timings.median(scenario):.2f} s", file=sys.stderr)


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
    ("load data/", "store.py", "load_data"),
    ("read content/", "issues.py", "read_issues"),
    ("figures (evaluate expressions)", "evaluate.py", "evaluate_figures"),
    ("Markdown → HTML", "core.py", "convert"),
    ("render templates", "rendering.py", "render_site"),
    ("write site/", "writer.py", "swap"),
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


def ratio_row(label: str, limit: float, peer: str, ours: Timings, mine: str, theirs: Timings, their: str,
              cpu: bool = False) -> str:
    """One target line: medians, the ratio (wall time, or CPU time with `cpu`), its verdict, the CPU ratio."""
    a, b = ours.median(mine, cpu=cpu), theirs.median(their, cpu=cpu)
    ca, cb = ours.median(mine, cpu=True), theirs.median(their, cpu=True)
    if a is None or b is None or ca is None or cb is None:
        return f"| {label} | ≤ {limit:g} × {peer} | – | – | – | not measured | – |"
    ratio = a / b
    over = ratio / limit
    verdict = "met" if ratio <= limit else f"**missed**: {over:.2f}× the limit" if over < 1.1 else \
        f"**missed**: {over:.1f}× the limit"
    return f"| {label} | ≤ {limit:g} × {peer} | {a:.2f} s | {b:.2f} s | {ratio:.2f} | {verdict} | {ca / cb:.2f} |"


def report(args: argparse.Namespace, facts: dict[str, str], tools: list[Tool], versions: dict[str, str],
           corpus: dict[str, str], loads: list[str], profile_md: str) -> str:
    """The Markdown report: conditions, medians, target ratios, profile."""
    def cell(t: Tool, scenario: str) -> str:
        wall, cpu = t.timings.median(scenario), t.timings.median(scenario, cpu=True)
        return "–" if wall is None or cpu is None else f"{wall:.2f} s ({cpu:.2f} s)"

    run_loads = [x for t in tools for x in t.loads]
    lines = [
        f"Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} with:", "",
        "```", f"python bench/run.py {shlex.join(args.argv)}", "```", "",
        f"- machine: {facts['nproc']} cores ({facts['cpu']}), {facts['os']}, Python {facts['python']}",
        f"- load average (1/5/15 min): {'; '.join(loads)}; 1-minute load as each timed run started: "
        f"median {statistics.median(run_loads):.2f}, max {max(run_loads):.2f}",
        f"- corpus: {corpus['issues']} issues × {len(LANGS)} languages, {corpus['sections']} sections each, "
        f"{corpus['mb']} MB of Markdown with {corpus['figures']} figure expressions, seed {args.seed}, "
        f"{args.charts} charts per issue",
        f"- broadsheet {corpus['commit']}"
        + (f"; Pelican {versions['pelican']} (Python-Markdown {versions['markdown']}); Hugo {versions['hugo']}"
           if versions else ""),
        f"- each cell: the median of {args.runs} whole-process runs, wall time (CPU time: user + system); "
        "cold and no-change builds of the tools took turns; memory is the largest peak resident set of any "
        "process of that tool",
        "",
        "| scenario | " + " | ".join(t.name for t in tools) + " |", "|---|" + "---:|" * len(tools),
    ]
    for scenario in SCENARIOS:
        lines.append(f"| {scenario} | " + " | ".join(cell(t, scenario) for t in tools) + " |")
        ready = tools[0].timings.median_ready(scenario)
        if ready is not None:
            lines.append(f"| {scenario}: until the background search index is swapped in | {ready:.2f} s |"
                         + " – |" * (len(tools) - 1))
    lines += ["| peak memory | " + " | ".join(f"{t.timings.peak_mb():.0f} MB" for t in tools) + " |", ""]
    if len(tools) == 3:
        ours, pelican, hugo = (t.timings for t in tools)
        lines += ["| target | limit | broadsheet | peer | ratio | verdict | CPU-time ratio |",
                  "|---|---|---:|---:|---:|---|---:|",
                  ratio_row("cold vs Pelican cold (wall)", 1.0, "Pelican", ours, "cold", pelican, "cold"),
                  ratio_row("cold vs Pelican cold (CPU)", 1.2, "Pelican", ours, "cold", pelican, "cold", cpu=True),
                  ratio_row("moonshot: cold vs Pelican cold", 0.4, "Pelican", ours, "cold", pelican, "cold"),
                  ratio_row("moonshot: cold vs Hugo cold", 1.2, "Hugo", ours, "cold", hugo, "cold"),
                  ratio_row("no-change vs Hugo no-change", 0.25, "Hugo", ours, "no-change", hugo, "no-change"),
                  ratio_row("one-issue edit vs Hugo no-change", 1.0, "Hugo", ours, "one-issue edit", hugo,
                            "no-change")]
        mem = ours.peak_mb() / hugo.peak_mb()
        verdict = "met" if mem <= 1 else f"**missed**: {mem:.2f}× Hugo's"
        lines += [f"| peak memory vs Hugo | ≤ 1 × Hugo | {ours.peak_mb():.0f} MB | {hugo.peak_mb():.0f} MB | "
                  f"{mem:.2f} | {verdict} | – |", ""]
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
    docs = make_corpus(args.issues, args.seed, args.sections, args.charts)
    project = write_project(args.work / "broadsheet", docs)
    corpus = {"issues": str(args.issues), "sections": str(args.sections), "commit": git_commit(),
              "mb": f"{sum(len(d.body[lang].encode()) for d in docs for lang in LANGS) / 1e6:.1f}",
              "figures": str(sum(d.body[lang].count("{{") for d in docs for lang in LANGS))}
    tools = [broadsheet_tool(project)]
    versions: dict[str, str] = {}
    if args.peers:
        found = ensure_peers_venv(args.peers_venv)
        versions = peer_versions(found)
        tools.append(pelican_tool(write_pelican(args.work / "pelican", docs), found["pelican"]))
        tools.append(hugo_tool(write_hugo(args.work / "hugo", docs), found["hugo"]))
    print(f"timing {', '.join(t.name for t in tools)} in {args.work} (load {load_text()})", file=sys.stderr)
    bench(tools, args.runs)
    loads.append(f"end {load_text()}")
    profile_md = profile(project) if args.profile else ""
    loads.append(f"after profiling {load_text()}")
    text = report(args, facts, tools, versions, corpus, loads, profile_md)
    busy = statistics.median(x for t in tools for x in t.loads)
    if busy > (os.cpu_count() or 1) * 0.75:
        text += f"\n> The machine was busy (median 1-minute load {busy:.2f} on {facts['nproc']} cores as the runs " \
                "started): other processes shared the cores, so wall times are pessimistic; CPU times suffer less.\n"
    print(text)
    if args.write_doc:
        write_doc(text)
        print(f"wrote {DOC.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
