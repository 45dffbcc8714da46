import { setTimeout as sleep } from 'node:timers/promises';
import type { Service } from '../../models/workspace.js';
import { answers } from '../infra.js';
import { withLastLines } from '../last-lines.js';
import { envOf, type ContainerSpec } from './container-spec.js';
import type { DockerClient } from '../../docker/docker-client.js';
import { probePublished } from './http-probe.js';

export interface Readiness {
  ready: boolean;
  detail?: string;
}

/** A probe is one GET on 127.0.0.1: polling often costs little and is what the first answer after a restart waits on. */
const POLL_MS = 40;
/** Inspecting every poll would cost more than the probe; a crash is seen within this. */
const INSPECT_EVERY_MS = 1_000;

/**
 * Polls the service's readiness probe through its published port until it
 * answers, the container stops, or the time is up. A container that exits
 * before it was ever ready is reported with its last log lines.
 */
export async function waitForServiceReady(
  client: DockerClient,
  containerId: string,
  service: Service,
  timeoutMs: number,
  /** Explain a failure by the first stderr lines since this Docker `since` (a start after an edit), not the last lines. */
  firstErrorsSince?: string,
): Promise<Readiness> {
  const explain = (detail: string) => (firstErrorsSince ? withFirstErrors(client, containerId, detail, firstErrorsSince) : withContainerLines(client, containerId, detail));
  const deadline = Date.now() + timeoutMs;
  let nextInspect = Date.now() + INSPECT_EVERY_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const probe = await probePublished(service);
    if (probe.ready) return { ready: true };
    last = probe.detail;
    if (Date.now() >= nextInspect) {
      nextInspect = Date.now() + INSPECT_EVERY_MS;
      const state = await client.inspectContainer(containerId);
      if (!state.running || state.restarting) {
        return { ready: false, detail: await explain(`exited before it was ready (code ${state.exitCode})`) };
      }
    }
    await sleep(POLL_MS);
  }
  return { ready: false, detail: await explain(`not ready after ${Math.round(timeoutMs / 1000)}s; last check: ${last}`) };
}

const FIRST_ERRORS = 6;

/**
 * Where a syntax error or a throw in main says file:line and why: the first
 * stderr lines of the process started at `since` (all of its lines when it
 * wrote nothing to stderr), as the local runtime shows them.
 */
export async function withFirstErrors(client: DockerClient, containerId: string, detail: string, since: string): Promise<string> {
  const streams = await client.containerLogs(containerId, { follow: false, since }).catch(() => undefined);
  if (!streams) return detail;
  const [stdout, stderr] = await Promise.all([readLines(streams.stdout), readLines(streams.stderr)]);
  const lines = stderr.length > 0 ? stderr.slice(0, FIRST_ERRORS) : stdout.slice(-FIRST_ERRORS);
  return withLastLines(detail, lines, FIRST_ERRORS);
}

async function readLines(stream: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: string[] = [];
  await new Promise<void>((resolve) => stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString())).on('end', resolve).on('close', resolve));
  return chunks
    .join('')
    .split('\n')
    .map((line) => line.replace(/^\S+Z /, ''))
    .filter((line) => line.trim() !== '');
}

/** A forwarder is ready when its port answers; an official image when Docker calls it healthy. */
export async function waitForInfraReady(client: DockerClient, containerId: string, spec: ContainerSpec, timeoutMs: number): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  const env = envOf(spec);
  while (Date.now() < deadline) {
    if (spec.role === 'forwarder' && (await answers(env.LISTEN_HOST, Number(env.LISTEN_PORT)))) return { ready: true };
    const state = await client.inspectContainer(containerId);
    if (spec.role === 'infra' && state.health === 'healthy') return { ready: true };
    if (!state.running && !state.restarting) {
      return { ready: false, detail: await withContainerLines(client, containerId, `${spec.name} exited (code ${state.exitCode})`) };
    }
    await sleep(250);
  }
  return { ready: false, detail: await withContainerLines(client, containerId, `${spec.name} not ready after ${Math.round(timeoutMs / 1000)}s`) };
}

/** The last lines a container printed, for a failure message. */
export async function withContainerLines(client: DockerClient, containerId: string, detail: string, count = 5): Promise<string> {
  return withLastLines(detail, await lastLines(client, containerId, count).catch(() => []), count);
}

async function lastLines(client: DockerClient, containerId: string, count: number): Promise<string[]> {
  const streams = await client.containerLogs(containerId, { follow: false, tail: count });
  const chunks: string[] = [];
  const read = (stream: NodeJS.ReadableStream) =>
    new Promise<void>((resolve) => stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString())).on('end', resolve).on('close', resolve));
  await Promise.all([read(streams.stdout), read(streams.stderr)]);
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/^\S+Z /, ''))
    .slice(-count);
}

