"""The benchmark generator makes a project that builds, with the figures the peers will print."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_into

sys.path.insert(0, str(ROOT / "bench"))

from generate import LANGS, IssueDoc, make_corpus, write_project  # noqa: E402
from peers import write_hugo, write_pelican  # noqa: E402


@pytest.fixture(scope="module")
def corpus() -> list[IssueDoc]:
    return make_corpus(3, seed=7)


@pytest.fixture(scope="module")
def built(corpus: list[IssueDoc], tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("bench") / "project", corpus)
    return build_into(project)


@pytest.mark.unit
def test_same_seed_same_corpus(corpus: list[IssueDoc]) -> None:
    again = make_corpus(3, seed=7)
    assert [d.body for d in again] == [d.body for d in corpus]
    assert make_corpus(3, seed=8)[0].body != corpus[0].body


def test_generated_project_builds_every_edition(corpus: list[IssueDoc], built: Path) -> None:
    for doc in corpus:
        for lang in LANGS:
            prefix = "" if lang == "zh-Hant" else "en/"
            page = built / f"{prefix}issues/{doc.key}/index.html"
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            assert soup.h1.get_text(strip=True) == doc.title[lang]
            body = soup.select_one(".issue-body")
            assert body.find("h2") and body.find("ul")
            assert "{{" not in body.get_text()


def test_peer_text_holds_the_numbers_broadsheet_prints(corpus: list[IssueDoc], built: Path) -> None:
    doc = corpus[0]
    page = built / "en" / "issues" / doc.key / "index.html"
    table = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(".issue-body table")
    if table is None:
        pytest.skip("this issue drew no table")
    cells = [td.get_text(strip=True) for td in table.find_all("td")]
    assert all(cell in doc.body_text["en"] for cell in cells)


@pytest.mark.unit
def test_peer_sites_are_written(corpus: list[IssueDoc], tmp_path: Path) -> None:
    pelican = write_pelican(tmp_path / "pelican", corpus)
    hugo = write_hugo(tmp_path / "hugo", corpus)
    assert len(list((pelican / "content").glob("*.md"))) == 2 * len(corpus)
    assert len(list((hugo / "content" / "issues").glob("*/index.*.md"))) == 2 * len(corpus)
    assert "LOAD_CONTENT_CACHE = True" in (pelican / "pelicanconf.py").read_text()
