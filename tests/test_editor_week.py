"""The editor's week (issue 15): parity at build time, drafts a build leaves out, translation sync."""

from __future__ import annotations

import pytest

from broadsheet.core.errors import BuildFailed
from conftest import build_into, run_cli

ZH = """\
---
title: 對照
date: 2025-04-13
summary: 兩個版本。
draft: {draft}
---
十年期殖利率 {{{{ level("DGS10", "2025-04-09") }}}}。
"""
EN = """\
---
title: Parity
date: 2025-04-13
summary: Two editions.
draft: {draft}
---
The 10-year yield was {{{{ level("DGS10", "{day}") }}}}.
"""
FOLDER = "content/issues/2025-04-13-parity/"


def test_published_editions_quoting_different_figures_fail_the_build(make_site) -> None:
    root = make_site({FOLDER + "zh-Hant.md": ZH.format(draft="false"),
                      FOLDER + "en.md": EN.format(draft="false", day="2025-04-10")})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    messages = [p.format(root) for p in failed.value.problems]
    assert any('zh-Hant.md:7: {{ level("DGS10", "2025-04-09") }} is in zh-Hant.md but not in en.md' in m
               for m in messages), messages
    assert any('en.md:7: {{ level("DGS10", "2025-04-10") }} is in en.md but not in zh-Hant.md' in m
               for m in messages), messages


def test_a_draft_may_differ_and_a_published_build_says_it_left_it_out(make_site, capsys) -> None:
    root = make_site({FOLDER + "zh-Hant.md": ZH.format(draft="true"),
                      FOLDER + "en.md": EN.format(draft="true", day="2025-04-10")})
    build_into(root, out=root / "preview", drafts=True)  # the preview shows it, differences and all
    assert run_cli(root, "build") == 0
    err = capsys.readouterr().err
    assert "left out 1 draft(s): 2025-04-13-parity" in err


def test_same_figures_build(make_site) -> None:
    root = make_site({FOLDER + "zh-Hant.md": ZH.format(draft="false"),
                      FOLDER + "en.md": EN.format(draft="false", day="2025-04-09")})
    assert (build_into(root) / "en" / "issues" / "2025-04-13-parity" / "index.html").exists()


# --- translation sync ---------------------------------------------------------------------------
ORIGINAL = """\
---
title: 同步
date: 2025-04-13
summary: 翻譯同步。
draft: true
---
第一段。

第二段。
"""
TRANSLATION = """\
---
title: Sync
date: 2025-04-13
summary: Translation sync.
draft: true
---
First paragraph.

Second paragraph.
"""
SYNC = "content/issues/2025-04-13-sync/"


def _warnings(root) -> list[str]:
    from broadsheet.checks.run import check_site, format_result
    from broadsheet.core.config import load_config
    from broadsheet.core.context import BuildContext

    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site", drafts=True)
    return [line for line in format_result(check_site(ctx), root) if "translation" in line]


def test_translated_records_the_hash_and_the_stale_warning_names_the_changed_paragraph(make_site, capsys) -> None:
    root = make_site({SYNC + "zh-Hant.md": ORIGINAL, SYNC + "en.md": TRANSLATION}, with_sample_issue=False)
    assert any("does not record its source" in w and "build.py translated 2025-04-13-sync" in w
               for w in _warnings(root))
    assert run_cli(root, "translated", "2025-04-13-sync") == 0
    assert "recorded the current zh-Hant.md in content/issues/2025-04-13-sync/en.md" in capsys.readouterr().out
    en = (root / SYNC / "en.md").read_text(encoding="utf-8")
    assert en.endswith("---\nFirst paragraph.\n\nSecond paragraph.\n")  # the body is untouched
    assert 'translated_from: "' in en and 'translated_paragraphs: "' in en
    assert _warnings(root) == []
    zh = root / SYNC / "zh-Hant.md"
    # publishing (draft: true → false) does not make the translation stale
    zh.write_text(ORIGINAL.replace("draft: true", "draft: false"), encoding="utf-8")
    assert _warnings(root) == []
    zh.write_text(ORIGINAL.replace("第二段。", "第二段,改寫過。"), encoding="utf-8")
    [warning] = _warnings(root)
    assert warning.startswith(f"{SYNC}en.md:6: warning: translation is stale")  # the translated_from line
    assert "changed paragraphs: zh-Hant.md:9 「第二段,改寫過。」" in warning
    assert "zh-Hant.md:7" not in warning  # the first paragraph did not change
    assert run_cli(root, "translated", "sync") == 0  # the slug works too
    assert _warnings(root) == []


def test_translated_names_an_unknown_issue(make_site, capsys) -> None:
    root = make_site()
    assert run_cli(root, "translated", "nope") == 1
    assert "no issue folder 'nope'" in capsys.readouterr().err


# --- no look-ahead --------------------------------------------------------------------------------
LATE = """\
---
title: 提前
date: 2025-04-13
summary: 用了之後的資料。
{as_of}---
標普500 收在 {{{{ level("SP500", "{day}") }}}}。

{{{{ chart("late") }}}}
"""
LATE_CHART = """\
late:
  kind: line
  series: [SP500]
  start: 2025-04-01
{end}  title:
    zh-Hant: 標普
  description:
    zh-Hant: 收在 {{{{ level("SP500", "{day}") }}}}。
"""
LATE_DIR = "content/issues/2025-04-13-late/"


def _late(make_site, as_of="", day="2025-04-11", end="", chart_day="2025-04-11"):
    return make_site({LATE_DIR + "zh-Hant.md": LATE.format(as_of=as_of, day=day),
                      LATE_DIR + "charts.yaml": LATE_CHART.format(end=end, day=chart_day)},
                     with_sample_issue=False)


def _problems(root) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    return [p.format(root) for p in failed.value.problems]


def test_a_figure_after_the_issue_date_is_look_ahead(make_site) -> None:
    root = _late(make_site, day="2025-04-14")
    assert any(m.startswith(f"{LATE_DIR}zh-Hant.md:6: ") and "uses data of 2025-04-14, after the issue's "
               "as-of date 2025-04-13" in m for m in _problems(root))


def test_as_of_in_the_front_matter_is_the_limit(make_site) -> None:
    root = _late(make_site, as_of="as_of: 2025-04-10\n", day="2025-04-11", chart_day="2025-04-10")
    assert any("zh-Hant.md:7: " in m and "as-of date 2025-04-10" in m for m in _problems(root))


def test_a_chart_ends_at_the_as_of_date_by_default(make_site) -> None:
    import datetime as dt

    from broadsheet.charts.decls import read_chart_decls
    from broadsheet.data.store import load_data

    root = _late(make_site)  # no `end`
    assert (build_into(root) / "issues/2025-04-13-late/charts/late.png").exists()
    decls, errors = read_chart_decls(root / LATE_DIR / "charts.yaml", load_data(root / "data").catalog, ["zh-Hant"],
                                     dt.date(2025, 4, 13))
    assert errors == [] and decls[0].end == dt.date(2025, 4, 13)


def test_a_chart_may_not_end_after_the_as_of_date(make_site) -> None:
    problems = _problems(_late(make_site, end="  end: 2025-04-17\n"))
    assert any("charts.yaml:5: chart 'late': end 2025-04-17 is after the issue's as-of date 2025-04-13" in m
               for m in problems), problems


def test_a_chart_text_citing_later_data_is_look_ahead(make_site) -> None:
    problems = _problems(_late(make_site, chart_day="2025-04-14"))
    assert any("charts.yaml:" in m and "uses data of 2025-04-14" in m for m in problems), problems


def test_the_first_issue_uses_no_data_after_its_week(real_site) -> None:
    import json

    for prefix in ("", "en/"):
        doc = json.loads((real_site / prefix / "issues/2025-04-13-tariff-shock/data.json").read_text("utf-8"))
        assert max(d for f in doc["figures"] for d in f["dates"]) <= "2025-04-11"
        assert doc["as_of"] <= "2025-04-13"
