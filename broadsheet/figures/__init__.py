"""Figures: the numbers an issue quotes, computed from the data in the page's language.

- expressions.py: the one parser of `{{ function("literal", key=literal) }}`
- functions.py: `FigureFunctions`, the functions Markdown may call, each call recorded (`FigureUse`)
- arithmetic.py: what a % change, a change in points and in basis points are
- evaluate.py: the expressions of a text evaluated (Markdown and chart texts use it)
- lookahead.py: no look-ahead, an issue's as-of date bounds its figures
- parity.py: every figure one edition quotes, the other quotes too
- lock.py: a published issue's figure lock (figures.lock.json); published.py: a page compared with it

May import data, content and core; never charts or a later stage.
"""
