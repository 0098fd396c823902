"""Two editions: URLs, hreflang links both ways, locale formatting, UI catalogs, fallbacks."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from broadsheet.core.errors import BuildFailed
from conftest import ROOT, build_into, run_cli

KEY = "2025-04-13-tariff-shock"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def pages(real_site: Path) -> dict[str, BeautifulSoup]:
    return {"zh-Hant": soup(real_site / "issues" / KEY / "index.html"),
            "en": soup(real_site / "en" / "issues" / KEY / "index.html")}


def test_english_edition_lives_under_en_with_its_lang(pages) -> None:
    assert pages["en"].html["lang"] == "en"
    assert pages["zh-Hant"].html["lang"] == "zh-Hant-TW"


def test_editions_link_to_each_other_with_hreflang_and_x_default(pages) -> None:
    base = "https://example.github.io/broadsheet/"
    expected = {"zh-Hant-TW": f"{base}issues/{KEY}/", "en": f"{base}en/issues/{KEY}/",
                "x-default": f"{base}issues/{KEY}/"}
    for page in pages.values():
        alternates = {link["hreflang"]: link["href"] for link in page.select('link[rel="alternate"][hreflang]')}
        assert alternates == expected
    switch_zh = pages["zh-Hant"].select_one('.lang-switch a[hreflang="en"]')
    switch_en = pages["en"].select_one('.lang-switch a[hreflang="zh-Hant-TW"]')
    assert switch_zh["href"] == f"/broadsheet/en/issues/{KEY}/"
    assert switch_en["href"] == f"/broadsheet/issues/{KEY}/"


def test_dates_numbers_and_ui_strings_per_locale(pages) -> None:
    zh, en = pages["zh-Hant"], pages["en"]
    assert zh.select_one(".issue-meta time").get_text() == "2025年4月13日"
    assert en.select_one(".issue-meta time").get_text() == "April 13, 2025"
    assert re.fullmatch(r"約 \d+ 分鐘", zh.select_one(".reading-time").get_text())
    assert re.fullmatch(r"\d+ min read", en.select_one(".reading-time").get_text())
    assert zh.select_one("#toc-title").get_text() == "目錄"
    assert en.select_one("#toc-title").get_text() == "Table of contents"
    text = en.select_one(".issue-body").get_text()
    for printed in ("soared 7.9% to 40,608", "9.5%", "1,857.06", "12.2%", "17,124", "228,000", "140,000",
                    "117,000", "4.01%", "4.34%", "50.8", "-0.1%"):
        assert printed in text, printed
    assert "萬" not in text


def test_english_edition_is_complete(pages) -> None:
    """Same sections, lists and call-outs as the original, and no Chinese left in the prose."""
    zh, en = pages["zh-Hant"], pages["en"]
    for selector in ("h2", "h3", "h4", "li", ".admonition.pin", ".admonition.check", "p"):
        assert len(en.select(".issue-body " + selector)) == len(zh.select(".issue-body " + selector)), selector
    body = en.select_one(".issue-body").get_text()
    assert not re.search(r"[\u4e00-\u9fff]", body)


def test_untranslated_issue_falls_back_to_the_original(sample_site: Path) -> None:
    out = sample_site
    home = soup(out / "en" / "index.html")
    items = home.select(".issue-item")
    sample = next(i for i in items if "2025-04-13-sample" in i.a["href"])
    assert sample.a["href"] == "/broadsheet/issues/2025-04-13-sample/"  # the Chinese original
    assert sample.select_one(".fallback-note").get_text().strip() == \
        "Not yet translated: available in 繁體中文."
    assert not (out / "en" / "issues" / "2025-04-13-sample").exists()
    # and the original's language switcher points at the English home, not a missing page
    zh = soup(out / "issues" / "2025-04-13-sample" / "index.html")
    assert zh.select_one('.lang-switch a[hreflang="en"]')["href"] == "/broadsheet/en/"


def test_stale_translation_is_reported(make_site, capsys) -> None:
    root = make_site()
    original = root / "content/issues/2025-04-06-earlier/zh-Hant.md"
    original.write_text(original.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
    assert run_cli(root, "build") == 0
    err = capsys.readouterr().err
    # at the translated_from line, not at the top of the file
    assert "content/issues/2025-04-06-earlier/en.md:7: warning: translation is stale: zh-Hant.md changed" in err
    with pytest.raises(BuildFailed):
        build_into(root, strict=True)


@pytest.mark.unit
def test_catalogs_cover_every_template_string(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", "-o", str(pot),
                    "--no-location", "."], cwd=ROOT, check=True)
    template = read_po(io.BytesIO(pot.read_bytes()))
    zh = read_po(io.BytesIO((ROOT / "translations/zh_Hant_TW/LC_MESSAGES/messages.po").read_bytes()))
    ids = [m.id for m in template if m.id]
    assert ids
    for msgid in ids:
        message = zh.get(msgid)
        assert message is not None, f"not in the zh_Hant_TW catalog: {msgid!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"untranslated: {msgid!r}"
