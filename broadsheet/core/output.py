"""`Output`: one file of the site as stages hand it on (outputs make them, build/writer.py writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Output:
    """One file of the site: its path inside the site and its bytes (or a file holding them)."""

    path: str
    data: bytes | Path
