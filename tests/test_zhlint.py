"""zh-Hant-TW language lint: simplified characters and mainland terms, with the Taiwan usage."""

from __future__ import annotations

from pathlib import Path

import pytest

from broadsheet.checks.language import LanguageRules, findings, load_rules
from broadsheet.checks.run import check_site, format_result
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import ROOT

RULES, _ = load_rules(ROOT / "content")


@pytest.mark.unit
def test_simplified_characters_and_mainland_terms_get_the_taiwan_usage() -> None:
    assert findings("壓抑長債殖利率 → 稳定房貸", RULES) == [("稳", "穩")]
    assert findings("對手機、電腦、芯片等電子產品", RULES) == [("芯片", "晶片")]
    assert findings("是否會迫使美聯儲介入市場", RULES) == [("美聯儲", "聯準會")]  # beyond OpenCC
    assert findings("伺服器與服務器", RULES) == [("服務器", "伺服器")]


@pytest.mark.unit
def test_traditional_text_and_kept_words_are_quiet() -> None:
    # 干, 里, 后 are Traditional characters too; 數據 and 循環 are kept by content/language.yaml
    assert findings("若干公里外的皇后,干擾了惡性循環的經濟數據", RULES) == []
    assert findings("經濟數據", LanguageRules(keep=frozenset())) == [("數據", "資料")]  # without the keep list
    rules = LanguageRules(prefer={"特朗普": "川普"})  # a project rule (content/language.yaml)
    assert findings("特朗普宣布", rules) == [("特朗普", "川普")]


PAGE = """\
---
title: 用語
date: 2025-04-13
summary: 用語檢查。
---
聯準會穩定市場。

芯片股大漲,美聯儲觀望。
<!-- keep: 引用新華社原文 -->
「美联储将保持稳定」
- 在清單裡的芯片
"""


def test_check_lists_slips_as_warnings_at_their_lines_and_keeps_marked_quotes(make_site) -> None:
    root = make_site({"content/issues/2025-04-13-words/zh-Hant.md": PAGE,
                      "content/language.yaml": (ROOT / "content/language.yaml").read_text(encoding="utf-8")})
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site", drafts=True)
    lines = [line for line in format_result(check_site(ctx), root) if "Taiwan usage" in line]
    where = "content/issues/2025-04-13-words/zh-Hant.md"
    assert lines == [
        f"{where}:8: warning: not Taiwan usage: 芯片 → 晶片, 美聯儲 → 聯準會 "
        "(write the Taiwan form, or mark a quotation with <!-- keep: why -->)",
        f"{where}:11: warning: not Taiwan usage: 芯片 → 晶片 "
        "(write the Taiwan form, or mark a quotation with <!-- keep: why -->)",
    ]  # line 10, a marked quotation, is kept as written


@pytest.mark.unit
def test_the_first_issue_slips_are_corrected() -> None:
    text = (ROOT / "content/issues/2025-04-13-tariff-shock/zh-Hant.md").read_text(encoding="utf-8")
    for slip in ("稳定", "芯片", "美聯儲", "人工智能", "信號"):
        assert slip not in text
    from broadsheet.checks.language import lint_file

    assert lint_file(Path(ROOT / "content/issues/2025-04-13-tariff-shock/zh-Hant.md"), RULES) == []


CHART_WITH_A_SLIP = """\
vix:
  kind: line
  series: [VIX]
  start: 2025-03-03
  end: 2025-04-04
  title: {zh-Hant: 芯片股拖累下的恐慌指數, en: VIX as chip stocks fell}
"""


def test_check_reads_the_chinese_of_charts_yaml_too(make_site) -> None:
    """Chart titles, notes and descriptions are published text: the zh-Hant lint reads them."""
    root = make_site({"content/issues/2025-04-13-sample/charts.yaml": CHART_WITH_A_SLIP,
                      "content/language.yaml": (ROOT / "content/language.yaml").read_text(encoding="utf-8")})
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site", drafts=True)
    lines = [line for line in format_result(check_site(ctx), root) if "Taiwan usage" in line]
    assert lines == ["content/issues/2025-04-13-sample/charts.yaml:6: warning: not Taiwan usage: 芯片 → 晶片 "
                     "(write the Taiwan form, or mark a quotation with <!-- keep: why -->)"]
