#!/usr/bin/env bash
# `msx logs --trace-id X --json` beside `grep -F X` over the same generated logs
# (LINES lines, default 1,000,000 ≈ 350 MB, five services, written through the
# local runtime's own log writer, so with its trace index), same run, warm page
# cache, median of RUNS. Prints both times, the ratio, msx's fixed start-up cost
# (the same command on a workspace with no logs), msx's peak RSS, the time the
# writer took (indexing included), and msx without the index (a full scan, as
# for logs written before the index existed).
# Goal (issue 6): msx no slower than 1.5x grep; RSS under 150 MB whatever the size.
# Usage: bench/logs.sh        LINES=5000000 RUNS=7 bench/logs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f oclif.manifest.json ] && [ -d dist ] || npm run build >/dev/null
LINES=${LINES:-1000000}
RUNS=${RUNS:-5}
MSX="$PWD/bin/run.js"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
WS="$TMP/ws"

echo "generating $LINES log lines in $WS ..."
INFO=$(node bench/gen-logs.mjs "$WS" "$LINES")
ID=$(node -e 'const i = JSON.parse(process.argv[1]); console.log(i.traceIds[1])' "$INFO")
EXPECTED=$(node -e 'const i = JSON.parse(process.argv[1]); console.log(i.expected[i.traceIds[1]])' "$INFO")
BYTES=$(node -e 'console.log(JSON.parse(process.argv[1]).bytes)' "$INFO")
WRITE_MS=$(node -e 'console.log(JSON.parse(process.argv[1]).writeMs)' "$INFO")
FILES=("$WS"/.msx/logs/*.ndjson)
mkdir -p "$TMP/empty" && cp "$WS/msx.yaml" "$TMP/empty/"
cat "${FILES[@]}" >/dev/null # warm the page cache, so both read from memory

# median wall ms of RUNS runs of "$@" (after one warm-up), output to a file:
# GNU grep stops at the first match when its output is /dev/null.
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

# peak RSS in MB: GNU time when installed, else getrusage from inside node at exit
peak_rss_mb() {
  if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
    /usr/bin/time -o "$TMP/rss" -f %M "$@" >/dev/null 2>&1 || true
    awk '{ printf "%.0f", $1 / 1024 }' "$TMP/rss"
  else
    local hook='data:text/javascript,process.on("exit",()=>process.getBuiltinModule("node:fs").writeFileSync(process.env.RSS_FILE,String(process.resourceUsage().maxRSS)))'
    RSS_FILE="$TMP/rss" "$1" --import "$hook" "${@:2}" >/dev/null 2>&1 || true
    awk '{ printf "%.0f", $1 / 1024 }' "$TMP/rss"
  fi
}

GREP_MS=$(median_ms grep -F "$ID" "${FILES[@]}")
GREP_LINES=$(wc -l <"$TMP/out")
MSX_MS=$(cd "$WS" && median_ms node "$MSX" logs --trace-id "$ID" --json)
MSX_LINES=$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).lines.length)' "$TMP/out")
FIXED_MS=$(cd "$TMP/empty" && median_ms node "$MSX" logs --trace-id "$ID" --json)
RSS_MB=$(cd "$WS" && peak_rss_mb node "$MSX" logs --trace-id "$ID" --json)
mkdir "$TMP/index" && mv "$WS"/.msx/logs/*.tidx "$TMP/index/"
SCAN_MS=$(cd "$WS" && median_ms node "$MSX" logs --trace-id "$ID" --json)
SCAN_LINES=$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).lines.length)' "$TMP/out")
SCAN_RSS_MB=$(cd "$WS" && peak_rss_mb node "$MSX" logs --trace-id "$ID" --json)

awk -v l="$LINES" -v b="$BYTES" -v g="$GREP_MS" -v m="$MSX_MS" -v f="$FIXED_MS" -v r="$RSS_MB" -v gl="$GREP_LINES" -v ml="$MSX_LINES" -v e="$EXPECTED" -v n="$RUNS" \
  -v s="$SCAN_MS" -v sl="$SCAN_LINES" -v sr="$SCAN_RSS_MB" -v w="$WRITE_MS" 'BEGIN {
  printf "logs: %d lines, %.0f MB in 5 files; trace %s lines expected, grep found %d, msx %d (without index %d)\n", l, b / 1e6, e, gl, ml, sl
  printf "grep -F ID                     median %6d ms\n", g
  printf "msx logs --trace-id ID --json  median %6d ms   ratio %.2fx grep   (goal <= 1.5x)\n", m, m / g
  printf "  of which start-up (no logs)         %6d ms;  searching %d ms\n", f, m - f
  printf "msx peak RSS                          %6d MB   (goal < 150 MB)   (%d runs each)\n", r, n
  printf "without the trace index (full scan)   %6d ms   ratio %.2fx grep;  peak RSS %d MB\n", s, s / g, sr
  printf "log writer, 1M lines (parse + write + index)  %d ms = %.1f us/line\n", w, w * 1000 / l
}'
node bench/trace-index-write.mjs
