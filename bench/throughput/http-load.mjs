// Load on one URL with autocannon (bounded: DURATION seconds).
// Usage: TOOLS_DIR=... node http-load.mjs METHOD URL [BODY]  → prints "<mean req/s> <requests done>"
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.TOOLS_DIR, "package.json"));
const autocannon = require("autocannon");
const [method, url, body] = process.argv.slice(2);
const result = await autocannon({
  url,
  method,
  body,
  headers: body ? { "content-type": "application/json" } : {},
  connections: Number(process.env.CONNECTIONS ?? 20),
  duration: Number(process.env.DURATION ?? 8),
});
const bad = result.non2xx + result.errors + result.timeouts;
if (bad > 0) console.error(`  warning: ${bad} failed requests`);
console.log(`${Math.round(result.requests.average)} ${result.requests.total}`);
