"""Content cannot escape the sandbox, and text from content or data never becomes markup."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

from broadsheet.core.i18n import NumberFormatter
from broadsheet.data.store import load_data
from broadsheet.figures.functions import FigureFunctions
from broadsheet.pages.markdown import FigureProblems, render_markdown
from conftest import ROOT, build_into

PAGE = Path("content/issues/x/zh-Hant.md")
HINT = " (see docs/writing.md for the figure functions)"
ATTRIBUTE = "attribute and item access ('.name', '[key]') are not allowed in figure expressions"
FILTER = "filters ('|') are not allowed in figure expressions"
OPERATOR = "arithmetic and operators are not allowed in figure expressions"
ONLY_CALL = 'only a call such as level("SP500", "2025-04-09") is allowed inside {{ }}'
LITERALS = 'arguments must be literals such as "SP500", "2025-04-09", 1 or True'
STATEMENT = "is not allowed in content (content may hold only {{ figure(...) }} expressions)"
KNOWN = "(known: bp, day_pct, day_points, level, pct, points, release, week_pct)"


@pytest.fixture(scope="module")
def figures() -> FigureFunctions:
    """The real figure functions over the project's data."""
    return FigureFunctions(load_data(ROOT / "data"), NumberFormatter("zh_Hant_TW"))


def refusals(text: str, functions: dict) -> list[str]:
    """The messages a page body is refused with (its first line is line 10)."""
    with pytest.raises(FigureProblems) as caught:
        render_markdown(text, PAGE, 10, functions)
    return [err.format() for err in caught.value.errors]


@pytest.mark.unit
@pytest.mark.parametrize(("expression", "message"), [
    ("{{ ''.__class__.__mro__ }}", ATTRIBUTE + HINT),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", ATTRIBUTE + HINT),
    ("{{ level.__globals__ }}", ATTRIBUTE + HINT),
    ("{{ level.__globals__['os'].system('id') }}", ATTRIBUTE + HINT),
    ("{{ level('SP500', '2025-04-04').__class__ }}", ATTRIBUTE + HINT),
    ("{{ level['x'] }}", ATTRIBUTE + HINT),
    ("{{ range(10**9) }}", f"unknown figure function 'range' {KNOWN}{HINT}"),
    ("{{ lipsum(10**6) }}", f"unknown figure function 'lipsum' {KNOWN}{HINT}"),
    ("{{ cycler() }}", f"unknown figure function 'cycler' {KNOWN}{HINT}"),
    ("{{ level('SP500', '2025-04-04', digits=10**9) }}", LITERALS + HINT),
    ("{{ level('SP500', ['2025-04-04']) }}", LITERALS + HINT),
    ("{{ level(*['SP500', '2025-04-04']) }}",
     "*args and **kwargs are not allowed in figure expressions" + HINT),
    ("{{ level('SP500', '2025-04-04') | upper }}", FILTER + HINT),
    ("{{ 'x' | attr('__class__') }}", FILTER + HINT),
    ("{{ 1 + 1 }}", OPERATOR + HINT),
    ("{{ '%s' % level }}", OPERATOR + HINT),
    ("{{ 'a' ~ 'b' }}", OPERATOR + HINT),
    ("{{ -1 }}", OPERATOR + HINT),
    ("{{ self }}", ONLY_CALL + HINT),
    ("{{ level }}", ONLY_CALL + HINT),
    ("{{ level('SP500', '2025-04-04') if true }}", ONLY_CALL + HINT),
    ("{{ level('SP500', '2025-04-04'), 1 }}", ONLY_CALL + HINT),
    ("{{ level( }}", "not a valid expression: unexpected '}', expected ')'" + HINT),
])
def test_expression_is_refused_before_anything_runs(expression: str, message: str) -> None:
    calls: list[tuple] = []

    def level(*args: object, **kwargs: object) -> str:
        calls.append(args)
        return "1"

    functions = {name: level for name in ("level", "pct", "day_pct", "week_pct", "points",
                                          "day_points", "bp", "release")}
    assert refusals(f"收在 {expression} 點。", functions) == [f"{PAGE}:10: {message}"]
    assert calls == []  # refused by reading the expression, never by running it


@pytest.mark.unit
@pytest.mark.parametrize("statement", [
    '{% include "templates/base.html" %}',
    '{% import "x.html" as x %}',
    '{% set x = range(10**9) %}',
    "{# a comment #}",
])
def test_statements_are_refused(statement: str, figures: FigureFunctions) -> None:
    messages = refusals(f"第一行\n{statement}", figures.namespace())
    assert messages[0] == f"{PAGE}:11: '{statement[:2]}' {STATEMENT}"


@pytest.mark.unit
def test_only_the_figure_functions_are_exposed(figures: FigureFunctions) -> None:
    body = render_markdown("收在 {{ level('SP500', '2025-04-04') }} 點。", PAGE, 10,
                           figures.namespace())
    assert BeautifulSoup(body.html, "html.parser").get_text() == "收在 5,074.08 點。"
    for name in ("range", "dict", "lipsum", "cycler", "joiner", "namespace", "config", "os"):
        with pytest.raises(FigureProblems) as caught:
            render_markdown(f"{{{{ {name}() }}}}", PAGE, 1, figures.namespace())
        assert f"unknown figure function {name!r}" in caught.value.errors[0].message


@pytest.mark.unit
def test_a_page_of_unclosed_braces_is_refused_quickly(figures: FigureFunctions) -> None:
    """A hostile page cannot make the expression scanner take quadratic time (it took 20 s)."""
    started = time.process_time()  # CPU time: a loaded machine does not stretch it
    with pytest.raises(FigureProblems) as caught:
        render_markdown("{{ level(" * 20_000, PAGE, 1, figures.namespace())
    assert time.process_time() - started < 5
    assert caught.value.errors[0].format() == (
        f"{PAGE}:1: unclosed '{{{{' (close the figure expression with }}}})")


@pytest.mark.unit
def test_figure_text_is_escaped() -> None:
    """Whatever a figure function returns (one day: names from data) is text, not markup."""
    payload = '<script>alert("x")</script> S&P <b>'
    body = render_markdown("名稱:{{ level('SP500') }}", PAGE, 1, {"level": lambda *a: payload})
    soup = BeautifulSoup(body.html, "html.parser")
    assert soup.find("script") is None and soup.find("b") is None
    assert soup.get_text() == f"名稱:{payload}"


HOSTILE = '<script>alert("pwn")</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'


def injected(path: Path, site: Path) -> list[str]:
    """Elements or attributes in a built file that the hostile text would have created."""
    with warnings.catch_warnings():  # feeds and SVG are XML; the HTML parser reads them well enough
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    where = path.relative_to(site)
    found = []
    for tag in soup.find_all("script"):
        if tag.get("type") == "application/ld+json":
            json.loads(tag.string)  # data: escaped text inside stays one valid JSON document
        elif "alert" in tag.get_text():
            found.append(f"<script> in {where}")
    found += [f"<img src=x> in {where}" for tag in soup.find_all("img") if tag.get("src") == "x"]
    found += [f"{t.name}[{a}] in {where}" for t in soup.find_all(True) for a in t.attrs
              if a.startswith("on")]
    return found


def test_hostile_text_from_content_and_data_is_escaped_everywhere(make_site) -> None:
    catalog = (ROOT / "data/catalog.yaml").read_text(encoding="utf-8")
    title = json.dumps(HOSTILE)  # a YAML double-quoted string holding the hostile text
    names = "{zh-Hant: 標普 500 指數, en: S&P 500}"
    assert names in catalog
    catalog = catalog.replace(names, f"{{zh-Hant: {title}, en: {title}}}")
    source = ('name: {zh-Hant: "FRED(聖路易聯邦準備銀行)資料庫", '
              'en: "FRED (Federal Reserve Bank of St. Louis) database"}')
    assert source in catalog  # the source of SP500, cited in the page's provenance note
    catalog = catalog.replace(source, f"name: {{zh-Hant: {title}, en: {title}}}")
    chart = ("drop:\n  kind: drawdown\n  series: [SP500]\n  start: 2025-01-02\n  end: 2025-04-11\n"
             f"  title: {{zh-Hant: {title}, en: {title}}}\n"
             f"  description: {{zh-Hant: {title}, en: {title}}}\n")
    root = make_site({
        "data/catalog.yaml": catalog,
        "content/issues/2025-04-13-sample/zh-Hant.md":
            f"---\ntitle: {title}\ndate: 2025-04-13\nsummary: {title}\ntags: [{title}]\n"
            "slug: sample\n---\n收在 {{ level('SP500', '2025-04-04') }} 點。\n\n"
            "{{ chart('drop') }}\n",
        "content/issues/2025-04-13-sample/charts.yaml": chart,
    })
    out = build_into(root)
    checked = [p for p in out.rglob("*") if p.suffix in (".html", ".xml", ".svg")]
    assert len(checked) >= 10 and any(p.suffix == ".svg" for p in checked)  # a chart, with names
    assert [hit for path in checked for hit in injected(path, out)] == []
    page = BeautifulSoup((out / "issues/2025-04-13-sample/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert page.find("h1").get_text(strip=True) == HOSTILE  # shown as the text the editor wrote
    assert HOSTILE in page.find("aside", class_="provenance").get_text()  # the source's name
    assert HOSTILE in page.find("figure").get_text()  # the chart's title
