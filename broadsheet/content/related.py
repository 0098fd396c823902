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


def more_on_tags(issues: list[Issue], issue: Issue, code: str, same_tag: Callable[[str], str],
                 per_tag: int = MORE_PER_TAG) -> dict[str, list[Issue]]:
    """For each tag of `issue` in language `code`, the newest other issues of that edition with the
    same tag (`same_tag` maps a tag as written to what identifies it, e.g. its page's path), at most
    `per_tag` each; an issue is listed under its first shared tag only. One pass over the issues."""
    ids: dict[str, str] = {}  # same_tag of each word, once (it may slugify)

    def identity(tag: str) -> str:
        if tag not in ids:
            ids[tag] = same_tag(tag)
        return ids[tag]

    by_tag: dict[str, list[Issue]] = {}
    for other in issues:
        page = other.pages.get(code)
        if page is not None and other.key != issue.key:
            for tag in dict.fromkeys(identity(t) for t in page.meta.tags):
                by_tag.setdefault(tag, []).append(other)
    listed = {issue.key}
    found: dict[str, list[Issue]] = {}
    for tag in issue.pages[code].meta.tags:
        more = [other for other in by_tag.get(identity(tag), []) if other.key not in listed][:per_tag]
        listed.update(other.key for other in more)
        found[tag] = more
    return found
