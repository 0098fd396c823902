"""Tags declared once: content/tags.yaml maps each tag's slug to its name in every language.

    basis-trade: {zh-Hant: 基差交易, en: basis trade}

Front matter may name a tag by any of its names (or its slug); every edition's tag page is at
`tags/<slug>/` under its language, so the language switch of a tag page goes to the same tag.
Without the file, tags are free words (each name is its own page), as before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from broadsheet.core.errors import SourceError
from broadsheet.core.limits import excerpt
from broadsheet.core.lines import line_of
from broadsheet.core.settings import Tag, TagIndex
from broadsheet.core.suggest import did_you_mean
from broadsheet.core.typography import typeset_texts
from broadsheet.core.yamlsource import load_yaml, read_text

TAGS_FILE = "tags.yaml"  # under content/
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_tags(content_dir: Path, codes: list[str], chinese: frozenset[str] = frozenset()) -> TagIndex | None:
    """content/tags.yaml as a TagIndex; None without the file. Raises SourceError.

    The names of the editions in `chinese` are shown with full-width punctuation (typography.py);
    front matter still finds a tag by its name as typed."""
    path = content_dir / TAGS_FILE
    if not path.is_file():
        return None
    data: Any = load_yaml(read_text(path), path) or {}
    if not isinstance(data, dict):
        raise SourceError(path, 1, "tags.yaml maps each tag's slug to its names",
                          "e.g. basis-trade: {zh-Hant: 基差交易, en: basis trade}")
    tags, by_name = [], {}
    for slug, names in data.items():
        line = line_of(data, slug, 1)
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise SourceError(path, line, f"tag slug {excerpt(slug, 39)} may hold only a-z, 0-9 and -",
                              "e.g. basis-trade")
        if not isinstance(names, dict) or not all(isinstance(names.get(c), str) and names[c].strip() for c in codes):
            raise SourceError(path, line, f"tag {slug!r} needs a name in each language: {', '.join(codes)}",
                              f"e.g. {slug}: {{{', '.join(f'{c}: …' for c in codes)}}}")
        typed = tuple((c, names[c].strip()) for c in codes)
        tag = Tag(slug, tuple(typeset_texts(dict(typed), chinese).items()))
        for word in (slug, *(n for _, n in typed)):
            other = by_name.setdefault(word.casefold(), tag)
            if other is not tag:
                raise SourceError(path, line, f"{word!r} names both tag {other.slug!r} and tag {slug!r}")
        tags.append(tag)
    return TagIndex(path, tuple(tags), by_name)


def check_declared(page_tags: tuple[str, ...], path: Path, index: TagIndex) -> list[SourceError]:
    """An error for each tag of a page that tags.yaml does not declare, with "did you mean"."""
    errors = []
    for written in page_tags:
        if index.find(written) is None:
            close = did_you_mean(written, index.names())
            hint = f"did you mean {close!r}? " if close else ""
            errors.append(SourceError(path, _tags_line(path), f"unknown tag {written!r}",
                                      hint + f"declare it in content/{TAGS_FILE} (slug: {{zh-Hant: …, en: …}})"))
    return errors


def _tags_line(path: Path) -> int:
    for number, line in enumerate(read_text(path).split("\n")[1:], start=2):
        if line.startswith("tags:") or line.strip() == "---":
            return number
    return 2
