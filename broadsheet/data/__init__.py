"""Data: data/ read, checked on each series' exchange calendar, and written back by the data commands.

- store.py: `load_data()` → `DataStore`, the closes and releases the figures read (pandas only
  for whole series); catalog.py: data/catalog.yaml → `Catalog`; csvread.py: strict CSV rows
- calendars.py: exchange calendars (exchange_calendars): trading days, holidays, weeks
- fetch.py: the `fetch` command, from the sources of sources.py (FRED, ALFRED, CSV addresses),
  downloaded by download.py (one deadline, no cross-host redirects, messages without keys)
- entry.py: the `data add` command; datawrite.py: several data/ files replaced all or nothing

May import only core; never content (beside it) nor any later stage.
"""
