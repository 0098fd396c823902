"""The typed-number checks in both editions, and the value lint (checks/typed_values.py): a number
typed anywhere in the prose that equals, at the precision it was typed with, a value the data gives
inside the issue's window is a `check` warning with the figure expression that prints it.

The TAIEX is added as docs/data.md's "Add a market" recipe adds it (its catalog entry and the
names prose uses for it, 加權指數 among them), with the test closes of tests/fixtures/taiex/
(test values, not data: the week of 2025-04-07, the TWSE closed on 04-03 and 04-04).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_docs_examples import examples
from test_docs_recipe import apply_file_step, recipe

from broadsheet.checks.typed_numbers import judge_page, lint_numbers
from broadsheet.checks.typed_values import issue_window, lint_chart_values, lint_values, significant_digits
from broadsheet.content.issues import Page, read_page
from broadsheet.core.errors import SourceError
from broadsheet.core.i18n import NumberFormatter
from broadsheet.data.store import DataStore, load_data
from broadsheet.figures.evaluate import evaluate_figures
from broadsheet.figures.functions import FigureFunctions
from conftest import ROOT

pytestmark = pytest.mark.unit

CLOSES = Path(__file__).parent / "fixtures" / "taiex" / "closes.csv"
ISSUE = "2025-04-13-tariff-shock"
LOCALES = {"zh-Hant": "zh_Hant_TW", "en": "en_US"}


def with_taiex(root: Path, aliases: bool = True) -> DataStore:
    """The project's data with the recipe's TAIEX catalog entry (and its aliases) and the test closes."""
    shutil.copytree(ROOT / "data", root / "data")
    for what, body in recipe():
        if what.startswith("data/catalog.yaml") and (aliases or "aliases" not in what):
            apply_file_step(root, what, body)
    rows = CLOSES.read_text(encoding="utf-8").split("\n")[1:]
    with (root / "data" / "markets.csv").open("a", encoding="utf-8", newline="") as markets:
        markets.writelines(f"{row.split(',')[0]},TAIEX,{row.split(',')[1]},TWSE\n" for row in rows if row)
    return load_data(root / "data")


@pytest.fixture(scope="module")
def taiex_data(tmp_path_factory: pytest.TempPathFactory) -> DataStore:
    return with_taiex(tmp_path_factory.mktemp("taiex"))


@pytest.fixture
def write_page(tmp_path: Path):
    def write(body: str, lang: str = "zh-Hant", date: str = "2025-04-13") -> Page:
        folder = tmp_path / f"{date}-sample"
        folder.mkdir(exist_ok=True)
        path = folder / f"{lang}.md"
        path.write_text(f"---\ntitle: t\ndate: {date}\nsummary: s\n---\n{body}\n", encoding="utf-8")
        return read_page(path, lang, folder.name)

    return write


def named(page: Page, store: DataStore) -> list[SourceError]:
    """The typed-number check: numbers typed beside a series' name (errors)."""
    return lint_numbers(page, store, [])


def values(page: Page, store: DataStore) -> list[SourceError]:
    """The value lint: any other number of the prose that the data gives (warnings)."""
    return lint_values(page, store, judge_page(page, store, []))


def printed(expression: str, store: DataStore, lang: str) -> str:
    """What a figure expression prints on a page in `lang`."""
    functions = FigureFunctions(store, NumberFormatter(LOCALES[lang])).namespace()
    text, _, errors = evaluate_figures("{{ " + expression + " }}", Path("x.md"), 1, functions)
    assert not errors, errors
    return text


# --- (a) the names readers use: 加權指數 is an alias of the TAIEX ------------------------------------
@pytest.mark.parametrize(("lang", "body"), [
    ("zh-Hant", "加權指數 4/9 收在 17,000 點。"),
    ("en", "The TAIEX closed at 17,000 on April 9."),
    ("en", "Taiwan stocks closed at 17,000 on Apr. 9."),
])
def test_a_close_typed_beside_an_alias_disagrees_with_the_data(taiex_data, write_page, lang, body) -> None:
    page = write_page(body, lang)
    [problem] = named(page, taiex_data)
    assert problem.line == 6
    assert "typed numbers disagree with the data: 17,000" in problem.message
    assert "TAIEX close 2025-04-09: the data says 17,392" in problem.message
    assert values(page, taiex_data) == []  # reported once, by the check that knows the series


def test_without_the_alias_the_round_number_is_not_read_and_the_exact_close_still_is(tmp_path, write_page) -> None:
    store = with_taiex(tmp_path / "no-aliases", aliases=False)
    page = write_page("加權指數 4/9 收在 17,000 點。")
    assert named(page, store) == [] and values(page, store) == []
    page = write_page("加權指數 4/9 收在 17,391.76 點。")
    assert named(page, store) == []
    [warning] = values(page, store)
    assert warning.message.startswith("17,391.76 點 is TAIEX's low of the week (2025-04-09): write")


def test_the_recipe_names_the_taiex_as_readers_do() -> None:
    aliases = dict(recipe())['data/catalog.yaml after "  aliases:"']
    assert '"加權指數": [TAIEX]' in aliases and '"台股": [TAIEX]' in aliases
    assert "lint:" in (ROOT / "docs" / "data.md").read_text(encoding="utf-8")


# --- (b) a typed low, with no series named ---------------------------------------------------------
@pytest.mark.parametrize(("lang", "body"), [
    ("zh-Hant", "收在本週低點 17,391.76 點。"),
    ("en", "It closed at the week's low of 17,391.76."),
])
def test_a_typed_low_with_no_name_is_a_warning_with_the_figure_that_prints_it(taiex_data, write_page, lang,
                                                                                body) -> None:
    page = write_page(body, lang)
    assert named(page, taiex_data) == []  # no series in the clause: the typed-number check is silent
    [warning] = values(page, taiex_data)
    assert warning.line == 6
    assert warning.message.startswith("17,391.76")
    assert "is TAIEX's low of the week (2025-04-09): write " in warning.message
    low = 'low("TAIEX", "2025-04-07", "2025-04-11")'
    assert "{{ " + low + " }} (or {{ level(\"TAIEX\", \"2025-04-09\") }}) so the number is computed" in warning.message
    assert printed(low, taiex_data, lang) == "17,391.76"  # what the editor is told to write prints it
    assert "reviewed" in warning.hint


@pytest.mark.parametrize(("typed", "expression", "prints"), [
    ("19,528.77", 'high("TAIEX", "2025-04-07", "2025-04-11")', "19,528.77"),
    ("19,529", 'high("TAIEX", "2025-04-07", "2025-04-11", digits=0)', "19,529"),
    ("18459.95", 'level("TAIEX", "2025-04-08", grouping=False)', "18459.95"),
    ("21,298.2", 'high("TAIEX", "2025-03-31", "2025-04-02", digits=1)', "21,298.2"),
])
def test_the_suggestion_prints_the_number_as_typed(taiex_data, write_page, typed, expression, prints) -> None:
    for lang in ("zh-Hant", "en"):
        [warning] = values(write_page(f"收盤 {typed}。" if lang == "zh-Hant" else f"It ended at {typed}.", lang),
                           taiex_data)
        assert "{{ " + expression + " }}" in warning.message
        assert printed(expression, taiex_data, lang) == prints


# --- a typed change with no series named: beside a movement word -------------------------------------
@pytest.mark.parametrize(("lang", "body"), [
    ("zh-Hant", "三大指數 4/9 分別上漲 7.87%、9.52%、12.16%。"),
    ("en", "On April 9 the three indices jumped 7.87%, 9.52% and 12.16%."),
])
def test_typed_changes_of_a_named_day_are_warnings_with_the_figures(taiex_data, write_page, lang, body) -> None:
    found = values(write_page(body, lang), taiex_data)
    assert [w.message.split(":")[0] for w in found] == [
        "7.87% is DJIA's change on 2025-04-09", "9.52% is SP500's change on 2025-04-09",
        "12.16% is NASDAQCOM's change on 2025-04-09"]
    expression = 'day_pct("SP500", "2025-04-09", digits=2, move="up")'
    assert "{{ " + expression + " }}" in found[1].message
    assert printed(expression, taiex_data, lang) == "9.52%"


def test_a_precise_change_needs_no_day_and_a_rough_one_needs_both(taiex_data, write_page) -> None:
    [warning] = values(write_page("那一天狂奔 1,857.06 點。"), taiex_data)
    assert warning.message.startswith("1,857.06 點 is NASDAQCOM's change on 2025-04-09: write "
                                      '{{ day_points("NASDAQCOM", "2025-04-09", move="up") }}')
    [warning] = values(write_page("4/7 大盤重挫 9.70%。"), taiex_data)
    assert '{{ day_pct("TAIEX", "2025-04-07", digits=2, move="down") }}' in warning.message
    # three significant digits and no day: some change of a dozen series would match by chance
    assert values(write_page("原物料相對強勢,上漲2.93%;選擇性消費品僅上漲1.06%。"), taiex_data) == []
    assert values(write_page("Materials rose 9.52% while utilities lagged.", "en"), taiex_data) == []
    assert values(write_page("4/9 的 9.52% 是一個數字。"), taiex_data) == []  # no movement word: not a change


# --- (c) a change typed in English ---------------------------------------------------------------
@pytest.mark.parametrize(("lang", "body"), [
    ("en", "This week the S&P 500 moved 5.2%."),
    ("zh-Hant", "本週標普500 變動 5.2%。"),
    ("en", "The S&P 500 slid 5.2% over the week."),
])
def test_a_typed_change_beside_a_name_is_compared_in_both_languages(taiex_data, write_page, lang, body) -> None:
    [problem] = named(write_page(body, lang), taiex_data)
    assert problem.message.startswith("typed numbers disagree with the data: 5.2% (SP500 change")


@pytest.mark.parametrize(("lang", "body", "reading"), [
    ("en", "The S&P 500 rose 9.52% on April 9.", 'day_pct("SP500", "2025-04-09")'),
    ("zh-Hant", "標普500 4/9 上漲 9.52%。", 'day_pct("SP500", "2025-04-09")'),
    ("en", "The S&P 500 closed at 5,456.90 on Apr 9th.", 'level("SP500", "2025-04-09")'),
    ("zh-Hant", "標普500 4 月 9 日收在 5,456.90 點。", 'level("SP500", "2025-04-09")'),
    ("en", "The Dow added 2,962.86 points on April 9.", 'day_points("DJIA", "2025-04-09")'),
    ("zh-Hant", "道瓊 4/9 上漲 2,962.86 點。", 'day_points("DJIA", "2025-04-09")'),
])
def test_english_and_chinese_get_the_same_typed_number_check(taiex_data, write_page, lang, body, reading) -> None:
    [problem] = named(write_page(body, lang), taiex_data)
    assert problem.message.startswith("typed numbers should be figure expressions")
    assert "{{ " + reading + " }}" in problem.hint


SAME_CLAIM = [  # (English, Chinese): the same sentence in each edition gets the same finding
    ("March CPI rose 2.5% year on year, below the 2.6% expected.", "3月CPI年增率為 2.5%,低於預期的 2.6%。"),
    ("Nonfarm payrolls rose by 228,000 in March.", "3 月非農就業人數增加 22.8萬。"),
    ("The unemployment rate rose to 4.3% in March.", "3 月失業率上升至 4.3%。"),
    ("The March ISM manufacturing PMI fell to 48.0.", "3月ISM製造業PMI下滑至 48.0。"),
    ("The 10-year Treasury yield climbed to 4.50% on April 11.", "十年期美債殖利率 4/11 升至 4.50%。"),
    ("Brent closed at $64.76 on April 11.", "布蘭特原油 4/11 收在 64.76 美元。"),
    ("The VIX closed at 52.3 on Apr. 8.", "VIX 4/8 收在 52.3。"),
    ("The Nasdaq fell 5.82% on April 4.", "那斯達克 4/4 下跌 5.82%。"),
    ("The Dow shed 2.5% over the week.", "道瓊本週下跌 2.5%。"),
    ("The 10-year yield rose 0.08 percentage points on April 9.", "十年期殖利率 4/9 上升 0.08 個百分點。"),
    ("The 10-year yield rose 0.3 percentage points on April 9.", "十年期殖利率 4/9 上升 0.3 個百分點。"),
    # a number right after a Han character is read (上漲9.52%), as one after a space is
    ("The S&P 500 rose 9.52% on April 9.", "標普500 4/9 上漲9.52%。"),
    # the starting value of a move is not the close of the day named
    ("The 10-year Treasury yield rose from 4.01% to 4.34% by April 9.",
     "十年期美國公債殖利率從4.01%到4月9日爬升到4.34%。"),
    # "the previous month" after a number is its field, not the next number's
    ("The ISM manufacturing PMI fell from 50.3 the previous month to 49 in March.",
     "美國3月ISM製造業PMI從前月的 50.3 下滑至 49。"),
    # from X to Y: X is the prior; February's revised figure is the prior of March's release
    ("The unemployment rate edged up from 4.1% to 4.2% in March.", "3 月失業率從 4.1% 小幅上升至 4.2%。"),
    ("Payrolls rose by 228,000, better than February's downwardly revised 117,000.",
     "非農就業增加 22.8萬,優於 2 月下修後的 11.7萬。"),
    # 5–10-year is not the 10-year yield
    ("5–10-year inflation expectations reached 4.4% in April.", "4 月五到十年的通膨預期高達 4.4%。"),
]


@pytest.mark.parametrize(("english", "chinese"), SAME_CLAIM)
def test_the_same_claim_gets_the_same_finding_in_both_editions(taiex_data, write_page, english, chinese) -> None:
    def findings(body: str, lang: str) -> list[tuple[str, str, str]]:
        judged = judge_page(write_page(body, lang), taiex_data, [])
        return [(f.verdict, f.label, f.figure) for found in judged.by_line.values() for f in found]

    assert findings(english, "en") == findings(chinese, "zh-Hant") != []


def test_a_yields_percentage_points_are_its_change_not_its_close(taiex_data, write_page) -> None:
    [problem] = named(write_page("十年期殖利率 4/9 上升 0.3 個百分點。"), taiex_data)
    assert "0.3 個百分點 (DGS10 change on 2025-04-07: the data says 0.1 個百分點)" in problem.message
    assert "{{ day_points(\"DGS10\", \"2025-04-07\") }}" in problem.hint  # prints 0.14, the change in points
    [problem] = named(write_page("十年期殖利率 4/9 上升 0.08 個百分點。"), taiex_data)
    assert problem.message.startswith("typed numbers should be figure expressions: 0.08 個百分點 (DGS10 change on "
                                      "2025-04-09")


def test_a_month_before_a_number_is_its_period(taiex_data, write_page) -> None:
    body = "March CPI rose 2.4% year on year, below the consensus forecast of 2.6% and well below February's 2.8%."
    [problem] = named(write_page(body, "en"), taiex_data)
    assert problem.message == ("typed numbers should be figure expressions: 2.4% (CPI_YOY 2025-03 actual: matches); "
                               "2.6% (CPI_YOY 2025-03 consensus: matches); 2.8% (CPI_YOY 2025-02 actual: matches)")


def test_english_basis_points_and_dates_are_read(taiex_data, write_page) -> None:
    [problem] = named(write_page("The 10-year yield rose 99 bps on April 9.", "en"), taiex_data)
    assert "disagree with the data: 99 bps (DGS10 change on 2025-04-0" in problem.message  # bps: basis points
    # 9 April and April 9th are the same day: the day is not read as a close
    for body in ("The S&P 500 rose on 9 April.", "The S&P 500 rose on April 9th, 2025.", "On p. 123 of its report."):
        page = write_page(body, "en")
        assert named(page, taiex_data) == [] and values(page, taiex_data) == []


CHARTS = """\
taiex:
  kind: line
  series: [TAIEX]
  start: 2025-04-02
  end: 2025-04-11
  title:
    zh-Hant: 加權指數 4 月 9 日收在 17,391.76 點
    en: The TAIEX closed at its low, {{ low("TAIEX", "2025-04-07", "2025-04-11") }}, on April 9
  description:
    zh-Hant: 4 月 11 日收在 {{ level("TAIEX", "2025-04-11") }} 點,第 2 週。
    en: It ended the week at 19,528.77.
"""


def test_the_chart_texts_are_read_in_each_language(taiex_data, write_page, tmp_path: Path) -> None:
    charts = tmp_path / "charts.yaml"
    charts.write_text(CHARTS, encoding="utf-8")
    found = {w.line: w.message for w in lint_chart_values(charts, write_page("x"), taiex_data)}
    assert sorted(found) == [7, 11]
    assert found[7].startswith("17,391.76 點 is TAIEX's low of the week (2025-04-09)")
    assert found[11].startswith("19,528.77 is TAIEX's high of the week (2025-04-11)")


# --- precision: what must not warn --------------------------------------------------------------
NOT_DATA = """\
2025 年 4 月 9 日,4/9,11 大產業,6 家企業,第 3 季,第 123 頁,125% 關稅,暫緩 90 天。
In 2025, on April 9 and Apr. 11, 11 sectors, 6 companies, p. 123, page 17, No. 391, a 125% tariff.
收在 17,000 點,殖利率 4.6%,油價 57 美元,漲 5%。
Closed near 17,000, the yield at 4.6%, oil at $57, up 5%.
一度跌至 17,391.76 點,盤中低點 17,391.76。
It briefly fell to 17,391.76, at least 19,528.77.
收在 {{ low("TAIEX", "2025-04-07", "2025-04-11") }} 點,{{ level("SP500", "2025-04-09") }}。
"""


def test_years_dates_counts_pages_round_numbers_thresholds_and_figures_do_not_warn(taiex_data, write_page) -> None:
    for lang in ("zh-Hant", "en"):
        assert values(write_page(NOT_DATA, lang), taiex_data) == []


def test_outside_the_issue_window_and_reviewed_lines_do_not_warn(taiex_data, write_page) -> None:
    assert values(write_page("收在 17,391.76 點。", date="2025-04-27"), taiex_data) == []  # two weeks later
    assert values(write_page("收在 17,391.76 點。", date="2025-04-06"), taiex_data) == []  # before it
    reviewed = "<!-- reviewed: quoted from the exchange's notice -->\n收在 17,391.76 點。"
    assert values(write_page(reviewed), taiex_data) == []


def test_the_window_is_the_issue_week_and_the_week_before(write_page) -> None:
    start, end = issue_window(write_page("x"))
    assert (str(start), str(end)) == ("2025-03-31", "2025-04-13")


@pytest.mark.parametrize(("num", "digits"), [("17,391.76", 7), ("17,000", 2), ("0.25", 2), ("4.60", 3),
                                             ("5", 1), ("100", 1), ("99.574", 5)])
def test_significant_digits(num: str, digits: int) -> None:
    assert significant_digits(num) == digits


def test_the_first_issue_gets_no_value_warning() -> None:
    store = load_data(ROOT / "data")
    for lang in ("zh-Hant", "en"):
        page = read_page(ROOT / "content" / "issues" / ISSUE / f"{lang}.md", lang, ISSUE)
        assert values(page, store) == [], lang


def test_the_first_issue_typed_back_gets_the_same_findings_in_both_editions(tmp_path: Path) -> None:
    """Each figure of the first issue typed as the number it prints (as an author would have typed
    it): both editions are read alike, and the only disagreements are the March PPI paragraph's."""
    import re

    store = load_data(ROOT / "data")
    found = {}
    for lang in ("zh-Hant", "en"):
        text = (ROOT / "content" / "issues" / ISSUE / f"{lang}.md").read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 1)
        body = re.sub(r"<!-- reviewed:.*?-->", "", body, flags=re.S)  # the editor's notes quote figures too
        body = re.sub(r"\{\{ chart\([^}]*\}\}", "", body)
        functions = FigureFunctions(store, NumberFormatter(LOCALES[lang])).namespace()
        typed, _, errors = evaluate_figures(body, Path("x.md"), 1, functions)
        assert not errors
        folder = tmp_path / ISSUE
        folder.mkdir(exist_ok=True)
        (folder / f"{lang}.md").write_text(front + "\n---\n" + typed, encoding="utf-8")
        page = read_page(folder / f"{lang}.md", lang, ISSUE)
        judged = judge_page(page, store, [])
        found[lang] = sorted((f.verdict, f.label) for findings in judged.by_line.values() for f in findings)
        assert values(page, store) == []  # what the check reads beside a name is not reported twice
    assert found["zh-Hant"] == found["en"] and len(found["en"]) >= 30
    disagreeing = {label.split()[0] for verdict, label in found["en"] if verdict == "disagrees"}
    assert disagreeing == {"PPI_FD_YOY", "PPI_FD_MOM"}


def test_the_docs_examples_get_no_value_warning_but_the_one_that_shows_it(tmp_path: Path) -> None:
    """docs/writing.md's examples, each as zh-Hant.md of an issue: one warning, the one the guide prints."""
    store = load_data(ROOT / "data")
    warned = []
    for n, (kind, markdown, _) in enumerate(examples()):
        if kind == "example-error":
            continue
        folder = tmp_path / f"2025-04-13-example{n}"
        folder.mkdir()
        (folder / "zh-Hant.md").write_text(markdown, encoding="utf-8")
        page = read_page(folder / "zh-Hant.md", "zh-Hant", folder.name)
        warned += [f"zh-Hant.md:{w.line}: warning: {w.message} ({w.hint})" for w in values(page, store)]
    assert len(warned) == 1 and "5,456.90 點 is SP500's high of the week (2025-04-09)" in warned[0]
    assert f"`{warned[0]}`" in (ROOT / "docs" / "writing.md").read_text(encoding="utf-8")
    assert printed('high("SP500", "2025-04-07", "2025-04-11")', store, "zh-Hant") == "5,456.90"

