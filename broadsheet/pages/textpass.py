"""The passes over a body's text, made on Python-Markdown's tree before it is serialized.

The sanitizer (sanitize.py) is the last thing that touches a body's HTML; nothing edits its
output as a string. So every pass that changes what a reader sees runs here, on the element tree,
after the inline patterns and attr_list and before the table of contents is built from it:

- figure markers that stayed text (a figure in a code span, an image's alt text or a link's
  title, raw HTML) become the figure as printed (receipts.py);
- on a zh-Hant edition, the full-width punctuation of core/typography.py, on text nodes only:
  never attribute values, never `code`/`pre`/`kbd`/`samp`/`math`;
- a chart's placeholder anywhere but in text (an attribute value, code, raw HTML) is taken out
  and reported (`misplaced`): the body is cut at its placeholders and the chart put between the
  pieces, which is only harmless between text.

An element's text is a Python string; the serializer escapes it, and nh3 reads the result. Raw
HTML an editor wrote (`raw_html: true`) is not in the tree but in Python-Markdown's stash, as
strings: the same passes run on them as HTML, before the sanitizer reads them.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Protocol

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX, AtomicString

from broadsheet.core.typography import SKIPPED, full_width_punctuation, punctuate_runs

# Python-Markdown's backslash escapes (`\!`) wait in the text as STX + code point + ETX until its
# `unescape` tree processor (priority 0); the pass reads the characters the reader will see.
ESCAPED_RE = re.compile(f"{STX}(\\d+){ETX}")
# After attr_list (8) has read `{: … }` and before toc (5) copies the headings' text
PRIORITY = 6

Slot = tuple[ET.Element, str]  # an element and "text" or "tail"


class FigureTexts(Protocol):
    """What the pass needs of a page's figures (receipts.FigureMarks, not imported: it reaches far)."""

    marker: re.Pattern[str]  # a figure's marker in the text; group 1 is its index

    def text(self, index: int) -> str:
        """What figure `index` prints."""
        ...


class TextPass(Treeprocessor):
    """Figures left as markers become their text; on zh-Hant, full-width punctuation in text nodes."""

    def __init__(self, md: Markdown, marks: FigureTexts | None, typography: bool, block_mark: str = "") -> None:
        super().__init__(md)
        self.marks, self.typography = marks, typography
        self.blocks = re.compile(re.escape(block_mark) + r"(\d+)END") if block_mark else None
        self.misplaced: list[int] = []  # the blocks (charts) whose placeholder was not in text

    def run(self, root: ET.Element) -> None:
        """Change the tree's text in place (and the stashed raw HTML, before it is sanitized)."""
        if self.blocks is not None:
            self._misplaced_in_tree(root)
        if self.marks is not None:
            _figures_in_tree(root, self.marks)
        if self.typography:
            _punctuate_tree(root)
        stash = self.md.htmlStash.rawHtmlBlocks
        for n, block in enumerate(stash):
            if isinstance(block, str):
                stash[n] = self._raw_html(block)

    def _raw_html(self, block: str) -> str:
        block = self._take_blocks(block)
        if self.marks is not None:
            marks = self.marks
            block = marks.marker.sub(lambda m: html.escape(marks.text(int(m.group(1)))), block)
        return full_width_punctuation(block) if self.typography else block

    def _take_blocks(self, value: str) -> str:
        """`value` without block placeholders, which are recorded as misplaced."""
        if self.blocks is None or not self.blocks.search(value):
            return value
        self.misplaced.extend(int(n) for n in self.blocks.findall(value))
        taken = self.blocks.sub("", value)
        return AtomicString(taken) if isinstance(value, AtomicString) else taken

    def _misplaced_in_tree(self, root: ET.Element) -> None:
        """Block placeholders in attribute values, or in the text of code, are taken out."""
        for element in root.iter():
            for key, value in element.items():
                if value:
                    element.set(key, self._take_blocks(value))
            if isinstance(element.tag, str) and element.tag.lower() in SKIPPED:
                for inner in element.iter():
                    inner.text = self._take_blocks(inner.text) if inner.text else inner.text
                    if inner is not element and inner.tail:
                        inner.tail = self._take_blocks(inner.tail)


class TextPassExtension(Extension):
    """Registers TextPass on the tree (see PRIORITY)."""

    def __init__(self, marks: FigureTexts | None = None, typography: bool = False, block_mark: str = "") -> None:
        super().__init__()
        self.marks, self.typography, self.block_mark = marks, typography, block_mark
        self.misplaced: list[int] = []  # after a conversion: the blocks TextPass took out of non-text

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        """Register the pass after attr_list and before toc."""
        processor = TextPass(md, self.marks, self.typography, self.block_mark)
        self.misplaced = processor.misplaced  # the same list, filled as the tree is processed
        md.treeprocessors.register(processor, "broadsheet_text", PRIORITY)


def _figures_in_tree(root: ET.Element, marks: FigureTexts) -> None:
    """Markers the inline pattern did not reach (code, attribute values) become the figure's text."""
    marker = marks.marker

    def figure(match: re.Match[str]) -> str:
        return marks.text(int(match.group(1)))

    for element in root.iter():
        for attr in ("text", "tail"):
            value = getattr(element, attr)
            if value and marker.search(value):
                replaced = marker.sub(figure, value)
                # code keeps its AtomicString: later processors must still leave it alone
                setattr(element, attr, AtomicString(replaced) if isinstance(value, AtomicString) else replaced)
        for key, value in element.items():
            if value and marker.search(value):
                element.set(key, marker.sub(figure, value))


def _slots(root: ET.Element) -> list[Slot | None]:
    """The text and tails of the tree in reading order; None for a skipped element (code, pre).

    Iterative: a body may nest deeply, and each level would be a frame of a recursive walk.
    """
    slots: list[Slot | None] = []
    todo: list[tuple[ET.Element, bool]] = [(root, False)]  # (element, its tail rather than itself)
    while todo:
        element, tail = todo.pop()
        if tail:
            slots.append((element, "tail"))
        elif isinstance(element.tag, str) and element.tag.lower() in SKIPPED:
            slots.append(None)
        else:
            slots.append((element, "text"))
            for child in reversed(element):
                todo.append((child, True))
                todo.append((child, False))
    return slots


def _punctuate_tree(root: ET.Element) -> None:
    """Full-width punctuation in the tree's text nodes, each seeing its neighbours across elements."""
    chain: list[Slot | None] = []
    texts: list[str | None] = []
    for slot in _slots(root):
        text = getattr(*slot) if slot is not None else None
        if slot is None or text:
            if slot is not None and not isinstance(text, AtomicString):
                text = ESCAPED_RE.sub(lambda m: chr(int(m.group(1))), text)
            chain.append(slot)
            texts.append(text)
    for slot, before, after in zip(chain, texts, punctuate_runs(texts), strict=True):
        if slot is not None and after is not None and after != before:
            setattr(slot[0], slot[1], AtomicString(after) if isinstance(before, AtomicString) else after)
