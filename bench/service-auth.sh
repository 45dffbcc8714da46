#!/usr/bin/env bash
# What service-token verification costs a generated REST service (issue 15): the same generated
# orders service twice, loaded side by side (throughput/http-load.mjs, same moments, CPU per
# request from /proc): "generated" has auth on (SERVICE_AUTH_PUBLIC_KEY set, every request carries
# a token signed by the workspace key), "bare" is the same build with auth off. Both get the same
# authorization header. Then, in one process, the verifier alone: a first check (a signature
# verification by jose) vs a repeated one (the verified-token cache), µs per check.
# Knobs: ROUNDS (default 7), DURATION (s per round, default 3), CONNECTIONS (default 10), PIN.
source "$(dirname "$0")/throughput/common.sh"
install_tools autocannon@9.0.0
DIR=$(generate_service orders --kind rest --context ordering)
# The workspace key as msx up makes it, and a token for orders (1 h: outlives the run).
KEYS=$(node --input-type=module -e '
  const { ensureServiceKey, mintServiceToken } = await import(process.argv[1]);
  const keys = ensureServiceKey(process.argv[2], "shop");
  const token = await mintServiceToken(keys, { subject: "bench", audience: "orders", ttlSeconds: 3600 });
  console.log(JSON.stringify({ publicKey: keys.publicKey, privateKey: keys.privateKey, token }));' "$ROOT/dist/state/service-key.js" "$WORK/shop")
field() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$KEYS" "$1"; }
PUBLIC=$(field publicKey); PRIVATE=$(field privateKey); TOKEN=$(field token)
start_server "http_ok http://127.0.0.1:{PORT}/health/ready" "${SERVER_CPU[@]}" env SERVICE_NAME=orders SERVICE_AUTH_ISSUER=shop SERVICE_AUTH_PUBLIC_KEY="$PUBLIC" node "$DIR/dist/main.js"
ON=$SERVER_PORT; ON_PID=$LAST_PID
start_server "http_ok http://127.0.0.1:{PORT}/health/ready" "${SERVER_CPU[@]}" env SERVICE_NAME=orders node "$DIR/dist/main.js"
OFF=$SERVER_PORT; OFF_PID=$LAST_PID
BODY='{"name":"bench order","description":"one of many"}'
seed() { node -e 'fetch(process.argv[1],{method:"POST",headers:{"content-type":"application/json",authorization:process.argv[3]},body:process.argv[2]}).then(async(r)=>{const j=await r.json();if(r.status!==201||!j.id)throw new Error(`seed: ${r.status}`);console.log(j.id)})' "$1" "$BODY" "Bearer $TOKEN"; }
ON_ID=$(seed "http://127.0.0.1:$ON/orders"); OFF_ID=$(seed "http://127.0.0.1:$OFF/orders")
load() { TOOLS_DIR="$TOOLS" GEN_PID=$ON_PID BARE_PID=$OFF_PID GOAL=95 AUTHORIZATION="Bearer $TOKEN" "${LOAD_CPU[@]}" node "$HERE/http-load.mjs" "$@"; }

echo "== service auth on the generated REST service: node $(node --version), ${CONNECTIONS:-10} connections to each at the same moments, warm-up + $ROUNDS rounds of $DURATION s, $(placement)"
echo "== \"generated\" = auth on (token verified, then cached), \"bare\" = the same service with auth off"
load_average
load "GET /orders/:id" GET "http://127.0.0.1:$ON/orders/$ON_ID" "http://127.0.0.1:$OFF/orders/$OFF_ID"
load "POST /orders" POST "http://127.0.0.1:$ON/orders" "http://127.0.0.1:$OFF/orders" "$BODY"
load_average end

echo "== the verifier alone (one process, the service's own dist/platform/service-auth.js)"
node --input-type=module -e '
  const [dir, publicKey, privateKey] = process.argv.slice(1);
  const { createServiceAuth, createServiceTokens } = await import(`${dir}/dist/platform/service-auth.js`);
  const { createLogger } = await import(`${dir}/dist/platform/logger.js`);
  const logger = createLogger({ service: "bench", level: "silent" });
  const config = (name) => ({ SERVICE_NAME: name, SERVICE_AUTH_PUBLIC_KEY: publicKey, SERVICE_TOKEN_KEY: privateKey, SERVICE_AUTH_ISSUER: "shop", SERVICE_TOKEN_TTL_S: 300 });
  const auth = await createServiceAuth(config("orders"), logger);
  const N = 2000;
  // N distinct tokens (distinct callers), each checked once: every check verifies a signature.
  const headers = [];
  for (let i = 0; i < N; i++) headers.push(`Bearer ${await (await createServiceTokens(config(`caller-${i}`), logger)).tokenFor("orders")}`);
  let t = performance.now();
  for (const h of headers) if (!(await auth.check(h)).ok) throw new Error("refused");
  const first = ((performance.now() - t) * 1000) / N;
  // The last 500 checked are still in the cache (it keeps 1000).
  const recent = headers.slice(-500);
  t = performance.now();
  for (let r = 0; r < 50; r++) for (const h of recent) if (!(await auth.check(h)).ok) throw new Error("refused");
  const cached = ((performance.now() - t) * 1000) / (50 * 500);
  console.log(`  first check of a token (jose EdDSA verify): ${first.toFixed(1)} µs; repeated check (cache): ${cached.toFixed(2)} µs`);
' "$DIR" "$PUBLIC" "$PRIVATE"
