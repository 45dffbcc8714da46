#!/usr/bin/env bash
# Messages/s of a generated consumer (msx new service --kind consumer) beside a bare amqplib
# consumer with manual acks doing the same work (parse, one log line to /dev/null, ack), each
# draining COUNT messages put in its queue beforehand, on the local RabbitMQ, alternating rounds.
# Goal (issue 3): generated >= 80% of bare. Knobs: COUNT, ROUNDS, AMQP_URL, PREFETCH.
source "$(dirname "$0")/throughput/common.sh"
AMQP_URL=${AMQP_URL:-amqp://127.0.0.1:5672}
COUNT=${COUNT:-20000}
PREFETCH=${PREFETCH:-10}
DIR=$(generate_service mailer --kind consumer --context engagement --subscribes order.placed)
SUFFIX=$(date +%s)-$$
SERVICE="bench-mailer-$SUFFIX"; EXCHANGE="bench-$SUFFIX.events"
GEN_QUEUE="$SERVICE.order.placed"; BARE_QUEUE="bench-bare-$SUFFIX"
broker() { SERVICE_DIR="$DIR" AMQP_URL="$AMQP_URL" CLK_TCK=$CLK_TCK node "$HERE/amqp-bench.mjs" "$@"; }
delete_all() {
  broker delete "$GEN_QUEUE" "$GEN_QUEUE.dlq" "$GEN_QUEUE".retry.{1000,2000,4000,8000}ms "$BARE_QUEUE" --exchange "$EXCHANGE" || true
}
trap 'delete_all; cleanup' EXIT

# round NAME QUEUE CMD...: fill the queue, start the consumer, time the drain, stop it.
round() {
  local queue=$1; shift
  broker fill "$queue" "$COUNT"
  start_bg /dev/null "$@"
  broker drain "$queue" "$LAST_PID"
  stop_bg "$LAST_PID"
}
gen() { round "$GEN_QUEUE" env PORT="$(free_port)" SERVICE_NAME="$SERVICE" AMQP_URL="$AMQP_URL" AMQP_EXCHANGE="$EXCHANGE" PREFETCH="$PREFETCH" node "$DIR/dist/main.js"; }
bare() { round "$BARE_QUEUE" env SERVICE_DIR="$DIR" AMQP_URL="$AMQP_URL" QUEUE="$BARE_QUEUE" PREFETCH="$PREFETCH" node "$HERE/bare-consumer.mjs"; }

echo "== consumer throughput: node $(node --version), amqplib 2.3.1, $COUNT messages per round, prefetch $PREFETCH, $ROUNDS rounds each"
load_average
COUNT=2000 gen >/dev/null # warm-up: also declares the generated consumer's queues
gr=0; ge=0; br=0; be=0
for _ in $(seq 1 "$ROUNDS"); do
  read -r r e < <(gen); gr=$((gr + r)); ge=$((ge + e))
  read -r r e < <(bare); br=$((br + r)); be=$((be + e))
done
echo "drain $COUNT × order.placed"
echo "  rate:             generated $((gr / ROUNDS)) msgs/s, bare $((br / ROUNDS)) msgs/s"
ratio "$gr" "$br" 80
echo "  per server CPU-s: generated $((ge / ROUNDS)), bare $((be / ROUNDS))"
ratio "$ge" "$be" 80
