"""What a reader sees, in Debian chromium: typography, table of contents, targets, feeds as pages.

The real project is built once and served under its base path; each test opens a page at a phone
(390 px) or desktop (1280 px) width with Chrome's device emulation (a headless window cannot be
narrower than 500 px).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium, serve_folder
from conftest import build_into, system_cjk_font

pytestmark = pytest.mark.slow  # a real browser

ISSUE = "issues/2025-04-13-tariff-shock/"


def open_at(driver, url: str, width: int, scheme: str = "light", height: int = 900, mobile: bool = False) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    driver.get(url)
    driver.execute_script("return document.fonts.ready")


# Each Latin word of the text (3+ letters, on one line): the width of its inner letters as drawn,
# and the same letters drawn alone with the same font. The first and last letters are left out
# because text-autospace adds its 1/8 em gap at a word's edges, which is spacing, not stretching.
LATIN_WIDTHS = r"""
const root = document.querySelector(arguments[0]);
const probe = document.createElement("span");
probe.style.cssText = "position:absolute;left:-9999px;top:0;white-space:pre;text-align:left";
document.body.appendChild(probe);
const out = [];
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
let node;
while ((node = walker.nextNode())) {
  if (node.parentElement.closest("svg,script,style,code,pre,.chart-data")) continue;
  const re = /[A-Za-z]{3,}/g;
  let m;
  while ((m = re.exec(node.data))) {
    const range = document.createRange();
    range.setStart(node, m.index + 1);
    range.setEnd(node, m.index + m[0].length - 1);
    const rects = range.getClientRects();
    if (rects.length !== 1) continue;
    const style = getComputedStyle(node.parentElement);
    probe.style.font = style.font;
    probe.style.letterSpacing = style.letterSpacing;
    probe.style.fontFeatureSettings = style.fontFeatureSettings;
    probe.textContent = m[0].slice(1, -1);
    out.push([m[0], rects[0].width, probe.getBoundingClientRect().width]);
  }
}
probe.remove();
return out;
"""


@pytest.mark.parametrize("page", [ISSUE, "404.html"])
def test_justified_chinese_never_spreads_latin_words(browser, server: str, page: str) -> None:
    open_at(browser, server + page, 390)
    words = browser.execute_script(LATIN_WIDTHS, "main")
    assert len(words) >= (100 if page == ISSUE else 5)
    stretched = [(w, round(drawn / natural, 2)) for w, drawn, natural in words if drawn > natural * 1.02 + 0.5]
    assert stretched == []


def test_chinese_pages_ask_for_autospace_and_trim(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 390)
    style = browser.execute_script(
        "const s = getComputedStyle(document.querySelector('.issue-body p'));"
        "return [s.textAlign, s.textJustify, s.textAutospace, s.textSpacingTrim]")
    assert style[0] == "justify" and style[1] == "auto"
    if browser.execute_script("return CSS.supports('text-autospace', 'normal')"):
        assert style[2] == "normal"
    if browser.execute_script("return CSS.supports('text-spacing-trim', 'trim-start')"):
        assert style[3] == "trim-start"


def test_autospace_fallback_inserts_thin_spaces_where_css_cannot(browser, server: str) -> None:
    """Without CSS text-autospace, static/js/typography.js spaces Han from Latin and digits."""
    open_at(browser, server + ISSUE, 390)
    script = browser.execute_script("return document.querySelector('script[src$=\"typography.js\"]').src")
    text = browser.execute_script("""
        const p = document.createElement('main'); p.innerHTML = '<p>美國3月CPI與PPI</p><code>a中</code>';
        document.body.replaceChildren(p);
        const supports = CSS.supports; CSS.supports = () => false;
        const s = document.createElement('script'); s.src = arguments[0];
        return new Promise((done) => { s.onload = () => { CSS.supports = supports; done(p.textContent); };
                                         document.head.appendChild(s); });""", script)
    assert text == "美國\u20093\u2009月\u2009CPI\u2009與\u2009PPIa中"


def rect(driver, selector: str) -> dict:
    return driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()",
                                 driver.find_element("css selector", selector))


@pytest.mark.parametrize("width", [390, 1280])
def test_nav_and_tag_links_are_44_px_targets(browser, server: str, width: int) -> None:
    open_at(browser, server + "en/" + ISSUE, width)
    # every target shown: on a phone the header's tags are left out (the same links follow the article)
    heights = browser.execute_script(
        "return [...document.querySelectorAll('.site-nav a, .tags a, .more-tags a, .issue-nav a, .share a,"
        " .share button, .to-top a')].filter(a => a.checkVisibility())"
        ".map(a => [a.textContent.trim(), a.getBoundingClientRect().height])")
    assert len(heights) > 10
    assert [h for h in heights if h[1] < 44] == []
    tags = browser.execute_script("return document.querySelectorAll('.issue-header .tags a').length")
    measured = {name for name, _ in heights}
    assert sum(name in measured for name in ("tariffs", "US stocks", "Treasuries")) == 3
    assert len(heights) >= (18 if width == 390 else 18 + tags)  # the header's tags too on a desktop


@pytest.mark.skipif(system_cjk_font() is None, reason="no CJK font to lay 繁體中文 out with (fonts-noto-cjk: "
                                                    "scripts/install-system-deps.sh)")
def test_language_names_sit_on_one_line(browser, server: str) -> None:
    """'繁體中文' (a CJK font) and 'English' share their baseline on an English page (it sat 2 px low)."""
    open_at(browser, server + "en/", 1280)
    baselines = browser.execute_script("""
        return [...document.querySelectorAll('.lang-switch > *')].map((el) => {
          const mark = document.createElement('span');
          mark.style.cssText = 'display:inline-block;width:0;height:0';
          el.appendChild(mark);
          const baseline = mark.getBoundingClientRect().bottom;
          mark.remove();
          return [el.textContent.trim(), baseline]; });""")
    assert [name for name, _ in baselines] == ["繁體中文", "English"]
    assert abs(baselines[0][1] - baselines[1][1]) <= 0.5, baselines


def test_table_of_contents_sections_first_subsections_on_demand(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 390)
    count = ("return [...document.querySelectorAll(arguments[0])]"
             ".filter(a => a.checkVisibility({contentVisibilityAuto: true})).length")
    assert browser.execute_script(count, ".toc a") == 0  # closed on a phone (below)
    browser.find_element("css selector", ".toc summary").click()
    sections = browser.execute_script(count, ".toc .toc-list > ul > li > a")
    assert sections >= 10
    assert browser.execute_script(count, ".toc ul ul a") == 0
    browser.find_element("css selector", ".toc-more input").click()
    assert browser.execute_script(count, ".toc ul ul a") >= 5
    browser.find_element("css selector", ".toc summary").click()  # it collapses
    assert browser.execute_script("return document.querySelector('.toc details').open") is False
    assert browser.execute_script(count, ".toc a") == 0


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_a_phone_shows_the_article_on_its_first_screen(browser, server: str, prefix: str) -> None:
    """At 390×844 the first paragraph starts within the first screen (it was 1,094 px down in zh,
    1,499 px in en, below the tags and the open table of contents); a desktop is as before."""
    open_at(browser, server + prefix + ISSUE, 390, height=844, mobile=True)
    first = rect(browser, ".issue-body > p")
    assert first["top"] <= 700, first
    assert browser.execute_script("return document.querySelector('.toc details').open") is False
    assert rect(browser, ".toc")["height"] <= 80  # one line: its summary
    assert browser.execute_script("return document.querySelector('.issue-header .tags').checkVisibility()") is False
    tags = browser.execute_script("return [...document.querySelectorAll('.more-tags a.more-tag')].map(a => a.href)")
    assert len(tags) >= 5 and rect(browser, ".more-on-tags")["top"] > rect(browser, ".disclaimer")["top"]
    open_at(browser, server + prefix + ISSUE, 1280, height=860)
    assert browser.execute_script("return document.querySelector('.toc details').open") is True
    assert browser.execute_script("return document.querySelector('.issue-header .tags').checkVisibility()") is True
    assert rect(browser, ".issue-header .tags")["bottom"] < rect(browser, ".issue-body")["top"]


@pytest.mark.parametrize("width", [390, 1280])
def test_h4_is_not_smaller_than_the_text(browser, server: str, width: int) -> None:
    open_at(browser, server + ISSUE, width)
    sizes = browser.execute_script(
        "const px = (s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);"
        "return [px('.issue-body h4'), px('.issue-body p')]")
    assert sizes[0] >= sizes[1], sizes  # h4 was 16.3 px beside 17 px text


def test_the_copy_link_button_copies_the_address(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 390)
    browser.execute_cdp_cmd("Browser.grantPermissions",
                            {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    button = browser.find_element("css selector", ".share .copy-link")
    assert button.is_displayed()
    button.click()
    status = browser.find_element("css selector", ".copy-link-status")
    for _ in range(50):
        if status.text:
            break
        browser.execute_script("return new Promise(r => setTimeout(r, 50))")
    assert status.text == "已複製連結"
    assert browser.execute_script("return navigator.clipboard.readText()") == \
        "https://example.github.io/broadsheet/" + ISSUE


def test_table_of_contents_stays_beside_the_text_on_wide_screens(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 1280)
    toc, body = rect(browser, ".toc"), rect(browser, ".issue-body")
    assert toc["left"] >= body["right"]  # beside, not above
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight / 2)")
    toc = rect(browser, ".toc")
    assert 0 <= toc["top"] <= 40  # still in view half way down


def test_back_to_top_follows_a_long_page(browser, server: str) -> None:
    open_at(browser, server + ISSUE, 390)
    browser.execute_script("window.scrollTo(0, 8000)")
    browser.execute_script("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    link = browser.find_element("css selector", ".to-top a")
    box = rect(browser, ".to-top a")
    assert 0 < box["bottom"] <= 900 and link.is_displayed()
    link.click()
    browser.execute_script("return new Promise(r => setTimeout(r, 300))")
    assert browser.execute_script("return window.scrollY") < 50


@pytest.mark.parametrize(("prefix", "heading"), [("", "訂閱"), ("en/", "Subscribe")])
def test_the_feeds_are_offered_on_a_page_in_their_language(browser, server: str, prefix: str, heading: str) -> None:
    """The feeds' XSLT view is gone (Chromium is removing XSLT): the menu's link opens the
    edition's subscribe page, which gives each feed's address and the issues in it."""
    open_at(browser, server + prefix, 390, mobile=True)
    link = next(a for a in browser.find_elements("css selector", ".site-nav a")
                if a.get_attribute("href") == f"{server}{prefix}subscribe/")
    browser.execute_script("arguments[0].click()", link)  # the menu may be folded on a phone
    assert browser.current_url == f"{server}{prefix}subscribe/"
    assert browser.find_element("css selector", "main h1").text == heading
    for kind, name in (("rss", "feed.xml"), ("atom", "atom.xml"), ("json", "feed.json")):
        field = browser.find_element("css selector", f"#feed-{kind}")
        assert field.get_attribute("value") == f"https://example.github.io/broadsheet/{prefix}{name}"
        assert field.get_attribute("readonly") is not None
    issue = browser.find_element("css selector", ".subscribe-latest a").get_attribute("href")
    assert issue == f"{server}{prefix}{ISSUE}"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390  # fits the phone


def test_previous_and_next_issue_are_shown(make_site, tmp_path: Path) -> None:
    site = build_into(make_site())
    top = tmp_path / "served"
    top.mkdir()
    (top / "broadsheet").symlink_to(site, target_is_directory=True)
    with serve_folder(top) as url, chromium(tmp_path / "profile") as driver:
        open_at(driver, url + "broadsheet/issues/2025-04-13-sample/", 390)
        older = driver.find_element("css selector", ".issue-nav a[rel=prev]")
        assert older.is_displayed() and "較早的一期" in older.text
        assert older.rect["height"] >= 44
        older.click()
        assert driver.current_url == url + "broadsheet/issues/2025-04-06-earlier/"
        newer = driver.find_element("css selector", ".issue-nav a[rel=next]")
        assert newer.is_displayed() and "範例週報" in newer.text
        assert newer.get_attribute("href") == url + "broadsheet/issues/2025-04-13-sample/"
        assert driver.find_elements("css selector", ".issue-nav a[rel=prev]") == []  # the oldest


# --- weight: what a reader downloads ---------------------------------------------------------------
FETCHED = "return performance.getEntriesByType('resource').map(e => e.name)"


def touch_and_wait(browser, figure: str) -> None:
    """Move a pointer onto a chart, as a reader does, and wait until it is interactive."""
    import time

    browser.execute_script(f"document.querySelector('{figure}').dispatchEvent(new PointerEvent('pointerenter'))")
    for _ in range(100):
        if browser.execute_script(f"return document.querySelector('{figure}').classList.contains('chart-live')"):
            return
        time.sleep(0.1)


def test_the_issue_page_fetches_chart_files_only_when_needed(server: str, browser) -> None:
    """Desktop: no narrow drawing, no specs, no vega; a phone fetches the narrow drawings it shows;
    touching a chart fetches its specs and vega and makes it interactive."""
    import time

    # as a reader who has not opened the page before: a cached image would be shown at once, lazy or not
    browser.get("about:blank")
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})
    open_at(browser, server + ISSUE, 1280)
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    time.sleep(0.5)
    fetched = browser.execute_script(FETCHED)
    assert not [u for u in fetched if u.endswith((".narrow.svg", ".json", "vega.js"))], fetched
    figure = "#chart-drawdown"
    touch_and_wait(browser, figure)
    fetched = browser.execute_script(FETCHED)
    assert any(u.endswith("vega.js") for u in fetched) and any(u.endswith("drawdown.json") for u in fetched)
    assert browser.execute_script(f"return document.querySelector('{figure} .chart-graphic svg') !== null")
    # a later chart, drawn from its file: the live chart takes the image's accessible name
    later = "#chart-rebound"
    touch_and_wait(browser, later)
    label = browser.execute_script(
        f"return document.querySelector('{later} .chart-graphic svg').getAttribute('aria-label')")
    assert label and label.startswith(browser.execute_script(
        f"return document.querySelector('{later} .chart-title').textContent"))
    open_at(browser, server + ISSUE, 390)
    for n in range(browser.execute_script("return document.querySelectorAll('.chart-narrow img').length")):
        browser.execute_script(f"document.querySelectorAll('.chart-narrow img')[{n}].scrollIntoView()")
        time.sleep(0.3)  # a reader scrolling past each chart
    narrow = [u for u in browser.execute_script(FETCHED) if u.endswith(".narrow.svg")]
    assert narrow, "a phone shows the narrow drawings"
    drawn = browser.execute_script(
        "return [...document.querySelectorAll('.chart-narrow img')].map(i => i.complete && i.naturalWidth > 0)")
    assert drawn and all(drawn)
