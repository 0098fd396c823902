"""Build: the stages run in order, deciding nothing the plan has not decided.

- pipeline.py: `build()` and `assemble_site()`: hash → load → plan → charts and pages → render → write
- state.py: what the stages hand each other (`Loaded`, `Pages`, `Site`, `BuildResult`)
- plan.py: `make_plan()`, every unit (`UnitId`) redone or reused and why; the chart work and the
  search plan (search_plan.py)
- incremental.py: input hashes, per-series data hashes, the manifest, the cache's pruning
- assemble.py: charts drawn and pages assembled, a batch of issues at a time, in worker processes
- rendering.py: the render stage (units not rendered with their page)
- writer.py: a fresh folder beside the site, swapped in whole; searchjob.py: the background index
- publish.py: `publish` and `correct`, an issue's figure lock and the corrections it records

May import every stage below it (outputs, pages, charts, figures, content, data, core); never
checks or commands.
"""
