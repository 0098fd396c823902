#!/usr/bin/env bash
# Make requirements.lock again from pyproject.toml: every dependency, the test extra and the build
# backend (pyproject's [build-system] requires: .venv installs the project without build isolation),
# each pinned to one version with the hashes of its files, for Python 3.11 on Linux x86_64 with
# glibc 2.34 or later (what .venv, CI and the workflows run: Debian 12 has 2.36; svg2png-py ships
# manylinux_2_34 wheels only). The bootstrap installs only what the lock names.
#
#   bash scripts/update-lock.sh             after changing a dependency in pyproject.toml: the other
#                                           pins stay as they are where they still fit
#   bash scripts/update-lock.sh --upgrade   take the newest release of everything pyproject allows
#
# Then run the tests (`python3 build.py test`: the first run installs the new lock into .venv) and
# commit pyproject.toml and requirements.lock together; tests/test_lock.py fails while they disagree.
# uv comes from the package index into .tools/uv/ (git-ignored); any further arguments go to
# `uv pip compile`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/uv"
if [ ! -x "$tools/bin/uv" ]; then
  echo "update-lock: installing uv into .tools/uv/" >&2
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check uv
fi
cd "$root"
# the build backend is not a dependency uv reads from pyproject.toml: it is handed over as a
# requirements file of its own, named for where it comes from
build_requires=".tools/uv/build-system.requires.in"
python3 -c 'import tomllib, sys; print("\n".join(tomllib.load(sys.stdin.buffer)["build-system"]["requires"]))' \
  < pyproject.toml > "$build_requires"
"$tools/bin/uv" pip compile pyproject.toml "$build_requires" --extra test --generate-hashes \
  --python-version 3.11 --python-platform x86_64-manylinux_2_34 \
  --custom-compile-command "bash scripts/update-lock.sh" --quiet -o requirements.lock "$@"
echo "update-lock: requirements.lock written ($(grep -c '^[a-z0-9]' requirements.lock) packages)" >&2
