"""The site's settings as types: `Config` (site.yaml, checked by config.py), each edition's
`Language`, and the declared tags (`TagIndex`, read from content/tags.yaml by tags.py). Every
stage reads them; this module imports nothing else of broadsheet, so a stage that only needs the
types does not depend on how site.yaml is read and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse


@dataclass(frozen=True)
class Language:
    """One edition of the site."""

    code: str  # content file name and hreflang: "zh-Hant", "en"
    locale: str  # Babel locale: "zh_Hant_TW", "en_US"
    html_lang: str  # <html lang>: "zh-Hant-TW", "en"
    name: str  # the language's own name for the switcher: "繁體中文", "English"
    prefix: str  # URL prefix: "" for the default language, "en/" otherwise


@dataclass(frozen=True)
class Signup:
    """An email sign-up form posting to a mailing service (site.yaml's `signup`; off without it)."""

    action: str  # the https URL the form posts to
    email_field: str = "email"  # the name the service gives the address field
    hidden: tuple[tuple[str, str], ...] = ()  # more fields the service wants, sent as they are


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


@dataclass(frozen=True)
class Config:
    """The site's settings (see site.yaml for each key's meaning)."""

    path: Path
    title: dict[str, str]
    description: dict[str, str]
    base_url: str
    languages: tuple[Language, ...]
    author: dict[str, str]  # per language; one text in site.yaml applies to every edition
    timezone: str
    disclaimer: dict[str, str]
    cname: str | None
    # the unsubscribe link of the email edition, as the mailing service spells it (e.g. Buttondown's
    # {{ unsubscribe_url }} or Mailchimp's *|UNSUB|*); empty: no link
    email_unsubscribe: str = ""
    signup: Signup | None = None  # the email sign-up form on issue pages and the home page; None: none
    raw_html: bool = False  # raw HTML in Markdown becomes markup (still allow-listed: sanitize.py)
    full_width_punctuation: bool = True  # zh pages show , : ; ? ! between Chinese text full-width (typography.py)
    tags: TagIndex | None = None  # content/tags.yaml (tags.py); None: tags are free words

    @property
    def default_language(self) -> Language:
        """The first language in site.yaml: served at the site root."""
        return self.languages[0]

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': '/' or '/weekly/'."""
        return urlparse(self.base_url).path or "/"

    def language(self, code: str) -> Language:
        """Return the Language with this code (KeyError when the site has no such edition)."""
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)

    def with_base_url(self, base_url: str) -> Config:
        """Return a copy built for another base URL (the --base-url flag)."""
        return Config(**{**self.__dict__, "base_url": normalize_base_url(base_url)})


def normalize_base_url(url: str) -> str:
    """Make sure the base URL ends with '/' so that joining paths works."""
    return url if url.endswith("/") else url + "/"
