"""The email edition: mail-safe HTML (no <style>, tables, absolute URLs) and its plain-text part."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.config import load_config
from broadsheet.email import email_body, html_to_text
from broadsheet.urls import Urls
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
    assert column is not None and column["width"] == "600" and column["role"] == "presentation"
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
        ".provenance aside").get_text(" ", strip=True)
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


def test_charts_become_png_images_by_absolute_url() -> None:
    config = load_config(ROOT / "site.yaml")
    body = ('<p>Before</p><figure class="chart chart-line" id="c1" data-chart="spx"><figcaption>S&amp;P</figcaption>'
            '<div class="chart-graphic"><svg viewBox="0 0 10 10"><path d="M0 0"/></svg></div>'
            '<script type="application/json" class="chart-spec">{}</script></figure><p>After</p>')
    charts = [{"name": "spx", "title": "S&P 500", "width": 720, "height": 400,
               "png_path": f"issues/{ISSUE}/charts/spx.png"}]
    html = BeautifulSoup(email_body(body, charts, Urls(config)), "html.parser")
    img = html.find("img")
    assert img["src"] == f"https://example.github.io/broadsheet/issues/{ISSUE}/charts/spx.png"
    assert img["width"] == "560" and img["alt"] == "S&P 500"
    assert html.find("svg") is None and html.find("script") is None
    assert [p.get_text() for p in html.find_all("p")] == ["Before", "After"]
    assert "[S&P 500] <https://" in html_to_text(str(html))


def test_the_email_link_shows_only_in_serve_mode(make_site, real_site: Path) -> None:
    assert soup(real_site / f"issues/{ISSUE}/index.html").select_one(".email-link") is None
    root = make_site()
    out = build_into(root, preview=True)
    link = soup(out / "issues" / "2025-04-13-sample" / "index.html").select_one(".email-link a")
    assert link is not None and link["href"] == "/broadsheet/issues/2025-04-13-sample/email.html"
    assert (out / "issues" / "2025-04-13-sample" / "email.html").is_file()
