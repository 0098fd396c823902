"""Content: the issues editors write, read and checked.

- issues.py: content/issues/<folder>/<lang>.md → `Issue` with a `Page` per language (front
  matter validated, paragraph hashes, the issues memo)
- quotes.py: the `<!-- source: … -->` marks of a quotation's source
- translation.py: the `translated` command and the stale-translation warning

May import only core; never data (beside it) nor any later stage.
"""
