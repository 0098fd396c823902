"""Assembling issue pages: figures computed, Markdown converted, charts placed, provenance known.

Pages the plan reuses are loaded from the cache when something reads them; the others are
assembled, on every core when there are enough of them. Charts the plan reuses come from the
cache, the others are drawn (charts/step.py).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from broadsheet.build.plan import CHARTS_NAMESPACE, PAGES_NAMESPACE, BuildPlan, ChartWork, UnitId, UnitKind
from broadsheet.build.state import Loaded, Pages, Site
from broadsheet.charts.chartset import ChartSet
from broadsheet.content.issues import Issue
from broadsheet.core.cache import Cache, open_cache
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BuildFailed, FigureProblems, SourceError
from broadsheet.core.failures import held_interrupts
from broadsheet.core.i18n import NumberFormatter, reading_minutes
from broadsheet.core.output import Output
from broadsheet.core.settings import Language
from broadsheet.core.typography import applies
from broadsheet.core.urls import Urls
from broadsheet.data.store import DataStore
from broadsheet.figures.functions import FigureFunctions
from broadsheet.figures.parity import check_parity
from broadsheet.figures.published import page_functions
from broadsheet.figures.uses import FigureUse
from broadsheet.outputs.units import render_email, render_issue
from broadsheet.pages.markdown import render_markdown
from broadsheet.pages.provenance import provenance, with_quotations
from broadsheet.pages.receipts import FigureMarks
from broadsheet.pages.views import IssuePage

if TYPE_CHECKING:
    from broadsheet.outputs.render import Renderer

# Pages per extra process when assembling (figures + Markdown). On bench/generate.py's corpus, 2
# cores: 100 pages took 1.06 s in one process, 1.19 s in two; 200 pages 2.16 s vs 1.77 s;
# 1,000 pages 11.6 s vs 6.2 s.
ASSEMBLE_PARALLEL_MIN = 200


def assemble_page(issue: Issue, lang: Language, store: DataStore, ctx: BuildContext,
                  charts: ChartSet | None = None) -> IssuePage:
    """Evaluate a page's figures, convert its Markdown, place its charts (raises FigureProblems)."""
    page, urls = issue.pages[lang.code], Urls(ctx.config)
    figures = FigureFunctions(store, NumberFormatter(lang.locale))
    placed = (charts or ChartSet()).for_page(issue.key, lang.code)
    functions = page_functions(figures, placed.chart, issue, lang, ctx)  # look-ahead guarded, compared with the lock
    full_width = applies(ctx.config.full_width_punctuation, lang.html_lang)
    marks = FigureMarks(figures.uses, store, lang.code, preview=ctx.preview, locale=lang.locale, full_width=full_width)
    page_url = urls.absolute(urls.issue(issue.key, lang))
    body = render_markdown(page.body, page.src_path, page.body_line, functions, page_url, ctx.config.raw_html, marks,
                           full_width, urls.absolute(""))
    data_links = {ext: urls.absolute(urls.receipts(issue.key, lang, ext)) for ext in ("csv", "json")}
    return IssuePage(issue=issue, lang=lang, page=page, body=body, figures=figures.uses,
                     reading_minutes=reading_minutes(body.text), charts=list(placed.placed),
                     provenance=with_quotations(provenance(figures.uses, store, placed.placed, lang.code, data_links,
                                                           full_width), page, full_width), receipts=marks.receipts)


def assemble_one(issue: Issue, code: str, store: DataStore, ctx: BuildContext,
                 charts: ChartSet | None) -> IssuePage | list[SourceError]:
    """One issue page, or its problems."""
    try:
        return assemble_page(issue, ctx.config.language(code), store, ctx, charts)
    except FigureProblems as many:
        return many.errors


@dataclass
class Assembled:
    """One page assembled by this build: what the build keeps of it once it is in the cache; or
    (`reused`) a page the plan reuses, read from the cache to render its units again."""

    figures: list[FigureUse]  # the figures it quotes (the plan's dependencies, edition parity)
    key: str  # its key in the cache
    page: IssuePage | None  # the page itself (without its sources) when there is no cache to keep it
    rendered: dict[UnitId, list[Output]]  # the units rendered with it (its issue page, its email) → their files
    render_error: SourceError | None = None  # a template's problem, met rendering them
    reused: bool = False


def series_read(figures: list[FigureUse]) -> list[str]:
    """The series a page's figures read: its dependencies in the plan, part of its cache key."""
    return sorted({use.series for use in figures})


# What a page read from the cache only to render it costs, against one assembled (~a third)
RENDER_ONLY_WEIGHT = 0.3


@dataclass
class AssemblyJob:
    """What assembling a page needs; inherited by the worker processes through fork.

    With `render` (a build that writes its site) the page's issue and email units are rendered
    as soon as it is assembled, in the same process: the pages are then rendered on every core,
    and a build holds no page after it is stored in the cache. A page the plan reuses whose
    units are redone (a template or a neighbour changed) is in `todo` with its cache key: it is
    read from the cache and rendered, on every core too.
    """

    todo: list[tuple[Issue, str, str | None]]  # (issue, language, the cache key of a reused page)
    issues: list[Issue]  # every issue, newest first: an issue page links its neighbours
    store: Callable[[], DataStore]  # loaded when a page is assembled (a template change reads no data)
    ctx: BuildContext
    charts: ChartSet | None
    plan: BuildPlan
    cache: Cache
    render: Callable[[], Renderer] | None = None

    def weight(self) -> float:
        """The work in the job, in pages to assemble."""
        return sum(1 if reused is None else RENDER_ONLY_WEIGHT for _, _, reused in self.todo)

    def run(self, n: int) -> Assembled | list[SourceError]:
        """Assemble the n-th page (or read it from the cache), store it in the cache, render its
        units; or its problems."""
        issue, code, reused = self.todo[n]
        if reused is not None:
            page: IssuePage | list[SourceError] = cached_page(self.cache, reused, issue, code, self.ctx)
        else:
            page = assemble_one(issue, code, self.store(), self.ctx, self.charts)
        if isinstance(page, list):
            return page
        rendered, render_error = {}, None
        try:
            rendered = self._render(issue, code, page)
        except SourceError as exc:  # the page is right: it is stored; the build fails on the template
            render_error = exc
        if reused is not None:
            return Assembled(page.figures, reused, None, rendered, render_error, reused=True)
        key = self.plan.key_of_page(self.ctx, issue, code, series_read(page.figures))
        if self.ctx.use_cache:
            self.cache.put(PAGES_NAMESPACE, key, "pickle", store_page(page))
        return Assembled(page.figures, key, None if self.ctx.use_cache else without_sources(page), rendered,
                         render_error)

    def _render(self, issue: Issue, code: str, page: IssuePage) -> dict[UnitId, list[Output]]:
        """The page's issue and email units that the plan redoes, rendered."""
        if self.render is None:
            return {}
        renders = {UnitId(UnitKind.ISSUE, issue.key, code): lambda r: render_issue(page, self.issues, self.ctx, r),
                   UnitId(UnitKind.EMAIL, issue.key, code): lambda r: render_email(page, self.ctx, r)}
        return {unit: render(self.render()) for unit, render in renders.items()
                if unit in self.plan.steps and self.plan.steps[unit].redo}


# The worker processes' job: inherited through fork, because pickling the market frame for every
# page would cost more than converting the page.
_WORKER: list[AssemblyJob] = []


def _worker_start(job: AssemblyJob) -> None:
    _WORKER.append(job)


def _worker_run(n: int) -> Assembled | list[SourceError]:
    return _WORKER[0].run(n)  # by number: the issues came with the fork, not through a pipe


def without_sources(ip: IssuePage) -> IssuePage:
    """The page without its Issue and Page, which the receiver has: they were a third of its
    pickled bytes, and every page sent back from a worker carried its own copy of them."""
    return dataclasses.replace(ip, issue=None, page=None)  # type: ignore[arg-type]


def with_sources(ip: IssuePage, issue: Issue, code: str, ctx: BuildContext) -> IssuePage:
    """A page made elsewhere (a worker, the cache), with this build's Issue around it."""
    ip.issue, ip.page, ip.lang = issue, issue.pages[code], ctx.config.language(code)
    return ip


def assemble_many(job: AssemblyJob) -> Iterator[tuple[Issue, str, Assembled | list[SourceError]]]:
    """Assemble the job's pages, in order, as they are done; on every core when there are enough
    of them to pay for the processes."""
    workers = min(os.cpu_count() or 1, int(job.weight()) // ASSEMBLE_PARALLEL_MIN + 1)
    # fork shares the loaded data without copying; it is unsafe once vl-convert's engine threads
    # run in this process (charts drawn here), so then the pages are assembled here
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods() or "vl_convert" in sys.modules:
        for n, (issue, code, _) in enumerate(job.todo):
            yield issue, code, job.run(n)
        return
    context = multiprocessing.get_context("fork")
    with held_interrupts(), ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                                                initargs=(job,)) as pool:
        chunks = max(1, len(job.todo) // (workers * 16))
        for (issue, code, _), done in zip(job.todo, pool.map(_worker_run, range(len(job.todo)), chunksize=chunks),
                                       strict=True):
            yield issue, code, done


def cached_page(cache: Cache, key: str, issue: Issue, code: str, ctx: BuildContext) -> IssuePage:
    """An issue page assembled by an earlier build, from the cache, with today's Issue around it."""
    data = cache.get(PAGES_NAMESPACE, key, "pickle")
    if data is None:
        raise BuildFailed([SourceError(issue.pages[code].src_path, None, "the build cache changed during the build",
                                       "build again, or with --clean")])
    return with_sources(pickle.loads(data), issue, code, ctx)


def store_page(ip: IssuePage) -> bytes:
    """The cache form of an assembled page (without its sources: cached_page puts them back)."""
    return pickle.dumps(without_sources(ip), protocol=pickle.HIGHEST_PROTOCOL)


def store_charts(charts: ChartSet) -> bytes:
    """The cache form of one issue's drawn charts (with the bytes of the files it refers to)."""
    files = {path: data.read_bytes() if isinstance(data, Path) else data for path, data in charts.files.items()}
    return pickle.dumps(dataclasses.replace(charts, files=files), protocol=pickle.HIGHEST_PROTOCOL)


def cached_charts(cache: Cache, key: str) -> ChartSet | None:
    """One issue's drawn charts from the cache, or None."""
    data = cache.get(CHARTS_NAMESPACE, key, "pickle")
    return pickle.loads(data) if data is not None else None


def assemble_pages(loaded: Loaded, issues: list[Issue], plan: BuildPlan, charts: ChartSet, cache: Cache, site: Site,
                   pages: Pages, renderer: Callable[[], Renderer] | None = None) -> None:
    """The pages of `issues`, into `pages`: reused ones from the cache (when read), the others
    assembled and stored in the cache at once (an entry is keyed by its inputs: it stays right
    whatever else fails).

    With `renderer` (a build that writes a site) each assembled page's issue and email units are
    rendered with it, in the process that assembled it, and emitted as they come back; a page
    kept in the cache is then not held, so the build's memory does not grow with the site.
    Edition parity is checked for every issue with a page assembled again.
    """
    ctx = loaded.ctx
    todo = _todo(issues, plan, cache, site, pages, ctx, render=renderer is not None)
    if not todo:
        return
    figures: dict[tuple[str, str], list[FigureUse]] = {}
    job = AssemblyJob(todo, loaded.issues, loaded.store, ctx, charts, plan, cache, renderer)
    for issue, code, done in assemble_many(job):
        if not isinstance(done, Assembled):
            for err in done:
                ctx.problems.error(err)
            continue
        if done.render_error is not None and str(done.render_error) not in map(str, ctx.problems.errors):
            ctx.problems.error(done.render_error)  # once, though every page rendered with it met it
        for unit, outputs in done.rendered.items():
            site.emit(plan.steps[unit], outputs)
        if done.reused:
            continue
        if done.page is not None:
            pages.add((issue.key, code), with_sources(done.page, issue, code, ctx))
        else:
            pages.add_later((issue.key, code), lambda k=done.key, i=issue, c=code: cached_page(cache, k, i, c, ctx))
            site.stored += 1
        figures[(issue.key, code)] = done.figures
        site.manifest.units[str(UnitId(UnitKind.PAGE, issue.key, code))] = {"key": done.key, "files": [],
                                                            "deps": series_read(done.figures)}
    check_published_parity(issues, pages, figures, ctx)


def _todo(issues: list[Issue], plan: BuildPlan, cache: Cache, site: Site, pages: Pages, ctx: BuildContext,
          render: bool) -> list[tuple[Issue, str, str | None]]:
    """The pages to assemble, and (with `render`) the reused pages whose units are redone; the
    other reused pages go into `pages` to be read from the cache when something needs them."""
    todo: list[tuple[Issue, str, str | None]] = []
    for issue in issues:
        for code in issue.pages:
            step = plan.steps[UnitId(UnitKind.PAGE, issue.key, code)]
            if step.redo:
                todo.append((issue, code, None))
                continue
            pages.add_later((issue.key, code), lambda k=step.key, i=issue, c=code: cached_page(cache, k, i, c, ctx))
            site.manifest.units[str(step.unit)] = {"key": step.key, "files": [], "deps": plan.deps[step.unit]}
            units = [plan.steps.get(UnitId(kind, issue.key, code)) for kind in (UnitKind.ISSUE, UnitKind.EMAIL)]
            if render and any(unit is not None and unit.redo for unit in units):
                todo.append((issue, code, step.key))  # its units are rendered again (a template changed)
    return todo


def check_published_parity(issues: list[Issue], pages: Pages, figures: dict[tuple[str, str], list[FigureUse]],
                           ctx: BuildContext) -> None:
    """A published issue whose editions quote different figures fails the build (drafts may differ).

    Only issues with a page assembled again are compared (`figures`: what those quote): a reused
    page passed when it was made.
    """
    for issue in issues:
        if any(page.meta.draft for page in issue.pages.values()) or len(issue.pages) < 2:
            continue
        if not any((issue.key, code) in figures for code in issue.pages):
            continue
        if all((issue.key, code) in pages for code in issue.pages):  # (an assembled page is in `pages` too)
            quoted = {code: figures[(issue.key, code)] if (issue.key, code) in figures
                      else pages[(issue.key, code)].figures for code in issue.pages}
            for err in check_parity(issue, quoted):
                ctx.problems.error(err)


# --- charts and pages, a batch of issues at a time ------------------------------------------------
# Issues with charts drawn, assembled and written together: a build holds one batch's charts. With
# three charts an issue, a batch's drawings are about 170 MB; smaller batches leave a core idle
# more often at the end of each (the assembly processes are started per batch).
ISSUE_BATCH = 100


def build_charts(issues: list[Issue], store: DataStore, ctx: BuildContext,
                 in_feeds: frozenset[str] | None = None) -> ChartSet:
    """Build and draw the charts of `issues` (problems to ctx.problems); `in_feeds`: plan.in_feeds."""
    # Altair and vl-convert: loaded only when a chart is drawn (a text edit draws none)
    from broadsheet.charts.step import prepare_charts

    return prepare_charts(issues, store, ctx.config, ctx.translations_dir, ctx.root / "fonts",
                          open_cache(ctx.cache_dir, ctx.use_cache), ctx.problems, in_feeds)


def draw_charts(loaded: Loaded, issues: list[Issue], plan: BuildPlan, cache: Cache) -> ChartSet:
    """Do the plan's chart work for `issues`: draw the charts it redoes, load from the cache
    those it reuses where a page places them again."""
    charts = ChartSet()
    todo = [i for i in issues if plan.chart_work.get(i.key) == ChartWork.DRAW]
    for issue in issues:
        if plan.chart_work.get(issue.key) != ChartWork.LOAD:
            continue
        found = cached_charts(cache, plan.chart_keys[issue.key])
        if found is None:  # removed from the cache since the plan was made (another build pruned it): draw
            todo.append(issue)
        else:
            charts.merge(found)
    if todo:
        drawn = build_charts(todo, loaded.store(), loaded.ctx, plan.in_feeds)
        charts.merge(drawn)
        charts.rendered = drawn.rendered
    return charts


def emit_charts(issues: list[Issue], pages: Pages, plan: BuildPlan, charts: ChartSet, site: Site) -> None:
    """The chart files of each issue whose pages are assembled, recorded as the other units are
    (a batch's charts are not held after it)."""
    for issue in issues:
        step = plan.steps.get(UnitId(UnitKind.CHARTS, issue.key))
        if step is None or not step.redo or not all((issue.key, code) in pages for code in issue.pages):
            continue
        site.emit(step, charts.of_issue(issue.key).outputs())


def store_chart_sets(issues: list[Issue], plan: BuildPlan, charts: ChartSet, cache: Cache) -> int:
    """Store each issue's drawn charts (only from a batch without errors: a set missing a chart
    that failed must not be taken for the whole set). Returns how many were stored."""
    stored = 0
    for issue in issues:
        if plan.chart_work.get(issue.key) == ChartWork.DRAW:
            cache.put(CHARTS_NAMESPACE, plan.chart_keys[issue.key], "pickle", store_charts(charts.of_issue(issue.key)))
            stored += 1
    return stored


def issue_batches(issues: list[Issue], plan: BuildPlan) -> Iterator[list[Issue]]:
    """The issues in batches of at most ISSUE_BATCH issues with charts (issues without charts do
    not count: a site without charts is one batch, assembled by one pool of processes)."""
    batch: list[Issue] = []
    with_charts = 0
    for issue in issues:
        batch.append(issue)
        with_charts += issue.key in plan.chart_keys
        if with_charts == ISSUE_BATCH:
            yield batch
            batch, with_charts = [], 0
    if batch:
        yield batch


def draw_and_assemble(loaded: Loaded, plan: BuildPlan, cache: Cache, site: Site,
                      renderer: Callable[[], Renderer] | None, keep_going: bool) -> Pages:
    """Charts and pages, ISSUE_BATCH issues at a time: a batch is drawn, assembled (with `renderer`
    each page's own units are rendered meanwhile) and its chart files emitted before the next is
    drawn, so memory holds one batch's charts, not the site's. After a chart fails, the later
    batches' charts are still drawn and checked, but no page is assembled (unless `keep_going`)."""
    problems, pages = loaded.ctx.problems, Pages()
    charts_failed = False
    for batch in issue_batches(loaded.issues, plan):
        errors_before = len(problems.errors)
        charts = draw_charts(loaded, batch, plan, cache)
        site.charts_rendered += charts.rendered
        charts_failed = charts_failed or len(problems.errors) > errors_before
        if charts_failed and not keep_going:
            continue
        assemble_pages(loaded, batch, plan, charts, cache, site, pages, renderer)
        emit_charts(batch, pages, plan, charts, site)
        if len(problems.errors) == errors_before:  # a set missing a chart that failed is not the set
            site.stored += store_chart_sets(batch, plan, charts, cache)
    return pages
