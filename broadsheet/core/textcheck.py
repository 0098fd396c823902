"""Characters that text from content and data may not hold.

Control characters (other than tab and newline) make RSS and Atom invalid XML and have no
meaning in prose, so they are refused wherever text comes from: the Markdown body here, YAML
values in yamlsource.py. Bidi overrides and zero-width characters are invisible and can make a
title, tag or slug read differently from what it is (or two tags look the same), so they are
refused in those. Text that ends up as a CSV cell (the data files, each issue's data.csv) may not
begin like a spreadsheet formula (formula_problem); a one-line text such as a data cell or
`data add --source` holds no control character, line break, bidi or zero-width character
(char_problem).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from broadsheet.core.errors import SourceError

# C0 and C1 controls and DEL, except tab and newline; U+FFFE/U+FFFF are not characters in XML
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
# bidi embeddings, overrides and isolates; zero-width space, joiners, word joiner, BOM
INVISIBLE_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff\u061c\u200e\u200f]")
MAX_REPORTED = 5  # lines of one file reported for the same problem
PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # 5158.20, -0.4: ASCII digits only
# what a spreadsheet reads as the start of a formula (OWASP's list: = + - @, tab, carriage return),
# and their full-width forms, which a CJK input method types and some spreadsheets take the same way
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
FORMULA_HINT = "a cell may begin with =, +, - or @ only as a number such as -1.5; reword it, e.g. 'minus 2'"


def describe(char: str) -> str:
    """`U+0001` with the character's name when it has one."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def control_problem(text: str) -> str | None:
    """Why `text` may not be used, or None (a control character other than tab or newline)."""
    match = CONTROL_RE.search(text)
    if match is None:
        return None
    return f"control character {describe(match.group())} is not allowed in text"


def formula_problem(text: str) -> str | None:
    """Why a cell would run as a formula in a spreadsheet, or None.

    Only a whole plain number may begin with a sign: `-1.5` is a number, `-2+3+cmd|' /C calc'!A0`
    (a known payload) begins like one and is a formula. Leading spaces are looked through: a
    spreadsheet told to trim them would see the formula.
    """
    start = text.lstrip(" ")
    if start[:1] not in FORMULA_START or PLAIN_NUMBER_RE.fullmatch(start.strip()):
        return None
    return "would start a formula in a spreadsheet"


def char_problem(text: str) -> str | None:
    """What is wrong with the characters of a one-line text, or None: a control character (a
    terminal acts on ESC and BEL; feeds become invalid XML), a tab or line break (one line, one
    field), a bidi or zero-width character (the text would read as something it is not)."""
    if (match := CONTROL_RE.search(text)) is not None or (match := re.search("[\t]", text)) is not None:
        return f"holds the control character {describe(match.group())}"
    if (match := re.search("[\n\u2028\u2029]", text)) is not None:
        return f"holds the line break {describe(match.group())}"
    if (match := INVISIBLE_RE.search(text)) is not None:
        return f"holds the invisible character {describe(match.group())}"
    return None


class Meta(Protocol):
    """The front matter fields checked here (content.FrontMatter)."""

    title: str
    slug: str
    tags: tuple[str, ...]


def unsafe_text(text: str, meta: Meta, path: Path) -> list[SourceError]:
    """Problems with the characters of one content file: its text and its parsed front matter."""
    found: list[SourceError] = []
    if CONTROL_RE.search(text) is None and not any(INVISIBLE_RE.search(v) for v in (meta.title, meta.slug,
                                                                                 *meta.tags)):
        return found  # the common case: one scan of the whole text, no per-line work
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        problem = control_problem(line)
        if problem:
            found.append(SourceError(path, number, problem, "remove it; it would make the feeds invalid XML"))
        if len(found) >= MAX_REPORTED:
            break
    for key, values in (("title", [meta.title]), ("slug", [meta.slug]), ("tags", meta.tags)):
        found += _invisible(key, values, lines, path)
    return found


def _invisible(key: str, values: Iterable[str], lines: list[str], path: Path) -> list[SourceError]:
    for value in values:
        match = INVISIBLE_RE.search(value)
        if match:
            return [SourceError(path, _field_line(lines, key),
                                f"{key} holds the invisible character {describe(match.group())}",
                                "bidi controls and zero-width characters are not allowed in titles, "
                                "tags and slugs; retype the text")]
    return []


def _field_line(lines: list[str], key: str) -> int:
    """The line of `key:` in the front matter (2 when it cannot be found)."""
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            break
        if re.match(rf"\s*{key}\s*:", line):
            return number
    return 2
