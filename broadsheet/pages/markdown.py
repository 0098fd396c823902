"""Markdown → HTML: figure expressions evaluated in a sandbox, then Python-Markdown.

Content may hold only `{{ function("literal", key=literal) }}` expressions: one call to a known
figure function with literal arguments. Each expression is parsed by Jinja's sandboxed
environment; anything but such a call (statements, attribute access, filters, arithmetic) is
refused with the file and line, and the call itself is made directly with the literal values, so
no template code compiled from content ever runs on the build machine.
"""

from __future__ import annotations

import bisect
import html
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
from markdown.extensions.toc import slugify_unicode

from broadsheet.core.errors import BuildFailed, FigureError, SourceError
from broadsheet.figures.expressions import (
    EXPRESSION_RE,
    MAX_EXPRESSION,
    STATEMENT_RE,
    LiteralCall,
    parse_figure_call,
)
from broadsheet.pages.mdtree import KeepTreeExtension, absolute_html, plain_text
from broadsheet.pages.receipts import FigureExtension, FigureMarks, marks_to_text, place_notes
from broadsheet.pages.sanitize import SafeMarkdown, clean_body, line_of_attribute, refused_attributes

COMMENT_RE = re.compile(r"<!--.*?-->", re.S)  # editors' notes (e.g. `<!-- reviewed: … -->`) stay out of the page
MARK = "BROADSHEETBLOCK"  # a block's place in the text: a mark + its number + "END"

MARKDOWN_EXTENSIONS = ["toc", "tables", "footnotes", "attr_list", "admonition", "sane_lists", "md_in_html"]

Part = Any  # a text segment (str) or a block a content function placed (e.g. a ChartBlock)


@dataclass
class RenderedBody:
    """A page body converted from Markdown: segments of HTML with the blocks placed between them.

    `parts` is what the page shows (links as written), `absolute_parts` the same with every URL
    absolute (feeds, email), `text_parts` the plain text (the email's text part). Each output
    renders the blocks (charts) in its own template partial.
    """

    parts: list[Part]
    absolute_parts: list[Part]
    text_parts: list[Part]
    toc_html: str
    headings: list[dict[str, Any]]
    blocks: list[Any] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The prose without blocks, for reading time and checks (made when asked: a page holds
        enough copies of its text)."""
        return " ".join(p for p in self.text_parts if isinstance(p, str))

    @property
    def html(self) -> str:
        """The page's HTML segments joined, without the blocks (for checks that read prose)."""
        return "".join(p for p in self.parts if isinstance(p, str))


def block_mark(body: str) -> str:
    """A placeholder stem that does not occur in `body` (an editor may type BROADSHEETBLOCK5END)."""
    longest = max((len(m.group(1)) for m in re.finditer(MARK + "(X*)", body)), default=-1)
    return MARK + "X" * (longest + 1)


def evaluate_figures(body: str, path: Path, first_line: int, functions: dict[str, Callable[..., Any]],
                     mark: str = MARK, marks: FigureMarks | None = None) -> tuple[str, list[Any], list[SourceError]]:
    """Replace each `{{ … }}` in `body` by its value; return (text, blocks, errors).

    A block (a chart) is replaced by `mark` + its number + "END"; pass `block_mark(body)`. With
    `marks` a figure is replaced by a marker that the Markdown stage turns into the figure with its
    receipt (receipts.py); without, by its escaped text.
    """
    names = frozenset(functions)
    errors: list[SourceError] = []
    blocks: list[Any] = []
    body_breaks = _breaks(body)
    for match in STATEMENT_RE.finditer(body):
        line = first_line + _line_index(body_breaks, match.start())
        errors.append(SourceError(path, line, f"'{match.group()}' is not allowed in content",
                                  "content may hold only {{ figure(...) }} expressions"))

    def refused(match: re.Match[str]) -> str:
        # drop the expression (keeping its line breaks) so it is not reported again as unclosed
        return "\n" * match.group().count("\n")

    def replace(match: re.Match[str]) -> str:
        line = first_line + _line_index(body_breaks, match.start())
        expr = match.group(1)
        if "\n" in expr or len(expr) > MAX_EXPRESSION:
            errors.append(SourceError(path, line, "a figure expression must fit on one line",
                                      "close it with }} on the same line"))
            return refused(match)
        call = parse_figure_call(expr, names)
        if isinstance(call, str):
            errors.append(SourceError(path, line, call,
                                      "see docs/writing.md for the figure functions"))
            return refused(match)
        try:
            value = call_figure(functions[call.name], call)
        except FigureError as exc:
            errors.append(SourceError(path, line, f"{{{{{expr}}}}}: {exc.message}", exc.hint))
            return refused(match)
        if not isinstance(value, str):  # a block (a chart): placed between paragraphs
            blocks.append(value)
            return f"{mark}{len(blocks) - 1}END"
        if marks is not None:
            return marks.figure(expr, line, str(value))
        return html.escape(str(value), quote=False)  # a figure is text, never markup

    text = EXPRESSION_RE.sub(replace, body)
    # an opening {{ with no closing }} is what is left once every {{ … }} is taken out (a failed
    # expression has been reported already)
    rest = EXPRESSION_RE.sub(lambda m: "\n" * m.group().count("\n"), body)
    rest_breaks = _breaks(rest)
    for match in re.finditer(r"\{\{", rest):
        line = first_line + _line_index(rest_breaks, match.start())
        errors.append(SourceError(path, line, "unclosed '{{'", "close the figure expression with }}"))
    return text, blocks, errors


def call_figure(function: Callable[..., Any], call: LiteralCall) -> Any:
    """Call a content function with the literals of `call`; wrong arguments are a FigureError."""
    kwargs = dict(call.kwargs)
    try:
        inspect.signature(function).bind(*call.args, **kwargs)
    except TypeError as exc:  # chart("x", 1, 2) would otherwise fail inside the function
        raise FigureError(f"wrong arguments: {call.name}() {exc}", "see docs/writing.md for each function") from exc
    except ValueError:  # no signature to check: the call itself will tell
        pass
    return function(*call.args, **kwargs)


def _breaks(text: str) -> list[int]:
    """Offsets of the line breaks of `text`, to find the line of many offsets quickly."""
    return [m.start() for m in re.finditer("\n", text)]


def _line_index(breaks: list[int], offset: int) -> int:
    """The 0-based line of `offset`, given the offsets of the line breaks."""
    return bisect.bisect_left(breaks, offset)


def render_markdown(body: str, path: Path, first_line: int, functions: dict[str, Callable[..., Any]],
                    base_url: str = "", raw_html: bool = False, marks: FigureMarks | None = None) -> RenderedBody:
    """Evaluate figures and convert Markdown; raise the first SourceErrors as one list.

    `base_url` is the page's absolute address, against which `absolute_parts` resolve links.
    Raw HTML is shown as text unless `raw_html` (site.yaml); either way the HTML passes the
    allow-list of sanitize.py. With `marks` (receipts.py) each figure carries its receipt and a
    `<!-- reviewed: why -->` mark becomes an editor's note.
    """
    mark = block_mark(body)
    text, blocks, errors = evaluate_figures(body, path, first_line, functions, mark, marks)
    if errors:
        raise FigureProblems(errors)
    extensions = [*MARKDOWN_EXTENSIONS, SafeMarkdown(raw_html), KeepTreeExtension()]
    if marks is not None:
        text = place_notes(text, marks.note)
        extensions.append(FigureExtension(marks))
    md = markdown.Markdown(
        extensions=extensions,
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3", "toc_class": "toc-list"}},
        output_format="html",
    )
    try:
        page_html = clean_body(md.convert(COMMENT_RE.sub("", text)), raw_html)
        feed_html = clean_body(absolute_html(md, base_url), raw_html)
        prose = plain_text(md, base_url)
        if marks is not None:  # a figure where inline markup is not made (a code span) is its text
            page_html, feed_html = marks_to_text(page_html, marks, True), marks_to_text(feed_html, marks, True)
            prose = marks_to_text(prose, marks, False)
    except RecursionError:  # e.g. thousands of nested block quotes
        raise FigureProblems([SourceError(path, first_line, "the Markdown is nested too deeply",
                                          "use fewer levels of quotes or lists")]) from None
    refused = [SourceError(path, first_line + line_of_attribute(text, key),
                           f"an attribute list may set only id and class, not {key!r}", "e.g. {: #anchor .class }")
               for key in dict.fromkeys(refused_attributes(md))]
    if refused:
        raise FigureProblems(refused)
    return RenderedBody(
        parts=_split(page_html, blocks, mark), absolute_parts=_split(feed_html, blocks, mark),
        text_parts=_split(prose, blocks, mark),
        toc_html=clean_body(md.toc, raw_html=False), headings=_flatten(md.toc_tokens), blocks=blocks)


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


class FigureProblems(BuildFailed):
    """The problems of one page's figure expressions (a BuildFailed: the one way to report many)."""
