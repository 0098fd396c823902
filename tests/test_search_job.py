"""Search off the edit loop (searchjob.py): an incremental build keeps the previous index, a
detached job indexes the new pages and swaps the index in; the served index never names a
missing page, and a failed or stopped job is made good by the next build."""

from __future__ import annotations

import gzip
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from broadsheet.build.incremental import manifest_path
from broadsheet.build.pipeline import build
from broadsheet.build.searchjob import job_glob, run_job, wait_for_job
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BroadsheetError
from conftest import SAFETY_NET_SECONDS, build_into, project_slot, sample_project

SAMPLE_ZH = "content/issues/2025-04-13-sample/zh-Hant.md"


@pytest.fixture(scope="module")
def indexed_sample(tmp_path_factory: pytest.TempPathFactory, fresh_cache: Path) -> Path:
    """The sample site's first build, with its search index, made once for the module (in the
    project slot, where the tests put it back) and kept as a copy: most tests start from it."""
    root = sample_project(project_slot(tmp_path_factory) / "project", fresh_cache)
    build_into(root, search=True)  # the first build has no index to keep: it indexes now
    kept = tmp_path_factory.mktemp("indexed-sample") / "project"
    shutil.copytree(root, kept, symlinks=True)
    return kept


@pytest.fixture
def indexed(tmp_path_factory: pytest.TempPathFactory, indexed_sample: Path) -> tuple[Path, Path]:
    """(root, site) of the sample site as its first build left it, sources, site, search index
    and .cache/ alike: copied back to the path it was built at (the build's manifest is kept per
    output folder, and copying keeps each file's size and modification time, which it records)."""
    root = project_slot(tmp_path_factory) / "project"
    shutil.copytree(indexed_sample, root, symlinks=True)
    return root, root / "site"


def index_files(site: Path) -> dict[str, bytes]:
    """Every file of the site's Pagefind bundle, by path."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "pagefind").rglob("*"))
            if p.is_file()}


def indexed_urls(site: Path) -> set[str]:
    """The page URLs in the index: each Pagefind fragment is gzip'd `pagefind_dcd` + JSON."""
    urls = set()
    for fragment in (site / "pagefind").glob("*/fragment/*"):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        urls.add(json.loads(data)["url"])
    return urls


def fragment_texts(site: Path) -> list[str]:
    """The indexed text of every page (Pagefind marks its Chinese word breaks with U+200B)."""
    return [json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))["content"].replace("\u200b", "")
            for f in (site / "pagefind").glob("*/fragment/*")]


def manifest(root: Path, out: Path) -> dict:
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out)
    return json.loads(manifest_path(ctx).read_text(encoding="utf-8"))


def edit(root: Path, text: str) -> None:
    path = root / SAMPLE_ZH
    path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def test_an_edit_is_served_with_the_old_index_until_the_new_one_is_swapped_in(indexed, tmp_path) -> None:
    root, out = indexed  # the first build has no index to keep: it indexed before its swap
    before = index_files(out)
    edit(root, "新增一段關於殖利率曲線的評論。")
    build_into(root, out, search=True, search_in_background=True)
    # the build returned with the previous index, whose pages all still exist
    assert index_files(out) == before
    assert manifest(root, out)["search_job"].startswith(".site.search-")
    wait_for_job(out)
    after = manifest(root, out)
    assert after["search_job"] == "" and after["search_error"] == ""
    assert index_files(out) != before
    assert any("殖利率曲線的評論" in text for text in fragment_texts(out))
    # the swapped-in index is the one a full build of the same site makes, byte for byte
    fresh = build_into(root, tmp_path / "fresh", search=True)
    assert index_files(out) == index_files(fresh)
    # and the manifest records it: the next build has nothing to do
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out, search=True,
                       search_in_background=True)
    assert build(ctx).nothing_changed


def test_a_build_that_changes_no_issue_page_starts_no_search_job(indexed) -> None:
    """A template edit that leaves every issue page the same bytes (a comment) renders the pages
    again but keeps the index as it is: no job, no Pagefind run (issue 27)."""
    root, out = indexed
    before, recorded = index_files(out), manifest(root, out)
    template = root / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# a comment changes no page #}\n", encoding="utf-8")
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out, search=True,
                       search_in_background=True)
    result = build(ctx)
    assert result.pages_rendered and not result.search_pending  # the pages were made again, the same
    after = manifest(root, out)
    assert after["search_job"] == "" and after["stale_shards"] == []
    assert (after["search"], after["indexed"]) == (recorded["search"], recorded["indexed"])
    assert index_files(out) == before
    assert build(ctx).nothing_changed
    edit(root, "新增一段關於殖利率曲線的評論。")  # a page that changes does start one
    assert build(ctx).search_pending
    wait_for_job(out)
    assert any("殖利率曲線的評論" in text for text in fragment_texts(out))


def test_a_build_whose_old_index_names_a_page_that_is_gone_indexes_before_the_swap(indexed) -> None:
    root, out = indexed
    assert any("2025-04-06-earlier" in page for page in manifest(root, out)["indexed"])
    shutil.rmtree(root / "content/issues/2025-04-06-earlier")
    build_into(root, out, search=True, search_in_background=True)
    assert not list(out.parent.glob(job_glob(out)))  # no job: the index was made before the swap
    state = manifest(root, out)
    assert state["search_job"] == "" and not any("2025-04-06-earlier" in p for p in state["indexed"])
    assert indexed_urls(out) and not any("2025-04-06-earlier" in url for url in indexed_urls(out))


def test_a_newer_build_stops_an_unfinished_job(indexed) -> None:
    root, out = indexed
    job = out.parent / ".site.search-test"
    job.mkdir()
    # a stand-in for the job's process, whose command line names its folder; it says when it runs:
    # until its exec is done the system shows an empty command line, no job's (the build would
    # rightly spare it as some other process)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; print('running', flush=True); time.sleep(3600)",
                                str(job)], start_new_session=True, stdout=subprocess.PIPE, text=True)
    (job / "pid").write_text(str(sleeper.pid), encoding="ascii")
    assert sleeper.stdout.readline() == "running\n"
    edit(root, "再一段。")
    build_into(root, out, search=True)
    # the build has sent SIGKILL by the time it returns; the bound only ends a test that hangs
    assert sleeper.wait(timeout=SAFETY_NET_SECONDS) == -signal.SIGKILL
    sleeper.stdout.close()
    assert not job.exists()


def edited_with_job_held(indexed, monkeypatch, text: str) -> tuple[Path, Path, tuple]:
    """A built site, edited and built again in the background mode with its job not started:
    (root, site, the job's arguments), for a test to run the job here as the detached process would."""
    root, out = indexed
    edit(root, text)
    started: list[tuple] = []
    monkeypatch.setattr("broadsheet.build.pipeline.start_job", lambda *args: started.append(args))
    build_into(root, out, search=True, search_in_background=True)
    return root, out, started[0]


def test_a_failed_job_is_recorded_and_the_next_build_indexes_in_the_foreground(indexed, monkeypatch) -> None:
    root, out, (job, dest, manifest_file, fingerprint, redo, keep) = edited_with_job_held(indexed, monkeypatch,
                                                                                          "失敗的索引。")

    def broken(*_args, **_kwargs) -> None:
        raise BroadsheetError("search: Pagefind failed (exit 1): out of disk")

    monkeypatch.setattr("broadsheet.build.searchjob.index_site", broken)
    assert run_job(job, dest, manifest_file, fingerprint, redo, keep) == 0  # here, as the detached process would
    state = manifest(root, out)
    assert state["search_error"].endswith("out of disk") and state["search_job"] == ""
    assert not job.exists()
    monkeypatch.undo()
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out, search=True,
                       search_in_background=True)
    result = build(ctx)  # same inputs, but the index is behind: not "nothing changed"
    assert not result.nothing_changed and not result.search_pending
    state = manifest(root, out)
    assert state["search_error"] == "" and state["search_job"] == ""
    assert any("2025-04-13-sample" in page for page in state["indexed"])


def test_a_job_for_a_site_a_newer_build_replaced_gives_up(indexed, monkeypatch) -> None:
    root, out, (job, dest, manifest_file, _, redo, keep) = edited_with_job_held(indexed, monkeypatch, "第一次修改。")
    before = index_files(out)
    assert run_job(job, dest, manifest_file, "a fingerprint of another build", redo, keep) == 0
    assert index_files(out) == before  # nothing swapped in
    assert manifest(root, out)["search_job"] == job.name


def test_pagefind_starts_on_the_issue_pages_before_the_rest_is_rendered(make_site, monkeypatch) -> None:
    import broadsheet.build.pipeline as pipeline
    import broadsheet.build.rendering as rendering

    root = make_site()
    order: list[str] = []
    start, render = pipeline.start_index, rendering.render_units

    def noted_start(*args, **kwargs) -> None:
        order.append("index")
        start(*args, **kwargs)

    def noted_render(*args, **kwargs) -> None:
        order.append("render")
        render(*args, **kwargs)

    monkeypatch.setattr(pipeline, "start_index", noted_start)
    monkeypatch.setattr(rendering, "render_units", noted_render)
    out = build_into(root, search=True)
    assert order == ["render", "index", "render"]  # issue pages, then Pagefind, then the rest
    assert any("2025-04-13-sample" in url for url in indexed_urls(out))
    assert not list(out.parent.glob(job_glob(out)))  # its snapshot is gone


def test_a_pagefind_failure_leaves_the_site_and_nothing_beside_it(indexed, monkeypatch) -> None:
    root, out = indexed
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(root, "這次索引會失敗。")
    monkeypatch.setattr("broadsheet.outputs.search.pagefind_executable",
                        lambda: Path(shutil.which("false") or "/bin/false"))
    shutil.rmtree(root / ".cache")  # no record: a full build, which indexes before the swap
    with pytest.raises(BroadsheetError, match="Pagefind failed"):
        build_into(root, out, search=True)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".site.")) == [".site.lock"]


def test_the_command_line_indexes_in_the_background_unless_told_to_wait(make_site, monkeypatch, capsys) -> None:
    from conftest import run_cli

    root = make_site()
    monkeypatch.delenv("BROADSHEET_WAIT_SEARCH", raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert run_cli(root, "build") == 0  # the first build indexes before it returns
    out = root / "site"
    edit(root, "等一下索引。")
    assert run_cli(root, "build", "--wait-search") == 0
    assert "search: the previous index serves" not in capsys.readouterr().out
    assert manifest(root, out)["search_job"] == "" and not list(out.parent.glob(job_glob(out)))
    edit(root, "不等索引。")
    assert run_cli(root, "build") == 0
    assert "search: the previous index serves until the new one is swapped in" in capsys.readouterr().out
    wait_for_job(out)
    assert any("不等索引" in text for text in fragment_texts(out))
    monkeypatch.setenv("CI", "true")  # as in GitHub Actions: the published site has its whole index
    edit(root, "持續整合。")
    assert run_cli(root, "build") == 0
    assert manifest(root, out)["search_job"] == "" and any("持續整合" in t for t in fragment_texts(out))


LAST_YEAR = """---
title: 去年的最後一期
date: 2024-12-27
summary: 年終回顧。
tags: [美股]
slug: last-year
---
## 年終

去年最後一週的回顧:年底的債券市場相當平靜。
"""


def shard_inodes(site: Path, shard: str) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in sorted((site / "pagefind" / shard).rglob("*"))
            if p.is_file()}


def test_the_index_is_one_bundle_per_year_and_an_edit_indexes_only_its_year(make_site) -> None:
    from bs4 import BeautifulSoup

    root = make_site({"content/issues/2024-12-27-last-year/zh-Hant.md": LAST_YEAR})
    out = build_into(root, search=True)
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == ["2024", "2025"]
    shards = {lang: BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")
              .select_one("#search")["data-shards"] for lang, path in (("zh", "search/index.html"),
                                                                     ("en", "en/search/index.html"))}
    assert shards == {"zh": "2025 2024", "en": "2025"}  # newest first; no English page in 2024
    assert any("last-year" in url for url in indexed_urls(out))
    last_year = shard_inodes(out, "2024")
    assert last_year

    edit(root, "新的一段談殖利率曲線。")  # an issue of 2025
    build_into(root, out, search=True)
    assert shard_inodes(out, "2024") == last_year  # the same files, linked: 2024 was not indexed again
    assert any("新的一段談殖利率曲線" in text for text in fragment_texts(out))

    edit(root, "背景索引的一段。")
    build_into(root, out, search=True, search_in_background=True)
    wait_for_job(out)
    assert shard_inodes(out, "2024") == last_year
    assert any("背景索引的一段" in text for text in fragment_texts(out))
    assert manifest(root, out)["stale_shards"] == []


def test_the_years_a_stopped_job_had_to_index_are_indexed_by_the_next_build(make_site, monkeypatch) -> None:
    root = make_site({"content/issues/2024-12-27-last-year/zh-Hant.md": LAST_YEAR})
    out = build_into(root, search=True)
    edit(root, "這段要等背景索引。")  # 2025: its job is never started (as if stopped by a newer build)
    monkeypatch.setattr("broadsheet.build.pipeline.start_job", lambda *args: None)
    build_into(root, out, search=True, search_in_background=True)
    assert manifest(root, out)["stale_shards"] == ["2025"]
    monkeypatch.undo()
    last_year = root / "content/issues/2024-12-27-last-year/zh-Hant.md"
    last_year.write_text(LAST_YEAR + "\n年底的補充說明。\n", encoding="utf-8")  # only 2024 changes now
    build_into(root, out, search=True)
    texts = fragment_texts(out)
    assert any("這段要等背景索引" in text for text in texts) and any("年底的補充說明" in text for text in texts)
    assert manifest(root, out)["stale_shards"] == []


def test_a_search_job_that_died_is_made_good_by_the_next_build(indexed, monkeypatch) -> None:
    """A job killed with the machine never swaps its index in: the next build, even with no new
    edit, is not "nothing changed" but indexes what the job had to."""
    root, out = indexed
    edit(root, "這段的索引工作中途停了。")
    monkeypatch.setattr("broadsheet.build.pipeline.start_job", lambda *args: None)  # as if it died at once
    build_into(root, out, search=True, search_in_background=True)
    monkeypatch.undo()
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out, search=True)
    assert not build(ctx).nothing_changed
    assert any("這段的索引工作中途停了" in text for text in fragment_texts(out))
    assert build(ctx).nothing_changed
