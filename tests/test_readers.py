"""What readers get besides the pages: feeds, sitemap, archive and tags, link previews, search page."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import feedparser
import html5lib
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_into

BASE = "https://example.github.io/broadsheet/"
ISSUE = "issues/2025-04-13-tariff-shock/"
FEEDS = {"": ("feed.xml", "atom.xml", "feed.json"), "en/": ("en/feed.xml", "en/atom.xml", "en/feed.json")}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def all_urls(html: str) -> list[str]:
    """Every href/src in an HTML fragment."""
    page = BeautifulSoup(html, "html.parser")
    return [tag[attr] for attr in ("href", "src") for tag in page.find_all(attrs={attr: True})]


# --- feeds ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["", "en/"])
@pytest.mark.parametrize("kind", [0, 1])
def test_feeds_parse_cleanly_with_full_content_and_absolute_urls(real_site: Path, prefix: str, kind: int) -> None:
    feed = feedparser.parse((real_site / FEEDS[prefix][kind]).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.language == ("zh-Hant-TW" if prefix == "" else "en")
    [entry] = feed.entries
    assert entry.link == BASE + prefix + ISSUE
    assert entry.id == BASE + prefix + ISSUE  # the permanent URL is the GUID
    # full content, not the summary: the whole article with its sections
    content = entry.content[0].value
    parsed = BeautifulSoup(content, "html.parser")
    assert len(parsed.get_text()) > 3000
    assert len(parsed.find_all("h2")) >= 10 and "&lt;" not in parsed.get_text()  # HTML, not escaped text
    assert ("基差交易" if prefix == "" else "basis trade") in content
    urls = all_urls(content)
    assert all(urlparse(u).scheme == "https" for u in urls), urls
    internal = [u for u in urls if urlparse(u).netloc == urlparse(BASE).netloc]
    assert all(u.startswith(BASE) for u in internal), internal
    # the issue date at 08:00 in the site's time zone (Asia/Taipei), in both date formats
    assert entry.published_parsed[:5] == (2025, 4, 13, 0, 0)  # feedparser gives UTC


def test_rss_and_atom_dates_are_rfc822_and_rfc3339_in_site_time(real_site: Path) -> None:
    rss = ET.parse(real_site / "feed.xml").getroot()
    assert rss.findtext("channel/item/pubDate") == "Sun, 13 Apr 2025 08:00:00 +0800"
    assert rss.findtext("channel/language") == "zh-Hant-TW"
    atom = ET.parse(real_site / "en" / "atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.findtext("a:entry/a:published", namespaces=ns) == "2025-04-13T08:00:00+08:00"
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    links = [link.get("href") for link in atom.findall("a:entry/a:link", ns)]
    assert links == [BASE + "en/" + ISSUE]


def test_json_feed(real_site: Path) -> None:
    doc = json.loads((real_site / "en" / "feed.json").read_text(encoding="utf-8"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == BASE + "en/feed.json" and doc["language"] == "en"
    [item] = doc["items"]
    assert item["id"] == item["url"] == BASE + "en/" + ISSUE
    assert item["date_published"] == "2025-04-13T08:00:00+08:00"
    urls = all_urls(item["content_html"])  # the issue's own links, and its data sources' sites
    assert all(u.startswith(BASE) for u in urls if urlparse(u).netloc == urlparse(BASE).netloc)
    assert all(urlparse(u).scheme == "https" for u in urls)


def test_feeds_are_identical_across_builds(real_site: Path, tmp_path: Path) -> None:
    """Stable GUIDs and dates: building again changes no byte of any feed."""
    again = tmp_path / "again"
    build_into(ROOT, again)
    for names in FEEDS.values():
        for name in names:
            assert (again / name).read_bytes() == (real_site / name).read_bytes(), name


def test_every_page_advertises_its_feeds(real_site: Path) -> None:
    for page, prefix in ((real_site / "index.html", ""), (real_site / "en" / ISSUE / "index.html", "en/")):
        head = soup(page).head
        types = {link["type"]: link["href"] for link in head.select("link[rel=alternate][type]")}
        assert types == {"application/rss+xml": f"/broadsheet/{prefix}feed.xml",
                         "application/atom+xml": f"/broadsheet/{prefix}atom.xml",
                         "application/feed+json": f"/broadsheet/{prefix}feed.json"}


LINKS_BODY = """## Section

See [the archive](/broadsheet/archive/) and [this](#section).

Then & after ![a picture](pic.png)
"""


def test_feed_body_replaces_chart_figures_by_their_png(real_site: Path) -> None:
    page = BeautifulSoup((real_site / ISSUE / "index.html").read_text("utf-8"), "html.parser")
    feed = feedparser.parse((real_site / "feed.xml").read_bytes())
    out = BeautifulSoup(feed.entries[0].content[0].value, "html.parser")
    assert out.find("svg") is None and out.find("script") is None
    figures = page.select(".issue-body figure.chart")
    images = out.select("figure.chart img")
    assert len(images) == len(figures) == 6
    for figure, img in zip(figures, images, strict=True):
        assert img["src"] == BASE + ISSUE + f"charts/{figure['data-chart']}.png"
        assert img["alt"] == figure.select_one(".chart-title").get_text() and int(img["width"]) > 600
    assert all(a["href"].startswith(("https://", "http://")) for a in out.find_all("a", href=True))


def test_feed_body_makes_every_link_absolute(make_site) -> None:
    body = "---\ntitle: 連結週報\ndate: 2025-04-20\nsummary: 連結。\nslug: links\n---\n" + LINKS_BODY
    root = make_site({"content/issues/2025-04-20-links/zh-Hant.md": body})
    out_dir = build_into(root)
    page = BASE + "issues/2025-04-20-links/"
    feed = feedparser.parse((out_dir / "feed.xml").read_bytes())
    out = BeautifulSoup(feed.entries[0].content[0].value, "html.parser")
    assert [a["href"] for a in out.find_all("a")] == [BASE + "archive/", page + "#section"]
    assert out.select("p img")[0]["src"] == page + "pic.png"
    assert "Then & after" in out.get_text()
    # the page itself keeps the links as written
    html = BeautifulSoup((out_dir / "issues/2025-04-20-links/index.html").read_text("utf-8"), "html.parser")
    assert [a["href"] for a in html.select(".issue-body a")] == ["/broadsheet/archive/", "#section"]


SPX_CHART = """spx:
  kind: drawdown
  series: [SP500]
  start: 2025-03-03
  end: 2025-04-11
  title: {zh-Hant: 十年期殖利率}
"""


def test_built_feed_and_card_use_the_lead_chart_png(make_site) -> None:
    """With charts on the page, the feed shows the PNG, the card image is the lead chart, the home
    page draws it (the responsive SVG pair)."""
    body = "---\ntitle: 圖表週報\ndate: 2025-04-20\nsummary: 有圖。\nslug: charts\n---\n## 圖\n\n{{ chart('spx') }}\n"
    root = make_site({"content/issues/2025-04-20-charts/zh-Hant.md": body,
                      "content/issues/2025-04-20-charts/charts.yaml": SPX_CHART})
    out_dir = build_into(root)
    png = BASE + "issues/2025-04-20-charts/charts/spx.png"
    feed = feedparser.parse((out_dir / "feed.xml").read_bytes())
    content = BeautifulSoup(feed.entries[0].content[0].value, "html.parser")
    assert content.select_one("figure.chart img")["src"] == png and content.find("svg") is None
    page = BeautifulSoup((out_dir / "issues/2025-04-20-charts/index.html").read_text("utf-8"), "html.parser")
    assert page.select_one("meta[property='og:image']")["content"] == png
    home = BeautifulSoup((out_dir / "index.html").read_text("utf-8"), "html.parser")
    lead = home.select_one(".lead figure.chart")
    assert lead.select_one(".chart-wide svg")
    narrow = lead.select_one(".chart-narrow img")  # the phone drawing, fetched only where it shows
    assert (out_dir / narrow["src"].removeprefix("/broadsheet/")).read_text("utf-8").startswith("<svg")
    assert lead.select_one(".chart-title").get_text() == "十年期殖利率"
    assert lead.select_one("a")["href"] == "/broadsheet/issues/2025-04-20-charts/"


# --- sitemap and robots ---------------------------------------------------------------------------

def test_sitemap_lists_both_languages_with_alternates(real_site: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(real_site / "sitemap.xml").getroot()
    entries = {u.findtext("s:loc", namespaces=ns): {link.get("hreflang"): link.get("href")
                                                    for link in u.findall("x:link", ns)}
               for u in root.findall("s:url", ns)}
    for loc in (BASE + ISSUE, BASE + "en/" + ISSUE):
        assert entries[loc] == {"zh-Hant-TW": BASE + ISSUE, "en": BASE + "en/" + ISSUE,
                                "x-default": BASE + ISSUE}
    assert BASE in entries and BASE + "en/" in entries and BASE + "en/archive/" in entries
    assert all(loc.isascii() for loc in entries)  # Chinese tag paths are percent-encoded
    assert BASE + "tags/basis-trade/" in entries  # the slug of content/tags.yaml, in both editions
    assert entries[BASE + "en/tags/basis-trade/"]["zh-Hant-TW"] == BASE + "tags/basis-trade/"
    assert BASE + "tags/" in entries and BASE + "en/tags/" in entries  # the tags indexes
    # every listed page exists in the site
    for loc in entries:
        path = unquote(loc.removeprefix(BASE))
        assert (real_site / path / "index.html").exists(), loc


def test_robots_names_the_sitemap(real_site: Path) -> None:
    lines = (real_site / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines and f"Sitemap: {BASE}sitemap.xml" in lines


# --- archive, tags, home ----------------------------------------------------------------------------

@pytest.mark.parametrize(("prefix", "month", "tag"),
                         [("", "2025年4月", "basis-trade"), ("en/", "April 2025", "basis-trade")])
def test_archive_and_tag_pages_list_the_issue(real_site: Path, prefix: str, month: str, tag: str) -> None:
    archive = soup(real_site / prefix / "archive" / "index.html")
    assert [h.get_text() for h in archive.select(".archive-year h2")] == ["2025"]
    assert month in [h.get_text() for h in archive.select(".archive-year h3")]
    link = f"/broadsheet/{prefix}{ISSUE}"
    assert link in [a["href"] for a in archive.select(".issue-list a")]
    tag_page = soup(real_site / prefix / "tags" / tag / "index.html")
    assert link in [a["href"] for a in tag_page.select(".issue-list a")]


def test_home_leads_with_the_latest_issue(real_site: Path) -> None:
    for prefix, title_word in (("", "關稅"), ("en/", "Tariff")):
        lead = soup(real_site / prefix / "index.html").select_one(".lead")
        assert title_word in lead.h2.get_text()
        assert lead.h2.a["href"] == f"/broadsheet/{prefix}{ISSUE}"
        assert lead.select_one(".summary").get_text().strip()


def test_issue_pages_link_newer_and_older(sample_site: Path) -> None:
    out = sample_site
    newer = soup(out / "issues" / "2025-04-13-sample" / "index.html")
    older = soup(out / "issues" / "2025-04-06-earlier" / "index.html")
    assert newer.select_one(".issue-nav a[rel=prev]")["href"] == "/broadsheet/issues/2025-04-06-earlier/"
    assert older.select_one(".issue-nav a[rel=next]")["href"] == "/broadsheet/issues/2025-04-13-sample/"


# --- link previews -------------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["", "en/"])
def test_issue_page_has_social_cards_and_json_ld(real_site: Path, prefix: str) -> None:
    head = soup(real_site / prefix / ISSUE / "index.html").head
    meta = {m.get("property") or m.get("name"): m["content"] for m in head.find_all("meta", content=True)}
    assert meta["og:type"] == "article" and meta["og:url"] == BASE + prefix + ISSUE
    assert ("關稅" if prefix == "" else "Tariff") in meta["og:title"]
    assert meta["og:description"] and meta["twitter:card"] == "summary_large_image"
    assert urlparse(meta["og:image"]).scheme == "https"
    image = meta["og:image"].removeprefix(BASE)
    assert (real_site / image).is_file()  # the default card until the issue has charts
    assert head.select_one("link[rel=canonical]")["href"] == BASE + prefix + ISSUE
    hreflangs = {link["hreflang"] for link in head.select("link[rel=alternate][hreflang]")}
    assert hreflangs == {"zh-Hant-TW", "en", "x-default"}
    data = json.loads(head.select_one("script[type='application/ld+json']").string)
    assert data["@type"] == "NewsArticle" and data["@context"] == "https://schema.org"
    assert data["datePublished"] == "2025-04-13T08:00:00+08:00"
    assert data["inLanguage"] == ("zh-Hant-TW" if prefix == "" else "en")
    assert data["image"] == [meta["og:image"]] and data["headline"] == meta["og:title"]


def test_other_pages_have_a_site_card(real_site: Path) -> None:
    head = soup(real_site / "en" / "archive" / "index.html").head
    meta = {m.get("property") or m.get("name"): m["content"] for m in head.find_all("meta", content=True)}
    assert meta["og:type"] == "website" and meta["og:url"] == BASE + "en/archive/"
    assert meta["og:image"] == BASE + "static/og-default.png"
    assert head.find("link", rel="icon")["href"] == "/broadsheet/static/favicon.svg"


def test_404_speaks_both_languages(real_site: Path) -> None:
    page = soup(real_site / "404.html")
    assert page.h1.get_text() == "找不到這個頁面" and page.html["lang"] == "zh-Hant-TW"
    other = page.select_one("section.not-found-other[lang=en]")
    assert other.h2.get_text() == "Page not found"
    assert other.find("a", href="/broadsheet/en/") is not None


# --- page quality ----------------------------------------------------------------------------------------

def built_pages(site: Path) -> list[Path]:
    # email.html is the mail edition, not a site page (tests/test_email.py checks it)
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts and p.name != "email.html")


def test_every_page_is_well_formed_html5(real_site: Path) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for page in built_pages(real_site):
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page.relative_to(real_site)}: {exc}")


def test_pages_are_keyboard_and_screen_reader_friendly(real_site: Path) -> None:
    for page in built_pages(real_site):
        doc = soup(page)
        where = page.relative_to(real_site)
        assert doc.html.get("lang"), where
        first_link = doc.body.find("a")
        assert first_link["class"] == ["skip-link"] and doc.select_one(first_link["href"]), where
        assert len(doc.find_all("h1")) == 1, where
        ids = [t["id"] for t in doc.find_all(id=True)]
        assert len(ids) == len(set(ids)), where
        assert all(img.has_attr("alt") for img in doc.find_all("img")), where


def _colors(css: str, block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _luminance(hex_color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colors."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.unit
def test_text_contrast_meets_wcag_aa_in_light_and_dark() -> None:
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    light_block = css[css.index(":root {"):css.index("}", css.index(":root {"))]
    dark_start = css.index(":root {", css.index("prefers-color-scheme: dark"))
    light = _colors(css, light_block)
    dark = {**light, **_colors(css, css[dark_start:css.index("}", dark_start)])}
    for theme in (light, dark):
        for fg in ("fg", "muted", "accent"):
            for bg in ("bg", "callout-bg", "code-bg"):
                assert contrast(theme[fg], theme[bg]) >= 4.5, (fg, bg, theme[fg], theme[bg])


def test_search_page_per_language_without_cdn(real_site: Path) -> None:
    for prefix, lang in (("", "zh-Hant-TW"), ("en/", "en")):
        page = soup(real_site / prefix / "search" / "index.html")
        assert page.html["lang"] == lang  # Pagefind searches the index of this language
        scripts = [s["src"] for s in page.find_all("script", src=True)]
        assert scripts == ["/broadsheet/static/js/search.js"]  # it imports /broadsheet/pagefind/pagefind.js
        assert all((real_site / s.removeprefix("/broadsheet/")).is_file() for s in scripts)
        assert page.find("noscript").find("a")["href"] == f"/broadsheet/{prefix}archive/"
    issue = soup(real_site / ISSUE / "index.html")
    assert issue.select_one("article[data-pagefind-body]") is not None


def test_the_issue_page_is_light(real_site: Path) -> None:
    """≤ 180 KB and ≤ 1,500 elements: one chart drawn inline; the other drawings and the specs are files."""
    for prefix in ("", "en/"):
        path = real_site / prefix / ISSUE / "index.html"
        assert path.stat().st_size <= 180_000
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        assert len(soup.find_all(True)) <= 1_500
        # the first chart drawn inline, the others as files fetched as a reader scrolls to them
        assert len(soup.select("figure.chart .chart-wide svg")) == 1 and not soup.select(".chart-narrow svg")
        for img in soup.select(".chart-wide img"):
            assert img["loading"] == "lazy" and (real_site / img["src"].removeprefix("/broadsheet/")).is_file()
        assert not soup.select("script.chart-spec")
        for img in soup.select(".chart-narrow img"):
            assert img["loading"] == "lazy" and (real_site / img["src"].removeprefix("/broadsheet/")).is_file()


def test_the_home_lists_the_newest_issues_and_the_archive_has_every_one(make_site) -> None:
    from broadsheet.outputs.units import HOME_ISSUES

    extra = {f"content/issues/2025-03-{day:02d}-week/zh-Hant.md":
             f"---\ntitle: 三月第 {day} 日\ndate: 2025-03-{day:02d}\nsummary: 摘要。\ntags: [美股]\n"
             f"slug: march-{day:02d}\n---\n## 市場\n\n內容。\n" for day in range(1, HOME_ISSUES + 1)}
    out = build_into(make_site(extra))
    home, archive = soup(out / "index.html"), soup(out / "archive" / "index.html")
    listed = [a["href"] for a in home.select(".lead h2 a, .issue-list .issue-item-title a")]
    assert len(listed) == HOME_ISSUES and listed[0] == "/broadsheet/issues/2025-04-13-sample/"
    assert home.select_one(".more-issues a")["href"] == "/broadsheet/archive/"
    assert home.select_one(".more-issues a").get_text() == "全部期數"
    assert len(archive.select(".issue-list .issue-item-title a")) == HOME_ISSUES + 2
