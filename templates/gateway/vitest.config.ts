import { defineConfig } from "vitest/config";

// Its tests make RSA keys and talk to real local servers: on a loaded machine that outlasts the 5 s default.
export default defineConfig({ test: { testTimeout: 20_000, hookTimeout: 30_000 } });
