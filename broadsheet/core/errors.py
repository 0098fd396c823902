"""Errors that point at a file and line, and the collector that gathers them before failing once."""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# a quoted value longer than this in a message is cut: a message names a value, it does not copy it.
# A quote right after a letter or digit closes a value ("previous") or is an apostrophe (day's), so
# it opens none: the text between two quoted values is never taken for one
LONG_QUOTE_RE = re.compile(r"(?<!\w)'[^'\n]{80}[^'\n]+'|(?<!\w)\"[^\"\n]{80}[^\"\n]+\"")
MAX_MESSAGE = 2000


def shorten(message: str) -> str:
    """Cut every long quoted value of a message to its first 60 characters, and the whole to 2,000."""
    message = LONG_QUOTE_RE.sub(lambda m: m.group()[:61] + "…" + m.group()[-1], message)
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"


class BroadsheetError(Exception):
    """Base class of every error the build reports to the user (never shown as a traceback)."""


class SourceError(BroadsheetError):
    """A problem in an input file: `path:line: message (hint)`."""

    def __init__(self, path: Path | str, line: int | None, message: str, hint: str | None = None):
        self.path = Path(path)
        self.line = line
        self.message = shorten(message)
        self.hint = hint
        super().__init__(self.format())

    def __reduce__(self) -> tuple[Any, ...]:
        # a page's problems come back from the assembly processes pickled; Exception's own
        # reduction would call __init__ with the formatted text alone
        return type(self), (self.path, self.line, self.message, self.hint)

    def format(self, root: Path | None = None) -> str:
        """Render as `path:line: message (hint)`, the path relative to `root` when possible."""
        path = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                path = self.path.resolve().relative_to(root.resolve())
        where = f"{path}:{self.line}" if self.line else f"{path}"
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class MachineWarning(SourceError):
    """A warning about the machine the command runs on, not about the project (no CJK font for the
    chart images): printed like any warning, but `check`, which judges the sources, does not count
    it in its exit status. `build --strict` still fails on it: the site it would write shows it."""


class FigureError(BroadsheetError):
    """A figure expression could not be computed; the Markdown stage adds the file and line."""

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.message, self.hint)


class SeriesNotFound(FigureError):
    """A figure or chart names a series or indicator that the data catalog does not have."""


class NoDataForDate(FigureError):
    """A figure asks for a date on which the series has no value."""


class ReportedElsewhere(FigureError):
    """An expression that cannot be placed because its source failed and has been reported at its
    own line (a chart whose declaration in charts.yaml has a mistake): the expression is left out
    without a second report, so one mistake is one problem."""


class BuildFailed(BroadsheetError):
    """One or more problems, each `path:line: message (hint)`: the one way a step reports many.

    A loader or a stage raises it (or records each problem in `Problems`); the build stops, nothing
    is written to the site, and the CLI prints every problem.
    """

    def __init__(self, problems: list[SourceError]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.problems,)

    @property
    def errors(self) -> list[SourceError]:
        """The problems (the name the Markdown stage's callers use)."""
        return self.problems


@dataclass
class Problems:
    """Collects every problem of a stage so the user sees them all at once."""

    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)

    def error(self, err: SourceError) -> None:
        """Record an error (the build will fail at the next checkpoint)."""
        self.errors.append(err)

    def warn(self, err: SourceError) -> None:
        """Record a warning (printed, does not fail the build unless --strict); the same warning
        again (e.g. "no CJK font" from each batch of charts) is recorded once."""
        if not any(str(err) == str(seen) for seen in self.warnings):
            self.warnings.append(err)

    def checkpoint(self, strict: bool = False) -> None:
        """Raise BuildFailed if any error (or, when strict, any warning) has been recorded."""
        failing = self.errors + (self.warnings if strict else [])
        if failing:
            raise BuildFailed(failing)

    def print_warnings(self, root: Path) -> None:
        """Print the warnings on stderr as `path:line: warning: message` lines."""
        for w in self.warnings:
            print(w.format(root).replace(": ", ": warning: ", 1), file=sys.stderr)


class FigureProblems(BuildFailed):
    """The problems of one page's figure expressions (a BuildFailed: the one way to report many)."""
