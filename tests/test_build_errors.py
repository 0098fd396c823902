"""Bad input: `path:line: message (hint)`, exit status 1, and the previous site untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli

ISSUE = "content/issues/2025-04-13-sample/zh-Hant.md"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def page(body: str, front: str = "title: 壞掉的一期\ndate: 2025-04-13\nsummary: 測試。\nslug: sample\n") -> str:
    return f"---\n{front}---\n{body}"


CASES = {
    "missing front matter field": (
        {ISSUE: "---\ntitle: 少了日期\nsummary: 測試。\n---\n正文\n"},
        "content/issues/2025-04-13-sample/zh-Hant.md:2: front matter field 'date' is missing "
        "(add `date: …` between the --- lines)",
    ),
    "front matter not YAML": (
        {ISSUE: "---\ntitle: [未閉合\ndate: 2025-04-13\n---\n正文\n"},
        "content/issues/2025-04-13-sample/zh-Hant.md:3: invalid YAML",
    ),
    "date that is not a date": (
        {ISSUE: page("正文\n", "title: 日期錯誤\ndate: 四月十三日\nsummary: 測試。\n")},
        "content/issues/2025-04-13-sample/zh-Hant.md:3: date must be a date like 2025-04-13, got '四月十三日'",
    ),
    "unknown series": (
        {ISSUE: page('## 標題\n\n一行\n指數 {{ level("SPX", "2025-04-09") }}\n')},
        "content/issues/2025-04-13-sample/zh-Hant.md:10: {{ level(\"SPX\", \"2025-04-09\") }}: "
        "unknown series 'SPX' (known series: BRENT, DGS10",
    ),
    "unknown function": (
        {ISSUE: page('收盤 {{ close("SP500", "2025-04-09") }}\n')},
        "content/issues/2025-04-13-sample/zh-Hant.md:7: unknown figure function 'close'",
    ),
    "date with no data": (
        {ISSUE: page('收盤 {{ level("SP500", "2025-01-09") }}\n')},
        "content/issues/2025-04-13-sample/zh-Hant.md:7: {{ level(\"SP500\", \"2025-01-09\") }}: "
        "SP500 has no close on 2025-01-09 (Thursday, a market holiday or weekend) "
        '(use a trading day, or add closed="previous" to take the previous close)',
    ),
    "unclosed expression": (
        {ISSUE: page('收盤 {{ level("SP500", "2025-04-09")\n')},
        "content/issues/2025-04-13-sample/zh-Hant.md:7: unclosed '{{' (close the figure expression with }})",
    ),
    "malformed data row": (
        {"data/markets.csv": "date,series,value,source\n2025-04-09,SP500,5456.90,FRED_XL\n2025-04-10,SP500,abc,X\n"},
        "data/markets.csv:3: value 'abc' is not a number",
    ),
    "template error": (
        {"templates/home.html": '{% extends "base.html" %}\n{% block main %}\n{{ site.nope }}\n{% endblock %}\n'},
        "templates/home.html:3: template error:",
    ),
    "template syntax error": (
        {"templates/home.html": '{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n'},
        "templates/home.html:3: template error:",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_names_file_and_line_and_keeps_the_site(make_site, capsys, case: str) -> None:
    root = make_site()
    assert run_cli(root, "build") == 0
    before = snapshot(root / "site")
    capsys.readouterr()
    files, expected = CASES[case]
    root_files = {rel: text for rel, text in files.items()}
    for rel, text in root_files.items():
        (root / rel).write_text(text, encoding="utf-8")
    assert run_cli(root, "build") == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert "the site was not changed" in err
    assert snapshot(root / "site") == before
