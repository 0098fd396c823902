"""Core: what every stage shares, knowing nothing of any stage.

- config.py: site.yaml → `Config`; context.py: `BuildContext`, the settings a build hands around
- errors.py: `SourceError` (path:line: message) and the `Problems` collector; failures.py: one
  line for what is not a problem in a source (a full disk, Ctrl-C, a bug)
- yamlsource.py: YAML with the line of every key; schema.py: declarative checks for the mappings
  editors write; textcheck.py: characters text may not hold; limits.py: sizes and the shape of a
  Markdown body, and sources stay inside the project; spans.py: delimited spans in linear time
- urls.py: permalinks and output paths; tags.py: content/tags.yaml; suggest.py: did-you-mean ids
- i18n.py: Babel (numbers, dates, UI catalogs); typography.py: Chinese punctuation (clreq)
- cache.py: the content-hash cache (.cache/); output.py: `Output`, one file of the site

May import no other folder of broadsheet: every stage imports it.
"""
