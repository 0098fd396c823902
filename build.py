#!/usr/bin/env python3
"""Build the broadsheet site: `python build.py` (see `python build.py --help`)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from broadsheet.bootstrap import ensure_environment  # noqa: E402  (stdlib only)

ensure_environment(ROOT)  # first run: create .venv with the dependencies, then re-run inside it

from broadsheet.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
