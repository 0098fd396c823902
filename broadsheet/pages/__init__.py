"""Pages: an issue's Markdown, with its figures and charts, made into a typed `IssuePage`.

- markdown.py: figures evaluated (figures/evaluate.py), then Python-Markdown → `RenderedBody`
- mdtree.py: the body's absolute-URL and plain-text forms, from the same Markdown tree
- mdbounds.py: Python-Markdown's slow paths (link targets, footnote ids, raw HTML tags) made linear
- textpass.py: figure markers and zh-Hant punctuation on the tree's text, before the sanitizer
- receipts.py: each figure's receipt, data.csv / data.json, editors' notes
- sanitize.py: what a body may become (the nh3 allow-list, the last pass; raw HTML off unless allowed)
- provenance.py: "data as of" and the sources of a page's figures and charts
- views.py: `IssuePage` and the purpose-built views templates receive

May import charts, figures, content, data and core; never outputs, build, checks or commands.
"""
