import protobuf from 'protobufjs';
import type { ProgressOutput } from './docker-client.js';

/**
 * What BuildKit reports through the engine's build API: each progress event
 * `{"id":"moby.buildkit.trace","aux":"<base64>"}` carries one StatusResponse of
 * github.com/moby/buildkit/api/services/control/control.proto (package
 * moby.buildkit.v1). Only the fields msx reads are declared; field numbers
 * and types are the wire contract, protobufjs skips the rest (progressGroup,
 * warning source info). The tests decode messages recorded from a real engine.
 */
const SCHEMA = `
syntax = "proto3";
package moby.buildkit.v1;

message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message StatusResponse {
  repeated Vertex vertexes = 1;
  repeated VertexStatus statuses = 2;
  repeated VertexLog logs = 3;
  repeated VertexWarning warnings = 4;
}
message Vertex {
  string digest = 1;
  repeated string inputs = 2;
  string name = 3;
  bool cached = 4;
  Timestamp started = 5;
  Timestamp completed = 6;
  string error = 7;
}
message VertexStatus { string ID = 1; string vertex = 2; string name = 3; int64 current = 4; int64 total = 5; }
message VertexLog { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3; bytes msg = 4; }
message VertexWarning { string vertex = 1; int64 level = 2; bytes short = 3; repeated bytes detail = 4; string url = 5; }
`;

export interface TraceVertex {
  digest: string;
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch; undefined until the step starts (ends). */
  started?: number;
  completed?: number;
  error: string;
}
export interface TraceLog {
  vertex: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** 1 stdout, 2 stderr */
  stream: number;
  msg: Uint8Array;
}
export interface TraceWarning {
  vertex: string;
  short: Uint8Array;
}
export interface TraceStatus {
  vertexes: TraceVertex[];
  logs: TraceLog[];
  warnings: TraceWarning[];
}

let statusType: protobuf.Type | undefined;

/** One trace message (the event's base64 `aux`) as the fields msx reads. */
export function decodeTrace(aux: string): TraceStatus {
  statusType ??= protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType('moby.buildkit.v1.StatusResponse');
  const message = statusType.toObject(statusType.decode(Buffer.from(aux, 'base64')), { defaults: true, longs: Number }) as {
    vertexes: Array<Omit<TraceVertex, 'started' | 'completed'> & { started: Timestamp | null; completed: Timestamp | null }>;
    logs: Array<Omit<TraceLog, 'timestamp'> & { timestamp: Timestamp | null }>;
    warnings: TraceWarning[];
  };
  return {
    vertexes: message.vertexes.map((v) => ({ digest: v.digest, name: v.name, cached: v.cached, error: v.error, started: epochMs(v.started), completed: epochMs(v.completed) })),
    logs: message.logs.map((log) => ({ ...log, timestamp: epochMs(log.timestamp) ?? 0 })),
    warnings: message.warnings,
  };
}

interface Timestamp {
  seconds: number;
  nanos: number;
}

const epochMs = (time: Timestamp | null): number | undefined => (time ? time.seconds * 1000 + time.nanos / 1e6 : undefined);

/** A step cancelled because another one failed reports this, not the cause. */
const CANCELLED = /^(context canceled|canceled)\b/i;

/**
 * The steps of one BuildKit build as its trace messages arrive: every update
 * of a vertex repeats it whole, so the last one seen is its state. Gives
 * what the legacy builder's stream gave: the lines it printed, and the step
 * that failed with its own output.
 */
export class BuildkitTrace {
  private readonly vertexes = new Map<string, TraceVertex>();
  private readonly output = new Map<string, Array<{ at: number; text: string }>>();
  private readonly lines: string[] = [];
  private failed?: string;

  /** Whether any trace message came: a build that sent none was not a BuildKit build. */
  seen = false;

  add(aux: string): void {
    this.seen = true;
    let status: TraceStatus;
    try {
      status = decodeTrace(aux);
    } catch {
      return; // a message of a newer BuildKit this schema cannot read costs its progress lines, not the build
    }
    for (const vertex of status.vertexes) {
      const seen = this.vertexes.get(vertex.digest);
      if (vertex.started !== undefined && seen?.started === undefined) this.lines.push(vertex.cached ? `${vertex.name} (cached)` : vertex.name);
      this.vertexes.set(vertex.digest, vertex);
      if (vertex.error && !CANCELLED.test(vertex.error)) this.failed ??= vertex.digest;
    }
    for (const log of status.logs) {
      const text = Buffer.from(log.msg).toString('utf8');
      const chunks = this.output.get(log.vertex) ?? [];
      chunks.push({ at: log.timestamp, text });
      this.output.set(log.vertex, chunks);
      this.lines.push(...text.replace(/\n$/, '').split('\n'));
    }
    for (const warning of status.warnings) this.lines.push(`warning: ${Buffer.from(warning.short).toString('utf8')}`);
  }

  /** The build's result, `error` being the engine's final error event, if any. */
  result(error?: string): ProgressOutput {
    const took = (v: TraceVertex) => (v.started !== undefined && v.completed !== undefined ? { ms: v.completed - v.started } : {});
    const steps = [...this.vertexes.values()].map((v) => ({ name: v.name, cached: v.cached, ...took(v) }));
    const failed = this.failed ? this.vertexes.get(this.failed) : undefined;
    if (!failed || !error) return { lines: this.lines, error, steps };
    // stdout and stderr arrive as separate messages, not always in order: their timestamps say what came first.
    const chunks = [...(this.output.get(failed.digest) ?? [])].sort((a, b) => a.at - b.at);
    const output = chunks.map((chunk) => chunk.text).join('').replace(/\n$/, '');
    return { lines: this.lines, error, steps, failedStep: { name: failed.name, output: output ? output.split('\n') : [] } };
  }
}
