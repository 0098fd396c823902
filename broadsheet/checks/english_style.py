"""The English style list of `check`: the house's spelling of names and terms, as warnings.

content/language.yaml's `en:` section lists `prefer:` (as written: the house style), e.g.
S&P500 → S&P 500, indexes → indices, U.S. → US. Every English file of an issue (front matter
included: the title and summary are published) and the English texts of its charts.yaml are read;
a term is matched as written (case counts: NASDAQ, not Nasdaq) and whole, outside figure
expressions, comments, code and links. A line marked `<!-- keep: why -->` is left as written (a
quotation), as the Chinese lint does (language.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadsheet.checks.claims_direction import chart_text_lines
from broadsheet.checks.language import RULES_FILE, _lines
from broadsheet.core.errors import SourceError
from broadsheet.core.yamlsource import load_yaml, read_text

MAX_WARNINGS = 100  # lines with style slips reported for one file


@dataclass
class EnglishStyle:
    """The terms to write otherwise: as written → the house style, each as a whole-word regex."""

    prefer: dict[str, str] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.patterns = [(re.compile(rf"(?<![\w&.-]){re.escape(term)}(?![\w&-]|\.\w)"), term, better)
                         for term, better in sorted(self.prefer.items(), key=lambda kv: -len(kv[0]))]

    def slips(self, text: str) -> list[tuple[str, str]]:
        """(as written, house style) for each slip in one line, in order, each term once."""
        found: list[tuple[int, str, str]] = []
        taken: set[int] = set()
        for pattern, term, better in self.patterns:
            for m in pattern.finditer(text):
                span = set(range(m.start(), m.end()))
                if not span & taken:
                    taken |= span
                    found.append((m.start(), term, better))
        return list(dict.fromkeys((term, better) for _, term, better in sorted(found)))


def load_english_style(content_dir: Path) -> tuple[EnglishStyle, list[SourceError]]:
    """Read the `en:` section of content/language.yaml (absent: no style list)."""
    path = content_dir / RULES_FILE
    if not path.is_file():
        return EnglishStyle(), []
    try:
        data: Any = load_yaml(read_text(path), path) or {}
    except SourceError as exc:
        return EnglishStyle(), [exc]
    section = data.get("en") if isinstance(data, dict) else None
    prefer = section.get("prefer") if isinstance(section, dict) else None
    if section is None:
        return EnglishStyle(), []
    if not isinstance(prefer, dict):
        return EnglishStyle(), [SourceError(path, getattr(data, "lines", {}).get("en", 1),
                                            "language.yaml's `en:` holds `prefer:` (as written: house style)")]
    return EnglishStyle({str(k): str(v) for k, v in prefer.items()}), []


def _warning(path: Path, line: int, found: list[tuple[str, str]]) -> SourceError:
    listed = ", ".join(f"{written} → {better}" for written, better in found)
    return SourceError(path, line, f"not the house style: {listed}",
                       "write the house form (content/language.yaml, en: prefer:), or mark a quotation "
                       "with <!-- keep: why -->")


def lint_english(path: Path, style: EnglishStyle) -> list[SourceError]:
    """One warning per line of an English Markdown file with style slips."""
    warnings: list[SourceError] = []
    for number, text in _lines(path):
        found = style.slips(text)
        if found:
            warnings.append(_warning(path, number, found))
        if len(warnings) == MAX_WARNINGS:
            break
    return warnings


def lint_english_charts(path: Path, style: EnglishStyle) -> list[SourceError]:
    """The same for the English titles, notes and descriptions of a charts.yaml."""
    return [_warning(path, line, found) for line, lang, text in chart_text_lines(path)
            if lang == "en" and (found := style.slips(text))]
