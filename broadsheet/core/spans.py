"""Delimited spans (`<!-- … -->`, `{{ … }}`) found in linear time. Imports nothing of broadsheet.

A regular expression such as `<!--.*?-->` is quadratic on text that opens many spans and closes
none: from every `<!--` it reads to the end of the text before giving up (a page of 100,000
unclosed `<!--` took 15 s, issue 25). `spans()` finds what that expression finds, leftmost first
and never overlapping, but looks for each closer once: when there is no closer after an opener,
there is none after any later opener either, so the search stops there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar


@dataclass(frozen=True)
class Span:
    """One `opener … closer` of a text: where it starts and ends, and where its inside does."""

    start: int
    end: int
    inner_start: int
    inner_end: int

    def inner(self, text: str) -> str:
        """The text between the opener and the closer."""
        return text[self.inner_start:self.inner_end]


def spans(text: str, opener: str | re.Pattern[str], closer: str, limit: int | None = None) -> Iterator[Span]:
    """Each `opener … closer` of `text`, as `re.finditer(opener + ".{0,limit}?" + closer, text, re.S)`
    finds them (any length when `limit` is None), in linear time.

    `opener` is a string or a compiled pattern (e.g. `<!--\\s*reviewed\\s*:`), which must itself
    take linear time; `closer` is a string.
    """
    pattern = opener if isinstance(opener, re.Pattern) else re.compile(re.escape(opener))
    pos = 0
    close_at = -1  # the first closer at or after the last inside's start: valid while it is not behind
    while (found := pattern.search(text, pos)) is not None:
        inner = found.end()
        if close_at < inner:
            close_at = text.find(closer, inner)
            if close_at < 0:
                return  # no closer after this opener, so none after any later one
        if limit is not None and close_at - inner > limit:
            pos = found.start() + 1  # too long from here: the regex would try the next position
            continue
        end = close_at + len(closer)
        yield Span(found.start(), end, inner, close_at)
        pos = end if end > found.start() else found.start() + 1


class Located(Protocol):
    """Anything with a start and an end in a text (a Span, a figure expression)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


L = TypeVar("L", bound=Located)


def replace_spans(text: str, found: Iterable[L], replace: Callable[[L], str]) -> str:
    """`text` with each of the spans `found` (in order, not overlapping) replaced by `replace(span)`."""
    out: list[str] = []
    pos = 0
    for span in found:
        out.append(text[pos:span.start])
        out.append(replace(span))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def strip_spans(text: str, opener: str | re.Pattern[str], closer: str) -> str:
    """`text` without its `opener … closer` spans."""
    if not (opener in text if isinstance(opener, str) else opener.search(text)):
        return text  # the common case: nothing to take out
    return replace_spans(text, spans(text, opener, closer), lambda _: "")


def unnested(opener: str, closer: str, then: str = "", inside: str = "(?s:.)") -> str:
    """The regex source of `opener` + `then` … `closer` that does not reach across another opener.

    `opener.*?closer` is quadratic on a line of openers without a closer (each try reads to the
    end); this one stops at the next opener, so a search is linear. It finds the same spans
    except where one is opened inside another: in `<!-- a <!-- b -->` it finds `<!-- b -->`.
    For the checks, which only take such spans out of the prose they read; the page itself
    uses spans(), which is exact. `then` is a regex that follows the opener (`\\s*keep\\b`),
    `inside` what each character inside must be (any by default).
    """
    start, end = re.escape(opener), re.escape(closer)
    return f"{start}{then}(?:(?!{start}){inside})*?{end}"
