#!/usr/bin/env python3
"""Build the broadsheet site: `python build.py` (see `python build.py --help`)."""

import sys


def _run() -> int:
    try:  # Ctrl-C while setting up or importing: one line, no traceback (cli.main handles the rest)
        from pathlib import Path

        root = Path(__file__).resolve().parent
        sys.path.insert(0, str(root))

        from broadsheet.commands.bootstrap import ensure_environment, unblock_interrupts  # (stdlib only)

        unblock_interrupts()  # a Ctrl-C during the .venv interpreter's start-up is raised here
        ensure_environment(root)  # first run: create .venv with the dependencies, then re-run inside it

        from broadsheet.commands.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("broadsheet: interrupted\n")
        return 130
    except RuntimeError as exc:  # Ctrl-C while a class body is made (an import) arrives wrapped by __set_name__
        if not isinstance(exc.__cause__, KeyboardInterrupt):
            raise
        sys.stderr.write("broadsheet: interrupted\n")
        return 130
    except OSError as exc:  # e.g. a read-only project without .venv
        sys.exit(f"broadsheet: cannot set up .venv: {exc.strerror or exc} ({exc.filename or '.venv'})")
    return main(root=root)


# Only when run as a command: the chart workers ("spawn") import this file again as __mp_main__,
# and must not unblock Ctrl-C there (each would print its own traceback; see failures.held_interrupts)
if __name__ == "__main__":
    sys.exit(_run())
