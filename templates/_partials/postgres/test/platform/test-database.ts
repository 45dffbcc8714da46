import { randomBytes } from "node:crypto";
import pg from "pg";

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, so parallel files and runs never share state. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix.replace(/\W/g, "_")}_test_${randomBytes(6).toString("hex")}`;
  await asAdmin((admin) => admin.query(`create database "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => asAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`)),
  };
}

async function asAdmin(run: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}
