"""Random front matter, Markdown and figure arguments: the build succeeds or names path:line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from broadsheet.build.pipeline import assemble_site
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.i18n import NumberFormatter
from broadsheet.data.store import load_data
from broadsheet.figures.functions import FigureFunctions
from broadsheet.pages.markdown import FigureProblems, render_markdown
from conftest import ROOT

ISSUE = Path("content/issues/2025-04-13-sample/zh-Hant.md")
FUNCTIONS = ["level", "pct", "day_pct", "week_pct", "points", "day_points", "bp", "release"]
OPTIONS = ["digits", "rounding", "move", "closed", "field", "grouping", "date", "x"]

# --- building blocks ----------------------------------------------------------------------------
dates = st.dates(min_value=dt.date(2024, 12, 1), max_value=dt.date(2025, 5, 1)).map(str)
literal = st.one_of(
    st.sampled_from(["SP500", "DGS10", "NFP_CHANGE", "CPI_YOY", "VIX", "NOPE", "", "2025-03"]),
    dates,
    st.integers(min_value=-10, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["up", "down", "half-up", "previous", "error", "actual", "prior"]),
)


def jinja_literal(value: object) -> str:
    """Write a Python value as a Jinja literal (strings quoted, None as none)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else "1e999"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


@st.composite
def figure_call(draw: st.DrawFn) -> str:
    """`{{ fn(args, key=value) }}` with a known or unknown function and arbitrary literals."""
    unknown = st.from_regex(r"[a-z_]{1,8}", fullmatch=True)
    name = draw(st.one_of(st.sampled_from(FUNCTIONS), unknown))
    args = [jinja_literal(v) for v in draw(st.lists(literal, max_size=4))]
    kwargs = draw(st.dictionaries(st.sampled_from(OPTIONS), literal, max_size=2))
    args += [f"{k}={jinja_literal(v)}" for k, v in kwargs.items()]
    return "{{ " + f"{name}({', '.join(args)})" + " }}"


VALID_CALLS = ['{{ level("SP500", "2025-04-04") }}',
               '{{ bp("DGS10", "2025-04-04", "2025-04-09") }}',
               '{{ release("NFP_CHANGE", "2025-03") }}',
               '{{ week_pct("SP500", "2025-04-04") }}']
markdown_piece = st.one_of(
    st.text(max_size=30),
    st.sampled_from(VALID_CALLS),
    figure_call(),
    st.sampled_from(["## 標題", "- 項目", "| a | b |\n|---|---|\n| 1 | 2 |", "{{", "}}", "{%", "{#",
                     "[^1]\n\n[^1]: 註", "!!! note\n    內文", "<div markdown>x</div>", "`{{ x }}`",
                     "\r\n", "\ufeff", "\x00", "<script>x</script>", "{: #id }"]),
)
markdown_body = st.lists(markdown_piece, max_size=8).map("\n".join)

yaml_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=10), st.dates()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner,
                                                                         max_size=3)),
    max_leaves=6,
)
field_value = {
    "title": st.one_of(st.text(max_size=20), yaml_value),
    "date": st.one_of(st.dates(), st.sampled_from(["2025-02-30", "2025-13-01", "tomorrow"]),
                      yaml_value),
    "summary": st.one_of(st.text(max_size=20), yaml_value),
    "tags": st.one_of(st.lists(st.text(max_size=8), max_size=3), yaml_value),
    "slug": st.one_of(st.from_regex(r"[a-z0-9-]{1,10}", fullmatch=True), yaml_value),
    "draft": st.one_of(st.booleans(), yaml_value),
    "translated_from": yaml_value,
    "extra": yaml_value,
}


VALID = {"title": "範例", "date": dt.date(2025, 4, 13), "summary": "摘要", "slug": "sample"}


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """YAML front matter: valid fields with a few odd values, dropped fields, or raw text."""
    if draw(st.integers(0, 9)) == 9:  # hypothesis favours small numbers: 9 keeps this rare
        return draw(st.text(max_size=40))
    fields: dict[str, object] = dict(VALID)
    for key in draw(st.sets(st.sampled_from(sorted(field_value)), max_size=2)):
        fields[key] = draw(field_value[key])
    if draw(st.integers(0, 4)) == 4:
        del fields[draw(st.sampled_from(sorted(VALID)))]
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)


@st.composite
def issue_file(draw: st.DrawFn) -> bytes:
    """A whole issue file; now and then a broken front matter fence or another encoding."""
    text = f"---\n{draw(front_matter())}---\n{draw(markdown_body)}\n"
    if draw(st.integers(0, 19)) == 19:
        text = text.replace("---\n", "", 1)
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["utf-8-sig", "big5", "utf-16"]))
    return text.encode(encoding, errors="replace")


# --- the properties -------------------------------------------------------------------------------
def assert_located(problems: list[SourceError], allowed: set[Path], root: Path) -> None:
    """Every problem is a SourceError naming an input file and a line inside it."""
    assert problems
    for problem in problems:
        assert isinstance(problem, SourceError)
        rel = problem.path.resolve().relative_to(root.resolve()) if problem.path.is_absolute() \
            else problem.path
        assert rel in allowed, problem.format(root)
        assert isinstance(problem.line, int) and problem.line >= 1, problem.format(root)
        lines = (root / rel).read_bytes().count(b"\n") + 1
        assert problem.line <= lines, problem.format(root)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's templates, data and config with one issue folder."""
    root = tmp_path_factory.mktemp("property")
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    (root / ISSUE).parent.mkdir(parents=True)
    return root


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue_file())
def test_random_issue_builds_or_fails_with_path_and_line(project: Path, data: bytes) -> None:
    (project / ISSUE).write_bytes(data)
    ctx = BuildContext(root=project, config=load_config(project / "site.yaml"),
                       out_dir=project / "site")
    try:
        site = assemble_site(ctx)
    except BuildFailed as failed:
        event(f"failed: {failed.problems[0].message[:24]}")
        assert_located(failed.problems, {ISSUE}, project)
    else:
        event("built")
        # the address follows the front matter's date and slug, which the generator varies
        assert any(out.path.startswith("issues/") and out.path.endswith("/index.html") and out.path.count("/") == 2
                   for out in site.outputs) or \
            site.issues == []  # a draft is left out


@pytest.fixture(scope="module")
def figures() -> dict:
    return FigureFunctions(load_data(ROOT / "data"), NumberFormatter("en_US")).namespace()


@pytest.mark.unit
@settings(max_examples=150, deadline=None)
@given(st.lists(figure_call(), min_size=1, max_size=3))
def test_random_figure_calls_give_text_or_located_errors(figures: dict, calls: list[str]) -> None:
    body = "\n".join(f"line {n}: {call}" for n, call in enumerate(calls))
    try:
        rendered = render_markdown(body, ISSUE, 7, figures)
    except FigureProblems as many:
        assert many.errors
        for err in many.errors:
            assert err.path == ISSUE and 7 <= err.line < 7 + len(calls), err.format()
    else:
        assert "{{" not in rendered.html
