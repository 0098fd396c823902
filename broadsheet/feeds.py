"""RSS 2.0, Atom and JSON Feed per language: full content, absolute URLs, charts as PNG images."""

from __future__ import annotations

import datetime as dt
import html
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from .config import Config, Language
from .content import Issue
from .feedstyle import STYLESHEET, with_stylesheet
from .provenance import provenance_html
from .render import Renderer
from .urls import Urls
from .views import IssuePage
from .writer import Output

# Issues carry a date, not a time: every issue is stamped at this local time so that a feed
# built twice is byte-identical (no build clock in the output).
PUBLISH_TIME = dt.time(8, 0)
FEED_LIMIT = 20  # newest issues per feed; older ones stay in the archive
URL_ATTRS = {"href", "src", "poster", "xlink:href", "action", "cite"}
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
# Namespaces are written as literal prefixes with their xmlns attribute on the root element, so
# that ElementTree's process-wide namespace registry is never modified.


def publish_datetime(day: dt.date, timezone: str) -> dt.datetime:
    """The moment an issue counts as published: its date at PUBLISH_TIME in the site's zone."""
    return dt.datetime.combine(day, PUBLISH_TIME, tzinfo=ZoneInfo(timezone))


def chart_url(png_path: str, urls: Urls) -> str:
    """Absolute URL of a chart PNG given as a site path ("issues/…/x.png"), root path or URL."""
    if "://" in png_path:
        return png_path
    if png_path.startswith("/"):
        return urljoin(urls.config.base_url, png_path)
    return urls.absolute(png_path)


def charts_of(ip: IssuePage) -> list[dict[str, Any]]:
    """The page's rendered charts (name, title, png_path, width, height), or [] when none."""
    charts = ip.extra.get("charts") or []
    return [c for c in charts if isinstance(c, dict) and c.get("png_path")]


class _FeedHTML(HTMLParser):
    """Re-emit body HTML with absolute URLs, replacing inline SVG chart figures by their PNG."""

    def __init__(self, page_url: str, charts: list[dict[str, Any]], urls: Urls):
        super().__init__(convert_charrefs=False)
        self.page_url = page_url
        self.charts = charts
        self.urls = urls
        self.out: list[str] = []
        self.skip_depth = 0  # >0 while inside a chart figure being replaced
        self.chart_index = 0

    def _chart_for(self, attrs: dict[str, str | None]) -> dict[str, Any] | None:
        # Prefer an explicit name on the figure; otherwise charts appear in declaration order.
        name = attrs.get("data-chart") or (attrs.get("id") or "").removeprefix("chart-")
        for chart in self.charts:
            if name and chart.get("name") == name:
                return chart
        if self.chart_index < len(self.charts):
            return self.charts[self.chart_index]
        return None

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> str:
        parts = [tag]
        for key, value in attrs:
            if value is None:
                parts.append(key)
                continue
            if key in URL_ATTRS:
                value = urljoin(self.page_url, value.strip())
            elif key == "srcset":
                value = ", ".join(self._srcset(value))
            parts.append(f'{key}="{html.escape(value, quote=True)}"')
        return "<" + " ".join(parts) + close

    def _srcset(self, value: str) -> list[str]:
        items = []
        for item in value.split(","):
            bits = item.strip().split(maxsplit=1)
            if bits:
                items.append(" ".join([urljoin(self.page_url, bits[0]), *bits[1:]]))
        return items

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            self.skip_depth += tag == "figure"
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag == "figure" and "chart" in classes and self.charts:
            chart = self._chart_for(dict(attrs))
            if chart is not None:
                self.chart_index += 1
                self.skip_depth = 1
                self.out.append(self._chart_figure(chart))
                return
        self.out.append(self._tag(tag, attrs, ">"))

    def _chart_figure(self, chart: dict[str, Any]) -> str:
        title = html.escape(str(chart.get("title") or chart.get("name") or ""), quote=True)
        size = "".join(f' {k}="{int(chart[k])}"' for k in ("width", "height") if chart.get(k))
        src = html.escape(chart_url(str(chart["png_path"]), self.urls), quote=True)
        return (f'<figure class="chart"><img src="{src}" alt="{title}"{size}>'
                f"<figcaption>{title}</figcaption></figure>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skip_depth:
            self.out.append(self._tag(tag, attrs, " />"))

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            self.skip_depth -= tag == "figure"
            return
        self.out.append(f"</{tag}>")

    def _raw(self, text: str) -> None:
        if not self.skip_depth:
            self.out.append(text)

    def handle_data(self, data: str) -> None:
        self._raw(data)

    def handle_entityref(self, name: str) -> None:
        self._raw(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._raw(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        pass  # comments mean nothing to a feed reader

    def handle_decl(self, decl: str) -> None:
        self._raw(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self._raw(f"<![{data}]>")


def feed_html(body_html: str, page_url: str, charts: list[dict[str, Any]], urls: Urls) -> str:
    """Body HTML for feed readers: every URL absolute, chart figures shown as their PNG."""
    parser = _FeedHTML(page_url, charts, urls)
    parser.feed(body_html)
    parser.close()
    return "".join(parser.out)


@dataclass(frozen=True)
class FeedEntry:
    """One issue as a feed item, already resolved to absolute URLs."""

    url: str  # the permanent URL, also the GUID / id
    title: str
    summary: str
    content_html: str
    published: dt.datetime
    updated: dt.datetime  # the latest correction, else the publication time
    tags: tuple[str, ...]
    image: str | None


@dataclass(frozen=True)
class FeedInfo:
    """The feed-level fields of one edition."""

    lang: Language
    title: str
    description: str
    home_url: str
    urls: dict[str, str]  # kind → absolute feed URL
    author: str
    updated: dt.datetime


def feed_entries(issues: list[Issue], pages: dict[tuple[str, str], IssuePage], lang: Language,
                 config: Config, urls: Urls, renderer: Renderer) -> list[FeedEntry]:
    """The newest issues that exist in `lang`, newest first."""
    entries = []
    for issue in issues:
        ip = pages.get((issue.key, lang.code))
        if ip is None:
            continue
        url = urls.absolute(urls.issue(issue.key, lang))
        charts = charts_of(ip)
        meta = ip.page.meta
        body = ip.body.html
        if "provenance" in ip.extra:  # "data as of … · sources", as on the page
            body += "\n" + str(provenance_html(renderer, lang, ip.extra["provenance"]))  # str: not Markup-escaped
        published = publish_datetime(meta.date, config.timezone)
        entries.append(FeedEntry(
            url=url,
            title=meta.title,
            summary=meta.summary,
            content_html=feed_html(body, url, charts, urls),
            published=published,
            updated=publish_datetime(meta.updated, config.timezone) if meta.updated else published,
            tags=meta.tags,
            image=chart_url(str(charts[0]["png_path"]), urls) if charts else None,
        ))
        if len(entries) == FEED_LIMIT:
            break
    return entries


def render_rss(info: FeedInfo, entries: list[FeedEntry]) -> bytes:
    """RSS 2.0 with content:encoded full text and RFC 822 dates."""
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:content": CONTENT_NS,
                             "xmlns:dc": DC_NS})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", info.title)
    _text(channel, "link", info.home_url)
    _text(channel, "description", info.description)
    _text(channel, "language", info.lang.html_lang)
    _text(channel, "lastBuildDate", format_datetime(info.updated))
    _text(channel, "generator", "broadsheet")
    ET.SubElement(channel, "atom:link",
                  {"href": info.urls["rss"], "rel": "self", "type": "application/rss+xml"})
    for e in entries:
        item = ET.SubElement(channel, "item")
        _text(item, "title", e.title)
        _text(item, "link", e.url)
        guid = _text(item, "guid", e.url)
        guid.set("isPermaLink", "true")
        _text(item, "pubDate", format_datetime(e.published))
        _text(item, "dc:creator", info.author)
        for tag in e.tags:
            _text(item, "category", tag)
        _text(item, "description", e.summary)
        _text(item, "content:encoded", e.content_html)
    return _xml(rss)


def render_atom(info: FeedInfo, entries: list[FeedEntry]) -> bytes:
    """Atom 1.0 with full HTML content and RFC 3339 dates."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": info.lang.html_lang})
    _text(feed, "id", info.home_url)
    _text(feed, "title", info.title)
    _text(feed, "subtitle", info.description)
    _text(feed, "updated", info.updated.isoformat())
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": info.urls["atom"]})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": info.home_url})
    author = ET.SubElement(feed, "author")
    _text(author, "name", info.author)
    _text(feed, "generator", "broadsheet")
    for e in entries:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", e.url)
        _text(entry, "title", e.title)
        # One alternate only: readers disagree on which of several is "the" link.
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": e.url})
        _text(entry, "published", e.published.isoformat())
        _text(entry, "updated", e.updated.isoformat())
        for tag in e.tags:
            ET.SubElement(entry, "category", {"term": tag})
        _text(entry, "summary", e.summary)
        content = _text(entry, "content", e.content_html)
        content.set("type", "html")
    return _xml(feed)


def render_json_feed(info: FeedInfo, entries: list[FeedEntry]) -> bytes:
    """JSON Feed 1.1."""
    doc: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.urls["json"],
        "description": info.description,
        "language": info.lang.html_lang,
        "authors": [{"name": info.author}],
        "items": [],
    }
    for e in entries:
        item: dict[str, Any] = {"id": e.url, "url": e.url, "title": e.title, "summary": e.summary,
                                "content_html": e.content_html,
                                "date_published": e.published.isoformat(),
                                "date_modified": e.updated.isoformat(), "tags": list(e.tags)}
        if e.image:
            item["image"] = e.image
        doc["items"].append(item)
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_feeds(issues: list[Issue], pages: dict[tuple[str, str], IssuePage], config: Config,
                 urls: Urls, renderer: Renderer) -> list[Output]:
    """Every feed of every edition, at urls.feed(lang, kind)."""
    outputs = []
    for lang in config.languages:
        entries = feed_entries(issues, pages, lang, config, urls, renderer)
        kinds = ("rss", "atom", "json")
        newest = max((e.updated for e in entries),
                     default=publish_datetime(dt.date(1970, 1, 1), config.timezone))
        info = FeedInfo(lang=lang, title=config.title[lang.code],
                        description=config.description[lang.code],
                        home_url=urls.absolute(urls.home(lang)),
                        urls={k: urls.absolute(urls.feed(lang, k)) for k in kinds},
                        author=config.author[lang.code], updated=newest)
        xsl = urls.href(urls.static(STYLESHEET))  # shown as a page in a browser (feedstyle.py)
        outputs.append(Output(urls.feed(lang, "rss"), with_stylesheet(render_rss(info, entries), xsl)))
        outputs.append(Output(urls.feed(lang, "atom"), with_stylesheet(render_atom(info, entries), xsl)))
        outputs.append(Output(urls.feed(lang, "json"), render_json_feed(info, entries)))
    return outputs


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
