# Sourced by bench/*-throughput.sh: a temp workspace with one generated service, built,
# and a tools folder for the load generators. Everything is removed on exit.
# The measuring (side by side, per-round figures, medians, ratios) is in side-by-side.mjs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/throughput"
MSX="$ROOT/bin/run.js"
[ -f "$ROOT/dist/commands/new/service.js" ] || (cd "$ROOT" && npm run build >/dev/null)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  # SIGCONT after SIGTERM: a consumer the consumer bench left stopped (SIGSTOP) still gets to exit.
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && { kill "$pid"; kill -CONT "$pid"; } 2>/dev/null || true; done
  wait 2>/dev/null || true
  # The ports free_port claimed, given back to the test suite's claims (free-port.mjs).
  # (No .ports when the bench claimed none here: gateway-bench.mjs claims and gives back its own.)
  if [ -f "$WORK/.ports" ]; then while read -r port; do rm -f "${TMPDIR:-/tmp}/msx-test-ports/$port"; done < "$WORK/.ports"; fi
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

# free_port: a free 127.0.0.1 port, claimed where the test suite claims its ports (free-port.mjs),
# so neither this run nor a test running beside it is given it again.
free_port() {
  local port
  port=$(node "$HERE/free-port.mjs") || return 1
  echo "$port" >> "$WORK/.ports"
  echo "$port"
}

# wait_for CMD...: retries for up to 15 s.
wait_for() {
  for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "gave up waiting for: $*" >&2; return 1
}

# start_server PROBE CMD...: CMD started in the background (its output to /dev/null, as the measured
# servers' always was) with PORT set to a free port, then waits until PROBE answers, "{PORT}" in it
# replaced by the port (PROBE is split on spaces: a function and its words). When CMD exits before
# that - the port taken between free_port and its bind by something that does not claim ports, as
# a port-0 listener elsewhere on the machine - it is started again on another port, 3 tries in all.
# Sets SERVER_PORT and LAST_PID.
start_server() {
  local probe=$1; shift
  local attempt port pid words status
  for attempt in 1 2 3; do
    port=$(free_port)
    start_bg /dev/null env PORT="$port" "$@"; pid=$LAST_PID
    read -ra words <<< "${probe//\{PORT\}/$port}"
    for _ in $(seq 1 150); do
      if "${words[@]}" >/dev/null 2>&1; then SERVER_PORT=$port; return 0; fi
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then echo "gave up waiting for: ${words[*]} (the server, pid $pid, is still running)" >&2; return 1; fi
    status=0; wait "$pid" 2>/dev/null || status=$?
    echo "== the server on port $port exited (code $status) before ${words[*]} answered (try $attempt of 3): $*" >&2
  done
  return 1
}

# start_bg LOG CMD...: starts a process in the background, remembered for cleanup.
start_bg() {
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
}

# install_tools PACKAGE@VERSION...: a tools folder (TOOLS) with the load generators, outside any service.
install_tools() {
  TOOLS="$WORK/tools"
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && echo '{"private":true}' >package.json && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$@" >/dev/null)
}

http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }

# Knobs shared by the node side (side-by-side.mjs): one warm-up round, then ROUNDS rounds of
# DURATION seconds, the generated server and the bare one loaded at the same moments.
export ROUNDS=${ROUNDS:-7} DURATION=${DURATION:-3}
CLK_TCK=$(getconf CLK_TCK)
export CLK_TCK
# PIN=1: both servers share CPU 0 and the load process has CPU 1, so whatever else runs on the
# machine slows both servers alike. Steadier under heavy outside load, but another operating
# point: each server saturated on half a core handles requests in bigger batches, and the REST
# ratios came out much lower pinned (GET ~49% vs ~74% by CPU-second in back-to-back runs).
# Compare runs only at the same PIN. PIN=0 (default): placement left to the scheduler.
# Prefix a command with "${SERVER_CPU[@]}" or "${LOAD_CPU[@]}" to place it.
PIN=${PIN:-0}
# BARE_VS_BARE=1: a second bare server in the generated one's place, to see the method's own
# noise. BARE_VS_BARE=sdk: in its place the bare server with spans from the OpenTelemetry SDK
# alone (bare-otel.mjs: the generated kind's span, the same batch size, exporter and receiver):
# what the SDK costs without anything of msx, the floor under the generated exported-spans figure.
BARE_VS_BARE=${BARE_VS_BARE:-0}
case "$BARE_VS_BARE" in 0|1|sdk) ;; *) echo "BARE_VS_BARE: 0, 1 or sdk, not $BARE_VS_BARE" >&2; exit 2 ;; esac
# bare_sdk_env BATCH: the env of the bare server standing in for the generated one: with the SDK's
# spans (BATCH spans an export, as the generated kind sends) for BARE_VS_BARE=sdk.
bare_sdk_env() { if [ "$BARE_VS_BARE" = sdk ]; then echo "BARE_SPANS=1 OTEL_EXPORTER_OTLP_ENDPOINT=$SINK_URL OTEL_BSP_MAX_EXPORT_BATCH_SIZE=$1"; else echo "BARE_SPANS=0"; fi; }
# self_check WHAT: the line saying what stands in the generated one's place, if anything does.
self_check() {
  case "$BARE_VS_BARE" in
    1) echo "== self-check: \"generated\" below is a second bare $1" ;;
    sdk) echo "== SDK floor: \"generated\" below is the bare $1 with OpenTelemetry SDK spans alone (bare-otel.mjs), exported; its figure bounds what any service exporting the SDK's spans can reach" ;;
  esac
}
SERVER_CPU=(); LOAD_CPU=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then SERVER_CPU=(taskset -c 0); LOAD_CPU=(taskset -c 1); else PIN=0; fi
placement() { [ "$PIN" = 1 ] && echo "servers pinned to CPU 0, load to CPU 1" || echo "not pinned"; }

load_average() { echo "load average at ${1:-start}: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"; }
http_up() { node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$1"; }

# Spans (issue 16): SPANS lists the modes the generated service is measured in, one after the
# other against the same bare server: "exported" (OTLP/HTTP, protobuf by default, to msx's own
# collector - the one `msx up` runs, storing every span under a scratch workspace's .msx/spans;
# SINK=discard: otlp-sink.mjs, a receiver that throws them away) and "disabled"
# (OTEL_SDK_DISABLED=true). Default: both. The receiver's CPU is not the servers': it only
# competes for the cores, alike for both servers. SINK_CPU=N: the receiver pinned to CPU N
# (taskset), e.g. with PIN=1 and SINK_CPU=1 it shares the load's CPU, not the servers'.
# The collector counts the spans it takes; sink_summary sets them against the operations the
# generated service completed with spans exported (OPS_FILE), so spans its batch queue dropped
# (the receiver slower than the service) show, instead of making the exported figures look cheaper.
SPANS=${SPANS:-exported disabled}
# A bare server in the generated one's place is measured once, exporting (its own spans or none).
if [ "$BARE_VS_BARE" != 0 ]; then SPANS=exported; fi
SINK=${SINK:-collector}
SINK_URL=""
SINK_CPU_CMD=()
[ -n "${SINK_CPU:-}" ] && SINK_CPU_CMD=(taskset -c "$SINK_CPU")
OPS_FILE="$WORK/exported-operations"
# ops_file MODE: where side-by-side.mjs counts the generated side's operations (exported mode only).
ops_file() { [ "$1" = exported ] && [ "$BARE_VS_BARE" != 1 ] && echo "$OPS_FILE" || true; }
# start_sink: the receiver, when a mode exports (sets SINK_URL).
start_sink() {
  case " $SPANS " in *" exported "*) ;; *) return 0 ;; esac
  local port
  if [ "$SINK" = discard ]; then
    port=$(free_port)
    start_bg "$WORK/otlp-sink.log" "${SINK_CPU_CMD[@]}" env PORT="$port" node "$HERE/otlp-sink.mjs"; SINK_PID=$LAST_PID
  else
    mkdir -p "$WORK/collector-ws"
    start_bg "$WORK/otlp-sink.log" "${SINK_CPU_CMD[@]}" env COUNT=1 node "$ROOT/bench/collector-server.mjs" collector "$WORK/collector-ws"; SINK_PID=$LAST_PID
    wait_for grep -q '^[0-9]' "$WORK/otlp-sink.log"
    port=$(head -1 "$WORK/otlp-sink.log")
  fi
  SINK_URL="http://127.0.0.1:$port"
  wait_for http_up "$SINK_URL/"
}
# span_env MODE: the env assignment that puts the generated service in MODE.
span_env() {
  case "$1" in
    exported) echo "OTEL_EXPORTER_OTLP_ENDPOINT=$SINK_URL" ;;
    disabled) echo "OTEL_SDK_DISABLED=true" ;;
    *) echo "SPANS: unknown mode $1 (exported, disabled)" >&2; return 1 ;;
  esac
}
# stop_generated: stops the generated service between modes.
stop_generated() { kill "$GEN_PID" 2>/dev/null || true; kill -CONT "$GEN_PID" 2>/dev/null || true; wait "$GEN_PID" 2>/dev/null || true; }
# sink_summary: stops the receiver and prints what it took.
sink_summary() {
  [ -z "$SINK_URL" ] && return 0
  kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true
  if [ "$SINK" = discard ]; then cat "$WORK/otlp-sink.log"
  else
    echo "msx collector: $(du -sh "$WORK/collector-ws/.msx/spans" 2>/dev/null | cut -f1) of spans stored under .msx/spans"
    local spans ops
    spans=$(sed -n 's/^collector: \([0-9]*\) spans.*/\1/p' "$WORK/otlp-sink.log")
    ops=$(awk '{ n += $1 } END { print n + 0 }' "$OPS_FILE" 2>/dev/null || echo 0)
    if [ -n "$spans" ] && [ "$ops" -gt 0 ]; then
      if [ "$spans" -ge "$ops" ]; then echo "spans received: $spans for $ops operations counted with spans exported (no fewer: no sign of dropped spans)"
      else echo "spans received: $spans for $ops operations counted with spans exported: $((ops - spans)) or more DROPPED (the service's batch queue was full: the exported figures above are too cheap)"; fi
    fi
  fi
}
