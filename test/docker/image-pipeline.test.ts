import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildFailure, ensureImage } from '../../src/docker/build-image.js';
import { connectDocker } from '../../src/docker/connect-docker.js';
import { contentTag } from '../../src/docker/image-tag.js';
import { pushImage } from '../../src/docker/push-image.js';
import { ExternalError, UserError } from '../../src/errors.js';
import { FakeDocker } from '../fakes/fake-docker.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

// The one image pipeline (tag, build, push) against the narrow Docker fake:
// what msx decides, not what the engine does. The real engine and registry
// are in test/deploy/image-push.test.ts and test/e2e/docker-runtime.test.ts.

let dir: string;
const image = () => contentTag('127.0.0.1:5000/shop/orders', { service: 'orders', dir });

beforeEach(() => {
  dir = makeTempDir('msx-pipeline-');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY src /src\n');
  writeFileSync(join(dir, 'src', 'main.js'), 'console.log(1);\n');
  vi.stubEnv('DOCKER_CONFIG', join(dir, 'docker-config'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  removeDir(dir);
});

describe('ensureImage', () => {
  it('builds an image the engine lacks, with its labels, and not again once it has it', async () => {
    const docker = new FakeDocker();
    const builds: string[] = [];
    expect(await ensureImage(docker, image(), { labels: { a: 'b' }, onBuild: () => builds.push('x') })).toBe(true);
    expect(await ensureImage(docker, image(), { onBuild: () => builds.push('x') })).toBe(false);
    expect(builds).toEqual(['x']);
    expect(docker.journal).toEqual([`build ${image().tag}`]);
    expect(docker.images[0].labels).toEqual({ a: 'b' });
  });

  it('refuses a service without a Dockerfile before it asks the engine anything', async () => {
    rmSync(join(dir, 'Dockerfile'));
    const docker = new FakeDocker();
    const error = await ensureImage(docker, image()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`service "orders" has no Dockerfile in ${dir}`);
    expect(docker.journal).toEqual([]);
  });

  it('fails with the build step and the tail of its output', async () => {
    const docker = new FakeDocker();
    docker.buildResult = { lines: ['Step 1/2 : FROM scratch', 'Step 2/2 : COPY src /src', 'COPY failed'], error: 'no such file' };
    const error = await ensureImage(docker, image()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toBe('building the image of "orders" failed at step 2/2: COPY src /src');
    expect((error as ExternalError).outputTail).toMatch(/COPY failed\nno such file$/);
  });

  it('fails with a BuildKit step numbered as the legacy builder numbers it, and what that step printed', async () => {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim AS deps\nWORKDIR /app\n\nFROM deps AS build\nCOPY src ./src\nRUN npm run build\n\nFROM node:20-slim\nCOPY --from=build /app/dist ./dist\nCMD ["node", "dist/main.js"]\n');
    const docker = new FakeDocker();
    docker.buildResult = { lines: [], error: 'executor failed running [/bin/sh -c npm run build]: exit code: 2', failedStep: { name: '[build 2/2] RUN npm run build', output: ['> tsc -p tsconfig.build.json', "src/main.ts(1,1): error TS2304: Cannot find name 'x'."] } };
    const error = await ensureImage(docker, image()).catch((e: unknown) => e);
    expect((error as ExternalError).message).toBe('building the image of "orders" failed at step 5/8: RUN npm run build');
    expect((error as ExternalError).outputTail).toBe("> tsc -p tsconfig.build.json\nsrc/main.ts(1,1): error TS2304: Cannot find name 'x'.\nexecutor failed running [/bin/sh -c npm run build]: exit code: 2");
  });

  it('names the failure even when the error is the only line', async () => {
    const error = await buildFailure({ service: 'orders', dir }, { lines: [], error: 'no space left on device' });
    expect(error.message).toBe('building the image of "orders" failed');
    expect(error.outputTail).toBe('no space left on device');
  });
});

describe('pushImage', () => {
  it('sends the credentials the Docker config holds for the registry the tag names', async () => {
    mkdirSync(join(dir, 'docker-config'));
    const auth = Buffer.from('robot:s3cret').toString('base64');
    writeFileSync(join(dir, 'docker-config', 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5000': { auth } } }));
    const docker = new FakeDocker();
    await ensureImage(docker, image());
    await pushImage(docker, image());
    expect(docker.journal.at(-1)).toBe(`push ${image().tag}`);
    expect(docker.pushedAuth.get(image().tag)).toEqual({ serveraddress: '127.0.0.1:5000', username: 'robot', password: 's3cret' });
  });

  it('pushes anonymously without a Docker config', async () => {
    const docker = new FakeDocker();
    await ensureImage(docker, image());
    await pushImage(docker, image());
    expect(docker.pushedAuth.has(image().tag)).toBe(true);
    expect(docker.pushedAuth.get(image().tag)).toBeUndefined();
  });

  it('turns a refusal in the push stream, or of the request itself, into one ExternalError naming the push', async () => {
    const docker = new FakeDocker();
    await ensureImage(docker, image());
    docker.pushResult = { lines: ['The push refers to repository [127.0.0.1:5000/shop/orders]'], error: 'unauthorized: authentication required' };
    const refused = await pushImage(docker, image()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ExternalError);
    expect((refused as ExternalError).message).toBe('pushing the image of "orders" to 127.0.0.1:5000 failed: unauthorized: authentication required');
    expect((refused as ExternalError).command).toBe(`docker push ${image().tag}`);
    const missing = await pushImage(new FakeDocker(), image()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ExternalError);
    expect((missing as ExternalError).message).toMatch(/^pushing the image of "orders" to 127\.0\.0\.1:5000 failed: No such image/);
  });
});

describe('connectDocker to an engine that does not answer', () => {
  it('is one UserError (exit 5) naming the endpoint, with the way out the caller gives', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock');
    const plain = await connectDocker().catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(UserError);
    expect((plain as UserError).exitCode).toBe(5);
    expect((plain as UserError).message).toBe('the Docker engine does not answer at unix:///nonexistent/docker.sock (connect ENOENT /nonexistent/docker.sock)');
    expect((plain as UserError).hint).toBe('start Docker (or point DOCKER_HOST at it)');
    const withWayOut = await connectDocker({ otherwise: 'pass --no-build' }).catch((e: unknown) => e);
    expect((withWayOut as UserError).hint).toBe('start Docker (or point DOCKER_HOST at it), or pass --no-build');
  });
});
