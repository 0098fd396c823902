"""Commands: the command line and the commands that are not a stage of their own.

- cli.py: `build.py` / `broadsheet` arguments → the module that does the work, imported only
  when its command runs (`command_module`); bootstrap.py: the .venv on first run (stdlib only)
- serve.py: the `serve` command (build, watch, rebuild); preview_server.py: its HTTP server
- scaffold.py: the `new` command, next week's issue folder
- published.py: the `publish` and `correct` commands (their work: build/publish.py)

May import every folder. (`check`, `fetch`, `data add` and `translated` live in checks/, data/
and content/, beside what they work on.)
"""
