"""Figure expressions: the one parser of `{{ function("literal", key=literal) }}` in content.

Markdown bodies, chart titles and descriptions, the build plan (which series a chart's texts
read) and `check` all find expressions here. An expression of the usual shape is read by Python's
own parser when Jinja would read it the same (plain_call); any other by Jinja's sandboxed parser
(jinja_call.py, imported only then), whose reading and messages are the rule. Either way it is
accepted only as one call of a known function with literal arguments; nothing is compiled or run.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from broadsheet.core.spans import spans

MAX_EXPRESSION = 500  # characters; a figure call is short, anything longer is a mistake
MAX_DEPTH = 8  # nested brackets: a figure call needs two; deeper is hostile or broken (Jinja recurses per level)
STATEMENT_RE = re.compile(r"\{%|\{#")


@dataclass(frozen=True)
class LiteralCall:
    """A parsed figure expression: the function's name and its literal arguments."""

    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Expression:
    """One `{{ … }}` found in a text: where it starts and what is inside."""

    start: int
    end: int
    source: str  # the text between the braces

    def call(self, names: frozenset[str] | None = None) -> LiteralCall | str:
        """Parse as a call of one of `names` (any name when None), or say why it is not one."""
        return parse_figure_call(self.source, names)

    def literal_args(self) -> tuple[Any, ...]:
        """The literal arguments when it parses as a call, else ()."""
        found = self.call()
        return found.args + tuple(v for _, v in found.kwargs) if isinstance(found, LiteralCall) else ()


def expressions_in(text: str) -> Iterator[Expression]:
    """Every `{{ … }}` of `text` with at most MAX_EXPRESSION characters inside, in order.

    What the regex `{{(.{0,500}?)}}` finds (braces escaped), in linear time (core/spans.py): that
    regex read up to 500 characters from every `{{` of a page of `{` (2 MB: over 20 s).
    """
    for span in spans(text, "{{", "}}", MAX_EXPRESSION):
        yield Expression(span.start, span.end, span.inner(text))


def _depth(expr: str) -> int:
    depth = deepest = 0
    for char in expr:
        depth += char in "([{"
        depth -= char in ")]}"
        deepest = max(deepest, depth)
    return deepest


@functools.lru_cache(maxsize=8192)
def parse_figure_call(expr: str, names: frozenset[str] | None = None) -> LiteralCall | str:
    """Parse `expr` as one call of a known function with literal arguments, or say why it is not.

    Pure, so it is memoized: a weekly newsletter repeats the same expressions across editions.
    """
    if len(expr) > MAX_EXPRESSION:
        return f"a figure expression is at most {MAX_EXPRESSION} characters"
    if _depth(expr) > MAX_DEPTH:
        return f"brackets nested more than {MAX_DEPTH} deep are not allowed in figure expressions"
    fast = plain_call(expr)
    if fast is not None and (names is None or fast.name in names):
        return fast
    # Jinja only now: importing it is 30 ms of CPU that a build with nothing changed never needs
    from broadsheet.figures.jinja_call import jinja_call

    read = jinja_call(expr, names)
    return read if isinstance(read, str) else LiteralCall(*read)


# What Jinja reads as a literal, written the way Python writes it too: a number without a sign,
# base prefix or leading dot, True/False/None, a quoted string without a prefix letter
_PLAIN_NUMBER_RE = re.compile(r"\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?")
_STRING = r"""(?:'[^'\n]*'|"[^"\n]*")"""
_PLAIN_STRINGS_RE = re.compile(rf"{_STRING}(?:\s*{_STRING})*")  # 'a' "b": Jinja joins them as Python does
_JINJA_CONSTANT_NAMES = {"true", "false", "none", "True", "False", "None"}


def plain_call(expr: str) -> LiteralCall | None:
    """The call, when `expr` is the shape nearly every figure expression has: a name and literal
    arguments, no backslash, on one line. Read by Python's own parser (in C: Jinja's parser was
    a seventh of a page's assembly), and only when Jinja reads it the same; None sends anything
    else to Jinja, whose reading and messages are the rule (tests/test_fuzz.py compares them)."""
    # triple quotes are three strings to Jinja; # starts a comment only in Python
    if any(token in expr for token in ("\\", "\n", "#", "'''", '"""')):
        return None
    source = expr.strip()
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like: Jinja will say
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id in _JINJA_CONSTANT_NAMES:
        return None
    values = [*call.args, *(kw.value for kw in call.keywords)]
    if any(kw.arg is None for kw in call.keywords) or len({kw.arg for kw in call.keywords}) < len(call.keywords):
        return None  # **kwargs, or a keyword given twice
    for value in values:
        if not isinstance(value, ast.Constant) or not _plain_literal(value, ast.get_source_segment(source, value)):
            return None
    return LiteralCall(call.func.id, tuple(v.value for v in call.args),  # type: ignore[attr-defined]
                       tuple((str(kw.arg), kw.value.value) for kw in call.keywords))  # type: ignore[attr-defined]


def _plain_literal(node: ast.Constant, text: str | None) -> bool:
    """Whether Jinja reads this literal's source text as the same constant."""
    if text is None:
        return False
    value = node.value
    if isinstance(value, bool) or value is None:
        return text in ("True", "False", "None")
    if isinstance(value, str):
        return _PLAIN_STRINGS_RE.fullmatch(text) is not None  # no r/u/b/f prefix, which Jinja does not know
    if isinstance(value, int | float):
        return _PLAIN_NUMBER_RE.fullmatch(text) is not None
    return False  # bytes, complex, Ellipsis
