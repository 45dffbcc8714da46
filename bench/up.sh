#!/usr/bin/env bash
# Time from `msx up --detach` to all-ready for 3 and for 10 generated REST
# services (dependencies already installed), and the supervisor's memory.
# Goal (issue 4): 10 services ready in under 5 s on a 2-core machine; supervisor under 80 MB RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] && [ -f oclif.manifest.json ] || npm run build >/dev/null
MSX="node $PWD/bin/run.js"
WORK=$(mktemp -d)
cleanup() { for ws in "$WORK"/*/; do (cd "$ws" && $MSX down >/dev/null 2>&1 || true); done; rm -rf "$WORK"; }
trap cleanup EXIT

make_workspace() { # name count
  local ws="$WORK/$1"
  $MSX init "$ws" --name "$1" >/dev/null
  for i in $(seq 1 "$2"); do
    (cd "$ws" && $MSX new service "svc$i" --kind rest --context bench --port $((42000 + i)) >/dev/null)
  done
  # Install once, copy to the others: the same dependencies, and no network in the timing.
  (cd "$ws/contexts/bench/svc1" && npm install --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
  for i in $(seq 2 "$2"); do cp -r "$ws/contexts/bench/svc1/node_modules" "$ws/contexts/bench/svc$i/"; done
  echo "$ws"
}

measure() { # count
  local ws; ws=$(make_workspace "bench$1" "$1")
  # One warm-up run: tsx's transform cache and the OS file cache are what a developer has after the first up.
  (cd "$ws" && $MSX up --detach >/dev/null 2>&1 && $MSX down >/dev/null)
  local start end pid rss
  start=$(date +%s%N)
  (cd "$ws" && $MSX up --detach >/dev/null 2>&1)
  end=$(date +%s%N)
  pid=$(node -e "console.log(require('$ws/.msx/local-state.json').supervisorPid)")
  rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status")
  printf '%-28s %6d ms   supervisor RSS %3d MB\n' "$1 services: up --detach → ready" $(((end - start) / 1000000)) "$rss"
  (cd "$ws" && $MSX down >/dev/null)
}

measure 3
measure 10
