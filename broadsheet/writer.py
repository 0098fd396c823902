"""Write the site into a temporary folder beside site/, then swap it in: never half a site."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import BroadsheetError


@dataclass(frozen=True)
class Output:
    """One file of the site: its path inside the site and its bytes."""

    path: str
    data: bytes


def check_outputs(outputs: list[Output]) -> None:
    """Refuse duplicate paths and paths that would escape the site folder."""
    seen: set[str] = set()
    for out in outputs:
        pure = PurePosixPath(out.path)
        if pure.is_absolute() or ".." in pure.parts or not out.path:
            raise BroadsheetError(f"refusing to write outside the site: {out.path!r}")
        if out.path in seen:
            raise BroadsheetError(f"two pages would be written to {out.path!r}")
        seen.add(out.path)


def write_site(outputs: list[Output], static_dir: Path, dest: Path,
               finish: Callable[[Path], None] | None = None) -> None:
    """Write every output and static/ into a fresh folder and atomically replace `dest` with it.

    `finish` runs on the complete fresh folder before the swap (the search indexer); if it
    fails, `dest` is left untouched like for any other failure.
    """
    check_outputs(outputs)
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=dest.parent))
    try:
        if static_dir.is_dir():
            shutil.copytree(static_dir, tmp / "static", dirs_exist_ok=True)
        for out in outputs:
            target = tmp / out.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out.data)
        if finish is not None:
            finish(tmp)
        os.chmod(tmp, 0o755)
        swap_in(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def swap_in(new: Path, dest: Path) -> None:
    """Replace `dest` by `new` with two renames; the old tree is removed only afterwards."""
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    if dest.exists():
        os.rename(dest, old)
    os.rename(new, dest)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
