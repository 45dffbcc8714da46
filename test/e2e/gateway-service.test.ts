import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { mustRun, npmInstall } from '../helpers/processes.js';

// The generated gateway as a package of its own: it installs with its exact pins, type-checks,
// passes its own tests (auth, rate limits, proxy and breaker, BFF, health, the platform's), and
// refuses bad config with one line and exit 78 before it opens anything.

describe('msx new gateway: the generated package, end to end', () => {
  let root: string;
  let gatewayDir: string;

  beforeAll(() => {
    root = makeTempDir();
    const ws = join(root, 'shop');
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    const made = runCli(['new', 'gateway', 'edge', '--public', '--port', '42320'], ws);
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(/^Made gateway service "edge" in contexts\/edge\/edge, port 42320/);
    gatewayDir = join(ws, 'contexts', 'edge', 'edge');
    npmInstall(gatewayDir);
  }, 300_000);

  afterAll(() => removeDir(root));

  it('type-checks and passes its own tests', () => {
    mustRun('npm', ['run', 'typecheck'], gatewayDir);
    const { NODE_ENV: _vitest, ...env } = process.env;
    const run = spawnSync('npm', ['test'], { cwd: gatewayDir, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    // On failure, show the failing tests' lines, not only the tail.
    // (vitest prints the failures' details, the assertion and its line, on stderr)
    const failing = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => /×|FAIL|Error|expected|❯ test/.test(line)).slice(0, 40).join('\n');
    expect(run.status, failing).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+\d+ passed/);
  }, 240_000);

  it('stops with one line and exit 78 on a malformed AUTH_JWKS_URL, or routes that need a key it does not have', () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: gatewayDir, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    const badUrl = run({ AUTH_JWKS_URL: 'keys.example/jwks' });
    expect(badUrl.status).toBe(78);
    expect(badUrl.stderr.trim().split('\n')).toEqual(['config error: AUTH_JWKS_URL must be a http:// or https:// URL (got "keys.example/jwks")']);
    const routes = JSON.stringify([{ path: '/orders', service: 'orders', urlEnv: 'ORDERS_URL' }]);
    const noKey = run({ GATEWAY_ROUTES: routes, ORDERS_URL: 'http://127.0.0.1:42321' });
    expect(noKey.status).toBe(78);
    expect(noKey.stderr).toMatch(/^config error: AUTH_JWKS_URL is required but not set\n$/);
    // A route to a gRPC service whose API file is not in proto/: it names the file, before it opens anything.
    const grpcRoutes = JSON.stringify([{ path: '/ledger', service: 'ledger', protocol: 'grpc', urlEnv: 'LEDGER_URL', public: true }]);
    const noApi = run({ GATEWAY_ROUTES: grpcRoutes, LEDGER_URL: '127.0.0.1:42322' });
    expect(noApi.status).toBe(78);
    expect(noApi.stderr).toBe("config error: proto/ledger.proto is missing: the gateway calls ledger through its API; copy it from the ledger service's proto/ folder\n");
  });
});
