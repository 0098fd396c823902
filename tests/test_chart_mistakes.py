"""A mistake in charts.yaml fails its own chart: "did you mean", one problem, the other charts drawn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from broadsheet.build.pipeline import assemble_site
from broadsheet.charts.decls import read_chart_file
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BuildFailed
from broadsheet.data.store import load_catalog
from conftest import ROOT, build_into

FOLDER = "content/issues/2025-04-13-typo/"
CHARTS = """\
taiex:
  kind: lne
  series: [SP500]
  start: 2025-04-01
  end: 2025-04-11
  title: {zh-Hant: 打錯種類, en: A typo}
spx:
  kind: line
  series: [SP500]
  start: 2025-04-01
  end: 2025-04-11
  title: {zh-Hant: 標普500, en: The S&P 500}
"""
ZH = """\
---
title: 打錯一個字
date: 2025-04-13
summary: 一個圖表打錯種類。
slug: typo
---
## 圖表

{{ chart("taiex") }}

{{ chart("spx") }}
"""
EN = ZH.replace("title: 打錯一個字", "title: One typo").replace("summary: 一個圖表打錯種類。", "summary: A typo.")
TYPO = (f"{FOLDER}charts.yaml:2: chart 'taiex': unknown kind 'lne' (did you mean 'line'? kinds: curve, drawdown, "
        "line, macro, moves, rebased, yields)")


def site_files() -> dict[str, str]:
    return {FOLDER + "zh-Hant.md": ZH, FOLDER + "en.md": EN, FOLDER + "charts.yaml": CHARTS}


def test_a_misspelt_kind_is_one_problem_not_one_per_reference(make_site) -> None:
    root = make_site(site_files(), with_sample_issue=False)
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    assert [p.format(root) for p in failed.value.problems] == [TYPO]


def test_the_other_charts_of_the_file_are_still_drawn_and_placed(make_site) -> None:
    root = make_site(site_files(), with_sample_issue=False)
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site", drafts=True)
    site = assemble_site(ctx, keep_going=True)  # as `check` does: every stage runs
    assert [p.format(root) for p in ctx.problems.errors] == [TYPO]  # no "unknown chart 'taiex'"
    for code in ("zh-Hant", "en"):
        assert [block.name for block in site.pages[("2025-04-13-typo", code)].charts] == ["spx"]


@pytest.mark.unit
@pytest.mark.parametrize(("declaration", "messages"), [
    # a misspelt field is one mistake: not also "field 'series' is missing"
    ("  kind: line\n  serise: [SP500]\n  start: 2025-04-01\n  title: {zh-Hant: x, en: y}\n",
     [":3: chart 'x': unknown field 'serise' (did you mean 'series'? fields: kind, series, start, end, title, "
      "description, options)"]),
    ("  kind: line\n  series: [SP500]\n  start: 2025-04-01\n  title: {zh-hant: x, en: y}\n",
     [":5: chart 'x': title has no 'zh-Hant' text (did you mean 'zh-Hant' for 'zh-hant'?)"]),
    ("  kind: moves\n  series: [SP500]\n  start: 2025-04-01\n  title: {zh-Hant: x, en: y}\n  options: {digit: 2}\n",
     [":6: chart 'x': unknown option 'digit' (did you mean 'digits'? options: step, digits)"]),
])
def test_misspellings_get_did_you_mean(tmp_path: Path, declaration: str, messages: list[str]) -> None:
    path = tmp_path / "charts.yaml"
    path.write_text("x:\n" + declaration + "ok:\n  kind: line\n  series: [SP500]\n  start: 2025-04-01\n"
                    "  title: {zh-Hant: x, en: y}\n", encoding="utf-8")
    found = read_chart_file(path, load_catalog(ROOT / "data" / "catalog.yaml"), ["zh-Hant", "en"],
                            as_of=dt.date(2025, 4, 11))
    assert [str(e).removeprefix(str(path)) for e in found.errors] == messages
    assert [d.name for d in found.decls] == ["ok"] and found.failed == {"x"}
