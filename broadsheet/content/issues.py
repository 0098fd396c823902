"""Read issues: content/issues/<folder>/<lang>.md → Issue with one Page per language."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadsheet.content.corrections import Correction, add_recorded_corrections
from broadsheet.core.errors import BuildFailed, Problems, SourceError
from broadsheet.core.limits import markdown_shape
from broadsheet.core.lines import line_of
from broadsheet.core.schema import Checked, Field, boolean, excerpt, text, validate
from broadsheet.core.schema import date as schema_date
from broadsheet.core.settings import Config
from broadsheet.core.tags import check_declared
from broadsheet.core.textcheck import unsafe_text
from broadsheet.core.urls import tag_slug
from broadsheet.core.yamlsource import load_yaml, read_text

SLUG_RE = re.compile(r"^[\w\-]+$")


@dataclass(frozen=True)
class FrontMatter:
    """The validated front matter of one language file."""

    title: str
    date: dt.date
    summary: str
    tags: tuple[str, ...] = ()
    slug: str = ""
    draft: bool = False
    translated_from: str | None = None  # hash of the default-language source this translates
    translated_paragraphs: tuple[str, ...] = ()  # its paragraphs' short hashes then (`translated` writes them)
    as_of: dt.date | None = None  # the newest data the issue may use (default: its date)
    corrections: tuple[Correction, ...] = ()

    @property
    def updated(self) -> dt.date | None:
        """The date of the latest correction (a feed item's updated time), None when uncorrected."""
        return max((c.date for c in self.corrections), default=None)


@dataclass(frozen=True)
class Page:
    """One language edition of an issue, as written by the editor."""

    src_path: Path
    lang: str
    meta: FrontMatter
    body: str
    body_line: int  # the file line on which `body` starts (for error positions)
    source_hash: str  # short hash of the whole file, recorded by translations


@dataclass
class Issue:
    """One weekly issue: a folder with a Markdown file per language."""

    key: str  # the folder name, e.g. 2025-04-13-tariff-shock
    src_dir: Path
    pages: dict[str, Page] = field(default_factory=dict)

    @property
    def date(self) -> dt.date:
        """The issue date (from the default-language page)."""
        return next(iter(self.pages.values())).meta.date

    @property
    def slug(self) -> str:
        """The slug shared by every edition (from the default-language page)."""
        return next(iter(self.pages.values())).meta.slug

    @property
    def permalink_key(self) -> str:
        """The URL segment of the issue: `2025-04-13-tariff-shock`."""
        return f"{self.date.isoformat()}-{self.slug}"


FRONT_RE = re.compile(r"\A---\n.*?\n---\n", re.S)
DRAFT_LINE_RE = re.compile(r"^draft:[^\n]*\n", re.M)


def hash_text(text: str) -> str:
    """Return the short content hash that translations record in `translated_from`.

    The `draft:` line is left out: publishing the original does not make its translation stale.
    """
    front = FRONT_RE.match(text)
    if front:
        text = DRAFT_LINE_RE.sub("", front.group()) + text[front.end():]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def paragraph_hashes(body: str, first_line: int) -> list[tuple[int, str, str]]:
    """(line, short hash, first words) of each paragraph (text between blank lines) of a body."""
    found: list[tuple[int, str, str]] = []
    for match in re.finditer(r"(?:^[^\S\n]*\S[^\n]*(?:\n|$))+", body, re.M):
        block = match.group().strip()
        line = first_line + body.count("\n", 0, match.start())
        found.append((line, hashlib.sha256(block.encode("utf-8")).hexdigest()[:6], block.split("\n")[0][:40]))
    return found


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Split `---` YAML front matter from the body; return (yaml, body, body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError(path, 1, "missing front matter",
                          "start the file with a line `---`, the YAML fields, and another `---`")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise SourceError(path, 1, "front matter is not closed", "add a line `---` after the last field")


def _tags(raw: Any) -> Checked:
    if isinstance(raw, list) and all(isinstance(t, str | int) and str(t).strip() for t in raw):
        return Checked(tuple(str(t) for t in raw))
    return Checked(problem="tags must be a list of words such as [關稅, 美債]", whole=True)


def _slug(raw: Any) -> Checked:
    if isinstance(raw, str) and SLUG_RE.match(raw):
        return Checked(raw)
    return Checked(problem=f"slug {excerpt(raw)} may hold only letters, digits and -", hint="e.g. slug: tariff-shock",
                   whole=True)


def _hash(raw: Any) -> Checked:
    if isinstance(raw, str):
        return Checked(raw)
    return Checked(problem="must be a quoted hash")


TEXT_HINT = "quote it if it starts with a special character"
FRONT_MATTER = (  # every field, with its check (documented in docs/writing.md)
    Field("title", text(500, TEXT_HINT), required=True),
    Field("date", schema_date, required=True),
    Field("summary", text(2_000, TEXT_HINT), required=True),
    Field("tags", _tags, default=()),
    Field("slug", _slug),
    Field("draft", boolean, default=False),
    Field("translated_from", _hash),
    Field("translated_paragraphs", lambda raw: Checked(tuple(str(raw).split())) if isinstance(raw, str)
          else Checked(problem="must be a quoted list of hashes (written by `build.py translated`)")),
    Field("as_of", schema_date),
    Field("corrections", lambda raw: Checked(raw)),
)


def parse_front_matter(raw: str, path: Path, folder_key: str) -> FrontMatter:
    """Validate front matter fields; a missing or wrong field names its file and line."""
    data = load_yaml(raw, path, first_line=2) if raw.strip() else None
    if not isinstance(data, dict):
        raise SourceError(path, 2, "front matter must be YAML fields such as `title: …`")
    errors: list[SourceError] = []
    # the YAML starts on the file's line 2: every line the schema names is one further down
    values = validate(data, FRONT_MATTER, path, 1, "front matter field",
                      lambda e: errors.append(SourceError(
                          e.path, 2 if e.message.endswith(" is missing") else (e.line or 1) + 1, e.message, e.hint)),
                      missing_hint=lambda name: f"add `{name}: …` between the --- lines")
    slug = values["slug"] or re.sub(r"^\d{4}-\d{2}-\d{2}-", "", folder_key)
    corrections = parse_corrections(values["corrections"], path, 1 + line_of(data, "corrections", 1),
                                    values["date"], errors)
    if errors:
        raise BuildFailed(errors)
    return FrontMatter(title=values["title"], date=values["date"], summary=values["summary"], tags=values["tags"],
                       slug=slug, draft=values["draft"], translated_from=values["translated_from"],
                       translated_paragraphs=values["translated_paragraphs"] or (), as_of=values["as_of"],
                       corrections=corrections)


def parse_corrections(raw: object, path: Path, field_line: int, issue_date: dt.date | None,
                      errors: list[SourceError]) -> tuple[Correction, ...]:
    """Validate `corrections:`, a list of {date: YYYY-MM-DD, text: …}, newest last."""
    if raw is None:
        return ()
    example = 'e.g. corrections: [{date: 2025-04-15, text: "PPI figures corrected"}]'
    if not isinstance(raw, list):
        errors.append(SourceError(path, field_line, "corrections must be a list of {date, text} entries", example))
        return ()
    found: list[Correction] = []
    for n, item in enumerate(raw):
        at = 1 + getattr(item, "start_line", field_line - 1 + n)
        if not isinstance(item, dict):
            errors.append(SourceError(path, at, f"correction {n + 1} must have a date and a text", example))
            continue
        for key in sorted(set(item) - {"date", "text"}, key=str):
            errors.append(SourceError(path, 1 + line_of(item, key, at - 1), f"unknown correction field {key!r}",
                                      "a correction has only date and text"))
        day, text = item.get("date"), item.get("text")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            errors.append(SourceError(path, 1 + line_of(item, "date", at - 1),
                                      f"correction date must be a date like 2025-04-15, got {day!r}"))
            continue
        if issue_date is not None and day < issue_date:
            errors.append(SourceError(path, 1 + line_of(item, "date", at - 1),
                                      f"correction dated {day} is before the issue date {issue_date}",
                                      "a correction is dated the day it was made"))
        if not isinstance(text, str) or not text.strip():
            errors.append(SourceError(path, 1 + line_of(item, "text", at - 1), "correction text is missing",
                                      "say what was wrong and what it now says"))
            continue
        found.append(Correction(date=day, text=text.strip()))
    return tuple(sorted(found, key=lambda c: c.date))


def read_page(path: Path, lang: str, folder_key: str) -> Page:
    """Read one language file of an issue."""
    text = read_text(path)
    raw, body, body_line = split_front_matter(text, path)
    meta = parse_front_matter(raw, path, folder_key)
    if unsafe := unsafe_text(text, meta, path):  # control and invisible characters (textcheck.py)
        raise BuildFailed(unsafe)
    if shape := markdown_shape(body, path, body_line):  # before anything reads the body (limits.py)
        raise BuildFailed(shape)
    return Page(src_path=path, lang=lang, meta=meta, body=body, body_line=body_line,
                source_hash=hash_text(text))


class PageMemo:
    """Pages an earlier build read, by path and content hash: an unchanged file is neither read
    nor parsed again (a 500-issue edit build spent 0.4 s re-reading the other 999 files).

    `hashes` are this build's input hashes of content/ (incremental.read_inputs: from size and
    mtime, as git's index does), `version` the engine's code hash: other code reads everything
    again. Only pages that read without a problem are remembered; the file (a pickle in
    `.cache/`, like the page cache) keeps just the pages of this build.
    """

    def __init__(self, path: Path | None, hashes: dict[str, str], version: str) -> None:
        self.path, self.hashes, self.version = path, hashes, version
        self.known: dict[str, tuple[str, Page]] = {}
        self.kept: dict[str, tuple[str, Page]] = {}
        self.learnt = False
        if path is not None:
            try:
                with path.open("rb") as fp:
                    stored = pickle.load(fp)  # noqa: S301  (the project's own cache folder)
                if isinstance(stored, dict) and stored.get("version") == version:
                    self.known = stored["pages"]
            except Exception:  # noqa: BLE001  (absent, damaged or from another version: read the files)
                self.known = {}

    def read(self, rel: str, path: Path, lang: str, folder_key: str) -> Page:
        """The page at `path` (`rel` to content/): remembered when its hash is, else read_page()."""
        digest = self.hashes.get(rel)
        known = self.known.get(rel)
        if digest is not None and known is not None and known[0] == digest and known[1].src_path == path:
            self.kept[rel] = known
            return known[1]
        page = read_page(path, lang, folder_key)
        if digest is not None:
            self.kept[rel] = (digest, page)
            self.learnt = True
        return page

    def save(self) -> None:
        """Write the pages of this build (atomically), when a file was read."""
        if self.path is None or not (self.learnt or self.kept.keys() != self.known.keys()):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as fp:
                pickle.dump({"version": self.version, "pages": self.kept}, fp, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def read_issues(content_dir: Path, config: Config, problems: Problems, drafts: bool = False,
                left_out: list[str] | None = None, memo: PageMemo | None = None) -> list[Issue]:
    """Read every issue folder, newest first; drafts are kept only when `drafts` is true (the
    folders of those left out are added to `left_out`). With `memo`, unchanged files are not read."""
    issues: list[Issue] = []
    issues_dir = content_dir / "issues"
    if not issues_dir.is_dir():
        return issues
    default = config.default_language.code
    for folder in sorted(p for p in issues_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        issue = _read_folder(folder, [lang.code for lang in config.languages], problems, memo)
        if issue is None or not _has_original(issue, default, problems):
            continue
        if issue.pages[default].meta.draft and not drafts:
            if left_out is not None:
                left_out.append(folder.name)
            continue
        _check_slugs(issue, default, problems)
        issue.key = issue.permalink_key  # the address: the original's date and slug, not the folder name
        issues.append(issue)
    if config.tags is not None:  # declared tags: every one must be known (tags.py)
        for issue in issues:
            for page in issue.pages.values():
                for err in check_declared(page.meta.tags, page.src_path, config.tags):
                    problems.error(err)
    else:
        check_tag_pages(issues, problems)
    _check_addresses(issues, default, problems)
    issues.sort(key=lambda i: (i.date, i.key), reverse=True)
    return issues


def _read_folder(folder: Path, codes: list[str], problems: Problems, memo: PageMemo | None) -> Issue | None:
    """An issue folder's language files, in site.yaml's order; None when none loaded."""
    issue = Issue(key=folder.name, src_dir=folder)
    for md in sorted(folder.glob("*.md")):
        if md.stem not in codes:
            problems.error(SourceError(md, None, f"unknown language file {md.name!r}",
                                       f"name it after a language in site.yaml: {', '.join(codes)}"))
            continue
        try:
            issue.pages[md.stem] = (read_page(md, md.stem, folder.name) if memo is None else
                                    memo.read(f"issues/{folder.name}/{md.name}", md, md.stem, folder.name))
        except SourceError as exc:
            problems.error(exc)
        except BuildFailed as many:
            for exc in many.problems:
                problems.error(exc)
    issue.pages = {c: issue.pages[c] for c in codes if c in issue.pages}
    add_recorded_corrections(issue.pages, folder, problems)  # corrections.yaml, which `correct` writes
    return issue if issue.pages else None


def _has_original(issue: Issue, default: str, problems: Problems) -> bool:
    """Whether the default-language original loaded (an issue without one is an error)."""
    if default in issue.pages:
        return True
    if not (issue.src_dir / f"{default}.md").is_file():  # else its own error says why it did not load
        first = next(iter(issue.pages.values()))
        problems.error(SourceError(first.src_path, None, f"issue has no {default}.md",
                                   f"every issue needs its {default} original"))
    return False


def _check_addresses(issues: list[Issue], default: str, problems: Problems) -> None:
    """The address holds date and slug, so only that pair must be unique."""
    seen: dict[str, Issue] = {}
    for issue in issues:
        other = seen.get(issue.permalink_key)
        if other is not None:
            page = issue.pages[default]
            problems.error(SourceError(page.src_path, 2, f"duplicate slug {issue.slug!r} on {issue.date}",
                                       f"{other.src_dir.name} uses it already; choose another slug"))
        seen[issue.permalink_key] = issue


def _check_slugs(issue: Issue, default: str, problems: Problems) -> None:
    """A translation's `slug:`, when given, must be the original's: both editions share one address."""
    slug = issue.pages[default].meta.slug
    folder_slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", issue.src_dir.name)  # what an unset slug defaults to
    for code, page in issue.pages.items():
        if code != default and page.meta.slug not in (slug, folder_slug):
            problems.error(SourceError(page.src_path, 2,
                                       f"slug {page.meta.slug!r} differs from the original's {slug!r}",
                                       f"both editions share the address issues/{issue.permalink_key}/; "
                                       f"remove slug: here or set it to {slug}"))


def check_tag_pages(issues: list[Issue], problems: Problems) -> None:
    """Refuse two spellings of a tag that would be written to the same tag page."""
    spelled: dict[tuple[str, str], tuple[str, Page]] = {}  # (language, slug) → first spelling
    for issue in issues:
        for code, page in issue.pages.items():
            for tag in page.meta.tags:
                first = spelled.setdefault((code, tag_slug(tag)), (tag, page))
                if first[0] != tag:
                    where = first[1].src_path.parent.name
                    problems.error(SourceError(
                        page.src_path, 2,
                        f"tag {tag!r} and tag {first[0]!r} ({where}) would share the page "
                        f"tags/{tag_slug(tag)}/", "spell the tag the same way in every issue"))
