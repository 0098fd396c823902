"""docs/data.md's "Add a market" recipe, run step by step as written in a copy of the project, then built.

Each step of the recipe is a fenced block after a marker:

- `<!-- recipe: PATH -->` a new file (the closes' CSV, the issue's Markdown and charts.yaml);
- `<!-- recipe: PATH after "LINE" -->` lines put right after that line of an existing file (the
  catalog's sources:, series: and lint aliases:);
- `<!-- recipe: PATH at the end -->` lines added at the end of an existing file (content/tags.yaml);
- `<!-- recipe: run -->` commands, each `python3 build.py …` run as the command line runs it; each
  must succeed;
- `<!-- recipe: output -->` lines the last command printed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

STEP_RE = re.compile(r"<!-- recipe: (?P<what>.+?) -->\s*\n```[\w-]*\n(?P<body>.*?)\n```", re.S)
AFTER_RE = re.compile(r'(?P<path>\S+) after "(?P<line>[^"]+)"')
AT_END = " at the end"
COMMAND = "python3 build.py "


def section(text: str, title: str) -> str:
    """The section `## title` of a Markdown text, up to the next `## ` heading outside a code block."""
    lines = text.split("\n")
    start = lines.index(f"## {title}")
    fenced = False
    for number in range(start + 1, len(lines)):
        if lines[number].startswith("```"):
            fenced = not fenced
        elif not fenced and lines[number].startswith("## "):
            return "\n".join(lines[start:number])
    return "\n".join(lines[start:])


def recipe() -> list[tuple[str, str]]:
    """(what, body) for each step of docs/data.md's "Add a market", in order."""
    text = section((ROOT / "docs" / "data.md").read_text(encoding="utf-8"), "Add a market")
    return [(m.group("what"), m.group("body")) for m in STEP_RE.finditer(text)]


def apply_file_step(root: Path, what: str, body: str) -> None:
    """Write, insert or append a step's lines as the recipe says."""
    if (after := AFTER_RE.fullmatch(what)) is not None:
        path = root / after.group("path")
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines.count(after.group("line")) == 1, f"{what}: the line must be in the file once"
        at = lines.index(after.group("line")) + 1
        path.write_text("\n".join(lines[:at] + body.split("\n") + lines[at:]), encoding="utf-8")
    elif what.endswith(AT_END):
        path = root / what.removesuffix(AT_END)
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + body + "\n", encoding="utf-8")
    else:
        path = root / what
        assert not path.exists(), f"{what}: the recipe makes it, so it must be new"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body + "\n", encoding="utf-8")


@pytest.mark.unit
def test_the_recipe_covers_a_market_from_its_source_to_a_chart() -> None:
    steps = recipe()
    kinds = [what for what, _ in steps]
    assert 'data/catalog.yaml after "sources:"' in kinds and 'data/catalog.yaml after "series:"' in kinds
    entry = dict(steps)['data/catalog.yaml after "series:"']
    assert "calendar: XTAI" in entry and "source: TWSE" in entry
    aliases = dict(steps)['data/catalog.yaml after "  aliases:"']
    assert '"加權指數": [TAIEX]' in aliases and '"台股": [TAIEX]' in aliases
    commands = "\n".join(body for what, body in steps if what == "run")
    assert "data import TAIEX taiex.csv" in commands and "build.py build" in commands
    assert any(what.endswith("charts.yaml") for what in kinds)
    assert "TAIEX" not in (ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8")  # it starts from nothing


def test_the_add_a_market_recipe_builds(make_site, monkeypatch, capsys) -> None:
    # a copy of the project's data, templates and settings, with its tags and no issue
    root = make_site({"content/tags.yaml": (ROOT / "content" / "tags.yaml").read_text(encoding="utf-8")},
                     with_sample_issue=False)
    monkeypatch.chdir(root)  # the recipe's paths (taiex.csv) are the editor's, in the project folder
    printed = ""
    for what, body in recipe():
        if what == "run":
            for line in body.split("\n"):
                assert line.startswith(COMMAND), line
                status = run_cli(root, *shlex.split(line.removeprefix(COMMAND), comments=True))
                captured = capsys.readouterr()
                assert status == 0, f"{line}:\n{captured.out}{captured.err}"
                printed = captured.out
        elif what == "output":
            for line in body.split("\n"):
                assert line in printed, (line, printed)
        else:
            apply_file_step(root, what, body)
    page = (root / "site/issues/2025-04-13-taiex-week/index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert "9.7%" in text and "19,232.35" in text and "8.3%" in text  # the figures the recipe says
    assert list((root / "site/issues/2025-04-13-taiex-week/charts").glob("taiex*.png"))  # the chart
    assert "臺灣證券交易所" in text  # its sources name the TWSE
    english = (root / "site/en/issues/2025-04-13-taiex-week/index.html").read_text(encoding="utf-8")
    assert "19,232.35" in re.sub(r"<[^>]+>", "", english)
