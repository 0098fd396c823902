"""build(ctx): hash → load → plan → charts → assemble → render → write. Everything is read and
checked before anything is rendered, and rendered before anything is written.

Each stage is a function with typed inputs and outputs; the plan (plan.py) decides, as one table,
which units this build redoes and which it takes from the cache and the current site. pandas,
Altair and vl-convert are imported only when the plan needs a figure or a chart computed, so a
no-change build costs little more than hashing the inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadsheet.build.incremental import (
    PRUNE_AFTER,
    Inputs,
    Manifest,
    forget_manifest,
    load_manifest,
    manifest_path,
    prune_cache,
    read_inputs,
    save_manifest,
    site_intact,
)
from broadsheet.build.plan import BuildPlan, Step, make_plan
from broadsheet.build.searchjob import EarlyIndex, SearchPlan, job_running, plan_search, start_index
from broadsheet.build.writer import SiteWriter, check_destination, lock_output
from broadsheet.content.issues import Issue, PageMemo, read_issues
from broadsheet.core.cache import Cache, open_cache
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.limits import refuse_outside_links
from broadsheet.core.output import Output
from broadsheet.core.urls import Urls

if TYPE_CHECKING:  # these load Markdown or pandas: imported when a page or a chart has to be computed
    from broadsheet.build.assemble import Pages
    from broadsheet.charts.step import ChartSet
    from broadsheet.data.store import DataStore
    from broadsheet.outputs.render import Renderer

__all__ = ["BuildResult", "Site", "assemble_site", "build", "build_charts"]

# Issues with charts drawn, assembled and written together: a build holds one batch's charts. With
# three charts an issue, a batch's drawings are about 170 MB; smaller batches leave a core idle
# more often at the end of each (the assembly processes are started per batch).
ISSUE_BATCH = 100


@dataclass
class Loaded:
    """Stage 1: every issue's front matter, checked; the data, loaded only when something reads it."""

    issues: list[Issue]
    ctx: BuildContext
    _store: list[DataStore] = field(default_factory=list)

    def store(self) -> DataStore:
        """The data (loaded and checked on first use)."""
        if not self._store:
            from broadsheet.core.yamlsource import yaml_memo
            from broadsheet.data.calendars import sessions_memo
            from broadsheet.data.store import load_data  # pandas: only when a figure or a chart is computed

            ctx = self.ctx
            with sessions_memo(ctx.cache_dir / "calendars.pickle" if ctx.use_cache else None), \
                    yaml_memo(ctx.cache_dir / "yaml-data.pickle" if ctx.use_cache else None):  # catalog.yaml
                self._store.append(load_data(ctx.data_dir))
        return self._store[0]


@dataclass
class Site:
    """Everything assembled for one build, before it is written."""

    issues: list[Issue]
    pages: Pages | dict[tuple[str, str], Any]  # (issue key, language code) → IssuePage
    outputs: list[Output]
    plan: BuildPlan = field(default_factory=BuildPlan)
    previous: Manifest | None = None  # the last build's manifest: where reused units' files are listed
    charts_rendered: int = 0
    stored: int = 0  # cache entries (pages, chart sets) this build stored
    sink: SiteWriter | None = None  # a build writes each unit's files as they are rendered; `check` keeps them
    search_plan: SearchPlan | None = None  # decided once the issue pages are rendered (searchjob.start_index)
    emitted: int = 0  # files rendered by this build
    kept: list[str] = field(default_factory=list)  # outputs taken unchanged from the previous site
    manifest: Manifest = field(default_factory=Manifest)  # what this build was made from

    def emit(self, step: Step, outputs: list[Output]) -> None:
        """Take a rendered unit's files (into the fresh site folder, or into `outputs`) and record
        the unit in the manifest; wherever it was rendered, it is not rendered again."""
        if self.sink is not None:
            self.sink.add(outputs)
        else:
            self.outputs.extend(outputs)
        self.emitted += len(outputs)
        self.manifest.units[step.unit] = {"key": step.key, "files": [out.path for out in outputs]}


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
    search_pending: bool = False  # the new search index is being made in the background (searchjob.py)


# --- stage 1: load ---------------------------------------------------------------------------------
def load(ctx: BuildContext, full: bool, inputs: Inputs) -> Loaded:
    """Read every issue (front matter and text) and, on a full build, the data; check both."""
    from broadsheet.core.yamlsource import yaml_memo

    loaded = Loaded([], ctx)
    if full:
        loaded.store()  # a full build reads the data first, so its problems are reported first
    ctx.drafts_left_out.clear()
    memo = PageMemo(ctx.cache_dir / "pages-read.pickle" if ctx.use_cache else None, inputs.content, inputs.code)
    with yaml_memo(ctx.cache_dir / "yaml.pickle" if ctx.use_cache else None):  # front matter by its hash
        loaded.issues = read_issues(ctx.content_dir, ctx.config, ctx.problems, drafts=ctx.drafts,
                                    left_out=ctx.drafts_left_out, memo=memo)
    memo.save()
    return loaded


# --- stage 3: charts -------------------------------------------------------------------------------
def build_charts(issues: list[Issue], store: DataStore, ctx: BuildContext) -> ChartSet:
    """Build and draw the charts of `issues` (problems go to ctx.problems)."""
    from broadsheet.charts.step import prepare_charts

    return prepare_charts(issues, store, ctx.config, ctx.translations_dir, ctx.root / "fonts",
                          open_cache(ctx.cache_dir, ctx.use_cache), ctx.problems)


def draw_charts(loaded: Loaded, issues: list[Issue], plan: BuildPlan, cache: Cache) -> ChartSet:
    """The charts of `issues` that this build redoes or places again: reused ones from the
    cache, the others built and drawn."""
    from broadsheet.build.assemble import cached_charts
    from broadsheet.charts.step import ChartSet

    charts = ChartSet()
    todo = [i for i in issues if plan.redo(f"charts:{i.key}") and i.key in plan.chart_keys]
    for issue in issues:  # pages to assemble again place their issue's charts
        key = plan.chart_keys.get(issue.key)
        if key is None or issue in todo or not any(plan.redo(f"page:{issue.key}:{c}") for c in issue.pages):
            continue
        found = cached_charts(cache, key)
        if found is None:  # gone since the plan was made: draw it
            todo.append(issue)
        else:
            charts.merge(found)
    if todo:
        drawn = build_charts(todo, loaded.store(), loaded.ctx)
        charts.merge(drawn)
        charts.rendered = drawn.rendered
    return charts


# --- stage 4: assemble (assemble.assemble_pages) ------------------------------------------------
def emit_charts(issues: list[Issue], pages: Pages, plan: BuildPlan, charts: ChartSet, site: Site) -> None:
    """The chart files of each issue whose pages are assembled, recorded as render_units records
    its units (a batch's charts are not held after it)."""
    for issue in issues:
        step = plan.steps.get(f"charts:{issue.key}")
        if step is None or not step.redo or not all((issue.key, code) in pages for code in issue.pages):
            continue
        site.emit(step, charts.of_issue(issue.key).outputs())


def store_chart_sets(issues: list[Issue], plan: BuildPlan, charts: ChartSet, cache: Cache) -> int:
    """Store each issue's drawn charts (only from a batch without errors: a set missing a chart
    that failed must not be taken for the whole set). Returns how many were stored."""
    from broadsheet.build.assemble import CHARTS_NAMESPACE, store_charts

    stored = 0
    for issue in issues:
        key = plan.chart_keys.get(issue.key)
        if key is not None and plan.redo(f"charts:{issue.key}"):
            cache.put(CHARTS_NAMESPACE, key, "pickle", store_charts(charts.of_issue(issue.key)))
            stored += 1
    return stored


def check_translations(issues: list[Issue], ctx: BuildContext) -> None:
    """Warn when a translation was made from an older version of the original (translation.py)."""
    from broadsheet.content.translation import check_translations as stale

    for warning in stale(issues, ctx.config.default_language.code):
        ctx.problems.warn(warning)


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
    """Stages 3 and 4, ISSUE_BATCH issues at a time: a batch is drawn, assembled (with `renderer`
    each page's own units are rendered meanwhile) and its chart files emitted before the next is
    drawn, so memory holds one batch's charts, not the site's. After a chart fails, the later
    batches' charts are still drawn and checked, but no page is assembled (unless `keep_going`)."""
    from broadsheet.build.assemble import Pages, assemble_pages

    problems, pages = loaded.ctx.problems, Pages()
    charts_failed = False
    for batch in issue_batches(loaded.issues, plan):
        errors_before = len(problems.errors)
        charts = draw_charts(loaded, batch, plan, cache)
        site.charts_rendered += charts.rendered
        charts_failed = charts_failed or len(problems.errors) > errors_before
        if charts_failed and not keep_going:
            continue
        assemble_pages(loaded, batch, plan, charts, cache, site, pages, renderer)  # (assemble.py)
        emit_charts(batch, pages, plan, charts, site)
        if len(problems.errors) == errors_before:  # a set missing a chart that failed is not the set
            site.stored += store_chart_sets(batch, plan, charts, cache)
    return pages


# --- stage 5: render -------------------------------------------------------------------------------
def lazy_renderer(ctx: BuildContext) -> Callable[[], Renderer]:
    """The build's Jinja renderer, compiled when the first unit is rendered (in each process)."""
    made: list[Renderer] = []

    def renderer() -> Renderer:
        from broadsheet.outputs.render import Renderer

        if not made:
            made.append(Renderer(ctx.templates_dir, ctx.translations_dir, ctx.config,
                                 ctx.cache_dir / "templates" if ctx.use_cache else None))
        return made[0]

    return renderer


def render_units(issues: list[Issue], pages: Pages, plan: BuildPlan, ctx: BuildContext,
                 cache: Cache, site: Site, renderer: Callable[[], Renderer],
                 kinds: Callable[[str], bool] = lambda kind: True) -> None:
    """Render every unit of the `kinds` the plan redoes (those rendered with their page are
    already recorded); record every such unit (redone or kept) in the manifest."""
    keys = {issue.key for issue in issues}
    for step in plan.steps.values():
        if step.kind in ("page", "search") or not kinds(step.kind) or (":" in step.unit and
                                                                        step.unit.split(":")[1] not in keys):
            continue  # pages and search are not rendered here; an issue that failed is left out
        if step.redo and step.unit in site.manifest.units:
            continue  # rendered with its page (assemble_pages, emit_charts)
        if step.redo:
            site.emit(step, _render_step(step, issues, pages, ctx, cache, renderer))
        else:
            assert site.previous is not None  # a reused step was recorded by the last build
            files = list(site.previous.units[step.unit]["files"])
            site.kept.extend(files)
            site.manifest.units[step.unit] = {"key": step.key, "files": files}


def render_site(issues: list[Issue], pages: Pages, ctx: BuildContext, cache: Cache, site: Site,
                renderer: Callable[[], Renderer], issue_pages_done: Callable[[Site], None] | None = None) -> None:
    """Render the issue pages, call `issue_pages_done`, then render every other unit."""
    render_units(issues, pages, site.plan, ctx, cache, site, renderer, lambda kind: kind == "issue")
    if issue_pages_done is not None and not ctx.problems.errors:
        issue_pages_done(site)
    render_units(issues, pages, site.plan, ctx, cache, site, renderer, lambda kind: kind != "issue")


def _render_step(step: Step, issues: list[Issue], pages: Pages, ctx: BuildContext,
                 cache: Cache, renderer: Callable[[], Renderer]) -> list[Output]:
    from broadsheet.outputs.units import render_email, render_home, render_issue, render_lists

    parts = step.unit.split(":")
    if step.kind == "issue":
        return render_issue(pages[(parts[1], parts[2])], issues, ctx, renderer())
    if step.kind == "email":
        return render_email(pages[(parts[1], parts[2])], ctx, renderer())
    if step.kind == "home":
        return render_home(issues, pages, ctx, renderer())
    if step.kind == "lists":
        return render_lists(issues, ctx, renderer())
    if step.kind == "feeds":
        from broadsheet.outputs.feeds import render_feeds

        return render_feeds(issues, pages, ctx.config, Urls(ctx.config), renderer())
    from broadsheet.charts import VEGA_BUNDLE
    from broadsheet.charts.engine import vega_bundle

    return [Output(Urls(ctx.config).static(VEGA_BUNDLE), vega_bundle(cache))]


# --- the stages together ---------------------------------------------------------------------------
def assemble_site(ctx: BuildContext, keep_going: bool = False, previous: Manifest | None = None,
                  inputs: Inputs | None = None, issue_pages_done: Callable[[Site], None] | None = None,
                  sink: SiteWriter | None = None) -> Site:
    """Load, plan, draw, assemble and render in memory (nothing is written to the site).

    With `keep_going` (the `check` command) a stage's problems are collected in ctx.problems
    instead of stopping, so later stages report theirs in the same run. With the `previous`
    build's manifest the plan reuses what did not change (Site.kept). The issue pages are
    rendered first; `issue_pages_done` is then called (the search index starts from them).
    """
    problems = ctx.problems

    def checkpoint(strict: bool = False) -> None:
        if not keep_going:
            problems.checkpoint(strict=strict)

    inputs = inputs or read_inputs(ctx)
    cache = open_cache(ctx.cache_dir, ctx.use_cache)
    try:
        loaded = load(ctx, full=previous is None, inputs=inputs)
    except BuildFailed as exc:
        if not keep_going:
            raise
        for err in exc.problems:  # figures cannot be computed; front matter is still checked
            problems.error(err)
        return Site(read_issues(ctx.content_dir, ctx.config, problems, drafts=ctx.drafts), {}, [])
    checkpoint()
    plan = make_plan(ctx, inputs, previous, loaded.issues, lambda ns, key: cache.has(ns, key, "pickle"))
    if plan.redo("vega") and "vega" in plan.steps:
        from broadsheet.charts.engine import prefetch_vega_bundle  # no pandas: overlaps the charts below

        prefetch_vega_bundle(cache)
    if plan.needs_data:
        loaded.store()  # changed data is checked even when no page reads the rows that changed
    site = Site(loaded.issues, {}, [], plan, previous, sink=sink)
    renderer = lazy_renderer(ctx)
    pages = site.pages = draw_and_assemble(loaded, plan, cache, site, renderer if sink is not None else None,
                                           keep_going)
    checkpoint()
    check_translations(loaded.issues, ctx)
    checkpoint(strict=ctx.strict)
    rendered = [i for i in loaded.issues if all((i.key, code) in pages for code in i.pages)]
    try:
        render_site(rendered, pages, ctx, cache, site, renderer, issue_pages_done)
    except SourceError as exc:
        if not keep_going:
            raise BuildFailed([exc]) from exc
        problems.error(exc)
        site.outputs = []
    site.manifest.page_count = len(pages)
    site.manifest.data = inputs.data
    return site


def build(ctx: BuildContext) -> BuildResult:
    """Build the site into ctx.out_dir; on any problem raise BuildFailed and leave it untouched.

    Only what changed since the last build into the same folder is done again (the plan);
    `ctx.clean` forces a full build.
    """
    started = time.perf_counter()
    refuse_outside_links(ctx.root)  # before anything reads a source (limits.py)
    check_destination(ctx.out_dir, ctx.root, [ctx.content_dir, ctx.data_dir, ctx.templates_dir, ctx.static_dir,
                                              ctx.translations_dir])
    with lock_output(ctx.out_dir):  # one build at a time per output folder (serve + a manual build)
        inputs = read_inputs(ctx)
        previous = load_manifest(ctx) if ctx.use_cache and not ctx.clean else None
        if previous is not None and previous.fingerprint == inputs.fingerprint() and not previous.search_error \
                and not (previous.search_job and not job_running(ctx.out_dir.resolve(), previous.search_job)) \
                and site_intact(ctx.out_dir, previous):  # (a search job that died left its years stale)
            return _nothing_changed(ctx, previous, started)
        early, writer = EarlyIndex(ctx.out_dir.resolve()), None
        try:
            writer = SiteWriter(ctx.out_dir, previous.files if previous is not None else {})
            site = assemble_site(ctx, previous=previous, inputs=inputs, sink=writer,
                                 issue_pages_done=lambda made: start_index(made, ctx, previous, early))
            written = write(site, ctx, previous, inputs, writer, early)
        finally:
            early.close()
            if writer is not None:
                writer.close()
        if ctx.use_cache and site.stored >= PRUNE_AFTER:
            from broadsheet.build.assemble import CHARTS_NAMESPACE, PAGES_NAMESPACE

            prune_cache(ctx, {"page": PAGES_NAMESPACE, "charts": CHARTS_NAMESPACE})
    charts_total = sum(f.endswith(".png") for u, r in site.manifest.units.items() if u.startswith("charts:")
                       for f in r["files"])  # one PNG twin per chart and language
    return BuildResult(pages=len(site.pages), files=site.emitted + len(site.kept),
                       seconds=time.perf_counter() - started, charts_rendered=site.charts_rendered,
                       charts_total=charts_total, files_written=written,
                       pages_rendered=sum(1 for step in site.plan.of("issue") if step.redo),
                       search_pending=bool(site.manifest.search_job))


def _nothing_changed(ctx: BuildContext, previous: Manifest, started: float) -> BuildResult:
    """No input changed and the site is intact: say the last build's warnings again, write nothing."""
    for path, line, message, hint in previous.warnings:
        ctx.problems.warn(SourceError(Path(path), line, message, hint))
    ctx.problems.checkpoint(strict=ctx.strict)
    return BuildResult(pages=previous.page_count, files=len(previous.files), seconds=time.perf_counter() - started,
                       charts_total=previous.charts, nothing_changed=True)


# --- stage 6: write --------------------------------------------------------------------------------
def write(site: Site, ctx: BuildContext, previous: Manifest | None, inputs: Inputs, writer: SiteWriter,
          early: EarlyIndex | None = None) -> int:
    """Write into a fresh folder, index it for search (unless the plan reuses the index), swap it in."""
    from broadsheet.build.searchjob import prepare_job, start_job
    from broadsheet.outputs.search import BUNDLE_DIR, index_site

    search = site.search_plan if site.search_plan is not None else plan_search(site, ctx, previous)
    jobs: list[Path] = []

    def finish(tmp: Path) -> None:
        if search.mode == "now" and early is not None and early.started:
            early.finish(tmp / BUNDLE_DIR)
        elif search.mode == "now":
            index_site(tmp, search.redo)  # search: see search.py
        elif search.mode == "background":
            jobs.append(prepare_job(ctx.out_dir.resolve()))

    writer.add(site.outputs)  # none when the pages were written as they were rendered (the sink)
    # a kept index is linked like any kept file, with the record the last build made of it
    written = writer.swap(ctx.static_dir, [*site.kept, *search.old], finish,
                          before_swap=lambda: forget_manifest(ctx), added=(BUNDLE_DIR,))
    if ctx.use_cache:
        _save(site, ctx, previous, inputs, written.files, search, jobs)
    if jobs:
        start_job(jobs[0], ctx.out_dir.resolve(), manifest_path(ctx), inputs.fingerprint(), search.redo, search.keep)
    return written.written


def _save(site: Site, ctx: BuildContext, previous: Manifest | None, inputs: Inputs, files: dict[str, list[Any]],
          search: SearchPlan, jobs: list[Path]) -> None:
    """Record this build's manifest: what it was made from, its files, the state of its index."""
    manifest = site.manifest
    manifest.fingerprint, manifest.files = inputs.fingerprint(), files
    if search.mode in ("reuse", "background"):
        assert previous is not None  # both keep the previous index
        manifest.search, manifest.indexed = previous.search, previous.indexed
    elif search.mode == "now":
        manifest.search, manifest.indexed = inputs.fingerprint(), search.pages
    if jobs:
        manifest.search_job, manifest.pending_index = jobs[0].name, search.pages
        manifest.stale_shards = search.redo  # until the job swaps its index in (a newer build may stop it)
    manifest.units["search"] = {"key": manifest.search, "files": []}
    manifest.charts = sum(f.endswith(".png") for u, r in manifest.units.items() if u.startswith("charts:")
                          for f in r["files"])
    manifest.warnings = [[str(w.path), w.line, w.message, w.hint] for w in ctx.problems.warnings]
    save_manifest(ctx, manifest)
