"""A published number never changes silently: the figure lock (figures/lock.py, figures/published.py),
`publish`, `correct` (build/publish.py) and the corrections they record (content/corrections.py)."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.content.corrections import CorrectedValue, read_corrections
from broadsheet.core.errors import SourceError
from broadsheet.figures.lock import (
    LOCK_FILE,
    IssueLock,
    call_key,
    changed_charts,
    changed_figures,
    lock_text,
    moved_points,
    read_lock,
)
from conftest import run_cli

ISSUE = "2025-04-13-locked"
FOLDER = f"content/issues/{ISSUE}"
ZH = """\
---
title: 鎖定的一期
date: 2025-04-13
summary: 一期已發布的週報。
tags: [美股]
slug: locked
---
## 美股回顧

標普500 一週下跌{{ week_pct("SP500", "2025-04-04", move="down") }},收在 {{ level("SP500", "2025-04-04") }}。
"""
EN = """\
---
title: The locked issue
date: 2025-04-13
summary: A published issue.
tags: [US stocks]
slug: locked
---
## US stocks

The S&P 500 fell {{ week_pct("SP500", "2025-04-04", move="down") }} on the week,
closing at {{ level("SP500", "2025-04-04") }}.
"""
CHARTS = """\
rebound:
  kind: moves
  series: [SP500]
  start: 2025-04-07
  end: 2025-04-11
  title:
    zh-Hant: 標普 500 每日漲跌
    en: Daily moves of the S&P 500
"""
CLOSE = "2025-04-04,SP500,5074.08,"  # the close both figures read (data/markets.csv)


def locked_site(make_site, charts: bool = False, draft: bool = False) -> Path:
    """The sample site with a two-edition issue (and a chart), its translation recorded, published."""
    zh, en = ZH, EN
    if charts:
        zh, en = zh + '\n{{ chart("rebound") }}\n', en + '\n{{ chart("rebound") }}\n'
    if draft:
        zh, en = (text.replace("slug: locked\n", "slug: locked\ndraft: true\n") for text in (zh, en))
    files = {f"{FOLDER}/zh-Hant.md": zh, f"{FOLDER}/en.md": en}
    if charts:
        files[f"{FOLDER}/charts.yaml"] = CHARTS
    root = make_site(files)
    assert run_cli(root, "translated", ISSUE) == 0
    return root


def revise(root: Path, old: str, new: str) -> None:
    """Edit a row of data/markets.csv, as a fix of a CSV row or `fetch --overwrite` would."""
    path = root / "data" / "markets.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def figures_on(page: BeautifulSoup) -> list[str]:
    return [data.get_text() for data in page.select("article .fig, main .fig")]


def test_publish_writes_a_sorted_plain_lock_and_a_changed_row_stops_the_build(make_site, capsys) -> None:
    root = locked_site(make_site)
    assert run_cli(root, "publish", ISSUE) == 0
    text = (root / FOLDER / LOCK_FILE).read_text(encoding="utf-8")
    lock = read_lock(root / FOLDER)
    assert lock is not None and lock.published == dt.date(2025, 4, 13) and lock.on_change == "stop"
    assert lock_text(lock) == text  # written as lock_text writes it: keys sorted, a figure a line
    raw = json.loads(text)
    assert list(raw) == sorted(raw) and set(raw["editions"]) == {"zh-Hant", "en"}
    week = raw["editions"]["en"]["figures"][0]
    assert week["expression"] == '{{ week_pct("SP500", "2025-04-04", move="down") }}'
    assert week["text"] == "9.1%" and week["values"] == [5580.94, 5074.08]
    assert week["dates"] == ["2025-03-28", "2025-04-04"] and "SP500" in week["receipt"]
    assert raw["editions"]["zh-Hant"]["figures"][1]["label"] == "標普 500 指數"
    assert sum(1 for line in text.splitlines() if '"expression"' in line) == 4  # one line each
    capsys.readouterr()
    assert run_cli(root, "build") == 0

    row = (root / "data" / "markets.csv").read_text(encoding="utf-8").split("\n").index(CLOSE + "FRED_XL") + 1
    revise(root, CLOSE, "2025-04-04,SP500,5000.00,")
    before = (root / "site" / "en" / "issues" / ISSUE / "index.html").read_bytes()
    assert run_cli(root, "build") == 1
    err = capsys.readouterr().err
    assert (f'{FOLDER}/zh-Hant.md:10: {{{{ week_pct("SP500", "2025-04-04", move="down") }}}}: published figure '
            f"changed: printed 9.1%, the data now gives 10.4% (SP500 2025-04-04: 5,074.08 → 5,000, "
            f"data/markets.csv:{row})") in err
    assert f"{FOLDER}/en.md:13: {{{{ level(\"SP500\", \"2025-04-04\") }}}}: published figure changed: printed " \
           "5,074.08, the data now gives 5,000.00" in err
    assert f'record a correction (python3 build.py correct {ISSUE} --note "…") or keep the published value' in err
    assert (root / "site" / "en" / "issues" / ISSUE / "index.html").read_bytes() == before  # site untouched
    # `check` reports every changed figure of both editions at once
    assert run_cli(root, "check") == 1
    out = capsys.readouterr()
    found = [line for line in (out.out + out.err).splitlines() if "published figure changed" in line]
    assert len(found) == 4 and {line.split(":")[0] for line in found} == {f"{FOLDER}/zh-Hant.md", f"{FOLDER}/en.md"}


def test_keep_prints_the_published_value_and_the_receipt_names_the_revision(make_site, capsys) -> None:
    root = locked_site(make_site)
    assert run_cli(root, "publish", ISSUE, "--keep") == 0
    assert read_lock(root / FOLDER).on_change == "keep"  # type: ignore[union-attr]
    revise(root, CLOSE, "2025-04-04,SP500,5000.00,")
    assert run_cli(root, "build") == 0
    for path, words in [(root / "site" / "issues" / ISSUE / "index.html",
                         "此為2025年4月13日發布時的數值；資料其後已修訂為 10.4%"),
                        (root / "site" / "en" / "issues" / ISSUE / "index.html",
                         "as published on April 13, 2025; the data has since been revised to 10.4%")]:
        page = soup(path)
        assert figures_on(page) == ["9.1%", "5,074.08"]
        assert page.select(".fig")[1]["value"] == "5074.08"  # the published value, not the revised one
        receipt = page.find(id="receipt-1")
        assert receipt is not None and words in receipt.get_text()
    data = json.loads((root / "site" / "en" / "issues" / ISSUE / "data.json").read_text(encoding="utf-8"))
    assert data["figures"][1]["values"] == [5074.08]
    assert data["figures"][1]["revised"] == ("as published on April 13, 2025; "
                                             "the data has since been revised to 5,000.00")
    # `publish` refuses to take the new values silently; --no-keep stops the build again
    capsys.readouterr()
    assert run_cli(root, "publish", ISSUE) == 1
    assert "published figure changed" in capsys.readouterr().err
    assert run_cli(root, "publish", ISSUE, "--no-keep") == 0
    assert run_cli(root, "build") == 1


def test_correct_records_old_and_new_values_in_both_editions_and_the_feeds(make_site, capsys) -> None:
    root = locked_site(make_site)
    assert run_cli(root, "publish", ISSUE) == 0
    revise(root, CLOSE, "2025-04-04,SP500,5000.00,")
    capsys.readouterr()
    assert run_cli(root, "correct", ISSUE, "--note", "The S&P 500's close of April 4 was revised.",
                   "--date", "2025-05-02") == 0
    assert "en: {{ week_pct(\"SP500\", \"2025-04-04\", move=\"down\") }}: 9.1% → 10.4%" in capsys.readouterr().out
    lock = read_lock(root / FOLDER)
    assert lock is not None and [f["text"] for f in lock.figures("zh-Hant")] == ["10.4%", "5,000.00"]
    assert lock.figures("en")[0]["corrected"] == "2025-05-02" and lock.published == dt.date(2025, 4, 13)
    assert (root / FOLDER / "corrections.yaml").is_file()
    assert run_cli(root, "build") == 0
    for path, label in [(root / "site" / "issues" / ISSUE / "index.html", "標普 500 指數"),
                        (root / "site" / "en" / "issues" / ISSUE / "index.html", "S&P 500")]:
        page = soup(path)
        assert figures_on(page) == ["10.4%", "5,000.00"]
        box = page.select_one("aside.corrections")
        assert box is not None and box.select_one("time")["datetime"] == "2025-05-02"
        assert "The S&P 500's close of April 4 was revised." in box.get_text()
        changes = [(li.get_text().split("：" if "：" in li.get_text() else ":")[0], li.select_one("del").get_text(),
                    li.select_one("ins").get_text()) for li in box.select("ul.corrected li")]
        assert changes == [(label, "9.1%", "10.4%"), (label, "5,074.08", "5,000.00")]
    updated = "2025-05-02T08:00:00+08:00"
    rss = ET.parse(root / "site" / "en" / "feed.xml").getroot()
    item = next(i for i in rss.iter("item") if i.findtext("link", "").endswith(f"/issues/{ISSUE}/"))
    assert item.findtext("{http://www.w3.org/2005/Atom}updated") == updated
    atom = ET.parse(root / "site" / "en" / "atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = next(e for e in atom.findall("a:entry", ns) if e.findtext("a:id", "", ns).endswith(f"/issues/{ISSUE}/"))
    assert entry.findtext("a:updated", "", ns) == updated and entry.findtext("a:published", "", ns) != updated
    feed = json.loads((root / "site" / "en" / "feed.json").read_text(encoding="utf-8"))
    assert next(i for i in feed["items"] if i["id"].endswith(f"/issues/{ISSUE}/"))["date_modified"] == updated
    # nothing left to correct
    assert run_cli(root, "correct", ISSUE, "--note", "again") == 1
    # a published figure does not vanish silently either: removed (or rewritten), it is missing
    for name, old, new in (("en.md", 'closing at {{ level("SP500", "2025-04-04") }}.', "closing lower."),
                           ("zh-Hant.md", '收在 {{ level("SP500", "2025-04-04") }}。', "收低。")):
        path = root / FOLDER / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    capsys.readouterr()
    assert run_cli(root, "build") == 1
    err = capsys.readouterr().err
    for where in ("en.md:10", "zh-Hant.md:8"):  # the body's first line: the figure has no line any more
        assert (f'{FOLDER}/{where}: published figure missing: {{{{ level("SP500", "2025-04-04") }}}} printed '
                "5,000.00; it is no longer on the page") in err
    assert run_cli(root, "publish", ISSUE) == 0 and run_cli(root, "build") == 0  # locked as it is now


def test_a_chart_whose_points_moved_stops_the_build_naming_them(make_site, capsys) -> None:
    root = locked_site(make_site, charts=True)
    assert run_cli(root, "publish", ISSUE) == 0
    rows = read_lock(root / FOLDER).charts("en")["rebound"]["rows"]  # type: ignore[union-attr]
    assert rows[0] == ["Apr 7 Mon", "-0.23%"]
    revise(root, "2025-04-08,SP500,4982.77,", "2025-04-08,SP500,5010.00,")  # no figure reads it
    capsys.readouterr()
    assert run_cli(root, "build") == 1
    err = capsys.readouterr().err
    assert (f'{FOLDER}/en.md:15: {{{{ chart("rebound") }}}}: published chart changed: Apr 8 Tue S&P 500: -1.57% → '
            "-1.03%; Apr 9 Wed S&P 500: 9.52% → 8.92%") in err
    assert f"{FOLDER}/zh-Hant.md:12: {{{{ chart(\"rebound\") }}}}: published chart changed: 4/8 週二" in err
    assert "published figure changed" not in err
    # a chart cannot keep its published points: a correction records it, and the box says so
    assert run_cli(root, "correct", ISSUE, "--note", "S&P 500 close of April 8 revised.", "--date", "2025-05-02") == 0
    assert "en: chart 'rebound': 2 point(s) revised" in capsys.readouterr().out
    assert run_cli(root, "build") == 0
    box = soup(root / "site" / "en" / "issues" / ISSUE / "index.html").select_one("aside.corrections")
    assert box is not None
    assert [li.get_text() for li in box.select("ul.corrected li")] == [
        "Daily moves of the S&P 500: the chart's data was revised"]


def test_a_draft_is_never_locked_and_unpublishing_keeps_the_lock(make_site, capsys) -> None:
    root = locked_site(make_site, draft=True)
    assert run_cli(root, "publish", ISSUE) == 1
    assert f"{FOLDER}/zh-Hant.md:2: the issue is a draft" in capsys.readouterr().err
    assert not (root / FOLDER / LOCK_FILE).exists()
    for name in ("zh-Hant.md", "en.md"):  # published, locked, then a draft again
        path = root / FOLDER / name
        path.write_text(path.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    assert run_cli(root, "translated", ISSUE) == 0 and run_cli(root, "publish", ISSUE) == 0
    for name in ("zh-Hant.md", "en.md"):
        path = root / FOLDER / name
        path.write_text(path.read_text(encoding="utf-8").replace("slug: locked\n", "slug: locked\ndraft: true\n"),
                        encoding="utf-8")
    revise(root, CLOSE, "2025-04-04,SP500,5000.00,")
    capsys.readouterr()
    assert run_cli(root, "build") == 0
    assert f"{ISSUE} keeps its published figure lock" in capsys.readouterr().err
    assert run_cli(root, "build", "--drafts") == 0  # a draft is not compared with its lock
    assert (root / FOLDER / LOCK_FILE).is_file()
    assert run_cli(root, "publish", ISSUE) == 1
    assert "is kept and applies again when it is published" in capsys.readouterr().err
    kept = (root / FOLDER / LOCK_FILE).read_bytes()
    assert run_cli(root, "publish", "--all") == 0  # every published issue without a lock
    assert (root / "content/issues/2025-04-06-earlier" / LOCK_FILE).is_file()
    assert (root / FOLDER / LOCK_FILE).read_bytes() == kept  # a lock is never rewritten by --all


@pytest.mark.unit
def test_changes_between_locks_match_calls_not_lines_or_spacing() -> None:
    old = IssueLock("x", dt.date(2025, 4, 13), editions={"en": {"figures": [
        {"expression": '{{ level("SP500", "2025-04-04") }}', "text": "5,074.08"},
        {"expression": '{{ level("SP500", "2025-04-04") }}', "text": "5,074.08"}],
        "charts": {"c": {"hash": "a", "columns": ["Date", "S&P 500"], "rows": [["Apr 7", "1%"], ["Apr 8", "2%"]],
                         "figures": ["9.1%"], "title": "t"}}}})
    new = IssueLock("x", dt.date(2025, 4, 13), editions={"en": {"figures": [
        {"expression": "{{level('SP500','2025-04-04')}}", "text": "5,074.08"},
        {"expression": '{{ level("SP500", "2025-04-04") }}', "text": "5,000.00"}],
        "charts": {"c": {"hash": "b", "columns": ["Date", "S&P 500"], "rows": [["Apr 7", "1%"], ["Apr 8", "3%"]],
                         "figures": ["9.2%"], "title": "t"}}}})
    assert call_key("{{level('SP500','2025-04-04')}}") == call_key('level("SP500", "2025-04-04")')
    changes = changed_figures(old, new)
    assert [(c.was, c.now) for c in changes] == [("5,074.08", "5,000.00")]  # the second occurrence only
    (chart,) = changed_charts(old, new)
    assert chart.moved == (("Apr 8", "S&P 500", "2%", "3%"), ("its texts", "figure 1", "9.1%", "9.2%"))
    assert chart.describe() == "Apr 8 S&P 500: 2% → 3%; its texts figure 1: 9.1% → 9.2%"
    assert moved_points({"rows": [["a", "1"]]}, {"rows": [["a", "1"], ["b", "2"]], "columns": ["d", "v"]}) == \
        (("b", "v", "–", "2"),)
    # new day labels and wording move no number
    assert moved_points({"rows": [["4/7", "1%"]], "figures": ["9.1%"]},
                        {"rows": [["4 月 7 日", "1%"]], "figures": ["9.1%"]}) == ()
    text = lock_text(new)
    assert json.loads(text)["if_data_changes"] == "stop" and text.endswith("}\n")


@pytest.mark.unit
def test_a_damaged_lock_names_its_file(tmp_path: Path) -> None:
    (tmp_path / LOCK_FILE).write_text('{"issue": "x", "published": "2025-04-13", "if_data_changes": "maybe", '
                                      '"editions": {}}', encoding="utf-8")
    with pytest.raises(Exception, match="not one `publish` wrote") as caught:
        read_lock(tmp_path)
    assert caught.value.hint and "stop" in caught.value.hint  # type: ignore[attr-defined]


@pytest.mark.unit
def test_recorded_corrections_are_read_per_edition_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "corrections.yaml"
    path.write_text('- date: 2025-05-02\n  note: {zh-Hant: "收盤價修訂。", en: "A close was revised."}\n'
                    '  figures:\n  - {edition: "en", label: "S&P 500", was: "9.1%", now: "10.4%"}\n'
                    '  charts:\n  - {edition: "zh-Hant", chart: "rebound", title: "標普 500 每日漲跌", points: 2}\n'
                    "- date: 2025-05-09\n  note: ''\n", encoding="utf-8")
    with pytest.raises(SourceError) as missing:
        read_corrections(path, ["zh-Hant", "en"])
    assert (missing.value.line, missing.value.message) == (8, "a correction's note is missing")
    path.write_text(path.read_text(encoding="utf-8").replace("  note: ''\n", "  note: Again.\n"), encoding="utf-8")
    found = read_corrections(path, ["zh-Hant", "en"])
    assert [c.text for c in found["zh-Hant"]] == ["收盤價修訂。", "Again."]
    assert found["en"][0].changes == (CorrectedValue("S&P 500", "9.1%", "10.4%"),)
    assert found["zh-Hant"][0].changes == (CorrectedValue("標普 500 每日漲跌"),)
    assert found["en"][0].date == dt.date(2025, 5, 2) and found["en"][1].changes == ()
