import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { encodeRpc } from "./platform/google-rpc-status.js";
import { FIXTURE_PROTOS } from "./test-gateway.js";

// The gRPC service the gateway's gRPC route tests call (grpc-routes.test.ts, grpc-ndjson.test.ts).
export interface Item {
  id: string;
  name: string;
  quantity: number;
  weightGrams: string;
  unit: string;
  tags: string[];
}

/** What the server saw of one call: its metadata, and whether the caller cancelled it. */
export interface SeenCall {
  method: string;
  metadata: Record<string, string>;
  request: unknown;
}

export type Behaviour = "normal" | "silent" | "quiet" | "failing";

/**
 * A real grpc-js server of test/fixtures/inventory.proto, with grpc.health.v1 Check coded by
 * hand (SERVING is bytes 08 01), as a generated gRPC service answers it.
 */
export async function startInventory() {
  const definition = protoLoader.loadSync(fileURLToPath(new URL("inventory.proto", FIXTURE_PROTOS)), { keepCase: false, longs: String, enums: String, defaults: true });
  const api = grpc.loadPackageDefinition(definition) as unknown as { inventory: { v1: { InventoryService: grpc.ServiceClientConstructor } } };
  const items = new Map<string, Item>();
  const seen: SeenCall[] = [];
  // answer: bytes Echo answers instead of its request (what a service might send that JSON cannot carry).
  const state = { behaviour: "normal" as Behaviour, serving: true, answer: undefined as Buffer | undefined, cancelled: 0 };
  const record = (method: string, call: { metadata: grpc.Metadata; request?: unknown }) =>
    seen.push({ method, request: call.request, metadata: Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)])) });
  /** A client stream's messages as the server read them, in order, once the caller half-closed it. */
  const readAll = async <T>(call: AsyncIterable<T>) => {
    const messages: T[] = [];
    for await (const message of call) messages.push(message);
    return messages;
  };
  /** Applies the server's behaviour; true when the call was answered (or left hanging) by it. */
  const misbehave = <T>(callback: grpc.sendUnaryData<T>) => {
    if (state.behaviour === "silent") return true;
    if (state.behaviour === "failing") {
      callback({ code: grpc.status.INTERNAL, details: "the database is on fire" });
      return true;
    }
    return false;
  };
  const server = new grpc.Server();
  // Echo answers the very bytes it got: proto-loader's objects would lose what its toObject cannot
  // keep (a map's int64 keys), and this test is of the gateway's mapping, not proto-loader's.
  const raw = (bytes: Buffer) => bytes;
  const definition_ = api.inventory.v1.InventoryService.service;
  const service = { ...definition_, Echo: { ...definition_.Echo, requestDeserialize: raw, responseSerialize: raw } };
  server.addService(service, {
    CreateItem: (call: grpc.ServerUnaryCall<Omit<Item, "id">, Item>, callback: grpc.sendUnaryData<Item>) => {
      record("CreateItem", call);
      if (misbehave(callback)) return;
      if (call.request.name === "") {
        const metadata = new grpc.Metadata();
        const badRequest = { type_url: "type.googleapis.com/google.rpc.BadRequest", value: encodeRpc("google.rpc.BadRequest", { field_violations: [{ field: "name", description: "must not be empty" }] }) };
        metadata.set("grpc-status-details-bin", Buffer.from(encodeRpc("google.rpc.Status", { code: grpc.status.INVALID_ARGUMENT, message: "invalid item", details: [badRequest] })));
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: "invalid item", metadata });
      }
      const item = { ...call.request, id: `item-${items.size + 1}` };
      items.set(item.id, item);
      callback(null, item);
    },
    GetItem: (call: grpc.ServerUnaryCall<{ id: string }, Item>, callback: grpc.sendUnaryData<Item>) => {
      record("GetItem", call);
      if (misbehave(callback)) return;
      const item = items.get(call.request.id);
      if (!item) return callback({ code: grpc.status.NOT_FOUND, details: `item ${call.request.id} not found` });
      callback(null, item);
    },
    ListItems: (call: grpc.ServerWritableStream<{ limit: number }, Item>) => {
      record("ListItems", call);
      call.on("cancelled", () => (state.cancelled += 1));
      // silent: one item now, then one every 50 ms until the caller cancels.
      if (state.behaviour === "silent") {
        const item = { id: "item-0", name: "slow", quantity: 0, weightGrams: "0", unit: "UNIT_PIECE", tags: [] };
        call.write(item);
        const timer = setInterval(() => (call.cancelled ? clearInterval(timer) : call.write(item)), 50);
        return;
      }
      // quiet: sends nothing and never ends, as a stream of rare events does.
      if (state.behaviour === "quiet") return;
      for (const item of [...items.values()].slice(0, call.request.limit || undefined)) call.write(item);
      call.end();
    },
    // Creates every item it reads, and answers how many once the stream ends.
    ImportItems: (call: grpc.ServerReadableStream<Omit<Item, "id">, unknown>, callback: grpc.sendUnaryData<{ count: number }>) => {
      record("ImportItems", call);
      if (misbehave(callback)) return;
      readAll(call).then((requests) => {
        seen.at(-1)!.request = requests;
        for (const request of requests) items.set(`item-${items.size + 1}`, { ...request, id: `item-${items.size + 1}` });
        callback(null, { count: requests.length });
      }, callback);
    },
    // Answers each id with its item as it reads it; an unknown id ends the stream NOT_FOUND.
    TrackItems: (call: grpc.ServerDuplexStream<{ id: string }, Item>) => {
      record("TrackItems", call);
      call.on("cancelled", () => (state.cancelled += 1));
      // silent: reads the ids, answers one item every 50 ms, and never ends, until the caller cancels.
      if (state.behaviour === "silent") {
        const item = { id: "item-0", name: "slow", quantity: 0, weightGrams: "0", unit: "UNIT_PIECE", tags: [] };
        call.on("data", () => {});
        const timer = setInterval(() => (call.cancelled ? clearInterval(timer) : call.write(item)), 50);
        return;
      }
      const ids: string[] = [];
      seen.at(-1)!.request = ids;
      call.on("data", ({ id }: { id: string }) => {
        ids.push(id);
        const item = items.get(id);
        if (item) call.write(item);
        else call.emit("error", { code: grpc.status.NOT_FOUND, details: `item ${id} not found` });
      });
      call.on("end", () => call.end());
    },
    Echo: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      record("Echo", call);
      callback(null, state.answer ?? call.request);
    },
  });
  const health = {
    Check: {
      path: "/grpc.health.v1.Health/Check",
      requestStream: false,
      responseStream: false,
      requestSerialize: () => Buffer.alloc(0),
      requestDeserialize: () => ({}),
      responseSerialize: (status: number) => Buffer.from([0x08, status]),
      responseDeserialize: (bytes: Buffer) => bytes[1],
    },
  };
  server.addService(health, { Check: (_call: unknown, callback: grpc.sendUnaryData<number>) => callback(null, state.serving ? 1 : 2) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { address: `127.0.0.1:${port}`, seen, state, items, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())), stop: () => server.forceShutdown() };
}

export type Inventory = Awaited<ReturnType<typeof startInventory>>;
