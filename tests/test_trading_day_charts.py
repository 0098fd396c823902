"""Charts on trading days: a daily chart's x axis holds the days its series traded, its ticks fall on
them, a series' line breaks on a day it did not trade, bar labels take `digits`, and English days
read "Apr 9". Checked on the chart specs the built site ships (charts/<name>.json), not on pixels."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.charts.decls import read_chart_decls
from broadsheet.charts.kinds.days import tick_days
from broadsheet.charts.locale import chart_locale
from broadsheet.charts.spec import build_spec
from broadsheet.core.config import load_config
from broadsheet.core.i18n import NumberFormatter
from broadsheet.data import calendars
from broadsheet.data.store import load_data
from broadsheet.figures.functions import FigureFunctions
from conftest import ROOT, build_into, sample_project, write_files

D = dt.date
ISSUE = "2025-04-20-days"
FOLDER = f"content/issues/{ISSUE}/"
PAGE = """\
---
title: 交易日
date: 2025-04-20
summary: 只畫交易日。
slug: days
---
## 圖表

標普500 4/9 上漲 {{ day_pct("SP500", "2025-04-09", digits=2, sign=True) }}。

{{ chart("spx") }}

{{ chart("moves") }}

{{ chart("moves-default") }}
"""
CHARTS = """\
spx:
  kind: line
  series: [SP500]
  start: 2025-01-02
  title: {zh-Hant: 標普500, en: The S&P 500}
moves:
  kind: moves
  series: [SP500]
  start: 2025-04-07
  end: 2025-04-11
  title: {zh-Hant: 每日漲跌, en: Daily moves}
  options: {digits: 2}
moves-default:
  kind: moves
  series: [SP500]
  start: 2025-04-07
  end: 2025-04-11
  title: {zh-Hant: 每日漲跌, en: Daily moves}
"""


def shipped_specs(out: Path, lang: str) -> dict[str, dict]:
    """Each chart's static-equivalent spec as the page's script fetches it, by chart name."""
    prefix = "en/" if lang == "en" else ""
    page = BeautifulSoup((out / f"{prefix}issues/{ISSUE}/index.html").read_text("utf-8"), "html.parser")
    found = {}
    for holder in page.select("[data-spec]"):
        path = out / holder["data-spec"].removeprefix("/broadsheet/")
        found[path.stem] = json.loads(path.read_text("utf-8"))["spec"]
    return found


def units(spec: dict, data: dict | None = None) -> list[dict]:
    """The unit specs of a spec, in order; one that draws the data of the layer around it (the
    shipped specs' nearest-point layers, kinds/lines.py) carries that data as its own."""
    data = spec.get("data", data)
    inner = spec.get("spec", spec)
    data = inner.get("data", data)
    found = []
    for part in inner.get("layer", [inner]):
        if "layer" in part:
            found.extend(units(part, data))
        else:
            found.append({"data": data, **part} if data is not None and "data" not in part else part)
    return found


def rows(spec: dict) -> list[dict]:
    return spec.get("data", {}).get("values") or next(u["data"]["values"] for u in units(spec) if "data" in u)


def axis_labels(x: dict) -> dict[str, str]:
    """The label the axis writes at each tick, read from its labelExpr ([labels][indexof([days], …)])."""
    labels, days = re.match(r"(\[.*?\])\[indexof\((\[.*?\]), datum\.value\)\]$", x["axis"]["labelExpr"]).groups()
    return dict(zip(json.loads(days), json.loads(labels), strict=True))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fresh_cache: Path) -> Path:
    root = sample_project(tmp_path_factory.mktemp("days") / "project", fresh_cache, with_sample_issue=False)
    write_files(root, {FOLDER + "zh-Hant.md": PAGE, FOLDER + "en.md": PAGE, FOLDER + "charts.yaml": CHARTS})
    return build_into(root)


@pytest.mark.parametrize("lang", ["zh-Hant", "en"])
def test_a_line_is_drawn_on_trading_days_only(built: Path, lang: str) -> None:
    line = units(shipped_specs(built, lang)["spx"])[0]
    x = line["encoding"]["x"]
    sessions = [d.isoformat() for d in calendars.sessions("XNYS", D(2025, 1, 2), D(2025, 4, 17))]
    # one point per NYSE trading day, in order: neighbours on the axis are neighbouring sessions, so
    # no segment spans a closed day (Carter's day of mourning 1/9, the weekends, Good Friday 4/18)
    assert x["scale"] == {"type": "point", "domain": sessions, "padding": 0.3}
    assert "2025-01-09" not in sessions and "2025-04-18" not in sessions and "2025-04-05" not in sessions
    assert {r["date"] for r in rows(line)} == set(sessions)
    assert line["mark"]["invalid"] == "break-paths-filter-domains"  # a null close breaks the line
    # ticks and labels on trading days only, in the page's language
    ticks = axis_labels(x)
    assert list(ticks) == x["axis"]["values"] and set(ticks) <= set(sessions)
    assert ticks == ({"2025-01-02": "Jan 2", "2025-02-03": "Feb 3", "2025-03-03": "Mar 3", "2025-04-01": "Apr 1"}
                     if lang == "en" else {"2025-01-02": "1/2", "2025-02-03": "2/3", "2025-03-03": "3/3",
                                           "2025-04-01": "4/1"})


@pytest.mark.parametrize("lang", ["zh-Hant", "en"])
def test_bar_labels_take_digits_and_match_the_prose(built: Path, lang: str) -> None:
    specs = shipped_specs(built, lang)
    by_day = {r["period"].split("\n")[0]: r["label"] for r in rows(specs["moves"])}
    nine = "Apr 9" if lang == "en" else "4/9"
    figure = FigureFunctions(load_data(ROOT / "data"), NumberFormatter("en_US"))
    assert by_day[nine] == "+9.52%" == figure.day_pct("SP500", "2025-04-09", digits=2, sign=True)
    assert by_day["Apr 8" if lang == "en" else "4/8"] == "-1.57%"
    assert {r["period"].split("\n")[0]: r["label"] for r in rows(specs["moves-default"])}[nine] == "+9.5%"
    text = next(u for u in units(specs["moves"]) if u.get("name") == "value_up")
    assert text["encoding"]["text"] == {"field": "label", "type": "nominal"}  # Babel's text, not d3's
    # the prose beside the chart prints the same
    prefix = "en/" if lang == "en" else ""
    page = BeautifulSoup((built / f"{prefix}issues/{ISSUE}/index.html").read_text("utf-8"), "html.parser")
    assert page.select_one(".issue-body .fig").get_text() == "+9.52%"


def test_a_day_one_series_did_not_trade_breaks_its_line(make_site) -> None:
    """The S&P 500 without its closes of 4/3 and 4/4 (as the TWSE was closed those days) beside the
    Nasdaq, which has them: the S&P 500's line breaks there instead of crossing them."""
    root = make_site({FOLDER + "zh-Hant.md": PAGE.split("{{ chart")[0] + '{{ chart("both") }}\n',
                      FOLDER + "charts.yaml": "both:\n  kind: rebased\n  series: [SP500, NASDAQCOM]\n"
                                              "  start: 2025-04-01\n  end: 2025-04-11\n"
                                              "  title: {zh-Hant: 兩個市場}\n"}, with_sample_issue=False)
    path = root / "data/markets.csv"
    path.write_text("".join(ln for ln in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not ln.startswith(("2025-04-03,SP500,", "2025-04-04,SP500,"))), encoding="utf-8")
    line = units(shipped_specs(build_into(root), "zh-Hant")["both"])[0]
    values = {(r["date"], r["series"]): r["value"] for r in rows(line)}
    assert values[("2025-04-03", "標普500")] is None and values[("2025-04-04", "標普500")] is None
    assert values[("2025-04-02", "標普500")] is not None and values[("2025-04-07", "標普500")] is not None
    assert all(values[(d, "那斯達克")] is not None for d in ("2025-04-03", "2025-04-04"))
    assert line["encoding"]["x"]["scale"]["domain"][:5] == ["2025-04-01", "2025-04-02", "2025-04-03",
                                                            "2025-04-04", "2025-04-07"]


@pytest.mark.unit
def test_moves_of_series_on_different_calendars_keep_their_own_days(tmp_path: Path) -> None:
    store, config = load_data(ROOT / "data"), load_config(ROOT / "site.yaml")
    path = tmp_path / "charts.yaml"
    path.write_text("mixed:\n  kind: moves\n  series: [SP500, DGS10]\n  start: 2025-04-07\n  end: 2025-04-11\n"
                    "  title: {en: x}\nsame:\n  kind: moves\n  series: [SP500, DJIA]\n  start: 2025-04-07\n"
                    "  end: 2025-04-11\n  title: {en: x}\n", encoding="utf-8")
    decls, errors = read_chart_decls(path, store.catalog, ["en"])
    loc = chart_locale(config.language("en"), ROOT / "translations")
    assert errors == []
    mixed, same = (build_spec(d, store, loc).spec for d in decls)
    assert mixed["resolve"]["scale"]["x"] == "independent"  # NYSE days and the bond market's days
    assert "x" not in same.get("resolve", {}).get("scale", {})  # one calendar: the panels share their days


@pytest.mark.unit
def test_ticks_are_trading_days() -> None:
    week = calendars.sessions("XNYS", D(2025, 4, 14), D(2025, 4, 20))  # Good Friday closed
    assert tick_days(week, 6) == [D(2025, 4, 14), D(2025, 4, 15), D(2025, 4, 16), D(2025, 4, 17)]
    two_weeks = calendars.sessions("XNYS", D(2025, 4, 1), D(2025, 4, 17))
    assert tick_days(two_weeks, 6) == two_weeks[::2] and D(2025, 4, 4) not in tick_days(two_weeks, 6)
    quarter = calendars.sessions("XNYS", D(2025, 1, 1), D(2025, 4, 17))
    assert tick_days(quarter, 6) == [D(2025, 1, 2), D(2025, 2, 3), D(2025, 3, 3), D(2025, 4, 1)]  # 1/1 closed
    years = calendars.sessions("XNYS", D(2015, 1, 1), D(2025, 4, 17))
    assert all(calendars.is_session("XNYS", d) for d in tick_days(years, 4)) and len(tick_days(years, 4)) <= 5
