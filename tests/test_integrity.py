"""Editorial integrity: the numbers lint, parity between editions, data sanity, provenance,
corrections and the disclaimer, on the real issue and on planted mistakes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from broadsheet.build.pipeline import Site, assemble_site
from broadsheet.checks.data_sanity import check_data_sanity
from broadsheet.checks.run import figure_and_data_problems
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.data.store import load_data
from broadsheet.pages.provenance import provenance
from conftest import ROOT, build_into, copy_cache, copy_real_project, halfwidth

ISSUE = "2025-04-13-tariff-shock"


def assemble(root: Path) -> tuple[BuildContext, Site]:
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site")
    return ctx, assemble_site(ctx, keep_going=True)  # parity also fails a build: collect, do not stop


def source_line(problem: SourceError) -> str:
    return problem.path.read_text(encoding="utf-8").split("\n")[problem.line - 1]


@pytest.fixture(scope="module")
def real_assembled(real_cache: Path) -> tuple[BuildContext, Site]:
    """The real project assembled once for the tests that read it (after real_site: its cache is warm)."""
    return assemble(ROOT)


@pytest.fixture(scope="module")
def real_problems(real_assembled: tuple[BuildContext, Site]) -> list[SourceError]:
    return figure_and_data_problems(*real_assembled)


@pytest.fixture(scope="module")
def unreviewed_problems(tmp_path_factory: pytest.TempPathFactory, real_cache: Path) -> list[SourceError]:
    """The real project with the reviewed marks taken out of the first issue (its charts come from
    the real build's cache: only the edited pages are assembled again)."""
    import re

    root = copy_real_project(tmp_path_factory.mktemp("unreviewed"))
    copy_cache(real_cache, root)
    for path in (root / "content" / "issues" / ISSUE).glob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"<!-- reviewed:.*?-->\n", "", text), encoding="utf-8")
    # the issue as it was before review, never published: its lock would (rightly) report the
    # figures of the editor's notes taken out with the marks as missing
    (root / "content" / "issues" / ISSUE / "figures.lock.json").unlink()
    ctx, site = assemble(root)
    return figure_and_data_problems(ctx, site)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# --- the real issue ---------------------------------------------------------------------------
def test_the_real_project_passes_the_check_gate(real_problems: list[SourceError]) -> None:
    """The March PPI paragraph is marked reviewed (with an editor's note): nothing is left to report."""
    assert [p.format(ROOT) for p in real_problems] == []


def test_unreviewed_the_ppi_claim_and_nothing_else_is_reported(unreviewed_problems: list[SourceError]) -> None:
    real_problems = unreviewed_problems
    assert real_problems, "the first issue's March PPI paragraph must be reported"
    for problem in real_problems:
        assert problem.path.parent.name == ISSUE, problem.format(ROOT)
        assert "PPI" in problem.message
        assert "2.1%" in source_line(problem) or "0.2%" in source_line(problem)
    # each edition: the y/y line and the m/m line of the PPI paragraph
    assert sorted(p.path.name for p in real_problems) == ["en.md", "en.md", "zh-Hant.md", "zh-Hant.md"]


def test_the_ppi_claim_names_both_values(unreviewed_problems: list[SourceError]) -> None:
    messages = [p.message for p in unreviewed_problems if p.path.name == "zh-Hant.md"]
    yoy = next(m for m in messages if "PPI_FD_YOY" in m)
    mom = next(m for m in messages if "PPI_FD_MOM" in m)
    assert "2.1%" in yoy and "the data says 2.7%" in yoy
    assert "0.2%" in mom and "the data says -0.4%" in mom
    # the consensus and prior typed in the same sentence are folded into the same finding
    assert "2.2% (PPI_FD_YOY 2025-03 consensus: the data says 3.3%)" in yoy


# --- planted mistakes -----------------------------------------------------------------------------
PLANTED = """\
---
title: 測試:打錯的數字
date: 2025-04-13
summary: 一期藏了錯字的週報。
---
## 美股

標普500 在 4/9 收在 5,300 點。
3月CPI年增率為 2.4%。
Bloomberg 調查:81% 投資人打算降低美國資產配置。
標普500 創下 2008 年來最大單日漲幅,標普11大產業全面上漲。
<!-- reviewed: quoted from the first print of the release, kept as the author wrote it -->
3 月 PPI 年增 2.1%。
十年期美債殖利率升至 4.48%,{{ level("DGS10", "2025-04-11") }} 是週五收盤。
"""


def test_numbers_lint_finds_planted_numbers(make_site) -> None:
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": PLANTED})
    ctx, site = assemble(root)
    found = {p.line: p.message for p in figure_and_data_problems(ctx, site) if p.path.name == "zh-Hant.md"
             and p.path.parent.name == "2025-04-13-sample"}
    assert set(found) == {8, 9, 14}, found
    assert "5,300" in found[8] and "the data says 5,457" in found[8]  # wrong: with both values
    assert "should be figure expressions" in found[9]  # right, but typed: make it a figure
    assert "matches" in found[14]


def test_reviewed_marker_and_quoted_facts_are_silent(make_site) -> None:
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": PLANTED})
    ctx, site = assemble(root)
    lines = {p.line for p in figure_and_data_problems(ctx, site) if p.path.name == "zh-Hant.md"}
    assert not lines & {10, 11, 13}
    page = soup(build_into(root) / "issues" / "2025-04-13-sample" / "index.html")
    assert "reviewed" not in str(page.select_one(".issue-body"))  # the mark stays out; its reason is a note
    assert "quoted from the first print" in page.select_one(".issue-body .editor-note").get_text()


PARITY_ZH = """\
---
title: 對照
date: 2025-04-13
summary: 中文版多一個數字。
---
標普500 下跌{{ week_pct("SP500", "2025-04-04", move="down") }}。

十年期殖利率 {{ level("DGS10", "2025-04-09", digits=1) }}。
"""
PARITY_EN = """\
---
title: Parity
date: 2025-04-13
summary: The English edition lacks one figure.
---
The S&P 500 fell {{ week_pct("SP500", "2025-04-04", digits=2, move="down") }}.
"""


def test_parity_lists_the_figure_one_edition_lacks(make_site) -> None:
    root = make_site({"content/issues/2025-04-13-parity/zh-Hant.md": PARITY_ZH,
                      "content/issues/2025-04-13-parity/en.md": PARITY_EN})
    ctx, site = assemble(root)
    parity = [p for p in figure_and_data_problems(ctx, site) if "but not in" in p.message]
    assert len(parity) == 1  # digits differ on week_pct: formatting only, not a difference
    assert parity[0].path.name == "zh-Hant.md" and parity[0].line == 8
    assert 'level("DGS10", "2025-04-09")' in parity[0].message and "en.md" in parity[0].message


def test_data_sanity_catches_a_40_percent_day_a_gap_and_a_repeated_prior(make_site) -> None:
    root = make_site()
    markets = (root / "data" / "markets.csv").read_text(encoding="utf-8").split("\n")
    gap = [n for n, row in enumerate(markets) if row.startswith("2025-03-12,DXY,")]
    del markets[gap[0]]
    planted = []
    for n, row in enumerate(markets):
        if row.startswith("2025-03-05,SP500,"):
            value = float(row.split(",")[2])
            markets[n] = f"2025-03-05,SP500,{value * 1.4:.2f},FRED_XL"
            planted.append(n + 1)
    (root / "data" / "markets.csv").write_text("\n".join(markets), encoding="utf-8")
    releases = (root / "data" / "releases.csv").read_text(encoding="utf-8").split("\n")
    ism = next(n for n, row in enumerate(releases) if row.startswith("ISM_MFG_PMI,2025-03,"))
    releases[ism] = "ISM_MFG_PMI,2025-03,2025-04-01,50.3,49.5,50.3,index,FLOOR_ISM_MAR"
    nfp = next(n for n, row in enumerate(releases) if row.startswith("UNEMPLOYMENT_RATE,2025-03,"))
    releases[nfp] = "UNEMPLOYMENT_RATE,2025-03,2025-04-04,4.1,4.1,4.1,%,CNBC_NFP_MAR (unchanged per BLS)"
    (root / "data" / "releases.csv").write_text("\n".join(releases), encoding="utf-8")

    config = load_config(root / "site.yaml")
    problems = check_data_sanity(load_data(root / "data"), config)
    messages = [p.format(root) for p in problems]
    move = [p for p in problems if "SP500 moves +4" in p.message and "on 2025-03-05" in p.message]
    assert move and move[0].line == planted[0], messages
    assert any("DXY has no close on 2025-03-12" in m for m in messages), messages
    repeated = [p for p in problems if "equals the prior" in p.message]
    assert [p.line for p in repeated] == [ism + 1], messages  # "unchanged" in the source allows it
    # the day after the 40% day falls back by as much: both are flagged, nothing else is
    assert len(problems) == 4, messages


@pytest.mark.unit
def test_the_real_data_is_sane() -> None:
    assert check_data_sanity(load_data(ROOT / "data"), load_config(ROOT / "site.yaml")) == []


def test_a_bad_daily_bound_is_an_error_with_its_line(make_site) -> None:
    root = make_site()
    catalog = root / "data" / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8").replace("max_daily_move_pct: 120", "max_daily_move_pct: lots")
    catalog.write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    problem = failed.value.problems[0]
    assert "VIX: max_daily_move_pct must be a positive number" in problem.message
    assert text.split("\n")[problem.line - 1].strip() == "VIX:"


# --- provenance -------------------------------------------------------------------------------------
def test_provenance_is_the_last_date_its_figures_used(real_assembled: tuple[BuildContext, Site]) -> None:
    ctx, site = real_assembled
    ip = site.pages[(ISSUE, "zh-Hant")]
    last = max(d for use in ip.figures for d in use.dates)
    assert last == dt.date(2025, 4, 11)  # the UMich preliminary release date, the latest data quoted
    prov = provenance(ip.figures, load_data(ROOT / "data"), lang="en")
    assert prov.as_of == last
    names = [s.name for s in prov.sources]
    assert "U.S. Bureau of Labor Statistics" in names and "University of Michigan Surveys of Consumers" in names
    assert names.count("FRED (Federal Reserve Bank of St. Louis) database") == 1
    # each edition cites its sources in its own language
    zh = [s.name for s in provenance(ip.figures, load_data(ROOT / "data"), lang="zh-Hant").sources]
    assert "美國勞工統計局" in zh and "密西根大學消費者調查" in zh and not any("Bureau" in n for n in zh)


@pytest.mark.parametrize(("path", "as_of", "source"), [
    (f"issues/{ISSUE}/index.html", "資料截至 2025年4月11日", "來源"),
    (f"en/issues/{ISSUE}/index.html", "Data as of April 11, 2025", "Sources"),
])
def test_the_issue_page_ends_with_its_provenance(real_site: Path, path: str, as_of: str, source: str) -> None:
    page = soup(real_site / path)
    footer = page.select_one("article .provenance")
    assert footer is not None
    assert as_of in footer.get_text()
    assert source in footer.get_text()
    assert footer.find("a", href="https://fred.stlouisfed.org/")
    assert footer.find_previous_sibling(class_="issue-body") is not None  # after the body


# --- corrections and disclaimer ------------------------------------------------------------------
CORRECTED = """\
---
title: 已更正的一期
date: 2025-04-13
summary: 一期有更正的週報。
corrections:
  - date: 2025-04-15
    text: PPI 年增率更正為 2.7%(原誤植 2.1%)。
  - {date: 2025-04-14, text: 修正道瓊收盤日期。}
---
標普500 下跌{{ week_pct("SP500", "2025-04-04", move="down") }}。
"""


def test_corrections_render_as_a_box(make_site) -> None:
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": CORRECTED})
    page = soup(build_into(root) / "issues" / "2025-04-13-sample" / "index.html")
    box = page.select_one(".corrections")
    assert box is not None and box.h2.get_text() == "更正"
    items = box.select("li")
    assert [li.time["datetime"] for li in items] == ["2025-04-14", "2025-04-15"]
    assert "PPI 年增率更正為 2.7%" in items[1].get_text()
    ctx, site = assemble(root)
    assert site.pages[("2025-04-13-sample", "zh-Hant")].page.meta.updated == dt.date(2025, 4, 15)


def test_a_correction_bumps_the_feed_items_updated_time_and_feeds_carry_provenance(make_site) -> None:
    import feedparser

    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": CORRECTED})
    out = build_into(root)
    atom = feedparser.parse((out / "atom.xml").read_bytes())
    entry = next(e for e in atom.entries if "2025-04-13-sample" in e.link)
    assert entry.updated.startswith("2025-04-15T")
    assert entry.published.startswith("2025-04-13T")
    content = BeautifulSoup(entry.content[0].value, "html.parser")
    assert content.select_one(".provenance") is not None


def test_a_bad_correction_names_its_line(make_site) -> None:
    bad = CORRECTED.replace("date: 2025-04-15", "date: 十五日")
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": bad})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    problem = failed.value.problems[0]
    assert problem.line == 6 and "correction date must be a date" in problem.message


def test_every_issue_ends_with_the_disclaimer_in_its_language(real_site: Path) -> None:
    config = load_config(ROOT / "site.yaml")
    for prefix, code in (("", "zh-Hant"), ("en/", "en")):
        page = soup(real_site / f"{prefix}issues/{ISSUE}/index.html")
        disclaimer = page.select_one("article .disclaimer")
        # zh pages show the disclaimer's , ; full-width (typography.py), as site.yaml's text is read:
        # shown exactly as the setting is, and as typed but for the marks
        assert disclaimer is not None and disclaimer.get_text(strip=True) == config.disclaimer[code]
        typed = yaml.safe_load((ROOT / "site.yaml").read_text(encoding="utf-8"))["disclaimer"][code]
        assert halfwidth(config.disclaimer[code]) == typed


def test_a_charts_series_and_dates_count_toward_data_as_of_and_sources(make_site) -> None:
    """The sample's figures quote SP500 and DGS10 up to 2025-04-09; its chart draws the dollar index
    (no figure quotes it) to 2025-04-11: the page is as of April 11 and cites the dollar's source."""
    from bs4 import BeautifulSoup

    chart = ("dollar:\n  kind: line\n  series: [DXY]\n  start: 2025-03-03\n  end: 2025-04-11\n"
             "  title: {zh-Hant: 美元指數, en: The dollar index}\n")
    page = (ROOT / "tests/sample_site/content/issues/2025-04-13-sample/zh-Hant.md").read_text(encoding="utf-8")
    root = make_site({"content/issues/2025-04-13-sample/charts.yaml": chart,
                      "content/issues/2025-04-13-sample/zh-Hant.md": page + '\n{{ chart("dollar") }}\n'})
    out = build_into(root)
    html = BeautifulSoup((out / "issues/2025-04-13-sample/index.html").read_text("utf-8"), "html.parser")
    footer = html.select_one("article .provenance").get_text(" ", strip=True)
    assert "2025年4月11日" in footer
    store = load_data(root / "data")
    dollar_source = store.catalog.source_of("DXY", "zh-Hant")[0]
    assert dollar_source in footer and dollar_source != store.catalog.source_of("SP500", "zh-Hant")[0]
