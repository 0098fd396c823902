"""Chinese typography after the W3C Requirements for Chinese Text Layout (clreq).

Editors type half-width `,` `:` `;` `?` `!` `(` `)` inside Chinese sentences; Chinese text sets
them full-width (，：；？！（）). Every text of a zh-Hant output is punctuated ONCE, as data, where
it is read, and never as markup anyone reads afterwards:

- `punctuate_runs()` takes the text nodes of a document in order (None where code breaks the
  text) and returns them punctuated. pages/textpass.py calls it on the Markdown tree of a zh-Hant
  body, before the tree is serialized and sanitized: nothing edits the sanitizer's output.
- `punctuate_text()` is one plain text: site.yaml's texts and tags.yaml's names (config.py,
  `typeset_texts()`), the front matter (content/typeset.py), the UI catalogs (i18n.py), chart
  texts (charts/step.py), source names and receipts (pages/provenance.py, receipt_words.py).
- `full_width_punctuation()` splits an HTML string into tags and text; it is used only on raw
  HTML an editor wrote (`raw_html: true`), before the sanitizer reads it.

Never inside tags or attributes, `code`/`pre`/`kbd`/`samp`, `script`, `style`, `math`, URLs,
numbers such as 40,608 or 4:30, or an English phrase between Latin letters ("Shield AI, Inc.").
The sources stay as the editor wrote them; site.yaml's `full_width_punctuation: false` turns the
pass off.

A mark is made full-width when the character after it is CJK, or the character before it is CJK
(in both cases unless it sits between two digits), or when a number stands between it and Chinese
text (`跌近 19%,4 月` → `19%，4 月`, `Q1 2025, 營收`); a run of marks next to Chinese text is made
full-width as a whole (`什麼?!` → `什麼？！`), so the pass gives the same text when run twice.
A pair of parentheses is made full-width when a Chinese letter (Han, kana, bopomofo; not
punctuation) touches either bracket, inside or outside (`指數(DXY)`, `(約 3 成)`); a pair around
Latin text only stays (`公司 (Shield AI, Inc.)`); a bracket without its pair follows the same test.
Characters are looked at across inline elements, so `<strong>漲幅</strong>:3%` counts the colon
as following a Chinese word, and `指數(<a>DXY</a>)` pairs its brackets.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markupsafe import Markup

FULL_WIDTH = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "?": "\uff1f", "!": "\uff01",
              "(": "\uff08", ")": "\uff09"}
CJK_RE = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\U00020000-\U0003134f]")
# raw-text elements and comments are taken whole; other tags one at a time
TOKEN_RE = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)
TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")
# An inline SVG's <title> and <desc> are treated like the page's text (they repeat its captions);
# the drawn <text> is not, because its layout was measured with the characters as typed.
SKIPPED = frozenset({"code", "pre", "kbd", "samp", "text", "math", "textarea", "script", "style"})
URL_RE = re.compile(r"(?:https?://|mailto:|www\.)[^\s\u3000-\u303f\uff00-\uffef]*", re.I)
PUNCT_RE = re.compile("[,:;?!()]")
MARK_RE = re.compile("[,:;?!]")
NUMBER_CHARS = frozenset(" .%\u00a0\u2009")  # what a number and its spacing hold besides digits
PAREN_RE = re.compile("[()]")
# CJK punctuation and full-width forms: CJK, but no letter a bracket is set full-width beside
CJK_PUNCT_RE = re.compile("[\u3000-\u303f\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")


def is_cjk(char: str) -> bool:
    """Is `char` a Han character, kana, bopomofo or CJK (full-width) punctuation?"""
    return bool(char) and CJK_RE.match(char) is not None


def _convert_mark(before: str, after: str) -> bool:
    """Should the mark between `before` and `after` (single characters, "" at an edge) be full-width?"""
    if before.isdigit() and after.isdigit():
        return False  # 40,608 · 4:30
    return is_cjk(after) or is_cjk(before)


def is_han(char: str) -> bool:
    """Is `char` a Chinese (or Japanese) letter: a Han character, kana or bopomofo, not punctuation?"""
    return bool(char) and CJK_RE.match(char) is not None and not CJK_PUNCT_RE.match(char)


def _protected(text: str) -> list[tuple[int, int]]:
    """The spans of `text` no mark in it is changed in: URLs."""
    return [m.span() for m in URL_RE.finditer(text)]


def _brackets(text: str, protected: list[tuple[int, int]]) -> list[int]:
    """The positions of the parentheses of `text` to make full-width: a matched pair when a Chinese
    letter touches either of its brackets, inside or outside ("指數(DXY)", "(約 3 成)"); a lone
    bracket when one touches it. A pair around Latin text only ("公司 (Shield AI, Inc.)") stays."""
    touched = lambda i: is_han(text[i - 1] if i > 0 else "") or is_han(text[i + 1: i + 2])  # noqa: E731
    out: list[int] = []
    opened: list[int] = []
    for m in PAREN_RE.finditer(text):
        i = m.start()
        if any(start <= i < end for start, end in protected):
            continue
        if text[i] == "(":
            opened.append(i)
        elif opened:
            j = opened.pop()
            if touched(j) or touched(i):
                out += [j, i]
        elif touched(i):
            out.append(i)
    out += [j for j in opened if touched(j)]
    return out


def punctuate_text(text: str, before: str = "", after: str = "") -> str:
    """Full-width marks in plain `text`; `before`/`after` are the characters around it, if any."""
    return _punctuate(text, before, after, _protected(text))


def _punctuate(text: str, before: str, after: str, protected: list[tuple[int, int]]) -> str:
    """`punctuate_text()` with the spans left alone given: the same length, mark for mark."""
    if not PUNCT_RE.search(text):
        return text
    chars = list(text)
    for i in _brackets(text, protected):
        chars[i] = FULL_WIDTH[chars[i]]
    marks = [m.start() for m in MARK_RE.finditer(text)
             if not any(start <= m.start() < end for start, end in protected)]

    def around(i: int) -> tuple[str, str]:
        return (chars[i - 1] if i > 0 else before), (chars[i + 1] if i + 1 < len(chars) else after)

    def past_number(i: int, step: int) -> str:
        """The first character from the mark past a number and spaces ("跌近 19%,4 月": 近, 月)."""
        j = i + step
        while 0 <= j < len(chars) and (chars[j].isdigit() or chars[j] in NUMBER_CHARS):
            j += step
        return chars[j] if 0 <= j < len(chars) else (before if step < 0 else after)

    def convert(i: int) -> bool:
        first, last = around(i)
        if _convert_mark(first, last) or (first.isdigit() and last.isdigit()):
            return _convert_mark(first, last)
        return is_cjk(past_number(i, -1)) or is_cjk(past_number(i, 1))

    # Forward, a mark sees the marks before it as already made; backward, those after it: a run of
    # marks touching Chinese text is made full-width whole, and a second pass changes nothing.
    for i in (*marks, *reversed(marks)):
        if chars[i] in FULL_WIDTH and convert(i):
            chars[i] = FULL_WIDTH[chars[i]]
    return "".join(chars)


def punctuate_runs(texts: list[str | None]) -> list[str | None]:
    """The text nodes of one document, in order, punctuated; None breaks the text (code, a script).

    The texts between two breaks are read as one text (a pair of parentheses may open in one
    element and close in another: `指數(<a>DXY</a>)`); URLs are found in each text on its own.
    """
    out = list(texts)
    run: list[int] = []
    for k in [*range(len(texts)), None]:
        if k is not None and texts[k] is not None:
            run.append(k)
            continue
        if run:
            joined = "".join(texts[n] or "" for n in run)
            protected, start = [], 0
            for n in run:
                protected += [(start + a, start + b) for a, b in _protected(texts[n] or "")]
                start += len(texts[n] or "")
            done, start = _punctuate(joined, "", "", protected), 0
            for n in run:
                out[n] = done[start:start + len(texts[n] or "")]
                start += len(texts[n] or "")
        run = []
    return out


def _tokens(markup: str) -> list[tuple[str, str]]:
    """Split HTML into (kind, source) tokens: kind "tag" or "text"."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in TOKEN_RE.finditer(markup):
        if m.start() > pos:
            out.append(("text", markup[pos:m.start()]))
        out.append(("tag", m.group()))
        pos = m.end()
    if pos < len(markup):
        out.append(("text", markup[pos:]))
    return out


def _unescaped(source: str) -> str:
    return html.unescape(source) if "&" in source else source


def _skip_depth(tag: str, depth: int) -> int:
    """The nesting depth of skipped elements (code, pre, svg…) after `tag`."""
    m = TAG_NAME_RE.match(tag)
    if not m or m.group(2).lower() not in SKIPPED or tag.endswith("/>") or "</" in tag[2:]:
        return depth  # not skipped, self-closing, or a whole <script>/<style> element
    return max(depth - 1, 0) if m.group(1) else depth + 1


def _chain(tokens: list[tuple[str, str]]) -> list[int | None]:
    """The text tokens to treat, in order; None where skipped content (code, a script) breaks the text."""
    chain: list[int | None] = []
    depth = 0
    for n, (kind, source) in enumerate(tokens):
        if kind == "tag":
            if source[1] in "/" + "cCpPkKsStTmM":  # only these tags can open or close a skipped element
                depth = _skip_depth(source, depth)
            if source[:7].lower() in ("<script", "<style>", "<style "):
                chain.append(None)
        else:
            chain.append(None if depth else n)
    return chain


def full_width_punctuation(markup: str) -> str:
    """Return HTML `markup` with the half-width marks of its Chinese text made full-width.

    For raw HTML an editor wrote, before the sanitizer reads it (pages/textpass.py): a regular
    expression tells tags from text, which is not how a browser parses HTML, so its output must
    never be trusted as markup. Bodies made from Markdown are punctuated on their tree instead.
    """
    if not PUNCT_RE.search(markup):
        return markup
    tokens = _tokens(markup)
    chain = _chain(tokens)
    texts = [_unescaped(tokens[n][1]) if n is not None else None for n in chain]
    done = punctuate_runs(texts)
    out = [source for _, source in tokens]
    for n, before, after in zip(chain, texts, done, strict=True):
        if n is not None and after != before:
            out[n] = html.escape(after or "", quote=False)
    return "".join(out)


def typeset_texts(texts: dict[str, str], chinese: frozenset[str]) -> dict[str, str]:
    """A text per language code, those of the `chinese` editions punctuated (site.yaml, tags.yaml)."""
    return {code: punctuate_text(text) if code in chinese else text for code, text in texts.items()}


def applies(enabled: bool, html_lang: str) -> bool:
    """Does an edition get the pass: site.yaml's `full_width_punctuation`, on Chinese editions."""
    return enabled and html_lang.startswith("zh")


def clreq_filter(enabled: bool) -> Callable[[object], object]:
    """A Jinja filter for one edition: the pass on plain text, which Jinja then escapes.

    For text a template would put together itself: every text reaches the templates punctuated
    already (a second pass changes nothing). Markup passes through unchanged: markup is never
    edited as a string.
    """

    def apply(value: object) -> object:
        if not enabled or value is None or isinstance(value, Markup):
            return value
        return punctuate_text(str(value))

    return apply
