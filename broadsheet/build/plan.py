"""The build plan: one table of every unit of work, each to redo or to reuse, decided in one place.

`make_plan()` takes the inputs' hashes, the issues (front matter only) and the last build's
manifest, and decides for every unit whether its inputs changed. The stages then execute the
plan; none decides for itself. docs/architecture.md shows the table. Nothing here loads pandas.

| unit | makes | redone when |
|---|---|---|
| `charts:<issue>` | chart blocks, PNG twins | charts.yaml, the series it reads or the body base changed |
| `page:<issue>:<lang>` | the assembled page | its Markdown, its issue's charts, its figures' series, the body base |
| `issue:<issue>:<lang>` | the issue page's HTML | its page is redone; its front matter, neighbours', templates |
| `email:<issue>:<lang>` | email.html, email.txt | its page is redone; its front matter, the templates |
| `home` | each edition's home page | any front matter, the templates, the newest issue's pages (its lead chart) |
| `lists` | archive, tags, search, 404, sitemap… | any front matter, the templates |
| `feeds` | RSS, Atom, JSON Feed | any front matter, the templates, a page of the newest FEED_LIMIT issues |
| `vega` | static/vendor/vega.js | the code or library versions |
| `search` | the Pagefind index | an issue page (the only pages it reads) is redone, or the index is not intact |

(The body base: broadsheet's code and libraries, site.yaml, translations, fonts, build options.)
A reused unit's files are hard-linked from the current site; a unit is also redone when any of
its files is no longer the one the manifest recorded (someone edited site/).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadsheet.build.incremental import DataState, Inputs, Manifest, intact
from broadsheet.charts import CHARTS_FILE
from broadsheet.content.issues import Issue
from broadsheet.core.cache import content_key
from broadsheet.core.context import BuildContext

FEED_LIMIT = 20  # newest issues per feed (feeds.py writes them); older ones stay in the archive


@dataclass(frozen=True)
class Step:
    """One unit of work: its name, the key of its inputs, and whether this build redoes it."""

    unit: str
    kind: str  # charts, page, issue, email, home, lists, feeds, vega, search
    key: str
    redo: bool
    why: str  # "new", "inputs changed", "files changed", "clean build", "unchanged", …


@dataclass
class BuildPlan:
    """Every step of one build, by unit name, in the order they run."""

    steps: dict[str, Step] = field(default_factory=dict)
    deps: dict[str, list[str]] = field(default_factory=dict)  # page unit → series its figures read last time
    chart_keys: dict[str, str] = field(default_factory=dict)  # issue key → key of its charts
    state: DataState | None = None  # the data's hashes by series, to key pages after assembly
    inputs: Inputs | None = None  # what the plan was made from
    data_changed: bool = True  # data/ must be loaded and checked even if no page reads the change

    def add(self, step: Step) -> None:
        """Add a step (names are unique)."""
        self.steps[step.unit] = step

    def of(self, kind: str) -> Iterator[Step]:
        """The steps of one kind, in order."""
        return (s for s in self.steps.values() if s.kind == kind)

    def redo(self, unit: str) -> bool:
        """Whether the unit is redone (an unknown unit is)."""
        step = self.steps.get(unit)
        return step is None or step.redo

    @property
    def needs_data(self) -> bool:
        """Whether this build loads the data: a figure or chart is computed, or the data changed."""
        return self.data_changed or any(s.redo for s in self.steps.values() if s.kind in ("page", "charts"))

    def key_of_page(self, ctx: BuildContext, issue: Issue, code: str, deps: list[str]) -> str:
        """The key of a page assembled by this build, which read the series `deps`."""
        assert self.inputs is not None and self.state is not None  # both set by make_plan
        return page_key(ctx, self.inputs, self.state, issue, code, self.chart_keys.get(issue.key, ""), deps)

    def table(self) -> list[tuple[str, str, str]]:
        """(unit, redo or reuse, why) for every step: what `build --plan` prints."""
        return [(s.unit, "redo" if s.redo else "reuse", s.why) for s in self.steps.values()]


def meta_key(issue: Issue) -> str:
    """The hash of an issue's front matter in every language (titles, dates, tags, slugs…)."""
    return content_key(issue.key, [(code, repr(page.meta)) for code, page in issue.pages.items()])


@dataclass
class _Planner:
    ctx: BuildContext
    inputs: Inputs
    previous: Manifest | None
    cached: Any  # (namespace, key) → bool: whether the cache holds an entry
    plan: BuildPlan = field(default_factory=BuildPlan)

    def decide(self, unit: str, kind: str, key: str, forced: str = "") -> Step:
        """Redo when forced, new, its key changed or its files changed; else reuse."""
        record = self.previous.units.get(unit) if self.previous is not None else None
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
        step = Step(unit, kind, key, why != "unchanged", why)
        self.plan.add(step)
        return step


def _rel(ctx: BuildContext, path: Path) -> str:
    """`path` relative to content/, as the input hashes name it (asked thousands of times a build)."""
    base, full = str(ctx.content_dir), str(path)
    if full.startswith(base + os.sep):
        return full[len(base) + 1:].replace(os.sep, "/")
    return path.relative_to(ctx.content_dir).as_posix()


def make_plan(ctx: BuildContext, inputs: Inputs, previous: Manifest | None, issues: list[Issue],
              cached: Any) -> BuildPlan:
    """Decide every unit of this build (see the module's table)."""
    from broadsheet.charts.decls import declared_series
    from broadsheet.figures.lookahead import issue_as_of

    planner = _Planner(ctx, inputs, previous, cached)
    plan = planner.plan
    plan.inputs = inputs
    plan.data_changed = previous is None or previous.data != inputs.data
    state = plan.state = DataState(ctx.data_dir, inputs.catalog)
    body_base, render_base = inputs.body_base, inputs.render_base
    chart_keys = plan.chart_keys
    for issue in issues:
        declared = issue.src_dir / CHARTS_FILE
        if _rel(ctx, declared) in inputs.content:
            key = content_key("charts", body_base, inputs.content[_rel(ctx, declared)], list(issue.pages),
                              state.hashes(declared_series(declared)), issue_as_of(issue).isoformat())
            chart_keys[issue.key] = key
            planner.decide(f"charts:{issue.key}", "charts", key,
                           "" if cached("chartsets", key) else "not in the cache")
    for issue in issues:
        for code in issue.pages:
            unit = f"page:{issue.key}:{code}"
            old = previous.units.get(unit) if previous is not None else None
            deps = list(old.get("deps", [])) if old is not None else []
            plan.deps[unit] = deps
            key = page_key(ctx, inputs, state, issue, code, chart_keys.get(issue.key, ""), deps)
            planner.decide(unit, "page", key, "" if cached("pages", key) else "not in the cache")
    _plan_renders(planner, issues, render_base)
    return plan


def page_key(ctx: BuildContext, inputs: Inputs, state: DataState, issue: Issue, code: str, charts_key: str,
             deps: list[str]) -> str:
    """The key of an assembled page: its Markdown, its issue's charts, the series it reads, the body base."""
    source = inputs.content.get(_rel(ctx, issue.pages[code].src_path), "")
    return content_key("page", inputs.body_base, source, charts_key, state.hashes(sorted(deps)))


def _plan_renders(planner: _Planner, issues: list[Issue], render_base: str) -> None:
    plan = planner.plan
    metas = {issue.key: meta_key(issue) for issue in issues}
    codes = [lang.code for lang in planner.ctx.config.languages]
    html_redone = False
    for code in codes:
        in_lang = [i for i in issues if code in i.pages]
        for n, issue in enumerate(in_lang):
            neighbours = [metas[in_lang[m].key] for m in (n - 1, n + 1) if 0 <= m < len(in_lang)]
            page_redo = plan.redo(f"page:{issue.key}:{code}")
            step = planner.decide(f"issue:{issue.key}:{code}", "issue",
                                  content_key("issue", render_base, metas[issue.key], neighbours),
                                  "its page is redone" if page_redo else "")
            html_redone |= step.redo
            planner.decide(f"email:{issue.key}:{code}", "email", content_key("email", render_base, metas[issue.key]),
                           "its page is redone" if page_redo else "")
    every = content_key([(issue.key, metas[issue.key]) for issue in issues])
    newest = issues[:1]
    lead = any(plan.redo(f"page:{i.key}:{c}") for i in newest for c in i.pages)
    planner.decide("home", "home", content_key("home", render_base, every),
                   "the newest issue's page is redone" if lead else "")
    planner.decide("lists", "lists", content_key("lists", render_base, every))
    fed = any(plan.redo(f"page:{i.key}:{c}") for c in codes for i in [i for i in issues if c in i.pages][:FEED_LIMIT])
    planner.decide("feeds", "feeds", content_key("feeds", render_base, every),
                   "a page in the feeds is redone" if fed else "")
    if any(True for _ in plan.of("charts")):
        planner.decide("vega", "vega", content_key("vega", planner.inputs.code))
    search = planner.previous.search if planner.previous is not None else ""
    planner.decide("search", "search", search, "an issue page is redone" if html_redone else "")
