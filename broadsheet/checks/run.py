"""The `check` command: every problem the build can find, in one pass, without writing the site.

It runs the build's own stages (pipeline.assemble_site) without stopping at the first failing
stage, then the checks of this folder on what they made: links (links.py), the figures and
their data (typed_numbers.py, figures/parity.py, data_sanity.py), the data's values typed in prose
(typed_values.py), directional and threshold claims and quotations (claims_direction.py,
quotations.py), zh-Hant-TW usage (language.py), the English style list (english_style.py) and
editions with no translation. Problems in an issue's text are reported at the line of its Markdown
file, so an editor can jump to them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from broadsheet.build.pipeline import Site, assemble_site
from broadsheet.charts import CHARTS_FILE
from broadsheet.checks.claim_words import load_claim_words
from broadsheet.checks.claims_direction import check_chart_claims, check_page_claims
from broadsheet.checks.data_sanity import check_data_sanity
from broadsheet.checks.english_style import lint_english, lint_english_charts, load_english_style
from broadsheet.checks.language import lint_file, load_rules
from broadsheet.checks.links import LinkProblem, check_links
from broadsheet.checks.quotations import check_quotations
from broadsheet.checks.typed_number_claims import NameIndex
from broadsheet.checks.typed_numbers import judge_page, lint_numbers
from broadsheet.checks.typed_values import lint_chart_values, lint_values
from broadsheet.content.issues import Page
from broadsheet.core.cache import cannot_write
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import MachineWarning, SourceError
from broadsheet.core.limits import refuse_outside_links
from broadsheet.core.urls import Urls, output_file
from broadsheet.core.yamlsource import read_text
from broadsheet.data.store import DataStore, load_data
from broadsheet.figures.parity import check_parity
from broadsheet.figures.uses import FigureUse
from broadsheet.outputs.search import BUNDLE_DIR


@dataclass
class CheckResult:
    """What `check` found: errors and warnings, each `path:line: message`."""

    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)
    pages: int = 0

    @property
    def about_the_machine(self) -> list[SourceError]:
        """The warnings about the machine check ran on (no CJK font), not about the project."""
        return [w for w in self.warnings if isinstance(w, MachineWarning)]

    @property
    def counted_warnings(self) -> list[SourceError]:
        """The warnings about the project: those that fail the check."""
        return [w for w in self.warnings if not isinstance(w, MachineWarning)]

    @property
    def ok(self) -> bool:
        """True when nothing was found in the project: warnings about the machine are printed,
        not counted (the same sources pass on a machine that has the font)."""
        return not self.errors and not self.counted_warnings


def check_site(ctx: BuildContext) -> CheckResult:
    """Run every check on the project of `ctx`; nothing is written."""
    refuse_outside_links(ctx.root)
    _without_an_unwritable_cache(ctx)
    site = assemble_site(ctx, keep_going=True)
    problems = ctx.problems
    _check_missing_translations(site, ctx)
    # the search index is written by Pagefind into the finished folder, after rendering
    link_problems = check_links(_site_files(site, ctx), ctx.config.base_url, generated=(BUNDLE_DIR + "/",),
                                placeholders=(ctx.config.email_unsubscribe,) if ctx.config.email_unsubscribe else ())
    for err in _locate(link_problems, site, ctx):
        problems.error(err)
    if site.pages:  # figures were computed, so the data loaded: lint numbers, parity, data sanity
        found = figure_and_data_findings(ctx, site)
        for err in found.errors:
            problems.error(err)
        for warning in found.warnings:
            problems.warn(warning)
        for warning in claim_problems(ctx, site):
            problems.warn(warning)
    _check_language(site, ctx)
    _check_english(site, ctx)
    return CheckResult(errors=_unique(problems.errors), warnings=_unique(problems.warnings),
                       pages=len(site.pages))


def _without_an_unwritable_cache(ctx: BuildContext) -> None:
    """The cache is optional for `check`: on a read-only checkout (or mount) it computes
    everything itself and says so, as a warning about the machine, not the project."""
    why = cannot_write(ctx.cache_dir) if ctx.use_cache else None
    if why is None:
        return
    ctx.use_cache = False
    reason = why.strerror or type(why).__name__
    ctx.problems.warn(MachineWarning(ctx.cache_dir, None, f"the cache cannot be written ({reason.lower()}): "
                                     "checked without it, which only takes longer",
                                     "make .cache/ writable to check faster"))


@dataclass
class FigureFindings:
    """What the checks of the figures and their data found: errors, and the value lint's warnings."""

    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)


def figure_and_data_problems(ctx: BuildContext, site: Site) -> list[SourceError]:
    """The errors of figure_and_data_findings."""
    return figure_and_data_findings(ctx, site).errors


def figure_and_data_findings(ctx: BuildContext, site: Site) -> FigureFindings:
    """The checks of the figures and their data on an assembled site: numbers typed beside a name
    that disagree with the data or should be figures (typed_numbers.py), the same figures in every
    edition (figures/parity.py) and the data itself (data_sanity.py) are errors; any other number of
    the prose that equals a value of the data (typed_values.py) is a warning."""
    store = load_data(ctx.data_dir)
    names = NameIndex(store)
    found = FigureFindings()
    for issue in site.issues:
        figures = {code: site.pages[(issue.key, code)].figures for code in issue.pages
                   if (issue.key, code) in site.pages}
        for code in figures:
            _lint_page(site.pages[(issue.key, code)].page, store, names, figures[code], found)
        if figures and (issue.src_dir / CHARTS_FILE).is_file():  # the chart texts, in the issue's window
            page = site.pages[(issue.key, next(iter(figures)))].page
            found.warnings.extend(lint_chart_values(issue.src_dir / CHARTS_FILE, page, store, names))
        found.errors.extend(check_parity(issue, figures))
    found.errors.extend(check_data_sanity(store, ctx.config, ctx.data_dir))
    return found


def _lint_page(page: Page, store: DataStore, names: NameIndex, uses: list[FigureUse], found: FigureFindings
               ) -> None:
    """The typed-number check (errors), then the value lint on the numbers it did not judge (warnings)."""
    judged = judge_page(page, store, uses, names)
    found.errors.extend(lint_numbers(page, store, uses, judged))
    found.warnings.extend(lint_values(page, store, judged, names))


def claim_problems(ctx: BuildContext, site: Site) -> list[SourceError]:
    """Warnings about what the prose says: directions and thresholds the data contradicts
    (claims_direction.py, on every edition and the chart texts) and quotations without a source
    (quotations.py); content/claims.yaml holds their words (absent: neither runs)."""
    words, errors = load_claim_words(ctx.content_dir)
    if words is None:
        return errors
    store = load_data(ctx.data_dir)
    names = NameIndex(store)
    problems: list[SourceError] = list(errors)
    for issue in site.issues:
        for page in issue.pages.values():
            problems += check_page_claims(page, store, words, names) + check_quotations(page, words)
        charts = issue.src_dir / CHARTS_FILE
        if charts.is_file() and issue.pages:
            issue_date = next(iter(issue.pages.values())).meta.date
            problems += check_chart_claims(charts, issue_date, store, words, names)
    return problems


def _check_english(site: Site, ctx: BuildContext) -> None:
    """The English style list (english_style.py) on every English file and the charts' English texts."""
    style, errors = load_english_style(ctx.content_dir)
    for err in errors:
        ctx.problems.error(err)
    if not style.prefer:
        return
    for issue in site.issues:
        for code, page in issue.pages.items():
            if code.split("-")[0] == "en":
                for warning in lint_english(page.src_path, style):
                    ctx.problems.warn(warning)
        if any(code.split("-")[0] == "en" for code in issue.pages) and (issue.src_dir / CHARTS_FILE).is_file():
            for warning in lint_english_charts(issue.src_dir / CHARTS_FILE, style):
                ctx.problems.warn(warning)


def _check_missing_translations(site: Site, ctx: BuildContext) -> None:
    default = ctx.config.default_language
    for issue in site.issues:
        original = issue.pages[default.code]
        for lang in ctx.config.languages:
            if lang.code not in issue.pages:
                message = f"no {lang.name} translation: {lang.code}.md is missing"
                hint = f"add {lang.code}.md; until then that edition shows the {default.name} text"
                ctx.problems.warn(SourceError(original.src_path, None, message, hint))


def _check_language(site: Site, ctx: BuildContext) -> None:
    """zh-Hant-TW usage (language.py): simplified characters and mainland terms, as warnings."""
    rules, errors = load_rules(ctx.content_dir)
    for err in errors:
        ctx.problems.error(err)
    for issue in site.issues:
        files = [page.src_path for code, page in issue.pages.items() if code.startswith("zh-Hant")]
        if files and (issue.src_dir / CHARTS_FILE).is_file():  # chart titles, notes and descriptions
            files.append(issue.src_dir / CHARTS_FILE)
        for path in files:
            for warning in lint_file(path, rules):
                ctx.problems.warn(warning)


def _site_files(site: Site, ctx: BuildContext) -> dict[str, bytes | None]:
    # the email editions repeat each page's body: their links would be reported twice, at a file
    # the editor cannot open; they still count as existing targets
    files: dict[str, bytes | None] = {out.path: None if _is_email(out.path) or isinstance(out.data, Path) else out.data
                                      for out in site.outputs}  # (a Path: a PNG twin in the cache)
    if ctx.static_dir.is_dir():  # copied to site/static/ as they are: they only need to exist
        for path in ctx.static_dir.rglob("*"):
            if path.is_file():
                files.setdefault("static/" + path.relative_to(ctx.static_dir).as_posix(), None)
    return files


def _is_email(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in ("email.html", "email.txt")


def _locate(found: list[LinkProblem], site: Site, ctx: BuildContext) -> list[SourceError]:
    """Point each problem at the Markdown line that made it, or at the template's output."""
    urls = Urls(ctx.config)
    sources: dict[str, Page] = {}
    for (key, code), ip in site.pages.items():
        sources[output_file(urls.issue(key, ctx.config.language(code)))] = ip.page
    failed = [urls.href(urls.issue(i.key, ctx.config.language(c)))
              for i in site.issues for c in i.pages if (i.key, c) not in site.pages]
    errors: list[SourceError] = []
    from_templates: dict[str, list[LinkProblem]] = defaultdict(list)
    for problem in found:
        if failed and any(problem.url.startswith(prefix) for prefix in failed):
            continue  # that issue was not rendered because of the errors already reported
        page = sources.get(problem.page)
        line = _line_in_source(page, problem.url) if page is not None and problem.url else None
        if page is not None and line is not None:
            errors.append(SourceError(page.src_path, line, problem.message))
        else:
            from_templates[problem.message].append(problem)
    for message, where in from_templates.items():
        first = where[0]
        pages = len({p.page for p in where})
        hint = f"from a template, on {pages} page(s)" if pages > 1 else "from a template"
        errors.append(SourceError(ctx.out_dir / first.page, first.line or None, message, hint))
    return errors


def _line_in_source(page: Page, url: str) -> int | None:
    """The first line of the page's Markdown that holds `url` (as written, or percent-decoded)."""
    wanted = {url, unquote(url)}
    for number, text in enumerate(read_text(page.src_path).split("\n"), start=1):
        if any(w in text for w in wanted):
            return number
    return None


def _unique(errors: list[SourceError]) -> list[SourceError]:
    seen: set[tuple[str, int | None, str]] = set()
    out: list[SourceError] = []
    for err in sorted(errors, key=lambda e: (str(e.path), e.line or 0, e.message)):
        key = (str(err.path), err.line, err.message)
        if key not in seen:
            seen.add(key)
            out.append(err)
    return out


def format_result(result: CheckResult, root: Path) -> list[str]:
    """The `path:line: message` lines of a check, errors and warnings in file order."""
    lines = [(e, e.format(root)) for e in result.errors]
    lines += [(w, w.format(root).replace(": ", ": warning: ", 1)) for w in result.warnings]
    lines.sort(key=lambda pair: (str(pair[0].path), pair[0].line or 0))
    return [text for _, text in lines]
