"""The cache does not grow without end: a build that stored many entries removes the pages and
chart sets no build's manifest refers to, sparing what a build beside it may have just stored."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from broadsheet.build.incremental import manifest_path
from broadsheet.build.pipeline import build
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import build_into


def entry(root: Path, key: str, age_seconds: float) -> Path:
    path = root / ".cache" / "pages" / key[:2] / f"{key}.pickle"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"an earlier version's page")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_a_build_that_stores_many_entries_prunes_what_no_manifest_uses(make_site, monkeypatch) -> None:
    root = make_site()
    out = build_into(root)
    stale, young = entry(root, "ab" + "0" * 62, 7200), entry(root, "ab" + "1" * 62, 60)
    monkeypatch.setattr("broadsheet.build.pipeline.PRUNE_AFTER", 1)
    page = root / "content/issues/2025-04-13-sample/zh-Hant.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    build_into(root, out)
    assert not stale.exists()  # old and unused: gone
    assert young.exists()  # unused but just written: maybe by a build running beside this one
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out, search=False)
    units = json.loads(manifest_path(ctx).read_text(encoding="utf-8"))["units"]
    for unit, record in units.items():
        if unit.startswith("page:"):
            key = record["key"]
            assert (root / ".cache" / "pages" / key[:2] / f"{key}.pickle").is_file(), unit
    # the pages kept from the cache are still there for the next edit of the other issue
    other = root / "content/issues/2025-04-06-earlier/zh-Hant.md"
    other.write_text(other.read_text(encoding="utf-8") + "\n再一段。\n", encoding="utf-8")
    assert build(ctx).pages_rendered == 1


def test_a_build_that_stores_few_entries_leaves_the_cache_alone(make_site) -> None:
    root = make_site()
    out = build_into(root)
    stale = entry(root, "cd" + "0" * 62, 7200)
    page = root / "content/issues/2025-04-13-sample/zh-Hant.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    build_into(root, out)  # one page stored: an editor's edit does not pay for a scan of the cache
    assert stale.exists()
