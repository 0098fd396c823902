"""One line for everything that is not a problem in a source file: the environment, Ctrl-C, a bug.

The command line never shows a traceback: a full disk, a read-only project, an `--out` under a
file, Ctrl-C at any moment or an input nested too deeply end in one `broadsheet: …` line and
exit status 1 (130 for Ctrl-C). Set BROADSHEET_DEBUG=1 to see the traceback of an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

DEBUG_ENV = "BROADSHEET_DEBUG"
INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C (128 + SIGINT)
TEMP_FOLDER_RE = re.compile(r"\.([^/]+)\.(?:new|old)-[0-9a-f]+")  # the writer's .site.new-1a2b3c4d

ERRNO_TEXT = {
    errno.ENOSPC: "no space left on the device writing {where}",
    errno.EDQUOT: "disk quota exceeded writing {where}",
    errno.EROFS: "the file system is read-only: cannot write {where}",
    errno.EACCES: "permission denied: {where}",
    errno.EPERM: "operation not permitted: {where}",
    errno.ENOTDIR: "{where}: a part of this path is a file, not a folder",
    errno.EISDIR: "{where} is a folder, not a file",
    errno.ENAMETOOLONG: "a file name is too long: {where}",
    errno.EMFILE: "too many open files (raise the limit with `ulimit -n`)",
    errno.ENOENT: "{where} does not exist",
    errno.ELOOP: "{where}: too many levels of symbolic links",
}


def shown_path(name: object, root: Path | None) -> str:
    """A path as the user should see it: relative to the project when inside it."""
    if name is None:
        return "a file"
    path = Path(os.fsdecode(name)) if isinstance(name, str | bytes) else Path(str(name))
    if root is not None:
        with contextlib.suppress(ValueError, OSError):
            path = path.resolve().relative_to(root.resolve())
    return TEMP_FOLDER_RE.sub(r"\1", str(path))  # the folder being written stands for site/


def os_error_text(exc: OSError, root: Path | None = None) -> str:
    """`no space left on the device writing site/…` and the like, from an OSError."""
    where = shown_path(exc.filename, root)
    template = ERRNO_TEXT.get(exc.errno or 0)
    if template is not None:
        return template.format(where=where)
    reason = exc.strerror or type(exc).__name__
    return f"{reason}: {where}" if exc.filename is not None else reason


def failure_text(exc: BaseException, root: Path | None = None) -> str:
    """One line saying what went wrong, for any exception that is not a BroadsheetError."""
    if isinstance(exc, OSError):
        return os_error_text(exc, root)
    if isinstance(exc, RecursionError):
        return "an input is nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "out of memory (an input is too large)"
    detail = str(exc).split("\n")[0][:200]
    return (f"internal error: {type(exc).__name__}{': ' + detail if detail else ''} (a bug in "
            f"broadsheet; run again with {DEBUG_ENV}=1 for the details)")


def print_failure(exc: BaseException, root: Path | None = None, outcome: str = "") -> int:
    """Print one `broadsheet: …` line on stderr (the traceback too with BROADSHEET_DEBUG=1)."""
    if isinstance(exc, KeyboardInterrupt):
        print("broadsheet: interrupted" + (f"; {outcome}" if outcome else ""), file=sys.stderr)
        return INTERRUPTED
    if os.environ.get(DEBUG_ENV) == "1":
        traceback.print_exception(exc, file=sys.stderr)
    print(f"broadsheet: {failure_text(exc, root)}" + (f"; {outcome}" if outcome else ""),
          file=sys.stderr)
    return 1


@contextlib.contextmanager
def held_interrupts() -> Iterator[None]:
    """Hold Ctrl-C back in this thread while worker processes are started and run.

    Workers inherit the blocked signal, so a Ctrl-C never reaches them (each would print its own
    traceback); this process gets it as soon as the block ends and reports it in one line.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    # imported here, not at the top: every command imports this module (print_failure), and
    # multiprocessing costs a no-change build 6 ms; the process pools that call this load it anyway
    from multiprocessing import resource_tracker

    # started now, not by the first spawned worker: starting it unblocks SIGINT in this thread
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
