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
