#!/usr/bin/env bash
# Messages/s of a generated consumer (msx new service --kind consumer) beside a bare amqplib
# consumer with manual acks doing the same work (parse, contract check, ack, the same two log lines to /dev/null), each on
# its own queue of the local RabbitMQ, loaded side by side: both consumers run for the whole
# bench; per round one broker process (amqp-bench.mjs run) stops both (SIGSTOP), tops both queues
# up to a backlog, continues both at the same moment and measures for DURATION s, so CPU speed
# drifting on a shared machine hits both alike. Per round: each consumer's messages/s (taken and
# acked) and its CPU µs per message (utime+stime from /proc over the same window); at the end
# medians and the generated/bare ratios (median of per-round ratios) by messages/s and by
# messages per consumer CPU-second. Messages in the generated consumer's retry or dead-letter
# queues count as failed. Goal (issue 3): generated >= 80% of bare; with spans (issue 16): >= 80%
# exported, >= 85% with OTEL_SDK_DISABLED=true - the generated consumer is measured once per SPANS
# mode (common.sh), on the same queue.
# Knobs (env): ROUNDS (measured rounds, default 7, after one warm-up round), DURATION (s per
# round, default 3), COUNT (least backlog per queue and round, default 20000; grows with the
# measured rates), PREFETCH (default 10), AMQP_URL (default amqp://127.0.0.1:5672), PIN (default
# 0; 1: both consumers on CPU 0, the broker-side process on CPU 1, RabbitMQ left alone - another
# operating point, see throughput/common.sh), BARE_VS_BARE (1: a second bare consumer, on the
# generated one's queue, in its place, to see the method's own noise; sdk: the bare one with the OpenTelemetry SDK's spans alone, see throughput/common.sh), SPANS (default "exported
# disabled").
source "$(dirname "$0")/throughput/common.sh"
AMQP_URL=${AMQP_URL:-amqp://127.0.0.1:5672}
export COUNT=${COUNT:-20000}
PREFETCH=${PREFETCH:-10}
DIR=$(generate_service mailer --kind consumer --context engagement --subscribes order.placed)
SUFFIX=$(date +%s)-$$
SERVICE="bench-mailer-$SUFFIX"; EXCHANGE="bench-$SUFFIX.events"
# The generated consumer's queues are <AMQP_QUEUE_PREFIX>.<service>.<event> (the workspace's namespace under msx).
PREFIX="bench-$SUFFIX"
GEN_QUEUE="$PREFIX.$SERVICE.order.placed"; BARE_QUEUE="bench-bare-$SUFFIX"
RETRY_QUEUES=("$GEN_QUEUE".retry.{1000,2000,4000,8000}ms)
broker() { SERVICE_DIR="$DIR" AMQP_URL="$AMQP_URL" node "$HERE/amqp-bench.mjs" "$@"; }
delete_all() { broker delete "$GEN_QUEUE" "$GEN_QUEUE.dlq" "${RETRY_QUEUES[@]}" "$BARE_QUEUE" --exchange "$EXCHANGE" || true; }
trap 'delete_all; cleanup' EXIT

start_bg /dev/null "${SERVER_CPU[@]}" env SERVICE_DIR="$DIR" AMQP_URL="$AMQP_URL" QUEUE="$BARE_QUEUE" PREFETCH="$PREFETCH" node "$HERE/bare-consumer.mjs"; BARE_PID=$LAST_PID
start_sink

echo "== consumer throughput: node $(node --version), amqplib $(node -p "require('$DIR/node_modules/amqplib/package.json').version"), prefetch $PREFETCH, both consumers at the same moments, warm-up + $ROUNDS rounds of $DURATION s, backlog >= $COUNT per queue, $(placement)"
self_check consumer
load_average
for MODE in $SPANS; do
  if [ "$BARE_VS_BARE" != 0 ]; then
    start_bg /dev/null "${SERVER_CPU[@]}" env $(bare_sdk_env 512) SERVICE_DIR="$DIR" AMQP_URL="$AMQP_URL" QUEUE="$GEN_QUEUE" PREFETCH="$PREFETCH" node "$HERE/bare-consumer.mjs"; GEN_PID=$LAST_PID
  else
    start_server "http_ok http://127.0.0.1:{PORT}/health/ready" "${SERVER_CPU[@]}" env SERVICE_NAME="$SERVICE" AMQP_URL="$AMQP_URL" AMQP_EXCHANGE="$EXCHANGE" AMQP_QUEUE_PREFIX="$PREFIX" PREFETCH="$PREFETCH" "$(span_env "$MODE")" node "$DIR/dist/main.js"; GEN_PID=$LAST_PID
    echo "== spans $MODE (goal: generated >= $([ "$MODE" = exported ] && echo 80 || echo 85)% of bare per CPU-second)"
  fi
  GOAL=$([ "$MODE" = exported ] && echo 80 || echo 85)
  OPS_FILE="$(ops_file "$MODE")" GEN_PID=$GEN_PID BARE_PID=$BARE_PID GOAL=$GOAL SERVICE_DIR="$DIR" AMQP_URL="$AMQP_URL" "${LOAD_CPU[@]}" node "$HERE/amqp-bench.mjs" run "order.placed" "$GEN_QUEUE" "$BARE_QUEUE" --watch "$GEN_QUEUE.dlq" "${RETRY_QUEUES[@]}"
  stop_generated
done
sink_summary
load_average end
