"""Purpose-built dicts for templates (site chrome, issue, lists); no I/O, no formatting of numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from broadsheet.charts import CHART_SCRIPT, VEGA_BUNDLE  # the light package module: no pandas
from broadsheet.content.issues import Issue, Page
from broadsheet.core.settings import Config, Language
from broadsheet.core.urls import Urls

if TYPE_CHECKING:  # annotations only: a no-change build imports none of these
    from broadsheet.charts.blocks import ChartBlock
    from broadsheet.figures.uses import FigureUse
    from broadsheet.pages.body import RenderedBody
    from broadsheet.pages.provenance import Provenance
    from broadsheet.pages.receipts import Receipt



# Issues carry a date, not a time: every issue is stamped at this local time so that a feed
# built twice is byte-identical (no build clock in the output).
PUBLISH_TIME = dt.time(8, 0)


def publish_datetime(day: dt.date, timezone: str) -> dt.datetime:
    """The moment an issue counts as published: its date at PUBLISH_TIME in the site's zone."""
    return dt.datetime.combine(day, PUBLISH_TIME, tzinfo=ZoneInfo(timezone))

@dataclass
class IssuePage:
    """One issue in one language, assembled: its converted body, the figures and charts it placed."""

    issue: Issue
    lang: Language
    page: Page
    body: RenderedBody
    figures: list[FigureUse]
    reading_minutes: int
    charts: list[ChartBlock] = field(default_factory=list)  # placed, in order of appearance
    provenance: Provenance | None = None  # "data as of" and sources, of its figures and charts
    receipts: list[Receipt] = field(default_factory=list)  # each figure's data (receipts.py), in order


def site_view(config: Config, urls: Urls, lang: Language, path: str,
              alternates: dict[str, str] | None = None) -> dict[str, Any]:
    """The chrome every page needs: titles, language switcher, nav links, alternates."""
    alternates = alternates if alternates is not None else {lang.code: path}
    switcher = []
    for other in config.languages:
        target = alternates.get(other.code, urls.home(other))
        switcher.append({"code": other.code, "name": other.name, "html_lang": other.html_lang,
                         "href": urls.href(target), "current": other.code == lang.code,
                         "exact": other.code in alternates})
    default = config.default_language.code
    return {
        "title": config.title[lang.code],
        "description": config.description[lang.code],
        "lang": lang.code,
        "html_lang": lang.html_lang,
        "base_path": config.base_path,
        "home_href": urls.href(urls.home(lang)),
        "archive_href": urls.href(urls.archive(lang)),
        "feed_href": urls.href(urls.feed(lang)),
        "atom_href": urls.href(urls.feed(lang, "atom")),
        "json_feed_href": urls.href(urls.feed(lang, "json")),
        "search_href": urls.href(urls.search(lang)),
        "subscribe_href": urls.href(urls.subscribe(lang)),
        "css_href": urls.href(urls.static("css/site.css")),
        "static_base": urls.href("static/"),
        "search_bundle": urls.href("pagefind/"),  # written by Pagefind (search.py)
        "og_image": urls.absolute(urls.static("og-default.png")),
        "languages": switcher,
        "canonical": urls.absolute(path),
        "alternates": [{"hreflang": config.language(code).html_lang, "href": urls.absolute(p)}
                       for code, p in alternates.items()]
                      + ([{"hreflang": "x-default", "href": urls.absolute(alternates[default])}]
                         if default in alternates else []),
        "author": config.author[lang.code],
        "disclaimer": config.disclaimer.get(lang.code, ""),
        "signup": config.signup,  # the email sign-up form (partials/signup.html), or None
    }


def issue_summary(issue: Issue, lang: Language, config: Config, urls: Urls) -> dict[str, Any]:
    """An issue as a list entry in `lang`, falling back to the original when not translated."""
    page = issue.pages.get(lang.code)
    fallback = page is None
    shown_lang = lang if page is not None else config.default_language
    page = page or issue.pages[config.default_language.code]
    return {
        "title": page.meta.title,
        "summary": page.meta.summary,
        "date": page.meta.date,
        "href": urls.href(urls.issue(issue.key, shown_lang)),
        "tags": [tag_link(t, shown_lang, config, urls) for t in page.meta.tags],
        "fallback": fallback,
        "fallback_language": config.default_language.name if fallback else "",
        "html_lang": shown_lang.html_lang,
    }


def tag_name(tag: str, lang: Language, config: Config) -> str:
    """A tag as `lang` names it (content/tags.yaml), or as written."""
    declared = config.tags.find(tag) if config.tags else None
    return declared.name(lang.code) if declared else tag


def tag_link(tag: str, lang: Language, config: Config, urls: Urls) -> dict[str, str]:
    """A tag's name in `lang` and its page's link."""
    return {"name": tag_name(tag, lang, config), "href": urls.href(urls.tag(tag, lang))}


def body_parts(parts: list[Any]) -> list[Any]:
    """A body's segments for a template: HTML segments as Markup, blocks (charts) as they are."""
    return [Markup(p) if isinstance(p, str) else p for p in parts]


def issue_view(ip: IssuePage, config: Config, urls: Urls, newer: Issue | None,
               older: Issue | None, preview: bool = False,
               more: dict[str, list[Issue]] | None = None) -> dict[str, Any]:
    """Everything issue.html shows; `more` holds other issues of the edition under each of its tags
    (content/related.py's more_on_tags)."""
    meta = ip.page.meta
    more = more or {}
    return {
        "title": meta.title,
        "summary": meta.summary,
        "date": meta.date,
        "date_iso": meta.date.isoformat(),
        "tags": [tag_link(t, ip.lang, config, urls) for t in meta.tags],
        "more_on_tags": [{**tag_link(t, ip.lang, config, urls),
                          "issues": [issue_summary(i, ip.lang, config, urls) for i in more.get(t, [])]}
                         for t in meta.tags],
        "body_parts": body_parts(ip.body.parts),
        "toc": Markup(ip.body.toc_html) if ip.body.headings else "",
        "reading_minutes": ip.reading_minutes,
        "corrections": list(meta.corrections),
        "updated": meta.updated,
        "newer": issue_summary(newer, ip.lang, config, urls) if newer else None,
        "older": issue_summary(older, ip.lang, config, urls) if older else None,
        "charts": ip.charts,
        "chart_assets": {"script": urls.href(urls.static(CHART_SCRIPT)), "vega": urls.href(urls.static(VEGA_BUNDLE))},
        "provenance": ip.provenance,
        "email_href": urls.href(urls.email(ip.issue.key, ip.lang, "html")) if preview else None,
        "receipts": receipt_views(ip.receipts, preview),
    }


def receipt_views(receipts: list[Receipt], preview: bool = False) -> list[dict[str, str]]:
    """Each figure's receipt as the page, the email and print show it; the expression only in the
    preview."""
    return [{"id": r.anchor, "figure": r.text, "text": r.receipt, "source": r.source_line,
             "expression": r.expression if preview else ""} for r in receipts]


def archive_groups(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group list entries by year, then month (newest first)."""
    years: dict[int, dict[dt.date, list[dict[str, Any]]]] = {}
    for s in summaries:
        month = s["date"].replace(day=1)
        years.setdefault(month.year, {}).setdefault(month, []).append(s)
    return [{"year": y, "months": [{"month": m, "issues": items} for m, items in months.items()]}
            for y, months in years.items()]
