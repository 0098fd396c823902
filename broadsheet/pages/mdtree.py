"""Other forms of a converted Markdown body, made from Python-Markdown's element tree.

Feeds and email need the body with every URL absolute, and the email needs it as plain text.
Both are made here from the tree Python-Markdown built, in the same conversion, so no module
parses HTML the build produced.
"""

from __future__ import annotations

import copy
import html
import re
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, HTML_PLACEHOLDER_RE

URL_ATTRS = ("href", "src", "poster", "cite", "action")
HEADING_MARKS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}
BLOCKS = {"p", "div", "table", "ul", "ol", "blockquote", "pre", "hr", "dl", "figure", "details", "section",
          *HEADING_MARKS}


class KeepTree(Treeprocessor):
    """Runs last: keeps a copy of the finished tree for `absolute_html` and `plain_text`."""

    def run(self, root: ET.Element) -> None:
        self.md.kept_tree = copy.deepcopy(root)  # type: ignore[attr-defined]


class KeepTreeExtension(markdown.Extension):
    """Registers KeepTree after every other tree processor."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(KeepTree(md), "broadsheet_keep_tree", -100)


def absolute_html(md: markdown.Markdown, base: str) -> str:
    """The converted body again, with every relative URL resolved against `base`."""
    kept = getattr(md, "kept_tree", None)
    if kept is None:  # an empty body: Python-Markdown made no tree
        return ""
    root = copy.deepcopy(kept)
    _without_buttons(root)
    for element in root.iter():
        for attr in URL_ATTRS:
            value = element.get(attr)
            if value is not None and not value.startswith("\x02"):
                element.set(attr, urljoin(base, value.strip()))
    output = md.serializer(root)
    try:  # Python-Markdown serializes a wrapping <div>; it strips it the same way in convert()
        start = output.index(f"<{md.doc_tag}>") + len(md.doc_tag) + 2
        end = output.rindex(f"</{md.doc_tag}>")
        output = output[start:end].strip()
    except ValueError:
        output = output.strip()
    for processor in md.postprocessors:
        output = processor.run(output)
    return output.strip()


def _without_buttons(root: ET.Element) -> None:
    """Each figure's button (receipts.py) back to a plain `<data class="fig" value>`: the button
    opens its receipt on the page only (feeds and email list the numbers instead, and run no
    script)."""
    for element in root.iter("button"):
        kept = {key: value for key, value in element.attrib.items() if key in ("class", "value")}
        element.tag, element.attrib = "data", kept


def plain_text(md: markdown.Markdown, base: str) -> str:
    """The converted body as readable plain text: headings, paragraphs, lists, links as `text <url>`."""
    kept = getattr(md, "kept_tree", None)
    if kept is None:
        return ""
    writer = _TextWriter(md, base)
    writer.block(kept)
    text = "".join(writer.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _TextWriter:
    def __init__(self, md: markdown.Markdown, base: str):
        self.md, self.base = md, base
        self.out: list[str] = []
        self.depth = 0  # list nesting

    def raw(self, text: str | None) -> str:
        """Element text as a reader sees it: stashed HTML resolved, entities decoded."""
        if not text:
            return ""

        def stashed(m: re.Match[str]) -> str:
            index = int(m.group(1))
            blocks = self.md.htmlStash.rawHtmlBlocks
            return re.sub(r"<[^>]*>", "", str(blocks[index])) if index < len(blocks) else ""

        text = HTML_PLACEHOLDER_RE.sub(stashed, text).replace(AMP_SUBSTITUTE, "&")
        return html.unescape(re.sub(r"\s+", " ", text))

    def inline(self, element: ET.Element) -> str:
        parts = [self.raw(element.text)]
        for child in element:
            if child.tag == "br":
                parts.append("\n")
            elif child.tag == "img":
                parts.append(f"[{child.get('alt') or 'image'}] <{urljoin(self.base, child.get('src', ''))}>")
            else:
                inner = self.inline(child)
                href = child.get("href") if child.tag == "a" else None
                if href and not href.startswith("mailto:") and urljoin(self.base, href) != inner.strip():
                    inner += f" <{urljoin(self.base, href)}>"
                parts.append(inner)
            parts.append(self.raw(child.tail))
        return "".join(parts)

    def block(self, element: ET.Element) -> None:
        for child in element:
            self.element(child)

    def element(self, child: ET.Element) -> None:
        tag = child.tag
        if tag in HEADING_MARKS:
            self.out.append("\n\n" + HEADING_MARKS[tag] + self.inline(child).strip() + "\n\n")
        elif tag in ("ul", "ol"):
            self.depth += 1
            self.block(child)
            self.depth -= 1
            self.out.append("\n" if self.depth else "\n\n")
        elif tag == "li":
            self.out.append("\n" + "  " * (self.depth - 1) + "- ")
            self._mixed(child)
        elif tag == "tr":
            self.out.append("\n" + " ".join(self.inline(cell).strip() for cell in child))
        elif tag in ("table", "thead", "tbody", "div", "blockquote", "section", "details", "dl", "figure"):
            self.out.append("\n\n")
            self.block(child)
            self.out.append("\n\n")
        elif tag == "hr":
            self.out.append("\n\n")
        else:
            self.out.append("\n\n" + self.inline(child).strip() + "\n\n")

    def _mixed(self, item: ET.Element) -> None:
        """A list item: its own text, then any nested blocks."""
        if any(c.tag in BLOCKS for c in item):
            self.out.append(self.raw(item.text).strip())
            self.block(item)
        else:
            self.out.append(self.inline(item).strip())
