"""Quotations of `check`: words in quotation marks attributed to a named person need a source.

A quotation is attributed when a speech verb (說, 表示, 指出, 稱; said, told, wrote: content/claims.yaml)
stands right before its opening mark (表示:「…」, said: "…") or right after its closing one ("…," he
said), and the sentence names someone before the verb: a name in Latin letters (Jamie Dimon) or a
title (執行長, economist). Short quotations (a term in quotation marks, 「技術性熊市」) are not read.
Such a quotation needs a `<!-- source: publication, date, URL -->` mark after it, on its line or
alone on the next line (content/quotes.py reads the marks; the page lists their sources).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from broadsheet.checks.claim_words import ClaimWords, LanguageWords
from broadsheet.content.issues import Page
from broadsheet.content.quotes import SOURCE_RE
from broadsheet.core.errors import SourceError
from broadsheet.core.spans import unnested

QUOTE_RE = re.compile(r"「(?P<a>[^「」]{1,2000})」|“(?P<b>[^“”]{1,2000})”|\"(?P<c>[^\"]{1,2000})\"")
COMMENT_RE = re.compile(unnested("<!--", "-->"))
EXPRESSION_RE = re.compile(unnested("{{", "}}"))
NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z.]+)+\b")  # Jamie Dimon, Jim Bianco
MIN_CJK = 8  # characters a Chinese quotation needs to be more than a term
MIN_WORDS = 4  # words an English one needs
BEFORE = 24  # characters between a verb and the quotation's opening mark (表示:「, said publicly this week: ")
AFTER = 4  # characters between a quotation's closing mark and the verb after it (", he said)
NAME_REACH = 200  # characters before a quotation where its speaker and verb are looked for
MAX_QUOTES = 50  # quotations read on one line (a line of a few thousand quotation marks is no prose)
HINT = "add <!-- source: publication, date, URL --> after it, or paraphrase without quotation marks"


def _long_enough(quoted: str, english: bool) -> bool:
    return len(quoted.split()) >= MIN_WORDS if english else len(re.sub(r"\s", "", quoted)) >= MIN_CJK


def _named(text: str, words: LanguageWords) -> bool:
    return bool(NAME_RE.search(text)) or bool(words.titles and words.titles.search(text))


def attributed_quotes(line: str, words: LanguageWords) -> Iterator[re.Match[str]]:
    """The quotations of one line of prose attributed to a named person."""
    if words.verbs is None:
        return
    for n, m in enumerate(QUOTE_RE.finditer(line)):
        if n == MAX_QUOTES:
            return
        quoted = m.group("a") or m.group("b") or m.group("c") or ""
        if not _long_enough(quoted, words.english):
            continue
        before = line[max(0, m.start() - NAME_REACH):m.start()]
        verb_before = [v for v in words.verbs.finditer(before) if len(before) - v.end() <= BEFORE]
        if verb_before and _named(before[:verb_before[-1].start()], words):
            yield m
            continue
        verb_after = words.verbs.search(line[m.end():m.end() + AFTER + 12])
        if verb_after and verb_after.start() <= AFTER and _named(line[m.end():m.end() + 80] + " " + before, words):
            yield m


def _lines(page: Page) -> Iterator[tuple[int, str, str]]:
    """(file line, raw line, prose) of a page body: fenced code left out; comments and figures masked."""
    fence: str | None = None
    for n, raw in enumerate(page.body.split("\n")):
        stripped = raw.strip()
        if fence or stripped.startswith(("```", "~~~")):
            fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
            continue
        prose = EXPRESSION_RE.sub(lambda e: " " * len(e.group()), COMMENT_RE.sub(lambda c: " " * len(c.group()), raw))
        yield page.body_line + n, raw, prose


def check_quotations(page: Page, words: ClaimWords) -> list[SourceError]:
    """A warning for each quotation attributed to a named person with no source mark after it."""
    lang_words = words.of(page.lang)
    if lang_words is None:
        return []
    lines = list(_lines(page))
    problems: list[SourceError] = []
    for i, (line, raw, prose) in enumerate(lines):
        for quote in attributed_quotes(prose, lang_words):
            after = raw[quote.end():]
            following = lines[i + 1][1] if i + 1 < len(lines) else ""
            if SOURCE_RE.search(after) or (SOURCE_RE.search(following) and not COMMENT_RE.sub("", following).strip()):
                continue
            shown = quote.group()[:40] + ("…" if len(quote.group()) > 40 else "")
            problems.append(SourceError(page.src_path, line, f"a quotation attributed to a named person has no "
                                                             f"source: {shown}", HINT))
    return problems
