"""RSS 2.0, Atom and JSON Feed per language: full content, absolute URLs, charts as PNG images."""

from __future__ import annotations

import datetime as dt
import html
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from broadsheet.content.issues import Issue
from broadsheet.core.output import Output
from broadsheet.core.settings import Config, Language
from broadsheet.core.urls import Urls
from broadsheet.pages.views import IssuePage, body_parts, publish_datetime

if TYPE_CHECKING:
    from broadsheet.outputs.render import Renderer

FEED_ITEM = "feed-item.html"  # the template of an item's content
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
# Namespaces are written as literal prefixes with their xmlns attribute on the root element, so
# that ElementTree's process-wide namespace registry is never modified.


def item_html(ip: IssuePage, urls: Urls, renderer: Renderer) -> str:
    """A feed item's full content: the body with absolute URLs, charts as their PNG, provenance."""
    return renderer.render(FEED_ITEM, ip.lang, parts=body_parts(ip.body.absolute_parts),
                           chart_partial="partials/chart-feed.html", chart_base=urls.absolute(""),
                           provenance=ip.provenance)


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
                 config: Config, urls: Urls, renderer: Renderer, limit: int) -> list[FeedEntry]:
    """The newest `limit` issues that exist in `lang`, newest first."""
    entries = []
    for issue in issues:
        ip = pages.get((issue.key, lang.code))
        if ip is None:
            continue
        url = urls.absolute(urls.issue(issue.key, lang))
        meta = ip.page.meta
        published = publish_datetime(meta.date, config.timezone)
        entries.append(FeedEntry(
            url=url,
            title=meta.title,
            summary=meta.summary,
            content_html=item_html(ip, urls, renderer),
            published=published,
            updated=publish_datetime(meta.updated, config.timezone) if meta.updated else published,
            tags=meta.tags,
            image=urls.absolute(ip.charts[0].png_path) if ip.charts else None,
        ))
        if len(entries) == limit:
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
        if e.updated != e.published:  # corrected: RSS has no element of its own for it, Atom's is read
            _text(item, "atom:updated", e.updated.isoformat())
        _text(item, "dc:creator", info.author)
        for tag in e.tags:
            _text(item, "category", tag)
        # readers read an item's description as HTML: the summary is text, so it is written escaped
        _text(item, "description", html.escape(e.summary, quote=False))
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
        # type="text" by the standard, but some readers take any summary as HTML: escaped HTML reads
        # the same in both kinds
        summary = _text(entry, "summary", html.escape(e.summary, quote=False))
        summary.set("type", "html")
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


# The feeds as the subscribe page (templates/subscribe.html) lists them: kind → name, media type.
FEED_KINDS = {"rss": ("RSS", "application/rss+xml"), "atom": ("Atom", "application/atom+xml"),
              "json": ("JSON Feed", "application/feed+json")}


def feed_list(lang: Language, urls: Urls) -> list[dict[str, str]]:
    """An edition's feeds for its subscribe page: kind, name, media type, absolute address, link."""
    return [{"kind": kind, "name": name, "type": media, "url": urls.absolute(urls.feed(lang, kind)),
             "href": urls.href(urls.feed(lang, kind))} for kind, (name, media) in FEED_KINDS.items()]


def render_feeds(issues: list[Issue], pages: dict[tuple[str, str], IssuePage], config: Config,
                 urls: Urls, renderer: Renderer, limit: int) -> list[Output]:
    """Every feed of every edition, at urls.feed(lang, kind), with the newest `limit` issues."""
    outputs = []
    for lang in config.languages:
        entries = feed_entries(issues, pages, lang, config, urls, renderer, limit)
        kinds = ("rss", "atom", "json")
        newest = max((e.updated for e in entries),
                     default=publish_datetime(dt.date(1970, 1, 1), config.timezone))
        info = FeedInfo(lang=lang, title=config.title[lang.code],
                        description=config.description[lang.code],
                        home_url=urls.absolute(urls.home(lang)),
                        urls={k: urls.absolute(urls.feed(lang, k)) for k in kinds},
                        author=config.author[lang.code], updated=newest)
        # no xml-stylesheet: a person who opens a feed is sent to the subscribe page by every link
        # of the site, which works in every browser (Chromium is removing XSLT; docs/readers.md)
        outputs.append(Output(urls.feed(lang, "rss"), render_rss(info, entries)))
        outputs.append(Output(urls.feed(lang, "atom"), render_atom(info, entries)))
        outputs.append(Output(urls.feed(lang, "json"), render_json_feed(info, entries)))
    return outputs


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
