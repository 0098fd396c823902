"""The link check of `check`: broken internal links, missing #anchors and images without alt text.

Works on the site as a mapping {site path: bytes}, so `check` runs it on the outputs it holds in
memory (run.py) and the tests on a built folder. Every URL is resolved the way a browser would,
from the page's own URL under the site's base URL: a root-relative link that forgets the base
path of a project site (https://user.github.io/repo/) is reported as broken.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

# Attributes that point at another resource, per tag (forms and <base> are not used by the site).
LINK_ATTRS = {
    "a": ("href",), "link": ("href",), "img": ("src", "srcset"), "script": ("src",),
    "source": ("src", "srcset"), "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "object": ("data",), "use": ("href", "xlink:href"), "image": ("href", "xlink:href"),
}
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:")
PARSED_SUFFIXES = (".html", ".xml", ".json")
URL_KEYS = ("image", "icon", "favicon", "banner_image")  # JSON Feed keys whose value is a URL


@dataclass(frozen=True)
class Ref:
    """One URL found in a file, with the line it is on."""

    url: str
    line: int
    tag: str = ""


@dataclass
class PageScan:
    """What one file links to and which fragment targets it defines."""

    refs: list[Ref] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    images_without_alt: list[Ref] = field(default_factory=list)


@dataclass(frozen=True)
class LinkProblem:
    """A problem found in a rendered file: `site path:line: message`."""

    page: str  # path inside the site, e.g. "en/issues/2025-04-13-x/index.html"
    line: int
    message: str
    url: str = ""


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {k: v for k, v in attrs}
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.scan.ids.add(values[key] or "")
        for attr in LINK_ATTRS.get(tag, ()):
            value = (values.get(attr) or "").strip()
            if not value:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.scan.refs.append(Ref(candidate.split()[0], line, tag))
            else:
                self.scan.refs.append(Ref(value, line, tag))
        decorative = (values.get("role") in ("presentation", "none")
                      or values.get("aria-hidden") == "true")
        if tag == "img" and not (values.get("alt") or "").strip() and not decorative:
            self.scan.images_without_alt.append(Ref(values.get("src") or "", line, tag))

    handle_startendtag = handle_starttag


def scan_html(text: str) -> PageScan:
    """Collect the links, ids and alt-less images of an HTML page."""
    scanner = _Scanner()
    scanner.feed(text)
    scanner.close()
    return scanner.scan


def scan_xml(text: str) -> PageScan:
    """Collect the URLs of a feed or sitemap: href/src attributes and elements holding one URL."""
    scan = PageScan()
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        scan.refs.append(Ref("", exc.position[0], "invalid XML"))
        return scan
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.rsplit("}", 1)[-1] in ("href", "src", "url") and value.strip():
                scan.refs.append(Ref(value.strip(), 0, element.tag))
        body = (element.text or "").strip()
        if body.startswith(("http://", "https://")) and " " not in body:
            scan.refs.append(Ref(body, 0, element.tag))
    return scan


def scan_json(text: str) -> PageScan:
    """Collect the URLs of a JSON Feed (values of *url keys, images and icons)."""
    scan = PageScan()
    try:
        data = json.loads(text)
    except ValueError as exc:
        scan.refs.append(Ref("", getattr(exc, "lineno", 0), "invalid JSON"))
        return scan

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and (key.endswith("url") or key in URL_KEYS):
                    scan.refs.append(Ref(value, 0, key))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return scan


def scan_file(path: str, data: bytes) -> PageScan | None:
    """Scan a site file by its kind; None for files that link to nothing (CSS, images…)."""
    if not path.endswith(PARSED_SUFFIXES):
        return None
    text = data.decode("utf-8", errors="replace")
    if path.endswith(".html"):
        return scan_html(text)
    if path.endswith(".xml"):
        return scan_xml(text)
    return scan_json(text)


def page_url(path: str, base_url: str) -> str:
    """The URL a site file is served at: "en/archive/index.html" → base_url + "en/archive/"."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def resolve(url: str, base_url: str, files: Mapping[str, object],
            generated: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """Map an absolute URL inside the site to a site file: (file or None, why not found).

    A URL under one of the `generated` folders (written after rendering, e.g. the search
    index) is taken as present: it is returned as is, without a file to look into.
    """
    base_path = urlsplit(base_url).path or "/"
    path = urlsplit(url).path
    if not path.startswith(base_path):
        return None, f"outside the site's base path {base_path}"
    rel = unquote(path[len(base_path):])
    # a folder named without its slash: GitHub Pages redirects to it
    folder = rel == "" or rel.endswith("/")
    candidates = [rel + "index.html"] if folder else [rel, rel + "/index.html"]
    for candidate in candidates:
        if candidate in files:
            return candidate, ""
    if rel.startswith(generated) and generated:
        return rel, ""
    return None, "no such file in the site"


def check_links(files: Mapping[str, bytes | None], base_url: str,
                generated: tuple[str, ...] = (), placeholders: tuple[str, ...] = ()) -> list[LinkProblem]:
    """Check every internal link, #anchor and image of the site's HTML, feeds and sitemap.

    `files` maps each site path to its bytes (None for files that only need to exist, such as
    static assets); `generated` lists folders ("pagefind/") that are written only after the
    pages are rendered, whose files are not in `files`; `placeholders` are link targets a mailing
    service replaces in the email edition (site.yaml's email_unsubscribe), no address of the site.
    External links are not fetched.
    """
    site = urlsplit(base_url)
    scans = {p: s for p, data in files.items() if data is not None
             and (s := scan_file(p, data)) is not None}
    problems: list[LinkProblem] = []
    for path, scan in sorted(scans.items()):
        here = page_url(path, base_url)
        for img in scan.images_without_alt:
            problems.append(LinkProblem(path, img.line, f"image without alt text: {img.url}",
                                        img.url))
        for ref in scan.refs:
            if not ref.url:
                problems.append(LinkProblem(path, ref.line, f"cannot read this file ({ref.tag})"))
                continue
            if ref.url.lower().startswith(SKIPPED_SCHEMES) or ref.url in placeholders:
                continue
            target = urlsplit(urljoin(here, ref.url))
            if (target.scheme, target.netloc) != (site.scheme, site.netloc):
                continue  # an external link: not checked offline
            found, why = resolve(target.geturl(), base_url, files, generated)
            if found is None:
                problems.append(LinkProblem(path, ref.line, f"broken link {ref.url} ({why})",
                                            ref.url))
                continue
            fragment = unquote(target.fragment)
            known = scans[found].ids if found in scans else None
            if fragment and known is not None and fragment not in known and fragment != "top":
                problems.append(LinkProblem(path, ref.line, f"broken anchor {ref.url} "
                                            f"(no id {fragment!r} in {found})", ref.url))
    return problems
