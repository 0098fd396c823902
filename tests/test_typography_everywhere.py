"""Full-width punctuation in every zh-Hant output (issue 24): the page, home, archive, tags, search
and 404 pages with their meta and JSON-LD, the feeds, the chart drawings and interactive specs,
the email's HTML and text; and the PNG twins' titles and notes, drawn from the same chart texts.

Each file of the built real site that the zh-Hant edition writes is parsed (HTML text nodes and
attribute values, XML text, JSON strings; HTML inside a feed parsed again) and no half-width
`,` `:` `;` `?` `!` `(` `)` may touch a Han character outside code and URLs.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Comment

from conftest import ROOT

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HALF_WIDTH_BY_HAN = re.compile(f"[{HAN}][,:;?!()]|[,:;?!()][{HAN}]")
URL_RE = re.compile(r"(?:https?://|mailto:|www\.)\S*")
CODE = {"code", "pre", "kbd", "samp", "style"}
ADDRESSES = {"href", "src", "srcset", "action", "data-spec", "id", "class", "for", "datetime"}


def slips(text: str) -> list[str]:
    """Each half-width mark beside a Han character in `text` (URLs left out), with its context."""
    text = URL_RE.sub(" ", text)
    return [text[max(m.start() - 6, 0):m.end() + 6] for m in HALF_WIDTH_BY_HAN.finditer(text)]


def strings(doc: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a JSON document with the key it is under."""
    if isinstance(doc, str):
        yield key, doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield from strings(v, k)
    elif isinstance(doc, list):
        for v in doc:
            yield from strings(v, key)


def html_slips(markup: str) -> list[str]:
    """Slips in an HTML document's text nodes, its attribute values and its JSON-LD."""
    soup = BeautifulSoup(markup, "html.parser")
    found = []
    for node in soup.find_all(string=True):
        names = {p.name for p in node.parents}
        if isinstance(node, Comment) or names & CODE:
            continue
        if "script" in names:
            if node.parent.get("type") == "application/ld+json":
                found += [f"JSON-LD {s}" for _, text in strings(json.loads(str(node))) for s in slips(text)]
            continue
        found += slips(str(node))
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name not in ADDRESSES:
                text = " ".join(value) if isinstance(value, list) else value
                found += [f"{tag.name}[{name}] {s}" for s in slips(text)]
    return found


def xml_slips(data: bytes) -> list[str]:
    """Slips in an XML document (a feed, an SVG): text, attribute values, HTML content parsed."""
    found = []
    for element in ET.fromstring(data).iter():
        tag = element.tag.split("}")[-1]
        for name, value in element.attrib.items():
            if name.split("}")[-1] not in ADDRESSES:
                found += [f"{tag}[{name}] {s}" for s in slips(value)]
        for text in (element.text, element.tail):
            if text and tag in ("encoded", "content", "description", "summary") and "<" in text:
                found += [f"{tag}: {s}" for s in html_slips(text)]
            elif text:
                found += [f"{tag}: {s}" for s in slips(text)]
    return found


def file_slips(path: Path) -> list[str]:
    """Slips in one output file, read as its kind."""
    data = path.read_bytes()
    if path.suffix == ".html":
        return html_slips(data.decode("utf-8"))
    if path.suffix in (".xml", ".svg", ".xsl"):
        return xml_slips(data)
    if path.suffix == ".txt":
        return slips(data.decode("utf-8"))
    if path.name == "data.json":  # the receipts as data: the catalog's names as written, the prose punctuated
        return [f"{key}: {s}" for key, text in strings(json.loads(data)) if key in ("receipt", "source_line")
                for s in slips(text)]
    if path.suffix == ".json":
        return [f"{key}: {s}" for key, text in strings(json.loads(data))
                for s in (html_slips(text) if key == "content_html" else slips(text))]
    return []


def zh_outputs(site: Path) -> list[Path]:
    """The files the zh-Hant edition (at the site's root) writes that hold text for readers."""
    return [p for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in (".html", ".xml", ".svg", ".txt", ".json")
            and not p.relative_to(site).as_posix().startswith(("en/", "pagefind/", "static/"))
            and p.name != "sitemap.xml"]


@pytest.mark.unit
@pytest.mark.parametrize(("text", "count"), [
    ("關稅風暴週:股債匯油齊震,美國", 2), ("美元指數(DXY)下跌", 2), ("<p>中文(a)</p>", 1), ("40,608 與 10:30", 0),
    ("公司 (Shield AI, Inc.)。", 0), ("見 https://example.com/?q=基,差 。", 0), ("English (only): yes", 0),
])
def test_the_scan_finds_what_it_should(text: str, count: int) -> None:
    assert len(slips(text)) == count


def test_no_half_width_mark_beside_a_han_character_in_any_zh_output(real_site: Path) -> None:
    files = zh_outputs(real_site)
    kinds = {p.suffix for p in files}
    assert {".html", ".xml", ".svg", ".txt", ".json"} <= kinds and len(files) >= 35
    for must in ("index.html", "feed.xml", "atom.xml", "feed.json", "tags/index.html", "404.html",
                 "issues/2025-04-13-tariff-shock/email.txt", "issues/2025-04-13-tariff-shock/email.html"):
        assert real_site / must in files
    found = {p.relative_to(real_site).as_posix(): file_slips(p) for p in files}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_english_edition_keeps_its_half_width_marks(real_site: Path) -> None:
    page = (real_site / "en" / "index.html").read_text(encoding="utf-8")
    assert "，" not in page and "（" not in page and "(stocks, bonds" in page


def test_the_png_twins_titles_and_notes_are_punctuated() -> None:
    """A PNG is the wide SVG (scanned above) framed with its title and note, which come from here."""
    from broadsheet.charts.step import issue_specs
    from broadsheet.content.issues import read_issues
    from broadsheet.content.typeset import typeset_issues
    from broadsheet.core.config import load_config
    from broadsheet.core.errors import Problems
    from broadsheet.data.store import load_data

    config, problems = load_config(ROOT / "site.yaml"), Problems()
    issues = read_issues(ROOT / "content", config, problems)
    typeset_issues(issues, config)
    store = load_data(ROOT / "data")
    specs, _ = issue_specs(issues[-1], store, config, ROOT / "translations", {}, problems)
    zh = [spec.render_job() for spec in specs if spec.lang == "zh-Hant"]
    assert len(zh) >= 6 and any("：" in job.note for job in zh)
    assert {job.title: slips(job.title) + slips(job.note) for job in zh if slips(job.title) + slips(job.note)} == {}
