"""What a shared link shows: Open Graph / Twitter card fields, JSON-LD, and the home page lead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from broadsheet.content.issues import Issue
from broadsheet.core.settings import Config, Language
from broadsheet.core.urls import Urls
from broadsheet.pages.views import IssuePage, issue_summary, publish_datetime

DEFAULT_IMAGE = "og-default.png"  # in static/: the card image of pages without a chart
DEFAULT_IMAGE_SIZE = (1200, 630)  # the size Open Graph and Twitter cards expect


def default_image(urls: Urls) -> dict[str, Any]:
    """The site's card image (absolute URL and size)."""
    width, height = DEFAULT_IMAGE_SIZE
    return {"url": urls.absolute(urls.static(DEFAULT_IMAGE)), "width": width, "height": height,
            "alt": ""}


def card_image(ip: IssuePage, urls: Urls) -> dict[str, Any]:
    """The lead chart's PNG when the issue has charts, else the site's default image."""
    if not ip.charts:
        return default_image(urls)
    lead = ip.charts[0]
    return {"url": urls.absolute(lead.png_path), "width": lead.width, "height": lead.height, "alt": lead.title}


def share_view(ip: IssuePage, config: Config, urls: Urls) -> dict[str, Any]:
    """Open Graph, Twitter card and NewsArticle JSON-LD fields of an issue page."""
    meta = ip.page.meta
    url = urls.absolute(urls.issue(ip.issue.key, ip.lang))
    image = card_image(ip, urls)
    published = publish_datetime(meta.date, config.timezone).isoformat()
    others = [config.language(code) for code in ip.issue.pages if code != ip.lang.code]
    return {
        "type": "article",
        "title": meta.title,
        "description": meta.summary,
        "url": url,
        "image": image,
        "locale": ip.lang.locale,
        "locale_alternates": [o.locale for o in others],
        "published": published,
        "tags": list(meta.tags),
        "json_ld": {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": meta.title,
            "description": meta.summary,
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "image": [image["url"]],
            "datePublished": published,
            "dateModified": publish_datetime(meta.updated, config.timezone).isoformat() if meta.updated
            else published,  # a correction's date
            "inLanguage": ip.lang.html_lang,
            "keywords": list(meta.tags),
            "author": {"@type": "Organization", "name": config.author[ip.lang.code]},
            "publisher": {"@type": "Organization", "name": config.title[ip.lang.code],
                          "url": urls.absolute(urls.home(ip.lang))},
        },
    }


def lead_view(issues: list[Issue], pages: Mapping[tuple[str, str], IssuePage], lang: Language,
              config: Config, urls: Urls) -> dict[str, Any] | None:
    """The latest issue for the home page: its summary and, when it has charts, its key chart."""
    if not issues:
        return None
    issue = issues[0]
    lead = issue_summary(issue, lang, config, urls)
    ip = pages.get((issue.key, lang.code)) or pages.get((issue.key, config.default_language.code))
    chart = ip.charts[0] if ip is not None and ip.charts else None
    lead["chart"] = chart
    lead["chart_src"] = urls.href(chart.png_path) if chart is not None else ""
    return lead
