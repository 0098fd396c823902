"""charts.yaml: the chart declarations of an issue, checked against a schema (no pandas here).

The build plan reads `declared_series()` to key an issue's charts by the data they read; the
chart step reads `read_chart_decls()`. Whether the data has rows in a chart's range is checked
when its spec is built (spec.py), where the data is loaded anyway.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadsheet.charts.options import also_date, label_digits, macro_fields
from broadsheet.core.errors import SourceError
from broadsheet.core.lines import LineDict, line_of
from broadsheet.core.schema import (
    Checked,
    Field,
    boolean,
    excerpt,
    mapping,
    number,
    one_of,
    per_language,
    validate,
)
from broadsheet.core.suggest import did_you_mean, known_hint, suggest
from broadsheet.core.yamlsource import load_yaml, read_text
from broadsheet.figures.expressions import expressions_in

if TYPE_CHECKING:
    from broadsheet.data.catalog import Catalog

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PERIOD_RE = re.compile(r"^\d{4}-\d{2}$")
MAX_CHARTS = 50  # per issue: more is a mistake, and each one costs a render


@dataclass(frozen=True)
class ChartDecl:
    """One chart declared in charts.yaml."""

    name: str
    kind: str
    series: tuple[str, ...]
    start: dt.date
    end: dt.date
    title: dict[str, str]
    description: dict[str, str]
    options: dict[str, Any]
    src_path: Path
    line: int
    text_lines: dict[str, int] = field(default_factory=dict)  # "description.en" → its line
    as_of: dt.date | None = None  # the as-of date: no data after it (lookahead.py)


@dataclass
class ChartFile:
    """An issue's charts.yaml read: the charts that passed, every problem, and the names of those
    that failed (ALL_CHARTS when the file itself could not be read): the others are still drawn."""

    decls: list[ChartDecl] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)


ALL_CHARTS = "*"  # in ChartFile.failed: the file could not be read, so no chart of it is known


@dataclass(frozen=True)
class KindSchema:
    """What a chart kind reads ("markets": daily series, "releases": macro indicators) and its options."""

    data: str
    options: tuple[Field, ...] = ()

    def defaults(self) -> dict[str, Any]:
        """The options' default values."""
        return {f.name: f.default for f in self.options}


KIND_SCHEMAS: dict[str, KindSchema] = {
    "drawdown": KindSchema("markets", (Field("threshold", number(-100, 0, allow_none=True)),)),
    "rebased": KindSchema("markets", (Field("base", number(0.01, 1e6), default=100),)),
    "yields": KindSchema("markets"),
    "line": KindSchema("markets", (Field("panels", boolean, default=False),)),
    "moves": KindSchema("markets", (Field("step", one_of("day", "week"), default="day"),
                                    Field("digits", label_digits, default=1))),
    "curve": KindSchema("markets", (Field("also", also_date),)),
    "macro": KindSchema("releases", (Field("fields", macro_fields, default=["actual", "consensus"]),
                                     Field("reference", number(-1e9, 1e9, allow_none=True)))),
}


def _date_value(value: Any, monthly: bool) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.replace(day=1) if monthly else value
    if monthly and isinstance(value, str) and PERIOD_RE.match(value):
        return dt.date.fromisoformat(value + "-01")
    return None


def _kind(raw: Any) -> Checked:
    if isinstance(raw, str) and raw in KIND_SCHEMAS:
        return Checked(raw)
    return Checked(problem=f"unknown kind {excerpt(raw)}", hint=known_hint(str(raw), sorted(KIND_SCHEMAS), "kinds"),
                   whole=True)


def _series(raw: Any) -> Checked:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(isinstance(s, str) for s in items) or len(items) > 12:
        return Checked(problem="must be a list of series ids such as [SP500, DJIA]")
    return Checked(tuple(items))


def _any(raw: Any) -> Checked:
    return Checked(raw)


DECL_FIELDS = (Field("kind", _kind, required=True), Field("series", _series, required=True),
               Field("start", _any, required=True), Field("end", _any),
               Field("title", _any, required=True), Field("description", _any, default={}),
               Field("options", mapping, default={}))


def read_chart_decls(path: Path, catalog: Catalog, codes: list[str],
                     as_of: dt.date | None = None) -> tuple[list[ChartDecl], list[SourceError]]:
    """Read and check an issue's charts.yaml; return the declarations and every problem found.

    With the issue's `as_of` date a chart's `end` defaults to it and may not be after it.
    """
    found = read_chart_file(path, catalog, codes, as_of)
    return found.decls, found.errors


def read_chart_file(path: Path, catalog: Catalog, codes: list[str], as_of: dt.date | None = None) -> ChartFile:
    """Read and check an issue's charts.yaml, one chart at a time: a mistake fails its own chart."""
    try:
        data = load_yaml(read_text(path), path)
    except SourceError as exc:
        return ChartFile(errors=[exc], failed={ALL_CHARTS})
    if data is None:
        return ChartFile()
    if not isinstance(data, dict):
        return ChartFile(errors=[SourceError(path, 1, "charts.yaml must map chart names to declarations",
                                             "see the Charts section of docs/writing.md")], failed={ALL_CHARTS})
    if len(data) > MAX_CHARTS:
        return ChartFile(errors=[SourceError(path, 1, f"{len(data)} charts declared (at most {MAX_CHARTS})")],
                         failed={ALL_CHARTS})
    result = ChartFile()
    for name, spec in data.items():
        found = _check_decl(path, str(name), spec, line_of(data, name, 1), catalog, codes, as_of)
        if isinstance(found, ChartDecl):
            result.decls.append(found)
        else:
            result.errors.extend(found)
            result.failed.add(str(name))
    return result


class _Report:
    """Collects one declaration's problems, each prefixed with the chart's name."""

    def __init__(self, path: Path, name: str, spec: Any, line: int):
        self.path, self.name, self.spec, self.line = path, name, spec, line
        self.errors: list[SourceError] = []

    def add(self, err: SourceError) -> None:
        self.errors.append(SourceError(err.path, err.line, f"chart {self.name!r}: {err.message}", err.hint))

    def at(self, key: str | None, message: str, hint: str | None = None) -> None:
        where = line_of(self.spec, key, self.line) if key and isinstance(self.spec, LineDict) else self.line
        self.add(SourceError(self.path, where, message, hint))


def _check_decl(path: Path, name: str, spec: Any, line: int, catalog: Catalog,
                codes: list[str], as_of: dt.date | None = None) -> ChartDecl | list[SourceError]:
    """Validate one declaration; return it, or the list of its problems."""
    report = _Report(path, name, spec, line)
    if not NAME_RE.match(name):
        report.at(None, "a chart name may hold only lower-case letters, digits, - and _", "e.g. drawdown or dollar-oil")
    if not isinstance(spec, dict):
        report.at(None, "must be a mapping with kind, series, start, end, title")
        return report.errors
    values = _fields(spec, path, line, report)
    if report.errors:
        return report.errors
    kind = KIND_SCHEMAS[values["kind"]]
    _check_series(values["series"], kind, catalog, report)
    start, end = _check_range(spec, kind.data == "releases", report, as_of)
    texts, text_lines = _check_texts(spec, codes, report)
    text_lines.update({key: line_of(spec, key, line) for key in ("start", "end", "series")})
    options = validate(values["options"], kind.options, path, line_of(spec, "options", line), "option",
                       lambda e: report.at("options", e.message, e.hint), label="option ")
    if report.errors or start is None or end is None:
        return report.errors
    return ChartDecl(name, values["kind"], values["series"], start, end, texts["title"], texts["description"],
                     {**kind.defaults(), **options}, path, line, text_lines, as_of)


def _fields(spec: dict[str, Any], path: Path, line: int, report: _Report) -> dict[str, Any]:
    """The declaration's fields checked; a misspelt field is one mistake, so "unknown field 'serise'
    (did you mean 'series'?)" is not followed by "field 'series' is missing"."""
    found: list[SourceError] = []
    values = validate(spec, DECL_FIELDS, path, line, "field", found.append)
    names = [f.name for f in DECL_FIELDS]
    meant = {did_you_mean(str(key), names) for key in spec if key not in names}
    for err in found:
        if not any(err.message == f"field {name!r} is missing" for name in meant):
            report.add(err)
    return values


def _check_series(series: tuple[str, ...], kind: KindSchema, catalog: Catalog, report: _Report) -> None:
    known = catalog.series if kind.data == "markets" else catalog.indicators
    what = "series" if kind.data == "markets" else "indicator"
    for sid in series:
        if sid not in known:
            report.at("series", f"unknown {what} {sid!r}", suggest(sid, known, "known"))


def _check_range(spec: dict[str, Any], monthly: bool, report: _Report,
                 as_of: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    if spec.get("end") is None and as_of is None:
        report.at(None, "end is missing", "add `end: …` (a date like 2025-04-11)")
        return None, None
    default = (as_of.replace(day=1) if monthly else as_of) if as_of else None
    start, end = _date_value(spec["start"], monthly), (_date_value(spec["end"], monthly) if "end" in spec else default)
    for key, value in (("start", start), ("end", end)):
        if value is None:
            report.at(key, f"{key} must be a date like 2025-04-11" + (" or a month like 2025-03" if monthly else ""),
                      f"got {excerpt(spec[key])}")
    if start and end and start > end:
        report.at("end", f"end {end} is before start {start}")
    if as_of and end and end > (default or as_of):
        report.at("end", f"end {end} is after the issue's as-of date {as_of}: no chart shows data its author "
                         "could not have had", "leave `end` out (it defaults to the as-of date) or set `as_of:`")
    return start, end


def _check_texts(spec: dict[str, Any], codes: list[str],
                 report: _Report) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    texts: dict[str, dict[str, str]] = {}
    text_lines: dict[str, int] = {}
    for key in ("title", "description"):
        value = spec.get(key) or {}
        checked = per_language(list(value) if isinstance(value, dict) else codes, False, 2_000)(value)
        if checked.problem is not None:
            report.at(key, f"{key} must map each language to a text", "e.g. {zh-Hant: …, en: …}")
            value = {}
        texts[key] = checked.value or {}
        for code in value:
            text_lines[f"{key}.{code}"] = line_of(value, code, line_of(spec, key, report.line))
    for code in codes:
        if code not in texts["title"]:
            typed = did_you_mean(code, [str(k) for k in texts["title"] if k not in codes])
            hint = f"did you mean {code!r} for {typed!r}?" if typed else f"add `{code}: …` under title"
            report.at("title", f"title has no {code!r} text", hint)
    return texts, text_lines


def declared_series(path: Path) -> list[str]:
    """The series and indicators a charts.yaml reads, for the build plan (no data loaded).

    Its `series:` fields, and the arguments of the figure expressions in titles and descriptions
    (read with the one expression parser; dates among them are harmless unknown ids). A file that
    cannot be read depends on every series ("*") until the build reports it.
    """
    try:
        declared = load_yaml(read_text(path), path)
    except SourceError:
        return ["*"]
    found: set[str] = set()
    for spec in declared.values() if isinstance(declared, dict) else []:
        if not isinstance(spec, dict):
            continue
        checked = _series(spec.get("series"))
        found.update(checked.value or ())
        for key in ("title", "description"):
            texts = spec.get(key)
            for text in texts.values() if isinstance(texts, dict) else []:
                for found_expr in expressions_in(str(text)):
                    found.update(str(a) for a in found_expr.literal_args())
    return sorted(found)
