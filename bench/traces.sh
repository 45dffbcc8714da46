#!/usr/bin/env bash
# `msx traces --slowest --json` over TRACES stored traces (default 100,000;
# 3 spans each, written through msx's own span store writer) beside
# `grep -c traceId` over the same files (a pass over every byte, no parsing),
# warm page cache, median of RUNS. Also msx's start-up alone (no spans), its
# peak RSS, and `msx logs --trace-id` of the slowest trace (one trace's spans).
# Goal (issue 16): msx traces --slowest < 300 ms over 100,000 traces.
# Usage: bench/traces.sh        TRACES=200000 RUNS=7 bench/traces.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f oclif.manifest.json ] && [ -d dist ] || npm run build >/dev/null
TRACES=${TRACES:-100000}
RUNS=${RUNS:-5}
MSX="$PWD/bin/run.js"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
WS="$TMP/ws"

echo "writing $TRACES traces in $WS ..."
INFO=$(node bench/gen-spans.mjs "$WS" "$TRACES")
SLOWEST=$(node -e 'console.log(JSON.parse(process.argv[1]).slowest.traceId)' "$INFO")
mkdir -p "$TMP/empty" && cp "$WS/msx.yaml" "$TMP/empty/"
FILES=("$WS"/.msx/spans/*)
cat "${FILES[@]}" >/dev/null

median_ms() {
  "$@" >"$TMP/out" 2>/dev/null || true
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0=$EPOCHREALTIME
    "$@" >"$TMP/out" 2>/dev/null || true
    local t1=$EPOCHREALTIME
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

peak_rss_mb() {
  local hook='data:text/javascript,process.on("exit",()=>process.getBuiltinModule("node:fs").writeFileSync(process.env.RSS_FILE,String(process.resourceUsage().maxRSS)))'
  RSS_FILE="$TMP/rss" "$1" --import "$hook" "${@:2}" >/dev/null 2>&1 || true
  awk '{ printf "%.0f", $1 / 1024 }' "$TMP/rss"
}

GREP_MS=$(median_ms grep -c traceId "$WS"/.msx/spans/*.ndjson)
MSX_MS=$(cd "$WS" && median_ms node "$MSX" traces --slowest --json)
FIRST=$(node -e 'const t = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).traces[0]; console.log(t.traceId)' "$TMP/out")
[ "$FIRST" = "$SLOWEST" ] || { echo "msx traces --slowest gave $FIRST, expected $SLOWEST" >&2; exit 1; }
RECENT_MS=$(cd "$WS" && median_ms node "$MSX" traces --json)
FIXED_MS=$(cd "$TMP/empty" && median_ms node "$MSX" traces --slowest --json)
RSS_MB=$(cd "$WS" && peak_rss_mb node "$MSX" traces --slowest --json)
LOGS_MS=$(cd "$WS" && median_ms node "$MSX" logs --trace-id "$SLOWEST" --json)

awk -v n="$TRACES" -v info="$INFO" -v g="$GREP_MS" -v m="$MSX_MS" -v r="$RECENT_MS" -v f="$FIXED_MS" -v rss="$RSS_MB" -v l="$LOGS_MS" -v runs="$RUNS" 'BEGIN {
  match(info, /"bytes":[0-9]+/); bytes = substr(info, RSTART + 8, RLENGTH - 8)
  match(info, /"writeMs":[0-9]+/); w = substr(info, RSTART + 10, RLENGTH - 10)
  printf "spans: %d traces (%d spans), %.0f MB; made and written through the store writer in %d ms\n", n, n * 3, bytes / 1e6, w
  printf "grep -c traceId (every span line)          median %5d ms\n", g
  printf "msx traces --slowest --json                median %5d ms   (goal < 300 ms)  %.2fx grep\n", m, m / g
  printf "msx traces --json (latest first)           median %5d ms\n", r
  printf "  start-up alone (no spans stored)                %5d ms;  reading + summing %d ms\n", f, m - f
  printf "msx traces peak RSS                               %5d MB\n", rss
  printf "msx logs --trace-id <slowest> --json       median %5d ms   (%d runs each)\n", l, runs
}'
