"""What the build stages hand each other: the loaded sources, the assembled pages, the site being
made and the build's result. The stages import this module; it imports none of them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.build.incremental import Manifest
from broadsheet.build.plan import BuildPlan, Step, UnitKind
from broadsheet.build.writer import SiteWriter
from broadsheet.content.issues import Issue
from broadsheet.core.context import BuildContext
from broadsheet.core.output import Output
from broadsheet.core.yamlsource import yaml_memo
from broadsheet.data.calendars import sessions_memo
from broadsheet.data.store import DataStore, load_data
from broadsheet.pages.views import IssuePage


@dataclass
class Loaded:
    """Stage 1: every issue's front matter, checked; the data, loaded only when something reads it."""

    issues: list[Issue]
    ctx: BuildContext
    _store: list[DataStore] = field(default_factory=list)

    def store(self) -> DataStore:
        """The data (loaded and checked on first use; in `serve`, kept for the next build while
        data/'s files and the day are the same)."""
        if not self._store:
            ctx = self.ctx
            key = data_key(ctx.data_dir) if ctx.preview else ""
            if key not in PREVIEW_STORES:
                with sessions_memo(ctx.cache_dir / "calendars.pickle" if ctx.use_cache else None), \
                        yaml_memo(ctx.cache_dir / "yaml-data.pickle" if ctx.use_cache else None):  # catalog.yaml
                    loaded = load_data(ctx.data_dir)
                if not key:
                    self._store.append(loaded)
                    return loaded
                PREVIEW_STORES.clear()
                PREVIEW_STORES[key] = loaded
            self._store.append(PREVIEW_STORES[key])
        return self._store[0]


# `serve` builds again in the same process at every save: reading and checking data/ was a third
# of an edit's CPU there (40 ms of 120 on the real site). Its last store, by data_key().
PREVIEW_STORES: dict[str, DataStore] = {}


def data_key(data_dir: Path) -> str:
    """The bytes of every file of data/ and the day (a store knows today: no data after it)."""
    digest = hashlib.sha256(dt.date.today().isoformat().encode())
    for path in sorted(data_dir.rglob("*")) if data_dir.is_dir() else []:
        if path.is_file():
            digest.update(f"\0{path.relative_to(data_dir).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Pages(Mapping[tuple[str, str], IssuePage]):
    """Assembled issue pages by (issue key, language code).

    A page kept in the cache is not held: it is loaded when something reads it, and the last
    LOADED_KEPT of those stay loaded (the feeds read the newest twenty several times), so a
    build's memory does not grow with the number of pages it renders.
    """

    LOADED_KEPT = 32

    def __init__(self) -> None:
        self._ready: dict[tuple[str, str], IssuePage] = {}
        self._later: dict[tuple[str, str], Callable[[], IssuePage]] = {}
        self._loaded: OrderedDict[tuple[str, str], IssuePage] = OrderedDict()

    def add(self, key: tuple[str, str], page: IssuePage) -> None:
        """An assembled page, held."""
        self._ready[key] = page

    def add_later(self, key: tuple[str, str], load: Callable[[], IssuePage]) -> None:
        """A page to load from the cache when something reads it."""
        self._later[key] = load

    def __getitem__(self, key: tuple[str, str]) -> IssuePage:
        if key in self._ready:
            return self._ready[key]
        if key in self._loaded:
            self._loaded.move_to_end(key)
            return self._loaded[key]
        page = self._later[key]()
        self._loaded[key] = page
        if len(self._loaded) > self.LOADED_KEPT:
            self._loaded.popitem(last=False)
        return page

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter([*self._ready, *self._later])

    def __len__(self) -> int:
        return len(self._ready) + len(self._later)

    def __contains__(self, key: object) -> bool:
        return key in self._ready or key in self._later


@dataclass
class Site:
    """Everything assembled for one build, before it is written."""

    issues: list[Issue]
    pages: Pages | dict[tuple[str, str], IssuePage]  # (issue key, language code) → IssuePage
    outputs: list[Output]
    plan: BuildPlan = field(default_factory=BuildPlan)
    previous: Manifest | None = None  # the last build's manifest: where reused units' files are listed
    charts_rendered: int = 0
    stored: int = 0  # cache entries (pages, chart sets) this build stored
    sink: SiteWriter | None = None  # a build writes each unit's files as they are rendered; `check` keeps them
    emitted: int = 0  # files rendered by this build
    kept: list[str] = field(default_factory=list)  # outputs taken unchanged from the previous site
    manifest: Manifest = field(default_factory=Manifest)  # what this build was made from

    def emit(self, step: Step, outputs: list[Output]) -> None:
        """Take a rendered unit's files (into the fresh site folder, or into `outputs`) and record
        the unit in the manifest; wherever it was rendered, it is not rendered again."""
        if self.sink is not None:
            self.sink.add(outputs)
        else:
            self.outputs.extend(outputs)
        self.emitted += len(outputs)
        self.manifest.units[str(step.unit)] = {"key": step.key, "files": [out.path for out in outputs]}

    def keep(self, step: Step, files: list[str]) -> None:
        """Record a unit whose files are the previous site's, hard-linked."""
        self.kept.extend(files)
        self.manifest.units[str(step.unit)] = {"key": step.key, "files": files}

    def chart_images(self) -> int:
        """The site's charts: their wide PNG twins (one per chart and language; the email's narrow
        twin beside each is not another chart)."""
        return sum(f.endswith(".png") and not f.endswith(".narrow.png") for step in self.plan.of(UnitKind.CHARTS)
                   for f in self.manifest.units.get(str(step.unit), {}).get("files", []))


@dataclass
class BuildResult:
    """What a build did, for the one-line summary."""

    pages: int
    files: int
    seconds: float
    charts_rendered: int = 0  # charts drawn by this build; the rest came from the cache
    charts_total: int = 0
    pages_rendered: int = 0  # issue pages (issue × language) rendered again; the rest were kept
    files_written: int = 0  # files written; the others are the previous site's, hard-linked
    nothing_changed: bool = False  # no input changed: the site was left as it was
    search_pending: bool = False  # the new search index is being made in the background (searchjob.py)
