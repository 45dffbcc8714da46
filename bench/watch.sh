#!/usr/bin/env bash
# Edit → first 200 of the new code: msx up --watch beside a bare restart and tsx watch, medians of ≥ 15 edits (bench/watch.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] && [ -f oclif.manifest.json ] || npm run build >/dev/null
node bench/watch.mjs "${1:-15}" "${2:-1500}"
