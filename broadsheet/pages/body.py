"""`RenderedBody`: a page body converted from Markdown (pages/markdown.py makes it), as the views
and every output read it. Imports nothing else of broadsheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
