"""`new`: scaffold next week's issue folder with both language files, ready to write."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown.extensions.toc import slugify_unicode

from broadsheet.content.issues import SLUG_RE, hash_text
from broadsheet.core.errors import BroadsheetError, BuildFailed
from broadsheet.core.settings import Config
from broadsheet.core.textcheck import INVISIBLE_RE, control_problem
from broadsheet.data.store import load_data

# The sections every issue has, in the order they are written (headings of both editions).
SECTIONS = {
    "zh-Hant": ("一週市場回顧", "總經數據", "債市與美元", "展望與資產配置"),
    "en": ("The week in markets", "Macro data", "Bonds and the dollar", "Outlook and allocation"),
}
PLACEHOLDERS = {
    "zh-Hant": {"summary": "一兩句話說明本期重點。", "text": "在這裡寫。"},
    "en": {"summary": "One or two sentences on what this issue covers.", "text": "Write here."},
}
EXAMPLE_NOTE = {
    "zh-Hant": "範例(拿掉註解符號即可使用;日期請改成本週最後一個交易日):",
    "en": "Example (remove the comment marks to use it; use the week's last trading day):",
}
EXAMPLE_TEXT = {
    "zh-Hant": "標普500 本週{change},收在 {level} 點。",
    "en": "The S&P 500 moved {change} over the week to close at {level}.",
}


def coming_sunday(today: dt.date) -> dt.date:
    """The issue date for a week: today if it is Sunday, else the next Sunday."""
    return today + dt.timedelta(days=(6 - today.weekday()) % 7)


def site_today(config: Config) -> dt.date:
    """Today's date in the site's time zone (the editors' calendar, not the machine's)."""
    return dt.datetime.now(ZoneInfo(config.timezone)).date()


MAX_TITLE = 200  # characters: a headline, not a paragraph
MAX_SLUG = 80  # characters of a slug: part of a folder name and of every URL of the issue


def make_slug(title: str) -> str:
    """A URL slug from a title; Chinese characters are kept (browsers percent-encode them)."""
    slug = slugify_unicode(title, "-")
    if len(slug) > MAX_SLUG:  # cut at a word where there is one
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG] else slug[:MAX_SLUG]
    if not slug:
        raise BroadsheetError(f"the title {title!r} has no letters or digits to make a slug from: "
                              "give one with --slug, e.g. --slug tariff-week")
    return slug


def last_trading_day(root: Path, before: dt.date) -> dt.date | None:
    """The last date with an S&P 500 close on or before `before`, for the example figure."""
    try:
        series = load_data(root / "data").series("SP500")
    except (BroadsheetError, BuildFailed):
        return None
    days = [d.date() for d in series.index if d.date() <= before]
    return days[-1] if days else None


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def render_page(lang: str, title: str, date: dt.date, slug: str, example_day: dt.date | None,
                translated_from: str | None = None) -> str:
    """The text of one language file: front matter, a commented example figure, the sections."""
    words = PLACEHOLDERS.get(lang, PLACEHOLDERS["en"])
    lines = ["---", f"title: {_quote(title)}", f"date: {date.isoformat()}",
             f"summary: {_quote(words['summary'])}", "tags: []", f"slug: {slug}", "draft: true"]
    if translated_from is not None:
        # the original's hash as scaffolded: once the original changes, `check` warns
        lines.append(f'translated_from: "{translated_from}"  # update after translating')
    lines += ["---", ""]
    if example_day is not None:
        day = example_day.isoformat()
        change = "{{ " + f'week_pct("SP500", "{day}")' + " }}"
        level = "{{ " + f'level("SP500", "{day}")' + " }}"
        example = EXAMPLE_TEXT.get(lang, EXAMPLE_TEXT["en"]).format(change=change, level=level)
        lines += ["<!--", EXAMPLE_NOTE.get(lang, EXAMPLE_NOTE["en"]), "", example, "-->", ""]
    for heading in SECTIONS.get(lang, SECTIONS["en"]):
        lines += [f"## {heading}", "", words["text"], ""]
    return "\n".join(lines)


def check_title(title: str) -> None:
    """Refuse an empty, overlong or unprintable title before anything is created."""
    if not title.strip():
        raise BroadsheetError("the title is empty: python build.py new \"本週標題\"")
    if len(title) > MAX_TITLE:
        raise BroadsheetError(f"the title is {len(title):,} characters long; keep it under {MAX_TITLE}")
    problem = control_problem(title) or (INVISIBLE_RE.search(title) and "invisible characters "
                                         "(bidi controls, zero-width) are not allowed in a title")
    if problem:
        raise BroadsheetError(f"the title cannot be used: {problem}")


def scaffold_issue(root: Path, config: Config, title: str, date: str | None = None,
                   slug: str | None = None, today: dt.date | None = None) -> Path:
    """Create content/issues/<date>-<slug>/ with a file per language; never overwrite."""
    check_title(title)
    if date is None:
        day = coming_sunday(today or site_today(config))
    else:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError as exc:
            raise BroadsheetError(f"--date {date!r} is not a date; write it as YYYY-MM-DD") from exc
    slug = slug if slug is not None else make_slug(title)
    if len(slug) > MAX_SLUG:
        raise BroadsheetError(f"the slug is {len(slug)} characters long; keep it under {MAX_SLUG}")
    if not SLUG_RE.match(slug):
        raise BroadsheetError(f"slug {slug!r} may hold only letters, digits and -; "
                              "choose one with --slug, e.g. --slug tariff-shock")
    folder = root / "content" / "issues" / f"{day.isoformat()}-{slug}"
    if folder.exists():
        raise BroadsheetError(f"{folder.relative_to(root)} exists already; nothing was changed "
                              "(pick another --slug or --date)")
    example_day = last_trading_day(root, day)
    default = config.default_language.code
    original = render_page(default, title.strip(), day, slug, example_day)
    texts = {default: original}
    for lang in config.languages[1:]:
        texts[lang.code] = render_page(lang.code, f"[{lang.name}] {title.strip()}", day, slug,
                                       example_day, translated_from=hash_text(original))
    folder.mkdir(parents=True)
    for code, text in texts.items():
        (folder / f"{code}.md").write_text(text, encoding="utf-8")
    return folder
