"""Translation sync: `build.py translated <issue>` records what a translation was made from, and
the stale warning says where: at the `translated_from` line, with the original's changed paragraphs.

A translation's front matter records the original's hash (`translated_from`, the draft line left
out, content.hash_text) and the short hash of each of its paragraphs (`translated_paragraphs`), so
when the original changes the warning lists the paragraphs that are new or edited since.
"""

from __future__ import annotations

import re
from pathlib import Path

from broadsheet.content.issues import FRONT_RE, Issue, Page, hash_text, paragraph_hashes, read_page
from broadsheet.core.errors import SourceError
from broadsheet.core.settings import Config
from broadsheet.core.yamlsource import read_text

FIELDS = ("translated_from", "translated_paragraphs")
MAX_LISTED = 6  # changed paragraphs named in one warning


def field_line(page: Page, name: str = "translated_from") -> int:
    """The line of a front matter field (2 when absent: the first field's line)."""
    for number, line in enumerate(read_text(page.src_path).split("\n")[1:], start=2):
        if line.strip() == "---":
            break
        if line.startswith(f"{name}:"):
            return number
    return 2


def changed_paragraphs(original: Page, recorded: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, first words) of the original's paragraphs whose hash the translation did not record."""
    known = set(recorded)
    return [(line, words) for line, digest, words in paragraph_hashes(original.body, original.body_line)
            if digest not in known]


def stale_warning(original: Page, page: Page) -> SourceError | None:
    """The warning for a translation that records no source, or an older one; None when current."""
    recorded = page.meta.translated_from
    command = f"python3 build.py translated {original.src_path.parent.name}"
    if recorded is None:
        return SourceError(page.src_path, 2, "translation does not record its source",
                           f"once it matches {original.src_path.name}, run `{command}`")
    if recorded == original.source_hash:
        return None
    message = (f"translation is stale: {original.src_path.name} changed since it was translated "
               f"({recorded} → {original.source_hash})")
    if page.meta.translated_paragraphs:
        changed = changed_paragraphs(original, page.meta.translated_paragraphs)
        if changed:
            listed = "; ".join(f"{original.src_path.name}:{line} 「{words}」" for line, words in changed[:MAX_LISTED])
            more = f" and {len(changed) - MAX_LISTED} more" if len(changed) > MAX_LISTED else ""
            message += f"; changed paragraphs: {listed}{more}"
    return SourceError(page.src_path, field_line(page), message, f"update the translation, then run `{command}`")


def find_issue_folder(content_dir: Path, name: str) -> Path:
    """An issue folder by its name (2025-04-13-tariff-shock), a path, or its slug."""
    issues = content_dir / "issues"
    candidates = [Path(name), issues / name]
    candidates += sorted(p for p in issues.glob(f"*-{name}") if p.is_dir()) if issues.is_dir() else []
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.md")):
            return candidate
    known = sorted(p.name for p in issues.iterdir() if p.is_dir()) if issues.is_dir() else []
    raise SourceError(issues / name, None, f"no issue folder {name!r}",
                      "give a folder of content/issues/" + (f", e.g. {known[-1]}" if known else ""))


def record_translation(folder: Path, config: Config) -> list[Path]:
    """Write the original's current hash and paragraph hashes into each translation of `folder`."""
    default = config.default_language.code
    original_path = folder / f"{default}.md"
    if not original_path.is_file():
        raise SourceError(original_path, None, f"no original {original_path.name} in {folder.name}")
    original = read_page(original_path, default, folder.name)
    digests = " ".join(d for _, d, _ in paragraph_hashes(original.body, original.body_line))
    written = []
    for lang in config.languages:
        path = folder / f"{lang.code}.md"
        if lang.code == default or not path.is_file():
            continue
        text = read_text(path)
        front = FRONT_RE.match(text)
        if not front:
            raise SourceError(path, 1, "no front matter between --- lines")
        head = re.sub(rf"^(?:{'|'.join(FIELDS)}):[^\n]*\n", "", front.group(), flags=re.M)
        head = head[: -len("---\n")] + f'translated_from: "{hash_text(read_text(original_path))}"\n' \
            f'translated_paragraphs: "{digests}"\n---\n'
        path.write_text(head + text[front.end():], encoding="utf-8")
        written.append(path)
    return written


def check_translations(issues: list[Issue], default: str) -> list[SourceError]:
    """The stale or unrecorded translations of `issues`."""
    found = []
    for issue in issues:
        original = issue.pages[default]
        for code, page in issue.pages.items():
            if code != default and (warning := stale_warning(original, page)) is not None:
                found.append(warning)
    return found
