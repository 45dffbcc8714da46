import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { sampleRequestBody, type OpenApiDocument } from '../../src/generators/openapi-sample.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { freePort, killGroup, mustRun, npmInstall, startProcess, waitForStatus, type StartedProcess } from '../helpers/processes.js';

// The whole path a user takes: the built CLI makes a workspace and a REST
// service; the service installs, type-checks, passes its own tests, starts,
// and carries a traceparent from the request into its response and its logs.

describe('msx init + msx new service --kind rest, end to end', () => {
  let root: string;
  let serviceDir: string;
  let running: StartedProcess | undefined;

  beforeAll(() => {
    root = makeTempDir();
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    const made = runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering'], join(root, 'shop'));
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    serviceDir = join(root, 'shop', 'contexts', 'ordering', 'orders');
    npmInstall(serviceDir);
  });

  afterAll(() => {
    killGroup(running?.child);
    removeDir(root);
  });

  it('is registered in msx.yaml, read back by the real loader', () => {
    const text = readFileSync(join(root, 'shop', 'msx.yaml'), 'utf8');
    const workspace = parseWorkspace(text, join(root, 'shop'));
    expect(workspace.services).toMatchObject([{ name: 'orders', kind: 'rest', context: 'ordering', port: 3000, dependsOn: [] }]);
  });

  it('type-checks and passes its own tests', () => {
    mustRun('npm', ['run', 'typecheck'], serviceDir);
    const output = mustRun('npm', ['test'], serviceDir);
    expect(output).toMatch(/Tests\s+\d+ passed/);
  }, 180_000); // tsc + vitest of a whole service: ~40 s on a loaded 2-core machine

  it('serves CRUD with the caller\'s trace id in the response header and every log line of the request', async () => {
    mustRun('npm', ['run', 'build'], serviceDir);
    const port = await freePort();
    running = startProcess(process.execPath, ['dist/main.js'], serviceDir, { PORT: String(port), SERVICE_NAME: 'orders' });
    const base = `http://127.0.0.1:${port}`;
    await waitForStatus(`${base}/health/ready`);

    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify(await sampleCreateBody(base, '/orders')),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // The response can arrive before the service's log lines have crossed its stdout pipe.
    const linesOf = () => running!.output().split('\n').filter((line) => line.includes(traceId));
    await waitFor(() => linesOf().some((line) => line.includes('request completed')));
    const lines = linesOf();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });

    killGroup(running.child, 'SIGTERM');
    expect(await running.exited).toBe(0);
  });
});

async function waitFor(condition: () => boolean, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A valid create body, made from the service's own OpenAPI document. */
async function sampleCreateBody(base: string, path: string): Promise<unknown> {
  const document = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
  return sampleRequestBody(document, path);
}
