"""The email edition: per issue and language, mail-safe HTML (CSS inlined, tables, absolute URLs)
and its plain-text part, written beside the page as email.html and email.txt."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import css_inline
from markupsafe import Markup

from .config import Config, Language
from .provenance import provenance_html
from .render import Renderer
from .urls import Urls

if TYPE_CHECKING:
    from .views import IssuePage

TEMPLATE = "email.html"
CONTENT_WIDTH = 560  # px: the 600 px column most mail clients show, less its padding
CHART_FIGURE_RE = re.compile(r'<figure\b[^>]*\bdata-chart="([^"]*)"[^>]*>.*?</figure>', re.S)
DROP_RE = re.compile(r"<(script|svg|style)\b.*?</\1>", re.S | re.I)
URL_ATTR_RE = re.compile(r'(\s(?:href|src)=")([^"]*)(")', re.I)


def absolute_urls(html: str, base: str) -> str:
    """Make every href and src absolute against `base` (mail has no base URL of its own)."""

    def fix(m: re.Match[str]) -> str:
        value = m.group(2).strip()
        if re.match(r"^(?:https?:|mailto:)", value, re.I):
            return m.group()
        return m.group(1) + escape(urljoin(base, value.replace("&amp;", "&")), quote=True) + m.group(3)

    return URL_ATTR_RE.sub(fix, html)


def email_body(body_html: str, charts: list[dict[str, Any]] | None, urls: Urls) -> str:
    """The page body for mail: charts become their PNG by absolute URL, scripts and SVG go."""
    by_name = {c.get("name"): c for c in charts or []}

    def chart(m: re.Match[str]) -> str:
        record = by_name.get(m.group(1))
        if record is None or not record.get("png_path"):
            return ""
        width = min(int(record.get("width") or CONTENT_WIDTH), CONTENT_WIDTH)
        title = escape(str(record.get("title", "")))
        src = escape(urls.absolute(record["png_path"]), quote=True)
        return (f'<table role="presentation" class="chart" width="100%" cellpadding="0" cellspacing="0" '
                f'border="0"><tr><td class="chart-title">{title}</td></tr><tr><td>'
                f'<img src="{src}" width="{width}" alt="{title}" class="chart-image"></td></tr></table>')

    return DROP_RE.sub("", CHART_FIGURE_RE.sub(chart, body_html))


def email_edition(ip: IssuePage, config: Config, urls: Urls, renderer: Renderer) -> tuple[str, str]:
    """Return (HTML, plain text) of one issue page's email edition."""
    lang: Language = ip.lang
    web_url = urls.absolute(urls.issue(ip.issue.key, lang))
    meta = ip.page.meta
    prov = ip.extra.get("provenance")
    context = {
        "lang": lang.code,
        "html_lang": lang.html_lang,
        "site_title": config.title[lang.code],
        "home_url": urls.absolute(urls.home(lang)),
        "web_url": web_url,
        "title": meta.title,
        "summary": meta.summary,
        "date": meta.date,
        "body": Markup(email_body(ip.body.html, ip.extra.get("charts"), urls)),
        "corrections": list(meta.corrections),
        "provenance": provenance_html(renderer, lang, prov) if prov else "",
        "disclaimer": config.disclaimer.get(lang.code, ""),
        "author": config.author[lang.code],
    }
    html = renderer.render(TEMPLATE, lang, email=context)
    inlined = css_inline.inline(html, load_remote_stylesheets=False)  # drops the <style> block once applied
    html = absolute_urls(inlined, web_url)
    return html, html_to_text(html)


# --- the plain-text part -----------------------------------------------------------------------
BLOCKS = {"p", "div", "table", "tr", "ul", "ol", "li", "h1", "h2", "h3", "h4", "blockquote", "figure", "aside",
          "section", "header", "footer", "hr", "br", "details", "dl", "dt", "dd"}
SKIP = {"script", "style", "svg", "head", "title"}


class _TextWriter(HTMLParser):
    """HTML → readable plain text: headings, paragraphs, bullet lists, links as `text <url>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.lists: list[str] = []
        self.links: list[str | None] = []
        self.link_text: list[str] = []

    def _tail(self, size: int = 2) -> str:
        """The last `size` characters written (without joining the whole output each time)."""
        tail = ""
        for fragment in reversed(self.out):
            tail = fragment + tail
            if len(tail) >= size:
                break
        return tail[-size:]

    def _newline(self, blank: bool = False) -> None:
        while self.out and self.out[-1].endswith(" "):  # no trailing spaces before a line break
            self.out[-1] = self.out[-1].rstrip(" ")
            if self.out[-1]:
                break
            self.out.pop()
        tail = self._tail()
        want = "\n\n" if blank else "\n"
        if tail and not tail.endswith(want):
            self.out.append("\n" if tail.endswith("\n") and blank else want)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skip += 1
            return
        attr = dict(attrs)
        if tag in ("ul", "ol"):
            self.lists.append(tag)
        elif tag == "li":
            self._newline()
            self.out.append("  " * (len(self.lists) - 1) + "- ")
        elif tag in ("h1", "h2", "h3", "h4"):
            self._newline(blank=True)
            self.out.append({"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### "}[tag])
        elif tag in BLOCKS:
            self._newline(blank=tag in ("p", "table", "blockquote", "figure", "aside", "hr"))
        elif tag == "td" or tag == "th":
            self.out.append(" ")
        elif tag == "a":
            self.links.append(attr.get("href"))
            self.link_text.append("")
        elif tag == "img" and attr.get("src"):
            self.out.append(f"[{attr.get('alt') or 'image'}] <{attr['src']}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._newline(blank=not self.lists)
        elif tag == "a" and self.links:
            href, text = self.links.pop(), self.link_text.pop().strip()
            if href and href != text and not href.startswith("mailto:"):
                self.out.append(f" <{href}>")
        elif tag in BLOCKS:
            self._newline(blank=tag in ("p", "h1", "h2", "h3", "h4", "table", "blockquote", "figure", "aside"))

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = re.sub(r"\s+", " ", data)
        last = self.out[-1] if self.out else ""
        if not last or last.endswith(("\n", " ")):
            text = text.lstrip()
        if not text:
            return
        if self.link_text:
            self.link_text[-1] += text
        self.out.append(text)


def html_to_text(html: str) -> str:
    """The plain-text part of an email from its HTML."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    text = "".join(writer.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
