"""`data import SERIES FILE`: an editor's CSV export (TWSE, Yahoo Finance, a spreadsheet) → the closes
of one series, each with its line, for closes.py to check and write.

The file has a header row naming its columns: `date` and `value` by default, any others with
`Layout` (--date-column, --value-column). Lines above the header (a TWSE export's title line)
are skipped and counted; the header is the first line that holds both columns. Dates are strict
`YYYY-MM-DD` unless --date-format gives a `strptime` format (`%m/%d/%Y`); `%ROC` in it stands for
a year of the Republic of China calendar (114 = 2025), as TWSE's Chinese exports write dates
(`%ROC/%m/%d` reads 114/04/07). A value is a plain decimal; with --thousands "," one grouped by
threes such as 19,232.35 too: the separator is named, never guessed (1,234 is 1.234 in a European
export). A row without a value (empty, null, ".", "--") is left out and counted. The file is
UTF-8 unless --encoding names another (TWSE's CSV downloads are Big5: cp950).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from broadsheet.core.errors import SourceError
from broadsheet.core.textcheck import char_problem
from broadsheet.data.closes import (
    CloseBatch,
    CloseRow,
    ClosesReport,
    Refusal,
    add_closes,
    read_catalog,
    series_info,
)
from broadsheet.data.csvread import iso_date
from broadsheet.data.entry import DataEntryError

MAX_BYTES = 5_000_000  # fetch's limit for a download; decades of daily closes are a few hundred kB
MAX_BLANK_LINES = 1_000  # as fetch: an export has a few blank lines at most
HEADER_WITHIN = 20  # lines: a title or a note above the header, not a page of text
NO_VALUE = {"", ".", "null", "NaN", "--", "-"}  # the exports' marks for a day without a value
ROC = "%ROC"
ROC_OFFSET = 1911  # ROC year 1 is 1912
ROC_YEAR_RE = re.compile(r"\s*([0-9]{2,3})(?![0-9])")


@dataclass(frozen=True)
class Layout:
    """How the editor's file is laid out (the command's options)."""

    date_column: str = "date"
    value_column: str = "value"
    date_format: str = "%Y-%m-%d"
    thousands: str | None = None  # e.g. ","; None: no separator is allowed
    encoding: str = "utf-8"


def import_closes(root: Path, sid: str, file: Path, layout: Layout, source: str | None = None,
                  overwrite: bool = False, skip_closed: bool = False, today: dt.date | None = None) -> ClosesReport:
    """Read `file` with `layout` and add its closes to data/markets.csv, all or none (closes.add_closes)."""
    series_info(read_catalog(root), sid)  # a release or an unknown id is said before the file is read
    return add_closes(root, sid, read_export(file, layout), source, overwrite, skip_closed, today)


def read_export(path: Path, layout: Layout) -> CloseBatch:
    """The file's rows as closes, every problem at its line (none is raised here but a file that
    cannot be read or has no header)."""
    lines = _lines(path, layout)
    start, header = _header(path, lines, layout)
    batch = CloseBatch([], origin=path)
    at_date, at_value = header.index(layout.date_column), header.index(layout.value_column)
    blank = 0
    for number, line in enumerate(lines[start + 1:], start=start + 2):
        if not line.strip():
            blank += 1
            if blank > MAX_BLANK_LINES:
                raise SourceError(path, number, f"more than {MAX_BLANK_LINES:,} blank lines: not a CSV export")
            continue
        fields = _fields(line)
        if fields is None or len(fields) != len(header):
            found = "not a CSV row" if fields is None else f"{len(fields)} fields, the header has {len(header)}"
            batch.refused.append(Refusal(number, found, "a note under the data? remove the line"))
            continue
        _row(batch, number, fields[at_date], fields[at_value], layout)
    return batch


def _lines(path: Path, layout: Layout) -> list[str]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataEntryError(f"cannot read {path}: {exc.strerror}") from exc
    if len(raw) > MAX_BYTES:
        raise SourceError(path, None, f"larger than {MAX_BYTES:,} bytes: not a CSV export of daily closes")
    try:
        text = raw.decode("utf-8-sig" if layout.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
                          else layout.encoding)
    except LookupError as exc:
        raise DataEntryError(f"--encoding {layout.encoding[:30]!r} is not an encoding Python knows "
                             "(utf-8, cp950, big5, …)") from exc
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        utf8 = layout.encoding.lower() in ("utf-8", "utf8")
        hint = "a TWSE download is Big5: --encoding cp950" if utf8 else "name its encoding with --encoding"
        raise SourceError(path, line, f"not {layout.encoding} text", hint) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _fields(line: str) -> list[str] | None:
    try:
        return [cell.strip() for cell in next(csv.reader(io.StringIO(line), strict=True))]
    except (csv.Error, StopIteration):
        return None


def _header(path: Path, lines: list[str], layout: Layout) -> tuple[int, list[str]]:
    """(index, cells) of the first line holding both columns, within HEADER_WITHIN lines."""
    for index, line in enumerate(lines[:HEADER_WITHIN]):
        cells = _fields(line) or []
        if layout.date_column in cells and layout.value_column in cells:
            return index, cells
    first = next((line for line in lines if line.strip()), "")[:100]
    raise SourceError(path, 1, f"no header with the columns {layout.date_column!r} and {layout.value_column!r} "
                      f"(the file begins {first!r})",
                      "name its columns with --date-column and --value-column, e.g. --date-column Date "
                      "--value-column Close for a Yahoo Finance export")


def _row(batch: CloseBatch, number: int, date_text: str, value_text: str, layout: Layout) -> None:
    for text in (date_text, value_text):
        if (problem := char_problem(text)) is not None:
            batch.refused.append(Refusal(number, f"a cell {problem}", "remove it"))
            return
    try:
        day = parse_date(date_text, layout.date_format)
    except ValueError:
        batch.refused.append(Refusal(number, f"bad date {date_text[:30]!r} (expected {layout.date_format})",
                                     "--date-format names the file's date format, e.g. %m/%d/%Y or %ROC/%m/%d"))
        return
    if value_text in NO_VALUE:
        batch.without_value += 1
        return
    value = _ungrouped(value_text, layout.thousands)
    if value is None:
        batch.refused.append(Refusal(number, f"{day}: {value_text[:30]!r} is not a number grouped by threes with "
                                     f"{layout.thousands!r}", "e.g. 19,232.35"))
        return
    if layout.thousands is None and re.fullmatch(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", value):
        batch.refused.append(Refusal(number, f"{day}: {value_text[:30]!r} has a thousands separator",
                                     'name the separator with --thousands ","; it is never guessed, as 1,234 '
                                     "is 1.234 in some exports"))
        return
    batch.rows.append(CloseRow(number, day, value))


def parse_date(text: str, date_format: str) -> dt.date:
    """A date in `date_format` (strict ISO for the default; `%ROC` a year of the ROC calendar); ValueError."""
    if date_format == "%Y-%m-%d":
        return iso_date(text)
    if date_format.startswith(ROC):
        match = ROC_YEAR_RE.match(text)
        if match is None:
            raise ValueError(text)
        text = f"{int(match.group(1)) + ROC_OFFSET:04d}{text[match.end():]}"
        date_format = "%Y" + date_format[len(ROC):]
    elif ROC in date_format:
        raise ValueError(f"{ROC} must begin the format")
    return dt.datetime.strptime(text.strip(), date_format).date()


def _ungrouped(text: str, separator: str | None) -> str | None:
    """The value without its thousands separators when they group by threes; None when they do not."""
    if not separator or separator not in text:
        return text
    if not re.fullmatch(rf"[+-]?[0-9]{{1,3}}(?:{re.escape(separator)}[0-9]{{3}})+(?:\.[0-9]+)?", text):
        return None
    return text.replace(separator, "")
