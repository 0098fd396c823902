"""Editorial integrity checks for `check`: typed numbers (claims.py), edition parity (parity.py),
data sanity (sanity.py). Each returns `SourceError`s; `integrity_problems()` runs them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from broadsheet.checks.data_sanity import check_data_sanity
from broadsheet.checks.typed_numbers import lint_numbers
from broadsheet.core.errors import SourceError
from broadsheet.data.store import load_data
from broadsheet.figures.parity import check_parity

if TYPE_CHECKING:
    from broadsheet.build.pipeline import Site
    from broadsheet.core.context import BuildContext

__all__ = ["check_data_sanity", "check_parity", "integrity_problems", "lint_numbers"]


def integrity_problems(ctx: BuildContext, site: Site) -> list[SourceError]:
    """Run every integrity check on an assembled site (numbers, parity, data sanity)."""
    store = load_data(ctx.data_dir)
    problems: list[SourceError] = []
    for issue in site.issues:
        for code in issue.pages:
            ip = site.pages.get((issue.key, code))
            if ip is not None:
                problems.extend(lint_numbers(ip.page, store, ip.figures))
        problems.extend(check_parity(issue, {code: site.pages[(issue.key, code)].figures for code in issue.pages
                                             if (issue.key, code) in site.pages}))
    problems.extend(check_data_sanity(store, ctx.config, ctx.data_dir))
    return problems
