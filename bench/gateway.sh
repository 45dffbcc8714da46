#!/usr/bin/env bash
# Requests/s and p99 through the generated gateway (msx new gateway: JWT auth, rate limit,
# request id + trace, circuit breaker, access log all on) to a generated REST service, beside
# the same requests straight to the service and through a bare @fastify/http-proxy doing only
# the proxying; with spans exported also through that bare proxy with the OpenTelemetry SDK's
# server and client span a request alone (bare+sdk, the floor under the gateway's figure: what
# the SDK costs without the gateway). One run: ROUNDS rounds of the paths in turn, each saturated by one
# autocannon process (CONNECTIONS connections, DURATION s, after a warm-up), CPU of the proxy
# (or, straight, the service) process from /proc over the same window, medians reported; then
# ROUNDS more rounds of the paths at a fixed rate, half the gateway's saturation, for p99
# (the median per path, and the median of the per-round differences).
# Goal (issue 15): gateway >= 70% of the bare proxy's requests per proxy CPU-second; p99 added
# <= 2 ms at 50% of saturation.
# Knobs (env): DURATION (s per measurement, default 5), CONNECTIONS (default 10), ROUNDS (default 3),
# SPANS (exported: the gateway's spans go over OTLP/HTTP to a local receiver, the default; disabled),
# GW_ARGS (node options for the gateway process only, split on spaces: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
# to profile where the gateway spends its CPU; figures taken with it on are not the gateway's).
source "$(dirname "$0")/throughput/common.sh"
install_tools autocannon@9.0.0 @fastify/http-proxy@11.6.3 fastify@5.12.8
REST=$(generate_service orders --kind rest --context ordering)
(cd "$WORK/shop" && node "$MSX" new gateway edge --routes orders --public-key <(node -e '
  const { generateKeyPairSync } = require("node:crypto");
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  require("node:fs").writeFileSync(process.argv[1], privateKey.export({ type: "pkcs8", format: "pem" }));
  process.stdout.write(publicKey.export({ type: "spki", format: "pem" }));' "$WORK/private.pem") >/dev/null)
GATEWAY="$WORK/shop/contexts/edge/edge"
(cd "$GATEWAY" && npm install --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null && npm run build >/dev/null)
TOOLS_DIR="$TOOLS" WORK="$WORK" REST_DIR="$REST" GATEWAY_DIR="$GATEWAY" node "$HERE/../gateway-bench.mjs"
