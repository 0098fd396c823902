"""`publish` and `correct` on the command line: an issue's figure lock (build/publish.py does the work,
imported only when one of them runs)."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from pathlib import Path

from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BroadsheetError, BuildFailed, SourceError
from broadsheet.figures.lock import LOCK_FILE


def add_lock_commands(sub: argparse._SubParsersAction) -> None:
    """The `publish` and `correct` sub-commands."""
    publish = sub.add_parser(
        "publish", help="lock a published issue's figures and charts (figures.lock.json), to commit with it",
        description="Compute every figure and chart of the issue's editions from data/ as it is now and write "
                    "content/issues/<issue>/figures.lock.json. From then on a build that would print another "
                    "value stops at its line. On a locked issue, refuses when a published value would change "
                    "(use `correct`, or --keep). A draft is never locked.")
    publish.add_argument("issue", nargs="?", default=None,
                         help="the issue folder, e.g. 2025-04-13-tariff-shock (or its slug)")
    publish.add_argument("--all", action="store_true",
                         help="lock every published issue that has no lock yet (an existing lock is never rewritten)")
    publish.add_argument("--keep", action=argparse.BooleanOptionalAction, default=None,
                         help="--keep: when the data changes a published value, print the published one (its "
                              "receipt names the revision); --no-keep: stop the build (the default). On a "
                              "locked issue only this setting changes")
    correct = sub.add_parser(
        "correct", help="record a dated correction of the published values the data now changes",
        description="Compare the issue's figures and charts with its lock; record each changed value (old and "
                    "new, every edition) in content/issues/<issue>/corrections.yaml with the note, and write "
                    "the new lock. The page shows the correction; the feeds mark the item updated.")
    correct.add_argument("issue", help="the issue folder, e.g. 2025-04-13-tariff-shock (or its slug)")
    correct.add_argument("--note", required=True, help="what changed and why, shown in the corrections box")
    correct.add_argument("--date", type=dt.date.fromisoformat, default=None,
                         help="the correction's date, YYYY-MM-DD (default: today in the site's time zone)")


def kept_locks(content_dir: Path, folders: list[str]) -> list[str]:
    """The left-out drafts that keep a figure lock (published once)."""
    return [name for name in folders if (content_dir / "issues" / name / LOCK_FILE).is_file()]


def _context(root: Path) -> BuildContext:
    return BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site")


def _failed(exc: BroadsheetError, root: Path, command: str) -> int:
    for problem in exc.problems if isinstance(exc, BuildFailed) else [exc]:
        print(problem.format(root) if isinstance(problem, SourceError) else str(problem), file=sys.stderr)
    print(f"{command}: nothing was written", file=sys.stderr)
    return 1


def run_publish(args: argparse.Namespace, root: Path) -> int:
    """Write or update an issue's figure lock."""
    publish = importlib.import_module("broadsheet.build.publish")
    if (args.issue is None) == (not args.all) or (args.all and args.keep is not None):
        print("publish: name one issue, or give --all (without --keep)", file=sys.stderr)
        return 2
    try:
        if args.all:
            written = publish.lock_unlocked(_context(root))
            print(f"locked {len(written)} issue(s) that had no lock", file=sys.stderr)
            return 0
        done = publish.publish_issue(_context(root), args.issue, args.keep)
    except BroadsheetError as exc:
        return _failed(exc, root, "publish")
    print(f"locked {done.figures} figure(s) and {done.charts} chart(s) in {os.path.relpath(done.lock, root)}; "
          "commit it with the issue")
    return 0


def run_correct(args: argparse.Namespace, root: Path) -> int:
    """Record a correction of the published values that changed, and the new lock."""
    publish = importlib.import_module("broadsheet.build.publish")
    try:
        done = publish.correct_issue(_context(root), args.issue, args.note, args.date)
    except BroadsheetError as exc:
        return _failed(exc, root, "correct")
    for change in done.changes:
        print(f"{change.lang}: {change.expression}: {change.was} → {change.now}")
    for chart in done.chart_changes:
        print(f"{chart.lang}: chart {chart.name!r}: {len(chart.moved)} point(s) revised")
    print(f"recorded in {os.path.relpath(done.corrections, root)}; wrote {os.path.relpath(done.lock, root)}; "
          "commit both")
    return 0
