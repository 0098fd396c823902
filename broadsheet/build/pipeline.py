"""build(ctx): hash → load → plan → charts → assemble → render → write. Everything is read and
checked before anything is rendered, and rendered before anything is written.

Each stage is a function with typed inputs and outputs (build/state.py holds what they hand each
other); the plan (plan.py) decides, as one table, which units this build redoes and which it takes
from the cache and the current site. A build with nothing changed returns after hashing the
inputs: the stages that compute (Markdown, figures, charts, templates) are imported only past that
point, so it never loads them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
from broadsheet.build.plan import CHARTS_NAMESPACE, PAGES_NAMESPACE, UnitId, UnitKind, make_plan
from broadsheet.build.search_plan import SearchMode, SearchPlan
from broadsheet.build.searchjob import EarlyIndex, job_running, prepare_job, start_index, start_job, stop_jobs
from broadsheet.build.state import BuildResult, Loaded, Site
from broadsheet.build.writer import SiteWriter, check_destination, lock_output
from broadsheet.content.issues import Issue, PageMemo, read_issues
from broadsheet.content.translation import check_translations
from broadsheet.content.typeset import typeset_issues
from broadsheet.core.cache import open_cache
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.limits import refuse_outside_links
from broadsheet.core.yamlsource import yaml_memo
from broadsheet.outputs.search import BUNDLE_DIR, index_site

__all__ = ["BuildResult", "Site", "assemble_site", "build"]


# --- stage 1: load ---------------------------------------------------------------------------------
def load(ctx: BuildContext, full: bool, inputs: Inputs) -> Loaded:
    """Read every issue (front matter and text) and, on a full build, the data; check both."""
    loaded = Loaded([], ctx)
    if full:
        loaded.store()  # a full build reads the data first, so its problems are reported first
    ctx.drafts_left_out.clear()
    memo = PageMemo(ctx.cache_dir / "pages-read.pickle" if ctx.use_cache else None, inputs.content, inputs.code)
    with yaml_memo(ctx.cache_dir / "yaml.pickle" if ctx.use_cache else None):  # front matter by its hash
        loaded.issues = read_issues(ctx.content_dir, ctx.config, ctx.problems, drafts=ctx.drafts,
                                    left_out=ctx.drafts_left_out, memo=memo)
    memo.save()
    typeset_issues(loaded.issues, ctx.config)  # the zh-Hant front matter's punctuation, as data
    return loaded


def warn_stale_translations(issues: list[Issue], ctx: BuildContext) -> None:
    """Warn when a translation was made from an older version of the original (translation.py)."""
    for warning in check_translations(issues, ctx.config.default_language.code):
        ctx.problems.warn(warning)


def warn_unsubscribe_unset(ctx: BuildContext) -> None:
    """Every email edition shows a placeholder where its unsubscribe link belongs until site.yaml
    gives the mailing service's (`email_unsubscribe`): say so once a build."""
    if not ctx.config.email_unsubscribe:
        ctx.problems.warn(SourceError(ctx.config.path, None, "email_unsubscribe is not set: each email edition "
                                      "shows a placeholder where its unsubscribe link belongs",
                                      'give your mailing service\'s, e.g. email_unsubscribe: "{{ unsubscribe_url }}"'))


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
    # the computing stages (Markdown, figures, charts, Jinja): past the no-change return of build()
    from broadsheet.build import assemble, rendering

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
        issues = read_issues(ctx.content_dir, ctx.config, problems, drafts=ctx.drafts)
        typeset_issues(issues, ctx.config)
        return Site(issues, {}, [])
    checkpoint()
    plan = make_plan(ctx, inputs, previous, loaded.issues, lambda ns, key: cache.has(ns, key, "pickle"))
    rendering.prefetch_vega(plan, cache)  # no pandas: overlaps the charts below
    if plan.needs_data:
        loaded.store()  # changed data is checked even when no page reads the rows that changed
    site = Site(loaded.issues, {}, [], plan, previous, sink=sink)
    renderer = rendering.lazy_renderer(ctx)
    pages = site.pages = assemble.draw_and_assemble(loaded, plan, cache, site,
                                                    renderer if sink is not None else None, keep_going)
    checkpoint()
    warn_stale_translations(loaded.issues, ctx)
    warn_unsubscribe_unset(ctx)
    checkpoint(strict=ctx.strict)
    rendered = [i for i in loaded.issues if all((i.key, code) in pages for code in i.pages)]
    try:
        rendering.render_site(rendered, pages, ctx, cache, site, renderer, issue_pages_done)
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
        stop_jobs(ctx.out_dir.resolve())  # an unfinished search job indexes a site this build may replace
        inputs = read_inputs(ctx)
        previous = load_manifest(ctx) if ctx.use_cache and not ctx.clean else None
        if previous is not None and _nothing_to_do(ctx, previous, inputs):
            return _nothing_changed(ctx, previous, started)
        early, writer = EarlyIndex(ctx.out_dir.resolve()), None
        try:
            writer = SiteWriter(ctx.out_dir, previous.files if previous is not None else {})
            site = assemble_site(ctx, previous=previous, inputs=inputs, sink=writer,
                                 issue_pages_done=lambda made: start_index(made.plan.search, made.sink, ctx, early))
            written = write(site, ctx, previous, inputs, writer, early)
        finally:
            early.close()
            if writer is not None:
                writer.close()
        if ctx.use_cache and site.stored >= PRUNE_AFTER:
            prune_cache(ctx, {"page": PAGES_NAMESPACE, "charts": CHARTS_NAMESPACE})
    return BuildResult(pages=len(site.pages), files=site.emitted + len(site.kept),
                       seconds=time.perf_counter() - started, charts_rendered=site.charts_rendered,
                       charts_total=site.chart_images(), files_written=written,
                       pages_rendered=sum(1 for step in site.plan.of(UnitKind.ISSUE) if step.redo),
                       search_pending=bool(site.manifest.search_job))


def _nothing_to_do(ctx: BuildContext, previous: Manifest, inputs: Inputs) -> bool:
    """No input changed, the last index is whole and the site is as the last build left it."""
    return (previous.fingerprint == inputs.fingerprint() and not previous.search_error
            # a search job that died left its years stale
            and not (previous.search_job and not job_running(ctx.out_dir.resolve(), previous.search_job))
            and site_intact(ctx.out_dir, previous))


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
    search = site.plan.search
    jobs: list[Path] = []

    def finish(tmp: Path) -> None:
        if search.mode == SearchMode.NOW and early is not None and early.started:
            early.finish(tmp / BUNDLE_DIR)
        elif search.mode == SearchMode.NOW:
            index_site(tmp, search.redo)  # search: see search.py
        elif search.mode == SearchMode.BACKGROUND and not same_pages_indexed(search, previous, writer.result.files):
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


def same_pages_indexed(search: SearchPlan, previous: Manifest | None, files: dict[str, list[Any]]) -> bool:
    """Whether the pages Pagefind would read are, byte for byte, those the kept index was made
    from: then no search job runs (an edit of a template that changes no issue page, of the email
    only, of a comment). `files` are the new site's records, as the manifest keeps them."""
    if previous is None or previous.search_job or previous.stale_shards or set(previous.indexed) != set(search.pages):
        return False
    return all(path in files and path in previous.files and files[path][0] == previous.files[path][0]
               for path in search.pages)


def _save(site: Site, ctx: BuildContext, previous: Manifest | None, inputs: Inputs, files: dict[str, list[Any]],
          search: SearchPlan, jobs: list[Path]) -> None:
    """Record this build's manifest: what it was made from, its files, the state of its index."""
    manifest = site.manifest
    manifest.fingerprint, manifest.files = inputs.fingerprint(), files
    if search.mode in (SearchMode.REUSE, SearchMode.BACKGROUND):
        assert previous is not None  # both keep the previous index
        manifest.search, manifest.indexed = previous.search, previous.indexed
    elif search.mode == SearchMode.NOW:
        manifest.search, manifest.indexed = inputs.fingerprint(), search.pages
    if jobs:
        manifest.search_job, manifest.pending_index = jobs[0].name, search.pages
        manifest.stale_shards = search.redo  # until the job swaps its index in (a newer build may stop it)
    manifest.units[str(UnitId(UnitKind.SEARCH))] = {"key": manifest.search, "files": []}
    manifest.charts = site.chart_images()
    manifest.warnings = [[str(w.path), w.line, w.message, w.hint] for w in ctx.problems.warnings]
    save_manifest(ctx, manifest)
