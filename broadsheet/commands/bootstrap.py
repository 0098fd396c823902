"""Set up the project's virtual environment on first use (standard library only).

`python build.py` must work on a fresh machine with nothing but Python 3.11: this module creates
`.venv/`, installs the project with its test extras, and re-executes the command inside it. The
install is redone only when pyproject.toml changes (a stamp file records its hash).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

SKIP_ENV = "BROADSHEET_NO_VENV"  # set to 1 to use the current interpreter as is


def _stamp(root: Path) -> str:
    return hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()


def venv_python(root: Path) -> Path:
    """Return the path of the project virtual environment's interpreter."""
    return root / ".venv" / "bin" / "python"


def ensure_environment(root: Path) -> None:
    """Re-execute inside `.venv` (creating or updating it first) unless already there."""
    if os.environ.get(SKIP_ENV) == "1":
        return
    venv_dir = root / ".venv"
    stamp_file = venv_dir / ".broadsheet-stamp"
    inside = Path(sys.prefix).resolve() == venv_dir.resolve()
    fresh = stamp_file.exists() and stamp_file.read_text() == _stamp(root)
    if inside and fresh:
        return
    if not fresh:
        print("broadsheet: setting up .venv (first run, or pyproject.toml changed)…", file=sys.stderr)
        if not venv_python(root).exists():
            venv.EnvBuilder(with_pip=True).create(venv_dir)
        pip = [str(venv_python(root)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        # pip's output is kept and shown only when it fails: a Ctrl-C during the install then
        # prints one line, not pip's traceback
        result = subprocess.run([*pip, "-e", f"{root}[test]"], check=False, capture_output=True, text=True)
        if result.returncode != 0:
            if result.returncode < 0 or "KeyboardInterrupt" in result.stderr:
                sys.exit("broadsheet: interrupted")
            sys.stderr.write(result.stdout + result.stderr)
            sys.exit("broadsheet: installing dependencies into .venv failed (see pip's output above)")
        stamp_file.write_text(_stamp(root))
    python = str(venv_python(root))
    # Ctrl-C while the new interpreter starts would end in Python's own "Fatal Python error"
    # traceback; blocked here (the mask survives exec), it waits until build.py unblocks it
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    os.execv(python, [python, *sys.argv])


def unblock_interrupts() -> None:
    """Let a Ctrl-C that arrived while the interpreter started be raised now (see above)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
