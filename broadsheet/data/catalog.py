"""data/catalog.yaml → Catalog: every series and indicator, its names, unit, calendar and source.

Each market series names its exchange calendar (`calendar: XNYS`) and each series or release
how `fetch` refreshes it (`fetch:`); a release may bound its values (`min_value`, `max_value`) and
say that it comes out within its own month (`release_in_period`); see docs/data.md for the fields.
Names, short names and source names reach the pages and each issue's data.csv, so a name that a
spreadsheet would run as a formula, or that holds a bidi or zero-width character, is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.limits import excerpt
from broadsheet.core.lines import line_of
from broadsheet.core.textcheck import FORMULA_HINT, INVISIBLE_RE, describe, formula_problem
from broadsheet.core.yamlsource import load_yaml, read_text
from broadsheet.data import calendars

UNITS = {"index", "percent", "usd", "thousands_persons"}
SIGNS = ("positive", "any")  # a price or index is positive; a spread or a change may be either
COMPUTES = ("level", "change", "pct_change")  # how a release is computed from ALFRED levels
EDITOR = "editor"
# the largest believable one-day move in % of the level when the catalog sets no max_daily_move_pct
DEFAULT_MAX_MOVE = {"index": 15.0, "usd": 25.0, "percent": 25.0, "thousands_persons": 100.0}


@dataclass(frozen=True)
class FetchSpec:
    """Where `fetch` gets a series or release from (catalog `fetch:`)."""

    kind: str  # "fred", "csv", "alfred" or "editor"
    id: str | None = None  # FRED/ALFRED series id
    url: str | None = None  # csv: the address of the CSV file
    date_column: str = "Date"
    value_column: str = "Close"
    date_format: str = "%Y-%m-%d"
    tag: str | None = None  # csv: the `sources:` tag of the rows it adds
    compute: str = "level"  # alfred: level, change (payrolls) or pct_change (CPI)
    months: int = 1  # alfred: the change is over this many months (1 = m/m, 12 = y/y)
    scale: float = 1.0  # alfred: multiply by this (PAYEMS is in thousands already: 1)


@dataclass(frozen=True)
class SeriesInfo:
    """Catalog entry of a daily market series."""

    id: str
    name: dict[str, str]
    short: dict[str, str]
    unit: str
    source: str
    retrieved: str
    fred_id: str | None = None
    max_daily_move_pct: float | None = None  # `check` and `fetch` refuse a bigger one-day move
    calendar: str | None = None  # exchange calendar code (XNYS, XTAI…); None: any day
    fetch: FetchSpec | None = None
    sign: str = "positive"

    def max_move(self) -> float:
        """The largest one-day move in % that `fetch` and `data add`/`import` take: the catalog's
        max_daily_move_pct, else the default for its unit (15 for an index, 25 for prices and yields)."""
        return self.max_daily_move_pct or DEFAULT_MAX_MOVE.get(self.unit, 25.0)


@dataclass(frozen=True)
class IndicatorInfo:
    """Catalog entry of a macro indicator (one row per release period in releases.csv)."""

    id: str
    name: dict[str, str]
    unit: str
    source_name: str | dict[str, str]  # one text, or one per language
    fetch: FetchSpec | None = None
    min_value: float | None = None  # `data add` and `fetch` refuse a value below it (a PMI: 0)
    max_value: float | None = None  # … or above it (a PMI: 100)
    release_in_period: bool = False  # published within its own month (UMich's preliminary readings)

    def admits(self, value: float) -> bool:
        """True when `value` is within the indicator's range (min_value, max_value), ends included."""
        low, high = self.min_value, self.max_value
        return (low is None or value >= low) and (high is None or value <= high)

    def range_text(self) -> str:
        """The indicator's range as a message quotes it: `0 to 100`, `at least 0`."""
        low, high = (None if v is None else f"{v:g}" for v in (self.min_value, self.max_value))
        if low is not None and high is not None:
            return f"{low} to {high}"
        return f"at least {low}" if low is not None else f"at most {high}"


@dataclass(frozen=True)
class Catalog:
    """What data exists, its names in each language, units and sources."""

    series: dict[str, SeriesInfo]
    indicators: dict[str, IndicatorInfo]
    sources: dict[str, dict[str, Any]]  # tag → {name: text or {language: text}, url}
    markets_file: str
    releases_file: str
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lint: word → ids it may mean
    narrowing: tuple[tuple[tuple[str | None, frozenset[str]], ...], ...] = ()  # lint: per family (words, ids)

    def source_of(self, ident: str, lang: str) -> tuple[str, str] | None:
        """(name in `lang`, url) of the source of a series or indicator; None when unknown."""
        if ident in self.series:
            tag = self.series[ident].source
            spec = self.sources.get(tag, {})
            return localized(spec.get("name", tag), lang), str(spec.get("url", "") or "")
        if ident in self.indicators:
            return localized(self.indicators[ident].source_name, lang), ""
        return None

    def fetchable(self, ident: str) -> bool:
        """True when `fetch` can bring new values of a series or indicator."""
        entry = self.series.get(ident) or self.indicators.get(ident)
        return bool(entry and entry.fetch and entry.fetch.kind != EDITOR)


def localized(value: str | dict[str, str], lang: str) -> str:
    """A catalog text that is either one text or one per language code."""
    if isinstance(value, dict):
        return value.get(lang) or next(iter(value.values()), "")
    return value


# --- reading ---------------------------------------------------------------------------------
FETCH_HINT = ("e.g. fetch: {fred: SP500}, fetch: {csv: \"https://…\", date: Date, value: Close, tag: X}, "
              "fetch: {alfred: CPIAUCSL, compute: pct_change, months: 1} or fetch: editor")


def parse_fetch(value: object, what: str, sources: dict) -> FetchSpec | str:
    """A catalog `fetch:` value → FetchSpec, or the text of what is wrong with it."""
    if value == EDITOR:
        return FetchSpec(EDITOR)
    if not isinstance(value, dict):
        return f"{what}: fetch must be a mapping or `editor`"
    kinds = [k for k in ("fred", "alfred", "csv") if k in value]
    if len(kinds) != 1 or not isinstance(value[kinds[0]], str) or not value[kinds[0]]:
        return f"{what}: fetch needs exactly one of fred, alfred, csv"
    kind = kinds[0]
    allowed = {"fred": {"fred"}, "alfred": {"alfred", "compute", "months", "scale"},
               "csv": {"csv", "date", "value", "date_format", "tag"}}[kind]
    unknown = sorted(set(value) - allowed)
    if unknown:
        return f"{what}: fetch: unknown field(s) {', '.join(unknown)} for {kind}"
    if kind == "csv":
        return _csv_spec(value, what, sources)
    if kind == "alfred":
        return _alfred_spec(value, what)
    return FetchSpec("fred", id=value["fred"])


def _csv_spec(value: dict, what: str, sources: dict) -> FetchSpec | str:
    if urlparse(value["csv"]).scheme not in ("http", "https"):
        return f"{what}: fetch: csv must be an http(s) address"
    if value.get("tag") not in sources:
        return f"{what}: fetch: tag must name an entry under sources: (the source of the rows it adds)"
    return FetchSpec("csv", url=value["csv"], date_column=str(value.get("date", "Date")),
                     value_column=str(value.get("value", "Close")),
                     date_format=str(value.get("date_format", "%Y-%m-%d")), tag=value["tag"])


def _alfred_spec(value: dict, what: str) -> FetchSpec | str:
    compute, months, scale = value.get("compute", "level"), value.get("months", 1), value.get("scale", 1)
    if compute not in COMPUTES:
        return f"{what}: fetch: compute must be one of {', '.join(COMPUTES)}"
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 24:
        return f"{what}: fetch: months must be a whole number from 1 to 24"
    if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
        return f"{what}: fetch: scale must be a positive number"
    return FetchSpec("alfred", id=value["alfred"], compute=compute, months=months, scale=float(scale))


class _Reader:
    """Collects every problem of the catalog with its line."""

    def __init__(self, path: Any, data: dict):
        self.path, self.data = path, data
        self.errors: list[SourceError] = []

    def err(self, mapping: Any, key: Any, message: str, hint: str | None = None) -> None:
        self.errors.append(SourceError(self.path, line_of(mapping, key, 1), message, hint))

    def section(self, key: str) -> dict:
        value = self.data.get(key) or {}
        if not isinstance(value, dict):
            self.err(self.data, key, f"{key}: must be a mapping of id → fields")
            return {}
        return value

    def sources(self) -> dict:
        sources = self.section("sources")
        for tag, spec in sources.items():
            url = spec.get("url", "") if isinstance(spec, dict) else None
            if not isinstance(spec, dict) or not _text_or_per_language(spec.get("name")) \
                    or not isinstance(url, str):
                self.err(sources, tag, f"source {tag}: needs a name and a url (text)",
                         'e.g. {name: "FRED download", url: "https://fred.stlouisfed.org/"}')
            elif url and urlparse(url).scheme not in ("http", "https"):
                # the url becomes a link on every page that cites the source
                self.err(sources, tag, f"source {tag}: url must start with http:// or https://, "
                         f"got {url!r}", 'leave it "" when there is no page to link')
            else:
                self.texts(sources, tag, f"source {tag}", {"id": tag, "name": spec["name"]})
        return sources

    def texts(self, raw: Any, key: Any, what: str, texts: dict[str, Any]) -> None:
        """Each text (or per-language text) of an entry: no formula start, no bidi or zero-width
        character (control characters are refused with every YAML value, in yamlsource.py)."""
        for name, value in texts.items():
            per_language = value.items() if isinstance(value, dict) else [(None, value)]
            for lang, text in per_language:
                if not isinstance(text, str):
                    continue
                line = line_of(value, lang, line_of(raw, key, 1)) if lang else line_of(raw, key, 1)
                if formula_problem(text) is not None:
                    self.errors.append(SourceError(self.path, line, f"{what}: {name} {excerpt(text)} would start a "
                                                   "formula in a spreadsheet", FORMULA_HINT))
                elif (match := INVISIBLE_RE.search(text)) is not None:
                    self.errors.append(SourceError(
                        self.path, line, f"{what}: {name} holds the invisible character {describe(match.group())}",
                        "bidi controls and zero-width characters are not allowed in names; retype the text"))

    def fetch(self, raw: dict, key: str, spec: dict, what: str, sources: dict) -> FetchSpec | None:
        if "fetch" not in spec:
            return None
        parsed = parse_fetch(spec["fetch"], what, sources)
        if isinstance(parsed, str):
            self.err(raw, key, parsed, FETCH_HINT)
            return None
        return parsed

    def one_series(self, raw: dict, sid: str, spec: Any, sources: dict) -> SeriesInfo | None:
        if not _fields_ok(spec, ("name", "unit", "source", "retrieved")):
            self.err(raw, sid, f"series {sid}: needs the fields name, unit, source, retrieved",
                     "name (and short) map each language code to a text")
            return None
        if spec["unit"] not in UNITS:
            self.err(raw, sid, f"series {sid}: unknown unit {spec['unit']!r}", f"units: {', '.join(sorted(UNITS))}")
        if spec["source"] not in sources:
            self.err(raw, sid, f"series {sid}: source {spec['source']!r} is not under sources:")
        calendar = spec.get("calendar")
        if calendar is not None and not (isinstance(calendar, str) and calendars.known(calendar)):
            self.err(raw, sid, f"series {sid}: unknown exchange calendar {calendar!r}",
                     "an exchange_calendars code: XNYS (New York), XTAI (Taiwan), XLON …")
            calendar = None
        sign = spec.get("sign", "positive")
        if sign not in SIGNS:
            self.err(raw, sid, f"series {sid}: sign must be one of {', '.join(SIGNS)}")
        self.texts(raw, sid, f"series {sid}", {"id": sid, "name": spec["name"], "short": spec.get("short", {})})
        fetch = self.fetch(raw, sid, spec, f"series {sid}", sources)
        if fetch is None and isinstance(spec.get("fred_id"), str):  # the catalog's older spelling
            fetch = FetchSpec("fred", id=spec["fred_id"])
        fred_id = fetch.id if fetch and fetch.kind == "fred" else None
        return SeriesInfo(str(sid), dict(spec["name"]), dict(spec.get("short", spec["name"])), spec["unit"],
                          spec["source"], str(spec["retrieved"]), fred_id,
                          self.bound(spec.get("max_daily_move_pct"), raw, sid), calendar, fetch, sign)

    def bound(self, value: object, raw: dict, sid: str) -> float | None:
        """An optional positive percent such as `max_daily_move_pct: 15`."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.err(raw, sid, f"series {sid}: max_daily_move_pct must be a positive number of "
                     f"percent, got {value!r}", "e.g. max_daily_move_pct: 15")
            return None
        return float(value)

    def one_indicator(self, raw: dict, iid: str, spec: Any, sources: dict) -> IndicatorInfo | None:
        if not _fields_ok(spec, ("name", "unit", "source_name")):
            self.err(raw, iid, f"indicator {iid}: needs the fields name, unit, source_name",
                     "name maps each language code to a text")
            return None
        if spec["unit"] not in UNITS:
            self.err(raw, iid, f"indicator {iid}: unknown unit {spec['unit']!r}")
        source_name = spec["source_name"]
        self.texts(raw, iid, f"indicator {iid}", {"id": iid, "name": spec["name"], "source_name": source_name})
        low, high = (self.limit(spec, name, raw, iid) for name in ("min_value", "max_value"))
        if low is not None and high is not None and low >= high:
            self.err(raw, iid, f"indicator {iid}: min_value {low:g} must be below max_value {high:g}")
        in_period = spec.get("release_in_period", False)
        if not isinstance(in_period, bool):
            self.err(raw, iid, f"indicator {iid}: release_in_period must be true or false, got {excerpt(in_period)}")
        return IndicatorInfo(str(iid), dict(spec["name"]), spec["unit"],
                             dict(source_name) if isinstance(source_name, dict) else source_name,
                             self.fetch(raw, iid, spec, f"indicator {iid}", sources), low, high, in_period is True)

    def limit(self, spec: dict, name: str, raw: dict, iid: str) -> float | None:
        """An optional bound such as `min_value: 0` (a number; a PMI is 0 to 100)."""
        value = spec.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) > 1e12:
            self.err(raw, iid, f"indicator {iid}: {name} must be a number, got {excerpt(value)}",
                     "e.g. min_value: 0, max_value: 100 for a diffusion index such as a PMI")
            return None
        return float(value)


def load_catalog(path: Any) -> Catalog:
    """Read data/catalog.yaml; every problem is reported at its line."""
    data = load_yaml(read_text(path), path)
    if not isinstance(data, dict):
        raise BuildFailed([SourceError(path, 1, "catalog must be a mapping with files, sources, series, releases")])
    reader = _Reader(path, data)
    sources = reader.sources()
    raw_series, raw_releases = reader.section("series"), reader.section("releases")
    series = {str(sid): info for sid, spec in raw_series.items()
              if (info := reader.one_series(raw_series, sid, spec, sources)) is not None}
    indicators = {str(iid): info for iid, spec in raw_releases.items()
                  if (info := reader.one_indicator(raw_releases, iid, spec, sources)) is not None}
    files = reader.section("files")
    for key, name in list(files.items()):
        # a data file's name: a plain file in data/, nothing that reaches outside it
        if key not in ("markets", "releases") or not isinstance(name, str) or not re.fullmatch(r"[\w.-]+\.csv", name):
            reader.err(files, key, f"files: {str(key)[:40]}: must name a .csv file in data/, such as markets.csv",
                       "files: {markets: markets.csv, releases: releases.csv}")
            files = {}
    aliases, narrowing = _lint(reader, {*series, *indicators})
    if reader.errors:
        raise BuildFailed(reader.errors)
    return Catalog(series, indicators, sources, files.get("markets", "markets.csv"),
                   files.get("releases", "releases.csv"), aliases, narrowing)


def _lint(reader: _Reader, known: set[str]) -> tuple[dict[str, tuple[str, ...]], tuple[Any, ...]]:
    """The `lint:` section: aliases (word → ids) and narrowing rules (per family, words → ids)."""
    lint = reader.section("lint")
    raw_aliases = lint.get("aliases") or {}
    aliases: dict[str, tuple[str, ...]] = {}
    for word, ids in raw_aliases.items() if isinstance(raw_aliases, dict) else []:
        if not isinstance(ids, list) or not ids or any(i not in known for i in ids):
            reader.err(raw_aliases, word, f"lint alias {str(word)[:40]!r}: must list known series or indicator ids")
            continue
        aliases[str(word)] = tuple(ids)
    families = []
    for family in lint.get("narrowing") or []:
        rules = []
        for rule in family if isinstance(family, list) else []:
            words, ids = (rule.get("words"), rule.get("ids")) if isinstance(rule, dict) else (None, None)
            try:
                if words is not None:
                    re.compile(str(words))
            except re.error as exc:
                reader.err(lint, "narrowing", f"lint narrowing: {str(words)[:40]!r} is not a pattern ({exc})")
                continue
            if not isinstance(ids, list) or any(i not in known for i in ids):
                reader.err(lint, "narrowing", "lint narrowing: each rule needs ids: [known ids] (and words: a pattern)")
                continue
            rules.append((None if words is None else str(words), frozenset(ids)))
        families.append(tuple(rules))
    return aliases, tuple(families)


def _fields_ok(spec: object, required: tuple[str, ...]) -> bool:
    """True when a catalog entry is a mapping with every required field of the right shape."""
    if not isinstance(spec, dict) or any(spec.get(key) in (None, "") for key in required):
        return False
    names = [spec["name"], spec.get("short", spec["name"])]
    if not all(isinstance(n, dict) and all(isinstance(v, str) for v in n.values()) for n in names):
        return False
    text_fields = [key for key in required if key not in ("name", "retrieved", "source_name")]
    if "source_name" in required and not _text_or_per_language(spec["source_name"]):
        return False
    return all(isinstance(spec[key], str) for key in text_fields)


def _text_or_per_language(value: object) -> bool:
    """A text, or a non-empty mapping of language code → text."""
    if isinstance(value, dict):
        return bool(value) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, str) and bool(value)
