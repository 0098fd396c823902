"""The `curve` chart kind, and weekly `moves` that count trading days (the week of Good Friday)."""

from __future__ import annotations

import pytest

from broadsheet.charts.decls import read_chart_decls
from broadsheet.charts.locale import chart_locale
from broadsheet.charts.spec import build_spec
from broadsheet.core.config import load_config
from broadsheet.core.errors import NoDataForDate
from broadsheet.data.store import load_data
from conftest import ROOT

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)


DECLS = """\
curve:
  kind: curve
  series: [DGS2, DGS10, DGS30]
  start: 2025-04-04
  end: 2025-04-11
  title: {zh-Hant: 殖利率曲線, en: The Treasury curve}
  options: {also: 2025-04-08}
weekly:
  kind: moves
  series: [SP500]
  start: 2025-04-07
  end: 2025-04-18
  title: {zh-Hant: 每週漲跌, en: Weekly moves}
  options: {step: week}
good-friday:
  kind: curve
  series: [DGS2, DGS10]
  start: 2025-04-11
  end: 2025-04-18
  title: {zh-Hant: 休市, en: Closed}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = load_data(ROOT / "data")
    path = tmp_path_factory.mktemp("curve") / "charts.yaml"
    path.write_text(DECLS, encoding="utf-8")
    decls, errors = read_chart_decls(path, store.catalog, ["zh-Hant", "en"])
    assert errors == []
    loc = chart_locale(load_config(ROOT / "site.yaml").language("en"), ROOT / "translations")
    return {d.name: d for d in decls}, store, loc


def test_the_curve_on_three_dates(built) -> None:
    decls, store, loc = built
    spec = build_spec(decls["curve"], store, loc)
    points = spec.spec["data"]["values"] if "data" in spec.spec else spec.spec["layer"][0]["data"]["values"]
    by = {(p["date"], p["maturity"]): p["value"] for p in points}
    assert len(by) == 9
    # 10-year 4.01% on 4/4, 4.26% on 4/8, 4.48% on 4/11 (data/markets.csv)
    assert [v for (d, m), v in by.items() if m == "10-year"] == [0.0401, 0.0426, 0.0448]
    assert spec.table.rows[1] == ["10-year", "4.01%", "4.26%", "4.48%"]


def test_a_curve_on_a_holiday_names_it(built) -> None:
    decls, store, loc = built
    with pytest.raises(NoDataForDate, match="2025-04-18: NYSE closed, Good Friday"):
        build_spec(decls["good-friday"], store, loc)


def test_the_weekly_moves_include_the_week_that_ends_on_thursday(built) -> None:
    decls, store, loc = built
    spec = build_spec(decls["weekly"], store, loc)
    table = spec.table.rows
    assert [row[0] for row in table][-1].endswith("Apr 17")  # the holiday-shortened week is there
    assert len(table) == 2  # weeks to 4/11 and 4/17
    # 5,363.36 (4/11) → 5,282.70 (4/17) = -1.50%, the same as week_pct(..., closed="previous")
    assert table[-1][1] == "-1.50%"
