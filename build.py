#!/usr/bin/env python3
"""Build the broadsheet site: `python build.py` (see `python build.py --help`)."""

import sys

try:  # Ctrl-C while setting up or importing: one line, no traceback (cli.main handles the rest)
    from pathlib import Path

    ROOT = Path(__file__).resolve().parent
    sys.path.insert(0, str(ROOT))

    from broadsheet.bootstrap import ensure_environment, unblock_interrupts  # (stdlib only)

    unblock_interrupts()  # a Ctrl-C during the .venv interpreter's start-up is raised here
    ensure_environment(ROOT)  # first run: create .venv with the dependencies, then re-run inside it

    from broadsheet.cli import main
except KeyboardInterrupt:
    sys.stderr.write("broadsheet: interrupted\n")
    sys.exit(130)
except OSError as exc:  # e.g. a read-only project without .venv
    sys.exit(f"broadsheet: cannot set up .venv: {exc.strerror or exc} ({exc.filename or '.venv'})")

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
