#!/usr/bin/env bash
# What a span costs, in instructions: a generated REST service (GET /orders/:id), a generated
# gRPC service (GetStock) and a generated consumer (one order.placed message), each with spans
# exported (OTLP/HTTP protobuf, to a receiver that discards them) and with OTEL_SDK_DISABLED=true,
# beside bare fastify / grpc-js / amqplib doing the same work (bench/throughput/bare-*.mjs), and
# the same bare server with the OpenTelemetry SDK's span alone (BARE_SPANS=1, bare-otel.mjs), every
# one run under valgrind's callgrind, which counts the user-space instructions of the whole
# process (its GC and compiler threads too): about the same count for the same code whatever else
# the shared machine is doing (runs in one session agree within ~3%; on another machine the same
# commit's REST span counted 81k, not 38k, so compare only the targets of one run). The kernel's
# part (socket reads and writes) is not counted, so the ratios here are of the process's own
# work, not of CPU seconds: the throughput benches (rest-, grpc-, consumer-throughput.sh) stay
# the measure of the goals.
# Per target: WARM operations (default 3000; the JIT settles), the counters zeroed, then N
# (default 5000) operations, CONCURRENCY (default 10) in flight (the consumer: prefetch 10); the
# figure is instructions per operation.
# Knobs (env): WARM, N, CONCURRENCY, KINDS (default "rest grpc consumer"; consumer needs the
# local RabbitMQ, AMQP_URL), CALLGRIND_DIR (keep the callgrind files there, for callgrind_annotate;
# default: removed with the run). Takes ~2 min per target.
source "$(dirname "$0")/throughput/common.sh"
command -v valgrind >/dev/null || { echo "span-cost.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
KINDS=${KINDS:-rest grpc consumer}
SPANS=exported; SINK=discard; start_sink
echo "== span cost: node $(node --version), $(valgrind --version), ${WARM:-3000} operations to warm up, then ${N:-5000} counted, ${CONCURRENCY:-10} in flight; load average $(cut -d' ' -f1-3 /proc/loadavg)"
export OUT_DIR="${CALLGRIND_DIR:-$WORK}"
mkdir -p "$OUT_DIR"
for KIND in $KINDS; do
  case "$KIND" in
    rest)
      DIR=$(generate_service orders --kind rest --context ordering)
      BARE_SCRIPT="$HERE/bare-fastify.mjs"; READY='"ready": "/health/ready",'; OP="GET /orders/:id" ;;
    grpc)
      DIR=$(generate_service stock --kind grpc --context warehouse)
      BARE_SCRIPT="$HERE/bare-grpc.mjs"; READY=''; OP="GetStock" ;;
    consumer)
      DIR=$(generate_service mailer --kind consumer --context engagement --subscribes order.placed)
      OP="one order.placed message" ;;
    *) echo "KINDS: unknown kind $KIND (rest, grpc, consumer)" >&2; exit 1 ;;
  esac
  P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port)
  if [ "$KIND" = consumer ]; then
    # Each consumer its own queue: <prefix>.<service>.<event> for the generated one (one prefix per
    # mode, so no queue outlives its consumer's run), removed with the exchange at the end.
    SUFFIX=$(date +%s)-$$; EXCHANGE="bench-$SUFFIX.events"; BARE_QUEUE="bench-bare-$SUFFIX"; Q_SDK="bench-bare-sdk-$SUFFIX"
    Q_OFF="bench-off-$SUFFIX.span-cost.order.placed"; Q_ON="bench-on-$SUFFIX.span-cost.order.placed"
    CLEANUP_QUEUES=("$BARE_QUEUE" "$Q_SDK")
    for Q in "$Q_OFF" "$Q_ON"; do CLEANUP_QUEUES+=("$Q" "$Q.dlq" "$Q".retry.{1000,2000,4000,8000}ms); done
    trap 'SERVICE_DIR="$DIR" node "$HERE/amqp-bench.mjs" delete "${CLEANUP_QUEUES[@]}" --exchange "$EXCHANGE" >/dev/null 2>&1 || true; cleanup' EXIT
    AMQP='"AMQP_URL": "'"${AMQP_URL:-amqp://127.0.0.1:5672}"'", "AMQP_EXCHANGE": "'"$EXCHANGE"'", "PREFETCH": "10"'
    TARGETS=$(cat <<JSON
[
  { "label": "bare", "cwd": "$DIR", "args": ["$HERE/bare-consumer.mjs"], "env": { "SERVICE_DIR": "$DIR", "QUEUE": "$BARE_QUEUE", $AMQP }, "queue": "$BARE_QUEUE" },
  { "label": "bare, SDK spans exported", "cwd": "$DIR", "args": ["$HERE/bare-consumer.mjs"], "env": { "SERVICE_DIR": "$DIR", "QUEUE": "$Q_SDK", "BARE_SPANS": "1", "OTEL_EXPORTER_OTLP_ENDPOINT": "$SINK_URL", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "512", $AMQP }, "queue": "$Q_SDK" },
  { "label": "generated, spans disabled", "cwd": "$DIR", "args": ["dist/main.js"], "env": { "PORT": "$P2", "SERVICE_NAME": "span-cost", "AMQP_QUEUE_PREFIX": "bench-off-$SUFFIX", "OTEL_SDK_DISABLED": "true", $AMQP }, "ready": "/health/ready", "port": $P2, "queue": "$Q_OFF" },
  { "label": "generated, spans exported", "cwd": "$DIR", "args": ["dist/main.js"], "env": { "PORT": "$P3", "SERVICE_NAME": "span-cost", "AMQP_QUEUE_PREFIX": "bench-on-$SUFFIX", "OTEL_EXPORTER_OTLP_ENDPOINT": "$SINK_URL", $AMQP }, "ready": "/health/ready", "port": $P3, "queue": "$Q_ON" }
]
JSON
)
  else
  TARGETS=$(cat <<JSON
[
  { "label": "bare", "cwd": "$DIR", "args": ["$BARE_SCRIPT"], "env": { "PORT": "$P1", "SERVICE_DIR": "$DIR" }, "port": $P1 },
  { "label": "bare, SDK spans exported", "cwd": "$DIR", "args": ["$BARE_SCRIPT"], "env": { "PORT": "$P4", "SERVICE_DIR": "$DIR", "BARE_SPANS": "1", "OTEL_EXPORTER_OTLP_ENDPOINT": "$SINK_URL", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "128" }, "port": $P4 },
  { "label": "generated, spans disabled", "cwd": "$DIR", "args": ["dist/main.js"], "env": { "PORT": "$P2", "SERVICE_NAME": "$KIND-bench", "OTEL_SDK_DISABLED": "true" }, $READY "port": $P2 },
  { "label": "generated, spans exported", "cwd": "$DIR", "args": ["dist/main.js"], "env": { "PORT": "$P3", "SERVICE_NAME": "$KIND-bench", "OTEL_EXPORTER_OTLP_ENDPOINT": "$SINK_URL" }, $READY "port": $P3 }
]
JSON
)
  fi
  echo "== $KIND: $OP"
  SERVICE_DIR="$DIR" node "$ROOT/bench/span-cost.mjs" "$KIND" "$TARGETS" | tee "$WORK/$KIND.out" | sed -u 's/^/  /'
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
    const of = (label) => Number(lines.find((l) => l.startsWith(label + ":")).match(/: (\d+)/)[1]);
    const bare = of("bare"), sdk = of("bare, SDK spans exported"), off = of("generated, spans disabled"), on = of("generated, spans exported");
    console.log(`  the span: ${on - off} instructions per operation (exported - disabled); the SDK'"'"'s span alone: ${sdk - bare} (bare with SDK spans - bare)`);
    console.log(`  bare / bare with SDK spans by instructions: ${(100 * bare / sdk).toFixed(1)}% (no service exporting the SDK'"'"'s spans does better)`);
    console.log(`  bare / generated by instructions: ${(100 * bare / off).toFixed(1)}% spans disabled, ${(100 * bare / on).toFixed(1)}% spans exported`);' "$WORK/$KIND.out"
done
sink_summary
