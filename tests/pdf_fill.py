"""How full each page of a PDF that Chromium printed is (tests/test_print_browser.py).

A small reader of what Chromium's PDF backend (Skia) writes: the page objects in order, their
content streams (Flate), and in each stream every mark that paints: filled or stroked paths,
text, images (the current transformation matrix followed through q, Q and cm; a clipping path
paints nothing). A page's fill is how far down its lowest mark reaches, as a share of the page's
content box; its blank share is the rest.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TOKEN = re.compile(rb"""
    \((?:\\.|[^\\)])*\)            # a string (its text is not needed)
  | <<|>>|\[|\]                    # dictionary and array delimiters
  | <[0-9A-Fa-f\s]*>               # a hex string
  | /[^\s/\[\]()<>{}%]*            # a name
  | [-+]?(?:\d+\.?\d*|\.\d+)       # a number
  | [A-Za-z'"*]+                   # an operator
""", re.X)
PAINT = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
TEXT_SHOW = {b"Tj", b"TJ", b"'", b'"'}
OBJECT = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*)\r?\nendstream", re.S)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector convention: a point is transformed by m, then by n)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """A point through a matrix."""
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _points(m: Matrix, numbers: list[float]) -> list[tuple[float, float]]:
    """Pairs of numbers as points through a matrix."""
    return [apply(m, numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]


@dataclass
class _Painter:
    """Follows a content stream and keeps the lowest and highest y (page space) it painted at."""

    ctm: Matrix = IDENTITY
    low: float = float("inf")
    high: float = float("-inf")

    def mark(self, points: list[tuple[float, float]]) -> None:
        for _, y in points:
            self.low, self.high = min(self.low, y), max(self.high, y)

    def run(self, stream: bytes) -> None:
        stack: list[Matrix] = []
        operands: list[float] = []
        path: list[tuple[float, float]] = []
        text, line = IDENTITY, IDENTITY
        depth = 0  # inside a dictionary or array: no operator there
        for token in TOKEN.findall(stream):
            if token in (b"<<", b"["):
                depth += 1
            elif token in (b">>", b"]"):
                depth -= 1
            elif depth or token[:1] in b"(</":
                continue
            elif token[:1] in b"-+.0123456789":
                operands.append(float(token))
                continue
            elif token == b"q":
                stack.append(self.ctm)
            elif token == b"Q":
                self.ctm = stack.pop() if stack else IDENTITY
            elif token == b"cm" and len(operands) >= 6:
                self.ctm = multiply(tuple(operands[-6:]), self.ctm)  # type: ignore[arg-type]
            elif token in (b"m", b"l") and len(operands) >= 2:
                path.append(apply(self.ctm, *operands[-2:]))
            elif token == b"c" and len(operands) >= 6:
                path += _points(self.ctm, operands[-6:])
            elif token in (b"v", b"y") and len(operands) >= 4:
                path += _points(self.ctm, operands[-4:])
            elif token == b"re" and len(operands) >= 4:
                x, y, w, h = operands[-4:]
                path += [apply(self.ctm, x, y), apply(self.ctm, x + w, y + h)]
            elif token in PAINT:
                self.mark(path)
                path = []
            elif token == b"n":  # a clipping path, or nothing: painted nowhere
                path = []
            elif token == b"BT":
                text = line = IDENTITY
            elif token == b"Tm" and len(operands) >= 6:
                text = line = tuple(operands[-6:])  # type: ignore[assignment]
            elif token in (b"Td", b"TD") and len(operands) >= 2:
                text = line = multiply((1, 0, 0, 1, operands[-2], operands[-1]), line)
            elif token in TEXT_SHOW:
                self.mark([apply(multiply(text, self.ctm), 0, 0)])
            elif token == b"Do":
                self.mark([apply(self.ctm, 0, 0), apply(self.ctm, 1, 1)])
            operands = []


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in OBJECT.finditer(pdf)}


def _stream(body: bytes) -> bytes:
    found = STREAM.search(body)
    if found is None:
        return b""
    data = found.group(1)
    return zlib.decompress(data) if b"/FlateDecode" in body[:found.start()] else data


def _refs(value: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb"(\d+)\s+0\s+R", value)]


def _page_order(objects: dict[int, bytes]) -> list[int]:
    """The page objects in reading order, from the root of the page tree."""
    kids: dict[int, list[int]] = {}
    for number, body in objects.items():
        if re.search(rb"/Type\s*/Pages\b", body):
            found = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
            kids[number] = _refs(found.group(1)) if found else []
    children = {k for v in kids.values() for k in v}
    roots = [n for n in kids if n not in children]

    def walk(number: int) -> list[int]:
        return [p for kid in kids[number] for p in (walk(kid) if kid in kids else [kid])]

    return [p for root in roots for p in walk(root)]


@dataclass(frozen=True)
class PageFill:
    """One printed page: its height and how far down it is painted (PDF points)."""

    height: float
    top: float  # y of the highest mark (page space: 0 at the bottom)
    low: float  # y of the lowest mark

    def blank_share(self, margin_top: float, margin_bottom: float) -> float:
        """The share of the content box below the lowest mark."""
        content = self.height - margin_top - margin_bottom
        return max(0.0, min(1.0, (self.low - margin_bottom) / content))


def page_fills(pdf: bytes) -> list[PageFill]:
    """Each page's fill, in order."""
    objects = _objects(pdf)
    fills = []
    for number in _page_order(objects):
        body = objects[number]
        box = re.search(rb"/MediaBox\s*\[\s*([-\d.\s]+)\]", body)
        height = float(box.group(1).split()[3]) if box else 792.0
        painter = _Painter()
        found = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)", body)
        for ref in _refs(found.group(1)) if found else []:
            painter.run(_stream(objects.get(ref, b"")))
        fills.append(PageFill(height, painter.high, painter.low))
    return fills
