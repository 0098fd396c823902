"""The issue pages on paper, printed by Debian chromium (Page.printToPDF) on A4 and Letter: no
page but the last more than 25% blank (charts are scaled to fit, not pushed to the next page),
link targets printed, the figures' receipts listed at the end.

The real project is built once and served under its base path (tests/browser.py); each PDF is
read by tests/pdf_fill.py, which finds how far down each page is painted.
"""

from __future__ import annotations

import base64
import re

import pytest
from pdf_fill import page_fills

from conftest import ROOT

pytestmark = pytest.mark.slow  # a real browser

ISSUE = "issues/2025-04-13-tariff-shock/"
PAPERS = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}  # inches
MAX_BLANK = 0.25
MM = 72 / 25.4  # PDF points per millimetre


def page_margins() -> tuple[float, float]:
    """The top and bottom margins print.css gives the page, in PDF points."""
    css = (ROOT / "static/css/print.css").read_text(encoding="utf-8")
    found = re.search(r"@page\s*\{\s*margin:\s*([\d.]+)mm\s+[\d.]+mm\s+([\d.]+)mm", css)
    assert found, "print.css sets the page's margins as top, sides, bottom in mm"
    return float(found.group(1)) * MM, float(found.group(2)) * MM


def printed(driver, url: str, paper: str) -> bytes:
    """The page as Chromium prints it to PDF on `paper`, every lazy image loaded."""
    driver.get(url)
    driver.execute_script("return document.fonts.ready")
    driver.execute_script("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager');"
                          "return Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
    width, height = PAPERS[paper]
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": width, "paperHeight": height,
                                                      "printBackground": False})
    return base64.b64decode(pdf["data"])


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_no_page_but_the_last_is_more_than_a_quarter_blank(browser, server: str, prefix: str, paper: str) -> None:
    fills = page_fills(printed(browser, server + prefix + ISSUE, paper))
    top, bottom = page_margins()
    blank = [round(f.blank_share(top, bottom), 3) for f in fills]
    assert len(fills) >= 10  # the whole issue
    assert max(blank[:-1]) <= MAX_BLANK, blank


def in_print(driver, url: str) -> None:
    driver.get(url)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_on_paper_links_show_their_targets_and_the_receipts_end_the_article(browser, server: str,
                                                                             prefix: str) -> None:
    try:
        in_print(browser, server + prefix + ISSUE)
        csv = browser.execute_script(
            "const a = document.querySelector('.data-behind a[href$=\"data.csv\"]');"
            "return [a.href, getComputedStyle(a, '::after').content]")
        assert csv[0].startswith("https://") and csv[1] == f'" <{csv[0]}>"'  # the data CSV's address
        receipts = browser.execute_script(
            "return [...document.querySelectorAll('.receipts .receipt')].map(r => "
            "[getComputedStyle(r).display, getComputedStyle(r).position, r.getBoundingClientRect().height,"
            " r.textContent.trim()])")
        figures = browser.execute_script("return document.querySelectorAll('.issue-body .fig').length")
        assert len(receipts) == figures >= 35
        assert all(display == "block" and position == "static" and 0 < height < 60 for display, position, height, _ in
                   receipts), receipts[:3]
        source = "資料來源" if not prefix else "Source:"
        assert all(source in text for *_, text in receipts)
        # after the article's text, before the provenance note
        order = browser.execute_script(
            "const r = document.querySelector('.receipts'), b = document.querySelector('.issue-body'),"
            " p = document.querySelector('.provenance');"
            "return [b.getBoundingClientRect().bottom <= r.getBoundingClientRect().top,"
            " r.getBoundingClientRect().bottom <= p.getBoundingClientRect().top]")
        assert order == [True, True]
        # charts scaled to fit: no drawing taller than 5.6 cm (212 CSS px)
        tallest = browser.execute_script(
            "return Math.max(...[...document.querySelectorAll('.chart-graphic svg, .chart-graphic img')]"
            ".filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect().height))")
        assert 100 < tallest <= 212
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
