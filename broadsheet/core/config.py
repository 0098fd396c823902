"""site.yaml → Config: validated, frozen, unknown keys are errors, every problem collected."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from broadsheet.core.errors import BuildFailed, SourceError
from broadsheet.core.lines import line_of
from broadsheet.core.schema import Checked, Field, boolean, excerpt, per_language, text, validate
from broadsheet.core.settings import Config, Language, Signup, normalize_base_url
from broadsheet.core.tags import load_tags
from broadsheet.core.typography import applies, typeset_texts
from broadsheet.core.yamlsource import load_yaml, read_text

LANGUAGE_FIELDS = (Field("locale", text(40), required=True), Field("html_lang", text(40), required=True),
                   Field("name", text(80), required=True))




def _base_url(raw: Any) -> Checked:
    parsed = urlparse(str(raw))
    if not isinstance(raw, str) or parsed.scheme not in ("http", "https") or not parsed.netloc:
        return Checked(problem=f"must be an absolute http(s) URL, got {excerpt(raw)}",
                       hint="e.g. https://user.github.io/repo/")
    return Checked(normalize_base_url(raw))


def _timezone(raw: Any) -> Checked:
    try:
        ZoneInfo(str(raw))
    except (ZoneInfoNotFoundError, ValueError):
        return Checked(problem=f"is not a known time zone: {excerpt(raw)}", hint="e.g. Asia/Taipei")
    return Checked(str(raw))


def _cname(raw: Any) -> Checked:
    if isinstance(raw, str) and re.fullmatch(r"[A-Za-z0-9.-]{1,253}", raw.strip()):
        return Checked(raw.strip())
    return Checked(problem="must be a domain name such as news.example.com")


def _https_url(raw: Any) -> Checked:
    parsed = urlparse(str(raw))
    if not isinstance(raw, str) or parsed.scheme != "https" or not parsed.netloc:
        return Checked(problem=f"must be an https URL, got {excerpt(raw)}",
                       hint="the address your mailing service gives its sign-up form, e.g. "
                            "https://buttondown.com/api/emails/embed-subscribe/<your list>")
    return Checked(raw.strip())


def _hidden_fields(raw: Any) -> Checked:
    if isinstance(raw, dict) and all(isinstance(k, str) and isinstance(v, str | int) for k, v in raw.items()):
        return Checked(tuple((k, str(v)) for k, v in raw.items()))
    return Checked(problem="must map field names to values", hint="e.g. {embed: 1}")


SIGNUP_FIELDS = (Field("action", _https_url, required=True), Field("email_field", text(100), default="email"),
                 Field("hidden", _hidden_fields, default=()))


def _signup(path: Path, report: Any) -> Any:
    """The email sign-up form: {action, email_field, hidden}; off (None) without the key."""
    def check(raw: Any) -> Checked:
        if not isinstance(raw, dict):
            return Checked(problem="must be a mapping with the form's action URL",
                           hint="e.g. {action: https://buttondown.com/api/emails/embed-subscribe/<your list>}")
        values = validate(raw, SIGNUP_FIELDS, path, line_of(raw, "action", 1), "signup setting", report)
        return Checked(None if values["action"] is None else Signup(**values))

    return check


def _languages(path: Path, report: Any) -> Any:
    def check(raw: Any) -> Checked:
        if not isinstance(raw, dict) or not raw:
            return Checked(problem="must map a language code to {locale, html_lang, name}")
        found: list[Language] = []
        for i, (code, spec) in enumerate(raw.items()):
            if not isinstance(spec, dict):
                report(SourceError(path, line_of(raw, code, 1), f"language {code!r} must be a mapping"))
                continue
            values = validate(spec, LANGUAGE_FIELDS, path, line_of(raw, code, 1), "language setting", report)
            if None in values.values():
                continue
            try:
                Locale.parse(values["locale"])
            except (UnknownLocaleError, ValueError):
                report(SourceError(path, line_of(spec, "locale", 1), f"unknown locale {values['locale']!r}",
                                   "e.g. zh_Hant_TW, en_US"))
            found.append(Language(str(code), values["locale"], values["html_lang"], values["name"],
                                  "" if i == 0 else f"{code}/"))
        return Checked(tuple(found))

    return check


def _per_language_or_one(codes: list[str]) -> Any:
    """A text per language, or one text for every language (author)."""
    many = per_language(codes, True, 200)

    def check(raw: Any) -> Checked:
        if isinstance(raw, str) and raw.strip():
            return Checked({code: raw.strip() for code in codes})
        return many(raw)

    return check


def load_config(path: Path) -> Config:
    """Read and validate site.yaml; raise BuildFailed listing every problem found."""
    if not path.exists():
        raise BuildFailed([SourceError(path, None, "site.yaml not found", "run from the project folder")])
    data = load_yaml(read_text(path), path)
    if not isinstance(data, dict):
        raise BuildFailed([SourceError(path, 1, "site.yaml must be a mapping of settings")])
    errors: list[SourceError] = []
    languages = _languages(path, errors.append)(data["languages"]) if "languages" in data else Checked(())
    codes = [lang.code for lang in languages.value or ()]
    fields = (
        Field("title", per_language(codes, True, 200), required=True),
        Field("description", per_language(codes, True, 1_000), required=True),
        Field("base_url", _base_url, required=True),
        Field("languages", lambda raw: languages, required=True),
        Field("author", _per_language_or_one(codes), required=True),
        Field("timezone", _timezone, default="Asia/Taipei"),
        Field("disclaimer", per_language(codes, False, 2_000), default={}),
        Field("cname", _cname),
        Field("email_unsubscribe", text(500), default=""),
        Field("signup", _signup(path, errors.append)),
        Field("raw_html", boolean, default=False),
        Field("full_width_punctuation", boolean, default=True),
    )
    values = validate(data, fields, path, 1, "setting", errors.append)
    if errors:
        raise BuildFailed(errors)
    # The zh-Hant edition's own text with clreq's full-width punctuation, as data (typography.py):
    # every page, feed, email and link preview shows it as it is here
    chinese = frozenset(lang.code for lang in languages.value or () if applies(values["full_width_punctuation"],
                                                                                lang.html_lang))
    for key in ("title", "description", "author", "disclaimer"):
        values[key] = typeset_texts(values[key], chinese)
    try:
        tags = load_tags(path.parent / "content", codes, chinese)
    except SourceError as exc:
        raise BuildFailed([exc]) from None
    return Config(path=path, **values, tags=tags)
