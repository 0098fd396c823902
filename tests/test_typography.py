"""Chinese typography after W3C clreq: full-width punctuation at render time (typography.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.core.typography import full_width_punctuation, punctuate_text
from conftest import ROOT, build_into, halfwidth

ISSUE = "issues/2025-04-13-tariff-shock/"


@pytest.mark.unit
@pytest.mark.parametrize(("source", "shown"), [
    ("<p>是否會真的迎來經濟衰退?讓我們逐一分析。</p>", "<p>是否會真的迎來經濟衰退？讓我們逐一分析。</p>"),
    ("<p>下跌9.1%,那斯達克 下跌10%,道瓊</p>", "<p>下跌9.1%，那斯達克 下跌10%，道瓊</p>"),
    ("<h2>關稅風暴升級:從全國對等到單點中國</h2>", "<h2>關稅風暴升級：從全國對等到單點中國</h2>"),
    ("<p>新訂單指數:45.2;就業指數!</p>", "<p>新訂單指數：45.2；就業指數！</p>"),
    # across inline tags
    ("<p><strong>漲幅</strong>:3%</p>", "<p><strong>漲幅</strong>：3%</p>"),
    # an inline chart's accessible name, like its caption
    ("<svg><title>年增率:實際值</title><text>年增率:實際值</text></svg>",
     "<svg><title>年增率：實際值</title><text>年增率:實際值</text></svg>"),
])
def test_marks_between_chinese_text_become_full_width(source: str, shown: str) -> None:
    assert full_width_punctuation(source) == shown
    assert halfwidth(shown) == source  # nothing else changed


@pytest.mark.unit
@pytest.mark.parametrize("kept", [
    "<p>道瓊 狂漲7.9% 至40,608。</p>",  # a number
    "<p>早上4:30</p>",  # a time
    "<li>護盾人工智能公司 (Shield AI, Inc.)</li>",  # an English phrase
    "<p>English only: yes? no! a, b; c</p>",
    '<p><a href="https://example.com/?q=基,差">https://example.com/?q=基,差</a></p>',  # URLs, attributes
    "<p><code>中,文</code></p><pre>中:文</pre>",  # code
    '<script type="application/json">{"t":"中,文"}</script>',
    "<svg><text>中,文<tspan>中,文</tspan></text></svg>",
    '<p title="中,文">x</p>',
])
def test_numbers_urls_code_attributes_and_english_are_left_alone(kept: str) -> None:
    assert full_width_punctuation(kept) == kept


@pytest.mark.unit
def test_entities_survive() -> None:
    assert full_width_punctuation("<p>S&amp;P 下跌,&lt;中&gt;</p>") == "<p>S&amp;P 下跌，&lt;中&gt;</p>"
    assert punctuate_text("下跌,中") == "下跌，中"


@pytest.fixture(scope="module")
def pages(real_site: Path) -> dict[str, BeautifulSoup]:
    read = lambda p: BeautifulSoup((real_site / p).read_text(encoding="utf-8"), "html.parser")  # noqa: E731
    return {"zh": read(ISSUE + "index.html"), "en": read("en/" + ISSUE + "index.html")}


def test_the_zh_page_shows_full_width_marks_and_the_source_stays(pages: dict[str, BeautifulSoup]) -> None:
    zh = pages["zh"]
    body = zh.select_one(".issue-body").get_text()
    assert "是否會真的迎來經濟衰退？讓我們逐一分析" in body
    assert "道瓊 狂漲7.9% 至40,608。" in body  # the number keeps its comma
    assert "(Shield AI, Inc.)" in body
    assert zh.h1.get_text() == "關稅風暴週：股債匯油齊震，美國資產的信任危機"
    assert "一週美股市場回顧：從熊市邊緣到短暫反彈" in zh.select_one(".toc").get_text()
    # the anchors are the same slugs as before: ids are attributes
    assert zh.find(id="一週美股市場回顧從熊市邊緣到短暫反彈") is not None
    markdown = (ROOT / "content" / "issues" / "2025-04-13-tariff-shock" / "zh-Hant.md").read_text(encoding="utf-8")
    assert "是否會真的迎來經濟衰退?讓我們" in markdown
    assert "，" not in pages["en"].select_one(".issue-body").get_text()


def test_site_option_turns_the_pass_off(make_site) -> None:
    root = make_site()
    config = (root / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(config + "full_width_punctuation: false\n", encoding="utf-8")
    off = build_into(root)
    page = (off / "issues" / "2025-04-13-sample" / "index.html").read_text(encoding="utf-8")
    assert "範例週報:關稅與美債" in page and "範例週報：關稅與美債" not in page


def test_the_option_must_be_a_boolean(make_site) -> None:
    from broadsheet.core.config import load_config
    from broadsheet.core.errors import BuildFailed

    root = make_site()
    config = (root / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(config + "full_width_punctuation: maybe\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_config(root / "site.yaml")
    assert [p.message for p in failed.value.problems] == ["full_width_punctuation must be true or false, got 'maybe'"]


# --- issue 24: parentheses, and the text of every output punctuated as data -------------------------
@pytest.mark.unit
@pytest.mark.parametrize(("typed", "shown"), [
    ("美元指數(DXY)正式跌破", "美元指數（DXY）正式跌破"),  # Latin inside, Han outside
    ("作(可能到100倍)。", "作（可能到100倍）。"),
    ("(從年初高點回落超過20%)", "（從年初高點回落超過20%）"),  # Han inside
    ("(1 期)", "（1 期）"),
    ("資料來源:FRED(聖路易聯邦準備銀行)資料庫", "資料來源：FRED（聖路易聯邦準備銀行）資料庫"),
    ("(DXY),下跌", "(DXY)，下跌"),  # the comma touches Han; the brackets do not
    ("中(x", "中（x"), ("x)中", "x）中"),  # a lone bracket beside Han
    ("什麼?!", "什麼？！"), ("漲幅:3%", "漲幅：3%"),
    ("跌近 19%,4 月 9 日", "跌近 19%，4 月 9 日"), ("漲 3.5%;跌 2%", "漲 3.5%；跌 2%"),  # a number between
])
def test_clreq_cases_and_parentheses_beside_han(typed: str, shown: str) -> None:
    assert punctuate_text(typed) == shown
    assert punctuate_text(shown) == shown  # a second pass changes nothing
    assert halfwidth(shown) == typed


@pytest.mark.unit
@pytest.mark.parametrize("kept", [
    "公司 (Shield AI, Inc.)。",  # Latin-only parentheses
    "English (only), here: yes? no!",
    "1,000 與 10:30 與 40,608",  # numbers
    "見 https://example.com/a(b),c?d=基,差 與 www.example.com/x(中)",  # URLs
    "S&P 500 (SPX)",
    "S&P 500, Nasdaq, Dow", "English 2025, here", "(Section 301, 1974)",  # a number amid Latin text
])
def test_latin_parentheses_numbers_and_urls_stay(kept: str) -> None:
    assert punctuate_text(kept) == kept


@pytest.mark.unit
def test_parentheses_pair_across_elements_and_not_across_code() -> None:
    assert full_width_punctuation("<p>指數(<a href='x'>DXY</a>)下跌</p>") == "<p>指數（<a href='x'>DXY</a>）下跌</p>"
    assert full_width_punctuation("<p>中(<code>a</code>)</p>") == "<p>中（<code>a</code>)</p>"


@pytest.mark.unit
def test_catalog_translations_are_punctuated_when_loaded() -> None:
    from broadsheet.core.i18n import load_translations, typeset_message

    zh = load_translations(ROOT / "translations", "zh_Hant_TW", full_width=True)
    assert zh.gettext("Source: %(names)s") == "資料來源：%(names)s"
    assert zh.gettext(": ") == "：" and zh.gettext("; ") == "；"  # a separator between two texts
    assert zh.ngettext("(%(num)d issue)", "(%(num)d issues)", 2) == "（%(num)d 期）"
    typed = load_translations(ROOT / "translations", "zh_Hant_TW")
    assert typed.gettext("Source: %(names)s") == "資料來源:%(names)s"  # as the catalog has it
    assert typeset_message("標籤:%(tag)s") == "標籤：%(tag)s" and typeset_message(" : ") == "："


@pytest.mark.unit
def test_site_yaml_and_tags_are_punctuated_for_the_chinese_edition_only(tmp_path: Path) -> None:
    from broadsheet.core.config import load_config

    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "tags.yaml").write_text("fed: {zh-Hant: 聯準會(Fed), en: Fed (US)}\n", encoding="utf-8")
    site = (ROOT / "site.yaml").read_text(encoding="utf-8")
    (tmp_path / "site.yaml").write_text(site, encoding="utf-8")
    config = load_config(tmp_path / "site.yaml")
    assert config.description["zh-Hant"].startswith("每週一期的全球市場評論：股市")
    assert "，不構成任何投資建議；" in config.disclaimer["zh-Hant"]
    assert config.description["en"].startswith("A weekly commentary on global markets (stocks")
    tag = config.tags.find("聯準會(Fed)")  # front matter finds a tag by its name as typed
    assert tag is not None and tag.name("zh-Hant") == "聯準會（Fed）" and tag.name("en") == "Fed (US)"
    (tmp_path / "site.yaml").write_text(site + "full_width_punctuation: false\n", encoding="utf-8")
    assert "評論:股市" in load_config(tmp_path / "site.yaml").description["zh-Hant"]


@pytest.mark.unit
def test_front_matter_is_punctuated_once_by_the_content_stage() -> None:
    import datetime as dt

    from broadsheet.content.issues import Correction, FrontMatter, Issue, Page
    from broadsheet.content.typeset import typeset_issues
    from broadsheet.core.config import load_config

    config = load_config(ROOT / "site.yaml")
    meta = FrontMatter(title="週報:關稅(上)", date=dt.date(2025, 4, 13), summary="股債齊跌,美元走弱?",
                       tags=("關稅",), corrections=(Correction(dt.date(2025, 4, 14), "更正:數字"),))
    pages = {code: Page(Path(f"x/{code}.md"), code, meta, "", 1, "h") for code in ("zh-Hant", "en")}
    issue = Issue("k", Path("x"), pages)
    typeset_issues([issue], config)
    zh = issue.pages["zh-Hant"].meta
    assert (zh.title, zh.summary, zh.corrections[0].text) == ("週報：關稅（上）", "股債齊跌，美元走弱？", "更正：數字")
    assert zh.tags == ("關稅",) and issue.pages["en"].meta == meta  # tags are names to look up; en as typed
