"""`check`: every problem in one pass, as `path:line: message`, without writing the site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from broadsheet.checks.run import check_site, format_result
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import ROOT, ZH_PAGE, run_cli, system_cjk_font

BAD_FIGURES = """\
---
title: 問題週報
date: 2025-04-20
summary: 各種問題。
slug: problems
---
## 美股

本週 {{ level("NOPE", "2025-04-17") }}。

見 [下一節](#不存在的標題),以及 [舊文](/broadsheet/issues/2020-01-01-gone/)。

![](chart.png)

收盤 {{ level("SP500", "2031-01-02") }}。
"""

BAD_FRONT_MATTER = """\
---
title: 壞掉的
date: 2025-04-27
summary: x
colour: red
---
內文
"""

STALE_EN = """\
---
title: Problems
date: 2025-04-20
summary: Problems.
slug: problems
translated_from: "000000000000"
---
Text.
"""


def check(root: Path, *args: str) -> list[str]:
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site",
                       drafts=True)
    return format_result(check_site(ctx), root)


def test_check_reports_every_problem_at_its_line(make_site, capsys) -> None:
    root = make_site({
        "content/issues/2025-04-20-problems/zh-Hant.md": BAD_FIGURES,
        "content/issues/2025-04-20-problems/en.md": STALE_EN,
        "content/issues/2025-04-27-broken/zh-Hant.md": BAD_FRONT_MATTER,
    })
    status = run_cli(root, "check")
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert not (root / "site").exists()  # nothing written
    zh = "content/issues/2025-04-20-problems/zh-Hant.md"
    en = "content/issues/2025-04-20-problems/en.md"
    expected_starts = [
        f"{zh}:9: ",    # unknown series
        f"{zh}:15: ",   # date outside the data
        f"{en}:6: warning: translation is stale",  # at the translated_from line
        "content/issues/2025-04-27-broken/zh-Hant.md:5: unknown front matter field 'colour'",
    ]
    for start in expected_starts:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert any("unknown series 'NOPE'" in line for line in lines)
    assert any("SP500 has no data for 2031-01-02" in line for line in lines)


def test_check_finds_broken_links_anchors_and_missing_alt_in_the_text(make_site) -> None:
    body = ZH_PAGE.replace("slug: sample", "slug: links") + (
        "\n見 [下一節](#不存在的標題) 與 [美股回顧](#美股回顧),以及 "
        "[舊文](/broadsheet/issues/2020-01-01-gone/)。\n\n![](chart.png)\n")
    root = make_site({"content/issues/2025-04-20-links/zh-Hant.md": body.replace(
        "date: 2025-04-13", "date: 2025-04-20")})
    lines = check(root)
    path = "content/issues/2025-04-20-links/zh-Hant.md"
    text_lines = body.split("\n")
    link_line = next(n for n, t in enumerate(text_lines, 1) if "下一節" in t)
    img_line = next(n for n, t in enumerate(text_lines, 1) if "chart.png" in t)
    assert f"{path}:{link_line}: broken anchor #不存在的標題 " \
           f"(no id '不存在的標題' in issues/2025-04-20-links/index.html)" in lines
    gone = "/broadsheet/issues/2020-01-01-gone/"
    assert any(line.startswith(f"{path}:{link_line}: broken link {gone}") for line in lines)
    assert f"{path}:{img_line}: image without alt text: chart.png" in lines
    assert not any("#美股回顧" in line for line in lines)  # a real heading anchor is fine
    assert not any("email.html" in line for line in lines)  # each problem once, at its Markdown line


def test_check_reports_a_missing_translation(make_site) -> None:
    root = make_site()  # the sample's 2025-04-13 issue has no en.md
    lines = check(root)
    assert ("content/issues/2025-04-13-sample/zh-Hant.md: warning: no English translation: "
            "en.md is missing (add en.md; until then that edition shows the 繁體中文 text)"
            ) in lines


def test_check_with_bad_data_still_checks_front_matter(make_site, capsys) -> None:
    root = make_site({"content/issues/2025-04-27-broken/zh-Hant.md": BAD_FRONT_MATTER})
    csv = (root / "data/markets.csv").read_text(encoding="utf-8")
    (root / "data/markets.csv").write_text(csv.replace("2025-01-02,BRENT", "2025-01-32,BRENT"),
                                           encoding="utf-8")
    assert run_cli(root, "check") == 1
    out = capsys.readouterr().out
    assert "data/markets.csv:3: bad date '2025-01-32'" in out
    assert "content/issues/2025-04-27-broken/zh-Hant.md:5: unknown front matter field" in out


def test_the_project_passes_check(real_cache, capsys) -> None:
    """check is the gate before publishing: the project as it stands passes it (the first issue's
    March PPI paragraph is marked reviewed, with an editor's note; tests/test_integrity.py shows
    what check reports without the mark). After the real build: its charts are in .cache/.

    On a machine without a CJK font (no fonts-noto-cjk) check says so in one warning line, which
    is about the machine and is not counted: the project passes all the same."""
    assert run_cli(ROOT, "check") == 0
    captured = capsys.readouterr()
    if system_cjk_font() is not None:
        assert captured.out == ""
        assert captured.err.startswith("check: no problems")
    else:
        assert [line.split(": ", 1)[1] for line in captured.out.splitlines()] == [f"warning: {NO_FONT}"]
        assert captured.err.startswith("check: no problems")
        assert captured.err.rstrip().endswith("; 1 warning(s) about this machine, not the project")


NO_FONT = ("no CJK font found: Chinese text in chart images will show as boxes "
           "(install fonts-noto-cjk (scripts/install-system-deps.sh))")
CHART = """\
rates:
  kind: line
  series: [VIX]
  start: 2025-03-03
  end: 2025-04-04
  title: {zh-Hant: 恐慌指數, en: VIX}
"""


def test_a_machine_without_a_cjk_font_is_a_warning_check_prints_and_does_not_count(
        make_site, no_cjk_font: Path, capsys) -> None:
    """What a fresh machine (no fonts-noto-cjk) shows, shown on every machine (no_cjk_font hides
    the system's fonts): check prints the warning and exits 0, a build warns and succeeds, and
    `build --strict` fails, since the site it would write has boxes in its chart images."""
    earlier = "content/issues/2025-04-06-earlier"
    root = make_site({f"{earlier}/charts.yaml": CHART}, with_sample_issue=True)
    shutil.rmtree(root / "content/issues/2025-04-13-sample")  # it has no en.md: a warning about the project
    for name in ("zh-Hant.md", "en.md"):
        with (root / earlier / name).open("a", encoding="utf-8") as fp:
            fp.write('\n{{ chart("rates") }}\n')
    assert run_cli(root, "translated", "2025-04-06-earlier") == 0  # en.md matches the edited zh-Hant.md
    capsys.readouterr()
    assert run_cli(root, "check") == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"{earlier}/charts.yaml: warning: {NO_FONT}"]
    assert captured.err == "check: no problems in 2 page(s); 1 warning(s) about this machine, not the project\n"

    assert run_cli(root, "build", "--strict") == 1
    assert capsys.readouterr().err.splitlines() == [f"{earlier}/charts.yaml: {NO_FONT}",
                                                    "build failed: 1 problem(s); the site was not changed"]
    assert not (root / "site").exists()
    assert run_cli(root, "build") == 0
    assert f"{earlier}/charts.yaml: warning: {NO_FONT}" in capsys.readouterr().err.splitlines()

    # a warning about the project beside it is counted, the machine's still is not
    (root / earlier / "en.md").unlink()
    assert run_cli(root, "check") == 1
    captured = capsys.readouterr()
    assert f"{earlier}/charts.yaml: warning: {NO_FONT}" in captured.out.splitlines()
    assert captured.err == "check: 0 error(s), 1 warning(s); 1 warning(s) about this machine, not the project\n"


@pytest.mark.unit
def test_check_help_lists_what_it_checks(capsys) -> None:
    with pytest.raises(SystemExit):
        run_cli(Path("."), "check", "--help")
    assert "broken internal links" in capsys.readouterr().out


# --- the value lint (checks/typed_values.py): a warning ----------------------------------------------
TYPED_HIGH = {
    "zh-Hant": "---\ntitle: 測試\ndate: 2025-04-13\nsummary: 打字的高點。\n---\n大盤週三收在本週高點 5,456.90 點。\n",
    "en": "---\ntitle: Test\ndate: 2025-04-13\nsummary: A typed high.\n---\n"
          "Stocks closed at the week's high of 5,456.90 on Wednesday.\n",
}


def test_check_prints_the_value_lint_as_a_warning_in_both_editions(make_site) -> None:
    """A close typed with no series named, in each edition (tests/test_value_lint.py tests the lint itself)."""
    root = make_site({f"content/issues/2025-04-13-typed/{lang}.md": text for lang, text in TYPED_HIGH.items()},
                     with_sample_issue=False)
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site")
    result = check_site(ctx)
    lines = [line for line in format_result(result, root) if "so the number is computed" in line]
    assert [line.split(" is ")[0] for line in lines] == [
        "content/issues/2025-04-13-typed/en.md:6: warning: 5,456.90",
        "content/issues/2025-04-13-typed/zh-Hant.md:6: warning: 5,456.90 點"]
    assert all("SP500's high of the week (2025-04-09)" in line for line in lines)
    assert not result.ok and not result.errors
