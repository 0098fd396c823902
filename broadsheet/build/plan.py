"""The build plan: one table of every unit of work, each to redo or to reuse, decided in one place.

`make_plan()` takes the inputs' hashes, the issues (front matter only) and the last build's
manifest, and decides for every unit whether its inputs changed. The stages then execute the
plan; none decides for itself. docs/architecture.md shows the table. Nothing here loads pandas.

| unit | makes | redone when |
|---|---|---|
| `charts:<issue>` | chart blocks, PNG twins | charts.yaml, the series it reads or the body base changed |
| `page:<issue>:<lang>` | the assembled page | its Markdown, its issue's charts, its figures' series, the body base |
| `issue:<issue>:<lang>` | the issue page's HTML | its page is redone; its front matter, its neighbours'*, templates |
| `email:<issue>:<lang>` | email.html, email.txt | its page is redone; its front matter, the templates |
| `home` | each edition's home page | any front matter, the templates, the newest issue's pages (its lead chart) |
| `lists` | archive, tags, search, 404, sitemap… | any front matter, the templates |
| `feeds` | RSS, Atom, JSON Feed | any front matter, the templates, a page of the newest FEED_LIMIT issues |
| `vega` | static/vendor/vega.js | the code or library versions |
| `search` | the Pagefind index | an issue page (the only pages it reads) is redone, or the index is not intact |

(The body base: broadsheet's code and libraries, site.yaml, translations, fonts, build options.
*Neighbours: the newer and the older issue and those listed under its tags, content/related.py.)
The plan also decides what the chart stage does for each issue (draw, load from the cache, or
nothing: `chart_work`) and how the search index is made (`search`, search_plan.py).
A reused unit's files are hard-linked from the current site; a unit is also redone when any of
its files is no longer the one the manifest recorded (someone edited site/).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path

from broadsheet.build.incremental import DataState, Inputs, Manifest, intact
from broadsheet.build.search_plan import SearchMode, SearchPlan, plan_search
from broadsheet.charts import CHARTS_FILE
from broadsheet.charts.chartset import lead_chart
from broadsheet.charts.decls import declared_series
from broadsheet.content.issues import Issue
from broadsheet.content.related import more_on_tags
from broadsheet.core.cache import content_key
from broadsheet.core.context import BuildContext
from broadsheet.core.urls import Urls, output_file
from broadsheet.figures.lock import LOCK_FILE
from broadsheet.figures.lookahead import issue_as_of

CHARTS_NAMESPACE = "chartsets"  # one issue's drawn charts in the cache, by chart key
PAGES_NAMESPACE = "pages"  # assembled issue pages in the cache, by page key
FEED_LIMIT = 20  # newest issues per feed: the plan redoes the feeds when one of their pages is redone


class UnitKind(StrEnum):
    """The kinds of unit a build is made of (the module's table)."""

    CHARTS = "charts"
    PAGE = "page"
    ISSUE = "issue"
    EMAIL = "email"
    HOME = "home"
    LISTS = "lists"
    FEEDS = "feeds"
    VEGA = "vega"
    SEARCH = "search"


@dataclass(frozen=True)
class UnitId:
    """One unit of work: its kind and, for an issue's units, the issue and (pages, issue pages,
    emails) the language. `str()` is its name in the manifest: "page:<issue>:<lang>", "home"."""

    kind: UnitKind
    issue: str = ""
    lang: str = ""

    def __str__(self) -> str:
        return ":".join(part for part in (self.kind.value, self.issue, self.lang) if part)


class ChartWork(StrEnum):
    """What the chart stage does for an issue with charts."""

    DRAW = "draw"  # its charts are redone: built and drawn
    LOAD = "load"  # reused, but a page of the issue is assembled again and places them: from the cache
    NONE = "none"  # reused and not placed again


@dataclass(frozen=True)
class Step:
    """One unit of work: its id, the key of its inputs, and whether this build redoes it."""

    unit: UnitId
    key: str
    redo: bool
    why: str  # "new", "inputs changed", "files changed", "clean build", "unchanged", …

    @property
    def kind(self) -> UnitKind:
        """The kind of unit."""
        return self.unit.kind


@dataclass
class BuildPlan:
    """Every step of one build, by unit, in the order they run; and what the chart and search
    stages do."""

    steps: dict[UnitId, Step] = field(default_factory=dict)
    deps: dict[UnitId, list[str]] = field(default_factory=dict)  # page unit → series its figures read last time
    chart_keys: dict[str, str] = field(default_factory=dict)  # issue key → key of its charts
    in_feeds: frozenset[str] = frozenset()  # the issues in the feeds: every chart of theirs has a wide PNG twin
    chart_work: dict[str, ChartWork] = field(default_factory=dict)  # issue key → what the chart stage does
    search: SearchPlan = field(default_factory=lambda: SearchPlan([], [], SearchMode.OFF))
    state: DataState | None = None  # the data's hashes by series, to key pages after assembly
    inputs: Inputs | None = None  # what the plan was made from
    data_changed: bool = True  # data/ must be loaded and checked even if no page reads the change

    def add(self, step: Step) -> None:
        """Add a step (units are unique)."""
        self.steps[step.unit] = step

    def of(self, kind: UnitKind) -> Iterator[Step]:
        """The steps of one kind, in order."""
        return (s for s in self.steps.values() if s.kind == kind)

    def redo(self, unit: UnitId) -> bool:
        """Whether the unit is redone (an unknown unit is)."""
        step = self.steps.get(unit)
        return step is None or step.redo

    def pages_redone(self, issue: Issue) -> bool:
        """Whether any page of the issue is assembled again."""
        return any(self.redo(UnitId(UnitKind.PAGE, issue.key, code)) for code in issue.pages)

    @property
    def needs_data(self) -> bool:
        """Whether this build loads the data: a figure or chart is computed, or the data changed."""
        return self.data_changed or any(s.redo for s in self.steps.values()
                                        if s.kind in (UnitKind.PAGE, UnitKind.CHARTS))

    def key_of_page(self, ctx: BuildContext, issue: Issue, code: str, deps: list[str]) -> str:
        """The key of a page assembled by this build, which read the series `deps`."""
        assert self.inputs is not None and self.state is not None  # both set by make_plan
        return page_key(ctx, self.inputs, self.state, issue, code, self.chart_keys.get(issue.key, ""), deps)


def meta_key(issue: Issue) -> str:
    """The hash of an issue's front matter in every language (titles, dates, tags, slugs…)."""
    return content_key(issue.key, [(code, repr(page.meta)) for code, page in issue.pages.items()])


@dataclass
class _Planner:
    ctx: BuildContext
    inputs: Inputs
    previous: Manifest | None
    cached: Callable[[str, str], bool]  # (namespace, key) → whether the cache holds an entry
    plan: BuildPlan = field(default_factory=BuildPlan)

    def decide(self, unit: UnitId, key: str, forced: str = "") -> Step:
        """Redo when forced, new, its key changed or its files changed; else reuse."""
        step = Step(unit, key, *self._why(unit, key, forced))
        self.plan.add(step)
        return step

    def _why(self, unit: UnitId, key: str, forced: str) -> tuple[bool, str]:
        record = self.previous.units.get(str(unit)) if self.previous is not None else None
        if self.previous is None:
            why = "clean build" if self.ctx.clean else "first build"
        elif forced:
            why = forced
        elif record is None:
            why = "new"
        elif record["key"] != key:
            why = "inputs changed"
        elif not all(intact(self.ctx.out_dir, f, self.previous.files.get(f)) for f in record["files"]):
            why = "files changed"
        else:
            why = "unchanged"
        return why != "unchanged", why


def _rel(ctx: BuildContext, path: Path) -> str:
    """`path` relative to content/, as the input hashes name it (asked thousands of times a build)."""
    base, full = str(ctx.content_dir), str(path)
    if full.startswith(base + os.sep):
        return full[len(base) + 1:].replace(os.sep, "/")
    return path.relative_to(ctx.content_dir).as_posix()


def make_plan(ctx: BuildContext, inputs: Inputs, previous: Manifest | None, issues: list[Issue],
              cached: Callable[[str, str], bool]) -> BuildPlan:
    """Decide every unit of this build (see the module's table), what the chart stage does for
    each issue and how the search index is made."""
    planner = _Planner(ctx, inputs, previous, cached)
    plan = planner.plan
    plan.inputs = inputs
    plan.data_changed = previous is None or previous.data != inputs.data
    plan.state = DataState(ctx.data_dir, inputs.catalog)
    _plan_charts(planner, issues)
    _plan_pages(planner, issues)
    _plan_renders(planner, issues, inputs.render_base)
    plan.chart_work = {key: _chart_work(plan, issue) for issue in issues if (key := issue.key) in plan.chart_keys}
    plan.search = _plan_search(planner, issues)
    return plan


def _plan_charts(planner: _Planner, issues: list[Issue]) -> None:
    """A charts unit for each issue with a charts.yaml."""
    ctx, inputs, plan = planner.ctx, planner.inputs, planner.plan
    assert plan.state is not None
    plan.in_feeds = frozenset(issue.key for lang in ctx.config.languages
                              for issue in [i for i in issues if lang.code in i.pages][:FEED_LIMIT])
    for issue in issues:
        declared = issue.src_dir / CHARTS_FILE
        if _rel(ctx, declared) in inputs.content:
            # which PNG twins are drawn (chartset.png_twins): in the feeds or not, each page's first chart
            twins = [issue.key in plan.in_feeds, [lead_chart(page.body) for page in issue.pages.values()]]
            key = content_key("charts", inputs.body_base, inputs.content[_rel(ctx, declared)], list(issue.pages),
                              plan.state.hashes(declared_series(declared)), issue_as_of(issue).isoformat(), twins)
            plan.chart_keys[issue.key] = key
            planner.decide(UnitId(UnitKind.CHARTS, issue.key), key,
                           "" if planner.cached(CHARTS_NAMESPACE, key) else "not in the cache")


def _plan_pages(planner: _Planner, issues: list[Issue]) -> None:
    """A page unit for each issue and language, keyed by the series it read last time."""
    ctx, inputs, plan, previous = planner.ctx, planner.inputs, planner.plan, planner.previous
    assert plan.state is not None
    for issue in issues:
        for code in issue.pages:
            unit = UnitId(UnitKind.PAGE, issue.key, code)
            old = previous.units.get(str(unit)) if previous is not None else None
            deps = plan.deps[unit] = list(old.get("deps", [])) if old is not None else []
            key = page_key(ctx, inputs, plan.state, issue, code, plan.chart_keys.get(issue.key, ""), deps)
            planner.decide(unit, key, "" if planner.cached(PAGES_NAMESPACE, key) else "not in the cache")


def _chart_work(plan: BuildPlan, issue: Issue) -> ChartWork:
    """Draw redone charts; load reused ones that a page assembled again places."""
    if plan.redo(UnitId(UnitKind.CHARTS, issue.key)):
        return ChartWork.DRAW
    return ChartWork.LOAD if plan.pages_redone(issue) else ChartWork.NONE


def page_key(ctx: BuildContext, inputs: Inputs, state: DataState, issue: Issue, code: str, charts_key: str,
             deps: list[str]) -> str:
    """The key of an assembled page: its Markdown, its issue's charts, the series it reads, the body base,
    and its issue's figure lock (whether the build compares with it: `publish` and `correct` do not)."""
    source = inputs.content.get(_rel(ctx, issue.pages[code].src_path), "")
    lock = inputs.content.get(_rel(ctx, issue.src_dir / LOCK_FILE), "") if ctx.figure_locks else "not compared"
    return content_key("page", inputs.body_base, source, charts_key, state.hashes(sorted(deps)), lock)


def _plan_renders(planner: _Planner, issues: list[Issue], render_base: str) -> None:
    """The render units: each issue page and email, then the site-wide units."""
    metas = {issue.key: meta_key(issue) for issue in issues}
    urls = Urls(planner.ctx.config)
    for lang in planner.ctx.config.languages:
        code = lang.code
        in_lang = [i for i in issues if code in i.pages]
        for n, issue in enumerate(in_lang):
            neighbours = [metas[in_lang[m].key] for m in (n - 1, n + 1) if 0 <= m < len(in_lang)]
            # the issues listed under its tags (content/related.py), as the page shows them
            more = more_on_tags(issues, issue, code, partial(urls.tag, lang=lang))
            neighbours += [metas[other.key] for listed in more.values() for other in listed]
            page_redone = "its page is redone" if planner.plan.redo(UnitId(UnitKind.PAGE, issue.key, code)) else ""
            planner.decide(UnitId(UnitKind.ISSUE, issue.key, code),
                           content_key("issue", render_base, metas[issue.key], neighbours), page_redone)
            planner.decide(UnitId(UnitKind.EMAIL, issue.key, code),
                           content_key("email", render_base, metas[issue.key]), page_redone)
    _plan_site_units(planner, issues, content_key([(issue.key, metas[issue.key]) for issue in issues]), render_base)


def _plan_site_units(planner: _Planner, issues: list[Issue], every: str, render_base: str) -> None:
    """home, lists, feeds, vega and search: the units made from every issue."""
    plan = planner.plan
    lead = any(plan.pages_redone(issue) for issue in issues[:1])
    planner.decide(UnitId(UnitKind.HOME), content_key("home", render_base, every),
                   "the newest issue's page is redone" if lead else "")
    planner.decide(UnitId(UnitKind.LISTS), content_key("lists", render_base, every))
    codes = [lang.code for lang in planner.ctx.config.languages]
    fed = any(plan.redo(UnitId(UnitKind.PAGE, i.key, c)) for c in codes
              for i in [i for i in issues if c in i.pages][:FEED_LIMIT])
    planner.decide(UnitId(UnitKind.FEEDS), content_key("feeds", render_base, every),
                   "a page in the feeds is redone" if fed else "")
    if plan.chart_keys:
        planner.decide(UnitId(UnitKind.VEGA), content_key("vega", planner.inputs.code))
    html_redone = any(step.redo for step in plan.of(UnitKind.ISSUE))
    search = planner.previous.search if planner.previous is not None else ""
    planner.decide(UnitId(UnitKind.SEARCH), search, "an issue page is redone" if html_redone else "")


def issue_page_files(ctx: BuildContext, issues: list[Issue]) -> dict[UnitId, str]:
    """The issue page file (the page Pagefind reads) of each issue unit."""
    urls = Urls(ctx.config)
    return {UnitId(UnitKind.ISSUE, issue.key, code): output_file(urls.issue(issue.key, ctx.config.language(code)))
            for issue in issues for code in issue.pages}


def _plan_search(planner: _Planner, issues: list[Issue]) -> SearchPlan:
    """The search plan: the issue pages, and those this build renders again."""
    files = issue_page_files(planner.ctx, issues)
    redone = {files[step.unit] for step in planner.plan.of(UnitKind.ISSUE) if step.redo}
    return plan_search(planner.ctx, planner.previous, sorted(files.values()), redone)
