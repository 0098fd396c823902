"""The text of an issue's front matter as a Chinese edition shows it: title, summary and the
corrections' notes with the full-width punctuation of core/typography.py (W3C clreq).

The content stage owns this text, so it is punctuated here, once, as data: the page, the home
page, the archive and tag lists, the feeds, the email and the link previews (Open Graph, Twitter
card, JSON-LD) all show the same strings and none of them punctuates anything. The Markdown file
is not changed; site.yaml's `full_width_punctuation: false` keeps the text as typed.
"""

from __future__ import annotations

import dataclasses

from broadsheet.content.issues import FrontMatter, Issue
from broadsheet.core.settings import Config
from broadsheet.core.typography import applies, punctuate_text


def typeset_meta(meta: FrontMatter) -> FrontMatter:
    """The front matter with its reader-facing text punctuated (tags, slug and dates stay)."""
    corrections = tuple(dataclasses.replace(c, text=punctuate_text(c.text)) for c in meta.corrections)
    return dataclasses.replace(meta, title=punctuate_text(meta.title), summary=punctuate_text(meta.summary),
                               corrections=corrections)


def typeset_issues(issues: list[Issue], config: Config) -> None:
    """Punctuate the front matter of every Chinese edition's page of `issues`, in place."""
    for lang in config.languages:
        if not applies(config.full_width_punctuation, lang.html_lang):
            continue
        for issue in issues:
            page = issue.pages.get(lang.code)
            if page is not None:
                issue.pages[lang.code] = dataclasses.replace(page, meta=typeset_meta(page.meta))
