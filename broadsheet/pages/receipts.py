"""A receipt for every number: what each figure on a page was computed from, and editors' notes.

While a page's figures are evaluated, `FigureMarks` pairs each expression with the calls the
figure functions recorded (`FigureUse`: series, dates, values) and the series' source. Each receipt
is also written in plain language (receipt_words.py). The page shows each figure as a
`<button class="fig" value="…">` whose accessible name is the number and whose description is
its receipt, a popover the issue template lists after the body (opened by a tap, a click, Enter
or Space, without JavaScript); "the data behind this issue" (data.csv, data.json) lists the same
receipts, one row per figure. A `<!-- reviewed: why -->` mark becomes an editor's
note after the paragraph or list it marks: the reason as written (its figures computed), then the
sources of the figures it quotes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, ClassVar

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from broadsheet.core.spans import spans, strip_spans
from broadsheet.pages.receipt_words import ReceiptWriter

if TYPE_CHECKING:
    from broadsheet.data.store import DataStore
    from broadsheet.figures.uses import FigureUse

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: never in an editor's text
MARK_RE = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")
# a `<!-- reviewed: why -->` mark is this, the reason, then `-->` (core/spans.py: linear time)
REVIEWED_OPEN = re.compile(r"<!--\s*reviewed\s*:", re.I)
# (note title, before the sources, after them) per language; other languages read English
NOTE_WORDS = {"zh-Hant": ("編者註", "資料來源:", "。"), "en": ("Editor's note", " Source: ", ".")}
CSV_COLUMNS = ("n", "line", "expression", "text", "function", "series", "dates", "values", "field",
               "source", "source_url", "span")
# a range figure's receipt: "lowest close of 2025-04-07 … 2025-04-11: 2025-04-08 4,982.77"
SPAN_WORDS = {"low": "lowest", "low_date": "lowest", "high": "highest", "high_date": "highest"}
DAY_FUNCTIONS = ("low_date", "high_date")  # figures that print a day, not a number
RECEIPT_ID = "receipt-{n}"  # the popover of figure n on the page (sanitize.py keeps editors off the prefix)
# a figure inside one of these cannot be a button (interactive content may not nest): it stays a <data>
NO_BUTTON_INSIDE = frozenset({"a", "button"})


@dataclass(frozen=True)
class Receipt:
    """One figure on a page: the expression, what it printed, and the data it came from."""

    n: int  # order on the page, from 1
    line: int  # line of the Markdown file
    expression: str
    text: str  # as printed
    function: str
    series: tuple[str, ...]
    dates: tuple[str, ...]  # ISO dates of the values used, in order
    values: tuple[float, ...]
    field: str = ""  # a release's field (actual, consensus, prior)
    source: str = ""
    source_url: str = ""
    span: tuple[str, ...] = ()  # a range figure's first and last trading day (ISO)
    receipt: str = ""  # in plain language, in the page's language (receipt_words.py)
    source_line: str = ""  # "資料來源：…" / "Source: …"
    revised: str = ""  # a figure kept as published: "as published on …; the data has since been revised to …"

    @property
    def anchor(self) -> str:
        """The id of the figure's receipt on the page."""
        return RECEIPT_ID.format(n=self.n)

    def describe(self) -> str:
        """The receipt as one technical line (function, series, ISO dates, values, source)."""
        used = " → ".join(f"{d} {_number(v)}" for d, v in zip(self.dates, self.values, strict=False))
        if self.function == "release" and self.values:
            used = f"{self.field} {_number(self.values[0])} (released {self.dates[0]})"
        if self.span:
            used = f"{SPAN_WORDS.get(self.function, 'the')} close of {' … '.join(self.span)}: {used}"
        what = f"{self.function}({', '.join(self.series)}): {used}".strip()
        what = f"{what} · {self.source}" if self.source else what
        return f"{what} · {self.revised}" if self.revised else what


def _number(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".")


@dataclass
class FigureMarks:
    """Collects the receipts of one page while its figures are evaluated (see markdown.py)."""

    uses: list[FigureUse]  # the FigureFunctions' record, appended to by every call
    store: DataStore | None
    lang: str
    preview: bool = False  # serve: the receipt starts with the expression
    locale: str = "en_US"  # Babel's, for the plain-language receipt
    full_width: bool = False  # a Chinese edition's receipts with full-width punctuation (typography.py)
    receipts: list[Receipt] = field(default_factory=list)
    _seen: int = 0
    _writer: ReceiptWriter | None = None
    marker: ClassVar[re.Pattern[str]] = MARK_RE  # what figure() puts in the text (textpass.py reads it)

    def figure(self, expression: str, line: int, text: str) -> str:
        """Record the figure just evaluated; return the marker the Markdown stage turns into <data>."""
        new, self._seen = self.uses[self._seen:], len(self.uses)
        series = tuple(dict.fromkeys(u.series for u in new))
        dates = tuple(d.isoformat() for u in new for d in u.dates)
        values = tuple(v for u in new for v in u.values)
        first = new[0] if new else None
        span = tuple(d.isoformat() for d in first.span) if first else ()
        source, url = self._source(series)
        if self._writer is None:
            self._writer = ReceiptWriter(self.store.catalog if self.store else None, self.lang, self.locale,
                                         self.full_width)
        self.receipts.append(Receipt(
            n=len(self.receipts) + 1, line=line, expression=f"{{{{ {expression.strip()} }}}}", text=text,
            function=first.function if first else "", series=series, dates=dates, values=values,
            field=str(dict(first.kwargs).get("field", "")) if first else "", source=source, source_url=url,
            span=span, receipt=self._writer.describe(new), source_line=self._writer.source(source)))
        if first is not None and first.revised:  # the figure prints its published text (figures/published.py)
            kept = self.receipts[-1]
            self.receipts[-1] = replace(kept, revised=first.revised,
                                        receipt=self._writer.words["join"].join([kept.receipt, first.revised]))
        return f"{MARK_OPEN}{len(self.receipts) - 1}{MARK_CLOSE}"

    def _source(self, series: tuple[str, ...]) -> tuple[str, str]:
        if self.store is None:
            return "", ""
        found = [self.store.catalog.source_of(s, self.lang) for s in series]
        names = [f for f in found if f is not None]
        return ("; ".join(dict.fromkeys(n for n, _ in names)), next((u for _, u in names if u), ""))

    def attrs(self, index: int) -> dict[str, str]:
        """The attributes of a figure's <data> element."""
        receipt = self.receipts[index]
        # <data value>: the number itself when one value was used (the day, ISO, for a figure that
        # prints a day: low_date), else the figure as printed
        value = _number(receipt.values[0]).replace(",", "") if len(receipt.values) == 1 else receipt.text
        if receipt.function in DAY_FUNCTIONS and receipt.dates:
            value = receipt.dates[0]
        return {"class": "fig", "value": value}

    def button(self, index: int) -> dict[str, str]:
        """The attributes of a figure as a button (one element, as the <data> was): its value, and
        the receipt it opens and is described by."""
        anchor = self.receipts[index].anchor
        return {"type": "button", **self.attrs(index), "popovertarget": anchor, "aria-describedby": anchor}

    def text(self, index: int) -> str:
        """What a figure prints."""
        return self.receipts[index].text

    def note(self, why: str) -> str:
        """An editor's note (Markdown, an admonition) from a reviewed mark's reason."""
        title, before, after = NOTE_WORDS.get(self.lang, NOTE_WORDS["en"])
        text = " ".join(why.split())
        sources = [self.receipts[int(n)].source for n in MARK_RE.findall(text)]
        sources = [s for s in dict.fromkeys(sources) if s]
        if sources:
            text += f"{before}{'; '.join(sources)}{after}"
        return f'!!! editor-note "{title}"\n    {text}\n'


def place_notes(text: str, note: Any) -> str:
    """Put each `<!-- reviewed: why -->` note after the paragraph or list it marks (as Markdown)."""
    lines = text.split("\n")
    inserts: dict[int, list[str]] = {}
    for number, line in enumerate(lines):
        for span in spans(line, REVIEWED_OPEN, "-->"):
            why = span.inner(line).strip()
            if why:
                inserts.setdefault(_block_end(lines, number), []).append(note(why))
    if not inserts:
        return text
    out: list[str] = []
    for number, line in enumerate(lines):
        out.append(line)
        for made in inserts.get(number, []):
            out.extend(["", *made.rstrip("\n").split("\n"), ""])
    return "\n".join(out)


def _block_end(lines: list[str], start: int) -> int:
    """The last line of the block that holds line `start` (or follows it, for a mark on its own line)."""
    n = start
    seen_text = bool(strip_spans(lines[start], REVIEWED_OPEN, "-->").strip())
    while n + 1 < len(lines):
        nxt = lines[n + 1]
        if not nxt.strip():
            if seen_text:
                return n
        else:
            seen_text = True
        n += 1
    return n


# --- the data behind an issue ----------------------------------------------------------------------
def _fields(receipt: Receipt) -> dict[str, Any]:
    """A receipt's fields by name (asdict would deep-copy every tuple: seconds over a big site)."""
    return {f.name: getattr(receipt, f.name) for f in fields(receipt)}


def receipts_json(issue: str, lang: str, as_of: dt.date | None, receipts: list[Receipt]) -> bytes:
    """Every figure an edition quotes, as JSON."""
    rows = [{**_fields(r), "series": list(r.series), "dates": list(r.dates), "values": list(r.values),
             "source_url": r.source_url or None} for r in receipts]
    head = json.dumps({"issue": issue, "language": lang, "as_of": as_of.isoformat() if as_of else None},
                      ensure_ascii=False)
    # one figure per line, each encoded compactly: readable, and in C (indent= takes the Python encoder)
    figures = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    return (head[:-1] + (', "figures": [\n' + figures + "\n]}\n" if rows else ', "figures": []}\n')).encode("utf-8")


def receipts_csv(receipts: list[Receipt]) -> bytes:
    """Every figure an edition quotes, one CSV row each (lists joined with `|`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in receipts:
        row = _fields(r)
        writer.writerow(["|".join(_number(x).replace(",", "") if isinstance(x, float) else str(x) for x in v)
                         if isinstance(v, tuple) else v for v in (row[c] for c in CSV_COLUMNS)])
    return out.getvalue().encode("utf-8")


# --- the Markdown side: markers become <data> elements, then buttons ------------------------------
class _FigureProcessor(InlineProcessor):
    def __init__(self, marks: FigureMarks, made: dict[ET.Element, int]):
        super().__init__(MARK_RE.pattern)
        self.marks, self.made = marks, made

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[ET.Element, int, int]:  # noqa: N802
        index = int(m.group(1))
        element = ET.Element("data", self.marks.attrs(index))
        element.text = self.marks.text(index)
        self.made[element] = index
        return element, m.start(0), m.end(0)


class _FigureButtons(Treeprocessor):
    """Makes each figure the inline pattern made a button that opens its receipt (not inside a link
    or another button: there it stays a plain <data>)."""

    def __init__(self, md: Markdown, marks: FigureMarks, made: dict[ET.Element, int]):
        super().__init__(md)
        self.marks, self.made = marks, made

    def run(self, root: ET.Element) -> None:
        """Turn the figures into buttons, walking the tree with each element's parent."""
        stack: list[tuple[ET.Element, bool]] = [(root, False)]
        while stack:
            parent, inert = stack.pop()
            for child in list(parent):
                index = self.made.get(child)
                if index is not None and not inert:
                    child.tag, child.attrib = "button", self.marks.button(index)
                elif isinstance(child.tag, str):
                    stack.append((child, inert or child.tag in NO_BUTTON_INSIDE))


class FigureExtension(Extension):
    """Turns figure markers into `<button class="fig" value>` (a `<data>` before any other inline
    pattern; a button after the inline patterns, before the text pass and the toc)."""

    def __init__(self, marks: FigureMarks):
        super().__init__()
        self.marks = marks

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        made: dict[ET.Element, int] = {}
        md.inlinePatterns.register(_FigureProcessor(self.marks, made), "broadsheet_figure", 200)
        md.treeprocessors.register(_FigureButtons(md, self.marks, made), "broadsheet_figure_buttons", 7)
