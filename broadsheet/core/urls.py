"""The only place that decides permalinks, output paths and the base path."""

from __future__ import annotations

import functools

from broadsheet.core.settings import Config, Language


class Urls:
    """Site paths ("en/issues/…/") and the links made from them (root-relative or absolute)."""

    def __init__(self, config: Config):
        self.config = config

    # --- site paths, relative to the site root, '/'-terminated for pages --------------------
    def home(self, lang: Language) -> str:
        """The home page of an edition: "" or "en/"."""
        return lang.prefix

    def issue(self, key: str, lang: Language) -> str:
        """An issue page: issues/2025-04-13-tariff-shock/ (under en/ for English)."""
        return f"{lang.prefix}issues/{key}/"

    def archive(self, lang: Language) -> str:
        """The archive of an edition."""
        return f"{lang.prefix}archive/"

    def tag(self, tag: str, lang: Language) -> str:
        """A tag page: tags/<slug>/, the slug from content/tags.yaml; without that file Chinese tags
        keep their characters (browsers percent-encode them)."""
        declared = self.config.tags.find(tag) if self.config.tags else None
        return f"{lang.prefix}tags/{declared.slug if declared else tag_slug(tag)}/"

    def tags(self, lang: Language) -> str:
        """The tags index of an edition (every tag with its number of issues)."""
        return f"{lang.prefix}tags/"

    def feed(self, lang: Language, kind: str = "rss") -> str:
        """Feed URLs: feed.xml (RSS 2.0), atom.xml, feed.json."""
        return lang.prefix + {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}[kind]

    def search(self, lang: Language) -> str:
        """The search page of an edition."""
        return f"{lang.prefix}search/"

    def subscribe(self, lang: Language) -> str:
        """The subscribe page of an edition: its feeds and how to follow them."""
        return f"{lang.prefix}subscribe/"

    def static(self, name: str) -> str:
        """A file shipped from static/."""
        return f"static/{name}"

    def chart(self, key: str, name: str, lang: Language, ext: str) -> str:
        """A chart image of an issue, per language."""
        return f"{lang.prefix}issues/{key}/charts/{name}.{ext}"

    def email(self, key: str, lang: Language, ext: str) -> str:
        """The email edition of an issue: issues/<key>/email.html (and email.txt, the plain-text part)."""
        return f"{lang.prefix}issues/{key}/email.{ext}"

    def receipts(self, key: str, lang: Language, ext: str) -> str:
        """The data behind an issue (every figure it quotes): issues/<key>/data.csv and data.json."""
        return f"{lang.prefix}issues/{key}/data.{ext}"

    # --- links ------------------------------------------------------------------------------
    def href(self, path: str) -> str:
        """A root-relative link that respects the base path: /weekly/issues/…/."""
        return self.config.base_path + path

    def absolute(self, path: str) -> str:
        """An absolute URL, for feeds, canonical links and social cards."""
        return self.config.base_url + path


@functools.lru_cache(maxsize=4096)  # tags repeat across issues: a 500-issue site asks 3,500 times for 40 slugs
def tag_slug(tag: str) -> str:
    """A URL-safe slug that keeps CJK characters: "基差交易" → "基差交易", "US dollar" → "us-dollar"."""
    # Markdown's own slug, so tag and heading slugs agree; imported here, not at the top: a
    # no-change build imports this module and must not load the Markdown library (20 ms)
    from markdown.extensions.toc import slugify_unicode

    return slugify_unicode(tag, "-") or "tag"


def output_file(path: str) -> str:
    """The file a site path is written to: "en/archive/" → "en/archive/index.html"."""
    return path + "index.html" if path.endswith("/") or path == "" else path
