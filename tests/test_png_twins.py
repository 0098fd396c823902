"""A chart's PNG twins are drawn only where an output links them (issue 27): the narrow twin of
every chart (the email), the wide twin of every chart of an issue in the feeds and of the first
chart each page places (its share card). No PNG that nothing links, no link to a PNG that is not
there, and a page whose first chart changes gets that chart's wide twin."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

import broadsheet.build.plan as plan
import broadsheet.build.rendering as rendering
from broadsheet.build.pipeline import build
from broadsheet.charts.chartset import lead_chart
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.figures.expressions import expressions_in
from conftest import SAMPLE

EARLIER = "content/issues/2025-04-06-earlier"
NEWEST = "content/issues/2025-04-13-sample"


def newest_in_english() -> str:
    """An English edition of the sample's newest issue: its figures, in the order the Chinese quotes them."""
    chinese = (SAMPLE / NEWEST / "zh-Hant.md").read_text(encoding="utf-8")
    figures = " ".join("{{" + found.source + "}}" for found in expressions_in(chinese))
    return ("---\ntitle: The sample issue\ndate: 2025-04-13\nsummary: A test issue.\ntags: [US stocks]\n"
            f"slug: sample\n---\n## Stocks\n\nThe figures: {figures}.\n")
SITE_URL = "https://example.github.io/broadsheet/"
CHARTS = """\
rates:
  kind: line
  series: [VIX]
  start: 2025-03-03
  title: {zh-Hant: 恐慌指數, en: VIX}
stocks:
  kind: line
  series: [SP500]
  start: 2025-03-03
  title: {zh-Hant: 標普500, en: S&P 500}
"""


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def html_links(text: str) -> Iterator[str]:
    """Image sources, link targets, meta contents and JSON-LD strings of an HTML document or fragment."""
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(True):
        for name in ("src", "href", "content"):
            if isinstance(tag.get(name), str):
                yield tag[name]
    for script in soup.find_all("script", type="application/ld+json"):
        yield from strings(json.loads(script.string or "null"))


def linked_pngs(site: Path) -> set[str]:
    """The site paths of the PNG files that any page, email or feed of the site links."""
    found: set[str] = set()
    for path in site.rglob("*"):
        if path.suffix == ".html":
            found.update(html_links(path.read_text(encoding="utf-8")))
        elif path.suffix == ".xml":
            for element in ET.parse(path).getroot().iter():
                found.update(element.attrib.values())
                if element.text and "<" in element.text:
                    found.update(html_links(element.text))
                elif element.text:
                    found.add(element.text.strip())
        elif path.suffix == ".json" and "feed" in path.name:
            for text in strings(json.loads(path.read_text(encoding="utf-8"))):
                found.update(html_links(text) if "<" in text else [text])
    paths = {link.removeprefix(SITE_URL).removeprefix("/broadsheet/") for link in found}
    return {path for path in paths if path.endswith(".png") and "/charts/" in path}


def chart_pngs(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("charts/*.png")}


def built(root: Path) -> Path:
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site", search=False)
    assert not build(ctx).nothing_changed
    return root / "site"


@pytest.fixture
def two_charts(make_site) -> Path:
    """The sample site (its newest issue in both languages, without charts) whose earlier issue
    places two charts: the Chinese page `stocks` first, the English page `rates` first."""
    root = make_site({f"{EARLIER}/charts.yaml": CHARTS, f"{NEWEST}/en.md": newest_in_english()})
    for name, order in (("zh-Hant.md", ("stocks", "rates")), ("en.md", ("rates", "stocks"))):
        page = root / EARLIER / name
        page.write_text(page.read_text(encoding="utf-8") + "".join(f'\n{{{{ chart("{c}") }}}}\n' for c in order),
                        encoding="utf-8")
    return root


@pytest.mark.unit
def test_the_lead_chart_is_the_first_chart_call_of_the_text() -> None:
    assert lead_chart('段落 {{ level("SP500", "2025-04-04") }}\n\n{{ chart( "b" ) }}\n\n{{ chart("a") }}') == "b"
    assert lead_chart('{{ chart(name="c") }}') == "c"
    assert lead_chart("no chart here, a chart of words") is None


def test_outside_the_feeds_only_each_pages_first_chart_has_a_wide_twin(two_charts: Path, monkeypatch) -> None:
    for module in (plan, rendering):
        monkeypatch.setattr(module, "FEED_LIMIT", 1)  # the feeds: the newest issue, without charts
    site = built(two_charts)
    charts = f"{EARLIER.removeprefix('content/')}/charts"
    assert chart_pngs(site) == {
        f"{charts}/stocks.png", f"{charts}/stocks.narrow.png", f"{charts}/rates.narrow.png",  # zh: stocks first
        f"en/{charts}/rates.png", f"en/{charts}/rates.narrow.png", f"en/{charts}/stocks.narrow.png"}
    assert linked_pngs(site) == chart_pngs(site)  # every PNG is linked, every link has its PNG

    # the Chinese page now places `rates` first: its share card is that chart's wide twin
    page = two_charts / EARLIER / "zh-Hant.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace('{{ chart("stocks") }}', "").replace('{{ chart("rates") }}',
                                                                     '{{ chart("rates") }}\n\n{{ chart("stocks") }}'),
                    encoding="utf-8")
    site = built(two_charts)
    assert f"{charts}/rates.png" in chart_pngs(site) and f"{charts}/stocks.png" not in chart_pngs(site)
    assert linked_pngs(site) == chart_pngs(site)


def test_every_chart_of_an_issue_in_the_feeds_has_both_twins(two_charts: Path) -> None:
    site = built(two_charts)
    charts = f"{EARLIER.removeprefix('content/')}/charts"
    assert chart_pngs(site) == {f"{prefix}{charts}/{name}.{twin}" for prefix in ("", "en/")
                                for name in ("rates", "stocks") for twin in ("png", "narrow.png")}
    assert linked_pngs(site) == chart_pngs(site)
