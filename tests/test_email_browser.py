"""The email edition in a real browser (Debian chromium): it renders like the page, charts and all.

The site is built for the address of a local HTTP server, so every absolute URL in the email
(chart PNGs, links) points at files that the server really serves.
"""

from __future__ import annotations

import functools
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from broadsheet.config import load_config
from broadsheet.context import BuildContext
from broadsheet.pipeline import build
from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ISSUE = "2025-04-13-tariff-shock"


def chromium_missing() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return "Debian chromium/chromedriver not installed (scripts/install-system-deps.sh installs them)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (a test extra in pyproject.toml)"
    return None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real project built for, and served by, a local HTTP server: (base URL, site folder)."""
    out = tmp_path_factory.mktemp("email-browser") / "site"
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    config = load_config(ROOT / "site.yaml").with_base_url(base)
    build(BuildContext(root=ROOT, config=config, out_dir=out))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, out
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="broadsheet-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1000,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


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
    charts = list((out / prefix / "issues" / ISSUE / "charts").glob("*.png")) if (
        out / prefix / "issues" / ISSUE / "charts").is_dir() else []
    assert len(images) >= len(charts)
