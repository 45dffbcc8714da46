import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { ReadinessCheck } from "./health.js";
import type { Logger } from "./logger.js";
import { SpanKind, endSpan, startChildSpan, type TraceContext } from "./trace-context.js";

export type Pool = pg.Pool;

/** `<service root>/migrations`, from src/platform and dist/platform alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

// Any fixed number: every replica takes the same lock, so only one migrates at a time.
const MIGRATION_LOCK = 7_300_001;

export function createPool(connectionString: string, logger: Logger): Pool {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection emits here; unhandled, it would crash the process.
  pool.on("error", (err) => logger.error({ err }, "idle database connection failed"));
  return pool;
}

// Statements are parameterized (values never in the text), but a long one would bloat every span.
const STATEMENT_MAX = 300;

/**
 * One query, in a client span of `trace` (the request's span) with the
 * db.* attributes: db.system, db.operation.name, the statement cut short.
 */
export async function tracedQuery<R extends pg.QueryResultRow>(pool: Pool, trace: TraceContext | undefined, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  const operation = text.trimStart().split(/\s/, 1)[0].toUpperCase();
  const attributes = { "db.system": "postgresql", "db.operation.name": operation, "db.statement": text.length > STATEMENT_MAX ? `${text.slice(0, STATEMENT_MAX)}...` : text };
  const span = startChildSpan(trace, { name: `${operation} postgresql`, kind: SpanKind.CLIENT, attributes });
  try {
    const result = await pool.query<R>(text, values);
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

export function databaseCheck(pool: Pool): ReadinessCheck {
  return async () => {
    await pool.query("select 1");
  };
}

/**
 * Applies every `*.sql` file in `dir` not yet recorded in schema_migrations,
 * in file-name order, each in its own transaction. Safe to run on every start.
 */
export async function runMigrations(pool: Pool, logger: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      "create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())",
    );
    const { rows } = await client.query<{ name: string }>("select name from schema_migrations");
    const applied = new Set(rows.map((row) => row.name));
    const pending = files.filter((file) => !applied.has(file));
    for (const file of pending) {
      await applyMigration(client, file, await readFile(join(dir, file), "utf8"));
      logger.info({ migration: file }, "migration applied");
    }
    return pending;
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

async function applyMigration(client: pg.PoolClient, file: string, sql: string): Promise<void> {
  await client.query("begin");
  try {
    await client.query(sql);
    await client.query("insert into schema_migrations (name) values ($1)", [file]);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
  }
}
