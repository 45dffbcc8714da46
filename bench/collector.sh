#!/usr/bin/env bash
# msx's OTLP collector ingest (spans/s, spans per server CPU-second, peak RSS)
# beside a bare node:http server that reads and discards the same bodies.
# See bench/collector.mjs.   Usage: bench/collector.sh    DURATION=10 CONCURRENCY=4 bench/collector.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] || npm run build >/dev/null
node bench/collector.mjs
