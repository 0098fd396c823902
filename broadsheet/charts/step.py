"""The chart step of a build: every issue's charts.yaml → specs → drawings → a `ChartSet` of blocks.

Loads pandas and Altair (spec.py) and vl-convert (engine.py): the build imports this module only
when some chart has to be built; charts taken from the cache need only chartset.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from broadsheet.charts import CHARTS_FILE
from broadsheet.charts.blocks import ChartBlock, accessible_svg, standalone_svg, svg_size
from broadsheet.charts.chartset import ChartSet, lead_chart, png_twins
from broadsheet.charts.decls import ChartDecl, read_chart_file
from broadsheet.charts.drawing import NARROW_PNG, WIDE_PNG, Drawing, png_size
from broadsheet.charts.engine import draw_all
from broadsheet.charts.fonts import font_folders, font_set_key
from broadsheet.charts.locale import ChartLocale, chart_locale
from broadsheet.charts.spec import ChartSpec, build_spec, check_data_range, last_data_date
from broadsheet.charts.theme import PNG_SCALE
from broadsheet.core.errors import FigureError, FigureProblems, MachineWarning, SourceError
from broadsheet.core.typography import applies, punctuate_text
from broadsheet.core.urls import Urls
from broadsheet.figures.lookahead import issue_as_of

if TYPE_CHECKING:
    from broadsheet.content.issues import Issue
    from broadsheet.core.cache import Cache
    from broadsheet.core.errors import Problems
    from broadsheet.core.settings import Config
    from broadsheet.data.store import DataStore


def issue_specs(issue: Issue, store: DataStore, config: Config, translations_dir: Path,
                locales: dict[str, ChartLocale], problems: Problems) -> tuple[list[ChartSpec], dict[str, set[str]]]:
    """Every chart of an issue in every language it is written in, and per language the charts that
    failed. A chart's mistake fails that chart alone, reported once (problems go to `problems`)."""
    as_of = issue_as_of(issue)
    found = read_chart_file(issue.src_dir / CHARTS_FILE, store.catalog, list(issue.pages), as_of)
    reported = _Reporter(problems)
    reported.all(found.errors)
    decls = []
    for decl in found.decls:
        errors = _data_problems(decl, store, as_of)
        reported.all(errors)
        if errors:
            found.failed.add(decl.name)
        else:
            decls.append(decl)
    failed = {code: set(found.failed) for code in issue.pages}
    specs: list[ChartSpec] = []
    for code in issue.pages:
        full_width = applies(config.full_width_punctuation, config.language(code).html_lang)
        loc = locales.setdefault(code, chart_locale(config.language(code), translations_dir, full_width))
        for decl in decls:
            spec = _spec_or_problems(decl, store, loc, reported)
            if spec is None:
                failed[code].add(decl.name)
            else:
                specs.append(punctuated(spec) if full_width else spec)
    return specs, failed


class _Reporter:
    """Reports each problem once: a chart that fails in both languages for the same reason (a
    builder's error at the chart's line) is one problem."""

    def __init__(self, problems: Problems):
        self.problems = problems
        self.seen: set[str] = set()

    def all(self, errors: list[SourceError]) -> None:
        """Report the errors not reported yet."""
        for err in errors:
            if str(err) not in self.seen:
                self.seen.add(str(err))
                self.problems.error(err)


def _data_problems(decl: ChartDecl, store: DataStore, as_of: dt.date) -> list[SourceError]:
    """A declaration's problems that only the data shows: no closes in its range, data after as-of."""
    errors = check_data_range(decl, store)
    last = last_data_date(decl, store) if not errors else None
    if last is not None and last > as_of:  # a macro chart's month whose release came later
        errors.append(SourceError(decl.src_path, decl.text_lines.get("end", decl.line),
                                  f"chart {decl.name!r} shows data of {last}, after the issue's as-of date {as_of}",
                                  "end the chart earlier, or set `as_of:` in the front matter"))
    return errors


def _spec_or_problems(decl: ChartDecl, store: DataStore, loc: ChartLocale, reported: _Reporter) -> ChartSpec | None:
    """The chart's spec in one language, or None with its problems reported."""
    try:
        return build_spec(decl, store, loc)
    except FigureProblems as many:
        reported.all(many.errors)
    except FigureError as exc:
        reported.all([SourceError(decl.src_path, decl.line, f"chart {decl.name!r}: {exc.message}", exc.hint)])
    return None


def punctuated(spec: ChartSpec) -> ChartSpec:
    """A zh-Hant chart with the full-width punctuation of the page's text (clreq) in its title,
    description, note and sources: applied to the texts before they are drawn (the PNG twin's
    title and note), written into the SVGs' <title>/<desc>, the page's caption, alt text and
    source line, so no drawing is edited afterwards. Its labels came punctuated from the catalog
    (chart_locale); axis and legend labels are series names from data/catalog.yaml, as written."""
    return dataclasses.replace(spec, title=punctuate_text(spec.title), description=punctuate_text(spec.description),
                               note=punctuate_text(spec.note), sources=[punctuate_text(s) for s in spec.sources])


def interactive_payload(spec: ChartSpec) -> str:
    """The specs and locales the page's script needs to redraw the chart with tooltips."""
    payload = json.dumps({"spec": spec.interactive, "narrow": spec.narrow_interactive,
                          "formatLocale": spec.format_locale, "timeFormatLocale": spec.time_format_locale},
                         ensure_ascii=False, separators=(",", ":"))
    return payload.replace("<", "\\u003c")  # nothing inside may close the <script>


def chart_block(issue_key: str, spec: ChartSpec, drawing: Drawing, urls: Urls) -> ChartBlock:
    """The block of one chart of one page."""
    decl = spec.decl
    prefix = f"chart-{decl.name}"
    lang = urls.config.language(spec.lang)
    width, height = png_size(drawing.pngs[WIDE_PNG]) if WIDE_PNG in drawing.pngs else (0, 0)
    # the email's twin, in CSS pixels
    narrow_png = png_size(drawing.pngs[NARROW_PNG]) if NARROW_PNG in drawing.pngs else (0, 0)
    narrow = standalone_svg(accessible_svg(drawing.narrow_svg, prefix + "-narrow", spec.title, spec.description))
    wide_file = standalone_svg(accessible_svg(drawing.svg, prefix + "-file", spec.title, spec.description))
    narrow_width, narrow_height = svg_size(narrow)
    wide_width, wide_height = svg_size(wide_file)
    return ChartBlock(
        name=decl.name, kind=decl.kind, title=spec.title, description=spec.description, note=spec.note,
        sources=tuple(spec.sources), series=decl.series, start=decl.start, end=decl.end,
        last_date=spec.last_date, figures=tuple(spec.figures),
        svg=accessible_svg(drawing.svg, prefix, spec.title, spec.description),
        narrow_svg=narrow, table=spec.table, payload=interactive_payload(spec),
        png_path=urls.chart(issue_key, decl.name, lang, "png"), width=width, height=height,
        narrow_path=urls.chart(issue_key, decl.name, lang, "narrow.svg"),
        spec_path=urls.chart(issue_key, decl.name, lang, "json"), narrow_width=narrow_width,
        narrow_height=narrow_height, wide_path=urls.chart(issue_key, decl.name, lang, "svg"), wide_file=wide_file,
        wide_width=wide_width, wide_height=wide_height,
        narrow_png_path=urls.chart(issue_key, decl.name, lang, NARROW_PNG) if NARROW_PNG in drawing.pngs else "",
        narrow_png_width=narrow_png[0] // PNG_SCALE, narrow_png_height=narrow_png[1] // PNG_SCALE)


SPEC_BATCH = 100  # issues whose specs are built and drawn at a time: a 2,000-issue site held 12,000 specs


def prepare_charts(issues: list[Issue], store: DataStore, config: Config, translations_dir: Path,
                   fonts_dir: Path, cache: Cache, problems: Problems, feeds: frozenset[str] | None = None) -> ChartSet:
    """Read every charts.yaml, build the specs per language, draw them; collect problems.

    Specs are built and drawn SPEC_BATCH issues at a time, so that a big site never holds every
    spec at once; the drawings' PNG twins stay in the cache's files (drawing.Drawing). `feeds`:
    the keys of the issues in the feeds (None: every issue), whose charts all get a wide PNG twin
    (chartset.png_twins).
    """
    result = ChartSet()
    declared = [issue for issue in issues if (issue.src_dir / CHARTS_FILE).is_file()]
    for issue in declared:
        result.declared_in[issue.key] = issue.src_dir / CHARTS_FILE
    locales: dict[str, ChartLocale] = {}
    urls = Urls(config)
    fonts: tuple[list[Path], str] | None = None
    for first in range(0, len(declared), SPEC_BATCH):
        owners: list[str] = []
        specs: list[ChartSpec] = []
        twins: list[tuple[str, ...]] = []
        for issue in declared[first:first + SPEC_BATCH]:
            found, failed = issue_specs(issue, store, config, translations_dir, locales, problems)
            specs.extend(found)
            owners.extend([issue.key] * len(found))
            leads = {code: lead_chart(page.body) for code, page in issue.pages.items()}
            twins.extend(png_twins(feeds is None or issue.key in feeds, spec.decl.name == leads[spec.lang])
                         for spec in found)
            for code, names in failed.items():
                if names:  # the page's chart("name") then adds no second problem
                    result.failed[(issue.key, code)] = frozenset(names)
        if not specs:
            continue
        if fonts is None:
            folders, cjk = font_folders(fonts_dir)
            fonts = folders, font_set_key(fonts_dir)
            if not cjk:
                problems.warn(MachineWarning(declared[0].src_dir / CHARTS_FILE, None,
                                             "no CJK font found: Chinese text in chart images will show as boxes",
                                             "install fonts-noto-cjk (scripts/install-system-deps.sh)"))
        drawings, rendered = draw_all([(spec.key(), spec.render_job(pngs)) for spec, pngs in zip(specs, twins,
                                                                                             strict=True)],
                                      cache, *fonts)
        result.rendered += rendered
        place_drawings(result, owners, specs, drawings, urls)
    return result


def place_drawings(result: ChartSet, owners: list[str], specs: list[ChartSpec], drawings: list[Drawing],
                   urls: Urls) -> None:
    """Each drawing's block, and its PNG twins as files of the set (the other files are the
    block's text: ChartSet.outputs())."""
    for issue_key, spec, drawing in zip(owners, specs, drawings, strict=True):
        block = chart_block(issue_key, spec, drawing, urls)
        result.blocks.setdefault((issue_key, spec.lang), {})[block.name] = block
        for twin, png in drawing.pngs.items():
            result.files[urls.chart(issue_key, block.name, urls.config.language(spec.lang), twin)] = png
