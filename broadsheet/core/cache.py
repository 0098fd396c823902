"""A content-hash cache on disk (.cache/), and a null cache that never remembers anything.

Keys are hashes of everything that decides the result (inputs, options, library versions),
never modification times, so a stale entry cannot be served: a changed input is a new key.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol


def content_key(*parts: Any) -> str:
    """Hash JSON-serialisable parts into a cache key (dict order does not matter)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Cache(Protocol):
    """What the build needs from a cache: bytes by (namespace, key, suffix)."""

    def get(self, namespace: str, key: str, suffix: str) -> bytes | None:
        """Return the stored bytes, or None on a miss."""
        ...

    def has(self, namespace: str, key: str, suffix: str) -> bool:
        """Whether the key is stored (without reading it)."""
        ...

    def put(self, namespace: str, key: str, suffix: str, data: bytes) -> None:
        """Store bytes under the key."""
        ...

    def prune(self, namespace: str, keep: set[str], older_than: float) -> int:
        """Remove the entries of `namespace` not in `keep` and not written in the last `older_than` seconds."""
        ...

    def path(self, namespace: str, key: str, suffix: str) -> Path | None:
        """The file holding a stored entry (to be read later instead of held), or None."""
        ...


class DiskCache:
    """Files under `root/<namespace>/<key[:2]>/<key>.<suffix>`, written atomically."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, namespace: str, key: str, suffix: str) -> Path:
        return self.root / namespace / key[:2] / f"{key}.{suffix}"

    def get(self, namespace: str, key: str, suffix: str) -> bytes | None:
        """Return the stored bytes, or None on a miss."""
        try:
            return self._path(namespace, key, suffix).read_bytes()
        except FileNotFoundError:
            return None

    def has(self, namespace: str, key: str, suffix: str) -> bool:
        """Whether the key is stored (without reading it)."""
        return self._path(namespace, key, suffix).is_file()

    def path(self, namespace: str, key: str, suffix: str) -> Path | None:
        """The file holding a stored entry, or None."""
        path = self._path(namespace, key, suffix)
        return path if path.is_file() else None

    def put(self, namespace: str, key: str, suffix: str, data: bytes) -> None:
        """Store bytes; a concurrent build sees either nothing or the whole file."""
        path = self._path(namespace, key, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fp:
                fp.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


    def prune(self, namespace: str, keep: set[str], older_than: float) -> int:
        """Remove the entries of `namespace` not in `keep` and older than `older_than` seconds.

        The age spares what a build running beside this one (serve and a manual build share
        .cache/) has just stored and not yet recorded in its manifest. Returns how many went.
        """
        removed = 0
        limit = time.time() - older_than
        folder = self.root / namespace
        if not folder.is_dir():
            return 0
        for sub in folder.iterdir():
            if not sub.is_dir():
                continue
            for entry in sub.iterdir():
                key = entry.name.split(".", 1)[0]
                if key in keep or entry.name.startswith(".tmp-"):
                    continue
                try:
                    if entry.stat().st_mtime < limit:
                        entry.unlink()
                        removed += 1
                except OSError:
                    continue
        return removed


class NullCache:
    """A cache that misses every time: for --no-cache and for tests that must render."""

    def get(self, namespace: str, key: str, suffix: str) -> bytes | None:
        """Always a miss."""
        return None

    def has(self, namespace: str, key: str, suffix: str) -> bool:
        """Always a miss."""
        return False

    def put(self, namespace: str, key: str, suffix: str, data: bytes) -> None:
        """Forget the bytes."""

    def path(self, namespace: str, key: str, suffix: str) -> Path | None:
        """Nothing is stored."""
        return None

    def prune(self, namespace: str, keep: set[str], older_than: float) -> int:
        """Nothing to remove."""
        return 0


def cannot_write(cache_dir: Path) -> OSError | None:
    """Why nothing can be stored under `cache_dir` (a read-only checkout or mount), or None.

    Tried for real, as the cache would write: make the folder, a temporary file in it, remove it.
    Permission bits alone do not say it (root ignores them; a read-only mount does not show in them).
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-probe-", dir=cache_dir)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        return exc
    return None


def open_cache(cache_dir: Path, enabled: bool) -> Cache:
    """The build's cache: on disk under `cache_dir`, or a NullCache when disabled."""
    return DiskCache(cache_dir) if enabled else NullCache()
