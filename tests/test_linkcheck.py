"""The link checker, and the proof that a project site under a sub-path has no broken link."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.build.pipeline import build
from broadsheet.checks.links import check_links
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import ROOT

SUB_PATH = "https://example.github.io/weekly/"
# the mailing service's unsubscribe placeholder the email links (site.yaml): no address of the site
UNSUBSCRIBE = (load_config(ROOT / "site.yaml").email_unsubscribe,)


@pytest.fixture(scope="session")
def sub_path_site(tmp_path_factory: pytest.TempPathFactory, real_cache: Path) -> Path:
    """The real project built for https://example.github.io/weekly/ (after real_site: the charts
    it draws are in the project's .cache/)."""
    out = tmp_path_factory.mktemp("subpath") / "site"
    config = load_config(ROOT / "site.yaml").with_base_url(SUB_PATH)
    build(BuildContext(root=ROOT, config=config, out_dir=out))
    return out


def read_site(folder: Path) -> dict[str, bytes | None]:
    """A built site folder as the mapping check_links takes (`check` hands it the outputs it holds)."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def page(html: str) -> bytes:
    return f"<!doctype html><html><body>{html}</body></html>".encode()


def test_sub_path_build_has_no_broken_internal_link(sub_path_site: Path) -> None:
    files = read_site(sub_path_site)
    assert {"feed.xml", "en/feed.xml", "sitemap.xml", "search/index.html"} <= set(files)
    assert check_links(files, SUB_PATH, placeholders=UNSUBSCRIBE) == []


def test_sub_path_build_puts_every_link_under_the_base_path(sub_path_site: Path) -> None:
    soup = BeautifulSoup((sub_path_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    # links to other sites (the footer names the data source) are not the site's own
    hrefs = [a["href"] for a in soup.select("a[href], link[href]") if not a["href"].startswith("https://fred.")]
    assert hrefs
    for href in hrefs:
        assert href.startswith(("/weekly/", "https://example.github.io/weekly/", "#")), href
    assert (sub_path_site / ".nojekyll").exists()


@pytest.mark.unit
def test_a_link_that_forgets_the_base_path_is_broken() -> None:
    files = {"index.html": page('<a href="/issues/x/">x</a> <a href="/weekly/issues/x/">ok</a>'),
             "issues/x/index.html": page("<h2 id='a'>A</h2>")}
    problems = check_links(files, SUB_PATH)
    assert [(p.page, p.url) for p in problems] == [("index.html", "/issues/x/")]
    assert "outside the site's base path /weekly/" in problems[0].message


@pytest.mark.unit
def test_anchors_relative_links_and_percent_encoded_cjk_are_resolved() -> None:
    files = {
        "index.html": page('<a href="issues/x/#%E7%BE%8E%E8%82%A1">ok</a>'
                           '<a href="issues/x/#nope">bad anchor</a>'
                           '<a href="#top">top</a><a href="https://other.example/">external</a>'
                           '<a href="mailto:a@b.c">mail</a><img src="static/a.png" alt="chart">'),
        "issues/x/index.html": page('<h2 id="美股">美股</h2><a href="../../missing/">gone</a>'
                                    '<img src="../../static/a.png">'),
        "static/a.png": None,
    }
    problems = {(p.page, p.line, p.message) for p in check_links(files, SUB_PATH)}
    assert problems == {
        ("index.html", 1, "broken anchor issues/x/#nope (no id 'nope' in issues/x/index.html)"),
        ("issues/x/index.html", 1, "broken link ../../missing/ (no such file in the site)"),
        ("issues/x/index.html", 1, "image without alt text: ../../static/a.png"),
    }


@pytest.mark.unit
def test_feed_and_sitemap_urls_are_checked() -> None:
    files = {
        "index.html": page("home"),
        "feed.xml": b'<?xml version="1.0"?><rss><channel><link>https://example.github.io/weekly/'
                    b"</link><item><link>https://example.github.io/weekly/issues/gone/</link>"
                    b"</item></channel></rss>",
        "sitemap.xml": b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                       b'sitemap/0.9"><url><loc>https://example.github.io/issues/</loc></url>'
                       b"</urlset>",
        "feed.json": b'{"home_page_url": "https://example.github.io/weekly/", "items": '
                     b'[{"url": "https://example.github.io/weekly/nope/"}]}',
    }
    broken = sorted((p.page, p.url) for p in check_links(files, SUB_PATH))
    assert broken == [("feed.json", "https://example.github.io/weekly/nope/"),
                      ("feed.xml", "https://example.github.io/weekly/issues/gone/"),
                      ("sitemap.xml", "https://example.github.io/issues/")]


def test_root_site_build_links_resolve(sample_site: Path) -> None:
    problems = check_links(read_site(sample_site), load_config(ROOT / "site.yaml").base_url, placeholders=UNSUBSCRIBE)
    assert problems == []


def test_the_email_unsubscribe_placeholder_is_no_link_of_the_site(sample_site: Path) -> None:
    """site.yaml's email_unsubscribe is the mailing service's placeholder ({{ unsubscribe_url }}):
    the email links it, check does not look for it in the site; any other such link is broken."""
    files = read_site(sample_site)
    base = load_config(ROOT / "site.yaml").base_url
    assert {p.url for p in check_links(files, base)} == set(UNSUBSCRIBE)
    email = next(path for path in files if path.endswith("email.html"))
    files[email] = files[email].replace(b"</body>", b'<a href="{{ other_url }}">x</a></body>')
    assert [p.url for p in check_links(files, base, placeholders=UNSUBSCRIBE)] == ["{{ other_url }}"]
