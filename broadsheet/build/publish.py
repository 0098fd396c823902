"""`publish` and `correct`: an issue's figure lock written, and corrections recorded.

`publish ISSUE` computes every figure and chart of the issue's editions from data/ as it is now
(the whole site is assembled in memory, as `check` does, with no page compared with a lock) and
writes `figures.lock.json` into its folder (figures/lock.py: sorted JSON, a figure or a chart row a
line). On an issue already locked it refuses when a published value would change (say how:
`correct` or `--keep`); `--keep` / `--no-keep` only set what the build does when the data changes.
`correct ISSUE --note "…"` records the changed values as a dated correction in `corrections.yaml`
(content/corrections.py shows it) and writes the new lock. A draft is never locked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from broadsheet.build.pipeline import assemble_site
from broadsheet.content.corrections import CORRECTIONS_FILE
from broadsheet.content.issues import Issue, read_issues
from broadsheet.content.translation import find_issue_folder
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BuildFailed, Problems, SourceError
from broadsheet.data.catalog import Catalog, load_catalog
from broadsheet.figures.lock import (
    KEEP,
    LOCK_FILE,
    STOP,
    ChartChange,
    FigureChange,
    IssueLock,
    call_key,
    changed_charts,
    changed_figures,
    chart_entry,
    lock_text,
    read_lock,
)

DRAFT_HINT = "set draft: false in every edition first: a draft is never locked"


@dataclass
class Recorded:
    """What `publish` or `correct` wrote."""

    lock: Path
    figures: int  # figures locked, both editions
    charts: int  # charts locked, both editions
    changes: list[FigureChange] = field(default_factory=list)
    chart_changes: list[ChartChange] = field(default_factory=list)
    corrections: Path | None = None
    kept: bool = False  # a published draft: its lock is kept, nothing written


def publish_issue(ctx: BuildContext, name: str, keep: bool | None = None) -> Recorded:
    """Lock an issue's figures; on a locked issue, refuse a change of a published value."""
    folder, issue = _published_issue(ctx, name)
    old = read_lock(folder)
    if old is not None and keep is not None:  # only what the build does when the data changes
        old.on_change = KEEP if keep else STOP
        _write(folder / LOCK_FILE, lock_text(old))
        return Recorded(folder / LOCK_FILE, _count(old, "figures"), _count(old, "charts"))
    new = current_lock(ctx, folder, issue, old)
    if keep is not None:
        new.on_change = KEEP if keep else STOP
    if old is not None:
        changes, charts = changed_figures(old, new), changed_charts(old, new)
        if changes or charts:
            raise BuildFailed(_refusals(folder, changes, charts))
    _write(folder / LOCK_FILE, lock_text(new))
    return Recorded(folder / LOCK_FILE, _count(new, "figures"), _count(new, "charts"))


def correct_issue(ctx: BuildContext, name: str, note: str, day: dt.date | None = None) -> Recorded:
    """Record each published value the data now changes as a dated correction; write the new lock."""
    folder, issue = _published_issue(ctx, name)
    old = read_lock(folder)
    if old is None:
        raise SourceError(folder / LOCK_FILE, None, "the issue was never published: nothing to correct",
                          f"lock it with python3 build.py publish {folder.name}")
    if not note.strip():
        raise SourceError(folder / CORRECTIONS_FILE, None, "a correction needs a note", 'add --note "…"')
    day = day or dt.datetime.now(ZoneInfo(ctx.config.timezone)).date()
    new = current_lock(ctx, folder, issue, old)
    changes, charts = changed_figures(old, new), changed_charts(old, new)
    if not changes and not charts:
        raise SourceError(folder / LOCK_FILE, None, "no published figure or chart changed: nothing to correct",
                          "a correction of the prose is a front-matter `corrections:` note")
    _mark_corrected(new, changes, day)
    corrections = folder / CORRECTIONS_FILE
    _write(corrections, _corrections_text(corrections, day, note, changes, charts))
    _write(folder / LOCK_FILE, lock_text(new))
    return Recorded(folder / LOCK_FILE, _count(new, "figures"), _count(new, "charts"), changes, charts, corrections)


def _published_issue(ctx: BuildContext, name: str) -> tuple[Path, Issue]:
    """The issue's folder and its editions as written; a draft is refused (its lock, if any, kept)."""
    folder = find_issue_folder(ctx.content_dir, name).resolve()
    problems = Problems()
    issues = [i for i in read_issues(ctx.content_dir, ctx.config, problems, drafts=True)
              if i.src_dir.resolve() == folder]
    problems.checkpoint()
    if not issues:
        raise SourceError(folder, None, "the issue did not load", "run python3 build.py check")
    issue = issues[0]
    if any(page.meta.draft for page in issue.pages.values()):
        draft = next(p for p in issue.pages.values() if p.meta.draft)
        kept = (f"; its lock of {read_lock(folder).published} (figures.lock.json) is kept and applies again when it "  # type: ignore[union-attr]
                "is published") if (folder / LOCK_FILE).is_file() else ""
        raise SourceError(draft.src_path, 2, f"the issue is a draft{kept}", DRAFT_HINT)
    return folder, issue


def current_lock(ctx: BuildContext, folder: Path, issue: Issue, old: IssueLock | None) -> IssueLock:
    """The lock the issue would have now: every page assembled from data/ as it is, no lock compared."""
    site = assemble_site(_unlocked(ctx))
    found = next((i for i in site.issues if i.src_dir.resolve() == folder), None)
    if found is None:
        raise SourceError(folder, None, "the issue was not built", "run python3 build.py check")
    new = _lock_of(site, found, load_catalog(ctx.data_dir / "catalog.yaml"), old.published if old else issue.date,
                   old.on_change if old else STOP)
    if old is not None:
        _carry_corrected(old, new)
    return new


def lock_unlocked(ctx: BuildContext) -> list[Path]:
    """`publish --all`: lock every published issue that has no lock yet, from one assembly of the
    site (a site that starts locking its archive); an existing lock is never rewritten."""
    site = assemble_site(_unlocked(ctx))
    catalog = load_catalog(ctx.data_dir / "catalog.yaml")
    written = []
    for issue in site.issues:
        path = issue.src_dir / LOCK_FILE
        if not path.exists():
            _write(path, lock_text(_lock_of(site, issue, catalog, issue.date, STOP)))
            written.append(path)
    return written


def _unlocked(ctx: BuildContext) -> BuildContext:
    """The build's context with no page compared with a lock, drafts left out, its own problems."""
    return dataclasses.replace(ctx, figure_locks=False, drafts=False, problems=Problems())


def _lock_of(site: Any, issue: Issue, catalog: Catalog, published: dt.date, on_change: str) -> IssueLock:
    """An assembled issue's lock: each edition's figures (receipts) and placed charts."""
    editions: dict[str, dict[str, Any]] = {}
    for code in issue.pages:
        page = site.pages[(issue.key, code)]
        editions[code] = {"figures": [_figure_entry(r, catalog, code) for r in page.receipts],
                          "charts": {block.name: chart_entry(block) for block in page.charts}}
    return IssueLock(issue.src_dir.name, published, on_change, editions)


def _figure_entry(receipt: Any, catalog: Catalog, code: str) -> dict[str, Any]:
    """One figure's lock entry; a release's `vintage` is the release it was published from."""
    names = [_name(catalog, series, code) for series in receipt.series]
    entry = {"expression": receipt.expression, "text": receipt.text, "values": list(receipt.values),
             "dates": list(receipt.dates), "label": " / ".join(n for n in names if n), "receipt": receipt.describe()}
    if receipt.function == "release" and receipt.dates:
        entry["vintage"] = f"{receipt.field or 'actual'} as released {receipt.dates[0]}"
    return entry


def _name(catalog: Catalog, series: str, code: str) -> str:
    entry = catalog.series.get(series) or catalog.indicators.get(series)
    return entry.name.get(code, series) if entry is not None else series


def _occurrences(lock: IssueLock, code: str) -> dict[tuple[Any, int], dict[str, Any]]:
    """Each figure of an edition by (call, occurrence)."""
    seen: dict[Any, int] = {}
    found = {}
    for entry in lock.figures(code):
        key = call_key(entry["expression"])
        seen[key] = seen.get(key, -1) + 1
        found[(key, seen[key])] = entry
    return found


def _carry_corrected(old: IssueLock, new: IssueLock) -> None:
    """A figure corrected before and unchanged since keeps the date it was corrected."""
    for code in new.editions:
        before = _occurrences(old, code)
        for where, entry in _occurrences(new, code).items():
            previous = before.get(where)
            if previous is not None and previous.get("corrected") and previous["text"] == entry["text"]:
                entry["corrected"] = previous["corrected"]


def _mark_corrected(new: IssueLock, changes: list[FigureChange], day: dt.date) -> None:
    """The corrected figures' entries carry the day (a kept figure's receipt says "as published on" it)."""
    changed = {(c.lang, c.expression, c.now) for c in changes}
    for code in new.editions:
        for entry in new.figures(code):
            if (code, entry["expression"], entry["text"]) in changed:
                entry["corrected"] = day.isoformat()


def _refusals(folder: Path, changes: list[FigureChange], charts: list[ChartChange]) -> list[SourceError]:
    """The published values the data now changes, as `publish` refuses them."""
    hint = (f'python3 build.py correct {folder.name} --note "…" records them; '
            f"publish {folder.name} --keep keeps the published values")
    found = [SourceError(folder / f"{c.lang}.md", None, f"published figure changed: {c.expression} printed {c.was}, "
                         f"the data now gives {c.now}", hint) for c in changes]
    found += [SourceError(folder / f"{c.lang}.md", None, f"published chart changed: {c.name!r}: {c.describe()}",
                          hint.split(";")[0]) for c in charts]
    return found


def _corrections_text(path: Path, day: dt.date, note: str, changes: list[FigureChange],
                      charts: list[ChartChange]) -> str:
    """corrections.yaml with one more entry (YAML whose strings are JSON's: one line each)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else (
        "# Corrections of published figures, recorded by `python3 build.py correct` (docs/writing.md,\n"
        "# \"Published figures\"). A note may be edited, or given per language: note: {zh-Hant: …, en: …}\n")
    lines = [f"- date: {day.isoformat()}", f"  note: {json.dumps(note.strip(), ensure_ascii=False)}"]
    if changes:
        lines.append("  figures:")
        lines += [f"  - {_flow({'edition': c.lang} | dataclasses.asdict(c))}" for c in changes]
    if charts:
        lines.append("  charts:")
        lines += [f"  - {_flow({'edition': c.lang, 'chart': c.name, 'title': c.title, 'points': len(c.moved)})}"
                  for c in charts]
    return text + ("" if text.endswith("\n") else "\n") + "\n".join(lines) + "\n"


def _flow(entry: dict[str, Any]) -> str:
    """A YAML flow mapping, its strings in JSON's double quotes (a figure's `lang` is its `edition`)."""
    return "{" + ", ".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()
                           if key != "lang") + "}"


def _count(lock: IssueLock, what: str) -> int:
    return sum(len(edition.get(what, [])) for edition in lock.editions.values())


def _write(path: Path, text: str) -> None:
    """Replace a file whole (never half-written)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
