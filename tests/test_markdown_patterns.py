"""The Markdown fast path (pages/mdpatterns.py: only the inline patterns a text can match) gives
byte-identical output to the full set of patterns: on every example of docs/writing.md, on both
editions of the first issue (with their real figures and receipts) and on random texts made of
every pattern's marks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_docs_examples import EXAMPLES

from broadsheet.content.issues import split_front_matter
from broadsheet.core.errors import FigureProblems
from broadsheet.core.i18n import NumberFormatter
from broadsheet.data.store import DataStore, load_data
from broadsheet.figures.functions import FigureFunctions
from broadsheet.pages import mdpatterns
from broadsheet.pages.markdown import render_markdown
from broadsheet.pages.receipts import FigureMarks
from conftest import ROOT

pytestmark = pytest.mark.unit

FIRST_ISSUE = ROOT / "content" / "issues" / "2025-04-13-tariff-shock"
LOCALES = {"zh-Hant": "zh_Hant_TW", "en": "en_US"}


@contextmanager
def every_pattern() -> Iterator[None]:
    """Python-Markdown's full set of inline patterns (the path before the fast one)."""
    saved = dict(mdpatterns.NEEDS)
    mdpatterns.NEEDS.clear()
    try:
        yield
    finally:
        mdpatterns.NEEDS.update(saved)


@cache
def store() -> DataStore:
    return load_data(ROOT / "data")


def converted(body: str, code: str, raw_html: bool = False, typography: bool = False) -> Any:
    """Everything render_markdown makes of a body (the page's, the feed's and the plain text's
    parts, the toc, the receipts), or the problems it raised, as comparable values."""
    figures = FigureFunctions(store(), NumberFormatter(LOCALES[code]))
    functions: dict[str, Any] = {**figures.namespace(), "chart": lambda name: f"chart {name}"}
    marks = FigureMarks(figures.uses, store(), code)
    try:
        out = render_markdown(body, Path(f"x/{code}.md"), 1, functions, "https://example.org/p/x/", raw_html, marks,
                              typography, "https://example.org/p/")
    except FigureProblems as problems:
        return ("problems", [str(p) for p in problems.errors])
    return (out.parts, out.absolute_parts, out.text_parts, out.toc_html, out.headings,
            [repr(r) for r in marks.receipts])


def both_paths(body: str, code: str, raw_html: bool = False, typography: bool = False) -> tuple[Any, Any]:
    fast = converted(body, code, raw_html, typography)
    with every_pattern():
        full = converted(body, code, raw_html, typography)
    return fast, full


def body_of(text: str) -> str:
    return split_front_matter(text, Path("x.md"))[1] if text.startswith("---") else text


@pytest.mark.parametrize("code", ["zh-Hant", "en"])
def test_the_first_issue_converts_byte_identically(code: str) -> None:
    body = body_of((FIRST_ISSUE / f"{code}.md").read_text(encoding="utf-8"))
    fast, full = both_paths(body, code, typography=code == "zh-Hant")
    assert fast[0] and fast == full


@pytest.mark.parametrize("n", range(len(EXAMPLES)))
def test_every_example_of_the_guide_converts_byte_identically(n: int) -> None:
    body = body_of(EXAMPLES[n][1])
    for raw_html in (False, True):
        fast, full = both_paths(body, "zh-Hant", raw_html, typography=True)
        assert fast == full


def test_a_plain_paragraph_is_converted_without_the_patterns_it_cannot_match() -> None:
    md = markdown.Markdown(extensions=[mdpatterns.MatchablePatterns()])
    text = "plain text, a figure 5,074.08 and no marks"
    assert md.convert(text) == f"<p>{text}</p>"
    kept = list(md.inlinePatterns._priority)  # noqa: SLF001 (what the registry tries, in order)
    assert {item.name for item in kept}.isdisjoint(mdpatterns.NEEDS)


@pytest.mark.parametrize("body", [
    '<div markdown="1">\n*em* and [a link](/x) and `code`\n</div>\n',  # raw HTML stashed before the blocks are read
    "a line\tthen a tab  \r\nand a break\n",  # tabs expanded and line ends normalised first
])
def test_what_the_preprocessors_hide_or_change_is_still_matched(body: str) -> None:
    fast, full = both_paths(body, "zh-Hant", raw_html=True)
    assert fast == full


# every pattern's marks, with text, figures and the block syntax they meet in a page
TOKENS = ["a", "中文", " ", "\n", "\n\n", "\t", "  \n", "`", "``", "\\", "\\*", "[", "]", "(", ")", "![", "[^1]",
          "[^1]: note", "[a]: /x", "<", ">", "<b>", "</b>", "<http://x.y/>", "<a@b.c>", "&", "&amp;", "&#33;", "*",
          "**", "_", "__", "- ", "1. ", "> ", "## ", "| a | b |\n|---|---|\n| 1 | 2 |", "!!! note\n    ",
          "{: #id .c }", "    code", '{{ level("SP500", "2025-04-04") }}', "[link](/x)", "![i](/p.png)", "http://x.y",
          '<div markdown="1">', "</div>", '<span markdown="1">', "</span>", "\r\n", " \t"]


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
          database=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40), st.booleans(), st.booleans())
def test_random_texts_convert_byte_identically(tokens: list[str], raw_html: bool, typography: bool) -> None:
    fast, full = both_paths("".join(tokens), "zh-Hant", raw_html, typography)
    assert fast == full
