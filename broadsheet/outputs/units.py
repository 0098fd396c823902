"""The render units: each function turns assembled pages into the files of one unit of the plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from broadsheet.content.issues import Issue
from broadsheet.content.related import more_on_tags, neighbours
from broadsheet.core.context import BuildContext
from broadsheet.core.output import Output
from broadsheet.core.settings import Language
from broadsheet.core.urls import Urls, output_file
from broadsheet.outputs.email import email_edition
from broadsheet.outputs.feeds import feed_list
from broadsheet.outputs.render import Renderer
from broadsheet.outputs.search import shard_of
from broadsheet.outputs.sharing import lead_view, share_view
from broadsheet.outputs.sitemap import SitemapEntry, render_discovery
from broadsheet.pages.receipts import receipts_csv, receipts_json
from broadsheet.pages.views import IssuePage, archive_groups, issue_summary, issue_view, site_view, tag_name

Pages = Mapping[tuple[str, str], IssuePage]


def _page(renderer: Renderer, ctx: BuildContext, path: str, template: str, lang: Language,
          alternates: dict[str, str] | None, **context: Any) -> Output:
    site = site_view(ctx.config, Urls(ctx.config), lang, path, alternates)
    return Output(output_file(path), renderer.render(template, lang, site=site, **context).encode("utf-8"))


def render_issue(ip: IssuePage, issues: list[Issue], ctx: BuildContext, renderer: Renderer) -> list[Output]:
    """An issue page's HTML."""
    urls = Urls(ctx.config)
    newer, older = neighbours(issues, ip.issue, ip.lang.code)
    more = more_on_tags(issues, ip.issue, ip.lang.code, lambda tag: urls.tag(tag, ip.lang))
    alternates = {code: urls.issue(ip.issue.key, ctx.config.language(code)) for code in ip.issue.pages}
    return [_page(renderer, ctx, urls.issue(ip.issue.key, ip.lang), "issue.html", ip.lang, alternates,
                  issue=issue_view(ip, ctx.config, urls, newer, older, ctx.preview, more),
                  share=share_view(ip, ctx.config, urls)), *_receipts(ip, urls)]


def _receipts(ip: IssuePage, urls: Urls) -> list[Output]:
    """The data behind an issue page: every figure it quotes, as CSV and JSON."""
    if not ip.receipts:
        return []
    as_of = ip.provenance.as_of if ip.provenance else None
    key, lang = ip.issue.key, ip.lang
    return [Output(urls.receipts(key, lang, "csv"), receipts_csv(ip.receipts)),
            Output(urls.receipts(key, lang, "json"), receipts_json(key, lang.code, as_of, ip.receipts))]


def render_email(ip: IssuePage, ctx: BuildContext, renderer: Renderer) -> list[Output]:
    """An issue page's email edition: email.html and email.txt."""
    urls = Urls(ctx.config)
    html, text = email_edition(ip, ctx.config, urls, renderer)
    return [Output(urls.email(ip.issue.key, ip.lang, "html"), html.encode("utf-8")),
            Output(urls.email(ip.issue.key, ip.lang, "txt"), text.encode("utf-8"))]


def _tags(issues: list[Issue], summaries: list[dict[str, Any]], lang: Language,
          ctx: BuildContext) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """The tags of an edition's issues: tag page path → (the tag's name in `lang`, its issues)."""
    urls = Urls(ctx.config)
    tags: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for issue, summary in zip(issues, summaries, strict=True):
        if lang.code in issue.pages:
            for tag in issue.pages[lang.code].meta.tags:
                path = urls.tag(tag, lang)
                tags.setdefault(path, (tag_name(tag, lang, ctx.config), []))[1].append(summary)
    return dict(sorted(tags.items(), key=lambda kv: kv[1][0]))


def _tag_pages(issues: list[Issue], ctx: BuildContext, renderer: Renderer,
               sitemap: list[SitemapEntry]) -> list[Output]:
    """Every tag page of every edition, each linked to the same tag in the other languages, and
    each edition's tags index with the number of issues per tag."""
    config, urls = ctx.config, Urls(ctx.config)
    found = {lang.code: _tags(issues, [issue_summary(i, lang, config, urls) for i in issues], lang, ctx)
             for lang in config.languages}
    outputs = []
    for lang in config.languages:
        for path, (name, items) in found[lang.code].items():
            same = {o.code: _same_tag(path, lang, o) for o in config.languages}
            alternates = {code: p for code, p in same.items() if p in found[code]}
            sitemap.append(SitemapEntry(path, alternates))
            outputs.append(_page(renderer, ctx, path, "tag.html", lang, alternates, tag=name, issues=items,
                                 tags_href=urls.href(urls.tags(lang))))
        index = [{"name": name, "href": urls.href(path), "count": len(items)}
                 for path, (name, items) in found[lang.code].items()]
        where = {o.code: urls.tags(o) for o in config.languages}
        outputs.append(_page(renderer, ctx, urls.tags(lang), "tags.html", lang, where, tags=index))
        sitemap.append(SitemapEntry(urls.tags(lang), where))
    return outputs


def _same_tag(path: str, lang: Language, other: Language) -> str:
    """The same tag page in another edition (tags/<slug>/ under each language's prefix)."""
    return other.prefix + path[len(lang.prefix):]


HOME_ISSUES = 10  # the home lists the newest issues (the lead among them); the archive has every one
SUBSCRIBE_ISSUES = 5  # the subscribe page shows the newest issues its feeds hold


def render_home(issues: list[Issue], pages: Pages, ctx: BuildContext, renderer: Renderer) -> list[Output]:
    """Each edition's home page: the newest issues, the lead chart of the newest (from its page)."""
    config, urls = ctx.config, Urls(ctx.config)
    alternates = {o.code: urls.home(o) for o in config.languages}
    return [_page(renderer, ctx, urls.home(lang), "home.html", lang, alternates,
                  issues=[issue_summary(i, lang, config, urls) for i in issues[:HOME_ISSUES]],
                  more_issues=len(issues) > HOME_ISSUES, lead=lead_view(issues, pages, lang, config, urls))
            for lang in config.languages]


def render_lists(issues: list[Issue], ctx: BuildContext, renderer: Renderer) -> list[Output]:
    """The archive and tag pages, the search and subscribe pages, 404 and discovery files: front matter only."""
    config, urls = ctx.config, Urls(ctx.config)
    outputs: list[Output] = []
    sitemap: list[SitemapEntry] = []
    for lang in config.languages:
        summaries = [issue_summary(i, lang, config, urls) for i in issues]
        sitemap.append(SitemapEntry(urls.home(lang), {o.code: urls.home(o) for o in config.languages}))
        shards = sorted({shard_of(output_file(urls.issue(i.key, lang))) for i in issues if lang.code in i.pages},
                        reverse=True)  # the search index's bundles of this edition, newest first (search.py)
        for where, template, extra in (
                (urls.archive, "archive.html", {"groups": archive_groups(summaries),
                                                "tags_href": urls.href(urls.tags(lang))}),
                (urls.search, "search.html", {"shards": shards}),
                (urls.subscribe, "subscribe.html", {"feeds": feed_list(lang, urls),
                                                    "issues": summaries[:SUBSCRIBE_ISSUES],
                                                    "home_url": urls.absolute(urls.home(lang))})):
            path, alternates = where(lang), {o.code: where(o) for o in config.languages}
            sitemap.append(SitemapEntry(path, alternates))
            outputs.append(_page(renderer, ctx, path, template, lang, alternates, **extra))
        for issue in issues:
            if lang.code in issue.pages:
                sitemap.append(SitemapEntry(urls.issue(issue.key, lang), {
                    code: urls.issue(issue.key, config.language(code)) for code in issue.pages}))
    outputs.extend(_tag_pages(issues, ctx, renderer, sitemap))
    outputs.extend(render_discovery(sitemap, config, urls))
    outputs.append(_not_found(ctx, renderer))
    outputs.append(Output(".nojekyll", b""))  # GitHub Pages: serve files as they are
    if config.cname:
        outputs.append(Output("CNAME", (config.cname + "\n").encode()))
    return outputs


def _not_found(ctx: BuildContext, renderer: Renderer) -> Output:
    """One 404 page serves every edition (GitHub Pages has a single one): it speaks each language."""
    config, urls = ctx.config, Urls(ctx.config)
    default = config.default_language
    others = [{"html_lang": o.html_lang, "home_href": urls.href(urls.home(o)),
               "heading": renderer.gettext(o, "Page not found"),
               "message": renderer.gettext(o, "The page you asked for does not exist. "
                                              "Try the home page or the archive."),
               "home": renderer.gettext(o, "Home"), "archive": renderer.gettext(o, "Archive"),
               "archive_href": urls.href(urls.archive(o))}
              for o in config.languages if o != default]
    site = site_view(config, urls, default, "404.html", {})
    html = renderer.render("404.html", default, site=site, languages=config.languages, others=others)
    return Output("404.html", html.encode("utf-8"))
