import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { mustRun, npmInstall } from '../helpers/processes.js';
import { serviceAuthorization } from '../helpers/service-token.js';

// Database per service against the real PostgreSQL on 127.0.0.1:5432: the
// generated service's own tests use a database of their own, and `msx up`
// creates the service's database and hands it over as DATABASE_URL.

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WORKSPACE = `pg${process.pid}`;
const DATABASE = `${WORKSPACE}_ledger`;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('msx new service --db postgres', () => {
  let root: string;
  let ws: string;
  let serviceDir: string;

  beforeAll(() => {
    root = makeTempDir();
    ws = join(root, WORKSPACE);
    expect(runCli(['init', WORKSPACE], root).code).toBe(0);
    const made = runCli(['new', 'service', 'ledger', '--kind', 'rest', '--context', 'billing', '--db', 'postgres', '--port', '41345'], ws);
    expect(made.stderr).toBe('');
    serviceDir = join(ws, 'contexts', 'billing', 'ledger');
    npmInstall(serviceDir);
  });

  afterAll(async () => {
    runCli(['down'], ws);
    await admin((client) => client.query(`drop database if exists "${DATABASE}" with (force)`));
    removeDir(root);
  });

  it('passes its own tests, the repository ones against a database of their own', async () => {
    const before = await admin((c) => c.query('select count(*)::int as n from pg_database'));
    const output = mustRun('npm', ['test'], serviceDir);
    expect(output).toMatch(/postgres-repository\.test\.ts/);
    expect(output).not.toMatch(/skipped/);
    const after = await admin((c) => c.query('select count(*)::int as n from pg_database'));
    expect(after.rows[0].n).toBe(before.rows[0].n); // the test dropped what it made
  });

  it('msx up creates the service database, migrates it and stores rows there', async () => {
    const up = runCli(['up', '--detach', '--json'], ws);
    expect(up.code, up.stderr).toBe(0);
    const [ledger] = JSON.parse(up.stdout).services as ServiceStatus[];
    expect(ledger.state).toBe('ready');

    const created = await fetch(`${ledger.url}/ledger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await serviceAuthorization(ws, WORKSPACE, 'ledger') },
      body: JSON.stringify(await sample(ledger.url!)),
    });
    expect(created.status).toBe(201);
    const rows = await admin(async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL.replace(/\/[^/]*$/, `/${DATABASE}`) });
      await client.connect();
      try {
        return (await client.query('select count(*)::int as n from ledger')).rows[0].n as number;
      } finally {
        await client.end();
      }
    });
    expect(rows).toBe(1);
  });
});

async function sample(base: string): Promise<unknown> {
  const { sampleRequestBody } = await import('../../src/generators/openapi-sample.js');
  return sampleRequestBody(await (await fetch(`${base}/openapi.json`)).json(), '/ledger');
}
