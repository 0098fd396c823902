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
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Cache
from .config import Language
from .content import Issue
from .context import BuildContext
from .errors import BuildFailed, SourceError
from .failures import held_interrupts
from .urls import Urls
from .views import IssuePage

if TYPE_CHECKING:  # both load pandas: imported when a page or a chart has to be computed
    from .charts.step import ChartSet
    from .data import DataStore

PAGES_NAMESPACE = "pages"  # assembled issue pages in the cache, by page key
CHARTS_NAMESPACE = "chartsets"  # one issue's drawn charts in the cache, by chart key
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


def assemble_page(issue: Issue, lang: Language, store: DataStore, ctx: BuildContext,
                  charts: ChartSet | None = None) -> IssuePage:
    """Evaluate a page's figures, convert its Markdown, place its charts (raises FigureProblems)."""
    from .charts.step import ChartSet
    from .figures import FigureFunctions
    from .i18n import NumberFormatter, reading_minutes
    from .lookahead import guarded, issue_as_of
    from .markdown import render_markdown
    from .provenance import provenance
    from .receipts import FigureMarks

    page = issue.pages[lang.code]
    urls = Urls(ctx.config)
    figures = FigureFunctions(store, NumberFormatter(lang.locale))
    functions = guarded(figures.namespace(), figures.uses, issue_as_of(issue))
    placed = (charts or ChartSet()).for_page(issue.key, lang.code)
    functions["chart"] = placed.chart
    marks = FigureMarks(figures.uses, store, lang.code, preview=ctx.preview)
    body = render_markdown(page.body, page.src_path, page.body_line, functions,
                           base_url=urls.absolute(urls.issue(issue.key, lang)), raw_html=ctx.config.raw_html,
                           marks=marks)
    data_links = {ext: urls.absolute(urls.receipts(issue.key, lang, ext)) for ext in ("csv", "json")}
    return IssuePage(issue=issue, lang=lang, page=page, body=body, figures=figures.uses,
                     reading_minutes=reading_minutes(body.text), charts=list(placed.placed),
                     provenance=provenance(figures.uses, store, placed.placed, lang.code, data_links),
                     receipts=marks.receipts)


def assemble_one(issue: Issue, code: str, store: DataStore, ctx: BuildContext,
                 charts: ChartSet | None) -> IssuePage | list[SourceError]:
    """One issue page, or its problems."""
    from .markdown import FigureProblems

    try:
        return assemble_page(issue, ctx.config.language(code), store, ctx, charts)
    except FigureProblems as many:
        return many.errors


# The worker processes' copy of the store, context and charts: inherited through fork, because
# pickling the market frame for every page would cost more than converting the page.
_WORKER: dict[str, Any] = {}


def _worker_start(store: DataStore, ctx: BuildContext, charts: ChartSet | None,
                  todo: list[tuple[Issue, str]]) -> None:
    _WORKER.update(store=store, ctx=ctx, charts=charts, todo=todo)


def _worker_assemble(n: int) -> IssuePage | list[SourceError]:
    issue, code = _WORKER["todo"][n]  # by number: the issues came with the fork, not through a pipe
    page = assemble_one(issue, code, _WORKER["store"], _WORKER["ctx"], _WORKER["charts"])
    return without_sources(page) if isinstance(page, IssuePage) else page


def without_sources(ip: IssuePage) -> IssuePage:
    """The page without its Issue and Page, which the receiver has: they were a third of its
    pickled bytes, and every page sent back from a worker carried its own copy of them."""
    return dataclasses.replace(ip, issue=None, page=None)  # type: ignore[arg-type]


def with_sources(ip: IssuePage, issue: Issue, code: str, ctx: BuildContext) -> IssuePage:
    """A page made elsewhere (a worker, the cache), with this build's Issue around it."""
    ip.issue, ip.page, ip.lang = issue, issue.pages[code], ctx.config.language(code)
    return ip


def assemble_many(todo: list[tuple[Issue, str]], store: DataStore, ctx: BuildContext,
                  charts: ChartSet | None) -> list[IssuePage | list[SourceError]]:
    """Assemble pages; on every core when there are enough of them to pay for the processes."""
    workers = min(os.cpu_count() or 1, len(todo) // ASSEMBLE_PARALLEL_MIN + 1)
    # fork shares the loaded data without copying; it is unsafe once vl-convert's engine threads
    # run in this process (charts drawn here), so then the pages are assembled here
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods() or "vl_convert" in sys.modules:
        return [assemble_one(issue, code, store, ctx, charts) for issue, code in todo]
    context = multiprocessing.get_context("fork")
    with held_interrupts(), ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                                                initargs=(store, ctx, charts, todo)) as pool:
        done = list(pool.map(_worker_assemble, range(len(todo)), chunksize=max(1, len(todo) // (workers * 8))))
    return [with_sources(page, issue, code, ctx) if isinstance(page, IssuePage) else page
            for page, (issue, code) in zip(done, todo, strict=True)]


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
