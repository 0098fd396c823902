"""Incremental builds: hash every input, remember what each output was made from, redo the rest.

A build records a manifest (`.cache/builds/<output folder hash>.json`, replaced atomically after
a successful swap) holding:

- the fingerprint of every input (file hashes of content/, data/, templates/, static/,
  translations/, fonts/ and site.yaml, read again only when a file's size or mtime changed
  (HashMemo); the font set the chart renderer sees, system fonts included (fonts.py);
  broadsheet's own source and version, and its libraries' versions (LIBRARIES); the build options). A rebuild with the
  same fingerprint and an intact site does nothing at all, and decides so from file hashes
  alone: neither pandas nor Altair is imported;
- for each issue page and each issue's charts, the data series it used and their hashes (by
  series id, from the raw CSV rows), so a changed series redoes only the pages and charts that
  read it;
- for each render unit (a group of outputs made from the same inputs: one issue page with its
  email edition, the list pages, the feeds, one issue's chart images…), its key and files;
- for every file of the site, its sha256, size and modification time: a file whose bytes did not
  change is hard-linked from the current site into the new one instead of written again.

Nothing here imports pandas, Altair or vl-convert; see docs/architecture.md ("Incremental builds").
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from broadsheet.build.writer import unchanged
from broadsheet.charts.fonts import font_set_key
from broadsheet.core.cache import content_key, open_cache
from broadsheet.core.context import BuildContext
from broadsheet.core.versions import installed_versions

MANIFEST_VERSION = 3  # 2: pages are units of the build plan; 3: the search index is sharded by year
# Every library whose version can change the bytes of an output or what `check` reports, and the
# project's own version: a build after an upgrade of any of them is never "nothing changed".
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "babel", "pandas", "exchange-calendars", "altair",
             "vl-convert-python", "svg2png-py", "pagefind", "pagefind-bin-extended", "css-inline", "pyyaml",
             "opencc", "broadsheet")
PACKAGE = Path(__file__).resolve().parent.parent  # broadsheet/, every stage folder (this file is in build/)
ALL_ROWS = "*"  # the data rows no series id could be read from (a malformed CSV)


def sha(data: bytes) -> str:
    """The sha256 of bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


RACY_NS = 2_000_000_000  # a file modified this recently may change again within its mtime tick


class HashMemo:
    """Content hashes remembered by (path, size, mtime_ns): a file is read again only when they change.

    Kept in `.cache/hashes.json`. As in git's index, a file whose mtime is within RACY_NS of
    the moment it is looked at is hashed every time, so an edit in the same clock tick as the
    last look is never missed.
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        if path is not None:
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self.entries = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self.entries = {}

    def sha(self, path: Path, now_ns: int) -> str:
        """The sha256 of a file, from the memo when its size and mtime did not change."""
        stat = path.stat()
        key = str(path)
        known = self.entries.get(key)
        if known is not None and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return str(known[2])
        digest = sha(path.read_bytes())
        if now_ns - stat.st_mtime_ns > RACY_NS:
            self.entries[key] = [stat.st_size, stat.st_mtime_ns, digest]
            self.dirty = True
        return digest

    def save(self) -> None:
        """Write the memo (atomically) when it learnt something."""
        if self.path is None or not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fp:
                json.dump(self.entries, fp, separators=(",", ":"))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.dirty = False


def hash_tree(folder: Path, memo: HashMemo | None = None) -> dict[str, str]:
    """{path relative to folder: sha256} of every file under `folder` ({} when it is absent).

    `__pycache__` folders are left out: Python writes bytecode there the first time a module is
    imported, which must not make the next build redo everything.
    """
    if not folder.is_dir():
        return {}
    memo = memo or HashMemo()
    now = time.time_ns()
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        base = Path(dirpath)
        for name in sorted(filenames):
            path = base / name
            found[path.relative_to(folder).as_posix()] = memo.sha(path, now)
    return found


def library_versions() -> dict[str, str]:
    """{distribution: installed version} of LIBRARIES ("" for one that is not installed)."""
    return installed_versions(LIBRARIES)


def code_version(memo: HashMemo | None = None) -> str:
    """A hash of broadsheet's own source (every stage folder) and of every library's version that
    shapes the output."""
    return content_key(hash_tree(PACKAGE, memo), library_versions())


def data_hashes(data_dir: Path) -> dict[str, str]:
    """{series or indicator id: hash of its rows} over data/*.csv, read with the csv module only.

    Rows whose id cannot be read (a malformed file) are hashed under ALL_ROWS, which every page
    that uses data depends on.
    """
    rows: dict[str, list[str]] = {}
    for path in sorted(data_dir.glob("*.csv")) if data_dir.is_dir() else []:
        text = path.read_bytes().decode("utf-8", errors="replace")
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        column = next((header.index(c) for c in ("series", "indicator") if c in header), None)
        if column is None:
            rows.setdefault(ALL_ROWS, []).append(path.name + "\0" + text)
            continue
        rows.setdefault(ALL_ROWS, []).append(path.name + "\0" + ",".join(header))
        for record in reader:
            ident = record[column].strip() if len(record) > column else ALL_ROWS
            rows.setdefault(ident, []).append(path.name + "\0" + "\x1f".join(record))
    return {ident: sha("\n".join(lines).encode("utf-8")) for ident, lines in rows.items()}


@dataclass
class Inputs:
    """Hashes of every input of a build, computed without parsing anything heavy."""

    code: str
    options: dict[str, Any]
    site: str
    templates: str
    translations: str
    fonts: str
    static: dict[str, str]
    data: dict[str, str]
    content: dict[str, str]  # path relative to content/ → sha256

    def fingerprint(self) -> str:
        """One hash of everything: equal fingerprints build equal sites."""
        return content_key(asdict(self))

    @functools.cached_property  # asked once per page; an Inputs is not changed once made
    def body_base(self) -> str:
        """What every issue body (figures, Markdown, charts) depends on besides its own inputs."""
        return content_key(self.code, self.options, self.site, self.translations, self.fonts)

    @functools.cached_property
    def render_base(self) -> str:
        """What every templated output depends on besides its own inputs."""
        return content_key(self.body_base, self.templates)

    @property
    def catalog(self) -> str:
        """The hash of data/catalog.yaml."""
        return self.data.get("catalog.yaml", "")


def _tags_bytes(ctx: BuildContext) -> bytes:
    path = ctx.content_dir / "tags.yaml"
    return path.read_bytes() if path.is_file() else b""


def read_inputs(ctx: BuildContext) -> Inputs:
    """Hash every input of the build described by `ctx` (files by size and mtime first: HashMemo)."""
    config = ctx.config
    site_file = ctx.root / "site.yaml"
    memo = HashMemo(ctx.cache_dir / "hashes.json" if ctx.use_cache else None)
    inputs = Inputs(
        code=code_version(memo),
        options={"base_url": config.base_url, "drafts": ctx.drafts, "preview": ctx.preview},
        # content/tags.yaml is read with site.yaml (config.py): it decides tag names and addresses
        site=sha((site_file.read_bytes() if site_file.is_file() else b"") + _tags_bytes(ctx)),
        templates=content_key(hash_tree(ctx.templates_dir, memo)),
        translations=content_key(hash_tree(ctx.translations_dir, memo)),
        # the project's fonts by content, and every font the renderer sees (system ones too)
        fonts=content_key(hash_tree(ctx.root / "fonts", memo), font_set_key(ctx.root / "fonts")),
        static=hash_tree(ctx.static_dir, memo),
        data=hash_tree(ctx.data_dir, memo),
        content=hash_tree(ctx.content_dir, memo),
    )
    memo.save()
    return inputs


@dataclass
class Manifest:
    """What the last successful build into an output folder was made from (see module doc)."""

    fingerprint: str = ""
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # plan unit → key, files (pages: deps)
    files: dict[str, list[Any]] = field(default_factory=dict)  # site path → [sha, size, mtime_ns]
    search: str = ""  # the key of the search index: the hashes of every HTML page
    indexed: list[str] = field(default_factory=list)  # the pages the site's index covers
    search_job: str = ""  # the unfinished background indexer's folder (searchjob.py), if any
    pending_index: list[str] = field(default_factory=list)  # the pages that job indexes
    search_error: str = ""  # why the last background indexer failed
    stale_shards: list[str] = field(default_factory=list)  # index shards (years) older than their pages
    warnings: list[list[Any]] = field(default_factory=list)  # [path, line, message, hint]
    data: dict[str, str] = field(default_factory=dict)  # data/ file → sha256, to know when to check it
    page_count: int = 0
    charts: int = 0
    version: int = MANIFEST_VERSION


def manifest_path(ctx: BuildContext) -> Path:
    """Where the manifest of ctx.out_dir lives: one per output folder (site/, .preview/, --out)."""
    return ctx.cache_dir / "builds" / f"{sha(str(ctx.out_dir.resolve()).encode())[:16]}.json"


def load_manifest(ctx: BuildContext) -> Manifest | None:
    """The manifest of the last build into ctx.out_dir, or None (none, unreadable, other version)."""
    try:
        data = json.loads(manifest_path(ctx).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    return manifest if manifest.version == MANIFEST_VERSION else None


def save_manifest(ctx: BuildContext, manifest: Manifest) -> None:
    """Replace the manifest atomically (a killed build leaves the previous one or none)."""
    path = manifest_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            # fields() rather than asdict(): the values are plain JSON already, and asdict deep-copies
            # them; dumps() rather than dump(): only a one-shot encoding uses the C encoder
            fp.write(json.dumps({f.name: getattr(manifest, f.name) for f in fields(manifest)}, ensure_ascii=False,
                                separators=(",", ":")))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def keys_in_use(ctx: BuildContext, namespaces: dict[str, str]) -> dict[str, set[str]]:
    """The cache keys that the manifests of every output folder (site/, .preview/, --out) refer to.

    `namespaces` maps a unit kind ("page", "charts") to the cache namespace of its entries. An
    unreadable manifest keeps nothing alive (its build redoes what it needs).
    """
    used: dict[str, set[str]] = {namespace: set() for namespace in namespaces.values()}
    for path in (ctx.cache_dir / "builds").glob("*.json"):
        try:
            units = json.loads(path.read_text(encoding="utf-8")).get("units", {})
        except (OSError, ValueError, AttributeError):
            continue
        for unit, record in units.items():
            namespace = namespaces.get(unit.split(":", 1)[0])
            if namespace is not None and isinstance(record, dict):
                used[namespace].add(str(record.get("key", "")))
    return used


PRUNE_AFTER = 20  # a build that stored this many entries (a new version, data, site.yaml) prunes the cache
PRUNE_AGE = 3600.0  # seconds: never an entry a build beside this one may have stored and not yet recorded


def prune_cache(ctx: BuildContext, namespaces: dict[str, str]) -> int:
    """Remove the cached pages and chart sets that no build's manifest refers to any more.

    Every page of a big site is a cache entry of ~50 KB, and a broadsheet upgrade or a data change
    makes new ones: without this, .cache/ grows by the site's size with each of them. Returns how
    many entries went.
    """
    cache = open_cache(ctx.cache_dir, ctx.use_cache)
    return sum(cache.prune(namespace, keys, PRUNE_AGE) for namespace, keys in keys_in_use(ctx, namespaces).items())


def forget_manifest(ctx: BuildContext) -> None:
    """Remove the manifest (before a swap whose manifest might not get written)."""
    manifest_path(ctx).unlink(missing_ok=True)


def intact(site: Path, path: str, record: list[Any] | None) -> bool:
    """Whether the site's file is still the one the manifest recorded (size and mtime)."""
    return record is not None and unchanged(os.path.join(site, path), record)  # strings: thousands per build


def site_intact(site: Path, manifest: Manifest) -> bool:
    """Whether every file the manifest lists is in the site, unchanged."""
    return (site / "index.html").is_file() and all(
        intact(site, path, record) for path, record in manifest.files.items())


@dataclass
class DataState:
    """The current hashes of the data, by series id, computed once and only when needed."""

    data_dir: Path
    catalog: str
    _hashes: dict[str, str] | None = None

    def hashes(self, ids: list[str]) -> dict[str, str]:
        """{id: current hash} for `ids`, plus the catalog and the unreadable rows."""
        if self._hashes is None:
            self._hashes = data_hashes(self.data_dir)
        known = self._hashes
        state = {ident: known.get(ident, "") for ident in ids}
        if ids:
            state["catalog.yaml"] = self.catalog
            state[ALL_ROWS] = known.get(ALL_ROWS, "")
        return state
