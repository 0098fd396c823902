"""Write the site into a temporary folder beside site/, then swap it in: never half a site.

A build may be killed at any moment (Ctrl-C, SIGKILL, a closed laptop). The previous site/ stays
complete because the new tree is written elsewhere and exchanged with it in one system call
(renameat2 RENAME_EXCHANGE on Linux, renamex_np RENAME_SWAP on macOS); where neither exists, two
renames are used and the next build repairs the short gap between them. Leftover temporary
folders (`.site.new-*`, `.site.old-*`) are removed by the next build, under the output lock; the
replaced site is renamed `.site.trash-*` and removed by a detached process after the swap.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from broadsheet.core.errors import BroadsheetError
from broadsheet.core.output import Output

try:  # POSIX; the lock is skipped where flock does not exist (Windows)
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms the project supports
    fcntl = None  # type: ignore[assignment]


def _check_path(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not path:
        raise BroadsheetError(f"refusing to write outside the site: {path!r}")


def lock_path(dest: Path) -> Path:
    """The lock file of an output folder: `.site.lock` beside `site/`."""
    dest = dest.resolve()
    return dest.parent / f".{dest.name}.lock"


@contextmanager
def lock_output(dest: Path) -> Iterator[Path]:
    """Hold the output folder's lock for a whole build; fail at once if another build holds it.

    Holding the lock, repair and remove what an earlier, killed build left beside the folder.
    """
    path = lock_path(dest)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        # a search job holds the lock for the few milliseconds of its swap (searchjob.py): wait that out
        if not _flock(handle, LOCK_GRACE_SECONDS):
            raise BroadsheetError(
                f"another build is writing {dest.name}/ right now (lock: {path}); "
                "wait for it to finish, or stop `serve`, then build again")
        # the lock is released when the file is closed, also when the process is killed
        clean_stale(dest)
        yield path


LOCK_GRACE_SECONDS = 1.0


def _flock(handle: Any, seconds: float) -> bool:
    """Take the exclusive lock on an open file, trying for up to `seconds`; False if still held."""
    if fcntl is None:
        return True
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


@contextmanager
def wait_for_lock(dest: Path, seconds: float) -> Iterator[None]:
    """Hold the output folder's lock, waiting up to `seconds` for a build to release it.

    For a search job's swap: unlike lock_output it leaves the folders beside `dest` alone.
    """
    path = lock_path(dest)
    with path.open("a+b") as handle:
        if not _flock(handle, seconds):
            raise BroadsheetError(f"{dest.name}/ stayed locked for {seconds:.0f} s")
        yield


MARKER = ".broadsheet-site"  # in every folder broadsheet writes: `--out` replaces only those
MARKER_TEXT = b"This folder was built by broadsheet; a build with --out may replace all of it.\n"


def check_destination(dest: Path, root: Path, source_dirs: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy sources or an unrelated folder.

    A build replaces only a folder it made (it holds MARKER), an empty or absent one, or the
    project's own site/ and .preview/ (built before the marker existed).
    """
    dest = dest.resolve()
    for src in [root, *source_dirs]:
        src = src.resolve()
        inside_source = src != root.resolve() and src in dest.parents
        if dest == src or dest in src.parents or inside_source:
            raise BroadsheetError(f"refusing to build into {dest}: it would replace or lie inside "
                                  f"{src}; choose another --out")
    for folder in [dest, *dest.parents]:
        if folder.exists() and not folder.is_dir():
            raise BroadsheetError(f"refusing to build into {dest}: {folder} is a file, not a folder; "
                                  "choose another --out")
    own = dest in (root.resolve() / "site", root.resolve() / ".preview")
    if dest.is_dir() and not own and not (dest / MARKER).is_file() and any(dest.iterdir()):
        raise BroadsheetError(f"refusing to replace {dest}: it is not empty and was not built by "
                              f"broadsheet (it has no {MARKER} file); choose another --out, or "
                              "empty the folder first")


def clean_stale(dest: Path) -> None:
    """Repair and remove what a killed build left beside `dest` (call while holding the lock)."""
    dest = dest.resolve()
    if not dest.parent.is_dir():
        return
    olds = sorted(dest.parent.glob(f".{dest.name}.old-*"))
    if not dest.exists() and olds:
        # killed between the two renames of the fallback swap: put the last good site back
        os.rename(olds[-1], dest)
        olds = olds[:-1]
    for stale in [*olds, *dest.parent.glob(f".{dest.name}.new-*"), *dest.parent.glob(f".{dest.name}.trash-*")]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


@dataclass
class Written:
    """What SiteWriter put in the site: every file's [sha256, size, mtime_ns], and how many were new."""

    files: dict[str, list[Any]] = field(default_factory=dict)
    written: int = 0  # files written or copied; the others are hard links to the previous site's


def link_or_copy(old: str | Path, new: str | Path) -> None:
    """Hard-link an unchanged file of the previous site (same inode and mtime); copy if links fail."""
    try:
        os.link(old, new)
    except OSError:  # another file system, or links not supported
        shutil.copy2(old, new)


class SiteWriter:
    """A fresh folder beside `dest`, filled as outputs are rendered, then swapped in whole.

    Pages are written as they are made, so a build holds no more than one unit's files in memory
    however big the site is; `dest` changes only at swap(), in one rename. `previous` maps the
    paths of the current site to [sha256, size, mtime_ns]: an output or static file with the same
    bytes, whose file in `dest` is still the recorded one, is hard-linked instead of written. Use
    it while holding `lock_output(dest)`, and close() it (after a swap or a failure).
    """

    def __init__(self, dest: Path, previous: dict[str, list[Any]] | None = None) -> None:
        self.dest = dest.resolve()
        self.previous = previous or {}
        self.result = Written()
        self.tmp = self.dest.parent / f".{self.dest.name}.new-{secrets.token_hex(4)}"
        self.swapped = False
        self._made: set[str] = set()
        self._folders = (str(self.tmp), str(self.dest))
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.tmp.mkdir(mode=0o755)
        except BaseException:
            # Python checks for Ctrl-C as mkdir returns: an interrupt there would leave the folder
            # made and this writer never returned to the build, which removes it in close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def add(self, outputs: Iterable[Output]) -> None:
        """Write outputs into the fresh folder (a path may be written once, inside the site)."""
        for out in outputs:
            _check_path(out.path)
            if out.path in self.result.files:
                raise BroadsheetError(f"two pages would be written to {out.path!r}")
            _place(out.path, out.data, self._folders, self.previous.get(out.path), self.result, self._made)

    def swap(self, static_dir: Path, keep: Iterable[str] = (), finish: Callable[[Path], None] | None = None,
             before_swap: Callable[[], None] | None = None, added: tuple[str, ...] = ()) -> Written:
        """Add static/, the kept files and the marker; run `finish` on the complete folder (the
        search index: what it adds goes under the folders `added`); swap the folder in."""
        rest: dict[str, bytes | Path | None] = {}  # outputs win over static files and kept ones
        if static_dir.is_dir():
            for path in sorted(static_dir.rglob("*")):
                if path.is_file():
                    rest["static/" + path.relative_to(static_dir).as_posix()] = path
        rest.update(dict.fromkeys(keep))
        rest[MARKER] = MARKER_TEXT
        for rel in sorted(rest):
            if rel not in self.result.files:
                _place(rel, rest[rel], self._folders, self.previous.get(rel), self.result, self._made)
        if finish is not None:
            finish(self.tmp)
        for folder in added:
            _record_added(self.tmp, folder, self.result)
        os.chmod(self.tmp, 0o755)
        if before_swap is not None:
            before_swap()
        swap_in(self.tmp, self.dest)
        self.swapped = True
        return self.result

    def close(self) -> None:
        """Remove the folder: after a swap it holds the previous site (removed in the background:
        thousands of unlinks are seconds the editor need not wait); after a failure, the unfinished one."""
        if self.tmp.exists() and not (self.swapped and discard_later(self.tmp, self.dest)):
            shutil.rmtree(self.tmp, ignore_errors=True)


def discard_later(old: Path, dest: Path) -> bool:
    """Rename a replaced site to `.site.trash-*` and remove it in a detached process.

    Returns False when that cannot be done (the caller removes it at once). A remover killed
    half-way leaves a trash folder that the next build's clean_stale() removes.
    """
    trash = dest.parent / f".{dest.name}.trash-{secrets.token_hex(4)}"
    try:
        os.rename(old, trash)
    except OSError:
        return False
    try:  # `sh` starts rm in the background and exits at once: nothing is left to reap
        subprocess.run(["sh", "-c", 'rm -rf -- "$0" </dev/null >/dev/null 2>&1 &', str(trash)],
                       check=True, start_new_session=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        shutil.rmtree(trash, ignore_errors=True)
    return True


def _place(rel: str, source: bytes | Path | None, folders: tuple[str, str], record: list[Any] | None,
           result: Written, made: set[str]) -> None:
    """Write one file into the fresh folder, or hard-link it when the last site has the same bytes.

    `folders` are the fresh folder and the current site; `made` the folders created so far. Plain
    os calls on strings: this runs for every file of the site on every build.
    """
    tmp, dest = folders
    target, old = os.path.join(tmp, rel), os.path.join(dest, rel)
    parent = os.path.dirname(rel)
    if parent and parent not in made:
        os.makedirs(os.path.join(tmp, parent), exist_ok=True)
        made.add(parent)
    if source is None:  # a unit the plan reused: its files were checked intact when it was planned
        if record is None:
            raise BroadsheetError(f"{rel} was to be kept from the previous site, but it is not recorded")
        link_or_copy(old, target)
        result.files[rel] = record  # a hard link: the same inode, size and mtime
        return
    data = source.read_bytes() if isinstance(source, Path) else source
    digest = hashlib.sha256(data).hexdigest()
    if record is not None and record[0] == digest and unchanged(old, record):
        link_or_copy(old, target)
        result.files[rel] = record
        return
    with open(target, "wb") as fp:
        fp.write(data)
    result.written += 1
    st = os.stat(target)
    result.files[rel] = [digest, st.st_size, st.st_mtime_ns]


def _record_added(tmp: Path, folder: str, result: Written) -> None:
    """Record what `finish` added to a folder of the fresh site (the search index)."""
    result.files.update(folder_records(tmp, folder, known=result.files))


def folder_records(root: Path, folder: str, known: Mapping[str, Any] | None = None) -> dict[str, list[Any]]:
    """{path relative to root: file_record} of every file under root/folder not in `known`."""
    found: dict[str, list[Any]] = {}
    for dirpath, dirnames, filenames in os.walk(root / folder):  # strings: the index has thousands of files
        dirnames.sort()
        base = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in sorted(filenames):
            rel = f"{base}/{name}"
            if known is None or rel not in known:
                found[rel] = file_record(Path(dirpath, name))
    return found


def file_record(path: Path) -> list[Any]:
    """A file's [sha256, size, mtime_ns], as the manifest records it."""
    st = path.stat()
    return [hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns]


def unchanged(path: str | Path, record: list[Any]) -> bool:
    """Whether a file still has the size and modification time recorded as [sha256, size, mtime_ns]."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_size == record[1] and st.st_mtime_ns == record[2]


def swap_in(new: Path, dest: Path) -> None:
    """Make `new` the content of `dest` in one step; afterwards `new` holds the previous tree."""
    if not dest.exists():
        os.rename(new, dest)
        return
    if exchange_dirs(new, dest):
        return
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    os.rename(dest, old)
    try:
        os.rename(new, dest)
    except BaseException:
        if not dest.exists():  # interrupted between the renames: keep the last good site
            os.rename(old, dest)
        raise
    os.rename(old, new)


def exchange_dirs(a: Path, b: Path) -> bool:
    """Atomically exchange two directories; return False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded into Python
    except OSError:
        return False
    src, dst = os.fsencode(a), os.fsencode(b)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_fdcwd, rename_exchange = -100, 2
        result = libc.renameat2(at_fdcwd, src, at_fdcwd, dst, rename_exchange)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        rename_swap = 2
        result = libc.renamex_np(src, dst, rename_swap)
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):  # not supported here
        return False
    raise OSError(err, os.strerror(err), str(b))
