"""Command line: `python build.py [build|serve|new|check|fetch|data|test] …` and the `broadsheet` script.

This module only wires arguments to the modules that do the work (pipeline, serve, scaffold,
check, fetch); run `python build.py COMMAND --help` for each command's options.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse

from broadsheet.commands.published import add_lock_commands, kept_locks, run_correct, run_publish
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BroadsheetError, BuildFailed, SourceError
from broadsheet.core.failures import print_failure
from broadsheet.core.limits import excerpt


def command_module(name: str) -> ModuleType:
    """The module a command runs (broadsheet.build.pipeline for `build`), imported as the command runs.

    The CLI's one lazy import: every run_… function below reaches its command's module through
    it. Imported at start-up, they would load for `--help` and for a no-change build what only
    other commands use: pandas (`check`), watchfiles (`serve`), the HTTP and TLS stack (`fetch`),
    and the data modules, which take longer to import than a no-change build takes to run
    (tests/test_incremental.py checks that one imports no pandas).
    """
    return importlib.import_module(name)


def _add_build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=None, help="output folder (default: site/)")
    p.add_argument("--base-url", default=None, help="build for another base URL, e.g. https://user.github.io/repo/")
    p.add_argument("--drafts", action="store_true", help="include issues with `draft: true`")
    p.add_argument("--strict", action="store_true", help="treat warnings (e.g. stale translations) as errors")


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="broadsheet" if Path(sys.argv[0]).name == "broadsheet" else "build.py",  # the console script
        description="broadsheet: build the bilingual markets newsletter site from content/, data/ and templates/.",
    )
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser("build", help="build the site into site/ (the default command)",
                           description="Build the site. Nothing is written unless every input is valid.")
    _add_build_options(build)
    build.add_argument("--clean", action="store_true",
                       help="build everything again, ignoring what the last build recorded "
                            "(by default only what changed since then is rebuilt)")
    build.add_argument("--wait-search", action="store_true",
                       help="index the site for search before the build returns (CI=true implies it); "
                            "by default an incremental build keeps the previous index, whose pages all "
                            "still exist, and updates it in the background")
    serve = sub.add_parser(
        "serve", help="preview with drafts on 127.0.0.1; rebuild and reload on every change",
        description="Build the site with drafts into a preview folder and serve it; watch "
                    "content/, data/, templates/, static/, translations/ and site.yaml, rebuild on "
                    "every change and reload the open page. A build error is printed here and "
                    "shown over the page; the last good site stays served.")
    serve.add_argument("--port", type=int, default=8000,
                       help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--out", type=Path, default=None, help="preview folder (default: .preview/)")
    serve.add_argument("--no-drafts", dest="drafts", action="store_false",
                       help="leave drafts out, as a published build does")
    new = sub.add_parser(
        "new", help="scaffold next week's issue folder with both language files",
        description="Create content/issues/<date>-<slug>/ with zh-Hant.md and en.md: front "
                    "matter filled in (draft: true) and the usual sections as headings. "
                    "Never overwrites an existing folder.")
    new.add_argument("title", help="the issue's title (in the default language)")
    new.add_argument("--date", default=None,
                     help="issue date YYYY-MM-DD (default: the coming Sunday, site time zone)")
    new.add_argument("--slug", default=None, help="URL slug (default: made from the title)")
    check = sub.add_parser(
        "check", help="report every problem without writing the site",
        description="Load, compute and render everything in memory and print every problem as "
                    "`path:line: message`: front matter, unknown series or functions, dates "
                    "outside the data, broken internal links and #anchors, missing or stale "
                    "translations, images without alt text. Exit status 1 when anything is found; a "
                    "warning about this machine (no CJK font for the charts) is printed, not counted.")
    check.add_argument("--base-url", default=None, help="check the links for another base URL")
    check.add_argument("--no-drafts", dest="drafts", action="store_false",
                       help="check only what a published build holds (default: drafts too)")
    fetch = sub.add_parser(
        "fetch", help="refresh data/ from each series' and release's source (FRED, ALFRED, CSV)",
        description="Download every catalog series and release that has a fetch source, check every "
                    "value, add the new rows to data/markets.csv and data/releases.csv (existing values "
                    "are kept unless --overwrite) and record the retrieval date in data/catalog.yaml. "
                    "If anything fails, nothing changes. FRED and ALFRED sources need FRED_API_KEY in the "
                    "environment; CSV addresses do not.")
    fetch.add_argument("--series", nargs="+", metavar="ID", default=None,
                       help="catalog series or releases to fetch (default: every one with a source)")
    fetch.add_argument("--api-url", default=None,
                       help="FRED API root (default: $BROADSHEET_FRED_API, else https://api.stlouisfed.org/fred)")
    fetch.add_argument("--overwrite", action="store_true",
                       help="replace existing values that the source has since revised")
    fetch.add_argument("--timeout", type=float, default=30.0,
                       help="seconds each whole download may take (default: 30)")
    _add_data_command(sub)
    translated = sub.add_parser(
        "translated", help="record in en.md that the translation matches the original as it is now",
        description="Write the original's current hash (translated_from) and its paragraphs' hashes "
                    "(translated_paragraphs) into the front matter of each translation of the issue, "
                    "so the build stops warning that it is stale and can later name the paragraphs "
                    "that change.")
    translated.add_argument("issue", help="the issue folder, e.g. 2025-04-13-tariff-shock (or its slug)")
    add_lock_commands(sub)
    test = sub.add_parser("test", help="run the test suite (pytest) inside the project's .venv",
                          description="Run pytest; every argument after `test` is passed to it "
                          "(`test --slow`, `test -k feeds -n 0`; pytest's own help: `test -- --help`), but "
                          "`--unit`, which runs only the unit tests (they build no site): the quick loop.")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments for pytest")
    return parser


def _add_data_command(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="enter what fetch cannot get: a close, a history of closes, a consensus",
                          description="`data add SERIES DATE VALUE` (a close of a daily series), `data import SERIES "
                                      "FILE` (closes from a CSV export), `data add INDICATOR PERIOD --consensus X "
                                      "--source TEXT` (a release value): checked as fetch checks what it downloads, "
                                      "written atomically into data/ (docs/data.md).")
    actions = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", help="add a close of a daily series, or add or fill in a release value",
        description="A close: `data add TAIEX 2025-04-07 19232.35` (checked on the series' exchange calendar, "
                    "against its max_daily_move_pct and the close already there). A release value: `data add "
                    "CPI_YOY 2025-04 --consensus 2.4 --release-date 2025-05-13 --source TEXT`. See docs/data.md.")
    add.add_argument("indicator", metavar="ID",
                     help="a series of data/catalog.yaml (TAIEX, SP500) or a release (CPI_YOY, ISM_MFG_PMI)")
    add.add_argument("period", metavar="DATE|PERIOD",
                     help="a series: the day of the close, YYYY-MM-DD; a release: its month, YYYY-MM")
    add.add_argument("value", nargs="?", default=None, metavar="VALUE", help="a series: the close (a plain number)")
    for name in ("actual", "consensus", "prior"):
        add.add_argument(f"--{name}", default=None, metavar="X", help=f"a release: the {name} value (a plain number)")
    add.add_argument("--release-date", default=None, help="a release: YYYY-MM-DD (required for a new row)")
    add.add_argument("--source", default=None,
                     help="a release: where the value was read (required; recorded in the row); a close: the tag "
                          "under sources: in data/catalog.yaml (default: the series' own source)")
    add.add_argument("--replace", "--overwrite", dest="replace", action="store_true",
                     help="replace a value the file already holds (both spellings mean the same)")
    add.set_defaults(usage_error=add.error)
    load = actions.add_parser(
        "import", help="add a history of closes of a daily series from a CSV file",
        description="Read FILE (a CSV with a header row; a TWSE, Yahoo Finance or spreadsheet export) and add "
                    "its closes to data/markets.csv, each checked as fetch checks what it downloads; one "
                    "refused row and nothing is written. Says what was added, replaced, kept and refused.")
    load.add_argument("series", help="a daily series of data/catalog.yaml, e.g. TAIEX")
    load.add_argument("file", type=Path, help="the CSV file")
    load.add_argument("--date-column", default="date", help="the header of the dates (default: date)")
    load.add_argument("--value-column", default="value", help="the header of the closes (default: value)")
    load.add_argument("--date-format", default="%Y-%m-%d",
                      help="the dates' strptime format (default: %%Y-%%m-%%d); %%ROC is a year of the ROC "
                           "calendar (114 = 2025), as in TWSE's Chinese exports: %%ROC/%%m/%%d")
    load.add_argument("--thousands", default=None, metavar="SEP",
                      help='the values\' thousands separator, e.g. "," for 19,232.35 (default: none allowed)')
    load.add_argument("--encoding", default="utf-8", help="the file's encoding (default: utf-8; TWSE: cp950)")
    load.add_argument("--skip-closed", action="store_true",
                      help="leave out rows on days the exchange was closed, as fetch does (default: refuse them)")
    load.add_argument("--source", default=None,
                      help="the tag under sources: in data/catalog.yaml (default: the series' own source)")
    load.add_argument("--overwrite", action="store_true", help="replace closes the file already holds")


def checked_base_url(url: str) -> str:
    """`--base-url` as given, if it is an absolute http(s) URL (every feed and canonical link uses it)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() or ord(c) < 32 for c in url):
        raise BroadsheetError(f"--base-url must be an absolute http(s) URL such as "
                              f"https://user.github.io/repo/, got {excerpt(url)}")
    return url


def report(exc: BroadsheetError, root: Path, outcome: str | None = "build failed: {n} problem(s); "
                                                                     "the site was not changed") -> None:
    """Print an error as `path:line: message` lines on stderr, then the command's outcome line."""
    problems = exc.problems if isinstance(exc, BuildFailed) else [exc]
    for problem in problems:
        text = problem.format(root) if isinstance(problem, SourceError) else str(problem)
        print(text, file=sys.stderr)
    if outcome:
        print(outcome.format(n=len(problems)), file=sys.stderr)


def run_build(args: argparse.Namespace, root: Path) -> int:
    """Build the site; return the exit status."""
    pipeline = command_module("broadsheet.build.pipeline")
    searchjob = command_module("broadsheet.build.searchjob")
    try:
        config = load_config(root / "site.yaml")
        if args.base_url:
            config = config.with_base_url(checked_base_url(args.base_url))
        ctx = BuildContext(root=root, config=config, out_dir=(args.out or root / "site"),
                           drafts=args.drafts, strict=args.strict, clean=args.clean,
                           search_in_background=searchjob.in_background(args.wait_search))
        result = pipeline.build(ctx)
    except BroadsheetError as exc:
        report(exc, root)
        return 1
    except KeyboardInterrupt:
        # the writer has removed its unfinished folder; the previous site is still in place
        print("build interrupted; the site was not changed", file=sys.stderr)
        return 130
    except Exception as exc:  # a full disk, a read-only folder, a bug: one line, never a traceback
        return print_failure(exc, root, "the last site is intact")
    ctx.problems.print_warnings(root)
    if ctx.drafts_left_out:
        locked = "".join(f"; {name} keeps its published figure lock" for name in kept_locks(ctx.content_dir,
                                                                                        ctx.drafts_left_out))
        print(f"left out {len(ctx.drafts_left_out)} draft(s): {', '.join(ctx.drafts_left_out)} "
              f"(serve or build --drafts shows them){locked}", file=sys.stderr)
    where = os.path.relpath(ctx.out_dir, Path.cwd())
    if result.nothing_changed:
        print(f"nothing changed since the last build: {where} is up to date ({result.seconds:.2f} s)")
        return 0
    cached = result.charts_total - result.charts_rendered
    print(f"built {result.pages} page(s), {result.files} file(s), {result.charts_total} chart(s) "
          f"({result.charts_rendered} rendered, {cached} from cache) into {where} in {result.seconds:.2f} s; "
          f"{result.pages_rendered} issue page(s) rendered, {result.files_written} file(s) written")
    if result.search_pending:
        print("search: the previous index serves until the new one is swapped in, in a few seconds "
              "(`build --wait-search` waits for it)")
    return 0


def run_serve(args: argparse.Namespace, root: Path) -> int:
    """Serve a live preview until interrupted."""
    preview = command_module("broadsheet.commands.serve")
    return preview.serve(root, host=args.host, port=args.port, out_dir=args.out or root / ".preview",
                 drafts=args.drafts)


def run_new(args: argparse.Namespace, root: Path) -> int:
    """Scaffold an issue folder."""
    scaffold = command_module("broadsheet.commands.scaffold")
    try:
        config = load_config(root / "site.yaml")
        folder = scaffold.scaffold_issue(root, config, args.title, date=args.date, slug=args.slug)
    except BroadsheetError as exc:
        report(exc, root, "new: nothing was created")
        return 1
    for path in sorted(folder.iterdir()):
        print(f"created {path.relative_to(root)}")
    return 0


def run_check(args: argparse.Namespace, root: Path) -> int:
    """Check the project; print `path:line: message` lines; 1 when anything was found in it
    (a warning about the machine, such as a missing CJK font, is printed but not counted)."""
    checks = command_module("broadsheet.checks.run")
    try:
        config = load_config(root / "site.yaml")
        if args.base_url:
            config = config.with_base_url(checked_base_url(args.base_url))
        ctx = BuildContext(root=root, config=config, out_dir=root / "site", drafts=args.drafts)
        result = checks.check_site(ctx)
    except BroadsheetError as exc:
        report(exc, root, "check: {n} error(s)")
        return 1
    for line in checks.format_result(result, root):
        print(line)
    machine = len(result.about_the_machine)
    # a warning about the machine (no CJK font) is printed but not counted: the status is the project's
    about_machine = f"; {machine} warning(s) about this machine, not the project" if machine else ""
    if result.ok:
        print(f"check: no problems in {result.pages} page(s){about_machine}", file=sys.stderr)
        return 0
    found = f"{len(result.errors)} error(s), {len(result.counted_warnings)} warning(s)"
    print(f"check: {found}{about_machine}", file=sys.stderr)
    return 1


def run_fetch(args: argparse.Namespace, root: Path) -> int:
    """Refresh data/ from each source."""
    fetch = command_module("broadsheet.data.fetch")
    try:
        result = fetch.fetch_data(root, series=args.series, api_url=args.api_url,
                            overwrite=args.overwrite, timeout=args.timeout)
    except BroadsheetError as exc:
        report(exc, root, "fetch: nothing was changed")
        return 1
    for line in fetch.format_report(result, root):
        print(line)
    return 0


def run_data(args: argparse.Namespace, root: Path) -> int:
    """`data add` (a close or a release value) and `data import` (closes from a CSV file)."""
    closes = command_module("broadsheet.data.closes")
    try:
        if args.data_command == "import":
            importcsv = command_module("broadsheet.data.importcsv")
            layout = importcsv.Layout(args.date_column, args.value_column, args.date_format, args.thousands,
                                      args.encoding)
            result = importcsv.import_closes(root, args.series, args.file, layout, args.source, args.overwrite,
                                             args.skip_closed)
            print("\n".join(closes.format_report(result, str(args.file))))
            return 0
        print(closes.data_add(root, args.indicator, args.period, args.value, {"actual": args.actual,
              "consensus": args.consensus, "prior": args.prior}, args.release_date, args.source, args.replace))
    except closes.SourceRequired as exc:
        args.usage_error(str(exc))  # exits with status 2, as argparse does for a missing option
    except BroadsheetError as exc:
        report(exc, root, "data: nothing was changed")
        return 1
    return 0


def run_translated(args: argparse.Namespace, root: Path) -> int:
    """Record that an issue's translations match its original as it is now."""
    translation = command_module("broadsheet.content.translation")
    try:
        config = load_config(root / "site.yaml")
        folder = translation.find_issue_folder(root / "content", args.issue)
        written = translation.record_translation(folder, config)
    except BroadsheetError as exc:
        report(exc, root, outcome=None)
        return 1
    for path in written:
        print(f"recorded the current {config.default_language.code}.md in {os.path.relpath(path, root)}")
    if not written:
        print(f"{folder.name} has no translation to record", file=sys.stderr)
    return 0


COMMANDS = {"build": run_build, "serve": run_serve, "new": run_new, "check": run_check,
            "fetch": run_fetch, "data": run_data, "translated": run_translated, "publish": run_publish,
            "correct": run_correct}


def _with_default_command(argv: list[str]) -> list[str]:
    """`build.py --base-url X` means `build.py build --base-url X`."""
    head, rest = (argv[:2], argv[2:]) if argv[:1] == ["--root"] else ([], argv)
    if not rest or (rest[0].startswith("-") and rest[0] not in ("-h", "--help")):
        rest = ["build", *rest]
    return head + rest


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    """Entry point of build.py and the `broadsheet` console script: one line for any failure."""
    try:
        return _main(argv, root)
    except KeyboardInterrupt as exc:
        return print_failure(exc)
    except Exception as exc:  # not a problem in a source (those are reported by each command)
        return print_failure(exc, root)


def pytest_args_of(argv: list[str]) -> list[str] | None:
    """The arguments for pytest when `argv` is the `test` command, else None.

    Everything after `test` goes to pytest as it is (`test --slow`, `test -k feeds -n 0`): argparse
    would refuse an option it does not know. A leading `--` is dropped (`test -- --slow` also works).
    `--unit` becomes `-m unit`: only the tests marked unit, which build no site.
    `test --help` is this command's help; pytest's is `test -- --help`.
    """
    rest = argv[2:] if argv[:1] == ["--root"] else argv
    if rest[:1] != ["test"] or rest[1:2] in (["-h"], ["--help"]):
        return None
    args = rest[2:] if rest[1:2] == ["--"] else rest[1:]
    if "--unit" in args:  # the quick loop: only the tests that build no site (tests/conftest.py)
        args = ["-m", "unit", *(arg for arg in args if arg != "--unit")]
    return args


def _main(argv: Sequence[str] | None, root: Path | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = pytest_args_of(argv)
    if pytest_args is None:
        args = make_parser().parse_args(_with_default_command(argv))
    else:  # only `--root` is read here
        args = make_parser().parse_args([*(argv[:2] if argv[:1] == ["--root"] else []), "test"])
    root = (args.root or root or Path.cwd()).resolve()
    command = args.command
    if command in COMMANDS:
        return COMMANDS[command](args, root)
    if pytest_args is not None:
        os.chdir(root)
        # Python's default, as on an editor's machine (and bench/run.py's timed builds): bytecode
        # written once and read again. A shell with PYTHONDONTWRITEBYTECODE=1, as on this project's
        # machines, had each worker and each build process the suite starts compile broadsheet's
        # modules and the test files again (pytest's rewritten tests alone: 0.9 s a worker)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.execv(sys.executable, [sys.executable, "-m", "pytest", *pytest_args])
    return 2
