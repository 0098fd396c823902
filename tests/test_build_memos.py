"""What a build remembers to skip work: input hashes by size and mtime, parsed YAML by its text,
and the replaced site removed in the background."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from broadsheet.build.incremental import RACY_NS, HashMemo, hash_tree, sha
from broadsheet.core.yamlsource import YamlMemo, load_yaml, yaml_memo
from conftest import build_into, wait_until


@pytest.mark.unit
def test_hash_memo_reads_a_file_again_only_when_its_size_or_mtime_changed(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    file = folder / "a.md"
    file.write_bytes(b"one")
    old = time.time_ns() - 10 * RACY_NS
    os.utime(file, ns=(old, old))
    memo = HashMemo(tmp_path / "hashes.json")
    assert hash_tree(folder, memo) == {"a.md": sha(b"one")}
    memo.save()
    reads: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or original(self))
    again = HashMemo(tmp_path / "hashes.json")
    assert hash_tree(folder, again) == {"a.md": sha(b"one")} and file not in reads
    file.write_bytes(b"two")  # new mtime (now): read again, and not remembered while racy
    assert hash_tree(folder, again) == {"a.md": sha(b"two")} and file in reads
    assert again.entries[str(file)][2] == sha(b"one")


@pytest.mark.unit
def test_an_edit_in_the_same_clock_tick_is_not_missed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    file = folder / "a.md"
    file.write_bytes(b"one")
    memo = HashMemo(None)
    hash_tree(folder, memo)
    stat = file.stat()
    file.write_bytes(b"two")  # same size; force the same mtime
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert hash_tree(folder, memo) == {"a.md": sha(b"two")}


@pytest.mark.unit
def test_yaml_memo_keeps_parses_between_builds(tmp_path: Path) -> None:
    store = tmp_path / "yaml.pickle"
    with yaml_memo(store):
        first = load_yaml("title: 一\ntags: [a]\n", tmp_path / "x.md", 2)
    assert first == {"title": "一", "tags": ["a"]} and first.lines == {"title": 1, "tags": 2}
    memo = YamlMemo(store)
    assert len(memo.entries) == 1
    with yaml_memo(store):
        again = load_yaml("title: 一\ntags: [a]\n", tmp_path / "x.md", 2)
        again["title"] = "changed"  # a copy: the memo is not changed through it
        assert load_yaml("title: 一\ntags: [a]\n", tmp_path / "x.md", 2)["title"] == "一"
    assert again.lines == {"title": 1, "tags": 2}


def test_the_replaced_site_is_removed_in_the_background(make_site) -> None:
    root = make_site()
    build_into(root)
    (root / "content/issues/2025-04-13-sample/zh-Hant.md").open("a", encoding="utf-8").write("\n再一段。\n")
    build_into(root)
    wait_until(lambda: not list(root.glob(".site.trash-*")), "the detached rm of the replaced site")
    assert list(root.glob(".site.*-*")) == []
    assert (root / "site" / "index.html").is_file()


@pytest.mark.unit
def test_page_memo_reads_only_the_files_whose_hash_changed(tmp_path: Path, monkeypatch) -> None:
    """An edit build of a big site must not read and parse every other issue again; a changed
    file, or another engine version, is read again."""
    from broadsheet.content import issues as content
    from broadsheet.core.config import load_config
    from broadsheet.core.errors import Problems
    from conftest import ROOT, SAMPLE

    project = tmp_path / "content"
    shutil.copytree(SAMPLE / "content", project)
    config = load_config(ROOT / "site.yaml")
    files = sorted(project.glob("issues/*/*.md"))
    hashes = {f.relative_to(project).as_posix(): sha(f.read_bytes()) for f in files}
    store = tmp_path / "pages-read.pickle"
    first = content.PageMemo(store, hashes, "v1")
    before = content.read_issues(project, config, Problems(), drafts=True, memo=first)
    first.save()

    reads: list[Path] = []
    original = content.read_page
    monkeypatch.setattr(content, "read_page", lambda path, *a: reads.append(path) or original(path, *a))
    edited = files[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    hashes[edited.relative_to(project).as_posix()] = sha(edited.read_bytes())
    again = content.read_issues(project, config, Problems(), drafts=True, memo=content.PageMemo(store, hashes, "v1"))
    assert reads == [edited]
    pages = {p.src_path: p for i in again for p in i.pages.values()}
    assert pages[edited].body.rstrip().endswith("新的一段。")
    assert [p.meta for i in before for p in i.pages.values()] == [p.meta for i in again for p in i.pages.values()]

    reads.clear()  # another engine version: nothing is taken from the memo
    content.read_issues(project, config, Problems(), drafts=True, memo=content.PageMemo(store, hashes, "v2"))
    assert sorted(reads) == files


def test_a_build_holds_no_page_and_wrote_each_as_its_stored_page_renders(make_site, tmp_path, monkeypatch) -> None:
    """A build renders each issue page where it is assembled and keeps the page only in the
    cache (its memory does not grow with the site): what it wrote is what the stored page renders."""
    from broadsheet.build import assemble
    from broadsheet.build.pipeline import assemble_site
    from broadsheet.build.rendering import lazy_renderer
    from broadsheet.build.writer import SiteWriter
    from broadsheet.core.config import load_config
    from broadsheet.core.context import BuildContext
    from broadsheet.outputs.units import render_email, render_issue

    root = make_site()
    monkeypatch.setattr(assemble, "ASSEMBLE_PARALLEL_MIN", 1)  # in worker processes, where fork is safe
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=tmp_path / "out", search=False)
    writer = SiteWriter(ctx.out_dir)
    try:
        site = assemble_site(ctx, sink=writer)
        assert len(site.pages) == 3 and not site.pages._ready  # every page is read back from the cache
        renderer = lazy_renderer(ctx)
        for key in site.pages:
            page = site.pages[key]
            for out in [*render_issue(page, site.issues, ctx, renderer()), *render_email(page, ctx, renderer())]:
                assert (writer.tmp / out.path).read_bytes() == out.data, out.path
    finally:
        writer.close()


@pytest.mark.unit
def test_pages_read_from_the_cache_are_not_all_kept(monkeypatch) -> None:
    from broadsheet.build.state import Pages

    loads: list[tuple[str, str]] = []
    pages = Pages()
    for n in range(Pages.LOADED_KEPT * 3):
        pages.add_later((f"issue-{n}", "en"), lambda k=(f"issue-{n}", "en"): loads.append(k) or k)
    for key in list(pages):
        assert pages[key] == key and pages[key] == key  # the second read is the kept one
    assert len(loads) == Pages.LOADED_KEPT * 3 and len(pages._loaded) == Pages.LOADED_KEPT
    assert pages[("issue-0", "en")] == ("issue-0", "en") and len(loads) == Pages.LOADED_KEPT * 3 + 1


def test_a_template_change_renders_the_reused_pages_where_pages_are_assembled(make_site, tmp_path, monkeypatch) -> None:
    """After a template change every issue page is rendered again from its cached page, in the
    assembly processes (every core), and the site is the one a clean build makes."""
    from broadsheet.build import assemble

    root = make_site()
    monkeypatch.setattr(assemble, "ASSEMBLE_PARALLEL_MIN", 0.1)  # in worker processes, where fork is safe
    build_into(root)
    base = root / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p id=colophon>Set in Noto.</p></body>"),
                    encoding="utf-8")
    build_into(root)
    clean = build_into(root, tmp_path / "clean", clean=True)

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    built, expected = files(root / "site"), files(clean)
    assert sorted(built) == sorted(expected)
    assert [path for path in built if built[path] != expected[path]] == []
    assert b"Set in Noto." in built["issues/2025-04-13-sample/index.html"]
