import { beforeEach, describe, expect, it, vi } from 'vitest';
import Token from '../../src/commands/token.js';
import { serviceToken, type ServiceToken } from '../../src/services/service-token.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

// `msx token` through oclif, its service mocked: flags → options, the token alone on stdout, --json, errors.
vi.mock('../../src/services/service-token.js', () => ({ serviceToken: vi.fn() }));
const token = vi.mocked(serviceToken);

const MINTED: ServiceToken = { token: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln', service: 'orders', subject: 'msx-token', issuer: 'shop', expiresAt: '2026-12-01T09:10:00.000Z' };

// Braces: a hook that returns a function has it called as its teardown, and a mock is one.
beforeEach(() => {
  token.mockReset().mockResolvedValue(MINTED);
});

describe('msx token (service mocked)', () => {
  it('passes the service and --ttl (default 10m), and prints the token alone, for $(msx token orders)', async () => {
    const run = await runCommand(Token, ['orders']);
    expect(token).toHaveBeenLastCalledWith({ cwd: process.cwd(), service: 'orders', ttl: '10m' });
    expect(run).toEqual({ code: 0, stdout: `${MINTED.token}\n`, stderr: '' });
    await runCommand(Token, ['orders', '--ttl', '1h']);
    expect(token).toHaveBeenLastCalledWith({ cwd: process.cwd(), service: 'orders', ttl: '1h' });
  });

  it('--json: the token with its audience, subject, issuer and expiry', async () => {
    expect(JSON.parse((await runCommand(Token, ['orders', '--json'])).stdout)).toEqual(MINTED);
  });

  it('without a service: a usage error, exit 2, the service not called', async () => {
    const run = await runCommand(Token, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/service/);
    expect(token).not.toHaveBeenCalled();
  });

  for (const errorCase of ERROR_CASES) {
    it(`reports ${errorCase.name}`, async () => {
      token.mockRejectedValue(errorCase.error());
      expectErrorOutput(await runCommand(Token, ['orders']), errorCase);
      expectJsonError(await runCommand(Token, ['orders', '--json']), errorCase);
    });
  }
});
