// Loads the generated gRPC service and the bare grpc-js server at the same moments from this one
// process: one grpc-js client per server, CONCURRENCY unary calls in flight on each (a deadline
// of DEADLINE_MS per call), for DURATION s per round; one warm-up round, then ROUNDS rounds
// (see side-by-side.mjs). A call counts as done when it answers OK, else as failed.
// Usage: SERVICE_DIR=<the generated gRPC service> GEN_PID=... BARE_PID=... CLK_TCK=... [GOAL=85]
//   node grpc-load.mjs LABEL METHOD GEN_ADDRESS GEN_JSON_REQUEST BARE_ADDRESS BARE_JSON_REQUEST
import { createRequire } from "node:module";
import { join } from "node:path";
import { DURATION, sideBySide, startWindow } from "./side-by-side.mjs";

const dir = process.env.SERVICE_DIR;
const require = createRequire(join(dir, "package.json"));
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");
const [label, method, generatedAddress, generatedJson, bareAddress, bareJson] = process.argv.slice(2);
const definition = protoLoader.loadSync(join(dir, "proto", "stock.proto"), { keepCase: false, longs: String, enums: String, defaults: true });
const Stock = grpc.loadPackageDefinition(definition).stock.v1.StockService;
const concurrency = Number(process.env.CONCURRENCY ?? 10);
const deadlineMs = Number(process.env.DEADLINE_MS ?? 5000);
const targets = {
  generated: { client: new Stock(generatedAddress, grpc.credentials.createInsecure()), request: JSON.parse(generatedJson) },
  bare: { client: new Stock(bareAddress, grpc.credentials.createInsecure()), request: JSON.parse(bareJson) },
};

// CONCURRENCY call loops on one target until `until` (a performance.now() time); counts outcomes.
const load = ({ client, request }, until) => {
  const outcome = { done: 0, failed: 0 };
  const loop = () =>
    new Promise((resolve) => {
      const next = () => {
        if (performance.now() >= until) return resolve();
        client[method](request, { deadline: Date.now() + deadlineMs }, (error) => {
          if (error) outcome.failed += 1;
          else outcome.done += 1;
          next();
        });
      };
      next();
    });
  return Promise.all(Array.from({ length: concurrency }, loop)).then(() => outcome);
};

await sideBySide({
  label,
  unit: "call",
  goal: Number(process.env.GOAL ?? 85),
  round: async () => {
    const window = startWindow();
    const until = performance.now() + DURATION * 1000;
    const [generated, bare] = await Promise.all([load(targets.generated, until), load(targets.bare, until)]);
    return { ...window.end(), generated, bare };
  },
});
for (const { client } of Object.values(targets)) client.close();
