"""Markdown → HTML: figure expressions evaluated (figures/evaluate.py), then Python-Markdown.

Content may hold only `{{ function("literal", key=literal) }}` expressions: one call to a known
figure function with literal arguments (figures/expressions.py reads them); anything else is
refused with the file and line, and the call is made directly with the literal values, so no
template code compiled from content ever runs on the build machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown

from broadsheet.core.errors import FigureProblems, SourceError
from broadsheet.core.limits import markdown_shape
from broadsheet.core.spans import strip_spans
from broadsheet.figures.evaluate import block_mark, evaluate_figures
from broadsheet.pages.body import Part, RenderedBody
from broadsheet.pages.mdbounds import BoundedMarkdown
from broadsheet.pages.mdpatterns import MatchablePatterns
from broadsheet.pages.mdtree import KeepTreeExtension, absolute_html, plain_text
from broadsheet.pages.receipts import FigureExtension, FigureMarks, place_notes
from broadsheet.pages.sanitize import (
    BodyRules,
    Refusal,
    SafeMarkdown,
    clean_body,
    heading_slug,
    line_of_attribute,
    refused_attributes,
)
from broadsheet.pages.textpass import TextPassExtension

CHART_CALL_RE = re.compile(r"\{\{\s*chart\s*\(")

MARKDOWN_EXTENSIONS = ["toc", "tables", "footnotes", "attr_list", "admonition", "sane_lists", "md_in_html"]



def render_markdown(body: str, path: Path, first_line: int, functions: dict[str, Callable[..., Any]],
                    base_url: str = "", raw_html: bool = False, marks: FigureMarks | None = None,
                    typography: bool = False, site_url: str = "") -> RenderedBody:
    """Evaluate figures and convert Markdown; raise the first SourceErrors as one list.

    `base_url` is the page's absolute address, against which `absolute_parts` resolve links;
    `site_url` the site's, under which every image must be (without it, no image may name a host).
    Raw HTML is shown as text unless `raw_html` (site.yaml); either way the HTML passes the
    allow-list of sanitize.py. With `marks` (receipts.py) each figure carries its receipt and a
    `<!-- reviewed: why -->` mark becomes an editor's note. `typography`: Chinese full-width
    punctuation (a zh-Hant edition). Both passes change the tree's text (textpass.py); the
    sanitizer's output is the body as it is published, never edited after.
    """
    mark = block_mark(body)
    text, blocks, errors = evaluate_figures(body, path, first_line, functions, mark, marks)
    # a body of absurd shape is refused before Python-Markdown reads it (read_page refused it too)
    if errors := errors + markdown_shape(body, path, first_line):
        raise FigureProblems(errors)
    text_pass = TextPassExtension(marks, typography, mark)
    extensions = [*MARKDOWN_EXTENSIONS, BoundedMarkdown(), SafeMarkdown(raw_html), text_pass, KeepTreeExtension(),
                  MatchablePatterns()]
    if marks is not None:
        text = place_notes(text, marks.note)
        extensions.append(FigureExtension(marks))
    md = markdown.Markdown(
        extensions=extensions,
        extension_configs={"toc": {"slugify": heading_slug, "toc_depth": "2-3", "toc_class": "toc-list"}},
        output_format="html",
    )
    rules = BodyRules(base_url, site_url)
    # editors' notes (e.g. `<!-- reviewed: … -->`) stay out of the page (found in linear time)
    try:
        page_html = clean_body(md.convert(strip_spans(text, "<!--", "-->")), raw_html, rules)
        # the same refusals again, with every URL absolute: reported once, from the page
        feed_html = clean_body(absolute_html(md, base_url), raw_html, BodyRules(base_url, site_url))
        prose = plain_text(md, base_url)
    except RecursionError:  # e.g. thousands of nested block quotes
        raise FigureProblems([SourceError(path, first_line, "the Markdown is nested too deeply",
                                          "use fewer levels of quotes or lists")]) from None
    refused = [SourceError(path, first_line + line_of_attribute(text, key),
                           f"an attribute list may set only id and class, not {key!r}", "e.g. {: #anchor .class }")
               for key in dict.fromkeys(refused_attributes(md))]
    refused += _refusals(rules.refused, body, path, first_line)
    refused += _misplaced(text_pass.misplaced, body, path, first_line)
    if refused:
        raise FigureProblems(refused)
    return RenderedBody(
        parts=_split(page_html, blocks, mark), absolute_parts=_split(feed_html, blocks, mark),
        text_parts=_split(prose, blocks, mark),
        toc_html=clean_body(md.toc, raw_html=False), headings=_flatten(md.toc_tokens), blocks=blocks)


def _refusals(found: list[Refusal], body: str, path: Path, first_line: int) -> list[SourceError]:
    """What the sanitizer's rules refused, each once, at the first line of the body that holds it."""
    errors = []
    for refusal in dict.fromkeys(found):
        match = re.search(refusal.pattern, body)
        line = first_line + (body.count("\n", 0, match.start()) if match else 0)
        errors.append(SourceError(path, line, refusal.message, refusal.hint))
    return errors


def _misplaced(blocks: list[int], body: str, path: Path, first_line: int) -> list[SourceError]:
    """Charts placed where the body is not text (a link, an image, code, raw HTML), each at its line:
    block n is the body's n-th `{{ chart(…) }}` (the only function that places one)."""
    calls = [body.count("\n", 0, m.start()) for m in CHART_CALL_RE.finditer(body)]
    return [SourceError(path, first_line + (calls[n] if n < len(calls) else 0),
                        "a chart must stand in the text, not in a link, an image, code or raw HTML",
                        '{{ chart("name") }} on a line of its own') for n in dict.fromkeys(blocks)]


def _split(converted: str, blocks: list[Any], mark: str) -> list[Part]:
    """Cut a converted body at its block placeholders: [text, block, text, …] (empty texts dropped)."""
    pieces = re.split(rf"<p>{mark}(\d+)END</p>|{mark}(\d+)END", converted)
    parts: list[Part] = []
    for n in range(0, len(pieces), 3):  # text, then the number in either group of the mark
        if pieces[n].strip():
            parts.append(pieces[n])
        if n + 1 < len(pieces):
            parts.append(blocks[int(pieces[n + 1] or pieces[n + 2])])
    return parts


def _flatten(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for token in tokens:
        out.append({"level": token["level"], "id": token["id"], "name": token["name"]})
        out.extend(_flatten(token.get("children", [])))
    return out
