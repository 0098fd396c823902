"""Raw HTML in Markdown: shown as text by default, allow-listed when site.yaml opts in.

The page, the three feeds and the email are all made from the same body HTML; each is parsed
here the way a browser or a feed reader would, and nothing active may survive in any of them.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from broadsheet.core.errors import BuildFailed
from broadsheet.pages.markdown import FigureProblems, render_markdown
from conftest import build_into

ISSUE = "content/issues/2025-04-13-sample/zh-Hant.md"
FRONT = "---\ntitle: 範例\ndate: 2025-04-13\nsummary: 摘要\ntags: [美股]\nslug: sample\n---\n"
HOSTILE_BODY = """\
## 標題 <img src=x onerror=alert('PWN')>

收在 {{ level('SP500', '2025-04-04') }} 點。<script>alert('PWN')</script>
<b onclick="alert('PWN')">粗體</b> [連結](javascript:alert('PWN')) ![圖](data:text/html,PWN)
[參考][r] <a href="javascript:alert('PWN')">a</a> <svg onload=alert('PWN')></svg>

[r]: javascript:alert('PWN')

<iframe src="https://example.com/PWN"></iframe>

<form action="https://example.com/PWN"><input name="PWN"></form>

<style>body { display: none } /* PWN */</style>

<div markdown="1" onmouseover="alert('PWN')">*在 div 裡*</div>

<object data="PWN.swf"></object><embed src="PWN.swf"><meta http-equiv="refresh" content="0;url=PWN">
<base href="https://example.com/PWN/"><link rel="stylesheet" href="https://example.com/PWN.css">
<math><mi xlink:href="javascript:alert('PWN')">x</mi></math>

段落
{: .note #keep }

<!-- reviewed: 2025-04-12 PWN-NOTE <script>alert('PWN')</script> -->
<!-- PWN-COMMENT, an editor's aside -->
"""
ACTIVE = {"script", "iframe", "form", "input", "style", "object", "embed", "svg", "math", "meta",
          "base", "link"}


def active_markup(html: str, where: str) -> list[str]:
    """Elements, handlers and URLs in `html` that the hostile Markdown would have created."""
    soup = BeautifulSoup(html, "html5lib")
    found = []
    for tag in soup.find_all(True):
        marked = "PWN" in tag.get_text() or any("PWN" in str(v) for v in tag.attrs.values())
        if tag.name in ACTIVE and marked:
            found.append(f"<{tag.name}> in {where}")
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"{tag.name}[{name}] in {where}")
            if text.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                found.append(f"{tag.name}[{name}={text[:30]}] in {where}")
    return found


def feed_bodies(out: Path) -> dict[str, str]:
    """The HTML content of every entry of the RSS, Atom and JSON feeds."""
    bodies = {}
    rss = ET.parse(out / "feed.xml")  # a feed that is not well-formed XML fails here
    for n, item in enumerate(rss.iter("item")):
        encoded = item.find("{http://purl.org/rss/1.0/modules/content/}encoded")
        bodies[f"feed.xml item {n}"] = encoded.text or ""
    atom = ET.parse(out / "atom.xml")
    for n, content in enumerate(atom.iter("{http://www.w3.org/2005/Atom}content")):
        bodies[f"atom.xml entry {n}"] = content.text or ""
    for n, item in enumerate(json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]):
        bodies[f"feed.json item {n}"] = item["content_html"]
    return bodies


def built_bodies(out: Path) -> dict[str, str]:
    """The issue page, its email edition and every feed entry, as HTML text."""
    issue = out / "issues/2025-04-13-sample"
    found = {"index.html": (issue / "index.html").read_text(encoding="utf-8"),
             "email.html": (issue / "email.html").read_text(encoding="utf-8")}
    found.update(feed_bodies(out))
    assert len(found) >= 5
    return found


@pytest.mark.parametrize("raw_html", [False, True], ids=["default", "raw_html"])
def test_hostile_markdown_leaves_nothing_active_in_page_feeds_and_email(make_site, raw_html) -> None:
    site_yaml = (Path(__file__).resolve().parent.parent / "site.yaml").read_text(encoding="utf-8")
    root = make_site({ISSUE: FRONT + HOSTILE_BODY,
                      "site.yaml": site_yaml + ("raw_html: true\n" if raw_html else "")})
    out = build_into(root)
    bodies = built_bodies(out)
    assert [hit for where, html in bodies.items() for hit in active_markup(html, where)] == []
    page = BeautifulSoup(bodies["index.html"], "html5lib").find("div", class_="issue-body")
    assert "PWN-COMMENT" not in str(page)  # editors' comments never reach the reader
    note = page.find("div", class_="editor-note")  # a reviewed mark's reason is shown, as text
    assert note is not None and "PWN-NOTE" in note.get_text() and note.find("script") is None
    assert page.find("p", class_="note", id="keep") is not None  # id and class still work
    text = page.get_text()
    if raw_html:
        assert page.find("b") is not None and page.find("b").attrs == {}  # kept, without the handler
        assert page.find("em") is not None  # Markdown inside <div markdown="1">
        assert "<script>" not in text
    else:  # shown as the text the editor wrote
        assert "<script>alert('PWN')</script>" in text and '<b onclick="alert(\'PWN\')">' in text
        assert page.find("b") is None


@pytest.mark.unit
def test_attribute_lists_may_set_only_id_and_class() -> None:
    body = "段落一\n\n段落二\n{: onclick=\"alert(1)\" .ok }\n\n## 標題 {: style=\"color:red\" #h }\n"
    with pytest.raises(FigureProblems) as caught:
        render_markdown(body, Path("x/zh-Hant.md"), 8, {})
    assert [e.format() for e in caught.value.errors] == [
        "x/zh-Hant.md:11: an attribute list may set only id and class, not 'onclick' (e.g. {: #anchor .class })",
        "x/zh-Hant.md:13: an attribute list may set only id and class, not 'style' (e.g. {: #anchor .class })",
    ]
    ok = render_markdown("段落\n{: #a .b }\n", Path("x.md"), 1, {})
    assert ok.html == '<p class="b" id="a">段落</p>'


def test_a_hostile_attribute_list_fails_the_build_with_path_and_line(make_site) -> None:
    root = make_site({ISSUE: FRONT + "段落\n{: onclick=\"alert(1)\" }\n"})
    with pytest.raises(BuildFailed) as caught:
        build_into(root)
    assert [p.format(root) for p in caught.value.problems] == [
        f"{ISSUE}:9: an attribute list may set only id and class, not 'onclick' (e.g. {{: #anchor .class }})"]
    assert not (root / "site").exists()


@pytest.mark.unit
@pytest.mark.parametrize("raw_html", [False, True])
def test_links_keep_only_safe_schemes(raw_html) -> None:
    body = ("[a](https://example.com/) [b](/broadsheet/x/) [c](#anchor) [d](mailto:x@example.com) "
            "[e](javascript:alert(1)) [f](JaVaScRiPt:alert(1)) [g](data:text/html,x) [h](vbscript:x)")
    soup = BeautifulSoup(render_markdown(body, Path("x.md"), 1, {}, raw_html=raw_html).html, "html5lib")
    assert [a.get("href") for a in soup.find_all("a")] == [
        "https://example.com/", "/broadsheet/x/", "#anchor", "mailto:x@example.com", None, None, None, None]


def test_raw_html_must_be_true_or_false(make_site) -> None:
    site_yaml = (Path(__file__).resolve().parent.parent / "site.yaml").read_text(encoding="utf-8")
    root = make_site({"site.yaml": site_yaml + "raw_html: yes please\n"})
    with pytest.raises(BuildFailed) as caught:
        build_into(root)
    line = site_yaml.count("\n") + 1  # the added last line
    assert [p.format(root) for p in caught.value.problems] == [
        f"site.yaml:{line}: raw_html must be true or false, got 'yes please'"]
