"""The sanitizer is the last pass over a body, and every text that leaves the site is escaped.

Issue 25: the zh typography pass used to edit nh3's output as a string and turned `&quot;` back
into a quote, so with an nh3 that leaves `>` raw inside attribute values an image's alt text
became a live `onerror`. Typography and figure marks now change the Markdown tree's text before
it is serialized (pages/textpass.py); these tests run them against such a leaky escaping.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from broadsheet.core.config import load_config
from broadsheet.core.errors import BuildFailed
from broadsheet.core.typography import clreq_filter, punctuate_text
from broadsheet.figures.uses import FigureUse
from broadsheet.outputs.feeds import FeedEntry, FeedInfo, render_atom, render_rss
from broadsheet.pages import markdown as markdown_stage
from broadsheet.pages.markdown import FigureProblems, render_markdown
from broadsheet.pages.receipts import FigureMarks
from conftest import ROOT, build_into

PAYLOAD = '![中>文,中" onerror="alert(document.domain)" x="](chart.png)'
HOSTILE_SUMMARY = "<img src=x onerror=alert(1)>"
ISSUE = "content/issues/2025-04-13-sample/zh-Hant.md"
FRONT = "---\ntitle: 範例\ndate: 2025-04-13\nsummary: 摘要\ntags: [美股]\nslug: sample\n---\n"  # body from line 8
HALF_WIDTH_BY_CHINESE = re.compile("[\u4e00-\u9fff][,:;?!]|[,:;?!][\u4e00-\u9fff]")
PAGE_URL, SITE_URL = "https://example.github.io/broadsheet/issues/a/", "https://example.github.io/broadsheet/"


@contextmanager
def leaky_sanitizer() -> Iterator[None]:
    """nh3 as 0.2.22 and 0.3.0 escaped: `>` left raw inside attribute values (and text)."""
    real = markdown_stage.clean_body

    def leaky(html_text: str, raw_html: bool, rules=None) -> str:
        return real(html_text, raw_html, rules).replace("&gt;", ">")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markdown_stage, "clean_body", leaky)
        yield


def published(body: str, typography: bool) -> str:
    """A body's HTML as the page template shows it (partials/body.html, with the `clreq` filter
    as an edition has it)."""
    converted = render_markdown(body, Path("x/zh-Hant.md"), 1, {}, typography=typography).html
    return str(clreq_filter(typography)(Markup(converted)))


def structure(html_text: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every element of `html_text` as a browser parses it, with its attributes and their values."""
    soup = BeautifulSoup(html_text, "html5lib")
    return [(tag.name, tuple(sorted((k, " ".join(v) if isinstance(v, list) else v) for k, v in tag.attrs.items())))
            for tag in soup.body.find_all(True)]


def handlers(html_text: str) -> list[str]:
    """Event-handler attributes anywhere in `html_text`, as a browser parses it."""
    soup = BeautifulSoup(html_text, "html5lib")
    return [f"{tag.name}[{name}]" for tag in soup.find_all(True) for name in tag.attrs if name.lower().startswith("on")]


# --- the typography pass cannot make markup --------------------------------------------------------
@pytest.mark.unit
def test_an_alt_text_stays_an_alt_text_on_the_zh_page_whatever_the_escaping() -> None:
    with leaky_sanitizer():
        shown = published("圖表如下:\n\n" + PAYLOAD, typography=True)
    assert handlers(shown) == []
    image = BeautifulSoup(shown, "html5lib").find("img")
    assert image.attrs == {"alt": '中>文,中" onerror="alert(document.domain)" x="', "src": "chart.png"}
    assert "圖表如下：" in shown  # the text around it still gets its full-width colon


chinese = st.text(alphabet="中文漲跌幅標普道瓊", min_size=1, max_size=4)
marks = st.sampled_from([",", ":", ";", "?", "!", "，", "。", "、"])
specials = st.sampled_from(['"', "'", "<", ">", "&", "&amp;", "&quot;", "&lt;", "&#44;", "&gt;", "「", "」", " "])
words = st.lists(st.one_of(chinese, marks, specials, st.sampled_from(["S&P", "40,608", "4:30", "Shield AI, Inc."])),
                 min_size=1, max_size=8).map("".join)
urls = st.sampled_from(["chart.png", "/broadsheet/x/", "https://example.com/?q=基,差", "#top-of", "a b"])
images = st.sampled_from(["chart.png", "/broadsheet/static/x.png", "a b", "中,文.png"])  # files of the site
inline = st.one_of(
    words,
    st.builds("![{}]({})".format, words, images),
    st.builds('[{}]({} "{}")'.format, words, urls, words),
    st.builds("`{}`".format, words),
    st.builds("**{}**".format, words),
    st.sampled_from([PAYLOAD, '<img src=x onerror="alert(1)">', "中<b>文</b>,中"]),
)
blocks = st.one_of(
    st.lists(inline, min_size=1, max_size=5).map(" ".join),
    st.builds("## {}".format, words),
    st.builds("> {}".format, words),
    st.builds("- {}\n- {}".format, words, words),
    st.builds("    {}".format, words),  # a code block
)
bodies = st.lists(blocks, min_size=1, max_size=5).map("\n\n".join)


@pytest.mark.unit
@settings(max_examples=150, deadline=None)
@given(body=bodies)
def test_typography_changes_no_element_and_no_attribute(body: str) -> None:
    """For any body, the page with full-width punctuation has exactly the elements and attributes
    (names and values) of the page without it, under an escaping that leaves `>` raw."""
    with leaky_sanitizer():
        before, after = published(body, typography=False), published(body, typography=True)
    assert structure(after) == structure(before)
    assert handlers(after) == []


@pytest.mark.unit
@given(text=st.lists(st.one_of(chinese, marks, st.sampled_from(["a", "1", " ", "https://x.example/?a,b"])),
                     max_size=12).map("".join))
def test_the_pass_gives_the_same_text_twice(text: str) -> None:
    """Titles are punctuated as data and may meet the `clreq` filter again: a second pass changes nothing."""
    assert punctuate_text(punctuate_text(text)) == punctuate_text(text)


@pytest.mark.unit
def test_the_clreq_filter_never_edits_markup() -> None:
    apply = clreq_filter(True)
    assert apply("標題:副標") == "標題：副標"  # text, before Jinja escapes it
    markup = Markup('<img alt="中>文,中&quot; onerror=&quot;x&quot;">')
    assert apply(markup) is markup


@pytest.mark.unit
def test_figures_in_code_and_attributes_become_their_text_on_the_tree() -> None:
    figure = '{{ level("SP500") }}'
    body = f'收在 {figure}。`{figure}` ![{figure}:中](chart.png "{figure}")'
    uses: list[FigureUse] = []

    def level(series: str) -> str:
        uses.append(FigureUse("level", (series,), (), series, (), "5,074.08"))
        return "5,074.08"

    marks = FigureMarks(uses, None, "zh-Hant")
    page = render_markdown(body, Path("x.md"), 1, {"level": level}, marks=marks, typography=True)
    soup = BeautifulSoup(page.html, "html5lib")
    assert soup.find("button", class_="fig").get_text() == "5,074.08"  # the page's figure opens its receipt
    assert BeautifulSoup(page.absolute_parts[0], "html5lib").find("data").get_text() == "5,074.08"  # feeds, email
    assert soup.find("code").get_text() == "5,074.08"
    assert soup.find("img").attrs == {"alt": "5,074.08:中", "src": "chart.png", "title": "5,074.08"}  # as typed
    assert "\ue000" not in page.html and "\ue000" not in "".join(page.text_parts)


@pytest.mark.unit
def test_what_the_sanitizer_returns_is_what_is_published() -> None:
    """No pass edits nh3's output: the page's and the feeds' HTML are the sanitizer's output as it is."""
    figure = '{{ level("SP500") }}'
    body = f'## 標題:一\n\n收在 {figure} 點,`中,{figure}` ![圖:中](chart.png) [連結](/broadsheet/ "{figure}")\n'
    uses: list[FigureUse] = []

    def level(series: str) -> str:
        uses.append(FigureUse("level", (series,), (), series, (), "5,074.08"))
        return "5,074.08"

    returned: list[str] = []
    real = markdown_stage.clean_body

    def recording(html_text: str, raw_html: bool, rules=None) -> str:
        returned.append(real(html_text, raw_html, rules))
        return returned[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markdown_stage, "clean_body", recording)
        page = render_markdown(body, Path("x.md"), 1, {"level": level}, marks=FigureMarks(uses, None, "zh-Hant"),
                               typography=True)
    shown = clreq_filter(True)  # as the zh-Hant templates show a body: the filter leaves markup alone
    assert [str(shown(Markup(part))) for part in page.parts] == [returned[0]]
    assert page.absolute_parts == [returned[1]] and str(shown(Markup(page.toc_html))) == returned[2]
    # each figure in the button that opens its receipt on the page; a plain <data> in feeds and email
    assert "收在 <button" in page.html and "點，<code>中,<button" in page.html and 'alt="圖:中"' in page.html
    assert "收在 <data" in page.absolute_parts[0] and "<button" not in page.absolute_parts[0]
    assert 'title="5,074.08"' in page.html  # a figure in an attribute: put in the tree, not in nh3's output
    assert "標題：一" in page.html and "標題：一" in page.toc_html


@pytest.mark.unit
@pytest.mark.parametrize(("body", "line"), [
    ('段落\n\n![圖]({{ chart("lead") }})\n', 10),
    ('`{{ chart("lead") }}`\n', 8),
    ('[連結]({{ chart("lead") }} "標題")\n', 8),
    ('段落\n\n<div title="{{ chart(\'lead\') }}">x</div>\n', 10),
])
def test_a_chart_placed_in_a_link_an_image_code_or_raw_html_is_an_error_at_its_line(body: str, line: int) -> None:
    """The body is cut at a chart's placeholder and the chart put between the pieces: only in text."""
    with pytest.raises(FigureProblems) as caught:
        render_markdown(body, Path("x/zh-Hant.md"), 8, {"chart": lambda name: object()}, raw_html=True)
    assert [e.format() for e in caught.value.errors] == [
        f"x/zh-Hant.md:{line}: a chart must stand in the text, not in a link, an image, code or raw HTML "
        '({{ chart("name") }} on a line of its own)']


# --- raw HTML: styles and the site's own ids ---------------------------------------------------------
@pytest.mark.unit
def test_raw_html_styles_other_than_alignment_are_refused_at_their_line() -> None:
    body = ("段落\n\n<table><tr><td style=\"text-align:expression(alert(1))\">x</td>"
            "<td style=\"text-align: right\">y</td></tr></table>\n")
    with pytest.raises(FigureProblems) as caught:
        render_markdown(body, Path("x/zh-Hant.md"), 8, {}, raw_html=True)
    assert [e.format() for e in caught.value.errors] == [
        "x/zh-Hant.md:10: a style may only align a table cell, not 'text-align:expression(alert(1))' "
        "(write e.g. style=\"text-align: right\", or use Markdown's table alignment)"]
    aligned = render_markdown("|a|b|\n|:-|-:|\n|1|2|\n", Path("x.md"), 1, {}, raw_html=True).html
    assert 'style="text-align:left"' in aligned and 'style="text-align:right"' in aligned


@pytest.mark.unit
@pytest.mark.parametrize(("body", "line"), [
    ('段落\n\n<p id="search">搜尋</p>\n', 10),
    ("段落\n\n重點\n{: #main }\n", 11),
    ('<div id="chart-lead">x</div>\n', 8),
])
def test_ids_the_site_uses_are_refused_at_their_line(body: str, line: int) -> None:
    with pytest.raises(FigureProblems) as caught:
        render_markdown(body, Path("x/zh-Hant.md"), 8, {}, raw_html=True)
    [error] = caught.value.errors
    assert error.format().startswith(f"x/zh-Hant.md:{line}: the id ")
    assert "is one the site's pages use" in error.format()


@pytest.mark.unit
def test_a_heading_never_gets_an_id_of_the_site() -> None:
    page = render_markdown("## Top\n\n## Search\n\n## Chart lead\n\n## Markets\n", Path("x.md"), 1, {})
    assert [h["id"] for h in page.headings] == ["section-top", "section-search", "section-chart-lead", "markets"]


# --- self-contained pages -------------------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize("source", ["//evil.example/x.png", "https://evil.example/x.png", "http://example.github.io/broadsheet/x.png",
                                    "/other-project/x.png", "../../../../x.png"])
def test_an_image_from_another_host_is_an_error_at_its_line(source: str) -> None:
    body = f"段落\n\n![圖]({source})\n"
    with pytest.raises(FigureProblems) as caught:
        render_markdown(body, Path("x/zh-Hant.md"), 8, {}, base_url=PAGE_URL, site_url=SITE_URL)
    assert [e.format() for e in caught.value.errors] == [
        f"x/zh-Hant.md:10: images must be files of the site, not {source!r} "
        "(put the image in static/ and link it by its path in the site)"]


@pytest.mark.unit
def test_images_of_the_site_and_links_anywhere_are_fine_and_protocol_relative_links_use_https() -> None:
    body = ("![a](chart.png) ![b](/broadsheet/static/x.png) ![c](https://example.github.io/broadsheet/static/y.png)\n\n"
            "[x](//evil.example/a) [y](http://other.example/) <//raw.example/>\n")
    page = render_markdown(body, Path("x.md"), 1, {}, base_url=PAGE_URL, site_url=SITE_URL, raw_html=True)
    soup = BeautifulSoup(page.html, "html5lib")
    assert [img["src"] for img in soup.find_all("img")] == [
        "chart.png", "/broadsheet/static/x.png", "https://example.github.io/broadsheet/static/y.png"]
    assert [a["href"] for a in soup.find_all("a")][:2] == ["https://evil.example/a", "http://other.example/"]
    feed = BeautifulSoup("".join(p for p in page.absolute_parts if isinstance(p, str)), "html5lib")
    assert feed.find("a")["href"] == "https://evil.example/a"


# --- feeds, meta tags, JSON-LD, email: escaped text ---------------------------------------------------
def feed_entry(summary: str) -> tuple[FeedInfo, list[FeedEntry]]:
    config = load_config(ROOT / "site.yaml")
    when = dt.datetime(2025, 4, 13, 8, tzinfo=dt.UTC)
    info = FeedInfo(lang=config.language("zh-Hant"), title="T", description="D", home_url=SITE_URL,
                    urls={"rss": SITE_URL + "feed.xml", "atom": SITE_URL + "atom.xml"}, author="A", updated=when)
    return info, [FeedEntry(url=PAGE_URL, title="S&P <b>", summary=summary, content_html="<p>x</p>", published=when,
                            updated=when, tags=(), image=None)]


def as_html_text(fragment: str) -> BeautifulSoup:
    """A feed field as a reader that takes it for HTML shows it."""
    return BeautifulSoup(fragment, "html5lib")


@pytest.mark.unit
def test_a_summary_is_text_in_rss_and_atom() -> None:
    info, entries = feed_entry(HOSTILE_SUMMARY + " S&P")
    rss = ET.fromstring(render_rss(info, entries))
    description = as_html_text(rss.find("channel/item/description").text)
    assert description.body.find(True) is None and description.get_text() == HOSTILE_SUMMARY + " S&P"
    atom = ET.fromstring(render_atom(info, entries))
    summary = atom.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary.get("type") == "html"
    assert as_html_text(summary.text).body.find(True) is None
    assert as_html_text(summary.text).get_text() == HOSTILE_SUMMARY + " S&P"


def test_front_matter_text_reaches_feeds_meta_tags_json_ld_and_email_as_text(make_site) -> None:
    front = FRONT.replace("summary: 摘要", f'summary: "{HOSTILE_SUMMARY}"')
    front = front.replace("title: 範例", 'title: "範例 <b>粗</b>"')
    root = make_site({ISSUE: front + "段落。\n"})
    out = build_into(root)
    issue = out / "issues/2025-04-13-sample"
    page = BeautifulSoup((issue / "index.html").read_text(encoding="utf-8"), "html5lib")
    assert page.find("img", src="x") is None and handlers(str(page)) == []
    metas = {m.get("property") or m.get("name"): m["content"] for m in page.head.find_all("meta", content=True)}
    for name in ("description", "og:description", "twitter:description"):
        assert metas[name] == HOSTILE_SUMMARY, name
    assert metas["og:title"] == "範例 <b>粗</b>" and page.find("b") is None
    ld = json.loads(page.head.select_one("script[type='application/ld+json']").string)
    assert ld["description"] == HOSTILE_SUMMARY and ld["headline"] == "範例 <b>粗</b>"
    email = BeautifulSoup((issue / "email.html").read_text(encoding="utf-8"), "html5lib")
    assert email.find("img", src="x") is None and handlers(str(email)) == [] and email.find("b") is None
    assert HOSTILE_SUMMARY in email.select_one(".preheader").get_text()
    assert HOSTILE_SUMMARY in (issue / "email.txt").read_text(encoding="utf-8")
    rss = ET.parse(out / "feed.xml").getroot()
    item = next(i for i in rss.iter("item") if i.findtext("link").endswith("/2025-04-13-sample/"))
    shown = as_html_text(item.findtext("description"))
    assert shown.body.find(True) is None and shown.get_text() == HOSTILE_SUMMARY
    atom = ET.parse(out / "atom.xml").getroot()
    summaries = [as_html_text(s.text) for s in atom.iter("{http://www.w3.org/2005/Atom}summary")]
    assert HOSTILE_SUMMARY in [s.get_text() for s in summaries] and all(s.body.find(True) is None for s in summaries)


# --- whole builds -----------------------------------------------------------------------------------
def test_the_alt_text_payload_is_inert_on_the_built_zh_page_and_email(make_site) -> None:
    root = make_site({ISSUE: FRONT + "圖表如下:\n\n" + PAYLOAD.replace("chart.png", "/broadsheet/static/og-default.png")
                      + "\n"})
    with leaky_sanitizer():
        out = build_into(root)
    issue = out / "issues/2025-04-13-sample"
    for name in ("index.html", "email.html"):
        built = (issue / name).read_text(encoding="utf-8")
        assert handlers(built) == [], name
        alts = [img.get("alt") for img in BeautifulSoup(built, "html5lib").find_all("img")]
        assert '中>文,中" onerror="alert(document.domain)" x="' in alts, name
    assert "圖表如下：" in (issue / "index.html").read_text(encoding="utf-8")


def test_a_body_that_breaks_the_rules_fails_the_build_with_path_and_line(make_site) -> None:
    site_yaml = (ROOT / "site.yaml").read_text(encoding="utf-8") + "raw_html: true\n"
    body = ("段落\n\n![外部](https://evil.example/x.png)\n\n"
            "<table><tr><td style=\"text-align:expression(alert(1))\">x</td></tr></table>\n\n"
            "<form id=\"search\"></form><p id=\"search\">x</p>\n")
    root = make_site({ISSUE: FRONT + body, "site.yaml": site_yaml})
    with pytest.raises(BuildFailed) as caught:
        build_into(root)
    assert [p.format(root) for p in caught.value.problems] == [
        f"{ISSUE}:10: images must be files of the site, not 'https://evil.example/x.png' "
        "(put the image in static/ and link it by its path in the site)",
        f"{ISSUE}:12: a style may only align a table cell, not 'text-align:expression(alert(1))' "
        "(write e.g. style=\"text-align: right\", or use Markdown's table alignment)",
        f"{ISSUE}:14: the id 'search' is one the site's pages use (choose another id)"]
    assert not (root / "site").exists()


def test_chart_titles_and_descriptions_are_punctuated_as_data(real_site: Path) -> None:
    """The zh chart's <title>/<desc> (inline and in its files) carry the page's full-width marks,
    put in the texts before they were drawn; the drawn text is the SVG's own."""
    issue = real_site / "issues/2025-04-13-tariff-shock"
    page = BeautifulSoup((issue / "index.html").read_text(encoding="utf-8"), "html5lib")
    inline = page.select_one("figure.chart svg desc").get_text()
    files = [BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").find("desc").get_text()
             for p in sorted((issue / "charts").glob("*.svg"))]
    assert files
    for desc in [inline, *files]:
        assert "，" in desc and HALF_WIDTH_BY_CHINESE.search(desc) is None, desc
