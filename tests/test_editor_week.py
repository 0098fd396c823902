"""The editor's week (issue 15): parity at build time, drafts a build leaves out, translation sync."""

from __future__ import annotations

import pytest

from broadsheet.errors import BuildFailed
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
    from broadsheet.check import check_site, format_result
    from broadsheet.config import load_config
    from broadsheet.context import BuildContext

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
