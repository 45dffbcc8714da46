#!/usr/bin/env bash
# Requests/s of a generated REST service (msx new service --kind rest) beside bare fastify doing
# the same work (a POST and a GET route, schema validation of request and answer, an in-memory
# store, pino lines to /dev/null), both on 127.0.0.1, loaded side by side: one load process
# (two autocannon instances started together, CONNECTIONS connections to each server) drives
# both servers at the same moments, so CPU speed drifting on a shared machine hits both alike.
# Per round: each server's requests/s and its CPU µs per request (utime+stime from /proc over the
# same window); at the end medians and the generated/bare ratios (median of per-round ratios)
# by requests/s and by requests per server CPU-second. GET reads an order seeded beforehand.
# Goal (issue 3): generated >= 85% of bare; with spans (issue 16): >= 80% exported, >= 85% with
# OTEL_SDK_DISABLED=true - the generated service is measured once per SPANS mode (common.sh).
# Knobs (env): ROUNDS (measured rounds, default 7, after one warm-up round), DURATION (s per
# round, default 3), CONNECTIONS (per server, default 10), PIN (default 0; 1: both servers on
# CPU 0, the load on CPU 1 - another operating point, see throughput/common.sh), BARE_VS_BARE
# (1: a second bare server in the generated one's place, to see the method's own noise; sdk: the bare one with the OpenTelemetry SDK's spans alone, see throughput/common.sh), SPANS
# (default "exported disabled").
source "$(dirname "$0")/throughput/common.sh"
install_tools autocannon@9.0.0
DIR=$(generate_service orders --kind rest --context ordering)
start_server "http_up http://127.0.0.1:{PORT}/orders/00000000-0000-4000-8000-000000000000" "${SERVER_CPU[@]}" env SERVICE_DIR="$DIR" node "$HERE/bare-fastify.mjs"
BARE=$SERVER_PORT; BARE_PID=$LAST_PID
BODY='{"name":"bench order","description":"one of many"}'
# seed URL: POSTs one order, prints its id (fails unless the answer is a 201 with an id).
seed() { node -e 'fetch(process.argv[1],{method:"POST",headers:{"content-type":"application/json"},body:process.argv[2]}).then(async(r)=>{const j=await r.json();if(r.status!==201||!j.id)throw new Error(`seed: ${r.status}`);console.log(j.id)})' "$1" "$BODY"; }
BARE_ID=$(seed "http://127.0.0.1:$BARE/orders")
wait_for http_ok "http://127.0.0.1:$BARE/orders/$BARE_ID"
start_sink
load() { TOOLS_DIR="$TOOLS" OPS_FILE="$(ops_file "$MODE")" GEN_PID=$GEN_PID BARE_PID=$BARE_PID GOAL=$GOAL "${LOAD_CPU[@]}" node "$HERE/http-load.mjs" "$@"; }

echo "== REST throughput: node $(node --version), autocannon 9.0.0, ${CONNECTIONS:-10} connections to each server at the same moments, warm-up + $ROUNDS rounds of $DURATION s, $(placement)"
self_check server
load_average
for MODE in $SPANS; do
  if [ "$BARE_VS_BARE" != 0 ]; then
    start_server "http_up http://127.0.0.1:{PORT}/orders/00000000-0000-4000-8000-000000000000" "${SERVER_CPU[@]}" env $(bare_sdk_env 128) SERVICE_DIR="$DIR" node "$HERE/bare-fastify.mjs"
  else
    start_server "http_ok http://127.0.0.1:{PORT}/health/ready" "${SERVER_CPU[@]}" env SERVICE_NAME=orders "$(span_env "$MODE")" node "$DIR/dist/main.js"
    echo "== spans $MODE (goal: generated >= $([ "$MODE" = exported ] && echo 80 || echo 85)% of bare per CPU-second)"
  fi
  GEN=$SERVER_PORT; GEN_PID=$LAST_PID
  GOAL=$([ "$MODE" = exported ] && echo 80 || echo 85)
  GEN_ID=$(seed "http://127.0.0.1:$GEN/orders")
  wait_for http_ok "http://127.0.0.1:$GEN/orders/$GEN_ID"
  load "POST /orders" POST "http://127.0.0.1:$GEN/orders" "http://127.0.0.1:$BARE/orders" "$BODY"
  load "GET /orders/:id" GET "http://127.0.0.1:$GEN/orders/$GEN_ID" "http://127.0.0.1:$BARE/orders/$BARE_ID"
  stop_generated
done
sink_summary
load_average end
