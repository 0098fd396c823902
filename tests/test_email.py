"""The email edition: mail-safe HTML (no <style>, tables, absolute URLs) and its plain-text part."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.build.pipeline import build
from broadsheet.charts.drawing import png_size
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
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
    # but the unsubscribe link: the mailing service's placeholder (site.yaml), which it replaces per reader
    unsubscribe = load_config(ROOT / "site.yaml").email_unsubscribe
    assert unsubscribe and urls.count(unsubscribe) == 1
    urls.remove(unsubscribe)
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
        # the narrow twin, legible on a phone (test_email_browser.py measures its axis labels), with its size
        name = figure["data-chart"]
        assert img["src"] == f"https://example.github.io/broadsheet/{prefix}issues/{ISSUE}/charts/{name}.narrow.png"
        pixels = png_size((real_site / f"{prefix}issues/{ISSUE}/charts/{name}.narrow.png").read_bytes())
        assert (int(img["width"]), int(img["height"])) == (pixels[0] // 2, pixels[1] // 2)  # PNG_SCALE pixels a px
        assert int(img["width"]) <= 381 and img["alt"] == title  # 12 px labels: 11 px at 350 px wide
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
    site_yaml = re.sub(r"(?m)^email_unsubscribe:.*$", 'email_unsubscribe: "*|UNSUB|*"',
                       (ROOT / "site.yaml").read_text(encoding="utf-8"))
    root = make_site({"site.yaml": site_yaml})
    out = build_into(root)
    email = soup(out / "issues/2025-04-13-sample/email.html")
    link = email.select_one(".footer a[href='*|UNSUB|*']")
    assert link is not None and link.get_text() == "取消訂閱"
    assert "*|UNSUB|*" in (out / "issues/2025-04-13-sample/email.txt").read_text(encoding="utf-8")
    # the project names its service's placeholder (site.yaml)
    footer = soup(real_site / f"issues/{ISSUE}/email.html").select_one(".footer")
    assert footer.select_one("a[href='{{ unsubscribe_url }}']").get_text() == "取消訂閱"


def test_without_an_unsubscribe_link_the_email_shows_a_placeholder_and_the_build_warns(make_site) -> None:
    site_yaml = re.sub(r"(?m)^email_unsubscribe:.*\n", "", (ROOT / "site.yaml").read_text(encoding="utf-8"))
    root = make_site({"site.yaml": site_yaml})
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site", search=False)
    build(ctx)
    assert [w.message for w in ctx.problems.warnings if w.path == root / "site.yaml"] == [
        "email_unsubscribe is not set: each email edition shows a placeholder where its unsubscribe link belongs"]
    footer = soup(root / "site/issues/2025-04-13-sample/email.html").select_one(".footer")
    assert footer.select("a") == [footer.select_one("a[href^='https://example.github.io/']")]  # no unsubscribe link
    assert "取消訂閱 [email_unsubscribe]" in footer.get_text()
    assert "[email_unsubscribe]" in (root / "site/issues/2025-04-13-sample/email.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("prefix", "code"), EDITIONS)
def test_the_numbers_in_this_issue_replace_the_receipts(real_site: Path, prefix: str, code: str) -> None:
    """Mail and feed readers run no popover: the email lists each figure with its receipt; the feeds
    link the data (test_receipts.py); neither carries a title attribute or a button."""
    page = soup(real_site / f"{prefix}issues/{ISSUE}/index.html")
    email = soup(real_site / f"{prefix}issues/{ISSUE}/email.html")
    receipts = page.select(".receipts .receipt")
    numbers = email.select("td.numbers li")
    assert len(numbers) == len(receipts) == len(page.select(".issue-body .fig")) >= 35
    assert [(n.strong.get_text(), n.get_text(" ", strip=True)) for n in numbers] == [
        (r["data-figure"], r["data-figure"] + " " + r.get_text().split("\n")[0]) for r in receipts]
    heading = "本期數字" if code == "zh-Hant" else "Numbers in this issue"
    assert email.select_one("td.numbers h2").get_text() == heading
    items = json.loads((real_site / f"{prefix}feed.json").read_text(encoding="utf-8"))["items"]
    for doc in (email, *(BeautifulSoup(item["content_html"], "html.parser") for item in items)):
        assert doc.select("[title], button") == [] and doc.select("data.fig")
    text = (real_site / f"{prefix}issues/{ISSUE}/email.txt").read_text(encoding="utf-8")
    assert f"- {receipts[0]['data-figure']} — {receipts[0].get_text().split(chr(10))[0]}" in text


@pytest.mark.parametrize(("prefix", "code"), EDITIONS)
def test_the_email_says_it_is_drawn_for_a_light_background(real_site: Path, prefix: str, code: str) -> None:
    email = soup(real_site / f"{prefix}issues/{ISSUE}/email.html")
    assert email.select_one('meta[name="color-scheme"]')["content"] == "light only"
    assert email.select_one('meta[name="supported-color-schemes"]')["content"] == "light only"
    assert all(img.get("width") and img.get("height") for img in email.select("img"))
