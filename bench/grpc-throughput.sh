#!/usr/bin/env bash
# Unary calls/s of a generated gRPC service (msx new service --kind grpc) beside a bare grpc-js
# server doing the same work (CreateStock / GetStock on the same proto, an in-memory store, pino
# lines to /dev/null), loaded by one grpc-js client on 127.0.0.1, in the same run, alternating.
# Goal (issue 3): generated >= 85% of bare. Knobs: DURATION (s per round), ROUNDS, CONCURRENCY.
source "$(dirname "$0")/throughput/common.sh"
DIR=$(generate_service stock --kind grpc --context warehouse)
GEN=$(free_port); BARE=$(free_port)
start_bg /dev/null env PORT=$GEN SERVICE_NAME=stock node "$DIR/dist/main.js"; GEN_PID=$LAST_PID
start_bg /dev/null env PORT=$BARE SERVICE_DIR="$DIR" node "$HERE/bare-grpc.mjs"; BARE_PID=$LAST_PID
load() { SERVICE_DIR="$DIR" node "$HERE/grpc-load.mjs" "$@"; }
wait_for env DURATION=0.2 SERVICE_DIR="$DIR" node "$HERE/grpc-load.mjs" "127.0.0.1:$GEN" CreateStock '{"name":"warm"}'
wait_for env DURATION=0.2 SERVICE_DIR="$DIR" node "$HERE/grpc-load.mjs" "127.0.0.1:$BARE" CreateStock '{"name":"warm"}'
seed() { SERVICE_DIR="$DIR" node -e '
  const { createRequire } = require("node:module"); const r = createRequire(process.env.SERVICE_DIR + "/package.json");
  const grpc = r("@grpc/grpc-js"); const def = r("@grpc/proto-loader").loadSync(process.env.SERVICE_DIR + "/proto/stock.proto", { defaults: true });
  const c = new (grpc.loadPackageDefinition(def).stock.v1.StockService)(process.argv[1], grpc.credentials.createInsecure());
  c.CreateStock({ name: "seed" }, (e, s) => { if (e) throw e; console.log(s.id); c.close(); });' "$1"; }
GEN_ID=$(seed "127.0.0.1:$GEN"); BARE_ID=$(seed "127.0.0.1:$BARE")

echo "== gRPC throughput: node $(node --version), @grpc/grpc-js 1.14.7, ${CONCURRENCY:-20} calls in flight, ${DURATION:-8} s x $ROUNDS rounds each"
load_average
DURATION=2 load "127.0.0.1:$GEN" CreateStock '{"name":"warm"}' >/dev/null
DURATION=2 load "127.0.0.1:$BARE" CreateStock '{"name":"warm"}' >/dev/null
BODY='{"name":"bench item","description":"one of many"}'
compare "CreateStock" 85 "$GEN_PID" "$BARE_PID" load "127.0.0.1:$GEN" CreateStock "$BODY" -- load "127.0.0.1:$BARE" CreateStock "$BODY"
compare "GetStock" 85 "$GEN_PID" "$BARE_PID" load "127.0.0.1:$GEN" GetStock "{\"id\":\"$GEN_ID\"}" -- load "127.0.0.1:$BARE" GetStock "{\"id\":\"$BARE_ID\"}"
