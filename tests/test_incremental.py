"""Incremental builds: every kind of change shows up, and gives the bytes of a clean build.

One project (the sample site plus a chart) is built once per module; each test changes one input,
rebuilds incrementally, and compares the whole tree with a clean build of the same inputs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.build.pipeline import BuildResult, build
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import ROOT, SAMPLE, seed_cache

EARLIER = "content/issues/2025-04-06-earlier"
SAMPLE_ISSUE = "content/issues/2025-04-13-sample"
CHART = """\
rates:
  kind: line
  series: [VIX]
  start: 2025-03-03
  end: 2025-04-04  # the issue is dated 2025-04-06: no look-ahead
  title: {zh-Hant: 恐慌指數, en: VIX}
"""


def run(root: Path, out: Path | None = None, **options: bool) -> BuildResult:
    """Build `root` into site/ (or `out`) with the pipeline API."""
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out or root / "site", **options)
    return build(ctx)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its inode and modification time."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def page(root: Path, path: str) -> BeautifulSoup:
    """A built page of site/, parsed (a folder path means its index.html)."""
    file = root / "site" / path
    file = file / "index.html" if file.is_dir() else file
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a project file (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, fresh_cache: Path) -> Path:
    """The sample site with a chart in the earlier issue, built once (its .cache/ starts as
    conftest.fresh_cache: no drawing, no page)."""
    root = tmp_path_factory.mktemp("incremental") / "project"
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(SAMPLE / "content", root / "content")
    (root / EARLIER / "charts.yaml").write_text(CHART, encoding="utf-8")
    for name in ("zh-Hant.md", "en.md"):
        with (root / EARLIER / name).open("a", encoding="utf-8") as fp:
            fp.write('\n{{ chart("rates") }}\n')
    seed_cache(root, fresh_cache)
    first = run(root)
    assert first.pages_rendered == 3 and first.charts_total == 2
    return root


@pytest.fixture
def same_as_clean(project: Path):
    """After the test's incremental build: a clean build of the same inputs has the same bytes."""
    yield
    clean = project.parent / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    run(project, out=clean, clean=True)
    built, expected = tree(project / "site"), tree(clean)
    assert sorted(built) == sorted(expected)
    assert [path for path in built if built[path] != expected[path]] == []


def test_no_change_rewrites_nothing_and_imports_no_pandas(project: Path) -> None:
    before = stats(project / "site")
    script = ("import json, sys; from broadsheet.commands.cli import main; "
              f"code = main(['--root', {str(project)!r}]); "
              "print(json.dumps([code, sorted(m for m in ('pandas', 'altair', 'vl_convert') if m in sys.modules)]))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "BROADSHEET_NO_VENV": "1"})
    assert json.loads(done.stdout.splitlines()[-1]) == [0, []]
    assert "nothing changed" in done.stdout
    assert stats(project / "site") == before  # same inodes, same modification times


def test_bytecode_python_writes_is_not_a_change_of_the_engine(project: Path) -> None:
    """Python writes broadsheet/__pycache__/*.pyc the first time a module is imported (unless
    PYTHONDONTWRITEBYTECODE is set): the next build must not take that for new code and redo all."""
    from broadsheet.build.incremental import code_version

    before = code_version()
    pyc = ROOT / "broadsheet" / "__pycache__" / f"written-by-python-{os.getpid()}.cpython-311.pyc"
    made_folder = not pyc.parent.exists()
    pyc.parent.mkdir(exist_ok=True)
    pyc.write_bytes(b"\xa7\r\r\n bytecode")
    try:
        assert code_version() == before
        assert run(project).pages_rendered == 0
    finally:
        pyc.unlink()
        if made_folder:
            shutil.rmtree(pyc.parent, ignore_errors=True)


def test_paragraph_edit(project: Path, same_as_clean: None) -> None:
    edit(project / EARLIER / "en.md", "March payrolls rose", "March payrolls, revised, rose")
    before = stats(project / "site")
    result = run(project)
    assert "March payrolls, revised, rose" in page(project, "en/issues/2025-04-06-earlier/").get_text()
    assert result.pages_rendered == 1 and result.charts_rendered == 0
    after = stats(project / "site")
    kept = [path for path in after if after[path] == before.get(path)]
    assert "index.html" in kept and "issues/2025-04-06-earlier/index.html" in kept  # the zh edition
    assert after["en/issues/2025-04-06-earlier/index.html"] != before["en/issues/2025-04-06-earlier/index.html"]
    assert result.files_written < len(after) / 4


def test_data_series_redoes_only_its_pages_and_charts(project: Path, same_as_clean: None) -> None:
    markets = project / "data" / "markets.csv"
    edit(markets, "2025-04-04,SP500,5074.08", "2025-04-04,SP500,5000.01")  # read by the sample issue only
    result = run(project)
    assert "5,000.01" in page(project, "issues/2025-04-13-sample/").get_text()
    assert (result.pages_rendered, result.charts_rendered) == (1, 0)
    rows = markets.read_text(encoding="utf-8").splitlines()
    changed = [row.rsplit(",", 2)[0] + ",30.5," + row.rsplit(",", 1)[1] if ",VIX," in row and "2025-03-1" in row
               else row for row in rows]  # read by the earlier issue's chart only
    markets.write_text("\n".join(changed) + "\n", encoding="utf-8")
    result = run(project)
    assert (result.pages_rendered, result.charts_rendered) == (2, 2)  # both editions and their charts


def test_template_change(project: Path, same_as_clean: None) -> None:
    edit(project / "templates" / "base.html", "</body>", "<p id=colophon>Set in Noto.</p></body>")
    result = run(project)
    assert page(project, "issues/2025-04-06-earlier/").find(id="colophon").get_text() == "Set in Noto."
    assert page(project, "archive/").find(id="colophon") is not None
    assert result.pages_rendered == 3 and result.charts_rendered == 0


def test_config_change(project: Path, same_as_clean: None) -> None:
    edit(project / "site.yaml", "zh-Hant: 市場週報編輯室", "zh-Hant: Renamed Desk")
    run(project)
    data = json.loads((project / "site" / "feed.json").read_text(encoding="utf-8"))
    assert "Renamed Desk" in json.dumps(data, ensure_ascii=False)


def test_translation_catalog_change(project: Path, same_as_clean: None) -> None:
    po = project / "translations" / "zh_Hant_TW" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    start = text.index('msgid "Archive"\nmsgstr "') + len('msgid "Archive"\nmsgstr "')
    po.write_text(text[:start] + "舊聞" + text[text.index('"', start):], encoding="utf-8")
    run(project)
    assert "舊聞" in page(project, "index.html").get_text()


def test_static_file_change(project: Path, same_as_clean: None) -> None:
    css = project / "static" / "css" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.colophon { color: teal; }\n", encoding="utf-8")
    before = stats(project / "site")
    result = run(project)
    assert (project / "site" / "static" / "css" / "site.css").read_bytes() == css.read_bytes()
    assert result.pages_rendered == 0 and result.files_written == 1
    assert stats(project / "site")["index.html"] == before["index.html"]


def test_new_and_deleted_issue(project: Path, same_as_clean: None) -> None:
    folder = project / "content" / "issues" / "2025-04-20-next"
    shutil.copytree(project / SAMPLE_ISSUE, folder)
    edit(folder / "zh-Hant.md", "title: 範例週報", "title: 下一期")
    edit(folder / "zh-Hant.md", "date: 2025-04-13", "date: 2025-04-20")
    edit(folder / "zh-Hant.md", "slug: sample", "slug: next")  # the address is the date and slug
    run(project)
    assert page(project, "index.html").find("a", string=lambda s: s.startswith("下一期")) is not None
    assert (project / "site" / "issues" / "2025-04-20-next" / "index.html").is_file()
    shutil.rmtree(project / SAMPLE_ISSUE)
    run(project)
    assert not (project / "site" / "issues" / "2025-04-13-sample").exists()
    assert page(project, "archive/").find("a", string=lambda s: s.startswith("範例週報")) is None


def test_clean_flag_and_damaged_site(project: Path, same_as_clean: None) -> None:
    damaged = project / "site" / "issues" / "2025-04-06-earlier" / "index.html"
    damaged.unlink()
    result = run(project)  # not "nothing changed": the site lost a file
    assert not result.nothing_changed and damaged.is_file() and result.files_written == 1
    result = run(project, clean=True)
    assert result.pages_rendered == 3 and result.charts_rendered == 0  # the chart images stay cached


@pytest.mark.unit
def test_the_fingerprint_hashes_every_stage_folder_of_the_package(monkeypatch) -> None:
    """The code hash covered broadsheet/build/ alone after the move to stage folders: a change to
    pages/ or outputs/ left an old site "nothing changed"."""
    from broadsheet.build import incremental

    hashed: list[Path] = []
    real = incremental.hash_tree
    monkeypatch.setattr(incremental, "hash_tree", lambda folder, memo=None: hashed.append(folder) or real(folder, memo))
    incremental.code_version()
    assert hashed == [ROOT / "broadsheet"]
    files = set(real(ROOT / "broadsheet"))
    assert {"pages/sanitize.py", "outputs/render.py", "core/typography.py", "build/incremental.py"} <= files


def test_a_new_version_of_a_library_that_shapes_output_is_a_change(project: Path, monkeypatch) -> None:
    """After nh3 (the sanitizer) was swapped for another version, the build said "nothing changed"
    and kept pages it had sanitized with the old one. Every library that shapes output, and the
    project's own version, is part of the fingerprint."""
    from broadsheet.build import incremental

    assert run(project).nothing_changed
    real = incremental.installed_versions
    for name in ("nh3", "opencc", "exchange-calendars", "broadsheet"):
        monkeypatch.setattr(incremental, "installed_versions",
                            lambda dists, name=name: {d: "99.0" if d == name else v for d, v in real(dists).items()})
        result = run(project)
        assert not result.nothing_changed, name
        assert result.pages_rendered == 3  # every page is assembled again with the new library
        assert run(project).nothing_changed  # and then the build is up to date with it
