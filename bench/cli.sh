#!/usr/bin/env bash
# Median wall time of msx's start-up paths beside a bare `node -e 0`.
# Goal (issue 2): `msx --help` within 2.5x of `node -e 0`; `msx new service` under 400 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f oclif.manifest.json ] && [ -d dist ] || npm run build >/dev/null
RUNS=${RUNS:-15}
MSX="$PWD/bin/run.js"
T="node $PWD/bench/time-command.mjs $RUNS"
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
node "$MSX" init "$WS/shop" --name shop >/dev/null

$T "node -e 0" -- node -e 0
$T "msx --help" -- node "$MSX" --help
$T "msx --version" -- node "$MSX" --version
(cd "$WS/shop" && $T "msx new service --dry-run" -- node "$MSX" new service orders --kind rest --context ordering --dry-run)
# A real write each run: a new name per run so none is refused as a duplicate.
(cd "$WS/shop" && $T "msx new service (writes files)" -- bash -c "cd $WS/shop && node $MSX new service svc\$RANDOM\$RANDOM --kind rest --context bench >/dev/null")
