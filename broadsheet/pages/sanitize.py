"""What a Markdown body may turn into: an allow-list of HTML, applied to every body.

Raw HTML in Markdown is off by default (shown as text, as Hugo does); `raw_html: true` in
site.yaml lets editors write it, and even then it passes the same allow-list as the HTML that
Markdown makes: no script, no event handlers, no `javascript:`/`data:` URLs, no iframe, form or
style. Attribute lists (`{: … }`) may set only id and class. The page, the three feeds and the
email are all built from this one body HTML, so they all get the same rule.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import nh3
from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor

# What Python-Markdown and its extensions make (toc, tables, footnotes, admonition, sane_lists), and
# the figures' <data> elements
MARKDOWN_TAGS = frozenset({
    "a", "blockquote", "br", "code", "data", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
})
# What an editor may add with `raw_html: true`: text-level and layout markup, nothing active
RAW_HTML_TAGS = MARKDOWN_TAGS | frozenset({
    "abbr", "aside", "b", "caption", "cite", "col", "colgroup", "del", "details", "dfn", "figcaption",
    "figure", "i", "ins", "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "section", "small",
    "sub", "summary", "tfoot", "time", "u", "var", "wbr",
})
ATTRIBUTES = {
    "*": {"id", "class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "td": {"style", "colspan", "rowspan"},
    "time": {"datetime"},
    "abbr": {"title"},
    "data": {"value", "title", "tabindex"},  # a figure with its receipt (receipts.py)
}
URL_SCHEMES = {"http", "https", "mailto"}  # and relative URLs; never javascript: or data:
# script/style are dropped with their content: their text is code, not prose
DROPPED_WITH_CONTENT = {"script", "style", "template", "textarea", "noscript", "iframe", "object",
                        "svg", "math", "title", "xmp", "noembed", "noframes"}
ATTR_LIST_KEYS = frozenset({"id", "class"})


def clean_body(html: str, raw_html: bool) -> str:
    """Keep only allowed tags, attributes and URL schemes in a body's HTML."""
    return nh3.clean(
        html,
        tags=set(RAW_HTML_TAGS if raw_html else MARKDOWN_TAGS),
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        filter_style_properties={"text-align"},  # tables align columns with style="text-align: …"
        strip_comments=True,
    )


class RestrictedAttrList(AttrListTreeprocessor):
    """attr_list that sets only id and class; the names it refused are kept in `refused`."""

    refused: list[str]

    def assign_attrs(self, elem: Element, attrs_string: str, *, strict: bool = False) -> str:
        """Assign like attr_list, then undo every attribute other than id and class."""
        before = dict(elem.attrib)
        remainder = super().assign_attrs(elem, attrs_string, strict=strict)
        for key in list(elem.attrib):
            if key not in ATTR_LIST_KEYS and elem.attrib[key] != before.get(key):
                self.refused.append(key)
                if key in before:
                    elem.set(key, before[key])
                else:
                    del elem.attrib[key]
        return remainder


class SafeMarkdown(Extension):
    """Raw HTML off (unless allowed) and attr_list restricted; register after the usual extensions."""

    def __init__(self, raw_html: bool = False) -> None:
        super().__init__()
        self.raw_html = raw_html

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802  (Python-Markdown's name)
        """Escape raw HTML as text unless allowed; replace attr_list's tree processor."""
        if not self.raw_html:
            for registry, name in ((md.preprocessors, "html_block"), (md.inlinePatterns, "html")):
                if name in registry:
                    registry.deregister(name)
        if "attr_list" in md.treeprocessors:
            restricted = RestrictedAttrList(md)
            restricted.refused = []
            md.treeprocessors.register(restricted, "attr_list", 8)


def refused_attributes(md: Markdown) -> list[str]:
    """The attribute names attr_list was asked to set and did not (anything but id and class)."""
    found = [list(getattr(proc, "refused", [])) for proc in md.treeprocessors]
    return [key for keys in found for key in keys]


def line_of_attribute(text: str, key: str) -> int:
    """The 0-based line of the first `{: … key=… }` in `text` (0 when not found)."""
    match = re.search(r"\{[^}\n]*" + re.escape(key), text)
    return text.count("\n", 0, match.start()) if match else 0
