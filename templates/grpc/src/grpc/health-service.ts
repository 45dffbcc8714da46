import * as grpc from "@grpc/grpc-js";
import type { HealthRegistry } from "../platform/health.js";

// grpc.health.v1.HealthCheckResponse.ServingStatus
export const SERVING = 1;
export const NOT_SERVING = 2;
export const SERVICE_UNKNOWN = 3;

interface CheckRequest {
  service: string;
}
interface CheckResponse {
  status: number;
}

// The two messages are one field each, so they are coded here and need no health.proto:
// HealthCheckRequest { string service = 1; }  HealthCheckResponse { ServingStatus status = 1; }
const decodeRequest = (bytes: Buffer): CheckRequest => {
  if (bytes.length < 2 || bytes[0] !== 0x0a || bytes[1] > 127) return { service: "" };
  return { service: bytes.subarray(2, 2 + bytes[1]).toString("utf8") };
};
const encodeResponse = (message: CheckResponse): Buffer => Buffer.from([0x08, message.status]);

const method = (name: string, responseStream: boolean) => ({
  path: `/grpc.health.v1.Health/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: ({ service }: CheckRequest) => Buffer.concat(service ? [Buffer.from([0x0a, Buffer.byteLength(service)]), Buffer.from(service)] : []),
  requestDeserialize: decodeRequest,
  responseSerialize: encodeResponse,
  responseDeserialize: (bytes: Buffer): CheckResponse => ({ status: bytes[0] === 0x08 ? bytes[1] : 0 }),
});

export const healthServiceDefinition = { Check: method("Check", false), Watch: method("Watch", true) };

export interface HealthService {
  implementation: grpc.UntypedServiceImplementation;
  /** Tells every watcher the current status now (e.g. NOT_SERVING as a shutdown begins). */
  publish(): Promise<void>;
  /** Ends every Watch stream, so the server can shut down gracefully. */
  endWatches(): void;
}

/**
 * Liveness on Kubernetes asks for this name: SERVING for as long as the
 * process answers at all, whatever its dependencies or a shutdown under way,
 * so a broker blip makes pods unready, never restarts them.
 */
export const LIVENESS = "liveness";

/**
 * The standard health service over the service's HealthRegistry: "" (the
 * whole server) and each name in `services` are SERVING when ready, else
 * NOT_SERVING (starting, a failing check, shutting down); "liveness" is
 * SERVING while the process runs.
 */
export function createHealthService(health: HealthRegistry, services: readonly string[], pollMs = 1000): HealthService {
  const watchers = new Set<{ service: string; last?: number; call: grpc.ServerWritableStream<CheckRequest, CheckResponse> }>();
  const statusOf = async (service: string): Promise<number> => {
    if (service === LIVENESS) return SERVING;
    if (service !== "" && !services.includes(service)) return SERVICE_UNKNOWN;
    return (await health.readiness()).ready ? SERVING : NOT_SERVING;
  };
  const publish = async () => {
    for (const watcher of watchers) {
      const status = await statusOf(watcher.service);
      if (status !== watcher.last) watcher.call.write({ status: (watcher.last = status) });
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const implementation: grpc.UntypedServiceImplementation = {
    Check: (call: grpc.ServerUnaryCall<CheckRequest, CheckResponse>, callback: grpc.sendUnaryData<CheckResponse>) => {
      void statusOf(call.request.service).then((status) =>
        status === SERVICE_UNKNOWN
          ? callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${call.request.service}"` })
          : callback(null, { status }),
      );
    },
    Watch: (call: grpc.ServerWritableStream<CheckRequest, CheckResponse>) => {
      const watcher = { service: call.request.service, call };
      watchers.add(watcher);
      call.on("cancelled", () => watchers.delete(watcher));
      timer ??= setInterval(() => void publish(), pollMs).unref();
      void publish();
    },
  };
  return {
    implementation,
    publish,
    endWatches: () => {
      clearInterval(timer);
      for (const watcher of watchers) watcher.call.end();
      watchers.clear();
    },
  };
}
