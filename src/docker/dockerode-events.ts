import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type Dockerode from 'dockerode';
import type { ContainerEvent, ContainerEventStream } from './docker-client.js';

interface RawEvent {
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** The engine's event stream (one JSON object per line), narrowed to container start/die/destroy. */
export async function openEventStream(docker: Dockerode, labels: string[]): Promise<ContainerEventStream> {
  const raw = await docker.getEvents({ filters: { type: ['container'], event: ['start', 'die', 'destroy'], label: labels } });
  const emitter = new EventEmitter();
  createInterface({ input: raw, crlfDelay: Infinity })
    .on('line', (line) => {
      const event = parse(line);
      if (event) emitter.emit('event', event);
    })
    .on('close', () => emitter.emit('end'));
  raw.on('error', () => emitter.emit('end'));
  return {
    on: (name: string, listener: (...args: never[]) => void) => void emitter.on(name, listener as (...args: unknown[]) => void),
    close: () => (raw as unknown as { destroy(): void }).destroy(),
  };
}

function parse(line: string): ContainerEvent | undefined {
  try {
    const raw = JSON.parse(line) as RawEvent;
    const attributes = raw.Actor?.Attributes ?? {};
    const exitCode = attributes.exitCode === undefined ? undefined : Number(attributes.exitCode);
    return { action: raw.Action ?? raw.status ?? '', id: raw.Actor?.ID ?? raw.id ?? '', labels: attributes, exitCode };
  } catch {
    return undefined; // not a whole event: the engine never splits one, so this is noise
  }
}
