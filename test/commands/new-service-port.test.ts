import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';

// Without --port, `msx new service` takes the first port from 3000 that no
// service in msx.yaml has and nothing on this machine listens on. Other
// processes on the machine may hold ports too, so each case first asks which
// port would be chosen, then listens on exactly that one.

const chosenPort = (dir: string): number => {
  const result = runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--dry-run', '--json'], dir);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { service: { port: number } }).service.port;
};

const listen = (port: number, host: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });

describe('msx new service without --port', () => {
  let root: string;
  let dir: string;
  let server: Server | undefined;
  beforeAll(() => {
    root = makeTempDir();
    dir = join(root, 'shop');
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    expect(runCli(['new', 'service', 'stock', '--kind', 'rest', '--context', 'warehouse', '--port', '3000'], dir).code).toBe(0);
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });
  afterAll(() => removeDir(root));

  it('skips the ports msx.yaml already has', () => {
    expect(chosenPort(dir)).toBeGreaterThan(3000);
  });

  it.each(['127.0.0.1', '0.0.0.0'])('skips a port something listens on at %s', async (host) => {
    // Given the port it would choose is taken by a real listening socket
    const free = chosenPort(dir);
    server = await listen(free, host);
    // When / Then
    const chosen = chosenPort(dir);
    expect(chosen).toBeGreaterThan(free);
  });

  it('keeps an explicit --port as given (msx up checks it when it starts)', async () => {
    const free = chosenPort(dir);
    server = await listen(free, '127.0.0.1');
    const result = runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--port', String(free), '--dry-run', '--json'], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).service.port).toBe(free);
  });
});
