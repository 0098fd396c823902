"""Every example in docs/writing.md builds (or, when marked as an error example, fails)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from broadsheet.core.errors import BuildFailed
from conftest import ROOT, build_into

MARKER_RE = re.compile(
    r"<!-- (example|example-error|example-(?:content-)?file: (?P<name>[\w.\-]+)|example-settings) -->\s*\n```[\w-]*\n"
    r"(?P<body>.*?)\n```",
    re.S,
)
SETTINGS = "+site.yaml"  # an example-settings block: added to the project's site.yaml


def examples() -> list[tuple[str, str, dict[str, str]]]:
    """Return (kind, markdown, extra files) for each example in docs/writing.md."""
    found: list[tuple[str, str, dict[str, str]]] = []
    for match in MARKER_RE.finditer((ROOT / "docs" / "writing.md").read_text(encoding="utf-8")):
        kind = match.group(1)
        if kind == "example-settings":
            assert found, "an example-settings block must follow an example"
            found[-1][2][SETTINGS] = match.group("body") + "\n"
        elif kind.startswith(("example-file", "example-content-file")):
            assert found, "an example-file block must follow an example"
            # example-file: beside the issue's Markdown; example-content-file: in content/ (tags.yaml)
            name = ("../../" if kind.startswith("example-content-file") else "") + match.group("name")
            found[-1][2][name] = match.group("body") + "\n"
        else:
            found.append((kind, match.group("body") + "\n", {}))
    return found


EXAMPLES = examples()


@pytest.mark.unit
def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("n", range(len(EXAMPLES)))
def test_example_builds(make_site, n: int) -> None:
    kind, markdown, extra = EXAMPLES[n]
    folder = f"content/issues/2025-04-13-example{n}/"
    files = {folder + "zh-Hant.md": markdown, **{folder + name: text for name, text in extra.items()
                                                  if name != SETTINGS}}
    root = make_site(files, with_sample_issue=False)
    if SETTINGS in extra:  # settings the example needs, after the project's own
        settings = root / "site.yaml"
        settings.write_text(settings.read_text(encoding="utf-8") + extra[SETTINGS], encoding="utf-8")
    if kind == "example-error":
        with pytest.raises(BuildFailed) as failed:
            build_into(root)
        assert all(p.line for p in failed.value.problems)
    else:
        out = build_into(root)
        assert any(Path(out, "issues").glob("*/index.html"))  # the address is the front matter's date and slug


@pytest.mark.unit
def test_every_site_setting_is_documented() -> None:
    """docs/writing.md's table of site.yaml settings names every setting the build accepts."""
    import dataclasses

    from broadsheet.core.config import Config

    text = (ROOT / "docs" / "writing.md").read_text(encoding="utf-8")
    table = text.split("## Site settings (site.yaml)", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", table, re.M))
    settings = {f.name for f in dataclasses.fields(Config)} - {"path", "tags"}  # tags: content/tags.yaml
    assert documented == settings
