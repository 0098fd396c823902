"""Every bad input is reported as `path:line: message (hint)`, exit 1, no traceback, site kept."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, run_cli

ISSUE = "content/issues/2025-04-13-sample/zh-Hant.md"
EARLIER = "content/issues/2025-04-06-earlier/zh-Hant.md"  # has an en.md beside it
HEAD = "---\ntitle: 範例\ndate: 2025-04-13\nsummary: 摘要\nslug: sample\n---\n"  # body from line 7
MARKETS_HEAD = "date,series,value,source\n"
TRAILER = "build failed: {} problem(s); the site was not changed"
HINT_FIGURES = "(see docs/writing.md for the figure functions)"
KNOWN = ("known: bp, chart, day_pct, day_points, gap_pct, high, high_date, level, low, low_date, pct, points, "
         "release, spread, spread_change, week_pct")


def body(*lines: str) -> str:
    """An issue file with valid front matter whose body lines start at line 7."""
    return HEAD + "\n".join(lines) + "\n"


# (case id, files to write over the sample project, the exact lines printed on stderr)
CASES: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    ("front matter is not YAML",
     {ISSUE: "---\ntitle: [範例\ndate: 2025-04-13\nsummary: 摘要\n---\n"},
     [f"{ISSUE}:2: title: a [ is not closed with ] (close it on the same line, or quote the text if it "
      'is not a list: title: "…")']),
    ("a title holding ': '",
     {ISSUE: "---\ntitle: 關稅風暴週: 股債匯油齊震\ndate: 2025-04-13\nsummary: 摘要\n---\n"},
     [f"{ISSUE}:2: title holds ': ' (a colon and a space), which YAML reads as another field "
      '(quote the title: title: "…")']),
    ("front matter misses a field",
     {ISSUE: "---\ntitle: 範例\ndate: 2025-04-13\n---\n"},
     [f"{ISSUE}:2: front matter field 'summary' is missing (add `summary: …` between the --- "
      "lines)"]),
    ("front matter without ---",
     {ISSUE: "title: 範例\n"},
     [f"{ISSUE}:1: missing front matter (start the file with a line `---`, the YAML fields, "
      "and another `---`)"]),
    ("front matter not closed",
     {ISSUE: "---\ntitle: 範例\n"},
     [f"{ISSUE}:1: front matter is not closed (add a line `---` after the last field)"]),
    ("a date that is not a date",
     {ISSUE: "---\ntitle: 範例\ndate: next week\nsummary: 摘要\n---\n"},
     [f"{ISSUE}:3: date must be a date like 2025-04-13, got 'next week'"]),
    ("a date that does not exist",
     {ISSUE: "---\ntitle: 範例\ndate: 2025-02-30\nsummary: 摘要\n---\n"},
     [f"{ISSUE}:3: invalid YAML: 2025-02-30 is not a real date (day is out of range for month)"]),
    ("a title that is not text",
     {ISSUE: "---\ntitle: [a, b]\ndate: 2025-04-13\nsummary: 摘要\n---\n"},
     [f"{ISSUE}:2: title must be text, got ['a', 'b'] (quote it if it starts with a special "
      "character)"]),
    ("an unknown front matter field",
     {ISSUE: "---\ntitle: 範例\ndate: 2025-04-13\nsummary: 摘要\nauthor: 我\n---\n"},
     [f"{ISSUE}:5: unknown front matter field 'author' (fields: title, date, summary, tags, slug, "
      "draft, translated_from, translated_paragraphs, as_of, corrections)"]),
    ("a python tag in YAML",
     {ISSUE: "---\ntitle: !!python/object/apply:os.system [echo hi]\ndate: 2025-04-13\n---\n"},
     [f"{ISSUE}:2: invalid YAML: could not determine a constructor for the tag "
      "'tag:yaml.org,2002:python/object/apply:os.system'"]),
    ("an unknown figure function",
     {ISSUE: body("", "收在 {{ close('SP500', '2025-04-04') }}。")},
     [f"{ISSUE}:8: unknown figure function 'close' ({KNOWN}) {HINT_FIGURES}"]),
    ("an unknown series",
     {ISSUE: body("收在 {{ level('SPX', '2025-04-04') }}。")},
     [f"{ISSUE}:7: {{{{ level('SPX', '2025-04-04') }}}}: unknown series 'SPX' (did you mean 'SP500'? "
      "known series: BRENT, DGS10, DGS2, DGS20, DGS30, DJIA, DXY, GOLD, NASDAQCOM, SP500, VIX, WTI)"]),
    ("a date with no data (a weekend)",
     {ISSUE: body("{{ level('SP500', '2025-04-05') }}")},
     [f"{ISSUE}:7: {{{{ level('SP500', '2025-04-05') }}}}: SP500 has no close on 2025-04-05: NYSE "
      "closed, Saturday (use a trading day, or add closed=\"previous\" to take the previous close)"]),
    ("a date outside the data",
     {ISSUE: body("{{ level('SP500', '2019-01-02') }}")},
     [f"{ISSUE}:7: {{{{ level('SP500', '2019-01-02') }}}}: SP500 has no data for 2019-01-02 (the "
      "data runs 2024-12-31 … 2025-04-17) (pick a date inside the data)"]),
    ("a date argument that is not a date",
     {ISSUE: body("{{ level('SP500', 'last Friday') }}")},
     [f"{ISSUE}:7: {{{{ level('SP500', 'last Friday') }}}}: 'last Friday' is not a date (write "
      "dates as YYYY-MM-DD)"]),
    ("a keyword the function does not take",
     {ISSUE: body("{{ level('SP500', '2025-04-04', decimals=1) }}")},
     [f"{ISSUE}:7: {{{{ level('SP500', '2025-04-04', decimals=1) }}}}: wrong arguments: level() got an "
      "unexpected keyword argument 'decimals' (did you mean digits=? it takes series, date, digits, "
      "rounding, grouping, closed)"]),
    ("a misspelt figure function",
     {ISSUE: body("{{ lvel('SP500', '2025-04-04') }}")},
     [f"{ISSUE}:7: unknown figure function 'lvel' (did you mean 'level'? {KNOWN}) {HINT_FIGURES}"]),
    ("a release by its short name",
     {ISSUE: body("{{ release('CPI', '2025-03') }}")},
     [f"{ISSUE}:7: {{{{ release('CPI', '2025-03') }}}}: unknown indicator 'CPI' (did you mean 'CPI_YOY'? "
      "known indicators: CORE_CPI_MOM, CORE_CPI_YOY, CPI_MOM, CPI_YOY, ISM_EMPLOYMENT, ISM_MFG_PMI, "
      "ISM_NEW_ORDERS, ISM_SUPPLIER_DELIVERIES, NFP_CHANGE, PPI_FD_MOM, PPI_FD_YOY, UMICH_1Y_INFL_EXP_PRELIM, "
      "UMICH_5_10Y_INFL_EXP_PRELIM, UMICH_SENTIMENT_PRELIM, UNEMPLOYMENT_RATE)"]),
    ("a misspelt chart kind",
     {ISSUE: body("{{ chart('drop') }}"),
      "content/issues/2025-04-13-sample/charts.yaml":
      "drop:\n  kind: drawdwn\n  series: [SP500]\n  start: 2025-01-02\n  end: 2025-04-11\n"
      "  title: {zh-Hant: 跌幅, en: Drawdown}\n"},
     ["content/issues/2025-04-13-sample/charts.yaml:2: chart 'drop': unknown kind 'drawdwn' (did you mean "
      "'drawdown'? kinds: curve, drawdown, line, macro, moves, rebased, yields)"]),
    ("wrong arguments",
     {ISSUE: body("{{ pct('SP500', '2025-04-04') }}")},
     [f"{ISSUE}:7: {{{{ pct('SP500', '2025-04-04') }}}}: wrong arguments: pct() missing 1 required "
      "positional argument: 'end' (see docs/writing.md for each function)"]),
    ("a bad option value",
     {ISSUE: body("{{ level('SP500', '2025-04-04', digits=True) }}")},
     [f"{ISSUE}:7: {{{{ level('SP500', '2025-04-04', digits=True) }}}}: digits must be a whole "
      "number from 0 to 6, got True"]),
    ("the text says down, the data says up",
     {ISSUE: body("{{ day_pct('SP500', '2025-04-09', move='down') }}")},
     [f"{ISSUE}:7: {{{{ day_pct('SP500', '2025-04-09', move='down') }}}}: the text says SP500 "
      "moved down, but the data says it rose (+9.515) (fix the wording or the dates)"]),
    ("an unclosed {{",
     {ISSUE: body("第一行", "", "收在 {{ level('SP500', '2025-04-04') 點。")},
     [f"{ISSUE}:9: unclosed '{{{{' (close the figure expression with }}}})"]),
    ("an expression over two lines",
     {ISSUE: body("收在 {{ level('SP500',", "'2025-04-04') }} 點。")},
     [f"{ISSUE}:7: a figure expression must fit on one line (close it with }}}} on the same "
      "line)"]),
    ("a template statement in content",
     {ISSUE: body("", "{% for x in y %}{% endfor %}")},
     [f"{ISSUE}:8: '{{%' is not allowed in content (content may hold only {{{{ figure(...) }}}} "
      "expressions)",
      f"{ISSUE}:8: '{{%' is not allowed in content (content may hold only {{{{ figure(...) }}}} "
      "expressions)"]),
    ("a chart naming an unknown series",
     {ISSUE: body("{{ chart('drop') }}"),
      "content/issues/2025-04-13-sample/charts.yaml":
      "drop:\n  kind: drawdown\n  series: [SP500, SPX]\n  start: 2025-01-02\n  end: 2025-04-11\n"
      "  title: {zh-Hant: 跌幅, en: Drawdown}\n  description: {zh-Hant: 說明, en: Text}\n"},
     ["content/issues/2025-04-13-sample/charts.yaml:3: chart 'drop': unknown series 'SPX' (did you mean "
      "'SP500'? known: BRENT, DGS10, DGS2, DGS20, DGS30, DJIA, DXY, GOLD, NASDAQCOM, SP500, VIX, WTI)"]),
    ("a duplicate slug",
     {"content/issues/2025-04-13-copy/zh-Hant.md": HEAD},
     [f"{ISSUE}:2: duplicate slug 'sample' on 2025-04-13 (2025-04-13-copy uses it already; choose "
      "another slug)"]),
    ("two spellings of one tag page",
     {"content/issues/2025-04-20-next/zh-Hant.md":
      "---\ntitle: 下一期\ndate: 2025-04-20\nsummary: 摘要\n---\n",
      "content/issues/2025-04-20-next/en.md":
      "---\ntitle: Next\ndate: 2025-04-20\nsummary: s\ntags: [us stocks]\n---\n"},
     ["content/issues/2025-04-20-next/en.md:2: tag 'us stocks' and tag 'US stocks' "
      "(2025-04-06-earlier) would share the page tags/us-stocks/ (spell the tag the same way in "
      "every issue)"]),
    ("a language file the site does not have",
     {"content/issues/2025-04-13-sample/fr.md": HEAD},
     ["content/issues/2025-04-13-sample/fr.md: unknown language file 'fr.md' (name it after a "
      "language in site.yaml: zh-Hant, en)"]),
    ("a folder named like an issue file",
     {"content/issues/2025-04-13-sample/en.md/notes.txt": "x"},
     ["content/issues/2025-04-13-sample/en.md: cannot read the file: Is a directory"]),
    ("a Big5 issue file",
     {ISSUE: ("---\ntitle: 範例\ndate: 2025-04-13\nsummary: 標普\n---\n").encode("big5")},
     [f"{ISSUE}:2: file is not valid UTF-8 (save it as UTF-8; a Big5 or CP950 file can be "
      "converted with `iconv -f BIG5 -t UTF-8`)"]),
    ("a data value that is not a number",
     {"data/markets.csv": MARKETS_HEAD + "2025-04-04,SP500,5074.08,X\n2025-04-07,SP500,5o62,X\n"},
     ["data/markets.csv:3: value '5o62' is not a number (a plain decimal such as 5158.20, without _ or "
      "an exponent)"]),
    ("a data row with a bad date",
     {"data/markets.csv": MARKETS_HEAD + "2025-04-31,SP500,5074.08,X\n"},
     ["data/markets.csv:2: bad date '2025-04-31' (write dates as YYYY-MM-DD)"]),
    ("a data row with too few fields",
     {"data/markets.csv": MARKETS_HEAD + "2025-04-04,SP500\n"},
     ["data/markets.csv:2: wrong number of fields: 2, expected 4 (expected date,series,value,source)"]),
    ("a data row naming a series the catalog lacks",
     {"data/markets.csv": MARKETS_HEAD + "2025-04-04,SPX,5074.08,X\n"},
     ["data/markets.csv:2: series 'SPX' is not in data/catalog.yaml (add it to the catalog with "
      "its source)"]),
    ("a data file with the wrong header",
     {"data/markets.csv": "day,series,close,source\n"},
     ["data/markets.csv:1: unexpected header ['day', 'series', 'close', 'source'] (the header must "
      "be: date,series,value,source)"]),
    ("a Big5 original beside its translation",  # only its own error: not also "no zh-Hant.md"
     {EARLIER: ("---\ntitle: 範例\ndate: 2025-04-06\nsummary: 標普\n---\n").encode("big5")},
     [f"{EARLIER}:2: file is not valid UTF-8 (save it as UTF-8; a Big5 or CP950 file can be "
      "converted with `iconv -f BIG5 -t UTF-8`)"]),
    ("an original with a broken field beside its translation",
     {EARLIER: "---\ntitle: 範例\ndate: next week\nsummary: 摘要\n---\n"},
     [f"{EARLIER}:3: date must be a date like 2025-04-13, got 'next week'"]),
    ("a Big5 data file",
     {"data/markets.csv": (MARKETS_HEAD + "2025-04-04,SP500,5074.08,標普\n").encode("big5")},
     ["data/markets.csv:2: file is not valid UTF-8 (save it as UTF-8; a Big5 or CP950 file can be "
      "converted with `iconv -f BIG5 -t UTF-8`)"]),
    ("a release value that is not a number",
     {"data/releases.csv": "indicator,period,release_date,actual,consensus,prior,unit,source\n"
      "NFP_CHANGE,2025-03,2025-04-04,228,n/a,,k,X\n"},
     ["data/releases.csv:2: consensus 'n/a' is not a number (leave it empty when the value is "
      "unknown)"]),
    ("a catalog section of the wrong shape",
     {"data/catalog.yaml": "sources: {}\nseries: [SP500]\n"},
     ["data/catalog.yaml:2: series: must be a mapping of id → fields"]),
    ("a catalog source whose link is not a web address",
     {"data/catalog.yaml": "sources:\n  X: {name: X, url: 'javascript:alert(1)'}\n"},
     ["data/catalog.yaml:2: source X: url must start with http:// or https://, got "
      "'javascript:alert(1)' (leave it \"\" when there is no page to link)"]),
    ("a catalog entry missing fields",
     {"data/catalog.yaml": "sources: {}\nseries:\n  SP500: {unit: index}\n"},
     ["data/catalog.yaml:3: series SP500: needs the fields name, unit, source, retrieved (name "
      "(and short) map each language code to a text)"]),
    ("site.yaml that is not YAML",
     {"site.yaml": "title: {zh-Hant: 週報\n"},
     ["site.yaml:1: title: a { is not closed with } (close it on the same line, or quote the text if "
      'it is not a mapping: title: "…")']),
    ("a template syntax error",
     {"templates/partials/issue_list.html": "<ul>\n{% for issue in issues %}\n</ul>\n"},
     ["templates/partials/issue_list.html:3: template error: Unexpected end of template. Jinja was "
      "looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be "
      "closed is 'for'."]),
    ("an undefined variable in a template",
     {"templates/partials/issue_list.html": "<ul>\n\n{{ issue_count }}\n</ul>\n"},
     ["templates/partials/issue_list.html:3: template error: 'issue_count' is undefined"]),
    ("an undefined variable in the base template",
     {"templates/base.html": "<!doctype html>\n<title>{{ site.title }}</title>\n{{ site.tagline }}\n"},
     ["templates/base.html:3: template error: 'dict object' has no attribute 'tagline'"]),
    ("a missing included template",
     {"templates/partials/issue_list.html": "<ul>\n{% include 'partials/nope.html' %}\n</ul>\n"},
     ["templates/partials/issue_list.html:2: template error: no template 'partials/nope.html' in "
      "templates/"]),
    ("a filter given the wrong type in a template",
     {"templates/partials/issue_list.html": "{{ 'x' | long_date }}\n"},
     ["templates/partials/issue_list.html:1: template error: AssertionError (a filter or function "
      "was given a value of the wrong kind)"]),
]


@pytest.fixture
def project(make_site: Callable[..., Path]) -> Callable[[dict[str, str | bytes]], Path]:
    """A sample project with a previous site/ in place, then the bad files written over it."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = make_site(files)
        site = root / "site"
        (site / "issues").mkdir(parents=True)
        (site / "index.html").write_text("<p>last good site</p>")
        (site / "issues" / "page.html").write_bytes(b"kept")
        return root

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_reported_with_path_and_line(project, capsys, files, expected) -> None:
    root = project(files)
    before = snapshot(root / "site")
    status = run_cli(root, "build")
    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err == [*expected, TRAILER.format(len(expected))]
    assert snapshot(root / "site") == before  # the last good site is untouched
    assert not [p for p in root.iterdir() if p.name.startswith((".site.new-", ".site.old-"))]


def test_bom_and_crlf_are_accepted(make_site, capsys) -> None:
    text = "\ufeff" + body("收在 {{ level('SP500', '2025-04-04') }} 點。")
    root = make_site({ISSUE: text.replace("\n", "\r\n").encode("utf-8")})
    assert run_cli(root, "build") == 0
    page = root / "site/issues/2025-04-13-sample/index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert "收在 5,074.08 點。" in soup.find("article").get_text()
    assert soup.find("h1").get_text(strip=True) == "範例"


def test_crlf_file_reports_the_right_line(make_site, capsys) -> None:
    text = body("第一行", "", "{{ level('SP500', '2025-04-05') }}")
    root = make_site({ISSUE: text.replace("\n", "\r\n")})
    assert run_cli(root, "build") == 1
    assert capsys.readouterr().err.startswith(f"{ISSUE}:9: ")


def test_every_problem_is_reported_at_once(project, capsys) -> None:
    root = project({ISSUE: body("{{ level('SPX', '2025-04-04') }}", "{{ nope() }}"),
                    "content/issues/2025-04-06-earlier/en.md": "---\ntitle: x\n---\n"})
    assert run_cli(root, "build") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == TRAILER.format(2)  # front matter first: figures are checked after loading
    assert err[0].startswith("content/issues/2025-04-06-earlier/en.md:2: front matter field 'date'")


@pytest.mark.parametrize("files", [
    {ISSUE: body("{{ level('SP500', '2025-04-05') }}")},
    {"data/markets.csv": MARKETS_HEAD + "2025-04-04,SP500,x,X\n"},
], ids=["content", "data"])
def test_build_py_prints_no_traceback(project, files) -> None:
    """The real command line, as the editor runs it: one located line, exit 1."""
    root = project(files)
    env = {**os.environ, "BROADSHEET_NO_VENV": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(root), "build"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and lines[1] == TRAILER.format(1)
    assert lines[0].split(":")[0] in (ISSUE, "data/markets.csv")
    assert (root / "site/index.html").read_text() == "<p>last good site</p>"


def test_a_figure_problem_found_in_the_assembly_processes_is_reported_the_same(make_site, capsys,
                                                                              monkeypatch) -> None:
    """On a big site pages are assembled in worker processes; a problem found there is printed
    as path:line like any other (it used to fail to cross back, a traceback instead)."""
    from broadsheet.build import assemble

    monkeypatch.setattr(assemble, "ASSEMBLE_PARALLEL_MIN", 0.1)  # every page in the worker processes
    root = make_site({ISSUE: body("收在 {{ level('SPX', '2025-04-04') }}。")})
    assert run_cli(root, "build") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{ISSUE}:7: {{{{ level('SPX', '2025-04-04') }}}}: unknown series 'SPX'" in err
