"""The render stage: every unit the plan redoes that is not rendered with its page (home, lists,
feeds, the vega bundle, and the issue pages and emails of reused pages), through the outputs'
render functions; every unit the plan reuses recorded with the previous site's files."""

from __future__ import annotations

from collections.abc import Callable

from broadsheet.build.plan import FEED_LIMIT, BuildPlan, Step, UnitKind
from broadsheet.build.state import Site
from broadsheet.charts import VEGA_BUNDLE
from broadsheet.charts.vega import prefetch_vega_bundle, vega_bundle  # (vl-convert only when a bundle is made)
from broadsheet.content.issues import Issue
from broadsheet.core.cache import Cache
from broadsheet.core.context import BuildContext
from broadsheet.core.output import Output
from broadsheet.core.urls import Urls
from broadsheet.outputs.feeds import render_feeds
from broadsheet.outputs.render import Renderer
from broadsheet.outputs.units import Pages, render_email, render_home, render_issue, render_lists


def lazy_renderer(ctx: BuildContext) -> Callable[[], Renderer]:
    """The build's Jinja renderer, compiled when the first unit is rendered (in each process)."""
    made: list[Renderer] = []

    def renderer() -> Renderer:
        if not made:
            made.append(Renderer(ctx.templates_dir, ctx.translations_dir, ctx.config,
                                 ctx.cache_dir / "templates" if ctx.use_cache else None))
        return made[0]

    return renderer


def render_units(issues: list[Issue], pages: Pages, plan: BuildPlan, ctx: BuildContext,
                 cache: Cache, site: Site, renderer: Callable[[], Renderer],
                 kinds: Callable[[UnitKind], bool] = lambda kind: True) -> None:
    """Render every unit of the `kinds` the plan redoes (those rendered with their page are
    already recorded); record every such unit (redone or kept) in the manifest."""
    keys = {issue.key for issue in issues}
    for step in plan.steps.values():
        if step.kind in (UnitKind.PAGE, UnitKind.SEARCH) or not kinds(step.kind) or \
                (step.unit.issue and step.unit.issue not in keys):
            continue  # pages and search are not rendered here; an issue that failed is left out
        if step.redo and str(step.unit) in site.manifest.units:
            continue  # rendered with its page (assemble_pages, emit_charts)
        if step.redo:
            site.emit(step, _render_step(step, issues, pages, ctx, cache, renderer))
        else:
            assert site.previous is not None  # a reused step was recorded by the last build
            site.keep(step, list(site.previous.units[str(step.unit)]["files"]))


def render_site(issues: list[Issue], pages: Pages, ctx: BuildContext, cache: Cache, site: Site,
                renderer: Callable[[], Renderer], issue_pages_done: Callable[[Site], None] | None = None) -> None:
    """Render the issue pages, call `issue_pages_done`, then render every other unit."""
    render_units(issues, pages, site.plan, ctx, cache, site, renderer, lambda kind: kind == UnitKind.ISSUE)
    if issue_pages_done is not None and not ctx.problems.errors:
        issue_pages_done(site)
    render_units(issues, pages, site.plan, ctx, cache, site, renderer, lambda kind: kind != UnitKind.ISSUE)


def _render_step(step: Step, issues: list[Issue], pages: Pages, ctx: BuildContext,
                 cache: Cache, renderer: Callable[[], Renderer]) -> list[Output]:
    """The files of one unit."""
    unit = step.unit
    if unit.kind == UnitKind.ISSUE:
        return render_issue(pages[(unit.issue, unit.lang)], issues, ctx, renderer())
    if unit.kind == UnitKind.EMAIL:
        return render_email(pages[(unit.issue, unit.lang)], ctx, renderer())
    if unit.kind == UnitKind.HOME:
        return render_home(issues, pages, ctx, renderer())
    if unit.kind == UnitKind.LISTS:
        return render_lists(issues, ctx, renderer())
    if unit.kind == UnitKind.FEEDS:
        return render_feeds(issues, pages, ctx.config, Urls(ctx.config), renderer(), FEED_LIMIT)
    return [Output(Urls(ctx.config).static(VEGA_BUNDLE), vega_bundle(cache))]


def prefetch_vega(plan: BuildPlan, cache: Cache) -> None:
    """Start making the vega bundle now when the plan redoes it (it overlaps the charts)."""
    if any(step.redo for step in plan.of(UnitKind.VEGA)):
        prefetch_vega_bundle(cache)
