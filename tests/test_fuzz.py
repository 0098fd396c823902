"""Fuzz harness: one hypothesis property per input class, through the public entry points.

Each property feeds random (mostly mutated) input and asserts that the result is either success
or a located error: `BuildFailed`/`SourceError` whose every problem names the input's file and a
line inside it (or no line) — never another exception. The Markdown property also asserts the
sanitizer's promise: no element outside the allow-list, no event handler, no javascript: URL.

Budget: small by default (the whole file runs in a few seconds). For a long run:

    BROADSHEET_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py -q

Fetch responses are fuzzed by the data loading tests (tests/test_fetch.py), not here. The last
section repeats a dangerous token (DANGEROUS: what was quadratic somewhere, issue 25) up to the
size limit of a Markdown file and times render_markdown, read_issues and check on it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.charts.decls import read_chart_decls
from broadsheet.charts.locale import chart_locale
from broadsheet.charts.spec import build_spec
from broadsheet.checks.run import check_site
from broadsheet.commands.cli import main
from broadsheet.commands.preview_server import LiveState, PreviewServer
from broadsheet.content.issues import read_issues
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BroadsheetError, BuildFailed, Problems, SourceError
from broadsheet.core.i18n import NumberFormatter
from broadsheet.core.limits import markdown_shape
from broadsheet.data.store import DataStore, load_data
from broadsheet.figures.functions import FigureFunctions
from broadsheet.pages.markdown import FigureProblems, render_markdown
from broadsheet.pages.sanitize import RAW_HTML_TAGS
from conftest import ROOT, SAFETY_NET_SECONDS, SAMPLE

LONG = int(os.environ.get("BROADSHEET_FUZZ_EXAMPLES", "0"))


def budget(small: int) -> Callable[[Any], Any]:
    """Hypothesis settings: `small` examples, or BROADSHEET_FUZZ_EXAMPLES for a long run."""
    return settings(max_examples=LONG or small, deadline=None, derandomize=not LONG,
                    suppress_health_check=list(HealthCheck), database=None)


def assert_located(exc: BaseException, allowed: set[Path], lines: int) -> None:
    """`exc` is a located error: every problem in one of the `allowed` files, at a line inside it."""
    if isinstance(exc, FigureProblems):
        problems = exc.errors
    elif isinstance(exc, BuildFailed):
        problems = exc.problems
    elif isinstance(exc, SourceError):
        problems = [exc]
    else:
        raise AssertionError(f"not a located error: {exc!r}") from exc
    for problem in problems:
        assert isinstance(problem, SourceError), problem
        assert problem.path.resolve() in {p.resolve() for p in allowed}, problem.format()
        assert problem.line is None or 1 <= problem.line <= lines + 1, problem.format()
        assert "Traceback" not in problem.format()


# --- building blocks ----------------------------------------------------------------------------

FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">a</a>",
    "[l](javascript:alert(1))", "![i](data:text/html,x)", "{: onclick=\"x\" }", "{: #id .cls }",
    "<iframe src=x>", "<form>", "<style>", "<svg onload=x>", "<!--", "-->", "<!-- reviewed: x -->",
    "{{ level('SP500', '2025-04-04') }}", "{{ week_pct(\"SP500\", \"2025-04-04\", move=\"down\") }}",
    "{{ chart('drop') }}", "{{ chart('drop', 1, 2, x=3) }}", "{{ level(((((((((((1))))))))))) }}",
    "{{", "}}", "{%", "{#", "#", "## ", "*", "**", "_", "`", "```", "    ", "|", "|:-|", ">", "- ", "1. ",
    "[^1]", "[^1]: n", "!!! note", "<div markdown=\"1\">", "</div>", "&amp;", "&#0;", "&", "<", "\n",
    "\n\n", "\t", "\x00", "\x01", "\x1b", "\u202e", "\u200b", "\ufeff", "\ud7ff", "關稅", "e\u0301",
    "[a]: javascript:x", "BROADSHEETBLOCK0END", "<p>", "</p>", "<https://example.com>", "<mailto:x@y>",
    "\\", "[", "]", "(", ")", "\r",
]
markdown_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30).map("".join)

scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["2025-04-13", "2025-02-30", "SP500", "index", "line", "drawdown", "1e999", "-0",
                     "<script>", "javascript:alert(1)", "a\x01b", "\u202eabc", "", " ", "關稅"]),
)
value = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.one_of(st.text(max_size=8), scalar), inner, max_size=3)),
    max_leaves=8)
YAML_JUNK = ["&a [1, 2]", "*a", "!!python/object/apply:os.system ['id']", "!!int x", "!!binary x", "[", "{",
             "'", "\"", ": :", "- - -", "? x", "%YAML 1.1", "---", "...", "\t", "|", ">-", "~", "@", "`"]


def dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return str(data)


@st.composite
def mutated_yaml(draw: st.DrawFn, base: dict[str, Any]) -> str:
    """A YAML document: `base` with a value replaced, a key removed or added, or junk inserted."""
    data = yaml.safe_load(yaml.safe_dump(base))  # a deep copy
    target = data
    path = []
    while isinstance(target, dict) and target and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(target, key=str)))
        path.append(key)
        if not isinstance(target[key], dict):
            break
        target = target[key]
    action = draw(st.sampled_from(["replace", "delete", "add", "junk", "raw"]))
    if isinstance(target, dict) and target:
        key = draw(st.sampled_from(sorted(target, key=str)))
        if action == "replace":
            target[key] = draw(value)
        elif action == "delete":
            del target[key]
    if action == "add" and isinstance(target, dict):
        target[draw(st.one_of(st.text(max_size=8), scalar))] = draw(value)
    text = dump(data)
    if action in ("junk", "raw"):
        lines = text.split("\n")
        at = draw(st.integers(min_value=0, max_value=len(lines)))
        junk = draw(st.sampled_from(YAML_JUNK)) if action == "junk" else draw(st.text(max_size=20))
        lines.insert(at, junk)
        text = "\n".join(lines)
    return text


@st.composite
def mutated_csv(draw: st.DrawFn, lines: list[str]) -> str:
    """A CSV file: some of `lines` with a field replaced, a line dropped, doubled or added."""
    lines = list(lines)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["field", "drop", "double", "insert"]))
        if action == "field":
            fields = lines[at].split(",")
            i = draw(st.integers(min_value=0, max_value=len(fields) - 1))
            fields[i] = draw(st.one_of(
                st.sampled_from(["", "nan", "inf", "-inf", "1e308", "1e999", "-0", "0", "1,5", "\"", "x" * 5000,
                                 "2025-02-30", "9999-12-31", "0001-01-01", "SP500", "NOPE", "\x00", " 1 "]),
                st.text(max_size=10), st.floats().map(repr)))
            lines[at] = ",".join(fields)
        elif action == "drop" and len(lines) > 1:
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        else:
            lines.insert(at, draw(st.text(max_size=30)))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\r\n"]))


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def functions(store: DataStore) -> dict[str, Callable[..., Any]]:
    namespace = FigureFunctions(store, NumberFormatter("zh_Hant_TW")).namespace()
    namespace["chart"] = lambda name: ("block", name)  # a stand-in block (charts are placed between segments)
    return namespace


@pytest.fixture(scope="module")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ with a short markets.csv, so that each load is quick."""
    folder = tmp_path_factory.mktemp("data")
    for name in ("catalog.yaml", "releases.csv"):
        shutil.copy(ROOT / "data" / name, folder / name)
    lines = (ROOT / "data/markets.csv").read_text(encoding="utf-8").splitlines()
    (folder / "markets.csv").write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")
    return folder


# --- Markdown body -----------------------------------------------------------------------------

@pytest.mark.unit
@budget(150)
@given(body=markdown_text, raw_html=st.booleans())
def test_fuzz_markdown_body(functions, body: str, raw_html: bool) -> None:
    path = Path("content/issues/x/zh-Hant.md")
    try:
        rendered = render_markdown(body, path, 8, functions, raw_html=raw_html)
    except FigureProblems as exc:
        assert_located(exc, {path}, 8 + body.count("\n"))
        return
    feed_html = "".join(p for p in rendered.absolute_parts if isinstance(p, str))
    soup = BeautifulSoup(rendered.html + feed_html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in RAW_HTML_TAGS, tag.name
        for name, attr in tag.attrs.items():
            assert not name.lower().startswith("on"), (name, body)
            text = " ".join(attr) if isinstance(attr, list) else str(attr)
            assert not text.strip().lower().startswith(("javascript:", "data:")), (name, body)


# --- front matter ------------------------------------------------------------------------------

FRONT = {"title": "範例", "date": "2025-04-13", "summary": "摘要", "tags": ["美股"], "slug": "sample",
         "draft": False, "corrections": [{"date": "2025-04-14", "text": "更正"}]}


@pytest.mark.unit
@budget(40)
@given(front=mutated_yaml(FRONT), body=markdown_text)
def test_fuzz_front_matter(tmp_path_factory, front: str, body: str) -> None:
    content = tmp_path_factory.mktemp("content")
    page = content / "issues/2025-04-13-sample/zh-Hant.md"
    page.parent.mkdir(parents=True)
    text = f"---\n{front}\n---\n{body}"
    page.write_text(text, encoding="utf-8", errors="surrogatepass")
    problems = Problems()
    try:
        read_issues(content, load_config(ROOT / "site.yaml"), problems, drafts=True)
    except BaseException as exc:  # read_issues collects problems; it raises nothing
        raise AssertionError(f"read_issues raised {exc!r}") from exc
    for problem in problems.errors:
        assert_located(problem, {page}, text.count("\n") + 1)


# --- site.yaml ---------------------------------------------------------------------------------

SITE = yaml.safe_load((ROOT / "site.yaml").read_text(encoding="utf-8"))


@pytest.mark.unit
@budget(40)
@given(text=mutated_yaml(SITE))
def test_fuzz_site_yaml(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("site") / "site.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_config(path)
    except (BuildFailed, SourceError) as exc:
        assert_located(exc, {path}, text.count("\n") + 1)


# --- charts.yaml -------------------------------------------------------------------------------

CHARTS = {
    "drop": {"kind": "drawdown", "series": ["SP500"], "start": "2025-01-02", "end": "2025-04-11",
             "title": {"zh-Hant": "跌幅", "en": "Drawdown"}},
    "moves": {"kind": "moves", "series": ["SP500", "NASDAQCOM"], "start": "2025-03-03",
              "end": "2025-04-11", "title": {"zh-Hant": "漲跌", "en": "Moves"}},
    "cpi": {"kind": "macro", "series": ["CPI_YOY"], "start": "2025-01", "end": "2025-03",
            "title": {"zh-Hant": "通膨", "en": "CPI"}},
}


@pytest.mark.unit
@budget(12)
@given(text=mutated_yaml(CHARTS))
def test_fuzz_charts_yaml(tmp_path_factory, store, text: str) -> None:
    path = tmp_path_factory.mktemp("charts") / "charts.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    config = load_config(ROOT / "site.yaml")
    decls, errors = read_chart_decls(path, store.catalog, [lang.code for lang in config.languages])
    for err in errors:
        assert_located(err, {path}, text.count("\n") + 1)
    locale = chart_locale(config.languages[0], ROOT / "translations")
    for decl in decls:
        try:
            build_spec(decl, store, locale)
        except BroadsheetError as exc:
            assert_located(exc, {path}, text.count("\n") + 1)


# --- data: catalog.yaml, markets.csv, releases.csv ---------------------------------------------

CATALOG = yaml.safe_load((ROOT / "data/catalog.yaml").read_text(encoding="utf-8"))


def load_located(folder: Path, changed: Path) -> None:
    try:
        load_data(folder)
    except (BuildFailed, SourceError) as exc:
        lines = changed.read_text(encoding="utf-8", errors="replace").count("\n") + 1
        assert_located(exc, set(folder.iterdir()), lines)


def data_copy(small_data: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("d")
    for path in small_data.iterdir():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.mark.unit
@budget(10)
@given(text=mutated_yaml(CATALOG))
def test_fuzz_catalog_yaml(small_data, tmp_path_factory, text: str) -> None:
    folder = data_copy(small_data, tmp_path_factory)
    (folder / "catalog.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    load_located(folder, folder / "catalog.yaml")


@pytest.mark.unit
@budget(8)
@given(data=st.data())
def test_fuzz_markets_csv(small_data, tmp_path_factory, data) -> None:
    folder = data_copy(small_data, tmp_path_factory)
    lines = (small_data / "markets.csv").read_text(encoding="utf-8").splitlines()
    (folder / "markets.csv").write_text(data.draw(mutated_csv(lines)), encoding="utf-8", errors="surrogatepass")
    load_located(folder, folder / "markets.csv")


@pytest.mark.unit
@budget(8)
@given(data=st.data())
def test_fuzz_releases_csv(small_data, tmp_path_factory, data) -> None:
    folder = data_copy(small_data, tmp_path_factory)
    lines = (small_data / "releases.csv").read_text(encoding="utf-8").splitlines()
    (folder / "releases.csv").write_text(data.draw(mutated_csv(lines)), encoding="utf-8", errors="surrogatepass")
    load_located(folder, folder / "releases.csv")


# --- command-line arguments --------------------------------------------------------------------

TOKENS = ["build", "check", "new", "--out", "--base-url", "--drafts", "--strict", "--clean", "--date",
          "--slug", "--no-drafts", "-h", "--help", "--help-me", "x", "關稅週報", "2025-04-27", "2025-02-30",
          "http://", "https://example.github.io/w/", "javascript:alert(1)", "", "-", "--", "a" * 300,
          "site", ".", "..", "/", "content", "\x01", "\u202e"]


@pytest.fixture(scope="module")
def cli_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with no issues (builds are quick), used from inside a scratch folder."""
    root = tmp_path_factory.mktemp("cli") / "project"
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    return root


@budget(12)
@given(argv=st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=5))
def test_fuzz_command_line(cli_project, tmp_path_factory, capsys, argv: list[str]) -> None:
    if any(a in ("serve", "test", "fetch", "--root") or "\x00" in a for a in argv):
        return  # serve blocks, test re-executes, fetch goes to the network, --root points anywhere
    scratch = tmp_path_factory.mktemp("cwd")
    old = Path.cwd()
    os.chdir(scratch)  # relative --out folders land here
    try:
        status = main(["--root", str(cli_project), *argv])
    except SystemExit as exc:  # argparse: usage errors and --help
        status = exc.code
    finally:
        os.chdir(old)
        shutil.rmtree(cli_project / "content", ignore_errors=True)  # what `new` made
    err = capsys.readouterr().err
    assert status in (0, 1, 2), (argv, status)
    assert "Traceback" not in err, err


# --- requests to serve -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    """The preview's HTTP server over a small built folder, on 127.0.0.1."""
    out = tmp_path_factory.mktemp("preview")
    shutil.copytree(SAMPLE / "content", out / "content")  # any files will do
    (out / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
    (out / "404.html").write_text("<html><body>404</body></html>", encoding="utf-8")
    (out / "link").symlink_to("/etc")
    srv = PreviewServer(("127.0.0.1", 0), out, LiveState())
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.state.close()
    srv.shutdown()
    srv.server_close()


path_text = st.lists(st.one_of(
    st.sampled_from(["/", "..", "%2e%2e", "%2f", "%00", "%ff", "%", "?", "#", "\\", "link", "etc", "passwd",
                     "content", "index.html", "a" * 300, "%" + "41" * 100, "//", "~", "關", "%E9%97%9C"]),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=8)), max_size=12).map("".join)


@pytest.mark.unit
@budget(100)
@given(path=path_text, host=st.one_of(st.none(), st.sampled_from(["127.0.0.1", "localhost", "evil.example",
                                                                   "[::1]", "", "127.0.0.1:1", "[", ":"])),
       method=st.sampled_from(["GET", "HEAD", "GET", "POST", "BREW", "get"]))
def test_fuzz_serve_requests(server, path: str, host: str | None, method: str) -> None:
    lines = [f"{method} /{path} HTTP/1.1"] + ([f"Host: {host}"] if host is not None else [])
    with socket.create_connection(server.server_address[:2], timeout=SAFETY_NET_SECONDS) as sock:
        sock.sendall(("\r\n".join([*lines, "Connection: close"]) + "\r\n\r\n").encode("utf-8"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1."), (path, host, data[:100])  # an answer, not a dropped connection
    status = int(data.split(b" ", 2)[1])
    assert status in (200, 301, 400, 403, 404, 414, 421, 501), (path, host, status)
    body = data.split(b"\r\n\r\n", 1)[-1]
    assert b"root:" not in body and b"Traceback" not in body
    assert str(server.out_dir).encode() not in body


# --- the two YAML parsers ----------------------------------------------------------------------

def _read_both(text: str) -> tuple[object, object]:
    """What yamlsource's two loaders make of `text`: the value with every mapping's key lines, or
    the error's type (the fast one's errors are read again by the Python one, so only success
    has to agree)."""
    from broadsheet.core import yamlsource

    def lines_of(value: object) -> object:
        if isinstance(value, dict):
            return ({k: lines_of(v) for k, v in value.items()}, getattr(value, "lines", None),
                    getattr(value, "start_line", None))
        if isinstance(value, list):
            return [lines_of(v) for v in value]
        return value

    results = []
    for loader in (yamlsource._FastLineLoader, yamlsource._LineLoader):
        try:
            results.append(lines_of(yaml.load(text, Loader=loader)))  # noqa: S506  (safe loaders)
        except (yaml.YAMLError, RecursionError) as exc:
            results.append(type(exc).__name__)
    return results[0], results[1]


@pytest.mark.unit
@budget(60)
@given(text=st.one_of(mutated_yaml(FRONT), mutated_yaml(SITE), mutated_yaml(CHARTS)))
def test_fuzz_libyaml_reads_what_the_python_parser_reads(text: str) -> None:
    """Front matter and site files go to libyaml when they cannot hold an anchor, a tag or a
    control character (yamlsource._fast_enough): what it reads must be what the Python parser
    reads, lines of every key included."""
    from broadsheet.core.yamlsource import _fast_enough

    if not _fast_enough(text):
        return
    fast, slow = _read_both(text)
    if not isinstance(fast, str):  # libyaml read it: the Python parser reads the same
        assert fast == slow, text


# --- figure expressions: Python's parser where it reads what Jinja reads --------------------------

EXPRESSION_PIECES = [
    "level", "week_pct", "release", "none", "True", "true", "None", "False", "x", "名稱",
    "(", ")", ",", "=", " ", "\t", "\u3000", "\u00a0", "'", '"', "'''", "SP500", "2025-04-04", "1", "0", "007",
    "1_000", "1.5", "1.", ".5", "1e3", "1E+3", "0x1F", "0b1", "1j", "-", "+", "*", "**", "r'", "b'", "u'",
    "f'", "'a' 'b'", "'a'", '"b"', "move=", "digits=", "x=1, x=2", "[", "]", "{", "}", ":", ".", "|", "\\",
    "lambda", "not", "and", "if", "else", "#", ";", "...", "~",
]


@pytest.mark.unit
@budget(200)
@given(pieces=st.lists(st.sampled_from(EXPRESSION_PIECES), max_size=12), text=st.text(max_size=6))
def test_fuzz_python_reads_figure_calls_as_jinja_does(pieces: list[str], text: str) -> None:
    """expressions.plain_call reads an expression with Python's parser only when the shape is one
    Jinja reads the same way: whatever it accepts, Jinja's parser accepts as the same call."""
    from broadsheet.figures import expressions

    for expr in ("".join(pieces), "".join(pieces) + text, f"level({''.join(pieces)})",
                 f"week_pct('SP500', {''.join(pieces)}{text})"):
        fast = expressions.plain_call(expr)
        if fast is None:
            continue
        expressions.parse_figure_call.cache_clear()
        original = expressions.plain_call
        try:
            expressions.plain_call = lambda _expr: None  # Jinja's reading alone
            slow = expressions.parse_figure_call(expr)
        finally:
            expressions.plain_call = original
            expressions.parse_figure_call.cache_clear()
        assert fast == slow, expr
        assert [type(v) for v in fast.args] == [type(v) for v in slow.args], expr


# --- linear time (issue 25): dangerous tokens repeated -------------------------------------------

# what was quadratic or worse somewhere (a regex, Python-Markdown, a check), each a short token
DANGEROUS = ["<!--", "{", "{{ ", "<", "[a](", "x {: ", "[", "![a](", "](", "[^", "`", "*a* ", "_a_ ", "\\", "&",
             "&#1;", "> ", "1. ", "- a\n", "# x {: \n", "    ", "| a ", "|-|\n", "!!! note\n", "<!-- reviewed: ",
             "<!-- keep ", "{%", "{: ", "\n", "a  \n", "<div markdown=\"1\">", "<![CDATA[", "芯片", "標普500 1 ",
             "1 ", "http://x/", "S&P 500 rose 1% ", "{{ level('SP500', '2025-04-04') }}", "<a ", '<a x="',
             "<div ", "<a\n", "<script ", "<style "]
REPEAT_BYTES = 2 * 1024 * 1024 - 4096  # a Markdown file's limit, less room for the front matter
REPEAT_BOUND = 5.0  # CPU seconds of this process (time.process_time: a loaded machine does not
# stretch them) for one page, one read or one check


@st.composite
def repetition(draw: st.DrawFn) -> str:
    """Ordinary text with a dangerous token repeated a random large number of times in the middle
    (up to the size limit, or the most the shape limits let through), on one line or in paragraphs."""
    token = draw(st.sampled_from(DANGEROUS))
    before = draw(st.sampled_from(["", "## 美股\n\n標普500 週五收在新低。\n\n", "- 清單\n- "]))
    after = draw(st.sampled_from(["", "結尾。\n", "[a](b) **c**\n"]))
    split = draw(st.sampled_from([False, True]))

    def body(count: int) -> str:
        per_block = max(1, 30_000 // len(token)) if split else count
        return before + "\n\n".join(token * min(per_block, count - n) for n in range(0, count, per_block)) + (
            "\n\n" + after)

    largest = REPEAT_BYTES // len(token.encode("utf-8"))
    scale = draw(st.sampled_from(["fit", 1.0, 0.3, 0.05, 0.01, 0.001]))
    if scale != "fit":
        return body(max(1, int(largest * scale * draw(st.floats(min_value=0.5, max_value=1.0)))))
    while largest > 1 and markdown_shape(body(largest), Path("x.md"), 1):  # the most the limits let through
        largest = largest * 3 // 4
    return body(largest)


def timed_call(function: Callable[[], Any]) -> tuple[float, BaseException | None]:
    started = time.process_time()
    try:
        function()
    except (FigureProblems, BuildFailed, SourceError) as exc:
        return time.process_time() - started, exc
    return time.process_time() - started, None


@pytest.mark.unit
@budget(12)
@given(body=repetition(), raw_html=st.booleans(), typography=st.booleans())
def test_fuzz_repetitions_render_in_time(functions, body: str, raw_html: bool, typography: bool) -> None:
    path = Path("content/issues/x/zh-Hant.md")
    seconds, refused = timed_call(lambda: render_markdown(body, path, 8, functions, raw_html=raw_html,
                                                          typography=typography))
    assert seconds < REPEAT_BOUND, (body[:40], len(body), seconds)
    if refused is not None:
        assert_located(refused, {path}, 8 + body.count("\n"))


ISSUE_FRONT = "---\ntitle: 範例\ndate: 2025-04-13\nsummary: 摘要。\ntags: [美股]\nslug: sample\n---\n"


@pytest.mark.unit
@budget(8)
@given(body=repetition())
def test_fuzz_repetitions_are_read_in_time(tmp_path_factory, body: str) -> None:
    content = tmp_path_factory.mktemp("content")
    path = content / "issues/2025-04-13-sample/zh-Hant.md"
    path.parent.mkdir(parents=True)
    path.write_text(ISSUE_FRONT + body, encoding="utf-8")
    problems = Problems()
    started = time.process_time()
    read_issues(content, load_config(ROOT / "site.yaml"), problems)
    assert time.process_time() - started < REPEAT_BOUND
    for problem in problems.errors:
        assert problem.path == path and (problem.line is None or problem.line <= 8 + body.count("\n")), problem


@pytest.fixture(scope="module")
def check_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with only the sample issue, whose body each example replaces."""
    root = tmp_path_factory.mktemp("repeat") / "project"
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(SAMPLE / "content/issues/2025-04-13-sample", root / "content/issues/2025-04-13-sample")
    return root


@budget(3)
@given(body=repetition())
def test_fuzz_repetitions_are_checked_in_time(check_project: Path, body: str) -> None:
    (check_project / "content/issues/2025-04-13-sample/zh-Hant.md").write_text(ISSUE_FRONT + body,
                                                                               encoding="utf-8")
    ctx = BuildContext(root=check_project, config=load_config(check_project / "site.yaml"),
                       out_dir=check_project / "site", drafts=True)
    started = time.process_time()
    check_site(ctx)
    assert time.process_time() - started < REPEAT_BOUND, (body[:40], len(body))
