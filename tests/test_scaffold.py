"""`new`: scaffold an issue folder that builds as a draft and never overwrites."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from broadsheet.checks.run import check_site
from broadsheet.commands.scaffold import coming_sunday, scaffold_issue
from broadsheet.content.issues import read_page
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import build_into, run_cli


@pytest.mark.unit
@pytest.mark.parametrize(("today", "sunday"), [
    ("2025-04-14", "2025-04-20"),  # Monday → that week's Sunday
    ("2025-04-19", "2025-04-20"),  # Saturday
    ("2025-04-20", "2025-04-20"),  # on a Sunday, that day's issue
])
def test_date_defaults_to_the_coming_sunday(today: str, sunday: str) -> None:
    assert coming_sunday(dt.date.fromisoformat(today)) == dt.date.fromisoformat(sunday)


def test_new_scaffolds_both_editions_that_build_as_a_draft(make_site, capsys) -> None:
    root = make_site()
    assert run_cli(root, "new", "關稅衝擊後的一週", "--date", "2025-04-20") == 0
    folder = root / "content/issues/2025-04-20-關稅衝擊後的一週"
    assert sorted(p.name for p in folder.iterdir()) == ["en.md", "zh-Hant.md"]
    out = capsys.readouterr().out
    assert "created content/issues/2025-04-20-關稅衝擊後的一週/zh-Hant.md" in out
    zh = read_page(folder / "zh-Hant.md", "zh-Hant", folder.name)
    en = read_page(folder / "en.md", "en", folder.name)
    assert (zh.meta.title, zh.meta.date, zh.meta.slug, zh.meta.draft, zh.meta.tags) == (
        "關稅衝擊後的一週", dt.date(2025, 4, 20), "關稅衝擊後的一週", True, ())
    assert en.meta.draft and en.meta.translated_from == zh.source_hash
    for heading in ("## 一週市場回顧", "## 總經數據", "## 債市與美元", "## 展望與資產配置"):
        assert heading in zh.body
    assert "## Bonds and the dollar" in en.body

    published = build_into(root, root / "published")
    assert not (published / "issues/2025-04-20-關稅衝擊後的一週").exists()
    preview = build_into(root, root / "preview", drafts=True)
    soup = BeautifulSoup((preview / "issues/2025-04-20-關稅衝擊後的一週/index.html")
                         .read_text(encoding="utf-8"), "html.parser")
    assert [h.get_text() for h in soup.select(".issue-body h2")] == [
        "一週市場回顧", "總經數據", "債市與美元", "展望與資產配置"]
    # the commented example figure computes (it is a comment, so readers do not see it)
    assert "week_pct" not in soup.get_text()


def test_a_scaffolded_issue_checks_clean(make_site) -> None:
    root = make_site()
    config = load_config(root / "site.yaml")
    folder = scaffold_issue(root, config, "Next week", date="2025-04-20")
    result = check_site(BuildContext(root=root, config=config, out_dir=root / "site", drafts=True))
    assert [e for e in result.errors + result.warnings if folder in e.path.parents] == []


def test_new_refuses_to_overwrite(make_site, capsys) -> None:
    root = make_site()
    assert run_cli(root, "new", "Week", "--slug", "week", "--date", "2025-04-20") == 0
    page = root / "content/issues/2025-04-20-week/zh-Hant.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n編輯過的文字\n", encoding="utf-8")
    assert run_cli(root, "new", "Week", "--slug", "week", "--date", "2025-04-20") == 1
    assert "content/issues/2025-04-20-week exists already; nothing was changed" in \
        capsys.readouterr().err
    assert "編輯過的文字" in page.read_text(encoding="utf-8")


def test_new_rejects_a_bad_date_or_slug(make_site, capsys) -> None:
    root = make_site()
    assert run_cli(root, "new", "Week", "--date", "2025-02-30") == 1
    assert run_cli(root, "new", "Week", "--slug", "a/b") == 1
    err = capsys.readouterr().err
    assert "--date '2025-02-30' is not a date" in err
    assert "slug 'a/b' may hold only letters, digits and -" in err


def test_a_title_with_nothing_to_slug_asks_for_a_slug(make_site, capsys) -> None:
    root = make_site()
    assert run_cli(root, "new", "???", "--date", "2025-04-20") == 1
    err = capsys.readouterr().err
    assert "has no letters or digits to make a slug from: give one with --slug" in err
    assert "new: nothing was created" in err
    assert not list((root / "content/issues").glob("2025-04-20-*"))


def test_slug_decides_the_address_not_the_folder(make_site) -> None:
    """docs/writing.md: `slug` is the address segment; the folder name only locates the source."""
    from bs4 import BeautifulSoup

    from conftest import build_into

    page = "---\ntitle: 改名\ndate: 2025-04-20\nsummary: 資料夾不是網址。\nslug: renamed-week\n---\n\n內文。\n"
    root = make_site({"content/issues/draft-folder/zh-Hant.md": page})
    out = build_into(root)
    assert (out / "issues/2025-04-20-renamed-week/index.html").is_file()
    assert not (out / "issues/draft-folder").exists()
    home = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    assert home.select_one(".lead a")["href"] == "/broadsheet/issues/2025-04-20-renamed-week/"
    # two folders may not claim the same address
    (root / "content/issues/other").mkdir()
    (root / "content/issues/other/zh-Hant.md").write_text(page, encoding="utf-8")
    import pytest

    from broadsheet.core.errors import BuildFailed

    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    assert "duplicate slug 'renamed-week' on 2025-04-20" in failed.value.problems[0].message

