"""Search and the site in a real browser (Debian chromium): Pagefind recall and a reader's path.

The recall test is the guard for the pinned Pagefind version: Pagefind 1.5 reported zh-TW
queries that find one page of seven (Pagefind/pagefind#1237), so every page whose indexed text
contains a term must come back when the term is searched.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from bs4 import BeautifulSoup

from browser import serve_site
from conftest import ROOT, SAMPLE, build_into, write_files

pytestmark = pytest.mark.slow  # a real browser

# Extra issues so that each term sits on several pages in different contexts (the regression
# showed only with a term on many pages).
ZH_SENTENCES = [
    "避險基金的基差交易在公債殖利率飆升時被迫平倉。",
    "市場擔心基差交易的槓桿過高,流動性隨之惡化。",
    "特里芬難題說明了美元作為儲備貨幣的矛盾。",
    "經濟學家再次提起特里芬兩難,討論美元的未來。",
    "所謂基差交易,就是買進現貨公債並放空期貨;從特里芬的角度看,美元必須輸出。",
    "聯準會官員表示基差交易規模已相當龐大。",
]
EN_SENTENCES = [
    "Hedge funds unwound the basis trade as Treasury yields jumped.",
    "Worries about leverage in the basis trade spread to other markets.",
    "The Triffin dilemma explains the tension of a reserve currency.",
    "Economists again cite Triffin when they discuss the dollar.",
    "A basis trade buys cash Treasuries and sells futures; Triffin would call the dollar's role a trap.",
    "Officials said the basis trade had grown very large.",
]
# The terms readers search for, and everyday market words that appear on many pages.
ZH_TERMS = ["基差交易", "特里芬", "殖利率", "聯準會", "流動性", "美元"]
EN_TERMS = ["basis trade", "Triffin", "yields", "liquidity"]


def extra_issues() -> dict[str, str]:
    """Six small issues in both languages, each using one of the sentences above; half of them in
    2024, so that a term's pages are in two of the index's yearly bundles (search.py)."""
    files = {}
    for n, (zh, en) in enumerate(zip(ZH_SENTENCES, EN_SENTENCES, strict=True)):
        day = f"{2024 + n % 2}-03-{n + 1:02d}"
        folder = f"content/issues/{day}-recall-{n}/"
        files[folder + "zh-Hant.md"] = (f"---\ntitle: 測試週報 {n}\ndate: {day}\n"
                                        f"summary: 搜尋測試用的一期。\n---\n## 重點\n\n{zh}\n")
        files[folder + "en.md"] = (f"---\ntitle: Test issue {n}\ndate: {day}\n"
                                   f"summary: An issue for the search test.\n---\n## Key points\n\n{en}\n")
    return files



@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project plus the sample issues and six recall issues, built once."""
    root = tmp_path_factory.mktemp("search") / "project"
    for name in ("templates", "static", "translations", "data", "content"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(SAMPLE / "content", root / "content", dirs_exist_ok=True)
    write_files(root, extra_issues())
    return build_into(root, search=True)


@pytest.fixture(scope="module")
def server(search_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 under its base path (/broadsheet/); yield the site URL."""
    with serve_site(search_site, tmp_path_factory.mktemp("served")) as url:
        yield url


def indexed_text(page: Path) -> str | None:
    """The text Pagefind indexes on a page: its data-pagefind-body minus ignored parts."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    body = soup.select_one("[data-pagefind-body]")
    if body is None:
        return None
    for ignored in body.select("[data-pagefind-ignore]"):
        ignored.decompose()
    return " ".join(body.get_text(" ").split())


def pages_containing(site: Path, prefix: str, term: str) -> set[str]:
    """Site paths ("/broadsheet/issues/…/") of the edition's pages whose indexed text has `term`."""
    found = set()
    for page in site.rglob("index.html"):
        rel = page.parent.relative_to(site).as_posix() + "/"
        in_edition = rel.startswith("en/") if prefix == "en/" else not rel.startswith("en/")
        text = indexed_text(page)
        if in_edition and text is not None and term.lower() in text.lower():
            found.add("/broadsheet/" + rel)
    return found


PAGEFIND_SEARCH = """
const [term, done] = [arguments[0], arguments[arguments.length - 1]];
const form = document.querySelector("#search");
const shards = form.dataset.shards.split(" ");  // one bundle per year, newest first: merged
import(form.dataset.bundle + shards[0] + "/pagefind.js")
  .then(async (pf) => {
    await pf.options({});
    for (const shard of shards.slice(1)) await pf.mergeIndex(form.dataset.bundle + shard + "/");
    const search = await pf.search(term);
    const data = await Promise.all(search.results.map((r) => r.data()));
    done(data.map((d) => d.url));
  })
  .catch((e) => done("error: " + e));
"""


def search(driver, server: str, prefix: str, term: str) -> set[str]:
    """Run Pagefind's own JS API on an edition's search page; return the result paths."""
    if driver.current_url != server + prefix + "search/":
        driver.get(server + prefix + "search/")
    result = driver.execute_async_script(PAGEFIND_SEARCH, term)
    assert not isinstance(result, str), result
    return {unquote(urlparse(u).path) for u in result}


@pytest.mark.parametrize(("prefix", "term"), [("", t) for t in ZH_TERMS] + [("en/", t) for t in EN_TERMS])
def test_search_finds_every_page_that_contains_the_term(browser, server: str, search_site: Path,
                                                        prefix: str, term: str) -> None:
    expected = pages_containing(search_site, prefix, term)
    assert expected, "the corpus must contain the term"
    if term in ZH_TERMS[:2] + EN_TERMS[:2]:
        assert len(expected) >= 4, "the corpus must put the term on several pages"
    found = search(browser, server, prefix, term)
    assert expected <= found, f"{term!r}: missing {sorted(expected - found)}"


def severe_console_entries(driver) -> list[str]:
    """Errors the page logged in the browser console since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_reader_path_home_language_issue_search(browser, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    driver.get_log("browser")  # drop what earlier tests logged
    wait = WebDriverWait(driver, 10)
    driver.get(server)
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant-TW"
    # the first Tab reaches the skip link, as a keyboard-only reader expects
    driver.find_element(By.TAG_NAME, "body").send_keys("\ue004")  # Keys.TAB
    assert driver.switch_to.active_element.get_attribute("class") == "skip-link"
    driver.find_element(By.CSS_SELECTOR, ".lang-switch a[hreflang='en']").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert driver.current_url == server + "en/"
    driver.find_element(By.CSS_SELECTOR, ".lead h2 a").click()
    wait.until(ec.url_contains("/en/issues/2025-04-13-tariff-shock/"))
    assert "Tariff" in driver.find_element(By.TAG_NAME, "h1").text
    driver.find_element(By.CSS_SELECTOR, ".lang-switch a[hreflang='zh-Hant-TW']").click()
    wait.until(ec.url_matches(r"/broadsheet/issues/2025-04-13-tariff-shock/$"))
    driver.find_element(By.CSS_SELECTOR, ".site-nav a[href$='/search/']").click()
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#search input")))
    box.send_keys("基差交易")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#search .search-result")))
    link = "#search .search-result-title > a[href$='/issues/2025-04-13-tariff-shock/']"

    def found_or_load_more(d) -> bool:
        if d.find_elements(By.CSS_SELECTOR, link):
            return True
        for more in d.find_elements(By.CSS_SELECTOR, "#search .search-more"):
            if more.is_displayed():
                more.click()  # the page lists ten results at a time
        return False

    wait.until(found_or_load_more)
    assert "關稅" in driver.find_element(By.CSS_SELECTOR, link).text
    assert severe_console_entries(driver) == []


def test_search_page_reads_q_from_the_address(browser, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "en/search/?q=" + "Smoot-Hawley")
    WebDriverWait(browser, 10).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, "#search a[href$='/en/issues/2025-04-13-tariff-shock/']")))
    assert severe_console_entries(browser) == []


def test_no_server_needed_for_the_index(search_site: Path) -> None:
    """The search bundles (script, style, index; one per year) are inside the site: nothing is
    fetched from a CDN."""
    assert sorted(p.name for p in (search_site / "pagefind").iterdir()) == ["2024", "2025"]
    bundle = search_site / "pagefind" / "2025"
    assert (bundle / "pagefind.js").exists() and (bundle / "pagefind-ui.js").exists()
    assert any(bundle.glob("pagefind.zh-hant-tw_*.pf_meta")) and any(bundle.glob("pagefind.en_*.pf_meta"))
    page = BeautifulSoup((search_site / "search" / "index.html").read_text(encoding="utf-8"), "html.parser")
    for tag in page.select("script[src], link[href]"):
        url = tag.get("src") or tag["href"]
        if tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"]):
            continue
        assert url.startswith("/broadsheet/"), url
    assert os.path.getsize(bundle / "pagefind-ui.js") > 1000


def shown_results(driver, server: str, page: str):
    """Open a search page with ?q=…; wait for its status line; return the result list items."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(server + page)
    WebDriverWait(driver, 10).until(
        lambda d: re.search(r"\d|No |沒有|找不到", d.find_element(By.CSS_SELECTOR, ".search-status").text))
    for more in driver.find_elements(By.CSS_SELECTOR, "#search .search-more"):
        while more.is_displayed():
            more.click()
    return driver.find_elements(By.CSS_SELECTOR, "#search .search-result")


def test_chinese_query_is_ranked_and_highlighted_as_a_whole_term(browser, server: str) -> None:
    """基差交易: pages that hold the term itself come first, and only the whole term is marked."""
    from selenium.webdriver.common.by import By

    results = shown_results(browser, server, "search/?q=" + "基差交易")
    assert len(results) >= 4
    holds = ["基差交易" in r.find_element(By.CSS_SELECTOR, ".search-result-excerpt").text for r in results]
    assert holds == sorted(holds, reverse=True) and holds[0]  # whole-term pages first
    marks = {m.text for m in browser.find_elements(By.CSS_SELECTOR, "#search mark")}
    assert marks == {"基差交易"}
    assert severe_console_entries(browser) == []


def sentence_starts(page: Path) -> list[str]:
    """The text from each sentence start of a page's indexed blocks (paragraphs, items, headings…)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    starts = []
    for block in soup.select("[data-pagefind-body] :is(p, li, h1, h2, h3, h4, td, th, figcaption)"):
        text = " ".join(block.get_text(" ").split())
        starts.append(text)
        starts.extend(m.group(1) for m in re.finditer(r"(?:[。！？!?；;]|\.\s)\s*(\S.*)", text))
    return starts


@pytest.mark.parametrize(("prefix", "term"), [("", "基差交易"), ("en/", "basis trade")])
def test_snippets_start_at_a_sentence(browser, server: str, search_site: Path, prefix: str, term: str) -> None:
    from selenium.webdriver.common.by import By

    results = shown_results(browser, server, prefix + "search/?q=" + term)
    assert results
    for result in results:
        href = result.find_element(By.CSS_SELECTOR, ".search-result-title a").get_attribute("href")
        starts = sentence_starts(search_site / urlparse(href).path.removeprefix("/broadsheet/") / "index.html")
        snippet = " ".join(result.find_element(By.CSS_SELECTOR, ".search-result-excerpt").text.split())
        assert not snippet.startswith("…"), snippet
        assert any(start.startswith(snippet[:12]) for start in starts), snippet


@pytest.mark.parametrize(("page", "query", "other"), [
    ("en/search/", "基差交易", "/broadsheet/search/"),
    ("search/", "basis trade", "/broadsheet/en/search/"),
])
def test_a_query_in_the_other_script_offers_the_other_edition(browser, server: str, page: str, query: str,
                                                               other: str) -> None:
    from selenium.webdriver.common.by import By

    shown_results(browser, server, page + "?q=" + query)
    offer = browser.find_element(By.CSS_SELECTOR, ".search-other")
    assert offer.is_displayed()
    link = offer.find_element(By.TAG_NAME, "a")
    assert urlparse(link.get_attribute("href")).path == other
    assert parse_qs(urlparse(link.get_attribute("href")).query)["q"] == [query]
    link.click()  # the other edition's search page runs the same query
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: urlparse(d.current_url).path == other)
    assert browser.find_element(By.ID, "search-input").get_attribute("value") == query


@pytest.mark.parametrize("missing", ["2024", "2025"])
def test_search_works_while_a_years_bundle_is_missing(browser, search_site: Path, tmp_path_factory,
                                                      missing: str) -> None:
    """A year still being indexed in the background (an issue just written in a new year) has no
    bundle yet: the search page searches the other years instead of failing."""
    from selenium.webdriver.common.by import By

    from browser import serve_site

    top = tmp_path_factory.mktemp("missing-year")
    site = top / "site"
    shutil.copytree(search_site, site)
    shutil.rmtree(site / "pagefind" / missing)
    kept = "2025" if missing == "2024" else "2024"
    (top / "served").mkdir()
    with serve_site(site, top / "served") as url:
        results = shown_results(browser, url, "search/?q=" + "基差交易")
        hrefs = [r.find_element(By.CSS_SELECTOR, ".search-result-title a").get_attribute("href") for r in results]
    assert len(hrefs) >= 2 and all(f"/issues/{kept}-" in href for href in hrefs)
    browser.get_log("browser")  # the missing bundle's 404 is logged by the browser itself


@pytest.mark.parametrize(("page", "query"), [
    ("search/", "台積電"),  # Pagefind alone returned the first issue: 積 and 電 are on it, apart
    ("search/", "台積電 關稅"),  # one word absent: no page holds the whole query
    ("search/", "蘋果公司"),
    ("en/search/", "xyzzy basis"),
    ("en/search/", "Nvidia"),
])
def test_a_query_whose_word_is_absent_returns_nothing(browser, server: str, search_site: Path, page: str,
                                                      query: str) -> None:
    from selenium.webdriver.common.by import By

    prefix = "en/" if page.startswith("en/") else ""
    absent = [word for word in query.split() if not pages_containing(search_site, prefix, word)]
    assert absent, "the query must hold a word that no page of the edition has"
    assert shown_results(browser, server, page + "?q=" + query) == []
    status = browser.find_element(By.CSS_SELECTOR, ".search-status").text
    assert re.search(r"No |沒有|找不到", status), status
    assert severe_console_entries(browser) == []


@pytest.mark.parametrize(("query", "typed"), [("tarif", "tariff"), ("yields", "yield")])
def test_a_latin_word_being_typed_or_inflected_still_finds_its_pages(browser, server: str, search_site: Path,
                                                                     query: str, typed: str) -> None:
    expected = pages_containing(search_site, "en/", typed)
    hrefs = {urlparse(r.find_element("css selector", ".search-result-title a").get_attribute("href")).path
             for r in shown_results(browser, server, "en/search/?q=" + query)}
    assert expected and expected <= hrefs


@pytest.mark.parametrize("query", ["關稅", "美債", "基差交易"])
def test_no_block_separator_inside_chinese_snippets(browser, server: str, query: str) -> None:
    """Pagefind joins blocks with ". " ("觸發強制平倉. 美債"): never shown between Chinese text."""
    from selenium.webdriver.common.by import By

    results = shown_results(browser, server, "search/?q=" + query)
    assert results
    texts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#search .search-result p")]
    assert texts and [t for t in texts if re.search(r"[\u3400-\u9fff]\.\s+[\u3400-\u9fff]", t)] == []
