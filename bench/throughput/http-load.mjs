// Loads the generated REST service and bare fastify at the same moments from this one process:
// one autocannon instance per server, started together, CONNECTIONS connections each, for
// DURATION s per round; one warm-up round, then ROUNDS rounds (see side-by-side.mjs).
// A request counts as done on a 2xx; non-2xx answers, errors and timeouts count as failed.
// Usage: TOOLS_DIR=<autocannon's folder> GEN_PID=... BARE_PID=... CLK_TCK=... [GOAL=85]
//   node http-load.mjs LABEL METHOD GEN_URL BARE_URL [JSON_BODY]
import { createRequire } from "node:module";
import { join } from "node:path";
import { DURATION, sideBySide, startWindow } from "./side-by-side.mjs";

const require = createRequire(join(process.env.TOOLS_DIR, "package.json"));
const autocannon = require("autocannon");
const [label, method, generatedUrl, bareUrl, body] = process.argv.slice(2);
const connections = Number(process.env.CONNECTIONS ?? 10);
// AUTHORIZATION (optional): sent to both servers, e.g. a service token (bench/service-auth.sh).
const headers = { ...(body ? { "content-type": "application/json" } : {}), ...(process.env.AUTHORIZATION ? { authorization: process.env.AUTHORIZATION } : {}) };
const load = (url) => autocannon({ url, method, body, headers, connections, duration: DURATION });
const outcome = (result) => ({ done: result["2xx"], failed: result.non2xx + result.errors }); // errors include timeouts

await sideBySide({
  label,
  unit: "req",
  goal: Number(process.env.GOAL ?? 85),
  round: async () => {
    const window = startWindow();
    const [generated, bare] = await Promise.all([load(generatedUrl), load(bareUrl)]);
    return { ...window.end(), generated: outcome(generated), bare: outcome(bare) };
  },
});
