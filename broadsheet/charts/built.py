"""What a chart kind's builder returns: the Altair chart, its data table and an optional key note.

No pandas and no Altair here: a placed chart (blocks.ChartBlock) keeps its `Table`, and a chart
set taken from the cache is unpickled without loading the builders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import altair as alt


@dataclass
class Table:
    """The numbers behind a chart, formatted for the page's language."""

    columns: list[str]
    rows: list[list[str]]


@dataclass
class Built:
    """What a builder returns: the Altair chart, its data table and an optional key note."""

    chart: alt.TopLevelMixin  # a Chart, LayerChart or FacetChart
    table: Table
    note: str = ""
