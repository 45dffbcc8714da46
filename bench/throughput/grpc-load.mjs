// Unary calls per second with a grpc-js client: CONCURRENCY calls in flight for DURATION seconds.
// Usage: SERVICE_DIR=<the generated gRPC service> node grpc-load.mjs host:port METHOD JSON_REQUEST
//   → prints "<mean calls/s> <calls done>"
import { createRequire } from "node:module";
import { join } from "node:path";

const dir = process.env.SERVICE_DIR;
const require = createRequire(join(dir, "package.json"));
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");
const [address, method, json] = process.argv.slice(2);
const definition = protoLoader.loadSync(join(dir, "proto", "stock.proto"), { keepCase: false, longs: String, enums: String, defaults: true });
const Stock = grpc.loadPackageDefinition(definition).stock.v1.StockService;
const client = new Stock(address, grpc.credentials.createInsecure());
const request = JSON.parse(json);
const durationMs = Number(process.env.DURATION ?? 8) * 1000;
const concurrency = Number(process.env.CONCURRENCY ?? 20);

let done = 0;
let failed = 0;
const started = performance.now();
const worker = () =>
  new Promise((resolve) => {
    const next = () => {
      if (performance.now() - started >= durationMs) return resolve();
      client[method](request, { deadline: Date.now() + 5000 }, (error) => {
        if (error) failed += 1;
        else done += 1;
        next();
      });
    };
    next();
  });
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
if (failed > 0) console.error(`  warning: ${failed} failed calls`);
console.log(`${Math.round(done / seconds)} ${done}`);
client.close();
