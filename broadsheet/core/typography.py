"""Chinese typography after the W3C Requirements for Chinese Text Layout (clreq).

Editors type half-width `,` `:` `;` `?` `!` inside Chinese sentences; Chinese text sets them
full-width (，：；？！). `full_width_punctuation()` does that on a zh-Hant page's HTML at render
time, in text nodes only: never inside tags or attributes, `code`/`pre`/`kbd`/`samp`, `script`,
`style`, the drawn text of inline SVG (`text`), `math`, URLs, numbers such as 40,608 or 4:30, or
an English phrase between Latin letters ("Shield AI, Inc."). The Markdown source stays as the
editor wrote it; site.yaml's `full_width_punctuation: false` turns the pass off.

A mark is made full-width when the character after it is CJK, or the character before it is CJK
(in both cases unless it sits between two digits). Characters are looked at across inline tags,
so `<strong>漲幅</strong>:3%` counts the colon as following a Chinese word.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

FULL_WIDTH = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "?": "\uff1f", "!": "\uff01"}
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
PUNCT_RE = re.compile("[,:;?!]")


def is_cjk(char: str) -> bool:
    """Is `char` a Han character, kana, bopomofo or CJK (full-width) punctuation?"""
    return bool(char) and CJK_RE.match(char) is not None


def _convert_mark(before: str, after: str) -> bool:
    """Should the mark between `before` and `after` (single characters, "" at an edge) be full-width?"""
    if before.isdigit() and after.isdigit():
        return False  # 40,608 · 4:30
    return is_cjk(after) or is_cjk(before)


def punctuate_text(text: str, before: str = "", after: str = "") -> str:
    """Full-width marks in plain `text`; `before`/`after` are the characters around it, if any."""
    if not PUNCT_RE.search(text):
        return text
    protected = [m.span() for m in URL_RE.finditer(text)]
    chars = list(text)
    for m in PUNCT_RE.finditer(text):
        i = m.start()
        if any(start <= i < end for start, end in protected):
            continue
        prev = text[i - 1] if i > 0 else before
        nxt = text[i + 1] if i + 1 < len(text) else after
        if _convert_mark(prev, nxt):
            chars[i] = FULL_WIDTH[text[i]]
    return "".join(chars)


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
    """Return HTML `markup` with the half-width marks of its Chinese text made full-width."""
    if not PUNCT_RE.search(markup):
        return markup
    tokens = _tokens(markup)
    chain = _chain(tokens)
    out = [source for _, source in tokens]

    def text_at(k: int) -> str:
        n = chain[k] if 0 <= k < len(chain) else None
        return _unescaped(tokens[n][1]) if n is not None else ""

    for k, n in enumerate(chain):
        # most text holds no half-width mark (written as itself or as a numeric entity)
        if n is None or not (PUNCT_RE.search(tokens[n][1]) or "&#" in tokens[n][1]):
            continue
        text = _unescaped(tokens[n][1])
        done = punctuate_text(text, text_at(k - 1)[-1:], text_at(k + 1)[:1])
        if done != text:
            out[n] = html.escape(done, quote=False)
    return "".join(out)


def clreq_filter(enabled: bool):
    """A Jinja filter for one edition: the pass on Markup (HTML) or plain text, or nothing."""

    def apply(value: object) -> object:
        if not enabled or value is None:
            return value
        if isinstance(value, Markup):
            return Markup(full_width_punctuation(str(value)))
        return punctuate_text(str(value))

    return apply
