"""A figure's receipt in plain language, in the edition's language.

What a reader sees when a number opens its receipt: the series' name (from the catalog), the
dates as the page writes dates (Babel's long date), each value with its unit (4.01%, US$71.48,
14萬人 / 140,000 people) and, beside it, the source's name. `receipt_words()` writes it from the
`FigureUse`s of one figure; receipts.py keeps it with the figure's other fields.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from babel.numbers import format_currency, format_decimal, format_percent

from broadsheet.core.i18n import NumberFormatter
from broadsheet.core.typography import punctuate_text

if TYPE_CHECKING:
    from broadsheet.data.catalog import Catalog
    from broadsheet.figures.uses import FigureUse

# The words of a receipt per language (Babel language code); other languages read English.
WORDS: dict[str, dict[str, str]] = {
    "zh": {"close": "{date}收盤 {value}", "on": "{date} {value}", "name": "{name}：{values}",
           "range": "{name}，{start}至{end}間的{extreme}：{values}", "lowest": "最低收盤",
           "highest": "最高收盤", "release": "{name}（{period}）{field}：{value}（{date}公布）",
           "actual": "實際值", "consensus": "市場預期", "prior": "前值", "persons": "{value}人",
           "join": "；", "source": "資料來源：{source}"},
    "en": {"close": "{value} ({date} close)", "on": "{value} ({date})", "name": "{name}: {values}",
           "range": "{name}, {extreme} from {start} to {end}: {values}", "lowest": "lowest close",
           "highest": "highest close", "release": "{name}, {period}, {field}: {value} (released {date})",
           "actual": "actual", "consensus": "consensus forecast", "prior": "prior", "persons": "{value} people",
           "join": "; ", "source": "Source: {source}"},
}
EXTREMES = {"low": "lowest", "low_date": "lowest", "high": "highest", "high_date": "highest"}
PRICE_UNITS = ("index", "usd")  # a close is a price; a yield or a rate is a value on a day


class ReceiptWriter:
    """Writes receipts for one edition: its catalog names, Babel's dates and numbers, its words."""

    def __init__(self, catalog: Catalog | None, lang: str, locale: str, full_width: bool = False):
        self.catalog, self.lang = catalog, lang
        self.fmt = NumberFormatter(locale)
        self.words = WORDS.get(self.fmt.locale.language, WORDS["en"])
        # a Chinese edition's receipts with clreq's punctuation, as its pages' text (typography.py):
        # the catalog's names are written as typed ("FRED(聖路易聯邦準備銀行)資料庫")
        self.typeset = punctuate_text if full_width else str

    def describe(self, uses: list[FigureUse]) -> str:
        """What one figure was computed from, as a sentence: series, dates, values with units."""
        if not uses:
            return ""
        if uses[0].function == "release":
            return self.typeset(self._release(uses[0]))
        # a figure of two series (spread, gap_pct) records one use per series: each its own part
        return self.typeset(self.words["join"].join(self._market(use) for use in _in_argument_order(uses)))

    def source(self, names: str) -> str:
        """The source line: 資料來源：… / Source: …"""
        return self.typeset(self.words["source"].format(source=names)) if names else ""

    def _market(self, use: FigureUse) -> str:
        unit = self._series_unit(use.series)
        step = self.words["close" if unit in PRICE_UNITS else "on"]
        values = " → ".join(step.format(date=self.fmt.long_date(d), value=self.value(v, unit))
                            for d, v in zip(use.dates, use.values, strict=False))
        name = self._name(use.series)
        if use.span and use.function in EXTREMES:
            return self.words["range"].format(name=name, extreme=self.words[EXTREMES[use.function]],
                                              start=self.fmt.long_date(use.span[0]),
                                              end=self.fmt.long_date(use.span[-1]), values=values)
        return self.words["name"].format(name=name, values=values)

    def _release(self, use: FigureUse) -> str:
        field = str(dict(use.kwargs).get("field", "actual"))
        period = str(use.args[1]) if len(use.args) > 1 else ""
        with contextlib.suppress(ValueError):  # a period that is not a month is shown as written
            period = self.fmt.month_year(dt.date.fromisoformat(period + "-01"))
        unit = self._indicator_unit(use.series)
        value = self.value(use.values[0], unit) if use.values else ""
        day = self.fmt.long_date(use.dates[0]) if use.dates else ""
        return self.words["release"].format(name=self._name(use.series), period=period,
                                            field=self.words.get(field, field), value=value, date=day)

    def value(self, value: float, unit: str) -> str:
        """A value with its unit, at the precision of the data (up to four decimals)."""
        exact = Decimal(repr(value))
        if unit == "percent":
            return format_percent(exact / 100, format="#,##0.####%", locale=self.fmt.locale)
        if unit == "usd":
            return format_currency(exact, "USD", locale=self.fmt.locale)
        if unit == "thousands_persons":
            return self.words["persons"].format(value=self.fmt.thousands_persons(value))
        return format_decimal(exact, format="#,##0.####", locale=self.fmt.locale)

    def _name(self, ident: str) -> str:
        catalog = self.catalog
        entry = (catalog.series.get(ident) or catalog.indicators.get(ident)) if catalog else None
        if entry is None:
            return ident
        return entry.name.get(self.lang) or next(iter(entry.name.values()), ident)

    def _series_unit(self, ident: str) -> str:
        info = self.catalog.series.get(ident) if self.catalog else None
        return info.unit if info else ""

    def _indicator_unit(self, ident: str) -> str:
        info = self.catalog.indicators.get(ident) if self.catalog else None
        return info.unit if info else ""


def _in_argument_order(uses: list[FigureUse]) -> list[FigureUse]:
    """The uses of one figure in the order its arguments name their series (spread records the
    short maturity first)."""
    named = [a for a in uses[0].args if isinstance(a, str)]
    return sorted(uses, key=lambda u: named.index(u.series) if u.series in named else len(named))
