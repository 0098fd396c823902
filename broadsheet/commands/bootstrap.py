"""Set up the project's virtual environment on first use (standard library only).

`python build.py` must work on a fresh machine with nothing but Python 3.11: this module creates
`.venv/`, installs exactly what `requirements.lock` names (every dependency and the test extra,
each pinned with the hashes of its files: pip refuses anything else), then the project itself
without its dependencies, and re-executes the command inside it. The install is redone only when
pyproject.toml or the lock changes (a stamp file records their hash).

Each step says what it does; one deadline (BROADSHEET_INSTALL_TIMEOUT seconds) covers the whole
install, so a package index that never answers ends in a message instead of a silent wait.
`bash scripts/update-lock.sh` makes the lock again from pyproject.toml.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SKIP_ENV = "BROADSHEET_NO_VENV"  # set to 1 to use the current interpreter as is
LOCK_FILE = "requirements.lock"
TIMEOUT_ENV = "BROADSHEET_INSTALL_TIMEOUT"  # seconds for the whole install
DEFAULT_TIMEOUT = 600.0  # a fresh install downloads ~250 MB: minutes on a slow line, never ten
PROGRESS_SECONDS = 30.0  # a long install says how far it got this often


def _stamp(root: Path) -> str:
    digest = hashlib.sha256((root / "pyproject.toml").read_bytes())
    digest.update(b"\0" + (root / LOCK_FILE).read_bytes())
    return digest.hexdigest()


def venv_python(root: Path) -> Path:
    """Return the path of the project virtual environment's interpreter."""
    return root / ".venv" / "bin" / "python"


def _say(message: str) -> None:
    print(f"broadsheet: {message}", file=sys.stderr, flush=True)


def install_timeout() -> float:
    """The seconds the whole install may take (BROADSHEET_INSTALL_TIMEOUT, or DEFAULT_TIMEOUT)."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        sys.exit(f"broadsheet: {TIMEOUT_ENV} must be a number of seconds above 0, not {text!r}")
    return seconds


def locked_packages(lock: Path) -> int:
    """How many packages the lock pins (one `name==version` line each)."""
    return sum(1 for line in lock.read_text(encoding="utf-8").splitlines() if line[:1].isalnum() and "==" in line)


class Pip:
    """pip runs in .venv under one deadline, their output kept and shown only when one fails."""

    def __init__(self, python: Path, timeout: float):
        self.python = str(python)
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.started = time.monotonic()

    def run(self, args: list[str], doing: str) -> None:
        """Run `pip args`, saying `doing` first and every PROGRESS_SECONDS; exit with a message
        when it fails or the deadline passes."""
        _say(f"{doing}…")
        command = [self.python, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", *args]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        # a thread drains pip's output, so that pip never blocks on a full pipe while this one waits
        reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
        reader.start()
        try:
            self._wait(process, doing, lines)
        except BaseException:  # Ctrl-C (build.py prints one line) or the deadline: pip goes too
            process.kill()
            process.wait()
            raise
        reader.join()
        if process.returncode != 0:
            output = "".join(lines)
            if process.returncode < 0 or "KeyboardInterrupt" in output:
                sys.exit("broadsheet: interrupted")
            sys.stderr.write(output)
            sys.exit("broadsheet: installing dependencies into .venv failed (see pip's output above)")

    def _wait(self, process: subprocess.Popen[str], doing: str, lines: list[str]) -> None:
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(self._gave_up(lines))
            try:
                process.wait(timeout=min(PROGRESS_SECONDS, left))
                return
            except subprocess.TimeoutExpired:
                if time.monotonic() < self.deadline:
                    _say(f"still {doing[0].lower() + doing[1:]}: {_progress(lines)}, "
                         f"{time.monotonic() - self.started:.0f} s of at most {self.timeout:.0f}")

    def _gave_up(self, lines: list[str]) -> str:
        last = next((line.strip() for line in reversed(lines) if line.strip()), "nothing yet")
        return (f"broadsheet: gave up installing into .venv after {self.timeout:.0f} s ({_progress(lines)}; "
                f"pip's last line: {last}). The package index did not answer in time: check the network "
                f"and the index pip uses (PIP_INDEX_URL, pip.conf), or set {TIMEOUT_ENV} to more seconds; "
                "then run the command again")


def _progress(lines: list[str]) -> str:
    found = sum(1 for line in lines if line.startswith("Collecting "))
    return f"{found} package(s) found so far"


def install(root: Path) -> None:
    """Create .venv if needed and install the lock, then the project (no dependencies, editable)."""
    venv_dir = root / ".venv"
    lock = root / LOCK_FILE
    if not venv_python(root).exists():
        _say("creating .venv…")
        # only here: importing venv (logging, string…) was 10 ms of CPU of every build that has its .venv
        import venv

        venv.EnvBuilder(with_pip=True).create(venv_dir)
    pip = Pip(venv_python(root), install_timeout())
    pip.run(["--require-hashes", "-r", str(lock)],
            f"installing the {locked_packages(lock)} packages pinned in {LOCK_FILE} (each checked against its "
            f"hash; gives up after {pip.timeout:.0f} s, {TIMEOUT_ENV} to change)")
    # the lock holds the build backend too (setuptools): no isolated build environment, which
    # would download it again without a hash
    pip.run(["--no-deps", "--no-build-isolation", "-e", str(root)], "installing broadsheet itself (editable)")
    (venv_dir / ".broadsheet-stamp").write_text(_stamp(root))


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
        _say(f"setting up .venv (first run, or pyproject.toml or {LOCK_FILE} changed)")
        install(root)
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
