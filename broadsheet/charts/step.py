"""The chart step of a build: every issue's charts.yaml → specs → drawings → `ChartBlock`s."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from broadsheet.charts import CHARTS_FILE
from broadsheet.charts.blocks import ChartBlock, chart_block
from broadsheet.charts.decls import read_chart_decls
from broadsheet.charts.engine import draw_all
from broadsheet.charts.fonts import font_folders, font_set_key
from broadsheet.charts.locale import ChartLocale, chart_locale
from broadsheet.core.errors import FigureError, FigureProblems, SourceError
from broadsheet.core.output import Output
from broadsheet.core.urls import Urls
from broadsheet.figures.lookahead import issue_as_of

if TYPE_CHECKING:
    from broadsheet.charts.spec import ChartSpec
    from broadsheet.content.issues import Issue
    from broadsheet.core.cache import Cache
    from broadsheet.core.config import Config
    from broadsheet.core.errors import Problems
    from broadsheet.data.store import DataStore



@dataclass
class PageCharts:
    """The chart() function of one page, and the charts it placed, in order."""

    blocks: dict[str, ChartBlock]
    declared_in: Path | None
    placed: list[ChartBlock] = field(default_factory=list)

    def chart(self, name: str) -> ChartBlock:
        """Place the chart declared as `name` in charts.yaml (a block between paragraphs)."""
        if not isinstance(name, str):
            raise FigureError(f"chart() takes the chart's name, got {name!r}"[:120])
        found = self.blocks.get(name)
        if found is None:
            if self.declared_in is None:
                raise FigureError(f"no chart {name!r}: this issue has no {CHARTS_FILE}",
                                  f"declare it in {CHARTS_FILE} beside the Markdown files")
            known = ", ".join(sorted(self.blocks)) or "none"
            raise FigureError(f"unknown chart {name!r}", f"charts in {CHARTS_FILE}: {known}")
        if found not in self.placed:
            self.placed.append(found)
        return found


@dataclass
class ChartSet:
    """The drawn charts of some issues: blocks by (issue key, language code), PNG twins by path."""

    blocks: dict[tuple[str, str], dict[str, ChartBlock]] = field(default_factory=dict)
    # site path → PNG twin (a file of the cache, when there is one)
    files: dict[str, bytes | Path] = field(default_factory=dict)
    declared_in: dict[str, Path] = field(default_factory=dict)
    rendered: int = 0  # charts drawn by this build (cache misses)

    def for_page(self, issue_key: str, code: str) -> PageCharts:
        """The chart() function for one page."""
        return PageCharts(self.blocks.get((issue_key, code), {}), self.declared_in.get(issue_key))

    def of_issue(self, issue_key: str) -> ChartSet:
        """The part of the set that belongs to one issue (what the cache keeps per issue)."""
        blocks = {k: v for k, v in self.blocks.items() if k[0] == issue_key}
        paths = {p for found in blocks.values() for b in found.values() for p in (b.png_path, b.narrow_path,
                                                                               b.spec_path, b.wide_path)}
        declared = {issue_key: self.declared_in[issue_key]} if issue_key in self.declared_in else {}
        return ChartSet(blocks, {p: d for p, d in self.files.items() if p in paths}, declared)

    def merge(self, other: ChartSet) -> None:
        """Add another set's charts (from the cache or another batch)."""
        self.blocks.update(other.blocks)
        self.files.update(other.files)
        self.declared_in.update(other.declared_in)

    def outputs(self) -> list[Output]:
        """The files of the charts: PNG twins, narrow and wide drawings, interactive specs (the
        text files are encoded from the blocks here, so that a set does not hold them twice)."""
        files = dict(self.files)
        for found in self.blocks.values():
            for block in found.values():
                files.setdefault(block.narrow_path, block.narrow_svg.encode("utf-8"))
                files.setdefault(block.wide_path, block.wide_file.encode("utf-8"))
                files.setdefault(block.spec_path, block.payload.encode("utf-8"))
        return [Output(path, data) for path, data in sorted(files.items())]


def _specs_of(issue: Issue, store: DataStore, config: Config, translations_dir: Path, locales: dict[str, ChartLocale],
              problems: Problems) -> list[ChartSpec]:
    """Every chart of an issue in every language it is written in."""
    from broadsheet.charts.spec import build_spec, check_data_range, last_data_date  # pandas and Altair: only to draw

    path = issue.src_dir / CHARTS_FILE
    as_of = issue_as_of(issue)
    decls, errors = read_chart_decls(path, store.catalog, list(issue.pages), as_of)
    for decl in decls:
        errors.extend(check_data_range(decl, store))
        last = last_data_date(decl, store) if not errors else None
        if last is not None and last > as_of:  # a macro chart's month whose release came later
            errors.append(SourceError(decl.src_path, decl.text_lines.get("end", decl.line),
                                      f"chart {decl.name!r} shows data of {last}, after the issue's as-of date {as_of}",
                                      "end the chart earlier, or set `as_of:` in the front matter"))
    for err in errors:
        problems.error(err)
    if errors:
        return []
    specs: list[ChartSpec] = []
    for code in issue.pages:
        loc = locales.setdefault(code, chart_locale(config.language(code), translations_dir))
        for decl in decls:
            try:
                specs.append(build_spec(decl, store, loc))
            except FigureProblems as many:
                for err in many.errors:
                    problems.error(err)
            except FigureError as exc:
                problems.error(SourceError(decl.src_path, decl.line, f"chart {decl.name!r}: {exc.message}", exc.hint))
    return specs


SPEC_BATCH = 100  # issues whose specs are built and drawn at a time: a 2,000-issue site held 12,000 specs


def prepare_charts(issues: list[Issue], store: DataStore, config: Config, translations_dir: Path,
                   fonts_dir: Path, cache: Cache, problems: Problems) -> ChartSet:
    """Read every charts.yaml, build the specs per language, draw them; collect problems.

    Specs are built and drawn SPEC_BATCH issues at a time, so that a big site never holds every
    spec at once; the drawings' PNG twins stay in the cache's files (engine.Drawing).
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
        for issue in declared[first:first + SPEC_BATCH]:
            found = _specs_of(issue, store, config, translations_dir, locales, problems)
            specs.extend(found)
            owners.extend([issue.key] * len(found))
        if not specs:
            continue
        if fonts is None:
            folders, cjk = font_folders(fonts_dir)
            fonts = folders, font_set_key(fonts_dir)
            if not cjk:
                problems.warn(SourceError(declared[0].src_dir / CHARTS_FILE, None,
                                          "no CJK font found: Chinese text in chart images will show as boxes",
                                          "install fonts-noto-cjk (scripts/install-system-deps.sh)"))
        drawings, rendered = draw_all(specs, cache, *fonts)
        result.rendered += rendered
        for issue_key, spec, drawing in zip(owners, specs, drawings, strict=True):
            block = chart_block(issue_key, spec, drawing, urls)
            result.blocks.setdefault((issue_key, spec.lang), {})[block.name] = block
            result.files[block.png_path] = drawing.png  # the other files are the block's text (outputs())
    return result
