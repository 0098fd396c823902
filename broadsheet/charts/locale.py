"""The language of a chart: names, number and date formats, up/down colours, UI strings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_time
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from broadsheet.charts.theme import STYLES
from broadsheet.core.i18n import NumberFormatter, load_translations
from broadsheet.core.settings import Language


@dataclass(frozen=True)
class ChartLocale:
    """Everything language-dependent in a chart: names, formats, colours, UI strings."""

    code: str  # content language: "zh-Hant"
    babel: Locale
    fmt: NumberFormatter
    gettext: Callable[[str], str]
    style: dict[str, Any]
    format_locale: dict[str, Any]
    time_format_locale: dict[str, Any]


def d3_format_locale(locale: Locale) -> dict[str, Any]:
    """A d3-format locale built from Babel's symbols (vl-convert has no "zh-TW" format locale)."""
    return {"decimal": get_decimal_symbol(locale), "thousands": get_group_symbol(locale),
            "grouping": [3], "currency": ["", ""], "minus": get_minus_sign_symbol(locale)}


def d3_time_format_locale(locale: Locale, date_format: str) -> dict[str, Any]:
    """A d3-time-format locale with Babel's month and day names (d3 weeks start on Sunday)."""
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    days, months = locale.days["format"], locale.months["format"]
    return {"dateTime": f"{date_format} %H:%M", "date": date_format, "time": "%H:%M:%S",
            "periods": [format_time(dt.time(9), "a", locale=locale),
                        format_time(dt.time(15), "a", locale=locale)],
            "days": [days["wide"][i] for i in sunday_first],
            "shortDays": [days["abbreviated"][i] for i in sunday_first],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)]}


def chart_locale(lang: Language, translations_dir: Path, full_width: bool = False) -> ChartLocale:
    """The chart conventions of one edition (`full_width`: its labels with clreq's punctuation)."""
    babel = Locale.parse(lang.locale)
    style = STYLES.get(babel.language, STYLES["en"])
    return ChartLocale(lang.code, babel, NumberFormatter(lang.locale),
                       load_translations(translations_dir, lang.locale, full_width).gettext, style,
                       d3_format_locale(babel), d3_time_format_locale(babel, style["date"]))


