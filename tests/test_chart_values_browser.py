"""Charts you can read with a finger (issue 24), in Debian chromium: a line chart shows the value of
the point nearest the pointer (Vega-Lite's voronoi, broadsheet/charts/kinds/lines.py), on a tap
on a phone and from the keyboard (static/js/charts.js); the static drawing stays without script.

Before, a value showed only with the pointer on the 2 px line itself: 17 of 160 positions of a
vertical sweep across a chart.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.charts.kinds.lines import NEAREST, nearest_values

ISSUE = "issues/2025-04-13-tariff-shock/"
CHART = "#chart-yields"
LABEL = f"return [...document.querySelectorAll('{CHART} [class*=nearest_label_marks] text')]" \
        ".map(t => t.textContent).join(' | ')"
BOX = f"return document.querySelector('{CHART} ' + arguments[0]).getBoundingClientRect().toJSON()"
POINTS = f"""return [...document.querySelectorAll('{CHART} [class*="nearest_point_marks"] path')].map(p => {{
  const r = p.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})"""


def open_at(driver, url: str, width: int, height: int, mobile: bool) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile, "maxTouchPoints": 1})
    driver.get(url)
    driver.execute_script("return document.fonts.ready")
    driver.execute_script(f"document.querySelector('{CHART}').scrollIntoView()")


def wait_for(driver, script: str, *args: object) -> object:
    """Run `script` until it returns something truthy (5 s at most); return the last answer."""
    answer = None
    for _ in range(50):
        answer = driver.execute_script(script, *args)
        if answer:
            break
        time.sleep(0.1)
    return answer


def live(driver) -> bool:
    return bool(wait_for(driver, f"return document.querySelector('{CHART}').classList.contains('chart-live')"))


def mouse_at(driver, x: float, y: float) -> None:
    driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})


def tap(driver, x: float, y: float) -> None:
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.slow  # a real browser
def test_a_value_shows_with_the_pointer_near_a_line(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 1280, 900, mobile=False)
    box = browser.execute_script(BOX, ".chart-graphic")
    mouse_at(browser, box["left"] + box["width"] / 2, box["top"] + box["height"] / 2)  # the reader reaches for it
    assert live(browser)
    points = browser.execute_script(POINTS)
    assert len(points) == 33  # 11 days, 3 yields
    x, y = points[3]  # 2025-03-31, the 10-year: 12 px below the point, off its 2 px line
    mouse_at(browser, x + 3, y + 12)
    assert wait_for(browser, LABEL) == "2025/3/31  10年期  4.23%"
    assert browser.execute_script(f"return document.querySelector('{CHART} .chart-readout').textContent") == \
        "2025/3/31  10年期  4.23%"  # written under the chart for screen readers
    # a vertical sweep over the plot at that day: every position shows a value (17 of 160 did)
    top, bottom = min(p[1] for p in points), max(p[1] for p in points)
    shown = 0
    for n in range(20):
        mouse_at(browser, x + 5, top - 10 + (bottom - top + 20) * n / 19)
        time.sleep(0.05)
        shown += bool(wait_for(browser, LABEL))
    assert shown == 20
    mouse_at(browser, 5, 5)  # the mouse leaves: the value goes
    assert wait_for(browser, LABEL.replace("return ", "return !(") + ")")


@pytest.mark.slow  # a real browser
def test_a_tap_shows_a_value_on_a_phone(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 390, 844, mobile=True)
    box = browser.execute_script(BOX, ".chart-narrow img")
    tap(browser, box["left"] + box["width"] * 0.5, box["top"] + box["height"] * 0.55)  # the first tap
    assert live(browser)
    first = wait_for(browser, LABEL)
    assert first and first.startswith("2025/4/"), first  # shown by the tap that woke the chart
    tap(browser, box["left"] + box["width"] * 0.8, box["top"] + box["height"] * 0.55)
    assert wait_for(browser, f"return ({LABEL[7:]}) !== arguments[0]", first)
    time.sleep(0.3)
    assert wait_for(browser, LABEL), "a lifted finger keeps the value"
    assert browser.execute_script("return document.documentElement.scrollWidth") == 390


@pytest.mark.slow  # a real browser
def test_the_keyboard_steps_through_a_chart(browser, server: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_at(browser, server + ISSUE, 1280, 900, mobile=False)
    graphic = browser.find_element("css selector", f"{CHART} .chart-graphic")
    assert graphic.get_attribute("tabindex") == "0"
    assert graphic.get_attribute("aria-label") == "10、20、30 年期美債殖利率"
    browser.execute_script("arguments[0].focus()", graphic)  # as Tab reaches it
    assert live(browser)
    wait_for(browser, POINTS)
    keys = ActionChains(browser)
    keys.send_keys(Keys.ARROW_RIGHT).perform()
    assert wait_for(browser, LABEL).startswith("2025/3/28  ")  # the first day
    keys.send_keys(Keys.ARROW_RIGHT).perform()
    second = wait_for(browser, f"return ({LABEL[7:]}).startsWith('2025/3/31') && ({LABEL[7:]})")
    assert second
    ActionChains(browser).send_keys(Keys.ARROW_DOWN).perform()
    third = wait_for(browser, f"return ({LABEL[7:]}) !== arguments[0] && ({LABEL[7:]})", second)
    assert third and third.startswith("2025/3/31  "), (second, third)  # another yield, the same day
    ActionChains(browser).send_keys(Keys.END).perform()
    assert wait_for(browser, f"return ({LABEL[7:]}).startsWith('2025/4/11')")
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    assert wait_for(browser, LABEL.replace("return ", "return !(") + ")")


def test_without_script_the_static_drawing_stays(real_site: Path) -> None:
    page = BeautifulSoup((real_site / ISSUE / "index.html").read_text(encoding="utf-8"), "html.parser")
    figure = page.select_one(CHART)
    assert figure.select_one(".chart-wide img, .chart-wide svg") and figure.select_one(".chart-narrow img")
    assert figure.select_one(".chart-graphic").get("tabindex") is None  # the script adds the keyboard stop
    assert "nearest" not in (real_site / ISSUE / "charts" / "yields.svg").read_text(encoding="utf-8")


@pytest.mark.unit
def test_nearest_values_layers_each_line_unit() -> None:
    line = {"mark": {"type": "line", "point": {"opacity": 0, "size": 80}},
            "encoding": {"x": {"field": "date"}, "y": {"field": "value"}, "color": {"field": "series"},
                         "tooltip": [{"field": "day"}, {"field": "value", "format": ".1%"}]},
            "data": {"values": []}, "width": 300}
    spec = nearest_values({"layer": [line, {"mark": {"type": "rule"}}]})
    unit = spec["layer"][0]
    assert unit["data"] == {"values": []} and unit["width"] == 300 and "mark" not in unit
    assert [layer.get("name") for layer in unit["layer"]] == [None, "nearest_point", "nearest_rule", "nearest_halo",
                                                            "nearest_label"]
    assert unit["layer"][0]["mark"]["point"] is False and "tooltip" not in unit["layer"][0]["encoding"]
    select = unit["layer"][1]["params"][0]
    assert select["name"] == NEAREST and select["select"]["nearest"] is True
    assert "format(datum.value, '.1%')" in unit["layer"][4]["transform"][1]["calculate"]
    assert spec["layer"][1] == {"mark": {"type": "rule"}}  # other marks as they were
    static = {"mark": {"type": "line", "point": False}, "encoding": {}}
    assert nearest_values(static) == static  # a static spec (no points) is not touched
