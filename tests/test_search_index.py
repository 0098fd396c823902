"""Pagefind reads only index.html files (search.INDEXED_GLOB): every page it must index is one."""

from __future__ import annotations

from pathlib import Path

from broadsheet.search import BUNDLE_DIR, INDEXED_GLOB


def test_every_page_marked_for_search_matches_the_indexed_glob(real_site: Path) -> None:
    assert INDEXED_GLOB == "**/index.html"
    marked = [p for p in real_site.rglob("*.html") if BUNDLE_DIR not in p.relative_to(real_site).parts
              and "data-pagefind-body" in p.read_text(encoding="utf-8")]
    assert marked, "no page is marked data-pagefind-body"
    assert [p.relative_to(real_site).as_posix() for p in marked if p.name != "index.html"] == []
    assert (real_site / BUNDLE_DIR / "pagefind-entry.json").is_file()
