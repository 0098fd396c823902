"""Outputs: one module per output family, each turning assembled pages into files (`Output`).

- render.py: one Jinja environment per language (autoescape, StrictUndefined, UI catalogs)
- units.py: one function per render unit of the plan: issue page, email, home, lists
- email.py, feeds.py, sitemap.py, sharing.py: the email edition, RSS/Atom/JSON
  Feed (and the list the subscribe page shows), sitemap and robots, Open Graph and JSON-LD
- search.py: Pagefind, one index bundle per year

They render purpose-built views through templates and do no I/O on the site (the build writes).
May import pages, charts, figures, content, data and core; never build, checks or commands.
"""
