"""Installed libraries' versions, read without importlib.metadata (issue 27).

The build's fingerprint, the calendars' cache and the vega bundle's key name the versions of the
libraries that shape their output. importlib.metadata (with email, zipfile, csv) is 20 ms of CPU
to import, a seventh of a build with nothing changed; the version is in the name of the
`<name>-<version>.dist-info` folder a wheel installs, which one listing of each sys.path folder
finds. A library without such a folder (an .egg-info) is asked of importlib.metadata.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable


def normal_name(name: str) -> str:
    """A distribution's name as its .dist-info folder spells it, lower-cased (PEP 503, wheel rules)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """{name: installed version} of the distributions `names` ("" for one that is not installed):
    the first .dist-info of each on sys.path, as importlib.metadata finds it."""
    names = list(names)
    versions = _dist_info_versions({normal_name(name): name for name in names})
    missing = [name for name in names if name not in versions]
    if missing:
        # only then: an .egg-info, or a library that is not installed (importlib.metadata is slow to import)
        from importlib.metadata import PackageNotFoundError, version

        for name in missing:
            try:
                versions[name] = version(name)
            except PackageNotFoundError:
                versions[name] = ""
    return {name: versions[name] for name in names}


def installed_version(name: str) -> str:
    """The installed version of one distribution ("" when it is not installed)."""
    return installed_versions([name])[name]


def _dist_info_versions(wanted: dict[str, str]) -> dict[str, str]:
    """{name: version} of the `wanted` (normal name → name) with a .dist-info folder on sys.path."""
    versions: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = list(os.scandir(folder or "."))
        except OSError:  # a zip file, a folder that is gone
            continue
        for entry in entries:
            if not entry.name.endswith(".dist-info"):
                continue
            name, _, found = entry.name.removesuffix(".dist-info").partition("-")
            library = wanted.get(normal_name(name))
            if library is not None and library not in versions:
                versions[library] = found
    return versions
