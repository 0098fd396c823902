"""Directional and threshold claims, quotations and the English style list, on the first issue's data."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from broadsheet.checks.claim_words import ClaimWords, load_claim_words
from broadsheet.checks.claims_direction import check_page_claims, check_text_claims
from broadsheet.checks.english_style import EnglishStyle, load_english_style
from broadsheet.checks.language import LanguageRules, lint_file
from broadsheet.checks.quotations import check_quotations
from broadsheet.content.issues import read_page
from broadsheet.data.store import DataStore
from broadsheet.pages.provenance import Provenance, with_quotations
from conftest import ROOT

pytestmark = pytest.mark.unit
ISSUE_DATE = dt.date(2025, 4, 13)  # the first issue's: its week is 2025-04-07 to 04-11


@pytest.fixture(scope="module")
def words() -> ClaimWords:
    found, errors = load_claim_words(ROOT / "content")
    assert errors == [] and found is not None
    return found


def claims(text: str, lang: str, store: DataStore, words: ClaimWords) -> list[str]:
    return check_text_claims(text, lang, ISSUE_DATE, store, words)


@pytest.mark.parametrize(("lang", "text"), [
    ("zh-Hant", "美元指數自 4/4 起持續走高。"),
    ("en", "The dollar index kept rising from April 4."),
])
def test_the_dollar_index_rising_since_april_4_is_contradicted(store, words, lang: str, text: str) -> None:
    [message] = claims(text, lang, store, words)
    # DXY closed 103.02 on 04-04 and 100.10 on 04-11
    assert message.startswith("the sentence says DXY ")
    assert "since 2025-04-04, the data says it fell 2.8% (103.02 → 100.10)" in message


@pytest.mark.parametrize(("lang", "text"), [
    ("zh-Hant", "標普500 本週上漲。"),  # the week to 04-11: +5.7%
    ("en", "The S&P 500 rose this week."),
    ("zh-Hant", "美元指數持續上漲。"),  # no window it can read
    ("en", "The dollar index kept rising."),
    ("zh-Hant", "如果中國大舉換匯出逃,美元指數 4/11 應該會暴跌。"),  # a condition
    ("en", "The dollar index did not rise on April 11."),  # a negation
    ("zh-Hant", "4月11日,美元指數盤中跌破 100。"),  # an intraday extreme: the data holds closes
    ("zh-Hant", "殖利率 4/9 上漲。"),  # a family: no maturity named
])
def test_what_agrees_or_cannot_be_read_is_left_alone(store, words, lang: str, text: str) -> None:
    assert claims(text, lang, store, words) == []


def test_a_weekly_fall_against_the_week_is_contradicted(store, words) -> None:
    [message] = claims("標普500 本週下跌。", "zh-Hant", store, words)
    assert "in the week to 2025-04-11, the data says it rose 5.7% (5,074.08 → 5,363.36)" in message


def test_a_level_the_close_never_crossed(store, words) -> None:
    [message] = claims("On April 11, the dollar index broke below 100.", "en", store, words)
    assert "DXY broke below 100 on 2025-04-11, the data's lowest close was 100.10 (2025-04-11)" in message
    assert claims("On April 11, the dollar index fell below 100 on an intraday basis.", "en", store, words) == []


@pytest.mark.parametrize("lang, text", [
    ("zh-Hant", "4/2 三大指數在川普宣布對等關稅後,血流成河。標普500 下跌{{ a }},那斯達克下跌{{ b }},道瓊下跌{{ c }},"
                "這些下跌幅度已然達到「技術性熊市」門檻。"),
    ("en", "After the tariffs of April 2, the indices slid. The S&P 500 fell {{ a }}, the Nasdaq {{ b }} and the Dow "
           "{{ c }}, declines that reached the threshold of a technical bear market."),
])
def test_the_bear_market_check_names_the_indices_not_20_percent_below_their_high(store, words, lang, text) -> None:
    [message] = claims(text, lang, store, words)
    assert "(SP500) was at most 18.9% below its high" in message
    assert "(DJIA) was at most 16.1% below its high" in message
    assert "(NASDAQCOM) was" not in message  # 23.9% below its high on 04-08: a bear market


def test_a_bear_market_that_was_one_is_not_reported(store, words) -> None:
    assert claims("那斯達克 4 月 4 日收盤跌破 20% 熊市線。", "zh-Hant", store, words) == []


QUOTED = """---
title: Test
date: 2025-04-13
summary: A quotation.
---
JPMorgan CEO Jamie Dimon said: "There will be a kerfuffle in the Treasury markets because of the rules."{source}

The survey calls it a "technical bear market" and nothing more.
"""
SOURCE = (" <!-- source: JPMorgan Chase, first-quarter 2025 earnings call, 2025-04-11,"
          " https://www.jpmorganchase.com/ir/quarterly-earnings -->")


def _page(tmp_path: Path, source: str):
    path = tmp_path / "en.md"
    path.write_text(QUOTED.format(source=source), encoding="utf-8")
    return read_page(path, "en", "2025-04-13-test")


def test_a_quotation_without_a_source_warns(tmp_path: Path, words) -> None:
    [problem] = check_quotations(_page(tmp_path, ""), words)
    assert problem.line == 6 and "has no source" in problem.message
    assert "<!-- source: publication, date, URL -->" in (problem.hint or "")


def test_a_quotation_with_a_source_is_listed_with_the_provenance(tmp_path: Path, words) -> None:
    page = _page(tmp_path, SOURCE)
    assert check_quotations(page, words) == []
    shown = with_quotations(Provenance(as_of=ISSUE_DATE), page).sources
    assert [(s.name, s.url) for s in shown] == [("JPMorgan Chase, first-quarter 2025 earnings call, 2025-04-11",
                                                 "https://www.jpmorganchase.com/ir/quarterly-earnings")]


def test_the_english_style_list() -> None:
    style, errors = load_english_style(ROOT / "content")
    assert errors == []
    assert style.slips("The S&P500 and NASDAQ indexes rose, U.S. yields too.") == [
        ("S&P500", "S&P 500"), ("NASDAQ", "Nasdaq"), ("indexes", "indices"), ("U.S.", "US")]
    assert style.slips("The S&P 500 and Nasdaq indices rose; US yields too.") == []
    assert EnglishStyle({"indexes": "indices"}).slips("reindexes") == []  # whole words only


@pytest.mark.parametrize(("lang", "text"), [
    ("zh-Hant", "供應商交貨指數:從 {{ a }} 降至 {{ b }},交貨速度趨緩,顯示企業對進口原料持保守態度。"),
    ("en", "Supplier deliveries index: down from {{ a }} to {{ b }}, as deliveries slowed."),
])
def test_a_falling_supplier_deliveries_index_read_as_slower_deliveries(store, words, lang: str, text: str) -> None:
    [message] = claims(text, lang, store, words)
    assert "(ISM_SUPPLIER_DELIVERIES rising), the data says it fell from 54.5 to 53.5 (2025-03)" in message
    assert claims("Supplier deliveries index: down, as faster deliveries came in.", "en", store, words) == []


LISTED = """---
title: 測試
date: 2025-04-13
summary: 一則編者註蓋住整個清單。
---
<!-- reviewed: 作者原文,保留。 -->
- 標普500 本週上漲
- 道瓊本週上漲
- 美元指數自 4/4 起持續走高

美元指數自 4/4 起持續走高。
"""


def test_a_note_before_a_list_covers_every_item(tmp_path: Path, store, words) -> None:
    path = tmp_path / "zh-Hant.md"
    path.write_text(LISTED, encoding="utf-8")
    found = check_page_claims(read_page(path, "zh-Hant", "2025-04-13-test"), store, words)
    assert [p.line for p in found] == [11]  # the third item is covered; the paragraph after is not
    path.write_text(LISTED.replace("reviewed:", "keep:").replace("本週上漲", "芯片上漲"), encoding="utf-8")
    assert lint_file(path, LanguageRules()) == []


def test_a_page_of_claims_is_read_in_bounded_time(tmp_path: Path, store, words) -> None:
    """Every clause of 10,000 names a series and a direction: the check compares 500 with the data,
    then says where it stopped (each comparison costs lookups in the data)."""
    path = tmp_path / "zh-Hant.md"
    body = "\n\n".join(["標普500 本週下跌," * 1_000] * 10)
    path.write_text("---\ntitle: t\ndate: 2025-04-13\nsummary: s\n---\n" + body + "\n", encoding="utf-8")
    page = read_page(path, "zh-Hant", "2025-04-13-test")
    started = time.process_time()
    found = check_page_claims(page, store, words)
    assert time.process_time() - started < 3
    assert "the directional check stopped at this line" in found[-1].message and len(found) == 501
