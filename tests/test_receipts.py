"""A receipt for every number, the data behind an issue, and editors' notes from reviewed marks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from bs4 import BeautifulSoup

from broadsheet.build.pipeline import assemble_site
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import ROOT, build_into

ISSUE = "2025-04-13-sample"
REVIEWED = """\
---
title: 審閱
date: 2025-04-13
summary: 一期有編者註的週報。
---
## 生產者物價

<!-- reviewed: 作者引用初值 2.1%;資料為 {{ release("PPI_FD_YOY", "2025-03") }}。 -->
- 3 月 PPI 年增 2.1%,低於預期的 2.2%。
- 月增 0.2%,低於預期的 0.3%。

標普500 收在 {{ level("SP500", "2025-04-04") }}。<!-- an aside for editors only -->
"""


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def receipt_of(page: BeautifulSoup, figure) -> str:
    """The receipt a figure's button opens and is described by (its popover on the page)."""
    button = figure  # one element: the figure is the button
    assert button.name == "button" and button["type"] == "button" and "fig" in button["class"]
    assert button["popovertarget"] == button["aria-describedby"]
    receipt = page.find(id=button["popovertarget"])
    assert receipt is not None and receipt.has_attr("popover") and "receipt" in receipt["class"]
    return receipt.get_text(" ", strip=True)


def test_each_figure_carries_its_receipt_readable_without_javascript(make_site) -> None:
    out = build_into(make_site())
    page = soup(out / "issues" / ISSUE / "index.html")
    figures = page.select(".issue-body .fig")
    assert [f.get_text() for f in figures] == ["9.1%", "5,074.08", "4.01%", "4.34%", "33"]
    level = figures[1]
    assert level["value"] == "5074.08" and level.get_text() == "5,074.08"  # the button's name: the number
    # in plain language: the series' name, the day as the page writes days, the value, the source
    receipt = receipt_of(page, level)
    assert "標普 500 指數" in receipt and "2025年4月4日" in receipt and "5,074.08" in receipt
    assert "FRED" in receipt and "資料來源：" in receipt  # the source
    week = receipt_of(page, figures[0])
    assert "2025年3月28日收盤 5,580.94 → 2025年4月4日收盤 5,074.08" in week  # both closes the change was computed from
    assert "{{" not in week and "week_pct" not in week  # the expression is shown only in the preview
    assert "%" in receipt_of(page, figures[2])  # a yield with its unit
    assert page.select(".issue-body [title], .receipts [title]") == []  # no title attribute is a receipt
    css = page.select_one('link[href$="css/receipts.css"]')
    assert css is not None and (ROOT / "static" / "css" / "receipts.css").exists()


def test_preview_shows_each_figures_expression(make_site) -> None:
    out = build_into(make_site(), preview=True, drafts=True)
    page = soup(out / "issues" / ISSUE / "index.html")
    level = page.select(".issue-body .fig")[1]
    assert '{{ level("SP500", "2025-04-04") }}' in receipt_of(page, level)


def test_the_data_behind_an_issue_as_csv_and_json_linked_from_page_and_feeds(make_site) -> None:
    out = build_into(make_site())
    folder = out / "issues" / ISSUE
    rows = list(csv.DictReader(io.StringIO((folder / "data.csv").read_text(encoding="utf-8"))))
    assert [r["expression"] for r in rows][:2] == ['{{ week_pct("SP500", "2025-04-04", move="down") }}',
                                                   '{{ level("SP500", "2025-04-04") }}']
    assert len(rows) == 5
    assert rows[0]["dates"] == "2025-03-28|2025-04-04" and rows[0]["values"] == "5580.94|5074.08"
    assert rows[1]["text"] == "5,074.08" and rows[1]["line"] == "10" and rows[1]["source"]
    doc = json.loads((folder / "data.json").read_text(encoding="utf-8"))
    assert doc["as_of"] == "2025-04-09" and len(doc["figures"]) == 5
    assert doc["figures"][0]["values"] == [5580.94, 5074.08]
    page = soup(folder / "index.html")
    links = [a["href"] for a in page.select(".provenance .data-behind a")]
    assert [link.rsplit("/", 2)[1:] for link in links] == [[ISSUE, "data.csv"], [ISSUE, "data.json"]]
    for feed in ("feed.xml", "atom.xml", "feed.json"):
        assert "issues/2025-04-13-sample/data.csv" in (out / feed).read_text(encoding="utf-8")


def test_first_issue_links_its_figures_data(real_site: Path) -> None:
    for prefix in ("", "en/"):
        folder = real_site / prefix / "issues" / "2025-04-13-tariff-shock"
        rows = list(csv.DictReader(io.StringIO((folder / "data.csv").read_text(encoding="utf-8"))))
        figures = soup(folder / "index.html").select(".issue-body .fig")
        assert len(rows) == len(figures) >= 35  # every figure it quotes, one row each
        assert "issues/2025-04-13-tariff-shock/data.json" in (real_site / prefix / "feed.xml").read_text("utf-8")


def test_reviewed_mark_becomes_an_editors_note_after_its_list(make_site) -> None:
    root = make_site({f"content/issues/{ISSUE}/zh-Hant.md": REVIEWED})
    out = build_into(root)
    body = soup(out / "issues" / ISSUE / "index.html").select_one(".issue-body")
    note = body.select_one(".editor-note")
    assert note.find_previous_sibling("ul") is not None  # placed after the list it marks, not inside
    text = note.get_text(" ", strip=True)
    assert "編者註" in text and "作者引用初值 2.1%" in text
    assert note.select_one(".fig").get_text() == "2.7%"  # the data's value, with its receipt
    assert "美國勞工統計局" in text  # and its source
    assert "editors only" not in str(body)  # other comments stay out
    # the check accepts the whole marked list
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site")
    site = assemble_site(ctx)
    from broadsheet.checks.run import figure_and_data_problems

    assert [p for p in figure_and_data_problems(ctx, site) if "disagree" in p.message] == []


def test_first_issue_ppi_paragraph_has_the_editors_note_in_both_editions(real_site: Path) -> None:
    for prefix, words in (("", ("編者註", "2.1%", "2.7%", "美國勞工統計局")),
                          ("en/", ("Editor's note", "2.1%", "2.7%", "Bureau of Labor Statistics"))):
        page = soup(real_site / prefix / "issues" / "2025-04-13-tariff-shock" / "index.html")
        # the issue carries other editor's notes too (where the prose and the data disagree): the
        # PPI paragraph's is the one note that gives the index's two numbers
        notes = [n.get_text(" ", strip=True) for n in page.select(".issue-body .editor-note")]
        ppi = [text for text in notes if "2.1%" in text and "2.7%" in text]
        assert len(ppi) == 1, notes
        assert all(w in ppi[0] for w in words), ppi[0]
