"""Issue 14's hostile inputs: YAML bombs, links out of the project, size limits, invisible text.

Each case asserts the exact `path:line: message` the editor sees and that nothing was written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.limits import MAX_YAML_VALUE
from conftest import ROOT, build_into, run_cli

ISSUE = "content/issues/2025-04-13-sample/zh-Hant.md"
BODY = "## 美股\n\n收在 {{ level('SP500', '2025-04-04') }} 點。\n"


def page(front: str = "", body: str = BODY, title: str = "範例") -> str:
    return (f"---\ntitle: {title}\ndate: 2025-04-13\nsummary: 摘要\ntags: [美股]\nslug: sample\n"
            f"{front}---\n{body}")


def problems(root: Path) -> list[str]:
    """The problems a build of `root` fails with; the site must not have been written."""
    with pytest.raises((BuildFailed, SourceError)) as caught:
        build_into(root)
    assert not (root / "site").exists()
    found = caught.value.problems if isinstance(caught.value, BuildFailed) else [caught.value]
    return [p.format(root) for p in found]


BOMB = "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
                 + [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}]"
                    for n in range(1, 12)])
ALIAS = "invalid YAML: anchors and aliases (&name, *name) are not allowed; write the value out"


def test_a_yaml_bomb_in_front_matter_is_refused_at_once(make_site) -> None:
    root = make_site({ISSUE: page("tags_extra:\n" + "\n".join("  " + line for line in BOMB.split("\n")) + "\n")})
    started = time.perf_counter()
    found = problems(root)
    assert time.perf_counter() - started < 30  # it used 8 GB in two minutes before
    assert found == [f"{ISSUE}:8: {ALIAS}"]


@pytest.mark.parametrize("name", ["site.yaml", "data/catalog.yaml", "content/issues/2025-04-13-sample/charts.yaml"])
def test_anchors_and_aliases_are_refused_in_every_yaml_source(make_site, name) -> None:
    root = make_site()
    path = root / name
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(BOMB + "\n" + text, encoding="utf-8")
    assert f"{name}:1: {ALIAS}" in problems(root)


def test_a_long_value_is_refused_and_never_quoted_whole(make_site) -> None:
    summary = "長" * (MAX_YAML_VALUE + 1)
    root = make_site({ISSUE: page().replace("summary: 摘要", f"summary: {summary}")})
    assert problems(root) == [f"{ISSUE}:4: invalid YAML: a value of 10,001 characters is longer than the "
                              "limit of 10,000"]


def test_a_wrong_value_is_quoted_as_a_short_excerpt(make_site) -> None:
    root = make_site({ISSUE: page().replace("slug: sample", "slug: " + "壞 " * 3000)})
    (message,) = problems(root)
    assert message.startswith(f"{ISSUE}:6: slug '壞 壞") and len(message) < 200


def test_a_huge_markdown_file_is_refused(make_site) -> None:
    root = make_site({ISSUE: page(body=BODY + "字" * 1_000_000)})
    assert problems(root) == [f"{ISSUE}: the file is 2.9 MB, more than the limit of 2 MB "
                              "(split it, or remove what does not belong in it)"]


@pytest.mark.parametrize("where", ["static/env.txt", "content/issues/2025-04-13-sample/en.md",
                                   "templates/partials/evil.html", "data/extra.csv",
                                   "translations/x.po", "fonts/font.ttf", "static"])
def test_a_link_out_of_the_project_is_refused(make_site, tmp_path, where) -> None:
    root = make_site()
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "environ").write_text("TOKEN=hunter2\n", encoding="utf-8")
    link = root / where
    if link.is_dir():
        os.rename(link, root / "static-old")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret / "environ" if where != "static" else secret)
    assert problems(root) == [f"{where}: is a link to outside the project "
                              "(copy the file into the project instead of linking to it)"]


def test_a_link_inside_the_project_is_followed(make_site) -> None:
    root = make_site()
    (root / "static/copy.css").symlink_to(root / "static/css/site.css")
    out = build_into(root)
    assert (out / "static/copy.css").read_bytes() == (root / "static/css/site.css").read_bytes()


def test_a_special_file_in_static_is_refused(make_site) -> None:
    root = make_site()
    os.mkfifo(root / "static/pipe")  # reading it would hang the build
    assert problems(root) == ["static/pipe: is not a regular file (a device, a pipe or a socket) "
                              "(remove it from the project)"]


def test_check_refuses_a_link_out_of_the_project_too(make_site, capsys) -> None:
    root = make_site()
    (root / "static/env.txt").symlink_to("/proc/self/environ")
    assert run_cli(root, "check") == 1
    assert "static/env.txt: is a link to outside the project" in capsys.readouterr().err


@pytest.mark.parametrize(("front", "body", "expected"), [
    ('', "正文\x00結束\n", f"{ISSUE}:8: control character U+0000 is not allowed in text"),
    ('', "正文\x01\n", f"{ISSUE}:8: control character U+0001 is not allowed in text"),
    ('', "第一行\n正文\x1b[31m\n", f"{ISSUE}:9: control character U+001B is not allowed in text"),
    ('corrections: [{date: 2025-04-14, text: "a\\x01b"}]\n', BODY,
     f"{ISSUE}:7: invalid YAML: control character U+0001 is not allowed in text"),
])
def test_control_characters_are_refused(make_site, front, body, expected) -> None:
    root = make_site({ISSUE: page(front, body)})
    (message,) = problems(root)
    assert message.startswith(expected)


@pytest.mark.parametrize("title", ['"範例\\0"', '"範例\\x01"', '"範例\\u0085"'])
def test_control_characters_in_a_title_are_refused(make_site, title) -> None:
    root = make_site({ISSUE: page(title=title)})
    (message,) = problems(root)
    assert message.startswith(f"{ISSUE}:2: invalid YAML: control character U+00")


@pytest.mark.parametrize(("field", "line", "value"), [
    ("title", 2, '"範\\u202e例"'), ("title", 2, '"範\\u200b例"'), ("tags", 5, '["美\\u200d股"]'),
    ("slug", 6, '"sam\\u2066ple"'),
])
def test_invisible_characters_are_refused_in_titles_tags_and_slugs(make_site, field, line, value) -> None:
    text = page()
    old = {"title": "title: 範例", "tags": "tags: [美股]", "slug": "slug: sample"}[field]
    root = make_site({ISSUE: text.replace(old, f"{field}: {value}")})
    messages = problems(root)
    # a slug is refused already for not being letters, digits and -
    assert any(m.startswith(f"{ISSUE}:{line}: {field}") and ("U+20" in m or field == "slug")
               for m in messages), messages


def test_tabs_and_text_that_is_fine_still_build(make_site) -> None:
    root = make_site({ISSUE: page(body="\t縮排\n\n中文、English, emoji 📈 and « quotes »\n")})
    out = build_into(root)
    for feed in ("feed.xml", "atom.xml"):
        ET.parse(out / feed)  # well-formed XML
    json.loads((out / "feed.json").read_text(encoding="utf-8"))


@pytest.mark.unit
def test_source_error_messages_quote_only_an_excerpt() -> None:
    err = SourceError("x.md", 2, f"title must be text, got {['x' * 100_000]!r}")
    assert len(err.format()) < 200


def test_site_yaml_value_with_a_control_character_is_refused(make_site) -> None:
    text = (ROOT / "site.yaml").read_text(encoding="utf-8")
    text = text.replace("zh-Hant: 市場週報\n", 'zh-Hant: "市場\\x07週報"\n', 1)
    root = make_site({"site.yaml": text})
    assert problems(root) == ["site.yaml:3: invalid YAML: control character U+0007 is not allowed in text"]


# --- crashes the fuzz harness (tests/test_fuzz.py) found, pinned --------------------------------

def test_chart_with_extra_arguments_is_located(make_site) -> None:
    root = make_site({ISSUE: page(body="圖:\n\n{{ chart('drop', 1, 2, x=3) }}\n")})
    assert problems(root) == [
        f"{ISSUE}:10: {{{{ chart('drop', 1, 2, x=3) }}}}: wrong arguments: chart() too many positional "
        "arguments (see docs/writing.md for each function)"]


def test_a_chart_kind_that_is_a_list_is_located(make_site) -> None:
    charts = "drop:\n  kind: [drawdown]\n  series: [SP500]\n  start: 2025-01-02\n  end: 2025-04-11\n" \
             "  title: {zh-Hant: 跌幅, en: Drawdown}\n"
    root = make_site({"content/issues/2025-04-13-sample/charts.yaml": charts})
    assert problems(root) == ["content/issues/2025-04-13-sample/charts.yaml:2: chart 'drop': unknown kind "
                              "['drawdown'] (did you mean 'drawdown'? kinds: curve, drawdown, line, macro, moves, "
                              "rebased, yields)"]


def test_a_catalog_files_entry_that_is_not_text(make_site) -> None:
    catalog = (ROOT / "data/catalog.yaml").read_text(encoding="utf-8")
    root = make_site({"data/catalog.yaml": catalog.replace("markets: markets.csv", "markets: [markets.csv]")})
    (message,) = problems(root)
    assert message.startswith("data/catalog.yaml:") and "must name a .csv file in data/" in message


@pytest.mark.unit
@pytest.mark.parametrize("depth", [9, 40, 240])
def test_a_deeply_nested_figure_expression_is_refused(depth) -> None:
    from broadsheet.pages.markdown import FigureProblems, render_markdown

    expr = "{{ level(" + "(" * depth + "1" + ")" * depth + ") }}"
    with pytest.raises(FigureProblems) as caught:
        render_markdown("前文\n" + expr + "\n", Path("x/zh-Hant.md"), 8, {"level": lambda *a: "1"})
    assert [e.format() for e in caught.value.errors] == [
        "x/zh-Hant.md:9: brackets nested more than 8 deep are not allowed in figure expressions "
        "(see docs/writing.md for the figure functions)"]


@pytest.mark.unit
@pytest.mark.parametrize("text", [">" * 3000 + " x", "- " * 3000 + "x", "[" * 3000 + "x" + "]" * 3000,
                                  "*" * 10000, "    " * 2000 + "- x"])
def test_deep_markdown_nesting_is_built_or_located(text) -> None:
    from broadsheet.pages.markdown import FigureProblems, render_markdown

    try:
        render_markdown("前文\n\n" + text, Path("x.md"), 8, {})
    except FigureProblems as exc:  # Python-Markdown recursed too deeply
        assert [e.format() for e in exc.errors] == [
            "x.md:8: the Markdown is nested too deeply (use fewer levels of quotes or lists)"]


@pytest.mark.parametrize("text", ["BROADSHEETBLOCK5END", "`BROADSHEETBLOCK0END`", "BROADSHEETBLOCKX0END"])
def test_literal_placeholder_text_in_the_body_stays_text(make_site, text) -> None:
    """The text the build uses to mark a chart's place crashed the build when an editor typed it."""
    from broadsheet.pages.markdown import render_markdown

    block = ("chart", "x")  # a placed block stays data between the text segments
    body = render_markdown(f"{text}\n\n{{{{ chart('x') }}}}\n", Path("x.md"), 1, {"chart": lambda name: block})
    assert text.strip("`") in body.html and body.parts[-1] == block and len(body.parts) == 2


@pytest.mark.unit
def test_a_close_of_zero_as_a_base_is_a_figure_error() -> None:
    """A percent change from a close of 0 divided by zero (a traceback); data may hold a 0 one day."""
    from broadsheet.core.errors import FigureError
    from broadsheet.core.i18n import NumberFormatter
    from broadsheet.figures.functions import FigureFunctions

    class Store:
        def close(self, series, date, closed="error"):
            return dt.date.fromisoformat(date), {"2025-04-03": 0.0, "2025-04-04": 5074.08}[date]

    functions = FigureFunctions(Store(), NumberFormatter("en_US"))
    with pytest.raises(FigureError) as caught:
        functions.pct("SP500", "2025-04-03", "2025-04-04")
    assert caught.value.message == "SP500 is 0 at the start, so a percent change has no meaning"


def test_site_yaml_keys_that_are_not_text_are_located(make_site) -> None:
    """`sorted()` of a None key beside text keys was a TypeError (found by test_fuzz_site_yaml)."""
    text = (ROOT / "site.yaml").read_text(encoding="utf-8")
    text = text.replace("  en: {locale: en_US, html_lang: en, name: English}",
                        "  en: {locale: en_US, html_lang: en, name: English, null: x, 1: y}")
    root = make_site({"site.yaml": text + "null: z\n"})
    found = problems(root)
    line = text.count("\n") + 1  # the added last line
    assert found[-1] == f"site.yaml:{line}: unknown setting 'None' (settings: title, description, base_url, " \
                        "languages, author, timezone, disclaimer, cname, email_unsubscribe, signup, raw_html, " \
                        "full_width_punctuation)"
    assert [m for m in found if "unknown language setting" in m] == [
        "site.yaml:11: unknown language setting 'None' (settings: locale, html_lang, name)",
        "site.yaml:11: unknown language setting '1' (settings: locale, html_lang, name)"]
