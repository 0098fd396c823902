"""Conformance as tests: the Nu HTML Checker on every built page, axe-core on every page type.

The tools come from npm into .tools/ (scripts/install-web-tools.sh, run by
scripts/install-system-deps.sh); each test skips with the reason when its tool is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.core.config import load_config
from browser import chromium
from conftest import ROOT

TOOLS = ROOT / ".tools" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
ISSUE = "issues/2025-04-13-tariff-shock/"
PAGE_TYPES = ["", ISSUE, "archive/", "tags/basis-trade/", "search/", "subscribe/", "404.html", ISSUE + "email.html",
              "en/", "en/" + ISSUE, "en/archive/", "en/tags/basis-trade/", "en/search/", "en/subscribe/",
              "en/" + ISSUE + "email.html"]

pytestmark = pytest.mark.slow


def site_pages(site: Path) -> list[Path]:
    """Every HTML page of the site (Pagefind's UI files are not pages)."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def as_sent(page: Path, site: Path, out: Path) -> Path:
    """A page as its reader gets it: an email edition as the mailing service sends it, its
    unsubscribe placeholder (site.yaml's email_unsubscribe, which is no URL) replaced by a reader's
    own link; any other page as it is."""
    placeholder = load_config(ROOT / "site.yaml").email_unsubscribe
    text = page.read_text(encoding="utf-8")
    if page.name != "email.html" or not placeholder:
        return page
    assert text.count(f'href="{placeholder}"') == 1  # the footer's link, and only there
    sent = out / "site" / page.relative_to(site)
    sent.parent.mkdir(parents=True, exist_ok=True)
    sent.write_text(text.replace(f'href="{placeholder}"', 'href="https://mail.example.com/unsubscribe/reader-1"'),
                    encoding="utf-8")
    return sent


def test_nu_html_checker_finds_no_error_on_any_page(real_site: Path, tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.skip("the Nu HTML Checker needs java and .tools/…/vnu.jar (scripts/install-web-tools.sh)")
    pages = [as_sent(page, real_site, tmp_path) for page in site_pages(real_site)]
    assert len(pages) >= 20
    done = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
                          capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').split('/site/')[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") in ("error", "non-document-error")]
    assert errors == []


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed in .tools/ (scripts/install-web-tools.sh)")
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  (r) => done(r.violations.map((v) => [v.id, v.impact, v.nodes.length, v.nodes[0].target.join(" ")])),
  (e) => done("error: " + e));
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_violation_on_any_page_type(browser, server: str, width: int, scheme: str) -> None:
    axe = AXE.read_text(encoding="utf-8")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    found = {}
    for page in PAGE_TYPES:
        browser.get(server + page)
        browser.execute_script("return document.fonts.ready")
        browser.execute_script(axe)
        violations = browser.execute_async_script(RUN_AXE)
        assert not isinstance(violations, str), violations
        if violations:
            found[page] = violations
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
