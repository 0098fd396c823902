"""Tags declared once (content/tags.yaml): names in each language, one slug, did-you-mean, an index."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.core.errors import BuildFailed
from conftest import ROOT, build_into

TAGS = """\
basis-trade: {zh-Hant: 基差交易, en: basis trade}
us-stocks: {zh-Hant: 美股, en: US stocks}
"""
ZH = """\
---
title: 標籤
date: 2025-04-13
summary: 標籤測試。
tags: [{tags}]
---
內文。
"""
EN = """\
---
title: Tags
date: 2025-04-13
summary: Tags test.
tags: [basis trade, 美股]
---
Text.
"""
DIR = "content/issues/2025-04-13-tagged/"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def site(make_site, tags: str = "基差交易, us-stocks") -> Path:
    return make_site({"content/tags.yaml": TAGS, DIR + "zh-Hant.md": ZH.format(tags=tags), DIR + "en.md": EN},
                     with_sample_issue=False)


def test_an_unknown_tag_stops_the_build_with_did_you_mean(make_site) -> None:
    root = site(make_site, tags="基差交意")
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    [problem] = [p for p in failed.value.problems if "tag" in p.message]
    assert problem.format(root) == (f"{DIR}zh-Hant.md:5: unknown tag '基差交意' (did you mean '基差交易'? "
                                    "declare it in content/tags.yaml (slug: {zh-Hant: …, en: …}))")


def test_tags_by_either_name_share_one_page_per_language_linked_to_each_other(make_site) -> None:
    out = build_into(site(make_site))
    en_tag = soup(out / "en" / "tags" / "us-stocks" / "index.html")  # the en file says 美股
    assert en_tag.h1.get_text() == "Tag: US stocks"
    switch = {a["hreflang"]: a["href"] for a in en_tag.select(".lang-switch a")}
    assert switch == {"zh-Hant-TW": "/broadsheet/tags/us-stocks/"}  # the same tag, not the home page
    zh_issue = soup(out / "issues" / "2025-04-13-tagged" / "index.html")
    assert [a.get_text() for a in zh_issue.select(".tags a")] == ["基差交易", "美股"]  # names in the page's language
    en_issue = soup(out / "en" / "issues" / "2025-04-13-tagged" / "index.html")
    assert [(a.get_text(), a["href"]) for a in en_issue.select(".tags a")] == [
        ("basis trade", "/broadsheet/en/tags/basis-trade/"), ("US stocks", "/broadsheet/en/tags/us-stocks/")]
    assert sorted(p.name for p in (out / "tags").iterdir()) == ["basis-trade", "index.html", "us-stocks"]


def test_a_tags_index_per_language_with_counts(make_site) -> None:
    out = build_into(site(make_site))
    for prefix, first in (("", ("基差交易", "（1 期）")), ("en/", ("basis trade", "(1 issue)"))):
        index = soup(out / prefix / "tags" / "index.html")
        items = [(li.a.get_text(), li.select_one(".count").get_text()) for li in index.select(".tag-index li")]
        assert first in items and len(items) == 2
    assert soup(out / "tags" / "us-stocks" / "index.html").select_one(".all-tags a")["href"] == "/broadsheet/tags/"


def test_a_bad_tags_file_is_reported_at_its_line(make_site) -> None:
    root = make_site({"content/tags.yaml": TAGS + "Bad Slug: {zh-Hant: 壞, en: bad}\n"})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    assert failed.value.problems[0].format(root).startswith("content/tags.yaml:3: tag slug 'Bad Slug' may hold only")


def test_the_real_projects_tags_are_declared(real_site: Path) -> None:
    from broadsheet.core.config import load_config

    config = load_config(ROOT / "site.yaml")
    assert config.tags is not None
    for code in ("zh-Hant", "en"):
        text = (ROOT / "content/issues/2025-04-13-tariff-shock" / f"{code}.md").read_text(encoding="utf-8")
        tags = text.split("tags: [", 1)[1].split("]", 1)[0].split(", ")
        assert all(config.tags.find(t) is not None for t in tags)
    assert (real_site / "tags" / "basis-trade" / "index.html").exists()
    assert (real_site / "en" / "tags" / "basis-trade" / "index.html").exists()


@pytest.mark.parametrize(("archive", "index"), [("archive/", "/broadsheet/tags/"),
                                                ("en/archive/", "/broadsheet/en/tags/")])
def test_the_archive_links_to_its_editions_tags_index(real_site: Path, archive: str, index: str) -> None:
    """The tags index is reached from the archive (in every page's menu), not only from a tag page."""
    soup = BeautifulSoup((real_site / archive / "index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.select_one("main .all-tags a")
    assert link is not None and link["href"] == index
    assert (real_site / index.removeprefix("/broadsheet/") / "index.html").is_file()
