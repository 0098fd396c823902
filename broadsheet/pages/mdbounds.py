"""Python-Markdown's slow paths, each made linear (issue 25). Imports nothing else of broadsheet.

core/limits.py's `markdown_shape()` refuses a body of absurd shape before it is read (lines,
block size, markup); these are the paths that were still quadratic inside those limits:

- an inline link or image reads its target (`](…)`) from the `(` up to the `)` that closes it,
  a character at a time in Python; with no `)`, to the end of the paragraph, from every `](`
  (`[a](` repeated, 50 KB: 47 s). Here it reads no further than the next `](`: a link's target
  may not hold `](`, and every `](` of a paragraph is read once.
- a footnote reference (`[^id]`) and a footnote definition read up to the next `]` from every
  `[^`; here an id stops at the next `[` (an id cannot hold one).
- with `raw_html: true`, the HTML parser reads a start tag from every `<` that could open one up
  to its `>`; with none, to the end of the text, and then again from the next `<` (`<a ` repeated,
  29 KB: 12 s). Here a tag is read no further than MAX_TAG characters: a longer one is cut there
  or is text (and the sanitizer has the last word either way).
"""

from __future__ import annotations

import re
from typing import Any

import markdown
from markdown.extensions.md_in_html import HtmlBlockPreprocessor, HTMLExtractorExtra
from markdown.inlinepatterns import IMAGE_LINK_RE, LINK_RE, ImageInlineProcessor, LinkInlineProcessor

MAX_TAG = 1_000  # characters of a raw HTML start tag, attributes included

# footnotes.py's patterns, with an id that does not reach across another `[`
FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\[]*)\]", re.DOTALL | re.UNICODE)
FOOTNOTE_DEF_RE = re.compile(r"^[ ]{0,3}\[\^([^\]\[]*)\]:[ ]*(.*)$", re.MULTILINE)


class _BoundedTarget:
    """getLink() that reads a link's target no further than the next `](` of the text."""

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:  # noqa: N802 (Python-Markdown's)
        """Python-Markdown's getLink on the text from `index` to the next `](` (the same result
        whenever the target holds no `](`)."""
        end = data.find("](", index)
        if end < 0:
            return super().getLink(data, index)  # type: ignore[misc]  # the rest of the text, read once
        href, title, stop, handled = super().getLink(data[index:end], 0)  # type: ignore[misc]
        return href, title, index + stop, handled


class BoundedLink(_BoundedTarget, LinkInlineProcessor):
    """`[text](target)` with a bounded target."""


class BoundedImage(_BoundedTarget, ImageInlineProcessor):
    """`![alt](target)` with a bounded target."""


class _BoundedTags(HTMLExtractorExtra):
    """md_in_html's HTML extractor, reading a start tag no further than MAX_TAG characters."""

    def check_for_whole_start_tag(self, i: int) -> int:
        """html.parser's answer for the tag at `i`, read from its first MAX_TAG characters (the same
        for any shorter tag; a longer one ends where the text read does, or is text)."""
        text = self.rawdata
        self.rawdata = text[i:i + MAX_TAG]  # what it reads: a copy of at most MAX_TAG characters
        try:
            end = super().check_for_whole_start_tag(0)
        finally:
            self.rawdata = text
        return end + i if end >= 0 else end


class _BoundedHtmlBlocks(HtmlBlockPreprocessor):
    """md_in_html's raw HTML preprocessor, with the bounded extractor."""

    def run(self, lines: list[str]) -> list[str]:
        """As md_in_html's run()."""
        parser = _BoundedTags(self.md)
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


class BoundedMarkdown(markdown.Extension):
    """Replaces the inline link and image processors and md_in_html's raw HTML reader, and bounds
    the footnote patterns; register it after the footnotes and md_in_html extensions."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        """Swap the processors in place, at the same priorities."""
        md.inlinePatterns.register(BoundedLink(LINK_RE, md), "link", 160)
        md.inlinePatterns.register(BoundedImage(IMAGE_LINK_RE, md), "image_link", 150)
        if "footnote" in md.inlinePatterns:
            footnote: Any = md.inlinePatterns["footnote"]
            footnote.compiled_re = FOOTNOTE_REF_RE
        # md_in_html's raw HTML reader (SafeMarkdown removes it when raw HTML is off)
        if "html_block" in md.preprocessors and isinstance(md.preprocessors["html_block"], HtmlBlockPreprocessor):
            md.preprocessors.register(_BoundedHtmlBlocks(md), "html_block", 20)
        if "footnote" in md.parser.blockprocessors:
            definitions: Any = md.parser.blockprocessors["footnote"]
            definitions.RE = FOOTNOTE_DEF_RE
