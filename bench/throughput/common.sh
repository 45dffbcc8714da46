# Sourced by bench/*-throughput.sh: a temp workspace with one generated service, built,
# and a tools folder for the load generators. Everything is removed on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/throughput"
MSX="$ROOT/bin/run.js"
[ -f "$ROOT/dist/commands/new/service.js" ] || (cd "$ROOT" && npm run build >/dev/null)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# generate_service NAME ARGS...: prints the service folder, installed and built.
generate_service() {
  local name=$1; shift
  (cd "$WORK" && [ -d shop ] || node "$MSX" init shop >/dev/null)
  (cd "$WORK/shop" && node "$MSX" new service "$name" "$@" >/dev/null)
  local dir
  dir=$(find "$WORK/shop/contexts" -mindepth 2 -maxdepth 2 -type d -name "$name")
  (cd "$dir" && npm install --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null && npm run build >/dev/null)
  echo "$dir"
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# wait_for CMD...: retries for up to 15 s.
wait_for() {
  for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "gave up waiting for: $*" >&2; return 1
}

# start_bg LOG CMD...: starts a process in the background, remembered for cleanup.
start_bg() {
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
}

stop_bg() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# ratio GENERATED BARE GOAL_PERCENT: prints the percentage and whether it meets the goal.
ratio() {
  node -e 'const [g,b,goal]=process.argv.slice(1).map(Number);const p=100*g/b;console.log(`  generated/bare: ${p.toFixed(1)}% (goal >= ${goal}%: ${p>=goal?"met":"NOT met"})`)' "$@"
}

# install_tools PACKAGE@VERSION...: a tools folder (TOOLS) with the load generators, outside any service.
install_tools() {
  TOOLS="$WORK/tools"
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && echo '{"private":true}' >package.json && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$@" >/dev/null)
}

http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }

ROUNDS=${ROUNDS:-4}
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure PID CMD...: CMD prints "<rate/s> <operations done>"; prints "<rate/s> <operations per CPU-second of PID>".
# Operations per CPU-second of the server is what it would reach with a core to itself: on a
# shared machine (other jobs, the load generator) it moves far less than the raw rate.
measure() {
  local pid=$1; shift
  local before after rate done
  before=$(cpu_ticks "$pid")
  read -r rate done < <("$@")
  after=$(cpu_ticks "$pid")
  echo "$rate $(( done * CLK_TCK / (after - before > 0 ? after - before : 1) ))"
}

# compare LABEL GOAL GEN_PID BARE_PID CMD_GEN -- CMD_BARE: ROUNDS alternating rounds, means, ratios.
# Rounds go generated-bare, bare-generated, ...: on a machine whose load drifts (other jobs
# starting or ending), neither side is always the one measured later.
compare() {
  local label=$1 goal=$2 gen_pid=$3 bare_pid=$4; shift 4
  local gen_cmd=() bare_cmd=()
  while [ "$1" != "--" ]; do gen_cmd+=("$1"); shift; done; shift
  bare_cmd=("$@")
  local gr=0 ge=0 br=0 be=0 r e round
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 0 ]; then
      read -r r e < <(measure "$bare_pid" "${bare_cmd[@]}"); br=$((br + r)); be=$((be + e))
    fi
    read -r r e < <(measure "$gen_pid" "${gen_cmd[@]}"); gr=$((gr + r)); ge=$((ge + e))
    if [ $((round % 2)) -eq 1 ]; then
      read -r r e < <(measure "$bare_pid" "${bare_cmd[@]}"); br=$((br + r)); be=$((be + e))
    fi
  done
  echo "$label"
  echo "  rate:             generated $((gr / ROUNDS))/s, bare $((br / ROUNDS))/s"
  ratio "$gr" "$br" "$goal"
  echo "  per server CPU-s: generated $((ge / ROUNDS)), bare $((be / ROUNDS))"
  ratio "$ge" "$be" "$goal"
}

load_average() { echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"; }
http_up() { node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$1"; }
