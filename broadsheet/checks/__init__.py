"""Checks: what `check` finds beyond the build's own errors, each check in its module.

- run.py: the `check` command, the build's stages run without stopping, then every check below
- links.py: broken internal links, #anchors and images without alt text
- typed_numbers.py: numbers typed in prose compared with the data (typed_number_claims.py
  finds them); figures/parity.py, the same figures in every edition, runs beside it
- typed_values.py: any other number of the prose that the data gives in the issue's window (warnings)
- prose_words.py: the words around a number that those two read, in both languages
- data_sanity.py: impossible one-day moves, gaps on a calendar, a release that repeats its prior
- language.py: zh-Hant-TW usage (OpenCC and content/language.yaml), as warnings
- claims_direction.py: directions and thresholds the prose states, compared with the closes
  (claim_words.py reads content/claims.yaml and the window a clause speaks of)
- quotations.py: a quotation attributed to a named person needs a source mark
- english_style.py: the English style list (content/language.yaml's `en:`), as warnings

May import build and every stage below it; never commands.
"""
