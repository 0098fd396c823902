"""build(ctx): load → assemble → render → write. Read and check everything before writing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .cache import open_cache
from .charts import ChartSet, prepare_charts
from .config import Language
from .content import Issue, read_issues
from .context import BuildContext
from .data import DataStore, load_data
from .email import email_outputs
from .errors import BuildFailed, SourceError
from .feeds import render_feeds
from .figures import FigureFunctions
from .i18n import NumberFormatter, reading_minutes
from .markdown import FigureProblems, render_markdown
from .provenance import page_provenance
from .render import Renderer
from .search import index_site
from .sharing import lead_view, share_view
from .sitemap import SitemapEntry, render_discovery
from .urls import Urls, output_file
from .views import IssuePage, archive_groups, issue_summary, issue_view, site_view
from .writer import Output, check_destination, lock_output, write_site


@dataclass
class Site:
    """Everything assembled for one build, before it is written."""

    issues: list[Issue]
    pages: dict[tuple[str, str], IssuePage]  # (issue key, language code) → page
    outputs: list[Output]
    charts_rendered: int = 0
    charts_total: int = 0


@dataclass
class BuildResult:
    """What a build did, for the one-line summary."""

    pages: int
    files: int
    seconds: float
    charts_rendered: int = 0  # charts drawn by this build; the rest came from the cache
    charts_total: int = 0


def assemble_page(issue: Issue, lang: Language, store: DataStore, ctx: BuildContext,
                  charts: ChartSet | None = None) -> IssuePage:
    """Evaluate a page's figures and convert its Markdown (raises FigureProblems)."""
    page = issue.pages[lang.code]
    figures = FigureFunctions(store, NumberFormatter(lang.locale))
    functions = figures.namespace()
    placed = (charts or ChartSet(ctx.config)).for_page(issue.key, lang)
    functions["chart"] = placed.chart
    body = render_markdown(page.body, page.src_path, page.body_line, functions)
    ip = IssuePage(issue=issue, lang=lang, page=page, body=body, figures=figures.uses,
                   reading_minutes=reading_minutes(body.text))
    ip.extra["charts"] = placed.records()  # feeds and social cards use the PNG twins
    ip.extra["chart_assets"] = placed.assets()
    return ip


def build_charts(issues: list[Issue], store: DataStore, ctx: BuildContext) -> ChartSet:
    """Build and render every issue's charts.yaml (problems go to ctx.problems)."""
    return prepare_charts(issues, store, ctx.config, ctx.translations_dir, ctx.root / "fonts",
                          open_cache(ctx.cache_dir, ctx.use_cache), ctx.problems)


def check_translation(issue: Issue, lang: Language, ctx: BuildContext) -> None:
    """Warn when a translation was made from an older version of the original."""
    original = issue.pages[ctx.config.default_language.code]
    page = issue.pages[lang.code]
    recorded = page.meta.translated_from
    if recorded is None:
        ctx.problems.warn(SourceError(page.src_path, 2, "translation does not record its source",
                                      f'add `translated_from: "{original.source_hash}"` once it matches '
                                      f"{original.src_path.name}"))
    elif recorded != original.source_hash:
        ctx.problems.warn(SourceError(page.src_path, 2,
                                      f"translation is stale: {original.src_path.name} changed since it was "
                                      f"translated ({recorded} → {original.source_hash})",
                                      f'update the translation, then set translated_from: "{original.source_hash}"'))


def render_outputs(site_issues: list[Issue], pages: dict[tuple[str, str], IssuePage],
                   ctx: BuildContext) -> list[Output]:
    """Render every page of the site with the templates (no I/O besides reading templates)."""
    config = ctx.config
    urls = Urls(config)
    renderer = Renderer(ctx.templates_dir, ctx.translations_dir, config)
    outputs: list[Output] = []
    sitemap: list[SitemapEntry] = []

    def emit(path: str, template: str, lang: Language, alternates: dict[str, str] | None = None,
             **context: Any) -> None:
        site = site_view(config, urls, lang, path, alternates)
        html = renderer.render(template, lang, site=site, **context)
        outputs.append(Output(output_file(path), html.encode("utf-8")))
        sitemap.append(SitemapEntry(path, alternates if alternates is not None else {lang.code: path}))

    for lang in config.languages:
        summaries = [issue_summary(i, lang, config, urls) for i in site_issues]
        every_lang = {o.code: urls.home(o) for o in config.languages}
        emit(urls.home(lang), "home.html", lang, every_lang, issues=summaries,
             lead=lead_view(site_issues, pages, lang, config, urls))
        emit(urls.archive(lang), "archive.html", lang, {o.code: urls.archive(o) for o in config.languages},
             groups=archive_groups(summaries))
        tags: dict[str, list[dict[str, Any]]] = {}
        for issue, summary in zip(site_issues, summaries, strict=True):
            if lang.code in issue.pages:
                for tag in issue.pages[lang.code].meta.tags:
                    tags.setdefault(tag, []).append(summary)
        for tag, items in sorted(tags.items()):
            emit(urls.tag(tag, lang), "tag.html", lang, None, tag=tag, issues=items)
        in_lang = [i for i in site_issues if lang.code in i.pages]
        for n, issue in enumerate(in_lang):
            ip = pages[(issue.key, lang.code)]
            alternates = {code: urls.issue(issue.key, config.language(code)) for code in issue.pages}
            newer = in_lang[n - 1] if n > 0 else None
            older = in_lang[n + 1] if n + 1 < len(in_lang) else None
            emit(urls.issue(issue.key, lang), "issue.html", lang, alternates,
                 issue=issue_view(ip, config, urls, newer, older), share=share_view(ip, config, urls))
        emit(urls.search(lang), "search.html", lang, {o.code: urls.search(o) for o in config.languages})
    outputs.extend(render_feeds(site_issues, pages, config, urls, renderer))
    outputs.extend(render_discovery(sitemap, config, urls))
    default = config.default_language
    site = site_view(config, urls, default, "404.html", {})
    # One 404 page serves every edition (GitHub Pages has a single one): say it in each language.
    others = [{"html_lang": o.html_lang, "home_href": urls.href(urls.home(o)),
               "heading": renderer.gettext(o, "Page not found"),
               "message": renderer.gettext(o, "The page you asked for does not exist. "
                                              "Try the home page or the archive."),
               "home": renderer.gettext(o, "Home"), "archive": renderer.gettext(o, "Archive"),
               "archive_href": urls.href(urls.archive(o))}
              for o in config.languages if o != default]
    outputs.append(Output("404.html", renderer.render("404.html", default, site=site,
                                                      languages=config.languages,
                                                      others=others).encode("utf-8")))
    outputs.append(Output(".nojekyll", b""))  # GitHub Pages: serve files as they are
    if config.cname:
        outputs.append(Output("CNAME", (config.cname + "\n").encode()))
    return outputs


def assemble_site(ctx: BuildContext, keep_going: bool = False) -> Site:
    """Load and check every input, then render every output in memory (nothing is written).

    With `keep_going` (the `check` command) a stage's problems are collected in ctx.problems
    instead of stopping the build, so later stages can report theirs in the same run.
    """
    problems = ctx.problems

    def checkpoint(strict: bool = False) -> None:
        if not keep_going:
            problems.checkpoint(strict=strict)

    # 1. load: data and content; every problem of a stage is collected before failing
    try:
        store: DataStore | None = load_data(ctx.data_dir)
    except BuildFailed as exc:
        if not keep_going:
            raise
        store = None  # figures cannot be computed; front matter is still checked
        for err in exc.problems:
            problems.error(err)
    issues = read_issues(ctx.content_dir, ctx.config, problems, drafts=ctx.drafts)
    checkpoint()
    if store is None:
        return Site(issues=issues, pages={}, outputs=[])
    # 2. charts: charts.yaml → specs per language → SVG + PNG (cached; misses in parallel)
    charts = build_charts(issues, store, ctx)
    checkpoint()
    # 3. assemble: figures, charts and Markdown, per issue and language
    pages: dict[tuple[str, str], IssuePage] = {}
    for issue in issues:
        for code in issue.pages:
            lang = ctx.config.language(code)
            try:
                pages[(issue.key, code)] = assemble_page(issue, lang, store, ctx, charts)
            except FigureProblems as many:
                for err in many.errors:
                    problems.error(err)
            if (issue.key, code) in pages:  # provenance footer, and the email link in serve mode
                pages[(issue.key, code)].extra["provenance"] = page_provenance(pages[(issue.key, code)], store)
                if ctx.preview:
                    pages[(issue.key, code)].extra["email_href"] = Urls(ctx.config).href(
                        Urls(ctx.config).email(issue.key, lang, "html"))
            if code != ctx.config.default_language.code:
                check_translation(issue, lang, ctx)
    checkpoint(strict=ctx.strict)
    # 4. render: templates → bytes (when keeping going, without the issues that failed above)
    rendered = [i for i in issues if all((i.key, code) in pages for code in i.pages)]
    try:
        outputs = render_outputs(rendered, pages, ctx)
        outputs += email_outputs(rendered, pages, ctx)  # the email edition of every issue page
        outputs += charts.outputs()  # PNG twins and the vega bundle
    except SourceError as exc:
        if not keep_going:
            raise BuildFailed([exc]) from exc
        problems.error(exc)
        outputs = []
    return Site(issues=issues, pages=pages, outputs=outputs, charts_rendered=charts.rendered,
                charts_total=sum(len(c) for c in charts.charts.values()))


def build(ctx: BuildContext) -> BuildResult:
    """Build the site into ctx.out_dir; on any problem raise BuildFailed and leave it untouched."""
    started = time.perf_counter()
    sources = [ctx.content_dir, ctx.data_dir, ctx.templates_dir, ctx.static_dir,
               ctx.translations_dir]
    check_destination(ctx.out_dir, ctx.root, sources)
    with lock_output(ctx.out_dir):  # one build at a time per output folder (serve + a manual build)
        site = assemble_site(ctx)
        # 5. write: a fresh folder, swapped in only when complete
        write_site(site.outputs, ctx.static_dir, ctx.out_dir,
                   finish=index_site)  # search: see search.py
    return BuildResult(pages=len(site.pages), files=len(site.outputs),
                       seconds=time.perf_counter() - started, charts_rendered=site.charts_rendered,
                       charts_total=site.charts_total)
