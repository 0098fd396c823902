"""Feeds without XSLT (issue 24): a subscribe page per edition, linked wherever the site offers its
feeds, listing each feed's address; dates in the same form in every view of the edition."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

ISSUE = "issues/2025-04-13-tariff-shock/"
SITE = "https://example.github.io/broadsheet/"
EDITIONS = [("", "zh-Hant-TW", "2025年4月13日"), ("en/", "en", "April 13, 2025")]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(("prefix", "html_lang", "date"), EDITIONS)
def test_each_edition_has_a_subscribe_page_with_its_feeds_addresses(real_site: Path, prefix: str, html_lang: str,
                                                                    date: str) -> None:
    page = soup(real_site / prefix / "subscribe" / "index.html")
    assert page.html["lang"] == html_lang and page.h1.get_text(strip=True) in ("訂閱", "Subscribe")
    fields = {f["id"]: f for f in page.select("input.feed-address")}
    names = ("feed.xml", "atom.xml", "feed.json")
    assert [f["value"] for f in fields.values()] == [SITE + prefix + name for name in names]
    for field in fields.values():  # each address has its label, and can be selected but not edited
        assert field.has_attr("readonly") and page.find("label", attrs={"for": field["id"]}).get_text(strip=True)
    links = {a["href"]: a["type"] for a in page.select(".feed-list dt a")}
    assert links == {f"/broadsheet/{prefix}feed.xml": "application/rss+xml",
                     f"/broadsheet/{prefix}atom.xml": "application/atom+xml",
                     f"/broadsheet/{prefix}feed.json": "application/feed+json"}
    # every address is the feed's own: what its self link says
    rss = ET.parse(real_site / prefix / "feed.xml").getroot()
    assert rss.find("channel/{http://www.w3.org/2005/Atom}link").get("href") == SITE + prefix + "feed.xml"
    atom = feedparser.parse((real_site / prefix / "atom.xml").read_bytes())
    assert atom.feed.links[0].href == SITE + prefix + "atom.xml"
    text = page.select_one("main").get_text(" ")
    assert SITE + prefix in text  # the site's address, which readers also take
    assert page.select_one(".subscribe-latest time").get_text(strip=True) == date


@pytest.mark.parametrize("page", ["index.html", "archive/index.html", ISSUE + "index.html", "404.html",
                                  "en/index.html", "en/tags/index.html", "en/" + ISSUE + "index.html"])
def test_every_page_sends_readers_to_its_editions_subscribe_page(real_site: Path, page: str) -> None:
    html = soup(real_site / page)
    prefix = "en/" if page.startswith("en/") else ""
    wanted = f"/broadsheet/{prefix}subscribe/"
    assert [a["href"] for a in html.select(".site-nav a") if a["href"] == wanted]
    footer = html.select_one(".footer-links")
    assert footer.find("a")["href"] == wanted  # "Subscribe", then the feeds themselves
    assert not [a for a in html.select(".site-nav a") if a["href"].endswith((".xml", ".json"))]


def test_the_subscribe_pages_are_in_the_sitemap_with_their_alternates(real_site: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(real_site / "sitemap.xml").getroot()
    found = {u.findtext("s:loc", namespaces=ns): {a.get("hreflang") for a in u.findall("x:link", ns)}
             for u in root.findall("s:url", ns)}
    assert found[SITE + "subscribe/"] == found[SITE + "en/subscribe/"] == {"zh-Hant-TW", "en", "x-default"}


@pytest.mark.parametrize(("prefix", "html_lang", "date"), EDITIONS)
def test_an_issue_has_one_date_form_in_every_view(real_site: Path, prefix: str, html_lang: str, date: str) -> None:
    """Babel's long date in the edition's locale: the issue page, the home page, the archive, its tag
    page and the subscribe page (the feeds' own dates are machine formats, RFC 822 and RFC 3339)."""
    shown = set()
    for view in ("", "archive/", "subscribe/", "tags/us-stocks/", ISSUE):
        html = soup(real_site / prefix / view / "index.html")
        times = [t for t in html.select("main time") if t.get("datetime") == "2025-04-13"]
        assert times, view
        shown |= {t.get_text(strip=True) for t in times}
    assert shown == {date}
    assert re.fullmatch(r"\w{3}, 13 Apr 2025 08:00:00 \+0800",
                        ET.parse(real_site / prefix / "feed.xml").getroot().findtext("channel/item/pubDate"))
