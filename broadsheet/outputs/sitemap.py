"""sitemap.xml with hreflang alternates between editions, and robots.txt pointing at it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote

from broadsheet.core.output import Output
from broadsheet.core.settings import Config
from broadsheet.core.urls import Urls

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True)
class SitemapEntry:
    """One page: its site path and the site paths of its editions by language code."""

    path: str
    alternates: dict[str, str]


def uri(url: str) -> str:
    """Percent-encode non-ASCII characters (Chinese tag paths), as sitemaps require RFC 3986 URLs."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def render_sitemap(entries: list[SitemapEntry], config: Config, urls: Urls) -> bytes:
    """A sitemap listing every page, with xhtml:link hreflang alternates (and x-default)."""
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
    default = config.default_language.code
    for entry in entries:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = uri(urls.absolute(entry.path))
        if len(entry.alternates) < 2:
            continue  # a page with no translation needs no alternates
        # Each page lists every edition, itself included, as the hreflang rules require.
        links = [(config.language(code).html_lang, path) for code, path in entry.alternates.items()]
        if default in entry.alternates:
            links.append(("x-default", entry.alternates[default]))
        for hreflang, path in links:
            ET.SubElement(url, "xhtml:link", {"rel": "alternate", "hreflang": hreflang,
                                              "href": uri(urls.absolute(path))})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def render_robots(urls: Urls) -> bytes:
    """robots.txt allowing everything and naming the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap.xml')}\n".encode()


def render_discovery(entries: list[SitemapEntry], config: Config, urls: Urls) -> list[Output]:
    """sitemap.xml and robots.txt."""
    return [Output("sitemap.xml", render_sitemap(entries, config, urls)),
            Output("robots.txt", render_robots(urls))]
