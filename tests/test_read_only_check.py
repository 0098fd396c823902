"""`check` on a checkout nothing can be written in: the cache is optional, the report the same.

Root ignores permission bits, so the read-only checkout is made in the process instead: every
call that would create, change or remove a file under the project (os.open for writing, open()
for writing, mkdir, rename, replace, unlink…) fails with EACCES, as on a read-only folder.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
CHANGING = ("mkdir", "rename", "replace", "unlink", "remove", "rmdir", "link", "symlink", "utime", "chmod")


def read_only(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every write under `root` fail with PermissionError (EACCES) in this process."""
    prefix = str(root.resolve()) + os.sep

    def refuse_under(*paths: Any) -> None:
        for path in paths:
            if isinstance(path, str | bytes | os.PathLike) and (os.path.abspath(os.fsdecode(path)) + os.sep).startswith(
                    prefix):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

    real_os_open, real_open = os.open, io.open

    def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & WRITE_FLAGS:
            refuse_under(path)
        return real_os_open(path, flags, *args, **kwargs)

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(letter in mode for letter in "wax+"):
            refuse_under(file)
        return real_open(file, mode, *args, **kwargs)

    def refusing(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            refuse_under(*args[:2])
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", open_)
    monkeypatch.setattr(builtins, "open", open_)
    for name in CHANGING:
        monkeypatch.setattr(os, name, refusing(getattr(os, name)))


def listing(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): path.stat().st_mtime_ns for path in sorted(root.rglob("*"))}


def test_check_on_a_read_only_checkout_reports_as_on_a_writable_one(make_site, monkeypatch, capsys) -> None:
    """It stopped at its first write into .cache/ with `broadsheet: permission denied: …`."""
    root = make_site()  # the sample issue has no English edition: one warning to report
    writable = run_cli(root, "check")
    expected = capsys.readouterr()
    before = listing(root)
    read_only(root, monkeypatch)
    with pytest.raises(PermissionError):  # the trick holds: nothing under the project can be written
        (root / ".cache" / "probe").write_bytes(b"")
    status = run_cli(root, "check")
    monkeypatch.undo()
    got = capsys.readouterr()
    assert status == writable == 1
    cache_line = (".cache: warning: the cache cannot be written (permission denied): checked without it, "
                  "which only takes longer (make .cache/ writable to check faster)")
    assert got.out.splitlines() == [cache_line, *expected.out.splitlines()]  # every problem, as before
    assert "no English translation" in expected.out
    assert got.err == expected.err.replace("\n", "; 1 warning(s) about this machine, not the project\n")
    assert listing(root) == before  # nothing written
