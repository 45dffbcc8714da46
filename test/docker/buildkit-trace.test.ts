import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBuilder } from '../../src/docker/builder-choice.js';
import { buildFailure } from '../../src/docker/build-image.js';
import { BuildkitTrace, decodeTrace } from '../../src/docker/buildkit-trace.js';
import { legacyStep } from '../../src/docker/dockerfile-steps.js';

// The BuildKit side of a build through the engine's API, against messages
// recorded from a real engine (Docker 20.10, API 1.41): the build events of
// test/docker/fixtures/buildkit/ built twice through dockerode with version 2,
// src/ edited between the two; the second build's events are the fixture.
// Its dependency steps come from the cache, its build step fails.

const FIXTURES = join(import.meta.dirname, 'fixtures');
const events = readFileSync(join(FIXTURES, 'buildkit-failed-build.ndjson'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { id?: string; aux?: string; error?: string });
const traces = events.filter((event) => event.id === 'moby.buildkit.trace').map((event) => event.aux!);
const finalError = events.find((event) => event.error)!.error!;
const dockerfile = readFileSync(join(FIXTURES, 'buildkit', 'Dockerfile'), 'utf8');
const BUILD_STEP = `RUN echo "compiling src/main.ts" &&     echo "src/main.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'." >&2 && exit 2`;

function replay(): BuildkitTrace {
  const trace = new BuildkitTrace();
  for (const aux of traces) trace.add(aux);
  return trace;
}

describe('decodeTrace on recorded engine messages', () => {
  it('reads the vertexes (name, cached, started, completed, error) and the logs of StatusResponse', () => {
    const decoded = traces.map(decodeTrace);
    const vertexes = decoded.flatMap((status) => status.vertexes);
    expect(vertexes.map((v) => v.name)).toContain('[deps 4/4] RUN echo "installing dependencies"');
    expect(vertexes.every((v) => v.digest.startsWith('sha256:'))).toBe(true);
    const deps = vertexes.filter((v) => v.name === '[deps 4/4] RUN echo "installing dependencies"' && v.completed);
    expect(deps.at(-1)).toMatchObject({ cached: true, started: expect.any(Number), error: '' });
    expect(deps.at(-1)!.completed).toBeGreaterThanOrEqual(deps.at(-1)!.started!);
    const failed = vertexes.filter((v) => v.error !== '');
    expect(failed.map((v) => v.name)).toEqual([`[build 2/2] ${BUILD_STEP}`]);
    expect(failed[0].error).toBe(finalError);
    const logs = decoded.flatMap((status) => status.logs);
    expect(logs.map((log) => [log.stream, Buffer.from(log.msg).toString()])).toEqual([
      [1, 'compiling src/main.ts\n'],
      [2, "src/main.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'.\n"],
    ]);
    expect(logs.every((log) => log.vertex === failed[0].digest && log.timestamp > Date.parse('2026-01-01'))).toBe(true);
  });
});

describe('BuildkitTrace', () => {
  it('gives the failed step, its own output in order and the engine error; the dependency steps as cached', () => {
    const result = replay().result(finalError);
    expect(result.error).toBe(finalError);
    expect(result.failedStep).toEqual({
      name: `[build 2/2] ${BUILD_STEP}`,
      output: ['compiling src/main.ts', "src/main.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'."],
    });
    const cached = (name: string) => result.steps!.find((step) => step.name === name)?.cached;
    expect(cached('[deps 4/4] RUN echo "installing dependencies"')).toBe(true);
    expect(cached('[build 1/2] COPY src ./src')).toBe(false);
    expect(result.lines).toContain('[deps 3/4] COPY package.json ./ (cached)');
    expect(result.lines).toContain('compiling src/main.ts');
  });

  it('skips a message it cannot decode, and says whether any trace came at all', () => {
    const trace = new BuildkitTrace();
    expect(trace.seen).toBe(false);
    // Field 1 as a length-delimited vertex of 200 bytes, of which none follow: a truncated message.
    const truncated = Buffer.from([0x0a, 0xc8, 0x01, 0x0a]).toString('base64');
    expect(() => decodeTrace(truncated)).toThrow();
    expect(() => trace.add(truncated)).not.toThrow();
    expect(trace.seen).toBe(true);
    for (const aux of traces) trace.add(aux);
    expect(trace.result(finalError).failedStep?.name).toBe(`[build 2/2] ${BUILD_STEP}`);
  });

  it('names no failed step when the build succeeded', () => {
    expect(replay().result(undefined).failedStep).toBeUndefined();
  });

  it('maps the failure to "step N/M: <instruction>" counted over the whole Dockerfile, the step output as the tail', async () => {
    const error = await buildFailure({ service: 'orders', dir: join(FIXTURES, 'buildkit') }, replay().result(finalError));
    expect(error.message).toBe(`building the image of "orders" failed at step 8/13: ${BUILD_STEP}`);
    expect(error.outputTail).toBe(`compiling src/main.ts\nsrc/main.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'.\n${finalError}`);
  });
});

describe('legacyStep', () => {
  it('finds a step of a named stage, of an unnamed one (stage-<i>) and of a one-stage Dockerfile', async () => {
    expect(await legacyStep(dockerfile, '[deps 2/4] WORKDIR /app')).toEqual({ number: 3, total: 13, text: 'WORKDIR /app' });
    expect(await legacyStep(dockerfile, '[deps 1/4] FROM docker.io/library/node:20-slim')).toEqual({ number: 1, total: 13, text: 'FROM node:20-slim AS deps' });
    expect(await legacyStep(dockerfile, '[stage-2 3/3] COPY --from=build /app/src ./src')).toEqual({ number: 11, total: 13, text: 'COPY --from=build /app/src ./src' });
    expect(await legacyStep('FROM scratch\nCOPY src /src\n', '[2/2] COPY src /src')).toEqual({ number: 2, total: 2, text: 'COPY src /src' });
  });

  it('is undefined for what is not a numbered step or does not fit the Dockerfile', async () => {
    expect(await legacyStep(dockerfile, '[internal] load metadata for docker.io/library/node:20-slim')).toBeUndefined();
    expect(await legacyStep(dockerfile, '[tests 1/1] RUN npm test')).toBeUndefined();
    expect(await legacyStep('FROM scratch\n', '[deps 9/9] RUN true')).toBeUndefined();
  });
});

describe('chooseBuilder', () => {
  const engine = { apiVersion: '1.41', osType: 'linux' };
  it('uses BuildKit on a Linux engine from API 1.39 unless DOCKER_BUILDKIT or the engine says otherwise', () => {
    expect(chooseBuilder({}, engine)).toBe('buildkit');
    expect(chooseBuilder({ DOCKER_BUILDKIT: '0' }, engine)).toBe('legacy');
    expect(chooseBuilder({ DOCKER_BUILDKIT: 'false' }, { ...engine, builderVersion: '2' })).toBe('legacy');
    expect(chooseBuilder({}, { ...engine, builderVersion: '1' })).toBe('legacy');
    expect(chooseBuilder({ DOCKER_BUILDKIT: '1' }, { ...engine, builderVersion: '1' })).toBe('buildkit');
    expect(chooseBuilder({}, { apiVersion: '1.38', osType: 'linux' })).toBe('legacy');
    expect(chooseBuilder({}, { apiVersion: '1.44', osType: 'windows' })).toBe('legacy');
    expect(chooseBuilder({}, {})).toBe('legacy');
  });
});
