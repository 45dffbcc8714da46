#!/usr/bin/env bash
# Requests/s of a generated REST service (msx new service --kind rest) beside bare fastify doing
# the same work (a POST and a GET route, schema validation of request and answer, an in-memory
# store, pino lines to /dev/null), both on 127.0.0.1, in the same run, alternating rounds.
# Goal (issue 3): generated >= 85% of bare. Knobs: DURATION (s per round), ROUNDS, CONNECTIONS.
source "$(dirname "$0")/throughput/common.sh"
install_tools autocannon@9.0.0
DIR=$(generate_service orders --kind rest --context ordering)
GEN=$(free_port); BARE=$(free_port)
start_bg /dev/null env PORT=$GEN SERVICE_NAME=orders node "$DIR/dist/main.js"; GEN_PID=$LAST_PID
start_bg /dev/null env PORT=$BARE SERVICE_DIR="$DIR" node "$HERE/bare-fastify.mjs"; BARE_PID=$LAST_PID
wait_for http_ok "http://127.0.0.1:$GEN/health/ready"
wait_for http_up "http://127.0.0.1:$BARE/orders/00000000-0000-4000-8000-000000000000"
BODY='{"name":"bench order","description":"one of many"}'
seed() { node -e 'fetch(process.argv[1],{method:"POST",headers:{"content-type":"application/json"},body:process.argv[2]}).then(r=>r.json()).then(j=>console.log(j.id))' "$1" "$BODY"; }
GEN_ID=$(seed "http://127.0.0.1:$GEN/orders"); BARE_ID=$(seed "http://127.0.0.1:$BARE/orders")
load() { TOOLS_DIR="$TOOLS" node "$HERE/http-load.mjs" "$@"; }

echo "== REST throughput: node $(node --version), autocannon 9.0.0, ${CONNECTIONS:-20} connections, ${DURATION:-8} s x $ROUNDS rounds each"
load_average
DURATION=2 load POST "http://127.0.0.1:$GEN/orders" "$BODY" >/dev/null # warm-up
DURATION=2 load POST "http://127.0.0.1:$BARE/orders" "$BODY" >/dev/null
compare "POST /orders" 85 "$GEN_PID" "$BARE_PID" load POST "http://127.0.0.1:$GEN/orders" "$BODY" -- load POST "http://127.0.0.1:$BARE/orders" "$BODY"
compare "GET /orders/:id" 85 "$GEN_PID" "$BARE_PID" load GET "http://127.0.0.1:$GEN/orders/$GEN_ID" -- load GET "http://127.0.0.1:$BARE/orders/$BARE_ID"
