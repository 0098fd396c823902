"""site.yaml → Config: validated, frozen, unknown keys are errors, every problem collected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from .errors import BuildFailed, SourceError
from .yamlsource import line_of, load_yaml, read_text


@dataclass(frozen=True)
class Language:
    """One edition of the site."""

    code: str  # content file name and hreflang: "zh-Hant", "en"
    locale: str  # Babel locale: "zh_Hant_TW", "en_US"
    html_lang: str  # <html lang>: "zh-Hant-TW", "en"
    name: str  # the language's own name for the switcher: "繁體中文", "English"
    prefix: str  # URL prefix: "" for the default language, "en/" otherwise


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
    full_width_punctuation: bool = True  # zh pages show , : ; ? ! between Chinese text full-width (typography.py)

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


KEYS = {"title", "description", "base_url", "languages", "author", "timezone", "disclaimer", "cname",
        "full_width_punctuation"}
LANGUAGE_KEYS = {"locale", "html_lang", "name"}


def normalize_base_url(url: str) -> str:
    """Make sure the base URL ends with '/' so that joining paths works."""
    return url if url.endswith("/") else url + "/"


def load_config(path: Path) -> Config:
    """Read and validate site.yaml; raise BuildFailed listing every problem found."""
    if not path.exists():
        raise BuildFailed([SourceError(path, None, "site.yaml not found", "run from the project folder")])
    data = load_yaml(read_text(path), path)
    errors: list[SourceError] = []

    def err(key: str, message: str, hint: str | None = None, where: Any = None) -> None:
        errors.append(SourceError(path, line_of(where if where is not None else data, key, 1), message, hint))

    if not isinstance(data, dict):
        raise BuildFailed([SourceError(path, 1, "site.yaml must be a mapping of settings")])
    for key in sorted(set(data) - KEYS):
        err(key, f"unknown setting {key!r}", f"known settings: {', '.join(sorted(KEYS))}")
    for key in ("title", "description", "base_url", "languages", "author", "timezone"):
        if key not in data:
            errors.append(SourceError(path, 1, f"missing setting {key!r}"))

    languages: list[Language] = []
    raw_langs = data.get("languages")
    if raw_langs is not None and not (isinstance(raw_langs, dict) and raw_langs):
        err("languages", "languages must map a language code to {locale, html_lang, name}")
    elif isinstance(raw_langs, dict):
        for i, (code, spec) in enumerate(raw_langs.items()):
            if not isinstance(spec, dict):
                err(code, f"language {code!r} must be a mapping", where=raw_langs)
                continue
            for key in sorted(set(spec) - LANGUAGE_KEYS):
                err(key, f"unknown language setting {key!r}", where=spec)
            missing = LANGUAGE_KEYS - set(spec)
            if missing:
                err(code, f"language {code!r} misses {', '.join(sorted(missing))}", where=raw_langs)
                continue
            try:
                Locale.parse(spec["locale"])
            except (UnknownLocaleError, ValueError):
                err("locale", f"unknown locale {spec['locale']!r}", "e.g. zh_Hant_TW, en_US", where=spec)
            languages.append(
                Language(str(code), spec["locale"], spec["html_lang"], spec["name"], "" if i == 0 else f"{code}/")
            )
    codes = [lang.code for lang in languages]

    def per_language(key: str, required: bool) -> dict[str, str]:
        value = data.get(key, {} if not required else None)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            err(key, f"{key} must map each language code to a text")
            return {}
        if required:
            for code in codes:
                if code not in value:
                    err(key, f"{key} has no text for language {code!r}")
        for code in value:
            if code not in codes:
                err(key, f"{key} names unknown language {code!r}", f"languages: {', '.join(codes)}")
        return {str(k): v.strip() for k, v in value.items()}

    title = per_language("title", True)
    description = per_language("description", True)
    disclaimer = per_language("disclaimer", False)
    raw_author = data.get("author")
    author = {code: raw_author.strip() for code in codes} if isinstance(raw_author, str) else \
        per_language("author", True) if raw_author is not None else {}

    base_url = data.get("base_url", "")
    parsed = urlparse(str(base_url))
    if "base_url" in data and (parsed.scheme not in ("http", "https") or not parsed.netloc):
        err("base_url", f"base_url must be an absolute http(s) URL, got {base_url!r}",
            "e.g. https://user.github.io/repo/")
    timezone = str(data.get("timezone", "Asia/Taipei"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        err("timezone", f"unknown time zone {timezone!r}", "e.g. Asia/Taipei")
    cname = data.get("cname")
    if cname is not None and not isinstance(cname, str):
        err("cname", "cname must be a domain name such as news.example.com")
    if not isinstance(data.get("full_width_punctuation", True), bool):
        err("full_width_punctuation", "full_width_punctuation must be true or false")

    if errors:
        raise BuildFailed(errors)
    return Config(
        path=path,
        title=title,
        description=description,
        base_url=normalize_base_url(str(base_url)),
        languages=tuple(languages),
        author=author,
        timezone=timezone,
        disclaimer=disclaimer,
        cname=cname,
        full_width_punctuation=data.get("full_width_punctuation", True),
    )
