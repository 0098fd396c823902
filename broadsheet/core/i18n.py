"""Babel everywhere: number, percent and date formatting per locale, UI catalogs, reading time."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from babel.support import Translations

from broadsheet.core.typography import FULL_WIDTH, punctuate_text

ROUNDING = {"half-up": ROUND_HALF_UP, "down": ROUND_DOWN}
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# a space between a digit and a Chinese character: "4 月 9 日", as the editors' prose writes dates
HAN_DIGIT_RE = re.compile(r"(?<=\d)(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=\d)")
WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,%-]*")
CJK_CHARS_PER_MINUTE = 400  # typical silent reading speed of Traditional Chinese prose
WORDS_PER_MINUTE = 230  # typical reading speed of English prose


def quantize(value: float | Decimal, digits: int, rounding: str = "half-up") -> Decimal:
    """Round like an editor: half away from zero by default, or truncate with rounding="down"."""
    if rounding not in ROUNDING:
        raise ValueError(f"rounding must be one of {', '.join(ROUNDING)}")
    # float noise (9.4999999997) is cleared first so that a value on the half rounds up
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    exact = exact.quantize(Decimal(1).scaleb(-10), rounding=ROUND_HALF_UP)
    rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUNDING[rounding])
    # a fall too small to show rounds to zero, which has no sign: "0.0%", never "-0.0%"
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _pattern(digits: int, grouping: bool) -> str:
    whole = "#,##0" if grouping else "0"
    return whole + ("." + "0" * digits if digits > 0 else "")


class NumberFormatter:
    """Formats numbers for one Babel locale; every figure on a page goes through it."""

    def __init__(self, locale: str):
        self.locale = Locale.parse(locale)

    def decimal(self, value: float, digits: int, rounding: str = "half-up", grouping: bool = True) -> str:
        """A plain number: 40,608 / 4,982.77."""
        q = quantize(value, digits, rounding)
        return format_decimal(q, format=_pattern(digits, grouping), locale=self.locale)

    def percent(self, value: float, digits: int, rounding: str = "half-up") -> str:
        """A value given in percent units (9.515 → "9.5%"), with an explicit-precision pattern.

        Babel's default percent pattern has no decimals and would print 9.5% as "10%".
        """
        q = quantize(value, digits, rounding)
        return format_percent(q / 100, format=_pattern(digits, True) + "%", locale=self.locale)

    def thousands_persons(self, thousands: float) -> str:
        """A count given in thousands: 22.8萬 in Chinese (the unit readers use), 228,000 in English."""
        count = quantize(thousands * 1000, 0)
        if self.locale.language == "zh":
            return format_compact_decimal(count, format_type="short", locale=self.locale, fraction_digits=1)
        return format_decimal(count, format="#,##0", locale=self.locale)

    def long_date(self, day: dt.date) -> str:
        """2025年4月13日 / April 13, 2025."""
        return format_date(day, format="long", locale=self.locale)

    def short_date(self, day: dt.date) -> str:
        """A compact date for lists: 2025/4/13 / 4/13/25."""
        return format_date(day, format="short", locale=self.locale)

    def day_month(self, day: dt.date) -> str:
        """A day of the year in prose: 4 月 9 日 / April 9 (Babel's pattern; in Chinese the digits
        spaced from the characters, as the issues' prose writes them)."""
        text = format_skeleton("MMMMd", day, locale=self.locale)
        return HAN_DIGIT_RE.sub(" ", text) if self.locale.language == "zh" else text

    def month_year(self, day: dt.date) -> str:
        """2025年4月 / April 2025 (archive headings)."""
        return format_skeleton("yMMMM", day, locale=self.locale)


def reading_minutes(text: str) -> int:
    """Minutes to read `text`: Chinese counted in characters, other scripts in words."""
    cjk = len(CJK_RE.findall(text))
    words = len(WORD_RE.findall(CJK_RE.sub(" ", text)))
    return max(1, math.ceil(cjk / CJK_CHARS_PER_MINUTE + words / WORDS_PER_MINUTE))


def load_translations(translations_dir: Path, locale: str, full_width: bool = False) -> Translations:
    """Compile the locale's messages.po in memory (no .mo file is kept in the repo).

    `full_width` (a Chinese edition with site.yaml's `full_width_punctuation`): every translation
    gets clreq's full-width punctuation here, once, as data (typography.py), so "資料來源:%(names)s"
    reads 資料來源：… wherever a template, a chart or an output shows it. A translation made of
    marks alone (":" for ": ") separates two texts of the edition and is made full-width whole.
    """
    po_path = translations_dir / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()  # msgids (English) are shown as they are
    with po_path.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    if full_width:
        for message in catalog:
            if isinstance(message.string, str):
                message.string = typeset_message(message.string)
            elif message.string:
                message.string = tuple(typeset_message(s) for s in message.string)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def typeset_message(text: str) -> str:
    """A Chinese catalog's translation with full-width punctuation; marks alone become full-width."""
    if text.strip() and all(c in FULL_WIDTH or c.isspace() for c in text):
        return "".join(FULL_WIDTH.get(c, c) for c in text.strip())
    return punctuate_text(text)
