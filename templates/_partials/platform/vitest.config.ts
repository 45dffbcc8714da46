import { defineConfig } from "vitest/config";

// Every kind's tests talk to real local servers (RabbitMQ, PostgreSQL, gRPC, HTTP) and some make RSA keys:
// on a loaded machine that outlasts vitest's 5 s default, so a slow minute is not a failed test.
export default defineConfig({ test: { testTimeout: 20_000, hookTimeout: 30_000 } });
