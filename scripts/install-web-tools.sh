#!/usr/bin/env bash
# The conformance and performance tools the tests and bench/ use, from npm into .tools/ (git-ignored):
#   vnu-jar     the Nu HTML Checker (vnu.jar; runs on the system Java) — tests/test_conformance.py
#   axe-core    accessibility rules injected into chromium by selenium — tests/test_conformance.py
#   lighthouse  mobile performance/accessibility/SEO audits with Debian chromium — bench/lighthouse.py
# Skipped when present; without npm it says so and the tests skip with that reason. Safe to run again.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
if [ -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ] && [ -f "$tools/node_modules/axe-core/axe.min.js" ] \
   && [ -x "$tools/node_modules/.bin/lighthouse" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-web-tools: npm not found; install nodejs and npm (conformance tests will skip)" >&2
  exit 0
fi
mkdir -p "$tools"
echo "install-web-tools: installing vnu-jar, axe-core and lighthouse into .tools/" >&2
# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the system's Java is used
npm install --prefix "$tools" --no-audit --no-fund --ignore-scripts --silent \
    "vnu-jar@^26.9.27" "axe-core@^4.14.1" "lighthouse@^12.8.2" >/dev/null \
  || echo "install-web-tools: npm install failed; conformance tests will skip" >&2
