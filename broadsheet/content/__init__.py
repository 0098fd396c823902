"""Content: the issues editors write, read and checked.

- issues.py: content/issues/<folder>/<lang>.md → `Issue` with a `Page` per language (front
  matter validated, paragraph hashes, the issues memo)
- related.py: an issue's neighbours in its edition (newer, older, the issues under its tags)
- quotes.py: the `<!-- source: … -->` marks of a quotation's source
- translation.py: the `translated` command and the stale-translation warning
- typeset.py: the zh-Hant front matter with full-width punctuation (core/typography.py), as data
- corrections.py: the corrections box's `Correction`s, from front matter and corrections.yaml

May import only core; never data (beside it) nor any later stage.
"""
