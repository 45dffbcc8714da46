// The same work as a generated gRPC service's CreateX/GetX, with nothing of msx: grpc-js,
// proto-loader on the same proto, an in-memory map, pino lines in the same format to /dev/null
// (one per call, one more per create) - but no trace context, deadlines kept, health or reflection.
// BARE_SPANS=1: one server span per call from the OpenTelemetry SDK as well (bare-otel.mjs).
// Usage: SERVICE_DIR=<a generated gRPC service "stock"> PORT=... node bare-grpc.mjs
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { SERVER, bareTracer } from "./bare-otel.mjs";

const dir = process.env.SERVICE_DIR;
const require = createRequire(join(dir, "package.json"));
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");
const { pino } = require("pino");

const format = { messageKey: "msg", base: { service: "stock" }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } };
const logger = pino({ level: "info", ...format }, pino.destination({ dest: "/dev/null", sync: true }));
const definition = protoLoader.loadSync(join(dir, "proto", "stock.proto"), { keepCase: false, longs: String, enums: String, defaults: true });
const items = new Map();
const tracer = bareTracer(require, "stock");
const SERVICE = "stock.v1.StockService";
const startSpan = (method) => tracer?.startSpan(`${SERVICE}/${method}`, { kind: SERVER, attributes: { "rpc.system": "grpc", "rpc.service": SERVICE, "rpc.method": method } });
const completed = (method, started, code, span) => {
  logger.info({ method, grpc_code: code, duration_ms: performance.now() - started }, "call completed");
  if (span) {
    span.setAttribute("rpc.grpc.status_code", code);
    span.end();
  }
};

const server = new grpc.Server();
server.addService(definition[SERVICE], {
  CreateStock(call, callback) {
    const started = performance.now();
    const span = startSpan("CreateStock");
    if (!call.request.name) return callback({ code: grpc.status.INVALID_ARGUMENT, details: "name: required" });
    const now = new Date().toISOString();
    const item = { id: randomUUID(), name: call.request.name, description: call.request.description, createdAt: now, updatedAt: now };
    items.set(item.id, item);
    logger.info({ id: item.id }, "stock created");
    completed("CreateStock", started, 0, span);
    callback(null, item);
  },
  GetStock(call, callback) {
    const started = performance.now();
    const span = startSpan("GetStock");
    const item = items.get(call.request.id);
    completed("GetStock", started, item ? 0 : 5, span);
    callback(item ? null : { code: grpc.status.NOT_FOUND, details: "not found" }, item);
  },
  ListStock(call) {
    for (const item of items.values()) call.write(item);
    call.end();
  },
});
server.bindAsync(`127.0.0.1:${process.env.PORT}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
});
