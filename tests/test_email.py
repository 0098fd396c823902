"""The email edition: mail-safe HTML (no <style>, tables, absolute URLs) and its plain-text part."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.core.config import load_config
from broadsheet.core.urls import Urls
from conftest import ROOT, build_into

ISSUE = "2025-04-13-tariff-shock"
EDITIONS = [("", "zh-Hant"), ("en/", "en")]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(("prefix", "code"), EDITIONS)
def test_email_html_is_mail_safe(real_site: Path, prefix: str, code: str) -> None:
    email = soup(real_site / f"{prefix}issues/{ISSUE}/email.html")
    assert email.find("style") is None and email.find("link", rel="stylesheet") is None
    assert email.find("script") is None and email.find("svg") is None
    urls = [tag.get("href") for tag in email.find_all(href=True)] + [tag.get("src") for tag in email.find_all(src=True)]
    assert urls
    assert all(u.startswith(("http://", "https://")) for u in urls), [u for u in urls if not u.startswith("http")]
    column = email.select_one("table.column")
    # fluid: the full width of a phone, at most 600 px (Outlook gets a fixed 600 px ghost table)
    assert column is not None and column["width"] == "100%" and column["role"] == "presentation"
    assert "max-width: 600px" in column["style"] and 'width="600"' in str(email)
    assert "background-color" in email.body["style"]  # the CSS now sits in style attributes
    assert email.select_one("h2")["style"]


@pytest.mark.parametrize(("prefix", "code"), EDITIONS)
def test_email_carries_the_page_content(real_site: Path, prefix: str, code: str) -> None:
    page = soup(real_site / f"{prefix}issues/{ISSUE}/index.html")
    email = soup(real_site / f"{prefix}issues/{ISSUE}/email.html")
    assert email.h1.get_text(strip=True) == page.h1.get_text(strip=True)
    assert [h.get_text() for h in email.select(".body h2")] == [h.get_text() for h in page.select(".issue-body h2")]
    config = load_config(ROOT / "site.yaml")
    assert email.select_one(".disclaimer").get_text(strip=True) == config.disclaimer[code]
    assert page.select_one(".provenance").get_text(" ", strip=True) == email.select_one(
        "aside.provenance").get_text(" ", strip=True)
    web = email.select_one(".weblink a")["href"]
    assert web == Urls(config).absolute(f"{prefix}issues/{ISSUE}/")


@pytest.mark.parametrize(("prefix", "code"), EDITIONS)
def test_email_plain_text_part(real_site: Path, prefix: str, code: str) -> None:
    text = (real_site / f"{prefix}issues/{ISSUE}/email.txt").read_text(encoding="utf-8")
    page = soup(real_site / f"{prefix}issues/{ISSUE}/index.html")
    assert page.h1.get_text(strip=True) in text
    assert f"issues/{ISSUE}/ >" not in text and f"https://example.github.io/broadsheet/{prefix}issues/{ISSUE}/>" in text
    assert not re.search(r"<(?:p|div|table|td|a)\b", text)
    assert "\n- " in text  # lists stay lists
    first_heading = page.select_one(".issue-body h2").get_text()
    assert f"## {first_heading}" in text


@pytest.mark.parametrize(("prefix", "code"), EDITIONS)
def test_charts_become_png_images_by_absolute_url(real_site: Path, prefix: str, code: str) -> None:
    page = soup(real_site / f"{prefix}issues/{ISSUE}/index.html")
    email = soup(real_site / f"{prefix}issues/{ISSUE}/email.html")
    figures = page.select(".issue-body figure.chart")
    images = email.select(".body img")
    assert len(images) == len(figures) == 6
    for figure, img in zip(figures, images, strict=True):
        title = figure.select_one(".chart-title").get_text()
        assert img["src"] == f"https://example.github.io/broadsheet/{prefix}issues/{ISSUE}/charts/{figure['data-chart']}.png"
        assert img["width"] == "560" and img["alt"] == title
    assert email.find("svg") is None and email.find("script") is None
    text = (real_site / f"{prefix}issues/{ISSUE}/email.txt").read_text(encoding="utf-8")
    title = figures[0].select_one(".chart-title").get_text()
    assert f"[{title}] <https://example.github.io/broadsheet/{prefix}issues/{ISSUE}/charts/" in text


@pytest.mark.parametrize(("prefix", "code"), EDITIONS)
def test_each_chart_title_once_and_one_provenance_block(real_site: Path, prefix: str, code: str) -> None:
    """The PNG carries the chart's title, so the email repeats it nowhere; one sources block."""
    email = soup(real_site / f"{prefix}issues/{ISSUE}/email.html")
    page = soup(real_site / f"{prefix}issues/{ISSUE}/index.html")
    body_text = email.select_one(".body").get_text()
    for title in page.select(".issue-body .chart-title"):
        assert body_text.count(title.get_text()) == 0  # only in the image and its alt text
    assert len(email.select(".provenance")) == 1
    assert len(email.select("td.sources")) == 1
    text = (real_site / f"{prefix}issues/{ISSUE}/email.txt").read_text(encoding="utf-8")
    as_of = "資料截至" if code == "zh-Hant" else "Data as of"
    assert text.count(as_of) == 1
    preheader = email.select_one(".preheader")
    assert preheader is not None and preheader.get_text(strip=True) == page.select_one(".summary").get_text(strip=True)


def test_the_email_link_shows_only_in_serve_mode(make_site, real_site: Path) -> None:
    assert soup(real_site / f"issues/{ISSUE}/index.html").select_one(".email-link") is None
    root = make_site()
    out = build_into(root, preview=True)
    link = soup(out / "issues" / "2025-04-13-sample" / "index.html").select_one(".email-link a")
    assert link is not None and link["href"] == "/broadsheet/issues/2025-04-13-sample/email.html"
    assert (out / "issues" / "2025-04-13-sample" / "email.html").is_file()


def test_an_unsubscribe_placeholder_for_the_mailing_service(make_site, real_site: Path) -> None:
    site_yaml = (ROOT / "site.yaml").read_text(encoding="utf-8") + 'email_unsubscribe: "*|UNSUB|*"\n'
    root = make_site({"site.yaml": site_yaml})
    out = build_into(root)
    email = soup(out / "issues/2025-04-13-sample/email.html")
    link = email.select_one(".footer a[href='*|UNSUB|*']")
    assert link is not None and link.get_text() == "取消訂閱"
    assert "*|UNSUB|*" in (out / "issues/2025-04-13-sample/email.txt").read_text(encoding="utf-8")
    # without the setting there is no such link
    assert "取消訂閱" not in soup(real_site / f"issues/{ISSUE}/email.html").select_one(".footer").get_text()
