// The baseline: a bare @fastify/http-proxy doing only the proxying (no auth, limits, trace,
// breaker or access log), to UPSTREAM on PORT. Usage: TOOLS_DIR=... PORT=... UPSTREAM=... node gateway-bare-proxy.mjs
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.TOOLS_DIR, "package.json"));
const Fastify = require("fastify");
const proxy = require("@fastify/http-proxy");
const app = Fastify({ logger: false });
await app.register(proxy, { upstream: process.env.UPSTREAM, prefix: "/orders", rewritePrefix: "/orders" });
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
