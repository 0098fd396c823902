"""Around the issue (issue 24), in the built HTML: the previous and next issue, more issues under
each tag, the copy-link button, the optional email sign-up form; the neighbours it reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from broadsheet.content.related import more_on_tags, neighbours
from broadsheet.core.config import load_config
from broadsheet.core.errors import BuildFailed
from conftest import ROOT, build_into

NEWER, OLDER = "issues/2025-04-13-sample/", "issues/2025-04-06-earlier/"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def fake_issue(key: str, **tags: list[str]) -> SimpleNamespace:
    """An Issue as related.py reads it: a key and a page per language with its tags."""
    pages = {code: SimpleNamespace(meta=SimpleNamespace(tags=tuple(words), date=dt.date(2025, 1, 1)))
             for code, words in tags.items()}
    return SimpleNamespace(key=key, pages=pages)


@pytest.mark.unit
def test_more_on_tags_lists_the_newest_others_once_each_per_edition() -> None:
    a = fake_issue("a", zh=["美股", "美債"], en=["US stocks"])
    b = fake_issue("b", zh=["美股"])
    c = fake_issue("c", zh=["美股", "美債"], en=["us stocks"])
    d = fake_issue("d", zh=["美債"])
    e = fake_issue("e", zh=["美股"])
    issues = [a, b, c, d, e]  # newest first
    found = more_on_tags(issues, a, "zh", str.casefold)
    assert {tag: [i.key for i in listed] for tag, listed in found.items()} == {"美股": ["b", "c"], "美債": ["d"]}
    assert {t: [i.key for i in v] for t, v in more_on_tags(issues, a, "en", str.casefold).items()} == {
        "US stocks": ["c"]}  # the same tag however it is written; only issues of that edition
    assert {t: [i.key for i in v] for t, v in more_on_tags(issues, e, "zh", str.casefold, 1).items()} == {
        "美股": ["a"]}
    assert neighbours(issues, c, "en") == (a, None)


def test_issue_pages_link_the_issues_under_their_tags(sample_site: Path) -> None:
    newer, older = soup(sample_site / NEWER / "index.html"), soup(sample_site / OLDER / "index.html")
    section = newer.select_one("section.more-on-tags")
    assert section.h2.get_text() == "更多相關主題"
    # each tag of the header, in the same order, with the same links
    assert [(a.get_text(), a["href"]) for a in section.select("a.more-tag")] == \
        [(a.get_text(), a["href"]) for a in newer.select(".issue-header .tags a")]
    first = section.select_one(".more-tags > li")
    assert first.a.get_text() == "美股"
    assert [a["href"] for a in first.select(".more-tag-issues a")] == ["/broadsheet/" + OLDER]
    assert [a["href"] for a in older.select(".more-tag-issues a")] == ["/broadsheet/" + NEWER]
    english = soup(sample_site / "en" / OLDER / "index.html")  # the only English issue: tags, no issue under them
    assert [a.get_text() for a in english.select("a.more-tag")] == ["US stocks"]
    assert english.select(".more-tag-issues") == []
    assert english.select_one("section.more-on-tags h2").get_text() == "More on these topics"


def test_previous_and_next_issue_links_carry_their_titles(sample_site: Path) -> None:
    newer, older = soup(sample_site / NEWER / "index.html"), soup(sample_site / OLDER / "index.html")
    prev = newer.select_one(".issue-nav a[rel=prev]")
    assert prev["href"] == "/broadsheet/" + OLDER and "較早的一期" in prev.get_text()
    assert prev.select_one(".issue-nav-label").get_text() == "較舊一期"
    assert newer.select_one(".issue-nav a[rel=next]") is None  # the newest has no next
    assert older.select_one(".issue-nav a[rel=next]")["href"] == "/broadsheet/" + NEWER


def test_the_copy_link_button_waits_for_its_script(sample_site: Path) -> None:
    page = soup(sample_site / NEWER / "index.html")
    button = page.select_one(".share button.copy-link")
    assert button.has_attr("hidden")  # shown only where the script can copy
    assert button["data-url"] == "https://example.github.io/broadsheet/" + NEWER
    assert button["type"] == "button" and button.get_text() == "複製連結"
    assert page.select_one(".share .copy-link-status")["role"] == "status"


def test_no_sign_up_form_by_default(sample_site: Path) -> None:
    for page in (NEWER + "index.html", "index.html", "en/index.html"):
        assert soup(sample_site / page).select("form.signup") == []


SIGNUP = """
signup:
  action: https://buttondown.com/api/emails/embed-subscribe/marketsweekly
  hidden: {embed: 1}
"""


def test_the_sign_up_form_posts_to_the_configured_service(make_site) -> None:
    root = make_site()
    (root / "site.yaml").write_text((ROOT / "site.yaml").read_text(encoding="utf-8") + SIGNUP, encoding="utf-8")
    site = build_into(root)
    zh, en = "以電子郵件收到每一期", "Get each issue by email"
    for page, label in ((NEWER, zh), ("", zh), ("en/", en)):
        form = soup(site / page / "index.html").select_one("form.signup")
        assert form["action"] == "https://buttondown.com/api/emails/embed-subscribe/marketsweekly"
        assert form["method"] == "post"
        field = form.select_one("input[type=email]")
        assert field["name"] == "email" and field.has_attr("required") and field["autocomplete"] == "email"
        assert form.select_one(f"label[for={field['id']}]").get_text() == label
        assert [(h["name"], h["value"]) for h in form.select("input[type=hidden]")] == [("embed", "1")]
        assert form.select("script") == []  # no script of the service


@pytest.mark.unit
@pytest.mark.parametrize(("setting", "message"), [
    ("signup: {action: http://example.com/subscribe}", "action must be an https URL"),
    ("signup: {email_field: address}", "'action' is missing"),
    ("signup: https://example.com/", "signup must be a mapping"),
    ("signup: {action: https://example.com/s, colour: red}", "unknown signup setting 'colour'"),
])
def test_a_bad_sign_up_setting_names_its_line(tmp_path: Path, setting: str, message: str) -> None:
    text = (ROOT / "site.yaml").read_text(encoding="utf-8") + setting + "\n"
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_config(tmp_path / "site.yaml")
    errors = failed.value.problems
    assert len(errors) == 1 and message in str(errors[0]), [str(e) for e in errors]
    assert errors[0].line == text.count("\n")


@pytest.mark.unit
def test_sign_up_is_off_without_the_setting() -> None:
    assert load_config(ROOT / "site.yaml").signup is None


THIRD = """---
title: {title}
date: 2025-03-30
summary: 再早一週。
tags: [美股]
slug: third
---
## 美股

美股一週。
"""


def test_a_page_is_made_again_when_an_issue_under_its_tags_changes(make_site) -> None:
    """The newest page lists the third issue under 美股 (not its neighbour): an incremental build
    after the third issue's title changes shows the new title there."""
    root = make_site({"content/issues/2025-03-30-third/zh-Hant.md": THIRD.format(title="第三期")})
    site = build_into(root)
    listed = soup(site / NEWER / "index.html").select(".more-tag-issues a")
    assert [a.get_text() for a in listed] == ["較早的一期", "第三期"]
    (root / "content/issues/2025-03-30-third/zh-Hant.md").write_text(THIRD.format(title="改過的第三期"),
                                                                     encoding="utf-8")
    build_into(root)
    listed = soup(site / NEWER / "index.html").select(".more-tag-issues a")
    assert [a.get_text() for a in listed] == ["較早的一期", "改過的第三期"]
