"""Where a quotation comes from: the `<!-- source: publication, date, URL -->` marks of a page.

A quotation attributed to a named person carries a source mark after it, on its line or alone on
the next line. checks/quotations.py warns about a quotation without one; pages/provenance.py
lists each source with the page's data sources, so readers see where the words were said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from broadsheet.core.spans import unnested

SOURCE_RE = re.compile(unnested("<!--", "-->", then=r"\s*source\s*:"), re.I)
URL_RE = re.compile(r"https?://[^\s,<>]+")


@dataclass(frozen=True)
class QuoteSource:
    """One source mark: what it names (publication and date, as written) and its address."""

    line: int  # the file line of the mark
    text: str  # e.g. "JPMorgan Chase, first-quarter 2025 earnings call, 2025-04-11"
    url: str = ""


def read_source(mark: str, line: int) -> QuoteSource | None:
    """The source a mark names; None when it names nothing (`<!-- source: -->`)."""
    inner = re.sub(r"^<!--\s*source\s*:", "", mark, flags=re.I).removesuffix("-->").strip()
    url_match = URL_RE.search(inner)
    url = url_match.group().rstrip(".") if url_match else ""
    text = re.sub(r"[\s,;]+$", "", URL_RE.sub("", inner)).strip(" ,;")
    return QuoteSource(line, text, url) if text else None


def source_marks(body: str, body_line: int = 1) -> list[QuoteSource]:
    """Every source mark of a page body, in order (`body_line`: the file line the body starts on)."""
    found: list[QuoteSource] = []
    for n, raw in enumerate(body.split("\n")):
        for m in SOURCE_RE.finditer(raw):
            source = read_source(m.group(), body_line + n)
            if source is not None:
                found.append(source)
    return found
