"""build(ctx): load → assemble → render → write. Read and check everything before writing.

Builds are incremental (incremental.py, docs/architecture.md "Incremental builds"): a build whose
inputs all hash as the last one's does nothing; otherwise only the issue pages, charts and render
units whose inputs changed are computed again, and only files whose bytes changed are written.
pandas, Altair and vl-convert are imported only when a page's figures or a chart must be computed,
and the rendering stages' modules only when something is rendered, so a no-change build costs
little more than hashing the inputs.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Cache, content_key, open_cache
from .config import Language
from .content import Issue, read_issues
from .context import BuildContext
from .errors import BuildFailed, SourceError
from .failures import held_interrupts
from .incremental import (
    DataState,
    Inputs,
    Manifest,
    chart_series,
    forget_manifest,
    load_manifest,
    read_inputs,
    save_manifest,
    sha,
    site_intact,
)
from .incremental import intact as file_intact
from .limits import refuse_outside_links
from .urls import Urls, output_file
from .views import IssuePage, archive_groups, issue_summary, issue_view, site_view
from .writer import Output, check_destination, link_or_copy, lock_output, write_site

if TYPE_CHECKING:  # both load pandas: imported when a page or a chart has to be computed
    from .charts import ChartSet, RenderedChart
    from .data import DataStore
    from .render import Renderer
    from .sitemap import SitemapEntry

CHARTS_FILE = "charts.yaml"  # as charts.CHARTS_FILE, without importing the chart machinery
PAGES_NAMESPACE = "pages"  # assembled issue pages in the cache, by page key
CHARTS_NAMESPACE = "chartsets"  # one issue's rendered charts in the cache, by chart key
# Pages per extra process when assembling (figures + Markdown). On bench/generate.py's corpus, 2
# cores: 100 pages took 1.06 s in one process, 1.19 s in two; 200 pages 2.16 s vs 1.77 s;
# 1,000 pages 11.6 s vs 6.2 s.
ASSEMBLE_PARALLEL_MIN = 200


class Pages(Mapping[tuple[str, str], IssuePage]):
    """Assembled issue pages by (issue key, language code); reused ones load from the cache on use."""

    def __init__(self) -> None:
        self._ready: dict[tuple[str, str], IssuePage] = {}
        self._later: dict[tuple[str, str], Callable[[], IssuePage]] = {}

    def add(self, key: tuple[str, str], page: IssuePage) -> None:
        """An assembled page."""
        self._ready[key] = page

    def add_later(self, key: tuple[str, str], load: Callable[[], IssuePage]) -> None:
        """A page to load from the cache when something reads it."""
        self._later[key] = load

    def __getitem__(self, key: tuple[str, str]) -> IssuePage:
        if key not in self._ready:
            self._ready[key] = self._later.pop(key)()
        return self._ready[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter([*self._ready, *self._later])

    def __len__(self) -> int:
        return len(self._ready) + len(self._later)

    def __contains__(self, key: object) -> bool:
        return key in self._ready or key in self._later


@dataclass
class Unit:
    """Outputs made from the same inputs: rendered again only when `key` changes."""

    name: str
    key: str
    render: Callable[[], list[Output]]


@dataclass
class Site:
    """Everything assembled for one build, before it is written."""

    issues: list[Issue]
    pages: Mapping[tuple[str, str], IssuePage]  # (issue key, language code) → page
    outputs: list[Output]
    charts_rendered: int = 0
    charts_total: int = 0
    kept: list[str] = field(default_factory=list)  # outputs taken unchanged from the previous site
    pages_rendered: int = 0  # issue pages whose HTML was rendered by this build
    manifest: Manifest = field(default_factory=Manifest)  # what this build was made from


@dataclass
class BuildResult:
    """What a build did, for the one-line summary."""

    pages: int
    files: int
    seconds: float
    charts_rendered: int = 0  # charts drawn by this build; the rest came from the cache
    charts_total: int = 0
    pages_rendered: int = 0  # issue pages (issue × language) rendered again; the rest were kept
    files_written: int = 0  # files written; the others are the previous site's, hard-linked
    nothing_changed: bool = False  # no input changed: the site was left as it was


def assemble_page(issue: Issue, lang: Language, store: DataStore, ctx: BuildContext,
                  charts: ChartSet | None = None) -> IssuePage:
    """Evaluate a page's figures and convert its Markdown (raises FigureProblems)."""
    from .charts import ChartSet
    from .figures import FigureFunctions
    from .i18n import NumberFormatter, reading_minutes
    from .markdown import render_markdown

    page = issue.pages[lang.code]
    figures = FigureFunctions(store, NumberFormatter(lang.locale))
    functions = figures.namespace()
    placed = (charts or ChartSet(ctx.config)).for_page(issue.key, lang)
    functions["chart"] = placed.chart
    body = render_markdown(page.body, page.src_path, page.body_line, functions, raw_html=ctx.config.raw_html)
    ip = IssuePage(issue=issue, lang=lang, page=page, body=body, figures=figures.uses,
                   reading_minutes=reading_minutes(body.text))
    ip.extra["charts"] = placed.records()  # feeds and social cards use the PNG twins
    ip.extra["chart_assets"] = placed.assets()
    return ip


def build_charts(issues: list[Issue], store: DataStore, ctx: BuildContext) -> ChartSet:
    """Build and render every issue's charts.yaml (problems go to ctx.problems)."""
    from .charts import prepare_charts

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


@dataclass
class Keys:
    """The hashes render units are keyed by (see incremental.Inputs for what `render` covers)."""

    render: str = ""  # templates, translations, site.yaml, code and library versions, build options
    code: str = ""  # broadsheet's source and its libraries' versions
    meta: dict[str, str] = field(default_factory=dict)  # issue key → its front matter, every edition
    body: dict[tuple[str, str], str] = field(default_factory=dict)  # (issue, language) → page key
    charts: dict[str, str] = field(default_factory=dict)  # issue key → key of its charts

    def all_meta(self, issues: list[Issue]) -> str:
        """What list pages show of every issue: their order and front matter, not their bodies."""
        return content_key([(issue.key, self.meta[issue.key]) for issue in issues])


def meta_key(issue: Issue) -> str:
    """The hash of an issue's front matter in every language (titles, dates, tags, slugs…)."""
    return content_key(issue.key, [(code, repr(page.meta)) for code, page in issue.pages.items()])


def _once(make: Callable[[], Renderer]) -> Callable[[], Renderer]:
    """Make the renderer (it compiles the catalogs) only when some unit is rendered."""
    made: list[Renderer] = []

    def get() -> Renderer:
        if not made:
            made.append(make())
        return made[0]

    return get


def template_units(site_issues: list[Issue], pages: Mapping[tuple[str, str], IssuePage], ctx: BuildContext,
                   keys: Keys, renderer: Callable[[], Renderer]) -> list[Unit]:
    """The templated pages, feeds, sitemap and 404 page as units, each with the key of its inputs."""
    from .feeds import FEED_LIMIT, render_feeds
    from .sharing import lead_view, share_view
    from .sitemap import SitemapEntry, render_discovery

    config = ctx.config
    urls = Urls(config)
    sitemap: list[SitemapEntry] = []
    lists: list[Callable[[], Output]] = []  # every page that shows all issues' front matter
    units: list[Unit] = []

    def page(path: str, template: str, lang: Language, alternates: dict[str, str] | None,
             **context: Any) -> Output:
        site = site_view(config, urls, lang, path, alternates)
        html = renderer().render(template, lang, site=site, **context)
        return Output(output_file(path), html.encode("utf-8"))

    def listed(path: str, lang: Language, alternates: dict[str, str] | None) -> None:
        """Every page is in the sitemap, rendered by this build or not."""
        sitemap.append(SitemapEntry(path, alternates if alternates is not None else {lang.code: path}))

    def home(lang: Language, path: str, alternates: dict[str, str], summaries: list[dict[str, Any]]) -> Output:
        return page(path, "home.html", lang, alternates, issues=summaries,
                    lead=lead_view(site_issues, pages, lang, config, urls))

    def issue_page(issue: Issue, lang: Language, alternates: dict[str, str], newer: Issue | None,
                   older: Issue | None) -> list[Output]:
        ip = pages[(issue.key, lang.code)]
        return [page(urls.issue(issue.key, lang), "issue.html", lang, alternates,
                     issue=issue_view(ip, config, urls, newer, older), share=share_view(ip, config, urls))]

    for lang in config.languages:
        summaries = [issue_summary(i, lang, config, urls) for i in site_issues]
        every_lang = {o.code: urls.home(o) for o in config.languages}
        listed(urls.home(lang), lang, every_lang)
        lists.append(lambda lang=lang, s=summaries, a=every_lang: home(lang, urls.home(lang), a, s))
        archive_alts = {o.code: urls.archive(o) for o in config.languages}
        listed(urls.archive(lang), lang, archive_alts)
        lists.append(lambda lang=lang, s=summaries, a=archive_alts: page(
            urls.archive(lang), "archive.html", lang, a, groups=archive_groups(s)))
        tags: dict[str, list[dict[str, Any]]] = {}
        for issue, summary in zip(site_issues, summaries, strict=True):
            if lang.code in issue.pages:
                for tag in issue.pages[lang.code].meta.tags:
                    tags.setdefault(tag, []).append(summary)
        for tag, items in sorted(tags.items()):
            listed(urls.tag(tag, lang), lang, None)
            lists.append(lambda lang=lang, t=tag, i=items: page(urls.tag(t, lang), "tag.html", lang, None,
                                                                tag=t, issues=i))
        in_lang = [i for i in site_issues if lang.code in i.pages]
        for n, issue in enumerate(in_lang):
            alternates = {code: urls.issue(issue.key, config.language(code)) for code in issue.pages}
            newer = in_lang[n - 1] if n > 0 else None
            older = in_lang[n + 1] if n + 1 < len(in_lang) else None
            listed(urls.issue(issue.key, lang), lang, alternates)
            key = content_key("issue", keys.render, keys.body[(issue.key, lang.code)], keys.meta[issue.key],
                              keys.meta[newer.key] if newer else "", keys.meta[older.key] if older else "")
            units.append(Unit(f"issue:{issue.key}:{lang.code}", key,
                              lambda i=issue, lg=lang, a=alternates, nw=newer, od=older: issue_page(i, lg, a, nw, od)))
        search_alts = {o.code: urls.search(o) for o in config.languages}
        listed(urls.search(lang), lang, search_alts)
        lists.append(lambda lang=lang, a=search_alts: page(urls.search(lang), "search.html", lang, a))

    def list_pages() -> list[Output]:
        outputs = [make() for make in lists]
        outputs.extend(render_discovery(sitemap, config, urls))
        default = config.default_language
        site = site_view(config, urls, default, "404.html", {})
        r = renderer()
        # One 404 page serves every edition (GitHub Pages has a single one): say it in each language.
        others = [{"html_lang": o.html_lang, "home_href": urls.href(urls.home(o)),
                   "heading": r.gettext(o, "Page not found"),
                   "message": r.gettext(o, "The page you asked for does not exist. "
                                           "Try the home page or the archive."),
                   "home": r.gettext(o, "Home"), "archive": r.gettext(o, "Archive"),
                   "archive_href": urls.href(urls.archive(o))}
                  for o in config.languages if o != default]
        outputs.append(Output("404.html", r.render("404.html", default, site=site, languages=config.languages,
                                                   others=others).encode("utf-8")))
        outputs.append(Output(".nojekyll", b""))  # GitHub Pages: serve files as they are
        if config.cname:
            outputs.append(Output("CNAME", (config.cname + "\n").encode()))
        return outputs

    all_meta = keys.all_meta(site_issues)
    codes = [lang.code for lang in config.languages]
    # the home page's lead shows the newest issue's first chart
    lead = [keys.body.get((site_issues[0].key, code)) for code in codes] if site_issues else []
    units.append(Unit("lists", content_key("lists", keys.render, all_meta, lead), list_pages))
    # feeds carry the full text of the newest issues of each edition
    newest = [keys.body[(i.key, code)] for code in codes
              for i in [i for i in site_issues if code in i.pages][:FEED_LIMIT]]
    units.append(Unit("feeds", content_key("feeds", keys.render, all_meta, newest),
                      lambda: render_feeds(site_issues, pages, config, urls, renderer())))
    return units


def render_outputs(site_issues: list[Issue], pages: Mapping[tuple[str, str], IssuePage],
                   ctx: BuildContext) -> list[Output]:
    """Render every templated page of the site (no I/O besides reading templates)."""
    from .render import Renderer

    keys = Keys(meta={i.key: "" for i in site_issues},
                body={(i.key, code): "" for i in site_issues for code in i.pages})
    renderer = _once(lambda: Renderer(ctx.templates_dir, ctx.translations_dir, ctx.config))
    return [out for unit in template_units(site_issues, pages, ctx, keys, renderer) for out in unit.render()]


def email_units(site_issues: list[Issue], pages: Mapping[tuple[str, str], IssuePage], ctx: BuildContext,
                keys: Keys, renderer: Callable[[], Renderer]) -> list[Unit]:
    """The email edition (email.html, email.txt) of every issue page, one unit per page."""
    from .email import email_edition

    urls = Urls(ctx.config)

    def email(issue: Issue, code: str) -> list[Output]:
        ip = pages[(issue.key, code)]
        html, text = email_edition(ip, ctx.config, urls, renderer())
        return [Output(urls.email(issue.key, ip.lang, "html"), html.encode("utf-8")),
                Output(urls.email(issue.key, ip.lang, "txt"), text.encode("utf-8"))]

    return [Unit(f"email:{issue.key}:{code}",
                 content_key("email", keys.render, keys.body[(issue.key, code)], keys.meta[issue.key]),
                 lambda i=issue, c=code: email(i, c))
            for issue in site_issues for code in issue.pages]


def assemble_site(ctx: BuildContext, keep_going: bool = False, previous: Manifest | None = None,
                  inputs: Inputs | None = None) -> Site:
    """Load and check every input, then render every output in memory (nothing is written).

    With `keep_going` (the `check` command) a stage's problems are collected in ctx.problems
    instead of stopping the build, so later stages can report theirs in the same run. With the
    `previous` build's manifest, pages, charts and outputs whose inputs did not change are taken
    from the cache and the current site instead of being computed again (Site.kept).
    """
    problems = ctx.problems

    def checkpoint(strict: bool = False) -> None:
        if not keep_going:
            problems.checkpoint(strict=strict)

    inputs = inputs or read_inputs(ctx)
    cache = open_cache(ctx.cache_dir, ctx.use_cache)
    loaded: list[DataStore] = []

    def data() -> DataStore:
        if not loaded:
            from .data import load_data  # pandas: only when a figure or a chart is computed

            loaded.append(load_data(ctx.data_dir))
        return loaded[0]

    # 1. load: data and content; every problem of a stage is collected before failing
    if previous is None:  # a full build reads the data first, so its problems are reported first
        try:
            data()
        except BuildFailed as exc:
            if not keep_going:
                raise
            for err in exc.problems:  # figures cannot be computed; front matter is still checked
                problems.error(err)
            return Site(issues=read_issues(ctx.content_dir, ctx.config, problems, drafts=ctx.drafts),
                        pages={}, outputs=[])
    issues = read_issues(ctx.content_dir, ctx.config, problems, drafts=ctx.drafts)
    checkpoint()
    # 2. keys: what each issue's charts and pages were made from
    state = DataState(ctx.data_dir, inputs.catalog)
    body_base = inputs.body_base()
    keys = Keys(render=inputs.render_base(), code=inputs.code, meta={i.key: meta_key(i) for i in issues})
    if previous is not None and previous.data != inputs.data:
        data()  # changed data is checked even when no page reads the rows that changed

    def rel(path: Path) -> str:
        return path.relative_to(ctx.content_dir).as_posix()

    for issue in issues:
        declared = issue.src_dir / CHARTS_FILE
        if rel(declared) in inputs.content:
            keys.charts[issue.key] = content_key("charts", body_base, inputs.content[rel(declared)],
                                                 list(issue.pages), state.hashes(chart_series(declared)))

    def page_key(issue: Issue, code: str, deps: list[str]) -> str:
        return content_key("page", body_base, inputs.content.get(rel(issue.pages[code].src_path), ""),
                           keys.charts.get(issue.key, ""), state.hashes(sorted(deps)))

    def reusable(name: str, key: str) -> bool:
        record = previous.units.get(name) if previous is not None else None
        return (record is not None and record["key"] == key
                and all(file_intact(ctx.out_dir, f, previous.files.get(f)) for f in record["files"]))

    pages = Pages()
    page_records: dict[str, dict[str, Any]] = {}
    todo: list[tuple[Issue, str]] = []
    for issue in issues:
        for code in issue.pages:
            old = previous.pages.get(f"{issue.key}/{code}") if previous is not None else None
            if old is not None:
                key = page_key(issue, code, old["deps"])
                if key == old["key"] and cache.get(PAGES_NAMESPACE, key, "exists") is not None:
                    pages.add_later((issue.key, code), lambda k=key, i=issue, c=code: _load_page(cache, k, i, c, ctx))
                    keys.body[(issue.key, code)] = key
                    page_records[f"{issue.key}/{code}"] = old
                    continue
            todo.append((issue, code))
    # 3. charts: charts.yaml → specs per language → SVG + PNG (cached; misses in parallel)
    pending: list[tuple[str, str, Any]] = []  # cache entries written once the build is known good
    with_pages = {issue.key for issue, _ in todo}
    needed = [i for i in issues if i.key in keys.charts
              and (i.key in with_pages or not reusable(f"charts:{i.key}", content_key("images", keys.charts[i.key])))]
    charts = _chart_set(needed, keys, cache, data, ctx, pending) if needed else None
    checkpoint()
    # 4. assemble: figures, charts and Markdown, per issue and language
    for (issue, code), done in zip(todo, assemble_many(todo, data() if todo else None, ctx, charts), strict=True):
        if isinstance(done, list):
            for err in done:
                problems.error(err)
            continue
        pages.add((issue.key, code), done)
        deps = sorted({use.series for use in done.figures})
        key = keys.body[(issue.key, code)] = page_key(issue, code, deps)
        page_records[f"{issue.key}/{code}"] = {"key": key, "deps": deps}
        pending.append((PAGES_NAMESPACE, key, (done.body, done.figures, done.reading_minutes, done.extra)))
    for issue in issues:
        for code in issue.pages:
            if code != ctx.config.default_language.code:
                check_translation(issue, ctx.config.language(code), ctx)
    checkpoint(strict=ctx.strict)
    # 5. render: templates → bytes (when keeping going, without the issues that failed above)
    rendered = [i for i in issues if all((i.key, code) in pages for code in i.pages)]
    from .render import Renderer

    renderer = _once(lambda: Renderer(ctx.templates_dir, ctx.translations_dir, ctx.config))
    site = Site(issues=issues, pages=pages, outputs=[])
    try:
        units = template_units(rendered, pages, ctx, keys, renderer)
        units += email_units(rendered, pages, ctx, keys, renderer)
        units += _chart_units(rendered, keys, charts, cache, ctx)  # PNG twins and the vega bundle
        for unit in units:
            if reusable(unit.name, unit.key):
                record = previous.units[unit.name]  # type: ignore[union-attr]
                site.kept.extend(record["files"])
            else:
                outs = unit.render()
                site.outputs.extend(outs)
                record = {"key": unit.key, "files": [out.path for out in outs]}
                site.pages_rendered += unit.name.startswith("issue:")
            site.manifest.units[unit.name] = record
    except SourceError as exc:
        if not keep_going:
            raise BuildFailed([exc]) from exc
        problems.error(exc)
        site.outputs = []
    if not problems.errors:
        for namespace, key, value in pending:
            cache.put(namespace, key, "pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            cache.put(namespace, key, "exists", b"")
    site.charts_rendered = charts.rendered if charts is not None else 0
    site.charts_total = sum(len(record["files"]) for name, record in site.manifest.units.items()
                            if name.startswith("charts:"))  # one PNG twin per chart and language
    site.manifest.pages = page_records
    site.manifest.page_count = len(pages)
    site.manifest.data = inputs.data
    site.manifest.charts = site.charts_total
    return site


def assemble_one(issue: Issue, code: str, store: DataStore, ctx: BuildContext,
                 charts: ChartSet | None) -> IssuePage | list[SourceError]:
    """One issue page with its provenance footer (and email link in serve mode), or its problems."""
    from .markdown import FigureProblems
    from .provenance import page_provenance

    lang = ctx.config.language(code)
    try:
        ip = assemble_page(issue, lang, store, ctx, charts)
    except FigureProblems as many:
        return many.errors
    ip.extra["provenance"] = page_provenance(ip, store)  # the "data as of" footer
    if ctx.preview:  # the email link in serve mode
        urls = Urls(ctx.config)
        ip.extra["email_href"] = urls.href(urls.email(issue.key, lang, "html"))
    return ip


# The worker processes' copy of the store, context and charts: inherited through fork, because
# pickling the market frame for every page would cost more than converting the page.
_WORKER: dict[str, Any] = {}


def _worker_start(store: DataStore, ctx: BuildContext, charts: ChartSet | None) -> None:
    _WORKER.update(store=store, ctx=ctx, charts=charts)


def _worker_assemble(job: tuple[Issue, str]) -> IssuePage | list[SourceError]:
    return assemble_one(job[0], job[1], _WORKER["store"], _WORKER["ctx"], _WORKER["charts"])


def assemble_many(todo: list[tuple[Issue, str]], store: DataStore | None, ctx: BuildContext,
                  charts: ChartSet | None) -> list[IssuePage | list[SourceError]]:
    """Assemble pages; on every core when there are enough of them to pay for the processes."""
    if store is None:
        return []
    workers = min(os.cpu_count() or 1, len(todo) // ASSEMBLE_PARALLEL_MIN + 1)
    # fork shares the loaded data without copying; it is unsafe once vl-convert's engine threads
    # run in this process (charts rendered here), so then the pages are assembled here
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods() or "vl_convert" in sys.modules:
        return [assemble_one(issue, code, store, ctx, charts) for issue, code in todo]
    context = multiprocessing.get_context("fork")
    with held_interrupts(), ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_worker_start, initargs=(store, ctx, charts)) as pool:
        return list(pool.map(_worker_assemble, todo, chunksize=max(1, len(todo) // (workers * 8))))


def _load_page(cache: Cache, key: str, issue: Issue, code: str, ctx: BuildContext) -> IssuePage:
    """An issue page assembled by an earlier build, from the cache, with today's Issue around it."""
    data = cache.get(PAGES_NAMESPACE, key, "pickle")
    if data is None:
        raise BuildFailed([SourceError(issue.pages[code].src_path, None, "the build cache changed during the build",
                                       "build again, or with --clean")])
    body, figures, minutes, extra = pickle.loads(data)
    return IssuePage(issue=issue, lang=ctx.config.language(code), page=issue.pages[code], body=body,
                     figures=figures, reading_minutes=minutes, extra=extra)


def _chart_set(issues: list[Issue], keys: Keys, cache: Cache, data: Callable[[], DataStore], ctx: BuildContext,
               pending: list[tuple[str, str, Any]]) -> ChartSet:
    """The rendered charts of `issues`: from the cache when their inputs did not change, else built."""
    from .charts import ChartSet

    charts = ChartSet(ctx.config)
    missing: list[Issue] = []
    for issue in issues:
        stored = cache.get(CHARTS_NAMESPACE, keys.charts[issue.key], "pickle")
        if stored is None:
            missing.append(issue)
            continue
        named: dict[str, dict[str, RenderedChart]] = pickle.loads(stored)
        for code, found in named.items():
            charts.charts[(issue.key, code)] = found
        charts.declared_in[issue.key] = issue.src_dir / CHARTS_FILE
    if missing:
        built = build_charts(missing, data(), ctx)
        charts.rendered = built.rendered
        charts.declared_in.update(built.declared_in)
        for issue in missing:
            named = {code: built.charts.get((issue.key, code), {}) for code in issue.pages}
            for code, found in named.items():
                charts.charts[(issue.key, code)] = found
            pending.append((CHARTS_NAMESPACE, keys.charts[issue.key], named))
    return charts


def _chart_units(issues: list[Issue], keys: Keys, charts: ChartSet | None, cache: Cache,
                 ctx: BuildContext) -> list[Unit]:
    """Each issue's chart images (PNG twins), and the vega bundle when any chart exists."""
    units: list[Unit] = []

    def images(issue: Issue) -> list[Output]:
        from .charts import ChartSet

        assert charts is not None  # _chart_set was asked for every issue whose images change
        one = ChartSet(ctx.config, charts={k: v for k, v in charts.charts.items() if k[0] == issue.key})
        return one.outputs()

    for issue in issues:
        if issue.key in keys.charts:
            units.append(Unit(f"charts:{issue.key}", content_key("images", keys.charts[issue.key]),
                              lambda i=issue: images(i)))
    if units:
        def bundle() -> list[Output]:
            from .charts import VEGA_BUNDLE, vega_bundle

            return [Output(Urls(ctx.config).static(VEGA_BUNDLE), vega_bundle(cache))]

        units.append(Unit("vega", content_key("vega", keys.code), bundle))
    return units


def build(ctx: BuildContext) -> BuildResult:
    """Build the site into ctx.out_dir; on any problem raise BuildFailed and leave it untouched.

    Only what changed since the last build into the same folder is done again (see the module
    docstring); `ctx.clean` forces a full build.
    """
    started = time.perf_counter()
    sources = [ctx.content_dir, ctx.data_dir, ctx.templates_dir, ctx.static_dir,
               ctx.translations_dir]
    refuse_outside_links(ctx.root)  # before anything reads a source (limits.py)
    check_destination(ctx.out_dir, ctx.root, sources)
    with lock_output(ctx.out_dir):  # one build at a time per output folder (serve + a manual build)
        inputs = read_inputs(ctx)
        fingerprint = inputs.fingerprint()
        previous = load_manifest(ctx) if ctx.use_cache and not ctx.clean else None
        if previous is not None and previous.fingerprint == fingerprint and site_intact(ctx.out_dir, previous):
            for path, line, message, hint in previous.warnings:  # said again, as a full build would
                ctx.problems.warn(SourceError(Path(path), line, message, hint))
            ctx.problems.checkpoint(strict=ctx.strict)
            return BuildResult(pages=previous.page_count, files=len(previous.files),
                               seconds=time.perf_counter() - started, charts_total=previous.charts,
                               nothing_changed=True)
        from .search import BUNDLE_DIR, index_site

        site = assemble_site(ctx, previous=previous, inputs=inputs)
        old_files = previous.files if previous is not None else {}
        # the search index is made from every HTML page: index again only when one changed
        pages_hash = content_key(inputs.code, sorted(
            [(out.path, sha(out.data)) for out in site.outputs if out.path.endswith(".html")]
            + [(path, old_files[path][0]) for path in site.kept if path.endswith(".html")]))
        index = [path for path in old_files if path.startswith(BUNDLE_DIR + "/")]

        def finish(tmp: Path) -> None:
            if (previous is not None and previous.search == pages_hash and index
                    and all(file_intact(ctx.out_dir, path, old_files[path]) for path in index)):
                for path in index:
                    (tmp / path).parent.mkdir(parents=True, exist_ok=True)
                    link_or_copy(ctx.out_dir / path, tmp / path)
            else:
                index_site(tmp)  # search: see search.py

        # 6. write: a fresh folder, swapped in only when complete; the manifest once it is in place
        written = write_site(site.outputs, ctx.static_dir, ctx.out_dir, finish=finish,
                             previous=old_files, keep=site.kept, before_swap=lambda: forget_manifest(ctx))
        if ctx.use_cache:
            manifest = site.manifest
            manifest.fingerprint, manifest.files, manifest.search = fingerprint, written.files, pages_hash
            manifest.warnings = [[str(w.path), w.line, w.message, w.hint] for w in ctx.problems.warnings]
            save_manifest(ctx, manifest)
    return BuildResult(pages=len(site.pages), files=len(site.outputs) + len(site.kept),
                       seconds=time.perf_counter() - started, charts_rendered=site.charts_rendered,
                       charts_total=site.charts_total, pages_rendered=site.pages_rendered,
                       files_written=written.written)
