import type { ServerResponse } from 'node:http';
import { sendStatus } from './http-util.js';
import type { Obj } from './store.js';

/** One line of a container's log and the time the container runtime stamped on it (RFC3339Nano). */
export interface PodLogLine {
  time: string;
  text: string;
}

/** A seeded line: a bare string is stamped with the time it is seeded. */
export type SeedLine = string | PodLogLine;

interface ContainerRuns {
  current: PodLogLine[];
  previous: PodLogLine[];
}

interface Follower {
  res: ServerResponse;
  timestamps: boolean;
}

/**
 * Pod logs as the API serves GET /api/v1/namespaces/NS/pods/NAME/log: per
 * container, the current run and the run before its last restart
 * (?previous=true); ?timestamps=true prefixes each line with its time and a
 * space; ?sinceTime and ?tailLines cut it; ?follow=true keeps the response
 * open and writes every line appended later. The API's answers for what
 * cannot be read: 400 for a container not started, without a previous run, or
 * not in the pod, or when a pod of several containers is asked without
 * ?container.
 */
export class FakePodLogs {
  private readonly runs = new Map<string, ContainerRuns>();
  private readonly followers = new Map<string, Set<Follower>>();

  seed(pod: string, container: string, runs: { current?: SeedLine[]; previous?: SeedLine[] }): void {
    this.runs.set(key(pod, container), { current: (runs.current ?? []).map(stamped), previous: (runs.previous ?? []).map(stamped) });
  }

  /** Adds a line to the container's current run; open follow requests get it at once. */
  append(pod: string, container: string, line: SeedLine): void {
    const runs = this.runs.get(key(pod, container)) ?? { current: [], previous: [] };
    this.runs.set(key(pod, container), runs);
    const entry = stamped(line);
    runs.current.push(entry);
    for (const follower of this.followers.get(key(pod, container)) ?? []) follower.res.write(format(entry, follower.timestamps));
  }

  /** How many follow requests are open on the container now. */
  following(pod: string, container: string): number {
    return this.followers.get(key(pod, container))?.size ?? 0;
  }

  serve(res: ServerResponse, pod: Obj, query: URLSearchParams): void {
    const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
    const name = pod.metadata.name;
    const container = query.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
    if (!container) return sendStatus(res, 400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    if (!containers.includes(container)) return sendStatus(res, 400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const runs = this.runs.get(key(name, container));
    const previous = query.get('previous') === 'true';
    if (previous && !runs?.previous.length) return sendStatus(res, 400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
    if (!runs) return sendStatus(res, 400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
    const lines = cut(previous ? runs.previous : runs.current, query);
    const timestamps = query.get('timestamps') === 'true';
    const text = lines.map((line) => format(line, timestamps)).join('');
    if (query.get('follow') !== 'true' || previous) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(text);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    res.write(text);
    const follower: Follower = { res, timestamps };
    const set = this.followers.get(key(name, container)) ?? new Set<Follower>();
    this.followers.set(key(name, container), set.add(follower));
    res.on('close', () => set.delete(follower));
  }
}

function key(pod: string, container: string): string {
  return `${pod}/${container}`;
}

function stamped(line: SeedLine): PodLogLine {
  // RFC3339Nano as the kubelet writes it: nine fraction digits.
  return typeof line === 'string' ? { time: new Date().toISOString().replace('Z', '000000Z'), text: line } : line;
}

function format(line: PodLogLine, timestamps: boolean): string {
  return timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`;
}

/** ?sinceTime (lines at or after it, as the kubelet compares) and ?tailLines (the last N). */
function cut(lines: PodLogLine[], query: URLSearchParams): PodLogLine[] {
  const since = query.get('sinceTime');
  const kept = since ? lines.filter((line) => nanos(line.time) >= nanos(since)) : lines;
  const tail = query.get('tailLines');
  return tail === null ? kept : kept.slice(-Number(tail));
}

function nanos(time: string): bigint {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) throw new Error(`fake kube API: not an RFC3339 time: ${time}`);
  return BigInt(Date.parse(`${match[1]}${match[3]}`)) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0').slice(0, 9));
}
