"""An issue's neighbours in its edition: the newer and the older issue, and the issues that share a tag.

The issue page links them ("Newer", "Older", "More on these topics"); the build plan reads the same
functions, so an issue page is made again when a neighbour's front matter changes.
"""

from __future__ import annotations

from collections.abc import Callable

from broadsheet.content.issues import Issue

MORE_PER_TAG = 2  # other issues listed under each tag of an issue page


def neighbours(issues: list[Issue], issue: Issue, code: str) -> tuple[Issue | None, Issue | None]:
    """The newer and the older issue in the same language (issues are newest first)."""
    in_lang = [i for i in issues if code in i.pages]
    n = in_lang.index(issue)
    return (in_lang[n - 1] if n > 0 else None), (in_lang[n + 1] if n + 1 < len(in_lang) else None)


class TagIndex:
    """The issues of one edition under each tag, newest first (by what identifies a tag), made in
    one pass over the issues: the plan and the renderer ask it for every issue page, and a pass over
    every issue for each page made an edit of a 500-issue site quadratic (1.5 s of a 200-issue
    edit's plan)."""

    def __init__(self, issues: list[Issue], code: str, same_tag: Callable[[str], str]) -> None:
        self.issues, self.code, self._same_tag = issues, code, same_tag
        self._ids: dict[str, str] = {}  # same_tag of each word, once (it may slugify)
        self.by_tag: dict[str, list[Issue]] = {}
        for other in issues:
            page = other.pages.get(code)
            if page is not None:
                for tag in dict.fromkeys(self.identity(t) for t in page.meta.tags):
                    self.by_tag.setdefault(tag, []).append(other)

    def identity(self, tag: str) -> str:
        """What identifies a tag as written (same_tag's answer, remembered)."""
        if tag not in self._ids:
            self._ids[tag] = self._same_tag(tag)
        return self._ids[tag]


_LAST_INDEX: list[TagIndex] = []  # the renderer's: one index per edition of the issues it renders


def tag_index(issues: list[Issue], code: str, same_tag: Callable[[str], str]) -> TagIndex:
    """The TagIndex of these issues in this edition: the last one made when it is of the same
    list and edition (the renderer asks for every issue page of a build), else a new one."""
    for index in _LAST_INDEX:
        if index.issues is issues and index.code == code:
            return index
    index = TagIndex(issues, code, same_tag)
    _LAST_INDEX[:] = [*_LAST_INDEX[-1:], index]  # both editions of a build
    return index


def more_on_tags(issues: list[Issue], issue: Issue, code: str, same_tag: Callable[[str], str],
                 per_tag: int = MORE_PER_TAG) -> dict[str, list[Issue]]:
    """For each tag of `issue` in language `code`, the newest other issues of that edition with the
    same tag (`same_tag` maps a tag as written to what identifies it, e.g. its page's path), at most
    `per_tag` each; an issue is listed under its first shared tag only. The issues are read once
    per edition (tag_index)."""
    index = tag_index(issues, code, same_tag)
    listed = {issue.key}
    found: dict[str, list[Issue]] = {}
    for tag in issue.pages[code].meta.tags:
        more = [other for other in index.by_tag.get(index.identity(tag), []) if other.key not in listed][:per_tag]
        listed.update(other.key for other in more)
        found[tag] = more
    return found
