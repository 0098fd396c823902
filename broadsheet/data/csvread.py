"""Strict reading of the data CSVs: a stray quote or a short row is an error at its line.

Python's csv module, left to itself, lets an unclosed quote swallow every following row into one
field and hands a wrong number of fields to the caller as None; `float()` accepts `1_000`, `nan`
and a 300-digit number, and `date.fromisoformat()` accepts `20250417` and `2025-W16-5`. The data
files are small, hand-edited and machine-written, so each physical line is one record here:
a quote must close on its line, every line has exactly the header's fields, numbers are plain
decimals, dates are `YYYY-MM-DD`.

Every cell is also text someone may open in a spreadsheet (the files themselves, and data.csv, the
receipts' CSV of each issue, which quotes the catalog's source names): a cell that begins with
`=`, `+`, `-` or `@` and is not a number would run as a formula there (CSV injection; OWASP), so
it is refused at its line, as are control characters and bidi or zero-width characters, which
no data cell needs and which would make a source name read as something it is not.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from pathlib import Path

from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.limits import excerpt
from broadsheet.core.textcheck import FORMULA_HINT, PLAIN_NUMBER_RE, char_problem, formula_problem
from broadsheet.core.yamlsource import read_text

MAX_LINE = 2_000  # characters: a data row is ~40; anything this long is a pasted blob
MAX_NUMBER = 24  # characters of a number: 1234567.123456 fits, a 300-digit value does not
NUMBER_RE = PLAIN_NUMBER_RE  # ASCII digits only; the same that formula_problem lets begin with a sign
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH_RE = re.compile(r"[0-9]{4}-[0-9]{2}")


def iso_date(text: str) -> dt.date:
    """`YYYY-MM-DD` and nothing else (no 20250417, no 2025-W16-5, no time); ValueError otherwise."""
    text = str(text).strip()
    if not DATE_RE.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return dt.date.fromisoformat(text)


def iso_month(text: str) -> str:
    """`YYYY-MM` (a release period); ValueError otherwise."""
    text = str(text).strip()
    if not MONTH_RE.fullmatch(text):
        raise ValueError(f"not a YYYY-MM month: {text!r}")
    dt.date.fromisoformat(text + "-01")
    return text


def plain_number(text: str) -> float | None:
    """A plain decimal (`5158.20`, `-0.4`); None for an empty cell; ValueError for anything else."""
    text = str(text).strip()
    if text == "":
        return None
    if len(text) > MAX_NUMBER or not NUMBER_RE.fullmatch(text):
        raise ValueError(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _cells_problem(path: Path, number: int, row: dict[str, str]) -> SourceError | None:
    """The first cell of a row that may not be a data cell (a formula's start, or a character
    char_problem refuses), as an error at its line; else None."""
    for column, text in row.items():
        if (found := formula_problem(text)) is not None:
            return SourceError(path, number, f"{column} {excerpt(text)} {found}", FORMULA_HINT)
        if (found := char_problem(text)) is not None:
            return SourceError(path, number, f"{column} {found}", "remove it")
    return None


def _record(path: Path, number: int, line: str, width: int) -> list[str] | SourceError:
    if len(line) > MAX_LINE:
        return SourceError(path, number, f"line is {len(line):,} characters long (a data row is short; "
                           f"the limit is {MAX_LINE:,})", "a pasted blob or a broken export?")
    try:
        fields = next(csv.reader([line], strict=True))
    except csv.Error as exc:
        hint = "a quote opened on this line is not closed" if '"' in line else "fix the row"
        return SourceError(path, number, f"not a CSV row ({exc})", hint)
    if len(fields) != width:
        return SourceError(path, number, f"wrong number of fields: {len(fields)}, expected {width}")
    return fields


def read_rows(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: text}) for each non-blank row; every malformed line is a `path:line` error."""
    lines = read_text(path).split("\n")
    header = _record(path, 1, lines[0].rstrip("\r"), len(columns)) if lines else []
    if header != columns:
        found = header if isinstance(header, list) else lines[0][:80]
        raise BuildFailed([SourceError(path, 1, f"unexpected header {found}",
                                       f"the header must be: {','.join(columns)}")])
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[SourceError] = []
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = _record(path, number, line, len(columns))
        if isinstance(fields, SourceError):
            expected = ",".join(columns)
            errors.append(SourceError(fields.path, fields.line, fields.message, fields.hint or
                                      f"expected {expected}"))
            continue
        row = dict(zip(columns, fields, strict=True))
        if (problem := _cells_problem(path, number, row)) is not None:
            errors.append(problem)
            continue
        rows.append((number, row))
    if errors:
        raise BuildFailed(errors)
    return rows
