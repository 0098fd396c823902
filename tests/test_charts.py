"""Charts: each kind builds a valid Vega-Lite spec from the real data, in both languages; the
built issue pages hold them as accessible inline SVG with PNG twins; the cache skips renders."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from altair.vegalite.v6.schema.core import load_schema
from bs4 import BeautifulSoup

from broadsheet.charts.decls import KIND_SCHEMAS as KINDS
from broadsheet.charts.decls import ChartDecl, read_chart_decls
from broadsheet.charts.fonts import font_folders
from broadsheet.charts.locale import chart_locale
from broadsheet.charts.spec import build_spec
from broadsheet.charts.theme import GREEN, RED
from broadsheet.core.config import load_config
from broadsheet.core.errors import BuildFailed
from conftest import ROOT, ZH_PAGE, build_into

ISSUE = "2025-04-13-tariff-shock"
CJK = re.compile(r"[\u4e00-\u9fff]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

EXTRA_DECLS = """\
rebased:
  kind: rebased
  series: [GOLD, SP500]
  start: 2025-03-03
  end: 2025-04-11
  title: {zh-Hant: 黃金與標普, en: Gold and the S&P 500}
weekly:
  kind: moves
  series: [SP500]
  start: 2025-03-10
  end: 2025-04-11
  title: {zh-Hant: 每週漲跌, en: Weekly moves}
  options: {step: week}
levels:
  kind: line
  series: [VIX]
  start: 2025-03-03
  end: 2025-04-11
  title: {zh-Hant: 恐慌指數, en: VIX}
curve:
  kind: curve
  series: [DGS2, DGS10, DGS20, DGS30]
  start: 2025-04-04
  end: 2025-04-11
  title: {zh-Hant: 殖利率曲線, en: The Treasury curve}
  options: {also: 2025-04-08}
"""


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "site.yaml")


@pytest.fixture(scope="module")
def decls(store, tmp_path_factory) -> dict[str, ChartDecl]:
    """The first issue's declarations plus one of every kind or option it does not use."""
    real, errors = read_chart_decls(ROOT / "content/issues" / ISSUE / "charts.yaml", store.catalog,
                                    ["zh-Hant", "en"])
    extra_path = tmp_path_factory.mktemp("decls") / "charts.yaml"
    extra_path.write_text(EXTRA_DECLS, encoding="utf-8")
    extra, more = read_chart_decls(extra_path, store.catalog, ["zh-Hant", "en"])
    assert errors == [] and more == []
    return {d.name: d for d in real + extra}


@pytest.fixture(scope="module")
def specs(decls, store, config):
    """Every declared chart built in both languages: {(name, code): ChartSpec}."""
    out = {}
    for code in ("zh-Hant", "en"):
        loc = chart_locale(config.language(code), ROOT / "translations")
        for name, decl in decls.items():
            out[(name, code)] = build_spec(decl, store, loc)
    return out


def layers(spec: dict) -> list[dict]:
    """The unit specs of a chart, through facets and layers."""
    inner = spec.get("spec", spec)
    found = []
    for part in inner.get("layer", [inner]):
        found.extend(layers(part) if "layer" in part else [part])
    return found


def mark_type(unit: dict) -> str:
    mark = unit["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def values(spec: dict) -> list[dict]:
    return spec.get("data", {}).get("values") or next(
        u["data"]["values"] for u in layers(spec) if "data" in u)


@pytest.mark.unit
def test_every_kind_is_covered(decls):
    assert {d.kind for d in decls.values()} == set(KINDS)


@pytest.mark.slow
@pytest.mark.parametrize("code", ["zh-Hant", "en"])
def test_every_spec_is_valid_vega_lite(specs, code):
    schema = load_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)  # checked once, reused
    for (_name, lang), spec in specs.items():
        if lang == code:
            for variant in (spec.spec, spec.png_spec(), spec.interactive):
                errors = list(validator.iter_errors(variant))
                assert not errors, (_name, errors[0].message)


@pytest.mark.unit
def test_every_declared_kind_has_a_builder():
    from broadsheet.charts.spec import BUILDERS

    assert sorted(BUILDERS) == sorted(KINDS)


@pytest.mark.unit
def test_declarations_and_cached_charts_load_without_pandas_altair_or_vl_convert():
    """The build plan reads declarations, and a build places charts from the cache, on paths
    that draw nothing: those modules must not load the chart libraries (the package's docstring)."""
    light = ("decls", "options", "built", "drawing", "blocks", "chartset", "fonts", "vega")
    script = (f"import importlib, sys; [importlib.import_module('broadsheet.charts.' + m) for m in {light!r}]; "
              "print(sorted(m for m in ('pandas', 'altair', 'vl_convert') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.unit
def test_interactive_specs_derived_from_static_ones_equal_the_built_ones(decls, store, config):
    """spec.py derives the interactive specs (kinds.lines.interactive_variant); building them agrees."""
    from broadsheet.charts.kinds.lines import interactive_variant
    from broadsheet.charts.spec import BUILDERS
    from broadsheet.charts.theme import NARROW, WIDE

    loc = chart_locale(config.language("en"), ROOT / "translations")
    for decl in decls.values():
        for layout in (WIDE, NARROW):
            static = BUILDERS[decl.kind](decl, store, loc, False, layout).chart.to_dict(validate=False)
            built = BUILDERS[decl.kind](decl, store, loc, True, layout).chart.to_dict(validate=False)
            assert interactive_variant(static) == built, (decl.kind, layout)


@pytest.mark.unit
def test_drawdown_spec(specs):
    zh, en = specs[("drawdown", "zh-Hant")], specs[("drawdown", "en")]
    units = layers(zh.spec)
    assert [mark_type(u) for u in units] == ["line", "rule", "text"]
    line = units[0]
    x = line["encoding"]["x"]  # the trading days, one point each (kinds/days.py)
    assert x["type"] == "ordinal" and x["scale"]["type"] == "point" and x["scale"]["domain"][0] == "2025-01-02"
    assert line["encoding"]["y"]["axis"]["format"] == ".0%"
    assert line["encoding"]["color"]["scale"]["domain"] == ["標普500", "那斯達克", "道瓊"]
    en_line = layers(en.spec)[0]
    assert en_line["encoding"]["color"]["scale"]["domain"] == ["S&P 500", "Nasdaq", "Dow"]
    points = {(v["date"], v["series"]): v["value"] for v in values(line)}
    assert points[("2025-01-02", "標普500")] == 0
    assert points[("2025-04-08", "那斯達克")] == pytest.approx(-0.2387, abs=1e-4)
    assert values(units[1]) == [{"y": -0.2, "text": "熊市線 -20%"}]
    assert values(layers(en.spec)[1])[0]["text"] == "Bear market -20%"
    assert zh.png_spec()["title"]["text"] == "三大指數距今年高點的跌幅"
    assert en.png_spec()["title"]["text"] == "The three indices, measured from their 2025 highs"
    assert "title" not in zh.spec  # the page shows the title as HTML


@pytest.mark.unit
def test_moves_spec_colours_follow_each_audience(specs):
    zh, en = specs[("rebound", "zh-Hant")], specs[("rebound", "en")]
    assert zh.spec["facet"]["column"]["field"] == "series"
    bars = layers(zh.spec)[0]
    assert mark_type(bars) == "bar"
    assert bars["encoding"]["color"]["scale"] == {"domain": ["上漲", "下跌"],  # Taiwan: red up
                                                  "range": [RED, GREEN]}
    en_bars = layers(en.spec)[0]
    assert en_bars["encoding"]["color"]["scale"] == {"domain": ["Up", "Down"],
                                                     "range": [GREEN, RED]}
    nine = [v for v in values(zh.spec)
            if v["period"].startswith("4/9") and v["series"] == "標普500"]
    assert nine[0]["value"] == pytest.approx(0.0952, abs=1e-4) and nine[0]["move"] == "上漲"
    assert any(v["period"] == "Apr 9\nWed" for v in values(en.spec))  # English dates as the docs say
    weekly = specs[("weekly", "en")]
    assert {v["period"] for v in values(weekly.spec)} >= {"Week to Apr 4", "Week to Apr 11"}


@pytest.mark.unit
def test_yields_and_panels_specs(specs):
    yields = layers(specs[("yields", "en")].spec)[0]
    assert yields["encoding"]["y"]["axis"]["format"] == ".1%"
    assert {v["series"] for v in values(yields)} == {"10-year", "20-year", "30-year"}
    assert max(v["value"] for v in values(yields)) == pytest.approx(0.0491)
    panels = specs[("dollar-oil", "zh-Hant")].spec
    assert panels["facet"]["row"]["field"] == "series"
    assert panels["resolve"]["scale"]["y"] == "independent"
    assert {v["series"] for v in values(panels)} == {"美元指數", "布蘭特"}
    rebased = values(specs[("rebased", "en")].spec)
    assert [v["value"] for v in rebased if v["date"] == "2025-03-03"] == [100, 100]
    assert mark_type(layers(specs[("levels", "en")].spec)[0]) == "line"


@pytest.mark.unit
def test_macro_spec(specs):
    cpi = specs[("cpi", "zh-Hant")]
    bars, ticks = layers(cpi.spec)
    assert (mark_type(bars), mark_type(ticks)) == ("bar", "tick")
    assert bars["encoding"]["xOffset"]["field"] == "indicator"
    row = next(v for v in values(cpi.spec)
               if v["indicator"] == "CPI 年增率" and v["period"] == "2025年3月")
    assert row["actual"] == pytest.approx(0.024) and row["consensus"] == pytest.approx(0.026)
    assert cpi.note == "長條:實際值;短橫線:市場預期"
    ism = specs[("ism", "en")]
    units = layers(ism.spec)
    assert units[0]["encoding"]["y2"] == {"datum": 50}
    assert mark_type(units[-1]) == "rule"
    assert {v["period"] for v in values(ism.spec)} == {"Jan 2025", "Feb 2025", "Mar 2025"}


@pytest.mark.unit
def test_locales_come_from_babel(specs):
    zh = specs[("drawdown", "zh-Hant")]
    assert zh.time_format_locale["shortDays"][0] == "週日"
    assert zh.time_format_locale["shortMonths"][3] == "4月"
    assert zh.format_locale["decimal"] == "." and zh.format_locale["thousands"] == ","
    assert specs[("drawdown", "en")].time_format_locale["shortMonths"][3] == "Apr"


# --- the built site ---------------------------------------------------------------------------
def drawings(site: Path, figure) -> list:
    """Both drawings of a chart: each inline, or from its file (a page draws only its first chart
    inline; phones fetch the narrow drawings)."""
    found = []
    for holder in (".chart-wide", ".chart-narrow"):
        inline = figure.select_one(f"{holder} svg")
        if inline is None:
            src = figure.select_one(f"{holder} img")["src"].removeprefix("/broadsheet/")
            inline = BeautifulSoup((site / src).read_text("utf-8"), "html.parser").svg
        found.append(inline)
    return found


def spec_of(site: Path, figure) -> dict:
    """The interactive specs of a chart, from the file the page's script fetches."""
    return json.loads((site / figure["data-spec"].removeprefix("/broadsheet/")).read_text("utf-8"))


def page(site: Path, lang: str) -> BeautifulSoup:
    prefix = "en/" if lang == "en" else ""
    return BeautifulSoup((site / f"{prefix}issues/{ISSUE}/index.html").read_text("utf-8"),
                         "html.parser")


@pytest.mark.parametrize("lang", ["zh-Hant", "en"])
def test_issue_page_holds_accessible_svg_charts(real_site, lang):
    soup = page(real_site, lang)
    figures = soup.select("figure.chart")
    assert len(figures) >= 4
    assert [f["data-chart"] for f in figures] == ["drawdown", "rebound", "cpi", "ism", "yields",
                                                  "dollar-oil"]
    for figure in figures:
        for svg in drawings(real_site, figure):
            assert svg["role"] == "img"
            title_id, desc_id = svg["aria-labelledby"].split()
            assert svg.find("title", id=title_id).text == figure.select_one(".chart-title").text
            assert svg.find("desc", id=desc_id).text
            labels = " ".join(t.text for t in svg.find_all("text"))
            if lang == "zh-Hant":
                assert CJK.search(labels), figure["data-chart"]
            else:
                assert not CJK.search(labels), figure["data-chart"]
        table = figure.select_one("details.chart-data table")
        assert len(table.select("tbody tr")) >= 3
        assert re.search(r"\d", table.select("tbody td")[-1].text)
        embedded = spec_of(real_site, figure)
        assert {"spec", "formatLocale", "timeFormatLocale"} <= set(embedded)
    ids = [tag["id"] for tag in soup.select("[id]")]
    assert len(ids) == len(set(ids)), "ids inside the inline SVGs must be unique on the page"


@pytest.mark.parametrize("lang", ["zh-Hant", "en"])
def test_every_chart_has_a_narrow_drawing_for_phones(real_site, lang):
    # a phone's text column is ~384 px: the narrow drawing fits it unscaled (labels stay 12 px),
    # the wide one is what desktops see
    for figure in page(real_site, lang).select("figure.chart"):
        wide, narrow = drawings(real_site, figure)
        assert wide is not None and narrow is not None, figure["data-chart"]
        assert float(narrow["width"]) <= 400 < 500 <= float(wide["width"]), figure["data-chart"]
        assert narrow.find("text", string=True) is not None
        embedded = spec_of(real_site, figure)
        assert embedded["narrow"] != embedded["spec"]  # the live chart picks the same size


def test_drawdown_table_in_page_language(real_site):
    zh = page(real_site, "zh-Hant").select_one("#chart-drawdown table")
    assert [th.text for th in zh.select("thead th")] == ["日期", "標普500", "那斯達克", "道瓊"]
    row = next(tr for tr in zh.select("tbody tr") if tr.th.text == "2025/4/8")
    assert [td.text for td in row.select("td")] == ["-18.9%", "-23.9%", "-16.1%"]
    en = page(real_site, "en").select_one("#chart-drawdown table")
    assert en.select_one("tbody th").text == "1/2/25"


@pytest.mark.parametrize("lang", ["zh-Hant", "en"])
def test_png_twins_exist_and_decode(real_site, lang):
    prefix = "en/" if lang == "en" else ""
    for name in ("drawdown", "rebound", "cpi", "ism", "yields", "dollar-oil"):
        data = (real_site / f"{prefix}issues/{ISSUE}/charts/{name}.png").read_bytes()
        assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert 1000 <= width <= 1600 and 500 <= height <= 1200, (name, width, height)


def test_interactive_upgrade_ships_inside_the_site(real_site):
    soup = page(real_site, "zh-Hant")
    script = soup.select_one("script[data-vega]")
    base = load_config(ROOT / "site.yaml").base_path
    for url in (script["src"], script["data-vega"]):
        assert url.startswith(base)  # same site, never a CDN
        assert (real_site / url[len(base):]).stat().st_size > 0
    assert "vegaEmbed" in (real_site / script["data-vega"][len(base):]).read_text("utf-8")[-2000:]
    assert not [s for s in soup.find_all("script", src=True) if s["src"].startswith("http")]


# --- cache and errors ---------------------------------------------------------------------------
ONE_CHART = """\
spx:
  kind: drawdown
  series: [SP500]
  start: 2025-03-03
  end: 2025-04-11
  title: {zh-Hant: 標普 500 距高點跌幅}
"""


def test_second_build_renders_no_chart(make_site):
    from broadsheet.build.pipeline import build
    from broadsheet.core.context import BuildContext

    page_text = ZH_PAGE + '\n{{ chart("spx") }}\n'
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": page_text,
                      "content/issues/2025-04-13-sample/charts.yaml": ONE_CHART})

    def run() -> int:
        ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site",
                           search=False)  # no search index: not what is counted (conftest.build_into)
        return build(ctx).charts_rendered

    assert run() == 1
    assert run() == 0
    soup = BeautifulSoup((root / "site/issues/2025-04-13-sample/index.html").read_text("utf-8"),
                         "html.parser")
    assert soup.select_one("figure#chart-spx svg")
    (root / "content/issues/2025-04-13-sample/charts.yaml").write_text(
        ONE_CHART.replace("2025-04-11", "2025-04-10"), encoding="utf-8")
    assert run() == 1  # a changed declaration is a new key


def test_unknown_series_fails_with_path_and_line(make_site):
    bad = ONE_CHART.replace("[SP500]", "[SP500, NOPE]")
    root = make_site({"content/issues/2025-04-13-sample/charts.yaml": bad})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    messages = [p.format(root) for p in failed.value.problems]
    assert messages == ["content/issues/2025-04-13-sample/charts.yaml:3: chart 'spx': unknown "
                        "series 'NOPE' (known: BRENT, DGS10, DGS2, DGS20, DGS30, DJIA, DXY, GOLD, "
                        "NASDAQCOM, SP500, VIX, WTI)"]
    assert not (root / "site").exists()


@pytest.mark.parametrize(("text", "message"), [
    ("spx:\n  kind: pie\n  series: [SP500]\n  start: 2025-03-03\n  end: 2025-04-11\n"
     "  title: {zh-Hant: x}\n", ":2: chart 'spx': unknown kind 'pie'"),
    (ONE_CHART.replace("zh-Hant", "en"), ":6: chart 'spx': title has no 'zh-Hant' text"),
    (ONE_CHART + "  options: {threshold: deep}\n",
     ":7: chart 'spx': option threshold must be a number"),
    (ONE_CHART + "  options: {threshold: -500}\n",
     ":7: chart 'spx': option threshold must be between -100 and 0, got -500"),
    (ONE_CHART.replace("2025-04-11", "April"), ":5: chart 'spx': end must be a date"),
])
def test_bad_declarations_name_their_line(make_site, text, message):
    root = make_site({"content/issues/2025-04-13-sample/charts.yaml": text})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    assert message in failed.value.problems[0].format(root)


def test_unknown_chart_name_in_markdown_fails(make_site):
    page_text = ZH_PAGE + '\n{{ chart("spy") }}\n'
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": page_text,
                      "content/issues/2025-04-13-sample/charts.yaml": ONE_CHART})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    text = failed.value.problems[0].format(root)
    assert text.startswith("content/issues/2025-04-13-sample/zh-Hant.md:12: ")
    assert "unknown chart 'spy'" in text and "spx" in text


@pytest.mark.unit
def test_cjk_font_search(tmp_path, no_cjk_font):
    assert font_folders(tmp_path / "fonts") == ([], False)
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts/NotoSansTC-Regular.otf").write_bytes(b"")
    assert font_folders(tmp_path / "fonts") == ([tmp_path / "fonts"], True)


def test_charts_drawn_twice_without_cache_are_byte_identical(make_site, tmp_path, monkeypatch, fresh_cache):
    """Reproducible builds hold for chart SVGs and PNGs themselves, not only thanks to the cache."""
    from broadsheet.build.pipeline import build
    from broadsheet.charts import vega
    from broadsheet.core.cache import DiskCache
    from broadsheet.core.context import BuildContext

    # The vega bundle is no chart drawing and is not compared here, but a build without a cache
    # makes it again (~3 s of CPU in another process): these builds ship the session's copy.
    bundle = vega.vega_bundle(DiskCache(fresh_cache))
    monkeypatch.setattr(vega, "prefetch_vega_bundle", lambda cache: None)
    monkeypatch.setattr(vega, "vega_bundle", lambda cache: bundle)
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": ZH_PAGE + '\n{{ chart("spx") }}\n',
                      "content/issues/2025-04-13-sample/charts.yaml": ONE_CHART})
    outs = []
    for n in (1, 2):
        out = tmp_path / f"site{n}"
        ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=out, use_cache=False,
                           search=False)  # no search index: not compared (conftest.build_into)
        assert build(ctx).charts_rendered == 1  # drawn again, not taken from a cache
        outs.append(out)
    for rel in ("issues/2025-04-13-sample/index.html", "issues/2025-04-13-sample/charts/spx.png"):
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


# --- figure expressions in titles and descriptions -------------------------------------------
def with_description(text: str) -> str:
    return ONE_CHART + f"  description:\n    zh-Hant: '{text}'\n"


def test_description_figures_are_computed(make_site):
    text = '標普 500 在 4 月 9 日收在 {{ level("SP500", "2025-04-09", digits=0) }} 點'
    page_text = ZH_PAGE + '\n{{ chart("spx") }}\n'
    root = make_site({"content/issues/2025-04-13-sample/zh-Hant.md": page_text,
                      "content/issues/2025-04-13-sample/charts.yaml": with_description(text)})
    out = build_into(root)
    soup = BeautifulSoup((out / "issues/2025-04-13-sample/index.html").read_text("utf-8"), "html.parser")
    for svg in drawings(out, soup.select_one("figure#chart-spx")):
        assert svg.desc.text == "標普 500 在 4 月 9 日收在 5,457 點"


def test_description_figure_with_unknown_series_names_its_line(make_site):
    bad = with_description('收在 {{ level("NOPE", "2025-04-09") }} 點')
    root = make_site({"content/issues/2025-04-13-sample/charts.yaml": bad})
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    text = failed.value.problems[0].format(root)
    assert text.startswith("content/issues/2025-04-13-sample/charts.yaml:8: ")
    assert "NOPE" in text
    assert not (root / "site").exists()


def test_first_issue_descriptions_say_what_the_data_says(real_site):
    soup = page(real_site, "en")
    drawdown = drawings(real_site, soup.select_one("#chart-drawdown"))[0].desc.text
    assert "the S&P 500 fell nearly 19% from its February high on April 8" in drawdown
    rebound = drawings(real_site, soup.select_one("#chart-rebound"))[1].desc.text
    assert "the Nasdaq jumped 12.2% in a day, the S&P 500 9.5% and the Dow 7.9%" in rebound
