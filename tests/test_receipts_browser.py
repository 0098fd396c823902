"""The figures' receipts in Debian chromium: each fits the window at 320, 390 and 1280 px, opens
by a click or Enter and closes by Esc or a click outside, and a figure is named by its number and
described by its receipt.

The real project is built once and served under its base path (tests/browser.py).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.slow  # a real browser

ISSUE = "issues/2025-04-13-tariff-shock/"


def open_at(driver, url: str, width: int, height: int = 800) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})
    driver.get(url)
    driver.execute_script("return document.fonts.ready")


def click_at(driver, x: float, y: float) -> None:
    for kind in ("mousePressed", "mouseReleased"):
        driver.execute_cdp_cmd("Input.dispatchMouseEvent",
                               {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})


def key(driver, name: str, code: int) -> None:
    for kind in ("rawKeyDown", "keyUp"):
        driver.execute_cdp_cmd("Input.dispatchKeyEvent", {"type": kind, "key": name, "code": name,
                                                          "windowsVirtualKeyCode": code})


# The i-th figure's button scrolled to the middle of the window: its centre
CENTRE = """
const b = document.querySelectorAll(".issue-body button.fig")[arguments[0]];
b.scrollIntoView({block: "center", inline: "nearest"});
const r = b.getBoundingClientRect();
return [r.left + r.width / 2, r.top + r.height / 2, b.getAttribute("popovertarget")];
"""
# How far the open receipt reaches past the window's edges (0 when it fits), and the page's width
OVERFLOW = """
const box = document.getElementById(arguments[0]);
if (!box.matches(":popover-open")) return null;
const r = box.getBoundingClientRect(), w = document.documentElement.clientWidth, h = window.innerHeight;
return [Math.max(0, -r.left, r.right - w, -r.top, r.bottom - h), document.documentElement.scrollWidth - w];
"""


@pytest.mark.parametrize("width", [320, 390, 1280])
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_every_receipt_fits_the_window(browser, server: str, prefix: str, width: int) -> None:
    open_at(browser, server + prefix + ISSUE, width)
    count = browser.execute_script("return document.querySelectorAll('.issue-body button.fig').length")
    assert count >= 35
    overflows, widened = [], []
    for n in range(count):
        x, y, target = browser.execute_script(CENTRE, n)
        click_at(browser, x, y)
        measured = browser.execute_script(OVERFLOW, target)
        assert measured is not None, f"figure {n + 1} did not open its receipt at {width} px"
        overflows.append(measured[0])
        widened.append(measured[1])
        key(browser, "Escape", 27)
        assert browser.execute_script(OVERFLOW, target) is None, "Esc closes the receipt"
    assert max(overflows) == 0 and max(widened) <= 0, (width, overflows, widened)


def test_a_receipt_opens_by_keyboard_and_closes_by_a_click_outside(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 390)
    target = browser.execute_script(CENTRE, 0)[2]
    browser.execute_script("document.querySelector('[popovertarget=' + JSON.stringify(arguments[0]) + ']').focus()",
                           target)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.execute_script(OVERFLOW, target) == [0, 0]
    click_at(browser, 5, 5)  # outside the receipt: light dismiss
    assert browser.execute_script(OVERFLOW, target) is None
    browser.execute_script("document.querySelector('[popovertarget=' + JSON.stringify(arguments[0]) + ']').focus()",
                           target)
    browser.switch_to.active_element.send_keys(Keys.SPACE)
    assert browser.execute_script(OVERFLOW, target) == [0, 0]


def accessible(driver, selector: str) -> dict[str, str]:
    """The name, role and description Chromium's accessibility tree gives the element."""
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    tree = driver.execute_cdp_cmd("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    ax = tree["nodes"][0]
    return {k: str(ax.get(k, {}).get("value", "")) for k in ("name", "role", "description")}


@pytest.mark.parametrize(("prefix", "words"), [("", ("標普 500 指數", "2025年4月4日", "5,074.08", "資料來源")),
                                               ("en/", ("S&P 500", "April 4, 2025", "5,074.08", "Source: FRED"))])
def test_a_figure_is_named_by_its_number_and_described_by_its_receipt(browser, server: str, prefix: str,
                                                                       words: tuple[str, ...]) -> None:
    open_at(browser, server + prefix + ISSUE, 1280)
    browser.execute_cdp_cmd("Accessibility.enable", {})
    first = accessible(browser, ".issue-body button.fig")
    assert first["name"] == "9.1%" and first["role"] == "button"
    assert all(w in first["description"] for w in words), first
    assert browser.execute_script("return document.querySelectorAll('.issue-body [title]').length") == 0


def tap_at(driver, x: float, y: float) -> None:
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_tap_opens_a_receipt_as_a_sheet_and_a_tap_outside_closes_it(browser, server: str) -> None:
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    try:
        open_at(browser, server + ISSUE, 390)
        x, y, target = browser.execute_script(CENTRE, 5)
        tap_at(browser, x, y)
        assert browser.execute_script(OVERFLOW, target) == [0, 0]
        sheet = browser.execute_script("const r = document.getElementById(arguments[0]).getBoundingClientRect();"
                                       "return [r.left, r.width, innerHeight - r.bottom]", target)
        assert sheet == [0, 390, 0]  # along the bottom of the screen, as wide as it
        tap_at(browser, 200, 40)  # above the sheet
        assert browser.execute_script(OVERFLOW, target) is None
    finally:
        browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
