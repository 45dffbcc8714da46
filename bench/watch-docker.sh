#!/usr/bin/env bash
# Edit → first 200 of the new code on the docker runtime (sync into the container + restart) beside the
# local runtime and a bare restart in the same run, medians of ≥ 10 edits; then the docker rebuild for a
# source edit with the dependency layer cached (bench/watch-docker.mjs). Needs a Docker engine and the
# node:20-slim base image (bash scripts/setup-docker.sh). Usage: bench/watch-docker.sh [edits] [rebuilds] [think-ms]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] && [ -f oclif.manifest.json ] || npm run build >/dev/null
node bench/watch-docker.mjs "${1:-10}" "${2:-3}" "${3:-1500}"
