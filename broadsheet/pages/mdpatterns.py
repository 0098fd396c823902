"""Python-Markdown's inline patterns, only those a text can match (issue 27). Imports nothing else
of broadsheet.

Python-Markdown tries each of its inline patterns (code, escapes, links, images, autolinks,
entities, line breaks, emphasis: 15 with the extensions a page uses) on every run of text of a
document, again after each match; a page's prose holds few of them: most paragraphs are plain
text, figures and a link or two. A pattern none of whose matches can occur in the text is left
out for that text: every match of `link` holds a `[`, so a text without `[` keeps no link
pattern. The text is read as written, by a preprocessor that runs before every other one: the
preprocessors, the block parser and the tree processors only remove characters from it (a
quote's `>`, a list's indent, raw HTML stashed, whose Markdown inside `markdown="1"` is read
later) or add elements whose text the inline patterns do not read, so a character the text lacks
is in no run that they read. Whitespace is the exception: tabs are expanded and line ends
normalised first, so a line break is kept whenever a tab or a carriage return is in the text.
Patterns not named in NEEDS are always kept.

The output is byte-identical to the full set's (tests/test_markdown_patterns.py compares both on
the docs' examples, the first issue and random texts).
"""

from __future__ import annotations

import markdown
from markdown.preprocessors import Preprocessor

# Python-Markdown's pattern names (and md_in_html's, footnotes') → the strings one of which every
# match of the pattern holds
NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "short_reference": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "linebreak": ("  \n", "\t", "\r"),  # two spaces at a line's end; a tab expands to spaces
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "em_strong2": ("_",),
    "not_strong": ("*", "_"),
}
FIRST = 1_000  # the preprocessor's priority: before every other one (normalize_whitespace is 30)


class _KeepMatchable(Preprocessor):
    """Deregisters the inline patterns the document's text, as written, cannot match (it changes no line)."""

    def run(self, lines: list[str]) -> list[str]:
        """Read the text once per pattern's needs; drop the patterns that cannot match."""
        text = "\n".join(lines)
        present: dict[str, bool] = {}
        for name, needs in NEEDS.items():
            if name in self.md.inlinePatterns and not any(
                    present.setdefault(need, need in text) for need in needs):
                self.md.inlinePatterns.deregister(name)
        return lines


class MatchablePatterns(markdown.Extension):
    """Python-Markdown with only the inline patterns the text can match."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        """Add the preprocessor that trims the inline patterns."""
        md.preprocessors.register(_KeepMatchable(md), "broadsheet_matchable_patterns", FIRST)
