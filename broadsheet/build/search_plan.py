"""How a build's site gets its search index: reuse it, index now, or index in the background, and
which shards (years) are indexed again. Decided by the plan (plan.py), before anything is rendered.

Pagefind cannot update an index: it reads every page of a shard again. So only the years with a
changed issue page are indexed again, and an incremental build may keep the previous index and let
a detached job (searchjob.py) make the new one, when the old index names no page that is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from broadsheet.build.incremental import Manifest, intact
from broadsheet.core.context import BuildContext
from broadsheet.outputs.search import BUNDLE_DIR, SHARD_DIR_RE, shard_of, shards_of


class SearchMode(StrEnum):
    """What a build does about its search index."""

    OFF = "off"  # no index (`--no-search`)
    REUSE = "reuse"  # no indexed page changed: the previous index is linked into the new site
    BACKGROUND = "background"  # the previous index is kept; a search job indexes the changed shards
    NOW = "now"  # the changed shards are indexed before the swap


@dataclass
class SearchPlan:
    """How this build's site gets its search index (one Pagefind bundle per year: search.py)."""

    pages: list[str]  # the pages Pagefind reads (the issue pages)
    old: list[str]  # the previous index's files, to hard-link into the new site
    mode: SearchMode
    redo: list[str] = field(default_factory=list)  # the shards (years) to index
    keep: list[str] = field(default_factory=list)  # the shards whose previous bundle is kept as it is


def plan_search(ctx: BuildContext, previous: Manifest | None, pages: list[str], redone: set[str]) -> SearchPlan:
    """The search plan for a site whose issue pages are `pages`, of which `redone` are rendered again."""
    shards = list(shards_of(pages))
    if not ctx.search:
        return SearchPlan(pages, [], SearchMode.OFF)
    old = _intact_index(ctx, previous)
    if previous is None or old is None or previous.search_error:
        return SearchPlan(pages, [], SearchMode.NOW, redo=shards)
    changed = redone | set(pages).symmetric_difference(previous.indexed)
    redo = sorted({shard_of(page) for page in changed} | set(previous.stale_shards), reverse=True)
    if not redo and not previous.search_job:
        return SearchPlan(pages, old, SearchMode.REUSE, keep=shards)
    redo = [shard for shard in redo if shard in shards]  # a year left without pages has no bundle
    keep = [shard for shard in shards if shard not in redo]
    # the old index may find a page's old text, never a page that is gone
    if ctx.search_in_background and set(previous.indexed) <= set(pages):
        return SearchPlan(pages, old, SearchMode.BACKGROUND, redo=redo, keep=keep)
    kept = [path for path in old if path.split("/", 2)[1] in keep]
    return SearchPlan(pages, kept, SearchMode.NOW, redo=redo, keep=keep)


def _intact_index(ctx: BuildContext, previous: Manifest | None) -> list[str] | None:
    """The previous index's files, when every one is still in the site as recorded; else None."""
    old_files = previous.files if previous is not None else {}
    old = [path for path in old_files if path.startswith(BUNDLE_DIR + "/")]
    if old and all(SHARD_DIR_RE.match(path) and intact(ctx.out_dir, path, old_files[path]) for path in old):
        return old
    return None
