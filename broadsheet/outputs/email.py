"""The email edition: per issue and language, mail-safe HTML (CSS inlined, a fluid table column up
to 600 px, absolute URLs, charts as their narrow PNG twins, each figure's receipt in a list) and
its plain-text part, beside the page as email.html and email.txt. Both are rendered from the
assembled page's data by templates (email.html, email.txt and the chart partials); nothing here
reads HTML back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import css_inline

from broadsheet.core.settings import Config
from broadsheet.core.urls import Urls
from broadsheet.outputs.render import Renderer
from broadsheet.pages.views import body_parts, receipt_views

if TYPE_CHECKING:
    from broadsheet.pages.views import IssuePage

TEMPLATE = "email.html"
TEXT_TEMPLATE = "email.txt"
CONTENT_WIDTH = 560  # px: the widest chart image, the 600 px column less its padding


def email_context(ip: IssuePage, config: Config, urls: Urls) -> dict[str, Any]:
    """What both parts of the email show."""
    lang = ip.lang
    meta = ip.page.meta
    return {
        "lang": lang.code,
        "html_lang": lang.html_lang,
        "site_title": config.title[lang.code],
        "home_url": urls.absolute(urls.home(lang)),
        "web_url": urls.absolute(urls.issue(ip.issue.key, lang)),
        "title": meta.title,
        "summary": meta.summary,
        "date": meta.date,
        "parts": body_parts(ip.body.absolute_parts),
        "text_parts": ip.body.text_parts,
        "chart_base": urls.absolute(""),
        "width": CONTENT_WIDTH,
        "corrections": list(meta.corrections),
        "provenance": ip.provenance,
        "disclaimer": config.disclaimer.get(lang.code, ""),
        "author": config.author[lang.code],
        "unsubscribe": config.email_unsubscribe,  # unset: a placeholder, and the build warns (pipeline.py)
        "numbers": receipt_views(ip.receipts),  # "Numbers in this issue": each figure's receipt
    }


def email_edition(ip: IssuePage, config: Config, urls: Urls, renderer: Renderer) -> tuple[str, str]:
    """Return (HTML, plain text) of one issue page's email edition."""
    context = email_context(ip, config, urls)
    html = renderer.render(TEMPLATE, ip.lang, email=context)
    inlined = css_inline.inline(html, load_remote_stylesheets=False)  # drops the <style> block once applied
    text = renderer.render(TEXT_TEMPLATE, ip.lang, email=context)
    return inlined, _tidy_text(text)


def _tidy_text(text: str) -> str:
    """No trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"
