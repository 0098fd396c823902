"""The render units: each function turns assembled pages into the files of one unit of the plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import Language
from .content import Issue
from .context import BuildContext
from .render import Renderer
from .sitemap import SitemapEntry, render_discovery
from .urls import Urls, output_file
from .views import IssuePage, archive_groups, issue_summary, issue_view, site_view
from .writer import Output

Pages = Mapping[tuple[str, str], IssuePage]


def _page(renderer: Renderer, ctx: BuildContext, path: str, template: str, lang: Language,
          alternates: dict[str, str] | None, **context: Any) -> Output:
    site = site_view(ctx.config, Urls(ctx.config), lang, path, alternates)
    return Output(output_file(path), renderer.render(template, lang, site=site, **context).encode("utf-8"))


def neighbours(issues: list[Issue], issue: Issue, code: str) -> tuple[Issue | None, Issue | None]:
    """The newer and the older issue in the same language (issues are newest first)."""
    in_lang = [i for i in issues if code in i.pages]
    n = in_lang.index(issue)
    return (in_lang[n - 1] if n > 0 else None), (in_lang[n + 1] if n + 1 < len(in_lang) else None)


def render_issue(ip: IssuePage, issues: list[Issue], ctx: BuildContext, renderer: Renderer) -> list[Output]:
    """An issue page's HTML."""
    from .sharing import share_view

    urls = Urls(ctx.config)
    newer, older = neighbours(issues, ip.issue, ip.lang.code)
    alternates = {code: urls.issue(ip.issue.key, ctx.config.language(code)) for code in ip.issue.pages}
    return [_page(renderer, ctx, urls.issue(ip.issue.key, ip.lang), "issue.html", ip.lang, alternates,
                  issue=issue_view(ip, ctx.config, urls, newer, older, ctx.preview),
                  share=share_view(ip, ctx.config, urls)), *_receipts(ip, urls)]


def _receipts(ip: IssuePage, urls: Urls) -> list[Output]:
    """The data behind an issue page: every figure it quotes, as CSV and JSON."""
    from .receipts import receipts_csv, receipts_json

    if not ip.receipts:
        return []
    as_of = ip.provenance.as_of if ip.provenance else None
    key, lang = ip.issue.key, ip.lang
    return [Output(urls.receipts(key, lang, "csv"), receipts_csv(ip.receipts)),
            Output(urls.receipts(key, lang, "json"), receipts_json(key, lang.code, as_of, ip.receipts))]


def render_email(ip: IssuePage, ctx: BuildContext, renderer: Renderer) -> list[Output]:
    """An issue page's email edition: email.html and email.txt."""
    from .email import email_edition

    urls = Urls(ctx.config)
    html, text = email_edition(ip, ctx.config, urls, renderer)
    return [Output(urls.email(ip.issue.key, ip.lang, "html"), html.encode("utf-8")),
            Output(urls.email(ip.issue.key, ip.lang, "txt"), text.encode("utf-8"))]


def _tags(issues: list[Issue], summaries: list[dict[str, Any]], code: str) -> dict[str, list[dict[str, Any]]]:
    tags: dict[str, list[dict[str, Any]]] = {}
    for issue, summary in zip(issues, summaries, strict=True):
        if code in issue.pages:
            for tag in issue.pages[code].meta.tags:
                tags.setdefault(tag, []).append(summary)
    return dict(sorted(tags.items()))


def render_lists(issues: list[Issue], pages: Pages, ctx: BuildContext, renderer: Renderer) -> list[Output]:
    """Every page that lists issues (home, archive, tags), the search pages, 404 and discovery files."""
    from .sharing import lead_view

    config, urls = ctx.config, Urls(ctx.config)
    outputs: list[Output] = []
    sitemap: list[SitemapEntry] = []
    for lang in config.languages:
        summaries = [issue_summary(i, lang, config, urls) for i in issues]
        for where, template, extra in (
                (urls.home, "home.html", {"issues": summaries, "lead": lead_view(issues, pages, lang, config, urls)}),
                (urls.archive, "archive.html", {"groups": archive_groups(summaries)}),
                (urls.search, "search.html", {})):
            path, alternates = where(lang), {o.code: where(o) for o in config.languages}
            sitemap.append(SitemapEntry(path, alternates))
            outputs.append(_page(renderer, ctx, path, template, lang, alternates, **extra))
        for tag, items in _tags(issues, summaries, lang.code).items():
            sitemap.append(SitemapEntry(urls.tag(tag, lang), {lang.code: urls.tag(tag, lang)}))
            outputs.append(_page(renderer, ctx, urls.tag(tag, lang), "tag.html", lang, None, tag=tag, issues=items))
        for issue in issues:
            if lang.code in issue.pages:
                sitemap.append(SitemapEntry(urls.issue(issue.key, lang), {
                    code: urls.issue(issue.key, config.language(code)) for code in issue.pages}))
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
