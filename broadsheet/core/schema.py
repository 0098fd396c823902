"""Declarative checks for the YAML mappings editors write (site.yaml, front matter, charts.yaml).

A schema is a list of `Field`s; `validate()` reports unknown keys (with "did you mean"), missing
required keys and every value its check refuses, each as `path:line: message (hint)` at the line
of the key, through one `report` callback. Checks are small functions `raw → Checked`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadsheet.core.errors import SourceError
from broadsheet.core.lines import line_of
from broadsheet.core.suggest import did_you_mean, known_hint

MISSING = object()


@dataclass(frozen=True)
class Checked:
    """A check's answer: the value to use, or a problem (message and optional hint)."""

    value: Any = None
    problem: str | None = None  # a predicate ("must be a number, got 'x'"): the key's name goes before it
    hint: str | None = None
    whole: bool = False  # the problem is a whole sentence: print it without the key's name


Check = Callable[[Any], Checked]


@dataclass(frozen=True)
class Field:
    """One key of a mapping: how to check its value, whether it must be there, its default."""

    name: str
    check: Check
    required: bool = False
    default: Any = None


def validate(mapping: Mapping[Any, Any], fields: Sequence[Field], path: Path, line: int, what: str,
             report: Callable[[SourceError], None], label: str = "",
             missing_hint: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Check `mapping` against `fields`; report each problem; return the checked values.

    `what` names a key in messages ("unknown field 'x'"); `label` goes before a key's name in a
    value's problem ("option step must be …"). Keys with a problem, and missing optional keys,
    take their field's default.
    """
    by_name = {f.name: f for f in fields}
    for key in mapping:
        if key not in by_name:
            report(SourceError(path, line_of(mapping, key, line), f"unknown {what} {str(key)[:60]!r}",
                               known_hint(str(key), by_name, what.split()[-1] + "s")))
    values: dict[str, Any] = {}
    for f in fields:
        raw = mapping.get(f.name, MISSING)
        if raw is MISSING or raw is None or (f.required and raw == ""):
            if f.required:
                hint = missing_hint(f.name) if missing_hint else \
                    f"required: {', '.join(g.name for g in fields if g.required)}"
                report(SourceError(path, line, f"{what} {f.name!r} is missing", hint))
            values[f.name] = f.default
            continue
        checked = f.check(raw)
        if checked.problem is not None:
            message = checked.problem if checked.whole else f"{label}{f.name} {checked.problem}"
            report(SourceError(path, line_of(mapping, f.name, line), message, checked.hint))
            values[f.name] = f.default
        else:
            values[f.name] = checked.value
    return values


def excerpt(value: Any, size: int = 40) -> str:
    """A short quotation of a value for a message (never the whole of a huge value)."""
    text = repr(value)
    return text if len(text) <= size else text[: size - 1] + "…"


# --- checks ----------------------------------------------------------------------------------------
def text(max_length: int = 10_000, hint: str | None = None) -> Check:
    """A non-empty string (stripped)."""

    def check(raw: Any) -> Checked:
        if not isinstance(raw, str) or not raw.strip():
            return Checked(problem=f"must be text, got {excerpt(raw)}", hint=hint)
        if len(raw) > max_length:
            return Checked(problem=f"is {len(raw):,} characters long (at most {max_length:,})")
        return Checked(raw.strip())

    return check


def boolean(raw: Any) -> Checked:
    """true or false."""
    if isinstance(raw, bool):
        return Checked(raw)
    return Checked(problem=f"must be true or false, got {excerpt(raw)}")


def one_of(*choices: Any) -> Check:
    """One of a fixed set of values."""

    def check(raw: Any) -> Checked:
        if isinstance(raw, str | int | float | bool) and raw in choices:
            return Checked(raw)
        close = did_you_mean(str(raw), [str(c) for c in choices])
        hint = f"did you mean {close!r}?" if close else None
        return Checked(problem=f"must be one of {', '.join(map(str, choices))}, got {excerpt(raw)}", hint=hint)

    return check


def number(low: float | None = None, high: float | None = None, allow_none: bool = False) -> Check:
    """A finite number, optionally within [low, high]."""

    def check(raw: Any) -> Checked:
        if raw is None and allow_none:
            return Checked(None)
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            return Checked(problem=f"must be a number, got {excerpt(raw)}")
        if (low is not None and raw < low) or (high is not None and raw > high):
            return Checked(problem=f"must be between {low:g} and {high:g}, got {raw:g}")
        return Checked(raw)

    return check


def date(raw: Any) -> Checked:
    """A calendar date written as 2025-04-13 (unquoted YAML dates are read as dates)."""
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return Checked(raw)
    if isinstance(raw, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        try:
            return Checked(dt.date.fromisoformat(raw.strip()))
        except ValueError:
            pass
    return Checked(problem=f"must be a date like 2025-04-13, got {excerpt(raw)}")


def per_language(codes: Sequence[str], required: bool, max_length: int = 10_000) -> Check:
    """A text per language code ({zh-Hant: …, en: …}); `required`: one for every language."""

    def check(raw: Any) -> Checked:
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            return Checked(problem="must map each language code to a text", hint="e.g. {zh-Hant: …, en: …}")
        unknown = [str(k) for k in raw if k not in codes]
        if unknown:
            return Checked(problem=f"names unknown language {unknown[0]!r}", hint=f"languages: {', '.join(codes)}")
        missing = [c for c in codes if c not in raw] if required else []
        if missing:
            return Checked(problem=f"has no text for language {missing[0]!r}", hint=f"add `{missing[0]}: …`")
        if any(len(v) > max_length for v in raw.values()):
            return Checked(problem=f"a text is longer than {max_length:,} characters")
        return Checked({str(k): v.strip() for k, v in raw.items()})

    return check


def mapping(raw: Any) -> Checked:
    """A mapping, checked further by its own schema."""
    if isinstance(raw, dict):
        return Checked(raw)
    return Checked(problem=f"must be a mapping, got {excerpt(raw)}")
