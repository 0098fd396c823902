"""Tags declared once: content/tags.yaml maps each tag's slug to its name in every language.

    basis-trade: {zh-Hant: 基差交易, en: basis trade}

Front matter may name a tag by any of its names (or its slug); every edition's tag page is at
`tags/<slug>/` under its language, so the language switch of a tag page goes to the same tag.
Without the file, tags are free words (each name is its own page), as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadsheet.core.errors import SourceError
from broadsheet.core.schema import excerpt
from broadsheet.core.suggest import did_you_mean
from broadsheet.core.yamlsource import line_of, load_yaml, read_text

TAGS_FILE = "tags.yaml"  # under content/
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Tag:
    """One declared tag: its slug (the address) and its name per language code."""

    slug: str
    names: tuple[tuple[str, str], ...]

    def name(self, code: str) -> str:
        """The tag's name in a language (the first name when it has none in that one)."""
        return dict(self.names).get(code) or self.names[0][1]


@dataclass(frozen=True)
class TagIndex:
    """Every declared tag, found by slug or by any of its names (case-insensitive)."""

    path: Path
    tags: tuple[Tag, ...]
    _by_name: dict[str, Tag] = field(default_factory=dict, compare=False, repr=False)

    def find(self, written: str) -> Tag | None:
        """The tag a front matter word names, or None."""
        return self._by_name.get(written.strip().casefold())

    def names(self) -> list[str]:
        """Every name a tag may be written with (for "did you mean")."""
        return [name for tag in self.tags for _, name in tag.names]


def load_tags(content_dir: Path, codes: list[str]) -> TagIndex | None:
    """content/tags.yaml as a TagIndex; None without the file. Raises SourceError."""
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
            raise SourceError(path, line, f"tag slug {excerpt(slug)} may hold only a-z, 0-9 and -",
                              "e.g. basis-trade")
        if not isinstance(names, dict) or not all(isinstance(names.get(c), str) and names[c].strip() for c in codes):
            raise SourceError(path, line, f"tag {slug!r} needs a name in each language: {', '.join(codes)}",
                              f"e.g. {slug}: {{{', '.join(f'{c}: …' for c in codes)}}}")
        tag = Tag(slug, tuple((c, names[c].strip()) for c in codes))
        for word in (slug, *(n for _, n in tag.names)):
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
