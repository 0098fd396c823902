"""`check` reads directional claims, quotations and the English style on a project; the page lists
a quotation's source with its data sources."""

from __future__ import annotations

from bs4 import BeautifulSoup

from broadsheet.checks.run import check_site, format_result
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import ROOT, build_into, halfwidth

FOLDER = "content/issues/2025-04-13-claims"
ZH = """---
title: 測試:方向與引述
date: 2025-04-13
summary: 一個與資料相反的方向,一則有出處的引述。
---
## 美元

實際上美元指數 4/4 以來持續上漲。

摩根大通執行長 Jamie Dimon 表示:「因為種種規定,美債市場將出現一場混亂。」
<!-- source: 摩根大通 2025 年第一季財報電話會議, 2025-04-11, https://www.jpmorganchase.com/ir/quarterly-earnings -->
"""
EN = """---
title: "Test: a direction and a quotation"
date: 2025-04-13
summary: A direction the data contradicts, and a quotation without its source.
---
## The dollar

In fact, the dollar index has kept rising since April 4, as the U.S. indexes fell.

JPMorgan CEO Jamie Dimon said: "There will be a kerfuffle in the Treasury markets because of all the rules."
"""


def _project(make_site):
    return make_site({f"{FOLDER}/zh-Hant.md": ZH, f"{FOLDER}/en.md": EN,
                      "content/claims.yaml": (ROOT / "content/claims.yaml").read_text(encoding="utf-8"),
                      "content/language.yaml": (ROOT / "content/language.yaml").read_text(encoding="utf-8")},
                     with_sample_issue=False)


def test_check_warns_on_the_direction_the_missing_source_and_the_style(make_site) -> None:
    root = _project(make_site)
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site")
    lines = [line for line in format_result(check_site(ctx), root) if "translation" not in line]
    assert f"{FOLDER}/zh-Hant.md:8: warning: the sentence says DXY 持續上漲 since 2025-04-04, the data says it " \
           "fell 2.8% (103.02 → 100.10) (mark <!-- reviewed: why --> if it is meant)" in lines
    assert any(line.startswith(f"{FOLDER}/en.md:8: warning: the sentence says DXY kept rising since 2025-04-04")
               for line in lines)
    assert any(line.startswith(f"{FOLDER}/en.md:8: warning: not the house style: U.S. → US, indexes → indices")
               for line in lines)
    assert any(line.startswith(f"{FOLDER}/en.md:10: warning: a quotation attributed to a named person has no source")
               for line in lines)
    assert not any(f"{FOLDER}/zh-Hant.md:10" in line for line in lines)  # its source is marked, on the next line


def test_the_page_lists_the_quotations_source(make_site) -> None:
    site = build_into(_project(make_site))
    page = BeautifulSoup((site / "issues/2025-04-13-claims/index.html").read_text(encoding="utf-8"), "html.parser")
    # the Chinese edition sets its commas full-width (typography.py): compared as typed
    links = {halfwidth(a.get_text(strip=True)): a["href"] for a in page.select(".provenance a")}
    assert links["摩根大通 2025 年第一季財報電話會議, 2025-04-11"] == "https://www.jpmorganchase.com/ir/quarterly-earnings"
