#!/usr/bin/env bash
# System packages for the browser tests and chart images: Debian's chromium + chromedriver and
# the Noto CJK fonts; Java and npm for the conformance tools (the Nu HTML Checker, axe-core,
# Lighthouse), which scripts/install-web-tools.sh then installs into .tools/. Skipped when
# present; needs root (CI runs as root). Safe to run again.
set -uo pipefail
trap 'bash "$(dirname "$0")/install-web-tools.sh"' EXIT
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v pngquant >/dev/null 2>&1 || need+=(pngquant)  # scripts/screenshots.py
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing ${need[*]}; install them with apt-get (browser tests will skip)" >&2
  exit 0
fi
echo "install-system-deps: installing ${need[*]}" >&2
apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
  || echo "install-system-deps: apt-get install failed; browser tests will skip" >&2
