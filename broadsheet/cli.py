"""Command line: `python build.py [build|test] …` and the `broadsheet` console script."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import load_config
from .context import BuildContext
from .errors import BroadsheetError, BuildFailed, SourceError


def _add_build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=None, help="output folder (default: site/)")
    p.add_argument("--base-url", default=None, help="build for another base URL, e.g. https://user.github.io/repo/")
    p.add_argument("--drafts", action="store_true", help="include issues with `draft: true`")
    p.add_argument("--strict", action="store_true", help="treat warnings (e.g. stale translations) as errors")


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="broadsheet: build the bilingual markets newsletter site from content/, data/ and templates/.",
    )
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser("build", help="build the site into site/ (the default command)",
                           description="Build the site. Nothing is written unless every input is valid.")
    _add_build_options(build)
    test = sub.add_parser("test", help="run the test suite (pytest) inside the project's .venv",
                          description="Run pytest; extra arguments are passed to it.")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments for pytest")
    return parser


def report(exc: BroadsheetError, root: Path) -> None:
    """Print an error as `path:line: message` lines on stderr."""
    problems = exc.problems if isinstance(exc, BuildFailed) else [exc]
    for problem in problems:
        text = problem.format(root) if isinstance(problem, SourceError) else str(problem)
        print(text, file=sys.stderr)
    if isinstance(exc, BuildFailed):
        print(f"build failed: {len(problems)} problem(s); the site was not changed", file=sys.stderr)


def run_build(args: argparse.Namespace, root: Path) -> int:
    """Build the site; return the exit status."""
    from .pipeline import build

    try:
        config = load_config(root / "site.yaml")
        if args.base_url:
            config = config.with_base_url(args.base_url)
        ctx = BuildContext(root=root, config=config, out_dir=(args.out or root / "site"),
                           drafts=args.drafts, strict=args.strict)
        result = build(ctx)
    except BroadsheetError as exc:
        report(exc, root)
        return 1
    ctx.problems.print_warnings(root)
    where = os.path.relpath(ctx.out_dir, Path.cwd())
    print(f"built {result.pages} page(s), {result.files} file(s) into {where} in {result.seconds:.2f} s")
    return 0


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    """Entry point of build.py and the `broadsheet` console script."""
    args = make_parser().parse_args(argv)
    root = (args.root or root or Path.cwd()).resolve()
    command = args.command or "build"
    if command == "build":
        if args.command is None:
            args = make_parser().parse_args(["build"])
        return run_build(args, root)
    if command == "test":
        os.chdir(root)
        os.execv(sys.executable, [sys.executable, "-m", "pytest", *args.pytest_args])
    return 2
