"""Replace several files of data/ together: a kill at any moment leaves the old set or the new set.

`commit(data_dir, {name: text})`:

1. every new file is written and fsynced into `data/.txn/` (a kill here: old set, and the next
   reader removes the folder);
2. the journal `data/.txn/JOURNAL` listing the names is written and renamed into place: the
   commit point;
3. each new file is renamed over its old one (os.replace, atomic per file);
4. the journal and the folder are removed.

A reader (`load_data`, `fetch`, `data add`) first calls `recover()`: with a journal it finishes
step 3 for the files still waiting (the new set), without one it removes the folder (the old set).
So whatever moment a kill hits, the data read afterwards is one whole set. The folder lives inside
data/ so every rename stays on one file system and `serve`'s watcher of data/ keeps working.
Every file is written with LF line endings (`lf()`), whatever the platform and whatever endings
the old file had; readers accept CRLF. A commit, and a reader's recovery and reading (`locked`),
hold an flock on the data/ folder itself, so a build running beside a fetch (`serve` rebuilds on
every change) never reads a set half-renamed nor tidies away a commit still being written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from broadsheet.core.errors import BroadsheetError

try:  # POSIX; where flock does not exist the lock is skipped (one writer at a time is then the editor's care)
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms the project supports
    fcntl = None  # type: ignore[assignment]

TXN = ".txn"
JOURNAL = "JOURNAL"
# tests set this to see (or kill the process at) each step; called with the step's name
step_hook: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if step_hook is not None:
        step_hook(name)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def lf(text: str) -> str:
    """`text` with LF line endings: the data files are written with LF whatever the platform or the
    file's old endings (a CRLF file still reads, as every reader takes CRLF; no cell may hold a
    line break, so nothing inside a value changes)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_text(rows: list[dict[str, str]], columns: list[str]) -> str:
    """The rows as a data CSV: a header of `columns`, one line per row, LF line endings."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _write(path: Path, text: str) -> None:
    # newline="": written as given, never translated to the platform's line ending (Windows' CRLF)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(lf(text))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o644)


@contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold the data/ folder's lock (exclusive: commits and recoveries are short)."""
    if fcntl is None or not data_dir.is_dir():
        yield
        return
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def recover(data_dir: Path) -> None:
    """Finish a commit that passed its commit point, or drop one that did not (call under `locked`)."""
    txn = data_dir / TXN
    if not txn.is_dir():
        return
    journal = txn / JOURNAL
    if journal.exists():
        for name in json.loads(journal.read_text(encoding="utf-8")):
            waiting = txn / name
            if waiting.exists():
                os.replace(waiting, data_dir / name)
        _fsync_dir(data_dir)
    shutil.rmtree(txn, ignore_errors=True)


class DataChanged(BroadsheetError):
    """A file of data/ changed between being read and being replaced; nothing was written."""


def snapshot(data_dir: Path, names: list[str]) -> dict[str, bytes]:
    """The bytes of data/ files as read now (under `locked`), for `commit(expected=…)`."""
    return {name: (data_dir / name).read_bytes() for name in names}


def commit(data_dir: Path, files: dict[str, str], expected: dict[str, bytes] | None = None) -> None:
    """Replace data/<name> by each text, all or nothing (see the module's doc). With `expected`, first
    check that those files still hold the bytes the new texts were made from (no lost update)."""
    for name in files:
        if Path(name).name != name or name.startswith("."):
            raise ValueError(f"not a data file name: {name!r}")
    with locked(data_dir):
        recover(data_dir)
        for name, before in (expected or {}).items():
            if (data_dir / name).read_bytes() != before:
                raise DataChanged(f"data/{name} changed while this ran (another fetch or `data add`?); "
                                  "nothing was written: run it again")
        _commit(data_dir, files)


def _commit(data_dir: Path, files: dict[str, str]) -> None:
    txn = data_dir / TXN
    txn.mkdir()
    for name, text in files.items():
        _write(txn / name, text)
        _step(f"wrote {name}")
    _fsync_dir(txn)
    _write(txn / (JOURNAL + ".tmp"), json.dumps(sorted(files)))
    os.replace(txn / (JOURNAL + ".tmp"), txn / JOURNAL)
    _fsync_dir(txn)
    _step("journal")
    for name in sorted(files):
        os.replace(txn / name, data_dir / name)
        _step(f"renamed {name}")
    _fsync_dir(data_dir)
    (txn / JOURNAL).unlink()
    _step("journal removed")
    shutil.rmtree(txn, ignore_errors=True)
