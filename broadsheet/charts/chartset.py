"""The drawn charts of a build as data: `ChartSet` (by issue and language) and a page's `PageCharts`.

The cache keeps a set per issue (pickled); a build that takes them from it places them without
pandas, Altair or vl-convert, which only step.py (the drawing) loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.charts import CHARTS_FILE
from broadsheet.charts.blocks import ChartBlock
from broadsheet.charts.decls import ALL_CHARTS
from broadsheet.charts.drawing import NARROW_PNG, WIDE_PNG
from broadsheet.core.errors import FigureError, ReportedElsewhere
from broadsheet.core.output import Output
from broadsheet.figures.expressions import LiteralCall, expressions_in

# The PNG twins the outputs link, so the ones a build draws (drawing.WIDE_PNG, NARROW_PNG): a
# twin no output links is not drawn (0.04 s of CPU each), and a twin an output links always is.
# - the narrow twin of every chart: the email (templates/partials/chart-email.html), whose reader
#   holds a phone: shown 350 px wide, its axis labels stay at least 11 px (the wide twin's: 7 px);
# - the wide twin of every chart of an issue in the feeds (chart-feed.html; the newest
#   plan.FEED_LIMIT issues of each language), and of the first chart each page places: its share
#   card (outputs/sharing.py) and, for the newest issue, the home page's lead. lead_chart() names
#   that chart from the page's Markdown, before anything is evaluated.
# The plan puts both in each issue's chart key (an issue that enters the feeds, a page whose first
# chart changes: its charts are drawn again); the twins are part of each drawing's key.
EVERY_CHART: tuple[str, ...] = (NARROW_PNG,)
IN_FEEDS: tuple[str, ...] = (WIDE_PNG,)
LEAD: tuple[str, ...] = (WIDE_PNG,)


def png_twins(in_feeds: bool, lead: bool) -> tuple[str, ...]:
    """The PNG twins drawn for one chart of one page (in a fixed order: they are part of its key)."""
    wanted = {*EVERY_CHART, *(IN_FEEDS if in_feeds else ()), *(LEAD if lead else ())}
    return tuple(twin for twin in (WIDE_PNG, NARROW_PNG) if twin in wanted)


def lead_chart(body: str) -> str | None:
    """The chart a page's Markdown places first: the name in its first `{{ chart("name") }}`, which
    is `ChartSet.for_page(…).placed[0]` once the page is assembled (every expression is evaluated
    in order, in comments and code too; a chart() that fails fails the build). None: no chart."""
    if "chart" not in body:
        return None
    for found in expressions_in(body):
        call = found.call() if "chart" in found.source else None
        if isinstance(call, LiteralCall) and call.name == "chart":
            name = call.args[0] if call.args else dict(call.kwargs).get("name")
            return name if isinstance(name, str) else None
    return None


@dataclass
class PageCharts:
    """The chart() function of one page, and the charts it placed, in order."""

    blocks: dict[str, ChartBlock]
    declared_in: Path | None
    placed: list[ChartBlock] = field(default_factory=list)
    failed: frozenset[str] = frozenset()  # charts whose own problems were reported (ALL_CHARTS: the file's)

    def chart(self, name: str) -> ChartBlock:
        """Place the chart declared as `name` in charts.yaml (a block between paragraphs)."""
        if not isinstance(name, str):
            raise FigureError(f"chart() takes the chart's name, got {name!r}"[:120])
        found = self.blocks.get(name)
        if found is None and (name in self.failed or ALL_CHARTS in self.failed):
            raise ReportedElsewhere(f"chart {name!r} failed in {CHARTS_FILE}")
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
    # (issue key, language code) → the charts that failed there, each reported at its own line
    failed: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    def for_page(self, issue_key: str, code: str) -> PageCharts:
        """The chart() function for one page."""
        return PageCharts(self.blocks.get((issue_key, code), {}), self.declared_in.get(issue_key),
                          failed=self.failed.get((issue_key, code), frozenset()))

    def of_issue(self, issue_key: str) -> ChartSet:
        """The part of the set that belongs to one issue (what the cache keeps per issue)."""
        blocks = {k: v for k, v in self.blocks.items() if k[0] == issue_key}
        # the issue's chart folders (one a language): its PNG twins are the files there
        folders = {b.png_path.rpartition("/")[0] for found in blocks.values() for b in found.values()}
        declared = {issue_key: self.declared_in[issue_key]} if issue_key in self.declared_in else {}
        failed = {k: v for k, v in self.failed.items() if k[0] == issue_key}
        return ChartSet(blocks, {p: d for p, d in self.files.items() if p.rpartition("/")[0] in folders}, declared,
                        failed=failed)

    def merge(self, other: ChartSet) -> None:
        """Add another set's charts (from the cache or another batch)."""
        self.blocks.update(other.blocks)
        self.files.update(other.files)
        self.declared_in.update(other.declared_in)
        self.failed.update(other.failed)

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
