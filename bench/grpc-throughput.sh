#!/usr/bin/env bash
# Unary calls/s of a generated gRPC service (msx new service --kind grpc) beside a bare grpc-js
# server doing the same work (CreateStock / GetStock on the same proto, an in-memory store, pino
# lines to /dev/null), both on 127.0.0.1, loaded side by side: one load process (a grpc-js
# client per server, CONCURRENCY calls in flight on each, a deadline per call) drives both
# servers at the same moments, so CPU speed drifting on a shared machine hits both alike.
# Per round: each server's calls/s and its CPU µs per call (utime+stime from /proc over the same
# window); at the end medians and the generated/bare ratios (median of per-round ratios) by
# calls/s and by calls per server CPU-second. GetStock reads an item seeded beforehand.
# Goal (issue 3): generated >= 85% of bare; with spans (issue 16): >= 80% exported, >= 85% with
# OTEL_SDK_DISABLED=true - the generated service is measured once per SPANS mode (common.sh).
# Knobs (env): ROUNDS (measured rounds, default 7, after one warm-up round), DURATION (s per
# round, default 3), CONCURRENCY (calls in flight per server, default 10), DEADLINE_MS (per call,
# default 5000), PIN (default 0; 1: both servers on CPU 0, the load on CPU 1 - another operating
# point, see throughput/common.sh), BARE_VS_BARE (1: a second bare server in the generated one's
# place, to see the method's own noise; sdk: the bare one with the OpenTelemetry SDK's spans alone, see throughput/common.sh), SPANS (default "exported disabled").
source "$(dirname "$0")/throughput/common.sh"
DIR=$(generate_service stock --kind grpc --context warehouse)
# seed ADDRESS: CreateStock once, prints the id; then GetStock of that id must answer it.
seed() { SERVICE_DIR="$DIR" node -e '
  const { createRequire } = require("node:module"); const r = createRequire(process.env.SERVICE_DIR + "/package.json");
  const grpc = r("@grpc/grpc-js"); const def = r("@grpc/proto-loader").loadSync(process.env.SERVICE_DIR + "/proto/stock.proto", { defaults: true });
  const c = new (grpc.loadPackageDefinition(def).stock.v1.StockService)(process.argv[1], grpc.credentials.createInsecure());
  const deadline = () => ({ deadline: Date.now() + 2000 });
  c.CreateStock({ name: "seed" }, deadline(), (e, s) => { if (e) throw e;
    c.GetStock({ id: s.id }, deadline(), (e2, got) => { if (e2 || got.id !== s.id) throw e2 ?? new Error("GetStock: another item"); console.log(s.id); c.close(); }); });' "$1"; }
start_server "seed 127.0.0.1:{PORT}" "${SERVER_CPU[@]}" env SERVICE_DIR="$DIR" node "$HERE/bare-grpc.mjs"
BARE=$SERVER_PORT; BARE_PID=$LAST_PID
BARE_ID=$(seed "127.0.0.1:$BARE")
start_sink
load() { SERVICE_DIR="$DIR" OPS_FILE="$(ops_file "$MODE")" GEN_PID=$GEN_PID BARE_PID=$BARE_PID GOAL=$GOAL "${LOAD_CPU[@]}" node "$HERE/grpc-load.mjs" "$@"; }

echo "== gRPC throughput: node $(node --version), @grpc/grpc-js $(node -p "require('$DIR/node_modules/@grpc/grpc-js/package.json').version"), ${CONCURRENCY:-10} calls in flight on each server at the same moments, warm-up + $ROUNDS rounds of $DURATION s, $(placement)"
self_check server
load_average
BODY='{"name":"bench item","description":"one of many"}'
for MODE in $SPANS; do
  if [ "$BARE_VS_BARE" != 0 ]; then
    start_server "seed 127.0.0.1:{PORT}" "${SERVER_CPU[@]}" env $(bare_sdk_env 128) SERVICE_DIR="$DIR" node "$HERE/bare-grpc.mjs"
  else
    start_server "seed 127.0.0.1:{PORT}" "${SERVER_CPU[@]}" env SERVICE_NAME=stock "$(span_env "$MODE")" node "$DIR/dist/main.js"
    echo "== spans $MODE (goal: generated >= $([ "$MODE" = exported ] && echo 80 || echo 85)% of bare per CPU-second)"
  fi
  GEN=$SERVER_PORT; GEN_PID=$LAST_PID
  GOAL=$([ "$MODE" = exported ] && echo 80 || echo 85)
  GEN_ID=$(seed "127.0.0.1:$GEN")
  load "CreateStock" CreateStock "127.0.0.1:$GEN" "$BODY" "127.0.0.1:$BARE" "$BODY"
  load "GetStock" GetStock "127.0.0.1:$GEN" "{\"id\":\"$GEN_ID\"}" "127.0.0.1:$BARE" "{\"id\":\"$BARE_ID\"}"
  stop_generated
done
sink_summary
load_average end
