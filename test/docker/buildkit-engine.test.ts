import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureImage } from '../../src/docker/build-image.js';
import { connectDocker } from '../../src/docker/connect-docker.js';
import type { DockerClient, ProgressOutput } from '../../src/docker/docker-client.js';
import type { DockerodeClient } from '../../src/docker/dockerode-client.js';
import { contentTag } from '../../src/docker/image-tag.js';
import { ExternalError } from '../../src/errors.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { docker, dockerProblem } from '../runtimes/docker/docker-cli.js';

// The image pipeline on the real engine (bash scripts/setup-docker.sh): a
// Dockerfile shaped like the generated services' (deps → build → runtime),
// built through the API with BuildKit, and with the legacy builder when
// DOCKER_BUILDKIT=0. Its images carry this file's label and go afterwards;
// BuildKit's build cache stays (docker builder prune removes it).

const problem = dockerProblem();
const skip = problem !== undefined && process.env.CI !== 'true';
if (skip) console.log(`buildkit engine tests skipped: ${problem}`);
const LABEL = `dev.msx.test=buildkit-engine-${process.pid}`;
const labels = { 'dev.msx.test': `buildkit-engine-${process.pid}` };
const FAILING = 'RUN echo "compiling src/main.ts" &&     echo "src/main.ts(2,7): error TS2322: Type \'string\' is not assignable to type \'number\'." >&2 && exit 2';

describe.skipIf(skip)('building through the engine API', () => {
  let dir: string;
  let client: DockerClient;
  const build = async (): Promise<ProgressOutput> => {
    const image = contentTag(`msx-bk-test-${process.pid}`, { service: 'orders', dir });
    const { pack } = await import('tar-fs');
    const context = pack(dir, { entries: image.files }) as unknown as NodeJS.ReadableStream;
    return client.buildImage({ tag: image.tag, labels, context });
  };

  beforeAll(async () => {
    dir = makeTempDir('msx-bk-engine-');
    cpSync(join(import.meta.dirname, 'fixtures', 'buildkit'), dir, { recursive: true });
    client = await connectDocker();
  });
  afterAll(() => {
    const images = docker(['images', '-q', '--filter', `label=${LABEL}`]).split('\n').filter(Boolean);
    if (images.length > 0) docker(['rmi', '-f', ...new Set(images)]);
    removeDir(dir);
  });

  it('builds with BuildKit on this engine', async () => {
    expect(await (client as DockerodeClient).builder()).toBe('buildkit');
  });

  it('a failing RUN: "step N/M: <instruction>" over the whole Dockerfile, the step output as the tail', { timeout: 240_000 }, async () => {
    const image = contentTag(`msx-bk-test-${process.pid}`, { service: 'orders', dir });
    const error = await ensureImage(client, image, { labels }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toBe(`building the image of "orders" failed at step 8/13: ${FAILING}`);
    // Its stdout and stderr lines, in the order BuildKit stamped them (two pipes: either may come first), then the engine's error.
    const tail = (error as ExternalError).outputTail!.split('\n');
    expect(tail.slice(0, 2).sort()).toEqual(['compiling src/main.ts', "src/main.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'."]);
    expect(tail.slice(2)).toEqual([expect.stringMatching(/exit code: 2$/)]);
  });

  it('the legacy builder (DOCKER_BUILDKIT=0) names the same step', { timeout: 240_000 }, async () => {
    vi.stubEnv('DOCKER_BUILDKIT', '0');
    try {
      const legacy = await connectDocker();
      expect(await (legacy as DockerodeClient).builder()).toBe('legacy');
      const image = contentTag(`msx-bk-test-${process.pid}`, { service: 'orders', dir });
      const error = await ensureImage(legacy, image, { labels }).catch((e: unknown) => e);
      // The legacy builder counts the LABEL step it appends for the labels: one more than the Dockerfile has.
      expect((error as ExternalError).message).toBe(`building the image of "orders" failed at step 8/14: ${FAILING}`);
      expect((error as ExternalError).outputTail).toContain('error TS2322');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a source edit rebuilds from the cached dependency steps; the image carries its labels', { timeout: 240_000 }, async () => {
    writeFileSync(join(dir, 'Dockerfile'), passingDockerfile());
    expect((await build()).error).toBeUndefined();
    writeFileSync(join(dir, 'src', 'main.js'), `console.log("edited ${Date.now()}");\n`);
    const rebuilt = await build();
    expect(rebuilt.error).toBeUndefined();
    const cached = (prefix: string) => rebuilt.steps!.find((step) => step.name.startsWith(prefix))?.cached;
    expect(cached('[deps 4/4] RUN')).toBe(true);
    expect(cached('[build 1/2] COPY src')).toBe(false);
    expect(docker(['images', '--filter', `label=${LABEL}`, '--format', '{{.Repository}}'])).toContain(`msx-bk-test-${process.pid}`);
  });
});

/** The fixture's Dockerfile with its failing build step made to pass. */
function passingDockerfile(): string {
  return `FROM node:20-slim AS deps
WORKDIR /app
COPY package.json ./
RUN echo "installing dependencies" && sleep 0

FROM deps AS build
COPY src ./src
RUN cp src/main.js src/main.mjs

FROM node:20-slim
WORKDIR /app
COPY --from=build /app/src ./src
CMD ["node", "src/main.js"]
`;
}
