"""What a Markdown body may turn into: an allow-list of HTML, applied to every body.

Raw HTML in Markdown is off by default (shown as text, as Hugo does); `raw_html: true` in
site.yaml lets editors write it, and even then it passes the same allow-list as the HTML that
Markdown makes: no script, no event handlers, no `javascript:`/`data:` URLs, no iframe, form or
style. Attribute lists (`{: … }`) may set only id and class. The page, the three feeds and the
email are all built from this one body HTML, so they all get the same rule.

The sanitizer is the last thing that touches a body: every other pass works on the Markdown tree
before it (textpass.py), and its output is published as it is. `BodyRules` is its attribute
filter, for what an allow-list of names cannot say: a `style` may only align a table cell, an id
may not be one the site's templates use, an image must be a file of the site (the site is
self-contained), and a `//host` link is written `https://host`. What it refuses is reported at
the body's line (markdown.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

import nh3
from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import slugify_unicode

# What Python-Markdown and its extensions make (toc, tables, footnotes, admonition, sane_lists), and
# the figures: <data> elements, buttons that open their receipts on the page
MARKDOWN_TAGS = frozenset({
    "a", "blockquote", "br", "button", "code", "data", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
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
    "data": {"value", "title", "tabindex"},  # a figure (receipts.py)
    "button": {"type", "value", "popovertarget", "aria-describedby"},  # … as the button that opens its receipt
}
URL_SCHEMES = {"http", "https", "mailto"}  # and relative URLs; never javascript: or data:
# script/style are dropped with their content: their text is code, not prose
DROPPED_WITH_CONTENT = {"script", "style", "template", "textarea", "noscript", "iframe", "object",
                        "svg", "math", "title", "xmp", "noembed", "noframes"}
ATTR_LIST_KEYS = frozenset({"id", "class"})
# The ids templates/ gives the site's own elements (skip link, search form, table of contents…):
# a body element with one of them would take its place as a link or a script's target
SITE_IDS = frozenset({"top", "main", "search", "search-input", "toc-title", "corrections-title", "lead-title"})
# a chart's figure and the ids inside its drawings (charts/blocks.py); a figure's receipt (receipts.py)
SITE_ID_PREFIXES = ("chart-", "receipt-")
# what Python-Markdown's tables write: the only style a body may hold
TEXT_ALIGN_RE = re.compile(r"\s*text-align\s*:\s*(?:left|right|center|justify|start|end)\s*;?\s*", re.I)


def site_id(value: str) -> bool:
    """Is `value` an id the site's templates use?"""
    return value.strip().lower() in SITE_IDS or value.strip().lower().startswith(SITE_ID_PREFIXES)


def heading_slug(value: str, separator: str) -> str:
    """A heading's generated id (toc's slugify_unicode), never one of the site's own ids."""
    slug = slugify_unicode(value, separator)
    return f"section{separator}{slug}" if site_id(slug) else slug


@dataclass(frozen=True)
class Refusal:
    """An attribute the sanitizer took out, and what to tell the editor at its line."""

    pattern: str  # a regular expression that finds it in the Markdown, for its line
    message: str
    hint: str


@dataclass
class BodyRules:
    """nh3's attribute filter for a body (called for every allowed attribute): returns the value
    to keep, or None to drop the attribute, recording why in `refused`.

    `page_url` is the page's address, against which an image's source is resolved; `site_url`
    the site's base URL, under which it must lie (without one, an image may not name a host).
    """

    page_url: str = ""
    site_url: str = ""
    refused: list[Refusal] = field(default_factory=list)

    def __call__(self, tag: str, attribute: str, value: str) -> str | None:
        """Keep, rewrite or drop one attribute value (nh3 has checked its name and URL scheme)."""
        if attribute == "id" and site_id(value):
            return self._refuse(rf"(?:\bid\s*=\s*[\"']?|#){re.escape(value.strip())}(?![\w-])",
                                f"the id {value.strip()!r} is one the site's pages use", "choose another id")
        if attribute == "style" and not TEXT_ALIGN_RE.fullmatch(value):
            return self._refuse(re.escape(value), f"a style may only align a table cell, not {value!r}",
                                "write e.g. style=\"text-align: right\", or use Markdown's table alignment")
        if tag == "img" and attribute == "src" and self._foreign(value):
            return self._refuse(re.escape(value), f"images must be files of the site, not {value!r}",
                                "put the image in static/ and link it by its path in the site")
        if tag == "a" and attribute == "href" and value.startswith("//"):
            return "https:" + value  # a link to another host is fine, but never over plain http
        return value

    def _refuse(self, pattern: str, message: str, hint: str) -> None:
        self.refused.append(Refusal(pattern, message, hint))
        return None

    def _foreign(self, src: str) -> bool:
        """Is an image's source on another host (or outside the site's base path)?"""
        src = src.strip()
        if not self.site_url:
            parts = urlsplit(src)
            return bool(parts.scheme or parts.netloc)
        return not urljoin(self.page_url or self.site_url, src).startswith(self.site_url)


def clean_body(html: str, raw_html: bool, rules: BodyRules | None = None) -> str:
    """Keep only allowed tags, attributes and URL schemes in a body's HTML (the last pass over it)."""
    return nh3.clean(
        html,
        tags=set(RAW_HTML_TAGS if raw_html else MARKDOWN_TAGS),
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=rules if rules is not None else BodyRules(),
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
    # not across another `{`: from each of a line of `{` the search read to the line's end (quadratic)
    match = re.search(r"\{[^{}\n]*" + re.escape(key), text)
    return text.count("\n", 0, match.start()) if match else 0
