"""The chart cache: it knows the fonts, and carried between CI runs it redraws only new charts.

Two promises of the performance work (issue 17): a chart drawn without a CJK font is drawn
again once one is installed (the fonts are part of every chart's key and of the no-change
fingerprint), and a GitHub Pages run that restores `.cache/` from the previous run draws only
the charts of the new issue.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import broadsheet.charts.fonts as fonts
from broadsheet.build.pipeline import BuildResult, build
from broadsheet.core.config import load_config
from broadsheet.core.context import BuildContext
from conftest import ROOT, SAMPLE, seed_cache

EARLIER = "content/issues/2025-04-06-earlier"
SAMPLE_ISSUE = "content/issues/2025-04-13-sample"
CHART = """\
rates:
  kind: line
  series: [VIX]
  start: 2025-03-03
  title: {zh-Hant: 恐慌指數, en: VIX}
"""
CJK_WARNING = "no CJK font found"
SMALL_FONT = next(iter(sorted(Path("/usr/share/fonts").rglob("Liberation*.ttf"))), None)
# A font file of the machine's to "install" (fonts.py knows a CJK font by its file name, and the
# chart key a font by its size and time): its CJK font where it has one, else any other.
SYSTEM_FONTS = sorted((path for folder in fonts.SYSTEM_FONT_DIRS if folder.is_dir() for path in folder.rglob("*")
                       if path.suffix.lower() in fonts.FONT_SUFFIXES),
                      key=lambda path: (not any(path.match(p) for p in fonts.CJK_FONT_FILES), str(path)))


def run(root: Path) -> tuple[BuildResult, list[str]]:
    """Build `root` into its site/; return the result and the warnings' messages.

    Without a search index, as conftest.build_into: Pagefind reads no chart and is not counted.
    """
    ctx = BuildContext(root=root, config=load_config(root / "site.yaml"), out_dir=root / "site", search=False)
    result = build(ctx)
    return result, [w.message for w in ctx.problems.warnings]


def project_at(root: Path, issues: list[str], fresh_cache: Path | None) -> Path:
    """A fresh checkout: the sample site, a chart in each issue of `issues`, no site/, and a .cache/
    holding no drawing (conftest.fresh_cache: the vega bundle and parsed YAML, which know no font),
    or none when `fresh_cache` is None."""
    for name in ("templates", "static", "translations", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(SAMPLE / "content", root / "content")
    for issue in issues:
        (root / issue / "charts.yaml").write_text(CHART, encoding="utf-8")
        for md in (root / issue).glob("*.md"):
            with md.open("a", encoding="utf-8") as fp:
                fp.write('\n{{ chart("rates") }}\n')
    if fresh_cache is not None:
        seed_cache(root, fresh_cache)
    return root


@pytest.mark.skipif(not SYSTEM_FONTS, reason="needs a font file of the system's to install (fonts-noto-cjk or any)")
def test_installing_a_cjk_font_redraws_every_chart(tmp_path: Path, no_cjk_font: Path, fresh_cache: Path) -> None:
    system = no_cjk_font  # a machine without fonts-noto-cjk, whose system fonts are in this folder
    root = project_at(tmp_path / "project", [EARLIER], fresh_cache)
    first, warnings = run(root)
    assert first.charts_rendered == 2 and any(CJK_WARNING in w for w in warnings)
    again, warnings = run(root)
    assert again.nothing_changed and any(CJK_WARNING in w for w in warnings)

    # apt-get install fonts-noto-cjk: a CJK font appears among the system's fonts
    (system / "opentype").mkdir()
    (system / "opentype" / "NotoSansCJK-Regular.ttc").symlink_to(SYSTEM_FONTS[0])
    after, warnings = run(root)
    assert not after.nothing_changed
    assert after.charts_rendered == 2  # not the drawings with boxes from the cache
    assert not any(CJK_WARNING in w for w in warnings)
    assert run(root)[0].nothing_changed


@pytest.mark.skipif(SMALL_FONT is None, reason="needs a font file to put in fonts/")
def test_a_project_fonts_folder_redraws_every_chart(tmp_path: Path, fresh_cache: Path) -> None:
    root = project_at(tmp_path / "project", [EARLIER], fresh_cache)
    assert run(root)[0].charts_rendered == 2
    (root / "fonts").mkdir()
    shutil.copy(SMALL_FONT, root / "fonts" / SMALL_FONT.name)
    result, _ = run(root)
    assert not result.nothing_changed and result.charts_rendered == 2
    assert run(root)[0].nothing_changed


def test_ci_run_with_the_restored_cache_draws_only_the_new_issues_charts(tmp_path: Path, fresh_cache: Path) -> None:
    """Two Pages runs: each a fresh checkout at the same path; .cache/ carried over (actions/cache)."""
    checkout = tmp_path / "runner" / "repo"
    project_at(checkout, [EARLIER], fresh_cache)
    first, _ = run(checkout)
    assert first.charts_rendered == 2
    saved = tmp_path / "actions-cache"
    shutil.copytree(checkout / ".cache", saved)  # actions/cache saves .cache/ at the end of the job
    shutil.rmtree(checkout)

    project_at(checkout, [EARLIER, SAMPLE_ISSUE], None)  # the next push adds an issue with a chart
    folder = checkout / "content" / "issues" / "2025-04-20-next"
    shutil.copytree(checkout / SAMPLE_ISSUE, folder)
    shutil.rmtree(checkout / SAMPLE_ISSUE)
    # its own chart (the same declaration would be the same drawing, rightly taken from the cache)
    (folder / "charts.yaml").write_text(CHART.replace("2025-03-03", "2025-03-10"), encoding="utf-8")
    for md in folder.glob("*.md"):
        text = md.read_text(encoding="utf-8")
        md.write_text(text.replace("date: 2025-04-13", "date: 2025-04-20").replace("slug: sample", "slug: next"),
                      encoding="utf-8")
    shutil.copytree(saved, checkout / ".cache")  # actions/cache restores it before the build
    second, _ = run(checkout)
    languages = len(list(folder.glob("*.md")))
    assert second.charts_rendered == languages  # the new issue's chart, once per language
    assert second.charts_total == 2 + languages
    assert (checkout / "site" / "issues" / "2025-04-20-next" / "charts" / "rates.png").is_file()
    assert (checkout / "site" / "en" / "issues" / "2025-04-06-earlier" / "charts" / "rates.png").is_file()
