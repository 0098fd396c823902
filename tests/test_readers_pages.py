"""Readers, round two, in the built HTML: footer, sharing, table of contents, headings, feeds."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import feedparser
import pytest
from bs4 import BeautifulSoup

ISSUE = "issues/2025-04-13-tariff-shock/"
BASE = "https://example.github.io/broadsheet/"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("prefix", ["", "en/"])
@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml"])
def test_feeds_stay_valid_and_carry_no_xslt(real_site: Path, prefix: str, feed: str) -> None:
    """Issue 24: no xml-stylesheet (Chromium is removing XSLT); people reach the subscribe page."""
    data = (real_site / prefix / feed).read_bytes()
    lines = data.splitlines()
    assert lines[0].startswith(b"<?xml ")
    assert b"<?xml-stylesheet" not in data and not (real_site / "static" / "feed.xsl").exists()
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0 and len(parsed.entries) == 1


@pytest.mark.parametrize("page", ["index.html", "en/archive/index.html", ISSUE + "index.html", "404.html"])
def test_footer_has_about_feeds_sources_and_disclaimer(real_site: Path, page: str) -> None:
    footer = soup(real_site / page).select_one("footer.site-footer")
    hrefs = [a["href"] for a in footer.find_all("a")]
    prefix = "en/" if page.startswith("en/") else ""
    for feed in ("feed.xml", "atom.xml", "feed.json"):
        assert f"/broadsheet/{prefix}{feed}" in hrefs
    assert "https://fred.stlouisfed.org/" in hrefs
    assert footer.select_one(".footer-about").get_text().strip()
    disclaimer = footer.select_one(".footer-disclaimer")
    if page.startswith("issues/"):
        assert disclaimer is None  # the article ends with it already
    else:
        assert disclaimer is not None and ("投資" in disclaimer.get_text() or "investment" in disclaimer.get_text())


def test_404_has_no_canonical_link(real_site: Path) -> None:
    assert soup(real_site / "404.html").select("link[rel=canonical]") == []
    assert soup(real_site / "index.html").select("link[rel=canonical]")


@pytest.mark.parametrize("page", ["tags/basis-trade/index.html", "en/tags/basis-trade/index.html", "archive/index.html",
                                  "index.html", ISSUE + "index.html"])
def test_heading_levels_are_not_skipped(real_site: Path, page: str) -> None:
    levels = [int(h.name[1]) for h in soup(real_site / page).find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_share_links_are_plain_links(real_site: Path, prefix: str) -> None:
    page = soup(real_site / prefix / ISSUE / "index.html")
    links = {a.get_text(strip=True): a["href"] for a in page.select(".share a")}
    url = BASE + prefix + ISSUE
    hosts = {name: urlparse(href) for name, href in links.items()}
    assert hosts["X"].netloc == "x.com" and parse_qs(hosts["X"].query)["url"] == [url]
    assert hosts["Facebook"].netloc == "www.facebook.com" and parse_qs(hosts["Facebook"].query)["u"] == [url]
    assert hosts["LINE"].netloc == "social-plugins.line.me" and parse_qs(hosts["LINE"].query)["url"] == [url]
    assert hosts["Threads"].netloc == "www.threads.net" and url in parse_qs(hosts["Threads"].query)["text"][0]
    mail = [h for h in hosts.values() if h.scheme == "mailto"]
    assert len(mail) == 1 and parse_qs(mail[0].query)["body"] == [url]
    # no script from anywhere but the site itself
    assert all(s["src"].startswith("/broadsheet/") for s in page.find_all("script", src=True))


def test_back_to_top_targets_the_page_header(real_site: Path) -> None:
    page = soup(real_site / ISSUE / "index.html")
    assert page.select_one(".to-top a")["href"] == "#top"
    assert page.find(id="top").name == "header"


def test_table_of_contents_is_one_collapsible_box(real_site: Path) -> None:
    toc = soup(real_site / ISSUE / "index.html").select_one("nav.toc")
    details = toc.find("details")
    # closed as written (a phone shows the article first); the script right after the box opens it
    # on a larger screen before the first paint (tests/test_readers_browser.py: open at 1280 px)
    assert details is not None and not details.has_attr("open")
    opener = toc.find_next_sibling()
    assert opener.name == "script" and "matchMedia" in opener.string and ".open = true" in opener.string
    assert details.summary["id"] == "toc-title"
    assert len(toc.select(".toc")) == 0  # no box inside the box
    assert toc.select_one(".toc-more input[type=checkbox]") is not None
    assert len(toc.select(".toc-list > ul > li")) >= 10


def test_chart_numbers_use_the_same_minus_as_the_prose(real_site: Path) -> None:
    """The bear-market label (Babel) and the axis (d3) both write '-20%'."""
    html = (real_site / ISSUE / "index.html").read_text(encoding="utf-8")
    assert ">熊市線 -20%<" in html and ">-20%<" in html
    assert "\u2212" not in html
