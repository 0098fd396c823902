"""The typed-number check, part one: the numbers typed in prose beside a series' name (`Claim`s).

A number in an issue's prose is a claim about a series or an indicator when a name the catalog
knows for it is in the same clause (or the sentence, or the list item above). The words prose may
use for a series (aliases, families and the words that narrow a family) are data, in
data/catalog.yaml's `lint:` section, so a new series gets lint coverage without code; the other
words around a number (movement, rates, fields, months, units) are prose_words.py's. Numbers that
are years, dates, counts, thresholds or rounded bounds are not claims. typed_numbers.py compares
each claim with the data.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from broadsheet.checks.prose_words import (
    APPROX_AFTER_RE,
    APPROX_BEFORE_RE,
    CONSENSUS_RE,
    DATE_RE,
    FIELD_AFTER_RE,
    FROM_BEFORE_RE,
    MOM,
    MONTH_AFTER_RE,
    MONTH_BEFORE_RE,
    MONTH_RE,
    MONTHS_EN,
    MOVE_RE,
    NUMBER_RE,
    OWN_MONTH_PHRASE_RE,
    OWN_MONTH_RE,
    PAGE_BEFORE_RE,
    PRIOR_RE,
    RATE_CLAUSE_RE,
    THRESHOLD_CLAUSE_RE,
    VALUE_BEFORE_RE,
    YOY,
)
from broadsheet.content.issues import Page
from broadsheet.core.spans import unnested
from broadsheet.data.store import DataStore

FIGURE_MARK = " ⟨figure⟩ "
NAME_MARK = "⟨name⟩"
# What the prose lines leave out, each in linear time: a span does not reach across another opener
# (core/spans.py), a tag or an attribute list across another `<` or `{` (`.*?` and `[^>]+` from each
# of a line of `<!--`, `{{`, `](`, `<` or `{:` read to the line's end: quadratic, issue 25)
REVIEWED_RE = re.compile(unnested("<!--", "-->", then=r"\s*reviewed\b"), re.I)
COMMENT_RE = re.compile(unnested("<!--", "-->"))
EXPRESSION_RE = re.compile(unnested("{{", "}}"))
CODE_RE = re.compile(r"`[^`]*`")
LINK_TARGET_RE = re.compile(unnested("](", ")", inside="[^)]"))
ATTR_LIST_RE = re.compile(r"\{:[^{}]*\}")
TAG_RE = re.compile(r"<[^<>]+>")
SENTENCE_RE = re.compile(r"(?<=[。;;!?!?])|(?<=[.])\s+(?=[A-Z\"“(])")
CONTEXT = 200  # characters before and after a number that say what it is (a clause is shorter)
MAX_NUMBERS = 2_000  # numbers beside a name looked at on one page (a long issue has a few dozen)
CLAUSE_RE = re.compile(r",(?!\d)|[\uff0c\u3001:\uff1a;\uff1b]")  # not the comma of 5,456


@dataclass(frozen=True)
class Claim:
    """A number typed in prose beside a series or indicator name."""

    line: int
    text: str  # the number as typed, with its unit
    value: float
    unit: str
    targets: tuple[str, ...]
    field: str  # actual, consensus or prior (indicators)
    moved: bool  # a movement word is in its clause (a change rather than a level)
    period: str | None
    day: dt.date | None


# --- reading the Markdown source --------------------------------------------------------------
def prose_lines(page: Page) -> Iterator[tuple[int, str, bool, bool]]:
    """Yield (file line, prose text, reviewed?, list item?) for every line of a page body."""
    fence: str | None = None
    reviewed_next = reviewed_list = False
    for n, raw in enumerate(page.body.split("\n")):
        line = page.body_line + n
        stripped = raw.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        is_item = bool(re.match(r"\s*(?:[-*+]|\d+\.)\s", raw))
        reviewed_list = reviewed_list and is_item
        reviewed = reviewed_next or reviewed_list or bool(REVIEWED_RE.search(raw))
        text = COMMENT_RE.sub(" ", raw)
        if not text.strip():
            # a comment alone on its line marks the next line with text (a list: its items)
            reviewed_next = reviewed_next or bool(REVIEWED_RE.search(raw))
            continue
        reviewed_list = reviewed_list or (reviewed_next and is_item)  # a note before a list: all its items
        reviewed_next = False
        text = EXPRESSION_RE.sub(FIGURE_MARK, text)
        text = CODE_RE.sub(" ", text)
        text = LINK_TARGET_RE.sub("]", text)  # link targets
        text = ATTR_LIST_RE.sub(" ", text)  # attribute lists
        text = TAG_RE.sub(" ", text)
        yield line, text, reviewed, is_item


class NameIndex:
    """Every way prose names a series or indicator → the ids it may mean."""

    def __init__(self, store: DataStore):
        known = set(store.catalog.series) | set(store.catalog.indicators)
        names: dict[str, set[str]] = {}
        for info in list(store.catalog.series.values()) + list(store.catalog.indicators.values()):
            for text in list(info.name.values()) + list(getattr(info, "short", {}).values()):
                names.setdefault(text, set()).add(info.id)
        for text, ids in store.catalog.aliases.items():
            names.setdefault(text, set()).update(i for i in ids if i in known)
        ordered = sorted((t for t in names if names[t]), key=len, reverse=True)
        self.names = names
        self.narrowing = store.catalog.narrowing
        self.pattern = re.compile("|".join(_name_pattern(t) for t in ordered), re.I) if ordered else None
        # The same names lower-cased, for the lower-cased text: without re.I, and with each name's
        # first character before its look-behind, the regex engine skips every character that no
        # name starts with; as above it tried 100 names at every character (2 MB: 2 s, issue 25).
        self.folded = re.compile("|".join(_name_pattern(t.lower()) for t in ordered)) if ordered else None

    def find(self, text: str) -> tuple[str, set[str]]:
        """Return (text with names masked, ids named in it)."""
        if self.pattern is None or self.folded is None:
            return text, set()
        ids: set[str] = set()
        folded = text.lower()
        # a few characters lower-case to two (İ): then the offsets differ, and re.I reads the text itself
        regex, searched = (self.folded, folded) if len(folded) == len(text) else (self.pattern, text)
        out: list[str] = []
        pos = 0
        for m in regex.finditer(searched):
            ids.update(self.names[_canonical(text[m.start():m.end()], self.names)])
            out += [text[pos:m.start()], NAME_MARK]
            pos = m.end()
        return "".join(out) + text[pos:], ids


def _name_pattern(text: str) -> str:
    escaped = re.escape(text).replace(r"\ ", r"\s*")
    if re.match(r"[A-Za-z]", text):  # not after a letter: checked once the first letter matched
        escaped = escaped[0] + r"(?<![A-Za-z].)" + escaped[1:]
    if re.match(r"\d", text):  # 10-year is not the end of 5–10-year
        escaped = escaped[0] + r"(?<![\d.,\-–—].)" + escaped[1:]
    if re.search(r"[A-Za-z]$", text):
        escaped += r"(?![A-Za-z])"
    return escaped


def _canonical(found: str, names: dict[str, set[str]]) -> str:
    if found in names:
        return found
    squeezed = re.sub(r"\s+", "", found).lower()
    for text in names:
        if re.sub(r"\s+", "", text).lower() == squeezed:
            return text
    return found


def narrow(ids: set[str], texts: list[str], narrowing: tuple[Any, ...]) -> set[str]:
    """Keep the members of each family that the words of the clause (then the sentence) select."""
    kept = set(ids)
    for rules in narrowing:
        family = set().union(*(r[1] for r in rules))
        if not kept & family:
            continue
        chosen: set[str] | None = None
        for text in texts:
            matched = [r[1] for r in rules if r[0] and _mentions(r[0], text)]
            if matched:
                chosen = set().union(*matched)
                break
        if chosen is None:
            defaults = [r[1] for r in rules if r[0] is None]
            chosen = set().union(*defaults) if defaults else family
        kept = (kept - family) | (kept & family & chosen)
    return kept


@functools.lru_cache(maxsize=1024)
def _mentions(pattern: str, text: str) -> bool:
    """Whether `text` holds a word of `pattern`: asked for every number of a sentence, read once."""
    return re.search(pattern, text, re.I) is not None


@functools.lru_cache(maxsize=256)
def has_move_word(clause: str) -> bool:
    """Whether a clause has a movement word (asked for each of its numbers, read once)."""
    return MOVE_RE.search(clause) is not None


def _period(text: str, issue_date: dt.date) -> str | None:
    m = MONTH_RE.search(text)
    if not m:
        return None
    month = int(m.group(1)) if m.group(1) else _month_number(m.group(2))
    year = issue_date.year if month <= issue_date.month else issue_date.year - 1
    return f"{year}-{month:02d}"


def _month_number(name: str) -> int:
    """1 for January, Jan or Jan.; Sept is September."""
    short = name.rstrip(".").lower()[:3]
    return next(n for n, month in enumerate(MONTHS_EN, start=1) if month.startswith(short))


def named_day(text: str, issue_date: dt.date) -> dt.date | None:
    """The first day a text names (4/9, 4 月 9 日, April 9), in the year before the issue date."""
    m = DATE_RE.search(text)
    if not m:
        return None
    if m.group(1):
        month, day = int(m.group(1)), int(m.group(2))
    else:
        month, day = _month_number(m.group(3)), int(m.group(4))
    year = issue_date.year if month <= issue_date.month else issue_date.year - 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _number(m: re.Match[str]) -> float:
    value = float(m.group("num").replace(",", ""))
    return -value if m.group("sign") in ("-", "−") else value


def typed_decimals(m: re.Match[str]) -> int:
    """The decimals a number of NUMBER_RE was typed with (17,391.76: 2)."""
    num = m.group("num")
    return len(num.split(".")[1]) if "." in num else 0


@dataclass
class Claims:
    """The claims of a page, (claim, decimals) each, and the line where the search stopped when
    the page has more than MAX_NUMBERS numbers beside a name (each costs ~80 µs: an absurd page
    took minutes)."""

    found: list[tuple[Claim, int]] = field(default_factory=list)
    numbers: int = 0  # numbers looked at
    stopped_at: int | None = None


def find_claims(page: Page, names: NameIndex) -> Claims:
    """Find the numbers typed beside a series or indicator name."""
    claims = Claims()
    inherited: Subject | None = None  # the subject of the previous list item
    previous_line = -1
    for line, text, reviewed, is_item in prose_lines(page):
        if not (is_item and previous_line == line - 1):
            inherited = None
        previous_line = line
        line_subject: Subject | None = None
        for sentence in SENTENCE_RE.split(text):
            if sentence and sentence.strip():
                own = _sentence_claims(sentence, line, page, names, inherited, reviewed, claims)
                line_subject = own or line_subject
        if claims.stopped_at is not None:
            break
        if is_item:
            inherited = line_subject or inherited
    return claims


Subject = tuple[set[str], str | None]  # the ids a sentence names, and the period it speaks of


def _sentence_claims(sentence: str, line: int, page: Page, names: NameIndex, inherited: Subject | None,
                     reviewed: bool, claims: Claims) -> Subject | None:
    """Add the claims of one sentence; return its own subject (what it names), if any."""
    masked, named = names.find(sentence)
    period = _period(OWN_MONTH_PHRASE_RE.sub(" ", masked), page.meta.date)  # not February's of "February's 2.8%"
    own = (named, period) if named else None
    if not named and inherited and (re.search(YOY + "|" + MOM, masked, re.I) or CONSENSUS_RE.search(masked)
                                    or PRIOR_RE.search(masked)):
        named, period = inherited[0], period or inherited[1]
    if not named or reviewed or claims.stopped_at is not None:
        return own
    day = named_day(masked, page.meta.date)
    clauses = CLAUSE_RE.split(masked)
    originals = CLAUSE_RE.split(sentence)
    if len(originals) != len(clauses):
        originals = clauses
    for clause, original in zip(clauses, originals, strict=True):
        field_word = CONSENSUS_RE.search(clause) or PRIOR_RE.search(clause) or RATE_CLAUSE_RE.search(clause)
        if NAME_MARK not in clause and not field_word and not (inherited and named is inherited[0]):
            continue
        if THRESHOLD_CLAUSE_RE.search(clause):
            continue
        for m in NUMBER_RE.finditer(clause):
            if claims.numbers == MAX_NUMBERS:
                claims.stopped_at = line
                return own
            claims.numbers += 1
            claim = _claim(m, clause, named, [original, sentence], line, period, day, names.narrowing,
                           page.meta.date)
            if claim is not None:
                claims.found.append((claim, typed_decimals(m)))
    return own




def quantity(m: re.Match[str], clause: str) -> tuple[str, float] | None:
    """(unit, value) of a number of NUMBER_RE in `clause` that reads as a quantity; None for a year,
    a date, a count, a page, a bound or a threshold."""
    unit = (m.group("unit") or "").strip()
    # the words next to the number: a bounded window, or a clause of many numbers is quadratic
    before, after = clause[max(0, m.start() - CONTEXT): m.start()], clause[m.end(): m.end() + CONTEXT]
    if (not unit and "." not in m.group("num") and re.match(r"\s*[\u3400-\u9fff]", after)
            and not re.match(r"\s*(?:美元|萬|億|兆)", after)):
        return None  # 3月, 20年, 11大產業, 6家: dates, durations and counts (50.3 下滑 is a value)
    if not unit and re.match(r"\s*(?:年|月|日|天|週|周|years?\b|months?\b|days?\b|weeks?\b)", after, re.I):
        return None
    if MONTH_BEFORE_RE.search(before) or MONTH_AFTER_RE.match(after) or PAGE_BEFORE_RE.search(before):
        return None  # April 9, 9 April; p. 12, No. 3
    value = _number(m)
    if not unit and "," not in m.group("num") and "." not in m.group("num") and 1900 <= value <= 2100:
        return None  # a year
    if APPROX_BEFORE_RE.search(before) or APPROX_AFTER_RE.match(after):
        return None
    return unit, value




def _field_before(before: str) -> str:
    """The field the last consensus or prior word before a number names (預期 2.6%), else actual; the
    words before a value typed earlier in the clause, or right after it, are that value's."""
    values = list(VALUE_BEFORE_RE.finditer(before))
    if values:
        before = before[values[-1].end():]
        if (own := FIELD_AFTER_RE.match(before)) is not None:
            before = before[own.end():]
    found = [(fm.start(), name) for regex, name in ((CONSENSUS_RE, "consensus"), (PRIOR_RE, "prior"))
             for fm in regex.finditer(before)]
    return max(found)[1] if found else "actual"


def _field_after(after: str) -> str | None:
    """consensus or prior when the words right after a number say so (English word order), else None."""
    return None if (m := FIELD_AFTER_RE.match(after)) is None else "consensus" if m.group("consensus") else "prior"


def _claim(m: re.Match[str], clause: str, named: set[str], context: list[str], line: int, period: str | None,
           day: dt.date | None, narrowing: tuple[Any, ...], issue_date: dt.date) -> Claim | None:
    """Turn a number in a clause into a Claim, or None when it is a year, date, count or bound."""
    found = quantity(m, clause)
    if found is None:
        return None
    unit, value = found
    before = clause[max(0, m.start() - CONTEXT): m.start()]
    field = _field_after(clause[m.end(): m.end() + CONTEXT]) or _field_before(before)
    if FROM_BEFORE_RE.search(before):  # a starting value: any close of the window, a release's prior
        day, field = None, "prior" if field == "actual" else field
    if (own := OWN_MONTH_RE.search(before)) is not None:  # revised: the prior of the sentence's release
        field, period = ("prior", period) if own.group("revised") or own.group("revised_zh") else (
            field, _period(own.group(), issue_date))
    narrowed = narrow(named, context, narrowing)  # the words as written, names included ("10-year")
    if not narrowed:
        return None
    return Claim(line=line, text=m.group().strip(), value=value, unit=unit, targets=tuple(sorted(narrowed)),
                 field=field, moved=has_move_word(clause), period=period, day=day)

