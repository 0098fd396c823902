"""Pagefind reads only the issue pages, one year (shard) at a time (search.shard_glob): every page
it must index is one of them, and each year has its bundle."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import pytest

from broadsheet.core.errors import BroadsheetError
from broadsheet.outputs.search import BUNDLE_DIR, shard_glob, shard_of, shards_of


def test_every_page_marked_for_search_is_in_its_years_bundle(real_site: Path) -> None:
    marked = [p.relative_to(real_site).as_posix() for p in real_site.rglob("*.html")
              if BUNDLE_DIR not in p.relative_to(real_site).parts
              and "data-pagefind-body" in p.read_text(encoding="utf-8")]
    assert marked, "no page is marked data-pagefind-body"
    shards = shards_of(marked)
    for shard, pages in shards.items():
        # Pagefind's `**/` also matches no folder at all (the root edition's issues/)
        assert all(fnmatch(page, shard_glob(shard)) or fnmatch(page, shard_glob(shard)[3:]) for page in pages)
        assert (real_site / BUNDLE_DIR / shard / "pagefind-entry.json").is_file()
    assert sorted(p.name for p in (real_site / BUNDLE_DIR).iterdir()) == sorted(shards)


@pytest.mark.unit
def test_shards_are_years_newest_first() -> None:
    pages = ["issues/2024-12-27-a/index.html", "en/issues/2025-01-03-b/index.html", "issues/2025-01-03-b/index.html"]
    assert shards_of(pages) == {"2025": ["en/issues/2025-01-03-b/index.html", "issues/2025-01-03-b/index.html"],
                                "2024": ["issues/2024-12-27-a/index.html"]}
    with pytest.raises(BroadsheetError, match="not an issue page"):
        shard_of("archive/index.html")
