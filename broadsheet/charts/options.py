"""The option checks of chart kinds that core.schema's general validators do not cover.

decls.py names them in its KIND_SCHEMAS. No pandas, Altair or vl-convert here: the build plan
reads chart declarations (decls.py) on a build where nothing has to be drawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from broadsheet.core.schema import Checked

MACRO_FIELDS = ("actual", "consensus", "prior")  # the numbers of a release a macro chart can show


def macro_fields(raw: Any) -> Checked:
    """The macro kind's `fields` option: a non-empty list of actual, consensus, prior."""
    items = raw if isinstance(raw, list) else None
    if not items or not all(isinstance(i, str) and i in MACRO_FIELDS for i in items):
        return Checked(problem=f"must be a list of {', '.join(MACRO_FIELDS)}")
    return Checked(list(items))


def also_date(raw: Any) -> Checked:
    """The curve kind's `also` option: one more date to draw the curve on, between start and end."""
    if raw is None or (isinstance(raw, dt.date) and not isinstance(raw, dt.datetime)):
        return Checked(raw)
    return Checked(problem=f"must be a date like 2025-04-08, got {raw!r}")


MAX_LABEL_DIGITS = 4


def label_digits(raw: Any) -> Checked:
    """The `digits` option: decimals of the values written on a chart (a whole number 0 to 4), as a
    figure's `digits=` sets them in the prose beside it (2 → "+9.52%")."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_LABEL_DIGITS:
        return Checked(problem=f"must be a whole number from 0 to {MAX_LABEL_DIGITS}, got {raw!r}"[:120])
    return Checked(raw)
