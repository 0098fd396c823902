"""Range figures (the week's low and high, and their days), the gap between two changes, and a
day's change asked on a closed day. Closes from data/: SP500 in the week of 2025-04-07 closed at
5,062.25, 4,982.77 (4/8, the low), 5,456.90 (4/9, the high), 5,268.05, 5,363.36."""

from __future__ import annotations

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup

from broadsheet.core.errors import BuildFailed, FigureError, NoDataForDate
from broadsheet.core.i18n import NumberFormatter
from broadsheet.figures.functions import FigureFunctions
from conftest import build_into

ISSUE = "2025-04-13-range"
FOLDER = f"content/issues/{ISSUE}/"

ZH = """\
---
title: 低點與高點
date: 2025-04-13
summary: 一週的低點與高點。
slug: range
---
## 美股

標普500 本週在 {{ low_date("SP500", "2025-04-07", "2025-04-11") }}收在低點
{{ low("SP500", "2025-04-07", "2025-04-11") }},
{{ high_date("SP500", "2025-04-07", "2025-04-11") }}收在高點 {{ high("SP500", "2025-04-07", "2025-04-11", digits=0) }}。
那斯達克本週比標普500 多漲 {{ gap_pct("NASDAQCOM", "SP500", "2025-04-04", "2025-04-11", move="up") }} 個百分點。
"""

EN = """\
---
title: The low and the high
date: 2025-04-13
summary: The week's low and high.
slug: range
---
## Stocks

The S&P 500 closed at its low of the week, {{ low("SP500", "2025-04-07", "2025-04-11") }},
on {{ low_date("SP500", "2025-04-07", "2025-04-11") }},
and at its high, {{ high("SP500", "2025-04-07", "2025-04-11", digits=0) }},
on {{ high_date("SP500", "2025-04-07", "2025-04-11") }}.
The Nasdaq rose {{ gap_pct("NASDAQCOM", "SP500", "2025-04-04", "2025-04-11", move="up") }} percentage points
more than the S&P 500.
"""


def figures_of(out, prefix: str = "") -> list:
    page = BeautifulSoup((out / prefix / "issues" / ISSUE / "index.html").read_text(encoding="utf-8"), "html.parser")
    return page.select(".issue-body .fig")


def receipt(figure) -> str:
    """The plain-language receipt a figure's button opens (its popover)."""
    return figure.find_parent("html").find(id=figure["aria-describedby"]).get_text(" ", strip=True)


def test_the_weeks_low_and_high_and_their_days_in_both_editions(make_site) -> None:
    out = build_into(make_site({FOLDER + "zh-Hant.md": ZH, FOLDER + "en.md": EN}, with_sample_issue=False))
    zh, en = figures_of(out), figures_of(out, "en")
    assert [f.get_text() for f in zh] == ["4 月 8 日", "4,982.77", "4 月 9 日", "5,457", "1.6"]
    assert [f.get_text() for f in en] == ["4,982.77", "April 8", "5,457", "April 9", "1.6"]
    # the receipt names the range and the day the extreme was made
    low = receipt(zh[1])
    assert "標普 500 指數，2025年4月7日至2025年4月11日間的最低收盤：2025年4月8日收盤 4,982.77" in low
    assert "標普 500 指數，2025年4月7日至2025年4月11日間的最高收盤：2025年4月9日收盤 5,456.9" in receipt(zh[2])
    assert ("S&P 500, lowest close from April 7, 2025 to April 11, 2025: 4,982.77 (April 8, 2025 close)"
            in receipt(en[0]))
    assert zh[1]["value"] == "4982.77" and zh[0]["value"] == "2025-04-08"  # low_date's value is its day
    # the gap: Nasdaq +7.29% (15,587.79 → 16,724.46), S&P 500 +5.70% (5,074.08 → 5,363.36)
    gap = receipt(zh[4])
    assert gap.startswith("那斯達克綜合指數：2025年4月4日收盤 15,587.79 → 2025年4月11日收盤 16,724.46；"
                          "標普 500 指數：2025年4月4日收盤 5,074.08 → 2025年4月11日收盤 5,363.36")
    rows = list(csv.DictReader(io.StringIO((out / "issues" / ISSUE / "data.csv").read_text(encoding="utf-8"))))
    assert [(r["function"], r["dates"], r["span"]) for r in rows[:2]] == [
        ("low_date", "2025-04-08", "2025-04-07|2025-04-11"), ("low", "2025-04-08", "2025-04-07|2025-04-11")]
    doc = json.loads((out / "issues" / ISSUE / "data.json").read_text(encoding="utf-8"))
    assert doc["figures"][3]["span"] == ["2025-04-07", "2025-04-11"]


def test_a_range_after_the_as_of_date_is_look_ahead(make_site) -> None:
    # the low of 4/7 … 4/17 is 4/8's, but the range reads closes the author of a 4/11 issue had not seen
    text = ZH.replace("slug: range", "slug: range\nas_of: 2025-04-11").replace(
        'low("SP500", "2025-04-07", "2025-04-11")', 'low("SP500", "2025-04-07", "2025-04-17")')
    with pytest.raises(BuildFailed) as failed:
        build_into(make_site({FOLDER + "zh-Hant.md": text}, with_sample_issue=False))
    assert [p.message for p in failed.value.problems] == [
        '{{ low("SP500", "2025-04-07", "2025-04-17") }}: uses data of 2025-04-17, after the issue\'s as-of '
        "date 2025-04-11"]


def test_day_pct_on_a_closed_day_names_the_day_it_belongs_to(make_site) -> None:
    text = ZH.split("## 美股")[0] + '## 美股\n\n受難日 {{ day_pct("SP500", "2025-04-18", closed="previous") }}。\n'
    root = make_site({FOLDER + "zh-Hant.md": text}, with_sample_issue=False)
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    assert [p.format(root) for p in failed.value.problems] == [
        f'{FOLDER}zh-Hant.md:9: {{{{ day_pct("SP500", "2025-04-18", closed="previous") }}}}: SP500 has no change '
        "on 2025-04-18: NYSE closed, Good Friday; the last trading day's change is "
        'day_pct("SP500", "2025-04-17") (closed="previous" takes the last close, not its change: write that '
        'day, or quote the week with week_pct(…, closed="previous"))']


@pytest.mark.unit
def test_levels_and_weeks_still_take_the_previous_close_on_a_closed_day(store) -> None:
    en = FigureFunctions(store, NumberFormatter("en_US"))
    assert en.level("SP500", "2025-04-18", closed="previous") == "5,282.70"
    assert en.week_pct("SP500", "2025-04-18", closed="previous") == "-1.5%"
    assert en.day_pct("SP500", "2025-04-17", closed="previous") == "0.1%"  # a trading day: its own change
    with pytest.raises(NoDataForDate, match=r'Saturday; the last trading day\'s change is day_points\("SP500", '
                                            r'"2025-04-11"\)'):
        en.day_points("SP500", "2025-04-12", closed="previous")
    with pytest.raises(NoDataForDate, match=r"2025-01-09: NYSE closed, Thursday, an exchange holiday; .*"
                                            r'day_pct\("DGS10", "2025-01-08"\)'):
        en.day_pct("DGS10", "2025-01-09", closed="previous")


@pytest.mark.unit
def test_a_range_is_every_trading_day_inside_it(store) -> None:
    zh = FigureFunctions(store, NumberFormatter("zh_Hant_TW"))
    # the weekend and Good Friday around the week are no trading days, so the range is the same
    assert zh.low("SP500", "2025-04-05", "2025-04-13") == zh.low("SP500", "2025-04-07", "2025-04-11")
    assert zh.high("SP500", "2025-01-02", "2025-04-18") == "6,144.15"  # 2025-02-19, the high before the slide
    assert zh.high_date("SP500", "2025-01-02", "2025-04-18") == "2 月 19 日"
    assert zh.uses[-1].span[-1].isoformat() == "2025-04-17"  # Good Friday ends nothing
    assert zh.low("DGS10", "2025-04-01", "2025-04-11") == "4.01%"  # a yield prints as level does
    assert zh.low("SP500", "2025-04-07", "2025-04-11", digits=0, rounding="down", grouping=False) == "4982"


@pytest.mark.unit
@pytest.mark.parametrize(("args", "error", "message"), [
    (("SP500", "2025-04-12", "2025-04-13"), NoDataForDate, "SP500 has no trading day from 2025-04-12 to 2025-04-13"),
    (("SP500", "2025-04-11", "2025-04-07"), FigureError, "the range 2025-04-11 … 2025-04-07 ends before it starts"),
    (("SP500", "2025-04-14", "2025-04-25"), NoDataForDate, "SP500 has no data for 2025-04-21"),
    (("SPX", "2025-04-07", "2025-04-11"), FigureError, "unknown series 'SPX'"),
])
def test_a_range_without_every_close_is_refused(store, args, error, message) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(")):
        FigureFunctions(store, NumberFormatter("en_US")).low(*args)


@pytest.mark.unit
def test_the_gap_between_two_changes_in_percentage_points(store) -> None:
    en = FigureFunctions(store, NumberFormatter("en_US"))
    # the week to 4/4: Nasdaq -10.02%, S&P 500 -9.08%: the Nasdaq fell 0.9 points more
    assert en.gap_pct("NASDAQCOM", "SP500", "2025-03-28", "2025-04-04") == "-0.9"
    assert en.gap_pct("NASDAQCOM", "SP500", "2025-03-28", "2025-04-04", move="down", digits=2) == "0.93"
    assert en.gap_pct("SP500", "NASDAQCOM", "2025-03-28", "2025-04-04", sign=True) == "+0.9"
    with pytest.raises(FigureError, match="the text says NASDAQCOM against SP500 moved up, but the data says it fell"):
        en.gap_pct("NASDAQCOM", "SP500", "2025-03-28", "2025-04-04", move="up")
    assert {u.series for u in en.uses[-2:]} == {"NASDAQCOM", "SP500"}  # it read both
