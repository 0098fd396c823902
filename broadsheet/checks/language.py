"""The zh-Hant-TW language check of `check`: simplified characters and mainland terms, with the
Taiwan usage to write instead (warnings).

OpenCC does the finding: a character that Big5 cannot encode and that OpenCC's s2t changes is a
simplified character (稳 → 穩); a phrase that OpenCC's Taiwan phrases (s2twp) change where its
character-only conversion (s2tw) does not is a mainland term (芯片 → 晶片, 服務器 → 伺服器).
Built-in rules and content/language.yaml add `prefer` (a term OpenCC does not know, such as
美聯儲 → 聯準會) and `keep` (words OpenCC would change that are right in Taiwan's financial prose,
such as 數據). A line marked `<!-- keep: why -->` (at its end, or alone on the line before: then the
next line, or the list that follows) is left as written: a quotation.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import opencc

from broadsheet.core.errors import SourceError
from broadsheet.core.spans import unnested
from broadsheet.core.yamlsource import load_yaml, read_text

RULES_FILE = "language.yaml"  # under content/
# spans that do not reach across another opener (core/spans.py): `.*?` from each of a line of
# `<!--`, `{{` or `](` read to the line's end, quadratic (issue 25)
KEEP_RE = re.compile(unnested("<!--", "-->", then=r"\s*keep\b"), re.I)
STRIP_RE = re.compile("|".join([unnested("{{", "}}"), unnested("<!--", "-->"), r"`[^`]*`",
                                unnested("](", ")", inside="[^)]"), r"https?://\S+"]))
ITEM_RE = re.compile(r"\s*(?:[-*+]|\d+\.)\s")
CJK_RE = re.compile(r"[\u3400-\u9fff]")
HAN_RE = re.compile("[\u3400-\U0010ffff]")  # no simplified character comes before U+3400
MAX_PIECE = 64  # characters of a line converted and compared at a time (see _pieces)
PIECE_ENDS = "，。、；：！？「」『』（）,.;:!?() \t"  # where a piece is best cut
MAX_SLIPS = 20  # slips reported on one line
MAX_CHANGES = 200  # changes of OpenCC's Taiwan phrases looked at on one line (kept words included)
MAX_WARNINGS = 100  # lines with slips reported for one file


# Taiwan usage OpenCC does not know, and words its Taiwan phrases would change that are right in
# Taiwan's financial prose; content/language.yaml adds to both
PREFER = {"美聯儲": "聯準會", "美联储": "聯準會"}
KEEP = frozenset({"數據", "消息", "循環", "項目"})  # data; news; a cycle (惡性循環); items of a list


@dataclass
class LanguageRules:
    """What the lint knows beyond OpenCC: the built-in rules and content/language.yaml's."""

    prefer: dict[str, str] = field(default_factory=lambda: dict(PREFER))
    keep: frozenset[str] = KEEP


def load_rules(content_dir: Path) -> tuple[LanguageRules, list[SourceError]]:
    """Read content/language.yaml (absent: no additions)."""
    path = content_dir / RULES_FILE
    if not path.is_file():
        return LanguageRules(), []
    try:
        data: Any = load_yaml(read_text(path), path)
    except SourceError as exc:
        return LanguageRules(), [exc]
    data = data or {}
    prefer, keep = data.get("prefer") or {}, data.get("keep") or []
    if not isinstance(data, dict) or not isinstance(prefer, dict) or not isinstance(keep, list):
        return LanguageRules(), [SourceError(path, 1, "language.yaml holds `prefer:` (term: Taiwan term) and `keep:` "
                                                      "(a list of words)")]
    return LanguageRules({**PREFER, **{str(k): str(v) for k, v in prefer.items()}},
                         KEEP | frozenset(str(k) for k in keep)), []


@lru_cache(maxsize=1)
def _converters() -> tuple[Any, Any, Any]:
    """OpenCC's converters, made once: each loads its dictionaries."""
    return opencc.OpenCC("s2t"), opencc.OpenCC("s2tw"), opencc.OpenCC("s2twp")


@lru_cache(maxsize=65536)
def _simplified(char: str) -> str | None:
    """The Traditional form of a simplified-only character, else None (asked once per character)."""
    s2t = _converters()[0]
    traditional = s2t.convert(char)
    if traditional == char:
        return None
    try:
        char.encode("cp950")  # Big5 holds Traditional characters (干, 里, 后 are both): not a slip
        return None
    except UnicodeEncodeError:
        return traditional


def findings(text: str, rules: LanguageRules) -> list[tuple[str, str]]:
    """(as written, Taiwan usage) for each slip in one line of zh-Hant text, in order (at most
    MAX_SLIPS: a line of nothing but slips is not read to its end)."""
    found: list[tuple[int, str, str]] = []
    for term, better in rules.prefer.items():  # each kind is found in order: its first few are enough
        found.extend(itertools.islice(((m.start(), term, better) for m in re.finditer(re.escape(term), text)),
                                      MAX_SLIPS))
    simplified = ((m.start(), m.group(), better) for m in HAN_RE.finditer(text)
                  if (better := _simplified(m.group())) is not None)
    found.extend(itertools.islice(simplified, MAX_SLIPS))
    found.extend(itertools.islice(_phrase_slips(text, rules), MAX_SLIPS))
    taken: set[int] = set()
    out: list[tuple[str, str]] = []
    for start, written, better in sorted(found):
        span = set(range(start, start + len(written)))
        if not span & taken:
            taken |= span
            out.append((written, better))
    return out[:MAX_SLIPS]


def _phrase_slips(text: str, rules: LanguageRules) -> Iterator[tuple[int, str, str]]:
    """(offset, as written, Taiwan usage) of the phrases OpenCC's Taiwan phrases change, in order,
    a piece of the line at a time, looking at no more than MAX_CHANGES changes."""
    _, s2tw, s2twp = _converters()
    changes = 0
    for offset, piece in _pieces(text):
        chars, phrases = s2tw.convert(piece), s2twp.convert(piece)
        if chars == phrases or len(chars) != len(piece):
            continue
        for i1, i2, j1, j2 in _changes(chars, phrases):
            for start, written, better in _phrase(piece, chars, phrases, i1, i2, j1, j2, rules):
                yield offset + start, written, better
            changes += 1
            if changes >= MAX_CHANGES:
                return


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) of a line cut into pieces of at most MAX_PIECE characters, after a mark or
    a space where there is one (a phrase does not reach across them), else anywhere.

    OpenCC converts and the two conversions are compared a piece at a time: difflib compares
    two conversions of a whole line in time that grows with the cube of its length on repeated
    phrases (4,000 characters of 芯片 took 204 s).
    """
    start = 0
    while len(text) - start > MAX_PIECE:
        window = text[start:start + MAX_PIECE]
        cut = max(window.rfind(mark) for mark in PIECE_ENDS)
        end = start + (cut + 1 if cut > 0 else MAX_PIECE)
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _changes(chars: str, phrases: str) -> Iterator[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) of each run that OpenCC's Taiwan phrases changed: the differing runs when
    the two conversions have the same length (a phrase replaced by one as long: 芯片 → 晶片), else
    difflib's opcodes (a piece is short)."""
    if len(chars) != len(phrases):
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, chars, phrases, autojunk=False).get_opcodes():
            if op != "equal":
                yield i1, i2, j1, j2
        return
    n = 0
    while n < len(chars):
        if chars[n] == phrases[n]:
            n += 1
            continue
        end = n
        while end < len(chars) and chars[end] != phrases[end]:
            end += 1
        yield n, end, n, end
        n = end


def _phrase(text: str, chars: str, phrases: str, i1: int, i2: int, j1: int, j2: int,
            rules: LanguageRules) -> Iterator[tuple[int, str, str]]:
    """A phrase OpenCC's Taiwan phrases change, widened to the word, unless the project keeps it."""
    for word in rules.keep:
        for m in re.finditer(re.escape(word), text):
            if m.start() <= i1 and i2 <= m.end():
                return
    start, written, better = _word(text, i1, max(i2, i1 + 1), phrases[j1:j2])
    if written.strip() and CJK_RE.search(written) and written not in rules.keep:
        yield start, written, better


def _word(text: str, i1: int, i2: int, fallback: str) -> tuple[int, str, str]:
    """The shortest run of text around [i1, i2) that OpenCC's Taiwan phrases change on its own."""
    _, s2tw, s2twp = _converters()
    for size in range(max(2, i2 - i1), 7):
        for start in range(max(0, i2 - size), min(i1, len(text) - size) + 1):
            word = text[start:start + size]
            better = s2twp.convert(word)
            if better != s2tw.convert(word):
                return start, word, better
    return i1, text[i1:i2], fallback


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text to read) of a zh-Hant Markdown file; kept lines, code and expressions left out."""
    fence: str | None = None
    keep_next = keep_list = False
    for number, raw in enumerate(read_text(path).split("\n"), start=1):
        stripped = raw.strip()
        if fence or stripped.startswith(("```", "~~~")):
            fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
            continue
        is_item = bool(ITEM_RE.match(raw))
        keep_list = keep_list and is_item
        marked = bool(KEEP_RE.search(raw))
        text = STRIP_RE.sub(" ", raw)
        if not text.strip():
            keep_next = keep_next or marked
            continue
        kept = keep_next or keep_list or marked
        keep_list = keep_list or (keep_next and is_item)  # a mark before a list: all its items
        keep_next = False
        if not kept:
            yield number, text


def lint_file(path: Path, rules: LanguageRules) -> list[SourceError]:
    """One warning per line with slips: each slip and the Taiwan usage (the first MAX_WARNINGS
    lines, then one warning that the check stopped: each slip costs OpenCC calls)."""
    warnings = []
    for number, text in _lines(path):
        found = findings(text, rules)
        if found and len(warnings) == MAX_WARNINGS:
            warnings.append(SourceError(path, number, f"more lines not in Taiwan usage: the check stopped after "
                                                      f"{MAX_WARNINGS}", "fix the ones above, then check again"))
            break
        if found:
            listed = ", ".join(f"{written} → {better}" for written, better in found)
            warnings.append(SourceError(path, number, f"not Taiwan usage: {listed}",
                                        "write the Taiwan form, or mark a quotation with <!-- keep: why -->"))
    return warnings
