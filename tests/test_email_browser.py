"""The email edition in a real browser (Debian chromium): it renders like the page, charts and all.

The site is built for the address of a local HTTP server, so every absolute URL in the email
(chart PNGs, links) points at files that the server really serves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.build.pipeline import build
from broadsheet.charts.theme import PNG_SCALE
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from browser import chromium, serve_folder
from conftest import ROOT

pytestmark = pytest.mark.slow  # a real browser

ISSUE = "2025-04-13-tariff-shock"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real project built for, and served by, a local HTTP server: (base URL, site folder)."""
    out = tmp_path_factory.mktemp("email-browser") / "site"
    out.mkdir()
    with serve_folder(out) as base:
        config = load_config(ROOT / "site.yaml").with_base_url(base)
        build(BuildContext(root=ROOT, config=config, out_dir=out))
        yield base, out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_email_renders_in_a_browser_like_the_page(served: tuple[str, Path], browser, prefix: str) -> None:
    base, out = served
    browser.get(f"{base}{prefix}issues/{ISSUE}/index.html")
    page_title = browser.execute_script("return document.querySelector('h1').textContent.trim()")
    page_headings = browser.execute_script(
        "return [...document.querySelectorAll('.issue-body h2')].map(h => h.textContent.trim())")
    browser.get_log("browser")  # start the email with an empty console

    browser.get(f"{base}{prefix}issues/{ISSUE}/email.html")
    # the browser's own request for /favicon.ico is not part of the email (mail clients make none)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "/favicon.ico" not in e["message"]]
    assert errors == []
    assert browser.execute_script("return document.querySelector('h1').textContent.trim()") == page_title
    headings = browser.execute_script(
        "return [...document.querySelectorAll('.body h2')].map(h => h.textContent.trim())")
    assert headings == page_headings
    # the layout is the mail column: 600 px wide, centred, styled from inline CSS alone
    column = browser.execute_script(
        "const r = document.querySelector('table.column').getBoundingClientRect(); return [r.width, r.left];")
    assert column[0] == pytest.approx(600, abs=1) and column[1] > 100
    assert browser.execute_script("return document.styleSheets.length") == 0
    weight = browser.execute_script("return getComputedStyle(document.querySelector('.masthead a')).fontWeight")
    assert weight in ("700", "bold")
    # every image (the charts' PNGs when the issue has charts) loads from its absolute URL
    images = browser.execute_script(
        "return [...document.images].map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])")
    assert all(src.startswith(base) and loaded for src, loaded in images), images
    charts = list((out / prefix / "issues" / ISSUE / "charts").glob("*.narrow.png")) if (
        out / prefix / "issues" / ISSUE / "charts").is_dir() else []
    assert len(charts) >= 4 and len(images) >= len(charts)  # the first issue's charts, as their narrow PNGs


def test_email_fits_a_phone(served: tuple[str, Path], browser) -> None:
    """At 390 px the column is the phone's width, not a 600 px table scaled down: text stays 16 px
    and the chart images fit."""
    base, _ = served
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        browser.get(f"{base}issues/{ISSUE}/email.html")
        width = browser.execute_script("return document.querySelector('table.column').getBoundingClientRect().width")
        assert width <= 390
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        size = browser.execute_script("return getComputedStyle(document.querySelector('.body p')).fontSize")
        assert size == "16px"
        widest = browser.execute_script(
            "return Math.max(...[...document.querySelectorAll('.body img')].map(i => i.getBoundingClientRect().width))")
        assert widest <= width
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# Each chart image of the email: its address, its width as shown and its natural width in pixels
IMAGES = ("return [...document.querySelectorAll('.body img')]"
          ".map(i => [i.src, i.getBoundingClientRect().width, i.naturalWidth])")
AXIS_LABEL_SIZE = re.compile(r'role-axis-label"[^>]*>(.*?)</g>', re.S)


def axis_label_px(svg: str) -> float:
    """The smallest font size of a drawing's axis labels, in its own units."""
    sizes = [float(px) for group in AXIS_LABEL_SIZE.findall(svg) for px in re.findall(r'font-size="([\d.]+)px"', group)]
    assert sizes
    return min(sizes)


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_email_chart_axis_text_is_at_least_11px_on_a_phone(served: tuple[str, Path], browser, prefix: str) -> None:
    """The email shows each chart's narrow twin: on a 390 px phone the image is at most 350 px wide,
    and shown 350 px wide its axis labels are at least 11 px (the wide twin's were about 7 px)."""
    base, out = served
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        browser.get(f"{base}{prefix}issues/{ISSUE}/email.html")
        browser.execute_script("return Promise.all([...document.images].map(i => i.decode()))")
        images = browser.execute_script(IMAGES)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert len(images) == 6
    smallest = []
    for src, shown, natural in images:
        assert src.endswith(".narrow.png") and shown <= 350
        drawing = src.rsplit("/", 1)[1].replace(".png", ".svg")  # the narrow drawing the twin frames
        svg = (out / prefix / "issues" / ISSUE / "charts" / drawing).read_text("utf-8")
        # the PNG holds PNG_SCALE pixels per unit of the drawing it frames
        smallest.append(axis_label_px(svg) * 350 * PNG_SCALE / natural)
    assert min(smallest) >= 11, smallest
