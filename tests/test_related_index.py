"""The issues under each tag are read once per edition (content/related.py's TagIndex, issue 27):
`more_on_tags` gives what one pass over every issue for each page gave, on random sites."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.content.issues import FrontMatter, Issue, Page
from broadsheet.content.related import MORE_PER_TAG, more_on_tags

pytestmark = pytest.mark.unit
TAGS = ["美股", "US stocks", "us-stocks", "債市", "Bonds", "bonds ", "油價"]


def every_issue_read_again(issues: list[Issue], issue: Issue, code: str, same_tag, per_tag: int) -> dict:
    """The function as it was: all the issues read again for each page."""
    by_tag: dict[str, list[Issue]] = {}
    for other in issues:
        page = other.pages.get(code)
        if page is not None and other.key != issue.key:
            for tag in dict.fromkeys(same_tag(t) for t in page.meta.tags):
                by_tag.setdefault(tag, []).append(other)
    listed, found = {issue.key}, {}
    for tag in issue.pages[code].meta.tags:
        more = [other for other in by_tag.get(same_tag(tag), []) if other.key not in listed][:per_tag]
        listed.update(other.key for other in more)
        found[tag] = more
    return found


def site(tag_lists: list[tuple[list[str], bool]]) -> list[Issue]:
    """Issues newest first, each with a zh-Hant page and, when asked, an English one."""
    issues = []
    for n, (tags, english) in enumerate(tag_lists):
        day = dt.date(2025, 4, 13) - dt.timedelta(weeks=n)
        meta = FrontMatter(title=f"t{n}", date=day, summary="s", tags=tuple(tags))
        pages = {code: Page(Path(f"{n}/{code}.md"), code, meta, "", 1, "") for code in ("zh-Hant", "en")
                 if code == "zh-Hant" or english}
        issues.append(Issue(f"{day}-i{n}", Path(str(n)), pages))
    return issues


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(TAGS), max_size=4), st.booleans()), min_size=1, max_size=12))
def test_the_issues_under_each_tag_are_what_reading_them_all_again_gives(tag_lists) -> None:
    issues = site(tag_lists)
    same_tag = lambda tag: tag.strip().lower().replace(" ", "-")  # noqa: E731 (slug-like: words may collide)
    for code in ("zh-Hant", "en"):
        for issue in issues:
            if code in issue.pages:
                assert more_on_tags(issues, issue, code, same_tag) == every_issue_read_again(
                    issues, issue, code, same_tag, MORE_PER_TAG)
