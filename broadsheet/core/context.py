"""BuildContext: everything a build stage needs, passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.core.errors import Problems
from broadsheet.core.settings import Config


@dataclass
class BuildContext:
    """The settings and collectors of one build, handed to every stage."""

    root: Path
    config: Config
    out_dir: Path
    problems: Problems = field(default_factory=Problems)
    drafts: bool = False  # include `draft: true` issues (serve does, a published build never)
    strict: bool = False  # warnings fail the build
    use_cache: bool = True
    clean: bool = False  # ignore what the last build recorded: compute and write every output
    preview: bool = False  # serve mode: pages link to their email edition
    search: bool = True  # index the site for search (Pagefind); off only where no index is wanted (tests)
    # an incremental build may swap its site in with the previous index and index in a detached
    # process (searchjob.py); off, every build waits for its index (CI, `--wait-search`, tests)
    search_in_background: bool = False
    # compare each published page with its issue's figures.lock.json (figures/lock.py); off only while
    # `publish` and `correct` compute the values they record
    figure_locks: bool = True
    drafts_left_out: list[str] = field(default_factory=list)  # folders of drafts a published build skipped

    @property
    def content_dir(self) -> Path:
        """content/: one folder per issue."""
        return self.root / "content"

    @property
    def data_dir(self) -> Path:
        """data/: catalog, market series, releases."""
        return self.root / "data"

    @property
    def templates_dir(self) -> Path:
        """templates/: Jinja templates."""
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        """static/: files copied as they are to site/static/."""
        return self.root / "static"

    @property
    def translations_dir(self) -> Path:
        """translations/: the UI message catalogs (.po)."""
        return self.root / "translations"

    @property
    def cache_dir(self) -> Path:
        """.cache/: rendered charts and other expensive results, keyed by content hash."""
        return self.root / ".cache"
