"""Jinja environments per language: StrictUndefined, autoescape, the i18n extension."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket, BytecodeCache

from broadsheet.core.errors import SourceError
from broadsheet.core.i18n import NumberFormatter, load_translations
from broadsheet.core.settings import Config, Language
from broadsheet.core.typography import applies, clreq_filter


class CompiledTemplates(BytecodeCache):
    """Compiled templates by name and source hash, kept for the process and, given a folder, on disk.

    Compiling the templates is most of a small build's rendering time (about 0.3 s), and both
    editions, every rebuild of `serve`, every build of the test suite and every edit build compile
    the same sources with the same settings. The key includes the source's checksum, so an edited
    template is compiled again; Jinja's bucket header holds the Python version.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._code: dict[tuple[str, str], bytes] = {}
        self.folder = folder

    def _file(self, bucket: Bucket) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / hashlib.sha256(f"{bucket.key}:{bucket.checksum}".encode()).hexdigest()[:32]

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        stored = self._file(bucket)
        if code is None and stored is not None:
            with contextlib.suppress(OSError):
                code = stored.read_bytes()
        if code is not None:
            bucket.bytecode_from_string(code)  # a stale or broken file is refused by its header

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        self._code[(bucket.key, bucket.checksum)] = code
        stored = self._file(bucket)
        if stored is not None:
            with contextlib.suppress(OSError):
                stored.parent.mkdir(parents=True, exist_ok=True)
                tmp = stored.with_name(f".tmp-{os.getpid()}-{stored.name}")
                tmp.write_bytes(code)
                os.replace(tmp, stored)


_COMPILED: dict[Path | None, CompiledTemplates] = {}  # one per cache folder: the settings are the same


def compiled_templates(folder: Path | None) -> CompiledTemplates:
    """The compiled-template cache kept in `folder` (None: this process only)."""
    if folder not in _COMPILED:
        _COMPILED[folder] = CompiledTemplates(folder)
    return _COMPILED[folder]




class Renderer:
    """Renders templates/ for one language at a time; template errors name the template line."""

    def __init__(self, templates_dir: Path, translations_dir: Path, config: Config, cache_dir: Path | None = None):
        self.templates_dir = templates_dir
        self._envs: dict[str, Environment] = {}
        self._translations: dict[str, Translations] = {}
        for lang in config.languages:
            env = Environment(
                loader=FileSystemLoader(templates_dir),
                autoescape=True,
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
                bytecode_cache=compiled_templates(cache_dir),
            )
            full_width = applies(config.full_width_punctuation, lang.html_lang)
            translations = load_translations(translations_dir, lang.locale, full_width)
            self._translations[lang.code] = translations
            env.install_gettext_translations(translations, newstyle=True)
            fmt = NumberFormatter(lang.locale)
            env.filters["long_date"] = fmt.long_date
            env.filters["short_date"] = fmt.short_date
            env.filters["month_year"] = fmt.month_year
            env.filters["number"] = lambda v, digits=0, _f=fmt: _f.decimal(v, digits)
            env.filters["iso"] = lambda d: d.isoformat()
            # Every text reaches the templates punctuated (typography.py: site.yaml, front matter,
            # catalogs, charts, receipts and bodies are punctuated where they are read); `clreq` is
            # for text a template would put together itself, and gives punctuated text back as it is.
            env.filters["clreq"] = clreq_filter(full_width)
            self._envs[lang.code] = env

    def render(self, template: str, lang: Language, **context: Any) -> str:
        """Render `template` in `lang`; a template error becomes a SourceError at its line."""
        env = self._envs[lang.code]
        try:
            return env.get_template(template).render(**context)
        except TemplateSyntaxError as exc:
            path = Path(exc.filename) if exc.filename else self.templates_dir / (exc.name or template)
            raise SourceError(path, exc.lineno, f"template error: {exc.message}") from exc
        except TemplateNotFound as exc:  # an include or extends naming a missing file
            path, line = _template_position(exc, self.templates_dir, template)
            raise SourceError(path, line, f"template error: no template {exc.name!r} in templates/"
                              ) from exc
        except TemplateError as exc:
            path, line = _template_position(exc, self.templates_dir, template)
            raise SourceError(path, line, f"template error: {exc}") from exc
        except Exception as exc:  # a filter or a view value failing inside a template
            path, line = _template_position(exc, self.templates_dir, template)
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise SourceError(path, line, f"template error: {what}",
                              "a filter or function was given a value of the wrong kind") from exc

    def gettext(self, lang: Language, message: str) -> str:
        """Translate a UI string outside templates (feeds, email)."""
        # The environment's newstyle gettext needs a template context, so ask the catalog itself.
        return self._translations[lang.code].gettext(message)


def _template_position(exc: BaseException, templates_dir: Path,
                       template: str) -> tuple[Path, int | None]:
    """Find the template file and line where a runtime error happened, from its traceback.

    Jinja rewrites tracebacks so that template frames carry the template's file and line; the
    innermost one is where the error is (base.html or a partial, not only the page's template).
    """
    root = str(templates_dir.resolve())
    path, line = templates_dir / template, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root) or filename.startswith(str(templates_dir)):
            path, line = Path(filename), tb.tb_lineno
        tb = tb.tb_next
    return path, line
