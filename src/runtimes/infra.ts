import { connect } from 'node:net';
import { UserError } from '../errors.js';
import type { InfraName } from '../models/names.js';
import { infraNeeds } from '../models/wiring.js';
import type { WorkspaceData } from '../models/workspace.js';

export interface InfraEndpoint {
  name: InfraName;
  /** Set when something answers; otherwise `problem` says what to do. */
  url?: string;
  source?: 'msx.yaml' | 'env' | 'default port';
  problem?: string;
}

const DEFAULTS: Record<InfraName, { env: string; port: number; url: string; fix: string }> = {
  rabbitmq: {
    env: 'AMQP_URL',
    port: 5672,
    url: 'amqp://guest:guest@127.0.0.1:5672',
    fix: 'start RabbitMQ on 127.0.0.1:5672, set AMQP_URL, or set infra.rabbitmq.url in msx.yaml',
  },
  postgres: {
    env: 'DATABASE_URL',
    port: 5432,
    url: 'postgres://postgres@127.0.0.1:5432/postgres',
    fix: 'start PostgreSQL on 127.0.0.1:5432, set DATABASE_URL, or set infra.postgres.url in msx.yaml',
  },
  redis: {
    env: 'REDIS_URL',
    port: 6379,
    url: 'redis://127.0.0.1:6379',
    fix: 'start Redis on 127.0.0.1:6379, set REDIS_URL, or set infra.redis.url in msx.yaml',
  },
};

/**
 * Finds each needed infra endpoint: msx.yaml first, then the environment, then
 * the default local port if something answers there.
 */
export async function resolveInfra(workspace: WorkspaceData, env = process.env): Promise<Map<InfraName, InfraEndpoint>> {
  const needed = new Set(workspace.services.flatMap(infraNeeds));
  const found = new Map<InfraName, InfraEndpoint>();
  for (const name of needed) {
    const defaults = DEFAULTS[name];
    const configured = workspace.infra[name]?.url;
    if (configured) found.set(name, await checked({ name, url: configured, source: 'msx.yaml' }));
    else if (env[defaults.env]) found.set(name, await checked({ name, url: env[defaults.env]!, source: 'env' }));
    else if (await answers('127.0.0.1', defaults.port)) found.set(name, { name, url: defaults.url, source: 'default port' });
    else found.set(name, { name, problem: `${name} is not reachable: ${defaults.fix}` });
  }
  return found;
}

const CHECK_TIMEOUT_MS = 3000;

/**
 * A URL the user gave (msx.yaml or env) is where they say the broker or
 * database is: if nothing answers there, that is the one thing to fix, said
 * before anything starts rather than as every dependent service timing out.
 */
async function checked(endpoint: InfraEndpoint & { url: string; source: 'msx.yaml' | 'env' }): Promise<InfraEndpoint> {
  const { name, url, source } = endpoint;
  const where = source === 'msx.yaml' ? `infra.${name}.url in msx.yaml` : `${DEFAULTS[name].env} in the environment`;
  let address: { host: string; port: number };
  try {
    const parsed = new URL(url);
    address = { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port) || DEFAULTS[name].port };
  } catch {
    throw new UserError(`${where} is not a URL: ${redacted(url)}`, { hint: `use e.g. ${DEFAULTS[name].url}` });
  }
  if (await answers(address.host, address.port, CHECK_TIMEOUT_MS)) return endpoint;
  throw new UserError(`${name} does not answer at ${address.host}:${address.port} (${where}: ${redacted(url)})`, {
    hint: `start ${name} there, or fix ${where}`,
    exit: 'runtimeUnavailable',
  });
}

/** A URL as it may be shown: its password replaced. */
function redacted(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export function answers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** `shop` + `order-history` → `shop_order_history`: the service's own database. */
export function databaseName(workspace: string, service: string): string {
  return `${workspace}_${service}`.replace(/-/g, '_');
}

/** Creates the service's database if it is missing: one database per service. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
